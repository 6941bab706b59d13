"""자격조회 in a real browser: the eligible and the ineligible flows walked as a person would, with the
keyboard-reachable form, axe-core on every page and a phone-sized run without sideways scroll."""

from __future__ import annotations

from typing import Any

from conftest import Site, assert_accessible, snapshot


def fill_eligible(page: Any, income: str = "4500만") -> None:
    page.get_by_label("생년월일").fill("1985-03-01")
    page.get_by_label("주민등록상 주소지 (시·도)").select_option("서울")
    page.get_by_label("1년 동안 번 돈 (연소득, 원)").fill(income)
    page.get_by_label("KCB 신용점수 (0~1000점)").fill("600")
    page.locator("#nice_unknown").check()
    page.get_by_label("직장에 다녀요 (근로소득자)").check()
    page.get_by_label("지금 일(사업)을 한 지 몇 개월인가요?").fill("12")
    page.get_by_label("신청했는데 보증이 거절됐어요").check()


def test_an_eligible_person_sees_the_offer_and_the_lenders_of_their_region(site: Site, page: Any) -> None:
    page.goto(site("/check"))
    assert page.locator("h1").inner_text().startswith("받을 수 있는지")
    assert page.locator("#product").input_value() == "lowest-credit-special"
    assert_accessible(page)
    snapshot(page, "check")
    fill_eligible(page)
    assert page.locator("#nice_score").is_disabled()  # ticking 모름 greys the box out (selfcheck.js)
    page.get_by_role("button", name="결과 보기").click()
    page.wait_for_url(site("/check"))
    assert "신청할 수 있어요" in page.locator("h1").inner_text()
    assert page.locator('[data-offer="max"]').inner_text() == "500만 원"
    assert page.locator('[data-offer="rate"]').inner_text() == "연 15.9%"
    assert "DB저축은행" in page.locator(".lenders").inner_text()
    assert_accessible(page)
    snapshot(page, "check-result")
    page.get_by_role("link", name="매달 갚을 돈 계산하기").click()
    assert page.locator("#amount").input_value() == "5000000"


def test_an_ineligible_person_sees_why_and_what_would_change_it(site: Site, page: Any) -> None:
    page.goto(site("/check"))
    fill_eligible(page, income="50000000")
    page.get_by_role("button", name="결과 보기").click()
    assert "지금은 신청하기 어려워요" in page.locator("h1").inner_text()
    reason = page.locator('[data-code="INCOME_ABOVE_CAP"]')
    assert "연소득 50,000,000원이 기준 45,000,000원을 넘습니다." in reason.inner_text()
    assert "45,000,000원 이하일 때" in reason.inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="답변 고치기").click()
    assert page.locator("#annual_income").input_value() == "50000000"
    page.locator("#annual_income").fill("3000만")
    page.get_by_role("button", name="결과 보기").click()
    assert "신청할 수 있어요" in page.locator("h1").inner_text()


def test_a_missing_answer_is_shown_beside_its_field(site: Site, page: Any) -> None:
    page.goto(site("/check"))
    page.get_by_role("button", name="결과 보기").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.locator("#annual_income-error").inner_text().endswith("입력해 주세요.")
    assert page.locator("#annual_income").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_on_a_phone_the_form_and_the_result_fit_the_screen(site: Site, phone: Any) -> None:
    phone.goto(site("/check"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_label("있어요 (지금 갚는 중이거나 다 갚음)").check()  # the optional step, all unfolded
    phone.evaluate("document.querySelectorAll('details.more-loan').forEach(d => d.open = true)")
    assert phone.locator("#loan2_balance").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.locator("#has_loans").check()  # back to "없어요"
    fill_eligible(phone)
    phone.get_by_role("button", name="결과 보기").click()
    assert "신청할 수 있어요" in phone.locator("h1").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    snapshot(phone, "check-result-phone")


def test_the_form_is_reachable_by_keyboard(site: Site, page: Any) -> None:
    page.goto(site("/check"))
    assert page.locator("#employed_months").is_hidden()  # asked only of those who work
    page.get_by_label("직장에 다녀요 (근로소득자)").check()
    assert page.locator("#employed_months").is_visible() and page.locator("#pension_payments").is_hidden()
    page.locator("#product").focus()
    seen = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement.id || document.activeElement.name"))
    for field in ("birth_date", "region", "annual_income", "kcb_score", "kcb_unknown", "employed_months"):
        assert field in seen, field


def test_someone_repaying_on_time_sees_the_additional_loan_and_where_to_get_it(site: Site, page: Any) -> None:
    page.goto(site("/check"))
    assert page.locator("#loans").is_hidden()  # "없어요" by default: the loan fields stay out of the way
    fill_eligible(page)
    page.get_by_label("있어요 (지금 갚는 중이거나 다 갚음)").check()
    assert page.locator("#loans").is_visible()
    assert page.locator("#loan1_amount").is_hidden()  # the second loan is folded away
    page.get_by_label("어떤 상품인가요?").first.select_option("lowest-credit-special")
    page.get_by_label("대출받은 금융회사").first.select_option(label="DB저축은행")
    page.locator("#loan0_amount").fill("500만")
    page.locator("#loan0_balance").fill("4200000")
    page.locator("#loan0_executed_on").fill("2024-10-02")  # more than 6 months before 2025-05-15
    assert_accessible(page)
    page.get_by_role("button", name="결과 보기").click()
    assert "신청할 수 있어요" in page.locator("h1").inner_text()
    assert page.locator('[data-offer="kind"]').inner_text() == "추가대출"
    assert page.locator('[data-offer="max"]').inner_text() == "500만 원"
    assert page.locator(".lenders").inner_text().strip() == "DB저축은행"
    assert_accessible(page)
    snapshot(page, "check-additional")
    page.get_by_role("button", name="답변 고치기").click()  # too early instead: the engine's date
    assert page.locator("#loans").is_visible()
    page.locator("#loan0_executed_on").fill("2025-01-10")
    page.get_by_role("button", name="결과 보기").click()
    reason = page.locator('[data-code="ADDITIONAL_LOAN_TOO_EARLY"]')
    assert "2025.07.10부터 추가대출을 신청할 수 있습니다." in reason.inner_text()
    assert_accessible(page)
