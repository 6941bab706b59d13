"""The servicing pages in a real browser on the demo (both databases): the staff's recourse worklist, one
debt with its repayments and the claims page pass axe and read at 360 px; the subrogated borrower's my page
shows the balance falling with the demo's deposits and where to pay."""

from __future__ import annotations

from typing import Any

from test_browser_journey import staff_sign_in
from test_browser_mypage import sign_in_as_demo

from conftest import Site, assert_accessible


def test_the_staff_servicing_pages_pass_axe(site: Site, page: Any) -> None:
    staff_sign_in(page, site, "demo-counselor", "/staff/login?next=/staff/recourse")
    page.goto(site("/staff/recourse"))
    assert page.locator("tr[data-debt]").count() >= 1
    assert_accessible(page)
    page.locator("tr[data-debt] a").first.click()
    assert page.locator("[data-virtual-account]").inner_text().startswith("5617-")
    assert page.locator("tr[data-repayment]").count() == 4  # the demo's four deposits
    assert_accessible(page)
    page.goto(site("/staff/claims"))
    assert_accessible(page)
    page.goto(site("/staff/approvals"))
    assert_accessible(page)


def test_the_worklist_reads_on_a_phone(site: Site, phone: Any) -> None:
    staff_sign_in(phone, site, "demo-supervisor", "/staff/login?next=/staff/recourse")
    phone.goto(site("/staff/recourse"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)


def test_the_subrogated_borrower_sees_where_to_pay_and_the_repayments(site: Site, phone: Any) -> None:
    sign_in_as_demo(phone, site, "subrogated")
    recourse = phone.locator(".recourse")
    assert recourse.locator("[data-virtual-account]").inner_text().startswith("5617-")
    assert "(5/24회)" in recourse.inner_text() and "data-plan-behind" not in phone.content()
    recourse.locator("summary", has_text="갚은 내역").click()
    assert recourse.locator("tr[data-repayment]").count() == 4
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
