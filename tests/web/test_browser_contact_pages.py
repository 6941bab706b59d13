"""The contact center's pages in chromium at 360 px on the demo data: each passes axe and fits the phone's
width; a fraud report with a screenshot from the phone, and a counselor's person search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from test_browser_staff import sign_in

from conftest import Site, assert_accessible

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url
    assert_accessible(page)


def test_the_public_pages_at_360px(site: Site, phone: Any, tmp_path: Path) -> None:
    phone.goto(site("/faq?q=선입금을 요구해요"))
    expect(phone.locator("#kb-results")).to_be_visible()
    _fits(phone)
    phone.goto(site("/report"))
    _fits(phone)
    shot = tmp_path / "capture.png"
    shot.write_bytes(PNG)
    phone.get_by_label("무엇을 신고하나요?").select_option("phone")
    phone.get_by_label("주소·번호·계정 이름").fill("010-9876-5432")
    phone.get_by_label("돈을 보냈거나 개인정보를 알려 줬어요").check()
    phone.locator("#screenshots").set_input_files(str(shot))
    phone.get_by_role("button", name="신고하기").click()
    expect(phone.locator("h1")).to_have_text("신고가 접수되었습니다")
    expect(phone.locator("[data-steps] li")).to_have_count(4)
    _fits(phone)
    phone.goto(site("/report/confirmed"))
    _fits(phone)
    phone.goto(site("/chat"))
    _fits(phone)


def test_the_staff_pages_at_360px(site: Site, phone: Any) -> None:
    sign_in(phone, site, "demo-counselor", "/staff/people")
    expect(phone.locator("h1")).to_have_text("고객 찾기")
    _fits(phone)
    phone.get_by_label("조회 방법").select_option("phone")
    phone.locator("#phone").fill("010-0000-0000")
    phone.get_by_role("button", name="찾기").click()
    expect(phone.locator("#h-hits")).to_be_visible()
    _fits(phone)
    for path in ("/staff/bookings", "/staff/reports", "/staff/knowledge?q=서류", "/staff/chats"):
        phone.goto(site(path))
        _fits(phone)
    phone.goto(site("/staff/people/1"))  # the demo's first applicant
    expect(phone.locator(".timeline li").first).to_be_visible()
    _fits(phone)
