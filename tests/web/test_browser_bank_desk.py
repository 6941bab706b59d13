"""The partner-bank desk in a real browser: sign in with the demo key, verify a certificate, look at the
loans and post a payment (a double click books it once), on a desktop and on a phone."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from builders import business_day, make_guarantee
from conftest import Site, assert_accessible, snapshot
from seomin.services.demo import BANK_KEYS
from seomin.services.loans import execute_loan, get_loan
from seomin.services.platform import Actor, ActorType

KWANGJU = Actor(ActorType.BANK, "kwangju")
_keys = itertools.count(1)


def sign_in(page: Any, site: Site, next_path: str = "/bank") -> None:
    page.goto(site(next_path))
    assert "/bank/login" in page.url
    page.get_by_label("API 키").fill(BANK_KEYS["kwangju"])
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(site(next_path))


def new_loan(site: Site) -> int:
    _, certificate = make_guarantee(site.platform, amount=3_000_000, issued_on=date(2025, 4, 10))
    with business_day(site.platform, date(2025, 4, 10)):
        loan = execute_loan(
            site.platform, KWANGJU, certificate, "123456", date(2025, 4, 10), f"web-{next(_keys)}"
        )
    return int(loan["loan_id"])


def test_a_wrong_key_says_so_on_the_page(site: Site, page: Any) -> None:
    page.goto(site("/bank/login"))
    page.get_by_label("API 키").fill("demo-kwangju.wrong")
    page.get_by_role("button", name="로그인").click()
    assert "API 키가 올바르지 않거나" in page.locator("#login-failed").inner_text()
    assert_accessible(page)


def test_sign_in_and_verify_a_certificate(site: Site, page: Any) -> None:
    _, certificate = make_guarantee(
        site.platform, amount=4_000_000, issued_on=date(2025, 5, 15), verification_code="654321"
    )
    sign_in(page, site)
    assert "광주은행 창구" in page.locator("h1").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="보증서 확인").first.click()
    page.get_by_label("보증서 번호").fill(certificate)
    page.get_by_label("확인 코드").fill("111111")
    page.get_by_role("button", name="확인하기").click()
    assert "맞지 않습니다" in page.locator("#verify-problem").inner_text()
    page.get_by_label("확인 코드").fill("654321")
    page.get_by_role("button", name="확인하기").click()
    assert page.locator('[data-field="amount"]').inner_text() == "4,000,000원"
    assert page.locator('[data-field="expires"]').inner_text() == "2025.06.14"
    assert "*" in page.locator('[data-field="name"]').inner_text()
    assert_accessible(page)
    snapshot(page, "bank-verify")


def test_look_at_the_loans_and_post_a_payment_once(site: Site, page: Any) -> None:
    loan_id = new_loan(site)
    sign_in(page, site, "/bank/loans")
    assert page.locator(f'[data-loan="{loan_id}"]').is_visible()
    assert_accessible(page)
    snapshot(page, "bank-loans")
    page.get_by_role("link", name=f"#{loan_id}").click()
    assert page.locator("[data-installment]").count() == 60
    assert_accessible(page)
    page.get_by_label("받은 금액 (원)").fill("10만")
    page.get_by_role("button", name="입금 기록하기").dblclick()
    page.locator("#payment-done").wait_for()
    assert "100,000원" in page.locator("#payment-done").inner_text()
    assert page.locator('[data-part="delinquency_interest"]').inner_text() != "0원"
    assert_accessible(page)
    assert len(get_loan(site.platform, KWANGJU, loan_id)["payments"]) == 1
    page.go_back()
    page.reload()  # a fresh form: a new key
    page.get_by_label("받은 금액 (원)").fill("10만")
    page.get_by_role("button", name="입금 기록하기").click()
    page.locator("#payment-done").wait_for()
    assert len(get_loan(site.platform, KWANGJU, loan_id)["payments"]) == 2


def test_an_error_is_shown_beside_the_field(site: Site, page: Any) -> None:
    loan_id = new_loan(site)
    sign_in(page, site, f"/bank/loans/{loan_id}")
    page.get_by_label("받은 금액 (원)").fill("")
    page.get_by_role("button", name="입금 기록하기").click()
    assert page.locator("#amount-error").is_visible()
    assert_accessible(page)


def test_on_a_phone_the_desk_fits_the_screen(site: Site, phone: Any) -> None:
    loan_id = new_loan(site)
    sign_in(phone, site, f"/bank/loans/{loan_id}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.goto(site("/bank/loans"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
