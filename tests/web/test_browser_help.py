"""도움받기 in a real browser on a phone-sized screen: book a visit to a support center (the time list
refreshes with the seats left), see the summary with the reference number, and cancel it with the phone's
last four digits."""

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
    assert "부산/경남" in text and "051-****-****" in text and "4567" not in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    snapshot(phone, "help-booked")


def test_cancel_a_booking_on_a_phone(site: Site, phone: Any) -> None:
    phone.goto(site("/help"))
    phone.fill("#callback-name", "이취소")
    phone.fill("#callback-phone", "010-4321-8765")
    phone.select_option("#callback-topic", "apply")
    phone.locator("#callback-slot").select_option(index=1)
    phone.get_by_role("button", name=re.compile("전화 상담 예약")).click()
    phone.locator("h1", has_text="예약되었습니다").wait_for()
    reference = phone.url.rsplit("/", 1)[1]

    phone.get_by_label("예약한 전화번호의 마지막 4자리").fill("1234")
    phone.get_by_role("button", name="예약 취소하기").click()
    error = phone.locator("#phone_last4-error")
    assert "마지막 4자리를 확인해 주세요" in error.inner_text() and "8765" not in phone.content()
    assert phone.get_by_label("예약한 전화번호의 마지막 4자리").get_attribute("aria-invalid") == "true"
    assert_accessible(phone)

    phone.get_by_label("예약한 전화번호의 마지막 4자리").fill("8765")
    phone.get_by_role("button", name="예약 취소하기").click()
    phone.locator("h1", has_text="취소된 예약입니다").wait_for()
    assert phone.url.endswith(f"/help/booked/{reference}?cancelled=1")
    assert "예약을 취소했습니다" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
