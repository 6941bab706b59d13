"""The staff console in a real browser on the demo data: a reviewer filters the queue (HTMX) and proposes
an approval above the second-review threshold; the checker confirms it; the supervisor's overview with
its charts; the queue on a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from conftest import Site, assert_accessible, snapshot
from seomin.services.applications import submit_application
from seomin.services.demo import PROFILE
from seomin.services.identity import LocalIdentityProvider, applicant_actor, verify_and_open_session


def sign_in(page: Any, site: Site, username: str, path: str = "/staff") -> None:
    page.goto(site(path))
    expect(page.locator("h1")).to_have_text("직원 로그인")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(f"{username}-pw")
    page.get_by_role("button", name="로그인").click()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="로그아웃").click()
    expect(page.locator("h1")).to_have_text("직원 로그인")


def new_application(site: Site) -> int:
    """A fresh application of 4,000,000 won from 광주 (above the 3,000,000 second-review threshold)."""
    platform = site.platform
    applicant_id, _ = verify_and_open_session(
        platform, LocalIdentityProvider(platform.today), "문광주", "780606-1000078", "010-7878-7878"
    )
    day = platform.today()
    return submit_application(
        platform,
        applicant_actor(applicant_id),
        product_id="lowest-credit-special",
        requested_amount=4_000_000,
        term_months=60,
        grace_months=0,
        profile={**PROFILE, "region": "광주"},
        documents=[
            ("employment_certificate", day - timedelta(days=2), "재직증명서.pdf", b"%PDF browser employment"),
            (
                "income_amount_certificate",
                day - timedelta(days=2),
                "소득금액증명원.pdf",
                b"%PDF browser income",
            ),
        ],
    )


def test_review_with_maker_checker_in_the_browser(site: Site, page: Any) -> None:
    application_id = new_application(site)

    sign_in(page, site, "demo-reviewer")
    expect(page.locator("h1")).to_have_text("심사 대기열")
    expect(page.locator("#queue-results tbody tr").first).to_be_visible()
    assert_accessible(page)
    snapshot(page, "staff-queue")

    page.get_by_label("지역 (시도)").select_option("광주")  # HTMX swaps the results in place
    expect(page.locator("#queue-results tbody tr")).to_have_count(1)
    assert "region=%EA%B4%91%EC%A3%BC" in page.url or "region=광주" in page.url
    page.get_by_label("연령대").select_option("40-49")  # born 1978-06-06: 46 on 2025-05-15
    expect(page.locator("#queue-results tbody tr")).to_have_count(1)
    page.get_by_label("연령대").select_option("30-39")
    expect(page.locator("#queue-results")).to_contain_text("조건에 맞는 신청이 없습니다.")
    page.get_by_label("연령대").select_option("")
    page.locator(f'#queue-results a[href="/staff/applications/{application_id}"]').click()

    expect(page.locator("h1")).to_contain_text(f"신청 #{application_id}")
    expect(page.get_by_label("승인 금액 (원)")).to_have_value("4000000")
    assert "문광주" in page.content()  # reviewers see the name
    assert_accessible(page)
    snapshot(page, "staff-application")

    page.locator("#approve_note").fill("재직·소득 서류 확인")
    page.get_by_role("button", name="승인하기").click()
    expect(page.locator("#result .alert-ok")).to_contain_text("2차 심사 대기")
    expect(page.locator("h1 .badge")).to_have_text("2차 심사 대기")
    expect(page.get_by_role("button", name="승인 확정")).to_have_count(0)  # not offered to the maker
    expect(page.locator(".decision-form")).to_contain_text("이 승인은 내가 제안했습니다")
    sign_out(page)

    sign_in(page, site, "demo-checker", f"/staff/applications/{application_id}")
    expect(page.locator("h1")).to_contain_text(f"신청 #{application_id}")
    page.locator("#review_note").fill("확인했습니다")
    page.get_by_role("button", name="승인 확정").click()
    expect(page.locator("#result .alert-ok")).to_contain_text("승인했습니다.")
    expect(page.locator("h1 .badge")).to_have_text("승인")
    assert "2차 심사 확정" in page.content()
    assert_accessible(page)


def test_the_supervisor_overview_with_its_charts(site: Site, page: Any) -> None:
    sign_in(page, site, "demo-supervisor", "/staff/overview")
    expect(page.locator("h1")).to_contain_text("운영 현황")
    expect(page.locator("svg[role=img]")).to_have_count(2)
    assert "연체 일수별 대출" in page.locator("svg[role=img]").nth(1).get_attribute("aria-label")
    expect(page.locator("#kpi-delinquent")).to_contain_text("건")
    expect(page.locator("#kpi-rate")).to_contain_text("%")
    assert_accessible(page)
    snapshot(page, "staff-overview")
    page.goto(site("/staff"))
    sign_out(page)
    sign_in(page, site, "demo-counselor", "/staff/overview")
    expect(page.locator("h1")).to_have_text("이 화면을 볼 권한이 없습니다")


def test_the_queue_on_a_phone(site: Site, phone: Any) -> None:
    sign_in(phone, site, "demo-counselor")
    expect(phone.locator("h1")).to_have_text("심사 대기열")
    expect(phone.locator(".table-scroll table")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_label("상태").select_option("submitted")
    expect(phone.locator("#queue-results tbody tr").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    snapshot(phone, "staff-queue-phone")
