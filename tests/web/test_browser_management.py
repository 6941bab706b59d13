"""Management's pages in chromium: the seed-000 table with its charts, and the policy simulation asked the
issue's question (KCB cutoff 700, income cap 5,000만, first-time limit 700만)."""

from __future__ import annotations

from typing import Any

from conftest import Site, assert_accessible, snapshot
from seomin.adapters.http.auth import issue_staff_token
from seomin.adapters.plan_files import SEED_PLAN, seed_plan
from seomin.adapters.web.session_cookies import STAFF_COOKIE
from seomin.services.analytics.supply import import_plan
from seomin.services.identity import ADMIN, authenticate_staff


def sign_in_as_supervisor(site: Site, page: Any) -> None:
    actor = authenticate_staff(site.platform, "demo-supervisor", "demo-supervisor-pw")
    token = issue_staff_token(site.platform, actor).token
    page.context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": site.url}])


def test_supply_against_the_seed_plan(site: Site, page: Any) -> None:
    import_plan(site.platform.engine, seed_plan(), source=SEED_PLAN, actor=ADMIN)
    sign_in_as_supervisor(site, page)
    page.goto(site("/manage?year=2020&basis=estimate"))
    assert page.locator("h2").first.inner_text().startswith("2020년 서민금융 공급실적 (추정실적")
    assert page.locator("svg[role=img]").count() == 1
    assert page.get_by_role("row", name="총계").count() >= 1
    assert_accessible(page)
    snapshot(page, "manage-supply")


def test_the_policy_question_of_the_issue(site: Site, page: Any) -> None:
    sign_in_as_supervisor(site, page)
    page.goto(site("/manage/policy"))
    page.get_by_label("KCB 신용점수 기준 (이하)").fill("700")
    page.get_by_label("연소득 상한 (원)").fill("5000만")
    page.get_by_label("첫 대출 한도 (원)").fill("700만")
    page.get_by_label("합성 지원자 수").select_option("10000")
    page.get_by_label("올해 공급 목표 (억 원)").fill("50")
    page.get_by_role("button", name="시뮬레이션").click()
    page.wait_for_selector("#result-title")
    assert page.locator("svg[role=img]").count() == 4
    eligible = page.locator("tr", has=page.locator("th", has_text="대상")).filter(has_not_text="비대상").first
    assert "+" in eligible.inner_text()  # the looser terms add eligible applicants
    assert_accessible(page)
    snapshot(page, "manage-policy")


def test_the_jobs_page_with_its_progress_bars_at_360_px(site: Site, phone: Any) -> None:
    from seomin.services import jobs

    done, _ = jobs.create_job(site.platform, "screening", {"product": "miso"}, "test")
    jobs.start(site.platform, done.id)
    jobs.progress(site.platform, done.id, 400, 1_000)
    sign_in_as_supervisor(site, phone)
    phone.goto(site("/manage/jobs"))
    bar = phone.get_by_role("progressbar").first
    assert bar.get_attribute("value") == "40"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    jobs.finish(site.platform, done.id, {"rows": 1_000})
