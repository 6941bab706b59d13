"""휴면예금 찾아줌 pages through the real app (SQLite and PostgreSQL): look-up after identity verification,
a payout to an own-name account (field errors placed on that deposit's card), a donation, the over-cap path
to the checklist and a center booking, guarantee-fee refunds paid in one step, and the counselor's audited
walk-in look-up that never shows the resident number back."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from identity_steps import page_sign_in
from seomin.adapters.db.models import AuditEvent
from seomin.adapters.http.app import create_app
from seomin.services.dormant_deposits import FILE_COLUMNS, import_file
from seomin.services.identity import create_staff_user
from seomin.services.platform import SYSTEM, Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
RRN, NAME = "850301-1234567", "홍길동"


def seed(platform: Platform) -> None:
    rows = [
        f"A-1,{RRN},보통예금,1000000,100,2024-05-15",
        f"A-2,{RRN},저축예금,2000,0,2024-05-15",
        f"A-3,{RRN},정기예금,12000000,0,2024-05-15",
    ]
    import_file(platform, SYSTEM, "kb", "bank", "\n".join((",".join(FILE_COLUMNS), *rows)), 13_002_000)


def deposit_ids(platform: Platform) -> list[int]:
    with platform.engine.connect() as conn:
        return [i for (i,) in conn.exec_driver_sql("SELECT id FROM dormant_deposits ORDER BY id")]


def test_look_up_needs_identity_then_pay_donate_or_go_to_a_center(
    client: TestClient, platform: Platform
) -> None:
    seed(platform)
    assert "휴면예금 찾아줌" in client.get("/dormant").text
    gate = client.get("/dormant/mine", follow_redirects=False)
    assert gate.status_code == 303 and gate.headers["location"] == "/identity?next=/dormant/mine"
    assert page_sign_in(client, NAME, RRN, "010-2468-1357", next="/dormant/mine").status_code == 303
    page = client.get("/dormant/mine").text
    assert "보통예금" in page and "1,010,000원" in page and "12,000,000원" in page
    assert "온라인 지급 한도(10,000,000원)를 넘어 센터에서 지급합니다" in page
    small, tiny, _ = deposit_ids(platform)
    wrong = client.post(
        f"/dormant/{small}/claim",
        data={"how": "pay", "account": "110-123-456789", "account_holder_name": "김철수"},
    )
    assert wrong.status_code == 422
    assert f'id="account_holder_name-{small}-error"' in wrong.text and "본인 명의 계좌만" in wrong.text
    paid = client.post(
        f"/dormant/{small}/claim",
        data={"how": "pay", "account": "110-123-456789", "account_holder_name": NAME},
    )
    assert paid.status_code == 200 and "지급했습니다" in paid.text and "********6789" in paid.text
    assert "110-123-456789" not in paid.text
    given = client.post(f"/dormant/{tiny}/claim", data={"how": "donate"})
    assert "기부해 주셔서 감사합니다" in given.text and "2,000원" in given.text
    again = client.post(
        f"/dormant/{tiny}/claim", data={"how": "pay", "account": "1101234567", "account_holder_name": NAME}
    )
    assert again.status_code == 409 and "이미 청구했거나" in again.text
    listed = client.get("/dormant/mine").text
    assert listed.count("지급 완료") >= 1 and "기부 완료" in listed
    checklist = client.get("/dormant/center").text
    assert "가족관계증명서" in checklist and 'href="/help"' in checklist


@pytest.fixture()
def counselor(platform: Platform) -> Iterator[Callable[[str, str], TestClient]]:
    clients: list[TestClient] = []

    def sign_in(username: str, role: str) -> TestClient:
        create_staff_user(platform, username, username, "a long enough secret", role)
        c = TestClient(create_app(platform))
        c.__enter__()
        clients.append(c)
        c.post("/staff/login", data={"username": username, "password": "a long enough secret"})
        return c

    yield sign_in
    for c in clients:
        c.__exit__(None, None, None)


def test_a_counselor_looks_up_a_walk_in_with_a_reason(
    platform: Platform, counselor: Callable[[str, str], TestClient]
) -> None:
    seed(platform)
    desk = counselor("counselor-lee", "counselor")
    assert "휴면예금 방문 조회" in desk.get("/staff/dormant").text
    blank = desk.post("/staff/dormant", data={"rrn": RRN, "reason": ""})
    assert blank.status_code == 422 and 'id="reason-error"' in blank.text
    found = desk.post("/staff/dormant", data={"rrn": RRN, "reason": "센터 방문 상담"})
    assert found.status_code == 200 and "조회 결과" in found.text and "(3)" in found.text
    assert RRN not in found.text and "1234567" not in found.text
    with platform.sessions() as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "dormant.looked_up")).all()
    assert event.reason == "센터 방문 상담" and "1234567" not in event.entity_id
    reviewer = counselor("reviewer-kim", "reviewer")
    assert reviewer.get("/staff/dormant").status_code == 403


def test_management_reads_the_figures_and_the_trial_balance(
    platform: Platform, counselor: Callable[[str, str], TestClient]
) -> None:
    seed(platform)
    boss = counselor("supervisor-park", "supervisor")
    page = boss.get("/manage/dormant")
    assert page.status_code == 200, page.text
    assert "13,002,000원" in page.text and "은행" in page.text and "원장 시산표" in page.text
    assert "차변·대변 합계 차이 0원" in page.text
    assert "해당 기간의 움직임이 없습니다" in boss.get("/manage/dormant?month=2025-04").text
    bad = boss.get("/manage/dormant?month=2025-13")
    assert bad.status_code == 422 and 'id="month-error"' in bad.text
    assert counselor("counselor-kang", "counselor").get("/manage/dormant").status_code == 403
