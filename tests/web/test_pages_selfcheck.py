"""자격조회 through the real app (TestClient, both databases): the golden cases of seed 004 as a person
would answer the form, the decision's own messages on the result page, and 422s beside their fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from seomin.adapters.db.models import Base
from seomin.adapters.http.app import create_app
from seomin.services.platform import Platform

ELIGIBLE: dict[str, str] = {
    "product": "lowest-credit-special",
    "birth_date": "1985-03-01",
    "region": "서울",
    "annual_income": "45,000,000",
    "kcb_score": "600",
    "nice_unknown": "on",
    "occupation": "employee",
    "employed_months": "12",
    "haessal15": "rejected",
    "public_record": "no",
    "debt_kind": "none",
}
"""Seed 004 §2: rejected for 햇살론15, KCB 600 ≤ 675, income exactly at the 4,500만 cap, 12 months at work."""


@pytest.fixture()
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform)) as c:
        yield c


def answers(**changes: Any) -> dict[str, str]:
    found = {**ELIGIBLE, **{k: v for k, v in changes.items() if v is not None}}
    return {k: v for k, v in found.items() if k not in {k for k, v in changes.items() if v is None}}


def test_the_form_preselects_the_lowest_credit_guarantee_and_takes_a_product_from_the_link(
    client: TestClient,
) -> None:
    html = client.get("/check").text
    assert '<option value="lowest-credit-special" selected>' in html
    for field in ("birth_date", "annual_income", "kcb_score", "nice_score", "kcb_unknown", "region"):
        assert f'id="{field}"' in html, field
    for field in ("birth_date", "annual_income", "kcb_score", "nice_score", "region", "employed_months"):
        assert f'<label for="{field}">' in html, field
    assert html.count('<option value="') >= 17 + 1  # the 17 시도 and the products
    assert '<option value="haessal-15" selected>' in client.get("/check?product=haessal-15").text


def test_income_at_the_cap_with_kcb_600_is_eligible_with_the_offer_and_lenders(client: TestClient) -> None:
    response = client.post("/check", data=ELIGIBLE)
    assert response.status_code == 200
    html = response.text
    assert "신청할 수 있어요" in html
    assert 'class="badge badge-eligible"' in html
    assert 'data-offer="max">500만 원<' in html  # first-time limit
    assert 'data-offer="rate">연 15.9%<' in html
    assert "DB저축은행" in html  # lends only in 서울 (seed 004 §5)
    assert "IBK저축은행" not in html  # 부산·울산·경남 only
    assert 'href="/simulate?product=lowest-credit-special&amp;amount=5000000"' in html
    assert 'href="/apply?product=lowest-credit-special"' in html


def test_income_above_the_cap_is_ineligible_with_the_income_reason_and_its_remedy(client: TestClient) -> None:
    response = client.post("/check", data=answers(annual_income="45000001"))
    assert response.status_code == 200
    html = response.text
    assert "지금은 신청하기 어려워요" in html
    assert 'data-code="INCOME_ABOVE_CAP"' in html
    assert "연소득 45,000,001원이 기준 45,000,000원을 넘습니다." in html
    assert "연소득이 45,000,000원 이하일 때 신청할 수 있습니다." in html
    assert 'data-offer="max"' not in html


def test_unknown_scores_need_confirmation_with_a_provisional_offer(client: TestClient) -> None:
    response = client.post("/check", data=answers(kcb_score=None, kcb_unknown="on"))
    assert response.status_code == 200
    html = response.text
    assert "확인이 더 필요해요" in html
    assert 'data-code="CREDIT_SCORE_UNKNOWN"' in html
    assert "KCB 675점 이하 또는 NICE 724점 이하" in html
    assert "잠정" in html and 'data-offer="max"' in html


def test_a_score_above_both_cutoffs_lists_other_products_that_fit(client: TestClient) -> None:
    html = client.post(
        "/check", data=answers(kcb_score="690", nice_unknown=None, nice_score="730", annual_income="28000000")
    ).text
    assert 'data-code="CREDIT_SCORE_ABOVE_CUTOFF"' in html
    assert "KCB 690점 &gt; 675점, NICE 730점 &gt; 724점" in html
    assert 'data-alternative="haessal-15"' in html
    assert 'href="/check?product=haessal-15"' in html


def test_not_rejected_for_haessal15_says_apply_for_it_first(client: TestClient) -> None:
    html = client.post("/check", data=answers(haessal15="none")).text
    assert 'data-code="HAESSAL15_NOT_REJECTED"' in html
    assert "먼저 햇살론15를 신청해 보세요" in html


def test_a_debt_adjustment_needs_six_faithful_payments(client: TestClient) -> None:
    html = client.post(
        "/check", data=answers(public_record="yes", debt_kind="workout", faithful_months="4")
    ).text
    assert 'data-code="DEBT_ADJUSTMENT_TOO_SHORT"' in html
    assert "2회 더 연체 없이 상환하면" in html
    ok = client.post(
        "/check", data=answers(public_record="yes", debt_kind="workout", faithful_months="6")
    ).text
    assert "신청할 수 있어요" in ok


def test_a_region_with_few_lenders_still_names_the_nationwide_ones(client: TestClient) -> None:
    html = client.post("/check", data=answers(region="부산")).text
    assert "IBK저축은행" in html and "광주은행" in html and "DB저축은행" not in html


def test_missing_and_bad_answers_are_a_422_with_each_error_beside_its_field(client: TestClient) -> None:
    response = client.post(
        "/check",
        data=answers(
            annual_income="많이", kcb_score=None, nice_unknown=None, employed_months=None, region=""
        ),
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="error-summary"' in html
    for field in ("annual_income", "kcb_score", "nice_score", "employed_months", "region"):
        assert f'id="{field}-error"' in html, field
        assert f'href="#{field}"' in html, field
    assert "점수를 입력하거나 &#39;점수를 몰라요&#39;에 표시해 주세요." in html
    assert 'value="많이"' in html  # what was typed is kept
    assert 'id="birth_date-error"' not in html


def test_a_birth_date_in_the_future_and_an_impossible_score_are_422s(client: TestClient) -> None:
    future = client.post("/check", data=answers(birth_date="2030-01-01"))
    assert future.status_code == 422 and 'id="birth_date-error"' in future.text
    assert "생년월일이 오늘보다 늦습니다" in future.text
    score = client.post("/check", data=answers(kcb_score="1200"))
    assert score.status_code == 422 and 'id="kcb_score-error"' in score.text
    product = client.post("/check", data=answers(product="nope"))
    assert product.status_code == 422 and 'id="product-error"' in product.text


def test_change_my_answers_brings_the_form_back_filled_in(client: TestClient) -> None:
    html = client.post("/check", data={**ELIGIBLE, "edit": "1"}).text
    assert 'name="annual_income" type="text" value="45,000,000"' in html
    assert 'value="rejected" checked' in html


def test_a_self_check_writes_nothing(client: TestClient, platform: Platform) -> None:
    client.post("/check", data=ELIGIBLE)
    with platform.sessions() as session:
        for table in Base.metadata.sorted_tables:
            assert session.execute(select(func.count()).select_from(table)).scalar_one() == 0, table.name


def test_english(client: TestClient) -> None:
    client.get("/check?lang=en")
    html = client.post("/check", data=answers(annual_income="45000001")).text
    assert "You cannot apply right now" in html
    assert "Annual income 45,000,001 won exceeds the cap of 45,000,000 won." in html
