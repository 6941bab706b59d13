"""The fraud report center's and the knowledge base's pages through the real app (TestClient, both
databases): a report with screenshots and no account, the victim's steps and callback slot, staff triage of
grouped reports, the public confirmed list, monthly figures; the FAQ and the counselors' search."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import test_pages_staff
from fastapi.testclient import TestClient
from test_applications import staff
from test_pages_staff import Login

from seomin.services.knowledge_base import load_starter_entries
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
app = test_pages_staff.app
staff_client = test_pages_staff.staff_client
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_anyone_reports_a_fake_with_screenshots_and_staff_confirm_the_group(
    client: TestClient, staff_client: Login, platform: Platform
) -> None:
    assert 'enctype="multipart/form-data"' in client.get("/report").text
    missing = client.post("/report", data={"kind": "site", "target": ""})
    assert missing.status_code == 422 and 'id="target-error"' in missing.text
    not_an_image = client.post(
        "/report",
        data={"kind": "site", "target": "kinfa-loan.com"},
        files=[("screenshots", ("a.png", b"GIF89a", "image/png"))],
    )
    assert not_an_image.status_code == 422 and 'id="screenshots-error"' in not_an_image.text

    sent = client.post(
        "/report",
        data={"kind": "site", "target": "https://www.KINFA-loan.com/apply", "lost_money": "on"},
        files=[("screenshots", ("a.png", PNG, "image/png"))],
    )
    assert sent.status_code == 200 and "data-reference>" in sent.text and "112" in sent.text
    assert 'name="topic" value="fraud"' in sent.text and 'id="cb-slot"' in sent.text  # a callback to book
    day = sent.text.split('name="day" value="')[1].split('"')[0]
    slot = sent.text.split('id="cb-slot" name="slot"><option value="')[1].split('"')[0]
    booked = client.post(
        "/help",
        data={
            "channel": "callback",
            "topic": "fraud",
            "day": day,
            "slot": slot,
            "name": "피해자",
            "phone": "010-5555-6666",
        },
        follow_redirects=False,
    )
    assert booked.status_code == 303 and booked.headers["location"].startswith("/help/booked/")
    again = client.post("/report", data={"kind": "site", "target": "kinfa-loan.com"})
    assert "같은 대상에 대한 신고 2건" in again.text

    auditor = staff_client("auditor-lee")
    page = auditor.get("/staff/reports").text
    assert 'data-group="kinfa-loan.com"' in page and "data-reports>2<" in page
    assert "/staff/reports/screenshots/" in page and 'action="/staff/reports/triage"' not in page
    shot = page.split('href="/staff/reports/screenshots/')[1].split('"')[0]
    image = auditor.get(f"/staff/reports/screenshots/{shot}")
    assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"
    assert client.get(f"/staff/reports/screenshots/{shot}", follow_redirects=False).status_code == 303

    counselor = staff_client("counselor-kim")
    no_reason = counselor.post(
        "/staff/reports/triage", data={"target_key": "kinfa-loan.com", "status": "confirmed", "reason": ""}
    )
    assert no_reason.status_code == 422
    assert (
        counselor.post(
            "/staff/reports/triage",
            data={"target_key": "kinfa-loan.com", "status": "confirmed", "reason": "가짜 신청 화면"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    backwards = counselor.post(
        "/staff/reports/triage", data={"target_key": "kinfa-loan.com", "status": "received", "reason": "x"}
    )
    assert backwards.status_code == 409
    public = client.get("/report/confirmed").text
    assert 'data-fake="kinfa-loan.com"' in public and "kinfa.or.kr" in public and "1397" in public
    figures = counselor.get(f"/staff/reports?year={datetime.now(UTC).year}").text  # received now
    assert "data-month=" in figures


def test_the_faq_finds_a_paraphrased_question_and_counselors_search_every_entry(
    client: TestClient, staff_client: Login, platform: Platform
) -> None:
    load_starter_entries(platform, staff(platform, "kb-owner", "supervisor"))
    assert client.get("/faq").status_code == 200
    found = client.get("/faq", params={"q": "진흥원이라면서 문자가 왔는데 사칭인가요"})
    assert found.status_code == 200 and "사칭하는 문자나 전화" in found.text.split('id="kb-results"')[1]
    assert client.get("/faq", params={"q": "가" * 301}).status_code == 422
    counselor = staff_client("counselor-kim")
    fragment = counselor.get(
        "/staff/knowledge", params={"q": "선입금 수수료 달래요"}, headers={"HX-Request": "true"}
    )
    assert fragment.text.lstrip().startswith('<div id="kb-results"') and "선입금" in fragment.text
    assert "<html" in counselor.get("/staff/knowledge", params={"q": "서류"}).text


def test_a_long_site_name_is_triaged_like_any_other(
    client: TestClient, staff_client: Login, platform: Platform
) -> None:
    host = "a" * 60 + "." + "b" * 30 + ".kinfa-loan.com"  # 105 characters
    assert client.post("/report", data={"kind": "site", "target": f"https://{host}/x"}).status_code == 200
    confirmed = staff_client("counselor-kim").post(
        "/staff/reports/triage",
        data={"target_key": host, "status": "confirmed", "reason": "가짜"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert f'data-fake="{host}"' in client.get("/report/confirmed").text
