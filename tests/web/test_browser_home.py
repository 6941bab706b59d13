"""The home page in a real browser: the products of the day in plain words, the language switch."""

from __future__ import annotations

from typing import Any

from conftest import Site, assert_accessible, snapshot


def test_home_lists_the_products_in_force_with_rate_and_limit(site: Site, page: Any) -> None:
    page.goto(site("/"))
    assert page.locator("h1").inner_text().startswith("은행 문턱")
    card = page.locator(".card", has_text="최저신용자 특례보증")
    assert "15.9%" in card.inner_text()
    assert "1,000만 원" in card.inner_text()
    assert_accessible(page)
    snapshot(page, "home")


def test_the_language_switch_is_remembered(site: Site, page: Any) -> None:
    page.goto(site("/"))
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(site("/"))
    assert "Products you can apply for now" in page.content()
    page.get_by_role("link", name="한국어").click()
    assert page.locator("html").get_attribute("lang") == "ko"


def test_a_phone_sized_screen_has_no_sideways_scroll(site: Site, phone: Any) -> None:
    phone.goto(site("/"))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert_accessible(phone)
    snapshot(phone, "home-phone")
