"""도움받기 through the real app (TestClient and a live uvicorn server; SQLite and PostgreSQL): booking a
callback or a visit without an account, field errors for a past day or a holiday, the summary page, the
seed-004 counts with their disagreement, a slot's capacity when one more booking than seats races, and
cancelling online with the phone's last four digits, which frees the seat."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from builders import book_callback
from live_server import served
from seomin.adapters.db.models import HelpBooking
from seomin.adapters.http.app import create_app
from seomin.adapters.support_centers import default_support_centers
from seomin.services.platform import Platform

VISIT = {
    "channel": "visit",
    "region_group": "gwangju-jeolla-jeju",
    "day": "2025-05-16",
    "slot": "09:30",
    "name": "박방문",
    "phone": "010-9753-1864",
    "topic": "documents",
}


@pytest.fixture()
def live(platform: Platform) -> Iterator[str]:
    """The app served by uvicorn in a thread; its base URL."""
    with served(create_app(platform)) as url:
        yield url


def booked(platform: Platform) -> int:
    with platform.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(HelpBooking)) or 0)


def test_the_help_page_offers_both_channels_and_the_seed_counts(client: TestClient) -> None:
    page = client.get("/help")
    assert page.status_code == 200
    text = page.text
    assert "1397 전화 상담 예약" in text and "서민금융통합지원센터 방문 예약" in text
    assert "광주/전라/제주 (센터 8곳)" in text and "경기/인천 (센터 13곳)" in text
    assert "전국 41개 센터" in text and "50개" in text  # the seed's total and its regions' sum, both shown
    assert "2025.05.16 (금)" in text and "2025.05.17" not in text  # business days from tomorrow
    assert text.count('name="day"') == 2 and 'id="callback-day"' in text and 'id="visit-day"' in text
    assert "2025.05.30" not in text  # beyond 14 days
    preset = client.get("/help?region=전남").text
    assert 'value="gwangju-jeolla-jeju" selected' in preset


def test_a_visit_is_booked_without_an_account(platform: Platform, client: TestClient) -> None:
    answer = client.post("/help", data=VISIT, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert re.fullmatch(r"/help/booked/H250515-[2-9A-Z]{8}", location)
    summary = client.get(location)
    assert summary.status_code == 200
    text = summary.text
    assert location.rsplit("/", 1)[1] in text
    assert "2025.05.16 (금)" in text and "09:30" in text and "광주/전라/제주" in text
    assert "010-****-****" in text and "9753" not in text and "1864" not in text and "박*문" in text
    assert f'action="{location}/cancel"' in text  # it can be cancelled online
    assert "신분증" in text
    assert client.get("/help/booked/H250515-NOPE2345").status_code == 404


def test_a_past_day_or_a_holiday_is_refused_beside_the_day(platform: Platform, client: TestClient) -> None:
    past = client.post("/help", data={**VISIT, "day": "2025-05-01"})
    assert past.status_code == 422
    assert 'id="visit-day-error"' in past.text and "지난 날짜" in past.text
    assert "9753" not in past.text  # the phone is not echoed
    platform.today = lambda: date(2025, 5, 30)
    holiday = client.post(
        "/help", data={**VISIT, "channel": "callback", "slot": "10:00", "day": "2025-06-06"}
    )
    assert holiday.status_code == 422
    assert 'id="callback-day-error"' in holiday.text and "현충일" in holiday.text
    missing = client.post("/help", data={**VISIT, "region_group": "", "day": "2025-06-02"})
    assert missing.status_code == 422 and 'id="visit-region_group-error"' in missing.text
    assert booked(platform) == 0


def test_the_slot_list_shows_seats_left_for_htmx(platform: Platform, client: TestClient) -> None:
    assert client.post("/help", data=VISIT, follow_redirects=False).status_code == 303
    query = {"channel": "visit", "region_group": VISIT["region_group"], "day": VISIT["day"]}
    fragment = client.get("/help/slots", params=query, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="visit-slot-field"' in fragment.text
    assert "09:30 (남은 자리 2)" in fragment.text and "10:30 (남은 자리 3)" in fragment.text
    assert client.get("/help/slots", params=query, follow_redirects=False).status_code == 303


def test_capacity_holds_when_one_more_visit_than_seats_races(platform: Platform, live: str) -> None:
    capacity = default_support_centers().visit.capacity
    barrier = threading.Barrier(capacity + 1)

    def attempt(i: int) -> httpx.Response:
        with httpx.Client(base_url=live, timeout=60) as http:
            barrier.wait()
            return http.post("/help", data={**VISIT, "phone": f"010-2000-{i:04d}"}, follow_redirects=False)

    with ThreadPoolExecutor(capacity + 1) as pool:
        answers: list[Any] = list(pool.map(attempt, range(capacity + 1)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [303] * capacity + [409]
    full = next(a for a in answers if a.status_code == 409)
    assert "예약이 다 찼습니다" in full.text and 'id="visit-slot-error"' in full.text
    assert booked(platform) == capacity


def book(client: TestClient, phone: str) -> Any:
    return client.post("/help", data={**VISIT, "phone": phone}, follow_redirects=False)


def test_cancelling_frees_the_seat_of_a_full_slot(platform: Platform, client: TestClient) -> None:
    capacity = default_support_centers().rules("visit").capacity
    places = [book(client, f"010-2000-{i:04d}").headers["location"] for i in range(capacity)]
    full = book(client, "010-3000-0000")
    assert full.status_code == 409 and "예약이 다 찼습니다" in full.text

    wrong = client.post(f"{places[0]}/cancel", data={"phone_last4": "9999"})
    assert wrong.status_code == 422 and 'id="phone_last4-error"' in wrong.text
    assert "마지막 4자리를 확인해 주세요" in wrong.text and "2000" not in wrong.text  # the phone not told
    empty = client.post(f"{places[0]}/cancel", data={"phone_last4": ""})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text

    done = client.post(f"{places[0]}/cancel", data={"phone_last4": "0000"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{places[0]}?cancelled=1"
    page = client.get(done.headers["location"]).text
    assert "예약을 취소했습니다" in page and "취소된 예약입니다" in page and "/cancel" not in page
    again = client.post(f"{places[0]}/cancel", data={"phone_last4": "0000"})
    assert again.status_code == 409 and "취소할 수 없습니다" in again.text

    taken = book(client, "010-3000-0000")  # the freed seat
    assert taken.status_code == 303, taken.text
    with platform.sessions() as session:
        seats = session.scalars(
            select(HelpBooking.seat_no).where(HelpBooking.status == "booked").order_by(HelpBooking.seat_no)
        ).all()
    assert list(seats) == list(range(1, capacity + 1))
    assert book(client, "010-3000-0001").status_code == 409
    english = client.post(f"{places[1]}/cancel?lang=en", data={"phone_last4": "12"})
    assert "Check the last 4 digits" in english.text


def test_a_past_booking_is_not_cancelled(platform: Platform, client: TestClient) -> None:
    place = book(client, "010-9753-1864").headers["location"]
    platform.today = lambda: date(2025, 5, 19)
    page = client.get(place).text
    assert "/cancel" not in page  # no form for a past booking
    refused = client.post(f"{place}/cancel", data={"phone_last4": "1864"})
    assert refused.status_code == 409 and "이미 지난 예약" in refused.text and "1864" not in refused.text
    assert (
        client.post("/help/booked/H250515-NOPE2345/cancel", data={"phone_last4": "1864"}).status_code == 404
    )


def test_a_locked_cancellation_says_to_call_1397(platform: Platform, client: TestClient) -> None:
    receipt = book_callback(platform)
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        assert (
            client.post(
                f"/help/booked/{receipt.reference_no}/cancel", data={"phone_last4": guess}
            ).status_code
            == 422
        )
    locked = client.post(f"/help/booked/{receipt.reference_no}/cancel", data={"phone_last4": "2468"})
    assert locked.status_code == 409 and "온라인 취소가 잠겼습니다" in locked.text
