"""상환 계산 in a real browser: HTMX refreshes the panel when an input changes, the plain form works too,
a 422 is swapped in beside its field, and the page reads on a phone."""

from __future__ import annotations

from typing import Any

from conftest import Site, assert_accessible, snapshot


def test_changing_the_inputs_refreshes_the_result_in_place(site: Site, page: Any) -> None:
    page.goto(site("/simulate"))
    assert (
        page.locator('[data-kpi="first"]').inner_text() == page.locator('[data-kpi="typical"]').inner_text()
    )
    assert page.locator("svg.chart").count() == 2
    assert_accessible(page)
    snapshot(page, "simulate")
    page.evaluate("window.__same_page = true")  # gone if the browser loads a new page
    page.locator("#product").select_option("haessal-15")
    # the panel comes back with haessal-15's options: no grace period
    page.wait_for_function("document.querySelectorAll('#grace_months option').length === 1")
    page.locator("#amount").fill("20000000")
    page.locator("#amount").press("Enter")
    page.wait_for_function("document.querySelector('[data-kpi=first]').textContent === '485,299원'")
    assert page.locator('[data-kpi="typical"]').inner_text() == "485,299원"
    assert page.evaluate("window.__same_page === true")
    page.locator("summary", has_text="회차별 상환 일정 보기").click()
    assert page.locator("table tbody tr").count() == 60


def test_an_amount_over_the_limit_shows_the_error_beside_the_field(site: Site, page: Any) -> None:
    page.goto(site("/simulate"))
    page.locator("#amount").fill("2000만")
    page.locator("#amount").press("Enter")
    error = page.locator("#amount-error")
    error.wait_for()
    assert "1인 한도는 1,000만 원입니다" in error.inner_text()
    assert page.locator("#amount").get_attribute("aria-invalid") == "true"
    assert page.locator('[data-kpi="first"]').count() == 0
    assert_accessible(page)


def test_without_javascript_the_form_submits_as_a_page(site: Site, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site("/simulate"))
        page.locator("#grace_months").select_option("12")
        page.get_by_role("button", name="계산하기").click()
        page.wait_for_url("**/simulate?*grace_months=12*")
        assert page.locator('[data-kpi="first"]').inner_text() == "66,250원"
    finally:
        context.close()


def test_on_a_phone_the_page_does_not_scroll_sideways(site: Site, phone: Any) -> None:
    phone.goto(site("/simulate?product=lowest-credit-special&amount=10000000&term_months=36"))
    phone.locator("summary").click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    snapshot(phone, "simulate-phone")
