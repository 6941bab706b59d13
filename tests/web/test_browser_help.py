"""도움받기 in a real browser on a phone-sized screen: book a visit to a support center (the time list
refreshes with the seats left), see the summary with the reference number."""

from __future__ import annotations

import re
from typing import Any

from conftest import Site, assert_accessible, snapshot

HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def choose_and_wait_for_swap(page: Any, selector: str, value: str) -> None:
    """Choose an option whose change refreshes the time list, and wait until HTMX has swapped it in."""
    with page.expect_response(re.compile(r"/help/slots\?")):
        page.select_option(selector, value)
    page.wait_for_function(HTMX_IDLE)


def test_book_a_visit_on_a_phone(site: Site, phone: Any) -> None:
    phone.goto(site("/help"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert "41" in phone.content() and "50" in phone.content()
    assert_accessible(phone)
    snapshot(phone, "help")

    choose_and_wait_for_swap(phone, "#visit-region_group", "busan-gyeongnam")
    choose_and_wait_for_swap(phone, "#visit-day", "2025-05-19")
    assert "남은 자리 3" in phone.locator("#visit-slot-field").inner_text()
    phone.select_option("#visit-slot", "13:30")
    phone.fill("#visit-name", "이방문")
    phone.fill("#visit-phone", "051-123-4567")
    phone.select_option("#visit-topic", "apply")
    phone.get_by_role("button", name="방문 예약").click()
    phone.locator("h1", has_text="예약되었습니다").wait_for()
    assert re.search(r"/help/booked/H250515-[2-9A-Z]{8}$", phone.url)
    text = phone.content()
    assert "예약되었습니다" in text and "2025.05.19 (월)" in text and "13:30" in text
    assert "부산/경남" in text and "051-****-4567" in text and "123-4567" not in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    snapshot(phone, "help-booked")
