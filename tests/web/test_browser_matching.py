"""맞춤대출 and 신용시뮬레이터 in a real browser: from the self-check result to the ranked matches (consent
first), and the simulator's estimate, with axe-core on each page and a phone-sized run."""

from __future__ import annotations

from typing import Any

from test_browser_selfcheck import fill_eligible

from conftest import Site, assert_accessible


def test_from_the_self_check_to_ranked_matches_after_consent(site: Site, page: Any) -> None:
    page.goto(site("/check"))
    fill_eligible(page)
    page.get_by_role("button", name="결과 보기").click()
    page.get_by_role("button", name="맞춤대출 비교하기").click()
    assert "동의가 필요합니다" in page.locator("[role=alert]").inner_text()  # nothing compared yet
    assert_accessible(page)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="비교하기").click()
    assert page.locator("h1").inner_text().startswith("맞춤대출")
    first = page.locator("[data-rank='1']")
    assert first.count() == 1 and first.locator("[data-code]").count() >= 2
    assert page.locator("[data-product='lowest-credit-special']").count() >= 1
    assert_accessible(page)


def test_the_credit_simulator_on_a_phone(site: Site, phone: Any) -> None:
    phone.goto(site("/credit-simulator"))
    assert "추정치" in phone.locator("[data-estimate]").inner_text()
    phone.locator("#score").fill("640")
    phone.locator("#card_loan_balance").fill("400만")
    phone.locator("#utilization_pct").fill("80")
    phone.locator("#repay_amount").fill("200만")
    phone.locator("#to_pct").fill("20")
    phone.get_by_role("button", name="추정해 보기").click()
    assert phone.locator("[data-band='end']").inner_text() in ("650–699", "700–749")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone)
