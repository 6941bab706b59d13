"""마이페이지 in a real browser: the demo's delinquent borrower sees the arrears and the next due date, the
subrogated one the recourse debt and its installment plan; the page reads at 360 px without sideways
scrolling."""

from __future__ import annotations

import re
from typing import Any

from conftest import Site, assert_accessible, snapshot
from identity_steps import finish_identity_in_browser
from seomin.services.demo import PEOPLE


def sign_in_as_demo(page: Any, site: Site, state: str) -> None:
    name, rrn = PEOPLE[state]
    page.goto(site("/my"))
    page.fill("#name", name)
    page.fill("#rrn", rrn)
    page.fill("#phone", "010-0000-0000")
    finish_identity_in_browser(page)
    page.wait_for_url(re.compile(r"/my$"))


def test_the_delinquent_borrower_sees_arrears_and_the_next_due_date(site: Site, page: Any) -> None:
    sign_in_as_demo(page, site, "delinquent")
    arrears = page.locator(".arrears")
    assert "연체 중입니다" in arrears.inner_text()
    assert "원" in arrears.inner_text() and "연체이자" in arrears.inner_text()
    assert "다음 상환일" in page.locator(".next-due").inner_text()
    assert "******" in page.content()  # the resident number masked
    assert_accessible(page)
    snapshot(page, "my-page")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert "You are behind on payments" in page.content()


def test_the_active_borrower_sees_the_rate_path_on_a_phone(site: Site, phone: Any) -> None:
    sign_in_as_demo(phone, site, "active")
    assert "연체 중입니다" not in phone.content()
    assert "성실상환 금리 인하 일정" in phone.content() and "9.9%" in phone.content()
    chart = phone.locator(".rate-path svg.chart")
    assert chart.get_attribute("role") == "img" and chart.bounding_box()["width"] <= 360
    phone.get_by_text("표로 보기").click()
    assert phone.locator(".rate-table tr[aria-current=true]").is_visible()  # the table kept
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)


def test_the_subrogated_borrower_sees_the_recourse_debt_and_the_plan(site: Site, page: Any) -> None:
    sign_in_as_demo(page, site, "subrogated")
    recourse = page.locator(".recourse")
    text = recourse.inner_text()
    assert "대신 갚았습니다" in text and "분할상환" in text and "24개월" in text
    assert "다음 납부일" in text and "2025.06.14" in text  # the demo's plan starts 2025-02-14
    assert "1397" in text
    assert_accessible(page)
    page.get_by_role("link", name="갚을 돈과 분할상환 보기").click()
    assert "#recourse" in page.url
