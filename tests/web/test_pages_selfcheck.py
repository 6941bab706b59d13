"""자격조회 through the real app (TestClient, both databases): the golden cases of seed 004 as a person
would answer the form, the decision's own messages on the result page, and 422s beside their fields."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from seomin.adapters.db.models import Base
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
    # "이 내용으로 신청하기" posts the answers on to the application form (told once, issue 12)
    assert 'action="/apply/carry"' in html
    assert '<input type="hidden" name="annual_income" value="' in html


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
    # what fits, priced, cheapest first; 햇살론15, which they say refused them, is not suggested again
    advised = re.findall(r'data-advice="([a-z0-9-]+)"', html)
    assert advised and "haessal-15" not in advised and "lowest-credit-special" not in advised
    assert 'href="/check?product=worker-haessal"' in html
    rates = [float(r) for r in re.findall(r"<dd data-rate>연 ([0-9.]+)%</dd>", html)]
    assert rates == sorted(rates) and len(rates) == len(advised)


def test_a_young_job_seeker_is_shown_haessal_youth_first_at_her_group_rate(
    client: TestClient, platform: Platform
) -> None:
    """Issue 11: a 27-year-old job seeker self-checking 특례보증 in 2026 is told about 햇살론유스 at 4.0%,
    with its monthly payment for her amount, before anything dearer."""
    platform.today = lambda: date(2026, 3, 2)  # type: ignore[method-assign]
    html = client.post(
        "/check",
        data=answers(
            product="haessal-special",
            birth_date="1999-04-01",
            occupation="unemployed",
            employed_months="0",
            annual_income="18,000,000",
            requested_amount="3,000,000",
            haessal15="none",
        ),
    ).text
    advised = re.findall(r'data-advice="([a-z0-9-]+)"', html)
    assert advised[0] == "haessal-youth" and "haessal-special" not in advised
    first = html[html.index('data-advice="haessal-youth"') :]
    assert "<dd data-rate>연 4%</dd>" in first[:2000]
    assert "55,250원" in first[:2000]  # 3,000,000 over 60 months at 4.0%
    assert "data-advice-unconfirmed" in first[:4000]  # its reported terms are shown as such


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


# The optional step: loans under these products the person has now or has repaid (seed 004 §4: first-time
# limit 5,000,000 of 10,000,000 per person; one additional loan of up to 5,000,000 after 6 months on time,
# only at the bank of the open loan; at most two accounts). The site's today is 2025-05-15.


def with_loans(*loans: dict[str, str], **changes: Any) -> dict[str, str]:
    """The eligible answers with ``has_loans=yes`` and the given loans as the form sends them."""
    found = answers(has_loans="yes", **changes)
    for i, loan in enumerate(loans):
        found.update({f"loan{i}_{k}": v for k, v in loan.items()})
    return found


def loan(**changes: str) -> dict[str, str]:
    """A 5,000,000 lowest-credit loan from DB저축은행 (서울) on 2024-11-15, on time, 4,200,000 left."""
    return {
        "product": "lowest-credit-special",
        "bank": "db-sb",
        "amount": "500만",
        "balance": "4,200,000",
        "executed_on": "2024-11-15",
        **changes,
    }


def test_the_form_asks_about_existing_loans_with_a_label_for_every_field(client: TestClient) -> None:
    html = client.get("/check").text
    assert 'id="step-loans"' in html and "지금 쓰고 있거나 갚은 정책대출" in html
    assert '<input type="radio" name="has_loans" value="no" id="has_loans" checked>' in html
    for i in range(3):  # all fields are in the page, so the form works without JavaScript
        for field in ("product", "bank", "amount", "balance", "executed_on", "in_arrears", "repaid"):
            assert f'id="loan{i}_{field}"' in html, (i, field)
        for field in ("product", "bank", "amount", "balance", "executed_on"):
            assert f'<label for="loan{i}_{field}">' in html, (i, field)
    assert html.count('<details class="more-loan">') == 2  # loans 2 and 3 folded away
    for field in ("requested_amount", "requested_bank"):
        assert f'<label for="{field}">' in html
    assert '<option value="sbi-sb">SBI저축은행</option>' in html


def test_six_months_on_time_gives_the_additional_loan_within_the_limit_left(client: TestClient) -> None:
    response = client.post("/check", data=with_loans(loan()))
    assert response.status_code == 200
    html = response.text
    assert "신청할 수 있어요" in html
    assert "추가대출로 받을 수 있는 조건" in html
    assert 'data-offer="kind">추가대출<' in html
    assert 'data-offer="max">500만 원<' in html  # 10,000,000 total − 5,000,000 borrowed, at most 5,000,000
    assert "1인 한도 1,000만 원 · 지금 받을 수 있는 추가대출 5,000,000원" in html
    assert "추가대출을 받을 수 있는 곳" in html
    lenders = html.split('<ul class="lenders">')[1].split("</ul>")[0]
    assert "DB저축은행" in lenders and "광주은행" not in lenders  # only the bank of the open loan
    assert "최저신용자 특례보증 · DB저축은행 · 빌린 돈 5,000,000원 · 남은 돈 4,200,000원 · 2024.11.15" in html


def test_an_additional_loan_before_six_months_says_from_which_day(client: TestClient) -> None:
    html = client.post("/check", data=with_loans(loan(executed_on="2025.01.10"))).text
    assert "지금은 신청하기 어려워요" in html
    assert 'data-code="ADDITIONAL_LOAN_TOO_EARLY"' in html
    assert "추가대출은 최초 대출(2025.01.10) 후 6개월 이상 연체 없이 이용해야 합니다." in html
    assert "2025.07.10부터 추가대출을 신청할 수 있습니다." in html
    assert 'data-offer="max"' not in html
    client.get("/check?lang=en")
    english = client.post("/check", data=with_loans(loan(executed_on="2025-01-10"))).text
    assert "You can apply for the additional loan from 2025-07-10." in english


def test_a_loan_in_arrears_is_the_arrears_reason_with_its_remedy(client: TestClient) -> None:
    html = client.post("/check", data=with_loans(loan(in_arrears="on"))).text
    assert "지금은 신청하기 어려워요" in html
    assert 'data-code="DELINQUENT"' in html
    assert "이용 중인 대출 1건이 연체 중입니다." in html
    assert "연체를 해소하면 다시 심사받을 수 있습니다." in html
    assert "<strong>연체 중</strong>" in html


def test_asking_for_more_than_the_limit_left_is_amount_above_limit(client: TestClient) -> None:
    html = client.post("/check", data=with_loans(loan(), requested_amount="600만")).text
    assert 'data-code="AMOUNT_ABOVE_LIMIT"' in html
    assert "신청 금액 6,000,000원이 지금 가능한 최대 5,000,000원을 넘습니다." in html
    assert "5,000,000원 이하로 신청하세요." in html
    ok = client.post("/check", data=with_loans(loan(), requested_amount="300만")).text
    assert "신청할 수 있어요" in ok
    assert 'href="/simulate?product=lowest-credit-special&amp;amount=3000000"' in ok


def test_the_additional_loan_at_another_bank_names_the_bank_of_the_open_loan(client: TestClient) -> None:
    html = client.post("/check", data=with_loans(loan(), requested_bank="kwangju")).text
    assert 'data-code="ADDITIONAL_LOAN_OTHER_BANK"' in html
    assert "그 대출을 실행한 DB저축은행에서만 가능합니다 (요청: 광주은행)" in html


def test_two_open_loans_have_used_the_additional_loan_and_the_whole_limit(client: TestClient) -> None:
    second = loan(executed_on="2024-12-10", balance="5000000")
    html = client.post("/check", data=with_loans(loan(executed_on="2024-06-01"), second)).text
    for code in ("TOO_MANY_ACCOUNTS", "ADDITIONAL_LOAN_ALREADY_USED", "LIMIT_EXHAUSTED"):
        assert f'data-code="{code}"' in html, code
    assert "1인 한도 10,000,000원 중 10,000,000원을 이미 이용 중이라 남은 한도가 없습니다." in html
    assert "대출 계좌는 최대 2개까지 보유할 수 있습니다 (현재 2개)." in html


def test_a_repaid_loan_may_leave_the_balance_empty_and_starts_again_at_the_first_limit(
    client: TestClient,
) -> None:
    html = client.post("/check", data=with_loans(loan(balance="", repaid="on"))).text
    assert "신청할 수 있어요" in html
    assert 'data-offer="kind">다 갚은 뒤 다시 이용<' in html
    assert 'data-offer="max">500만 원<' in html
    assert "광주은행" in html  # any lender of the region again


def test_a_balance_above_the_amount_is_a_422_on_that_loans_balance(client: TestClient) -> None:
    second = loan(executed_on="2025-01-10", amount="300만", balance="400만")
    response = client.post("/check", data=with_loans(loan(), second))
    assert response.status_code == 422
    html = response.text
    assert 'id="error-summary"' in html and 'href="#loan1_balance"' in html
    assert 'id="loan1_balance-error"' in html and 'id="loan0_balance-error"' not in html
    assert "남은 돈이 빌린 돈보다 많을 수 없어요." in html
    assert 'id="loan1_balance" name="loan1_balance" type="text" value="400만"' in html
    assert '<details class="more-loan" open>' in html  # the loan with the error is unfolded
    assert 'value="yes" checked' in html


def test_a_repaid_loan_in_arrears_is_a_422_on_its_checkbox(client: TestClient) -> None:
    response = client.post("/check", data=with_loans(loan(balance="0", repaid="on", in_arrears="on")))
    assert response.status_code == 422
    assert 'id="loan0_in_arrears-error"' in response.text
    assert "다 갚은 대출은 연체 중일 수 없어요." in response.text


def test_yes_with_missing_or_bad_loan_answers_is_a_422_beside_each_field(client: TestClient) -> None:
    response = client.post(
        "/check",
        data=with_loans(
            {"amount": "많이", "executed_on": "2025-06-01"}, {"bank": "db-sb"}, requested_amount="0"
        ),
    )
    assert response.status_code == 422
    html = response.text
    for field in (
        "loan0_product", "loan0_bank", "loan0_amount", "loan0_balance", "loan0_executed_on",
        "loan1_product", "loan1_amount", "requested_amount",
    ):  # fmt: skip
        assert f'id="{field}-error"' in html, field
        assert f'href="#{field}"' in html, field
    assert "대출받은 날이 오늘보다 늦어요." in html
    assert 'id="loan2_product-error"' not in html  # an untouched third loan is not asked for


def test_no_loans_ignores_the_loan_fields_and_keeps_the_first_time_decision(client: TestClient) -> None:
    html = client.post("/check", data={**ELIGIBLE, "has_loans": "no", **{
        "loan0_amount": "많이", "loan0_balance": "999", "loan0_in_arrears": "on",
    }}).text  # fmt: skip
    assert "신청할 수 있어요" in html
    assert 'data-offer="max">500만 원<' in html and 'data-offer="kind">처음 이용<' in html
    assert "주소지에서 대출해 주는 금융회사" in html
    assert "말씀해 주신 대출" not in html


def test_change_my_answers_keeps_the_loans(client: TestClient) -> None:
    html = client.post("/check", data={**with_loans(loan(repaid="on", balance="0")), "edit": "1"}).text
    assert 'name="loan0_amount" type="text" value="500만"' in html
    assert '<option value="db-sb" selected>' in html
    assert 'id="loan0_repaid" name="loan0_repaid" value="on" checked' in html


def test_service_errors_about_a_loan_land_on_its_field() -> None:
    from seomin.adapters.web.selfcheck import service_error
    from seomin.services.errors import InputError, InputErrorCode

    assert service_error(InputError("profile.existing_loans.2.bank", "unknown bank"))[0] == "loan2_bank"
    code = InputErrorCode.LOAN_BALANCE_ABOVE_AMOUNT
    field, message = service_error(InputError("profile.existing_loans.1", "worded any way", code))
    assert field == "loan1_balance" and message.ko.startswith("남은 돈이")
    field, message = service_error(InputError("profile.existing_loans.1", "balance exceeds amount"))
    assert field == "loan1_amount" and message.ko.startswith("입력값을 확인")  # no code: placed generically
    assert service_error(InputError("profile.requested_amount", "too big"))[0] == "requested_amount"
    assert service_error(InputError("profile.birth_date", "is after the application date"))[0] == "birth_date"


def test_unconfirmed_terms_of_a_2026_product_are_shown_as_to_confirm(
    client: TestClient, platform: Platform
) -> None:
    """Issue 11: a figure from a report or our reading is shown as 확인 필요 with its source, not as fact."""
    platform.today = lambda: date(2026, 3, 2)  # type: ignore[method-assign]
    html = client.post("/check", data=answers(product="haessal-special", annual_income="30,000,000")).text
    assert "신청할 수 있어요" in html
    assert 'data-offer="max">1,000만 원<' in html  # Asiae EN 2026-01-05
    assert "data-unconfirmed" in html and "확인 필요" in html
    assert 'data-figure="eligibility.public_record_excluded"' in html  # our decision, said so
    assert 'data-figure="*"' in html  # everything without a source of its own
    # named in plain words, never by the catalog's path or our working notes (issue 12)
    assert "세금 체납 등" in html and "<code>eligibility" not in html and "domain.md" not in html
    assert 'data-figure="rate.annual"' not in html  # 12.5% is confirmed
    assert 'data-figure="limits.total_per_person"' not in html  # reported (Asiae EN 2026-01-05)
    # the one published lender, whose regions are not: the applicant is told to confirm with it
    assert "BNK부산은행의 대출 가능 지역은 공개되지 않았습니다" in html
