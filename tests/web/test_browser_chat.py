"""The 1397 chat in real browsers: an applicant (one browser context) and a counselor (another) talk live
through server-sent events. On PostgreSQL the two are served by two app instances with their own signal
hubs over one database, so a line posted through one reaches the other only through LISTEN/NOTIFY (as with
several server processes); on SQLite (one process) both use the one site. The counselor's desk works at
360 px and passes axe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from test_browser_staff import sign_in

from conftest import Site, _context_page, assert_accessible
from live_server import served
from seomin.adapters.db.models import StaffUser
from seomin.adapters.http.app import create_app
from seomin.services.knowledge_base import load_starter_entries
from seomin.services.platform import Actor, ActorType


@pytest.fixture()
def counselor_site(site: Site) -> Iterator[Site]:
    """The counselors' server: a second app instance on PostgreSQL, the same site on SQLite."""
    if site.platform.engine.dialect.name != "postgresql":
        yield site
        return
    with served(create_app(site.platform)) as url:
        yield Site(url, site.platform)


@pytest.fixture()
def counselor_page(browser: Any) -> Iterator[Any]:
    yield from _context_page(browser, viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)


def test_an_applicant_and_a_counselor_chat_live(
    site: Site, counselor_site: Site, page: Any, counselor_page: Any
) -> None:
    with site.platform.sessions() as session:
        owner = session.scalars(select(StaffUser.id).where(StaffUser.username == "demo-supervisor")).one()
    load_starter_entries(site.platform, Actor(ActorType.STAFF, str(owner), "supervisor"))
    desk = counselor_page
    sign_in(desk, counselor_site, "demo-counselor", "/staff/chats")  # waiting before anyone asks
    expect(desk.locator("h1")).to_have_text("1397 채팅")
    page.goto(site("/"))
    page.get_by_role("link", name="1397 채팅 상담").click()
    expect(page.locator("h1")).to_have_text("1397 채팅 상담")
    page.get_by_label("상담 주제").select_option("repayment")
    page.get_by_label("무엇을 도와드릴까요?").fill("상환일을 바꿀 수 있나요?")
    page.get_by_role("button", name="상담 요청").click()
    expect(page.locator("[data-chat-status]")).to_have_text("대기 중")
    chat_id = int(page.url.rsplit("/", 1)[1])
    assert_accessible(page)

    desk.get_by_role("button", name=f"상담 맡기 #{chat_id}").click()  # the queue showed it without a reload
    expect(desk.locator("h1")).to_have_text(f"1397 채팅 #{chat_id}")
    expect(page.locator(".line-system").last).to_contain_text("상담사가 연결되었습니다")  # live, no reload

    desk.get_by_label("유사 질문 검색").fill(
        "구상채무를 나눠 갚고 싶어요"
    )  # the knowledge base beside the chat
    desk.get_by_role("button", name="검색", exact=True).click()
    expect(desk.locator("#kb-results li").first).to_contain_text("구상채무")
    assert desk.url.endswith(f"/staff/chats/{chat_id}")  # swapped in place (HTMX), the chat still open
    desk.get_by_label("답변", exact=True).fill("네, 마이페이지에서 바꿀 수 있습니다.")
    desk.get_by_role("button", name="보내기").click()
    expect(page.locator(".line-counselor")).to_contain_text("마이페이지에서 바꿀 수 있습니다")
    expect(desk.get_by_label("답변", exact=True)).to_have_value("")

    page.get_by_label("메시지", exact=True).fill("고맙습니다")
    page.get_by_role("button", name="보내기").click()
    expect(desk.locator(".line-visitor").last).to_have_text("고객 고맙습니다")
    assert_accessible(desk)
    assert desk.evaluate("document.documentElement.scrollWidth") <= 360

    desk.get_by_label("결과").select_option("answered")
    desk.get_by_role("button", name="종료").click()
    expect(page.locator("[data-chat-ended]")).to_be_visible()
    expect(page.locator("[data-chat-form]")).to_be_hidden()
