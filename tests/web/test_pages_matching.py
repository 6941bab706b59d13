"""맞춤대출 and 신용시뮬레이터 pages through the real app (TestClient, both databases)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_applicant_overview import person
from test_pages_mypage import RRN, sign_in
from test_pages_selfcheck import ELIGIBLE

from matching_profile import loan_of
from seomin.adapters.db.models import MatchingRequest
from seomin.services.consulting import enroll, record_session
from seomin.services.identity import authenticate_staff, create_staff_user
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_the_self_check_result_offers_matching_and_consent_is_asked_first(
    client: TestClient, platform: Platform
) -> None:
    result = client.post("/check", data=ELIGIBLE).text
    assert 'action="/matching"' in result and 'name="consent"' in result
    asked = client.post("/matching", data=ELIGIBLE)
    assert asked.status_code == 422 and "동의가 필요합니다" in asked.text and 'name="kcb_score"' in asked.text
    with platform.sessions() as session:
        assert session.scalars(select(MatchingRequest)).all() == []


def test_a_consented_match_ranks_products_with_their_reasons(client: TestClient, platform: Platform) -> None:
    page = client.post("/matching", data={**ELIGIBLE, "consent": "1"})
    assert page.status_code == 200, page.text
    html = page.text
    assert 'data-rank="1"' in html and 'data-product="lowest-credit-special"' in html
    assert 'data-code="MATCH_POLICY_ELIGIBLE"' in html and "비슷한 조건 이용자" in html
    assert 'data-code="MATCH_NO_OUTCOMES"' in html  # no outcome statistics yet
    english = client.post("/matching?lang=en", data={**ELIGIBLE, "consent": "1"}).text
    assert "Loan matching" in english
    with platform.sessions() as session:
        assert len(session.scalars(select(MatchingRequest)).all()) == 2
    broken = client.post("/matching", data={**ELIGIBLE, "kcb_score": "abc", "consent": "1"})
    assert broken.status_code == 422 and 'href="/check"' in broken.text


def test_the_credit_simulator_page_estimates_and_says_so(client: TestClient) -> None:
    form = client.get("/credit-simulator")
    assert form.status_code == 200 and 'data-estimate="true"' in form.text and 'id="score"' in form.text
    answer = client.post(
        "/credit-simulator",
        data={"score": "640", "card_loan_balance": "400만", "utilization_pct": "80", "on_time": "on",
              "repay_amount": "200만", "to_pct": "20", "consulting": "on", "months": "12"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert 'data-band="end">700–749<' in answer.text and 'data-kind="repay_card_loan"' in answer.text
    bad = client.post("/credit-simulator", data={"score": "640", "repay_amount": "100만"})
    assert bad.status_code == 422 and "카드론 잔액보다" in bad.text
    assert client.post("/credit-simulator", data={}).status_code == 422


def test_my_page_shows_the_consulting_programme_and_what_faithful_repayment_opens(
    client: TestClient, platform: Platform
) -> None:
    actor = person(platform, RRN)
    create_staff_user(platform, "cou", "상담사", "a long enough secret", "counselor")
    counselor = authenticate_staff(platform, "cou", "a long enough secret")
    programme = enroll(platform, counselor, int(actor.id), "카드론 우선 상환", 1)
    record_session(platform, counselor, programme, date(2025, 5, 15), "점검 완료")
    loan_of(platform, int(actor.id), date(2024, 4, 2))
    sign_in(client)
    html = client.get("/my").text
    assert 'data-consulting="completed"' in html and "카드론 우선 상환" in html and "이수" in html
    assert 'data-graduation="haessal-bank"' in html and "성실상환으로 이제" in html
