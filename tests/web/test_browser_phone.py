"""The applicant's pages as a phone shows them (360 × 780, chromium): a header that leaves the screen to
the page, a self-check that asks only what concerns the person, chart text big enough to read, and the
warning before a session ends, with more time on one tap (issue 12)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from conftest import Site, assert_accessible
from identity_steps import verify_in_browser
from seomin.adapters.db.models import ApplicantSession


def test_the_header_leaves_the_screen_to_the_page(site: Site, phone: Any) -> None:
    for path in ("/", "/check", "/simulate", "/help"):
        phone.goto(site(path))
        height = phone.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
        assert height <= 100, (path, height)  # it was 171 px, a fifth of the screen
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert_accessible(phone)


def test_the_self_check_asks_only_what_concerns_the_person(site: Site, phone: Any) -> None:
    phone.goto(site("/check"))
    before = phone.evaluate("document.documentElement.scrollHeight")
    assert before <= 3900, before  # it was 4,481 px with every conditional question shown
    assert phone.locator("#faithful_months").is_hidden()
    phone.get_by_label("신용회복위원회 개인워크아웃").check()
    assert phone.locator("#faithful_months").is_visible()


def chart_text_px(page: Any, selector: str) -> float:
    """The rendered size of the chart's 10-point text: SVG units are points, scaled to the box."""
    return float(
        page.evaluate(
            """(selector) => {
                const svg = document.querySelector(selector);
                return svg.getBoundingClientRect().width / svg.viewBox.baseVal.width * 10;
            }""",
            selector,
        )
    )


def test_chart_text_is_readable_on_a_phone(site: Site, phone: Any) -> None:
    phone.goto(site("/simulate?product=lowest-credit-special&amount=5000000&term_months=60&grace_months=0"))
    size = chart_text_px(phone, "svg.chart")
    assert size >= 9, size  # it was 5 to 7 px


def test_the_session_warns_before_it_ends_and_extends_on_a_tap(site: Site, phone: Any) -> None:
    verify_in_browser(phone, site("/identity?next=/apply"), "한모바일", "910909-1234567", "010-9090-9090")
    phone.wait_for_url(re.compile(r"/apply"))
    warning = phone.locator("#session-warning")
    assert warning.is_hidden()  # 30 minutes left: nothing to say yet
    with site.platform.sessions.begin() as session:  # 25 minutes at 정부24 later
        session.execute(update(ApplicantSession).values(expires_at=datetime.now(UTC) + timedelta(minutes=4)))
    phone.reload()
    warning.wait_for(state="visible")
    assert "곧 자동으로 로그아웃돼요" in warning.inner_text() and "저장돼요" in warning.inner_text()
    assert re.search(r"[34]:\d\d", warning.locator("[data-countdown]").inner_text())
    assert_accessible(phone)
    phone.get_by_role("button", name="30분 더 쓰기").click()
    warning.wait_for(state="hidden")
    with site.platform.sessions() as session:  # every session was set to end in 4 minutes: one runs on
        ends = [
            e if e.tzinfo else e.replace(tzinfo=UTC)
            for e in session.scalars(select(ApplicantSession.expires_at))
        ]
    assert sum(e > datetime.now(UTC) + timedelta(minutes=29) for e in ends) == 1
