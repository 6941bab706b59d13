"""휴면예금 찾아줌 in a real browser on a phone-sized screen: verify, see what is held (interest to today),
have one deposit paid to an own-name account, and read the center checklist; axe finds no serious issue and
nothing scrolls sideways at 360 px."""

from __future__ import annotations

import re
from typing import Any

from conftest import Site, assert_accessible, snapshot
from identity_steps import finish_identity_in_browser
from seomin.services.demo import PEOPLE
from seomin.services.dormant_deposits import FILE_COLUMNS, import_file
from seomin.services.platform import SYSTEM


def test_find_and_claim_a_dormant_deposit_on_a_phone(site: Site, phone: Any) -> None:
    name, rrn = PEOPLE["submitted"]
    rows = [f"W-1,{rrn},보통예금,350000,100,2024-05-15", f"W-2,{rrn},정기예금,12000000,0,2024-05-15"]
    import_file(
        site.platform, SYSTEM, "woori", "bank", "\n".join((",".join(FILE_COLUMNS), *rows)), 12_350_000
    )
    phone.goto(site("/dormant"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    phone.get_by_role("link", name="본인인증 후 조회하기").click()
    phone.fill("#name", name)
    phone.fill("#rrn", rrn)
    phone.fill("#phone", "010-0000-0000")
    finish_identity_in_browser(phone)
    phone.wait_for_url(re.compile(r"/dormant/mine$"))
    text = phone.content()
    assert "보통예금" in text and "353,500원" in text and "센터에서 지급합니다" in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    snapshot(phone, "dormant-mine")
    card = phone.locator("article", has_text="보통예금")
    card.get_by_label("본인 명의 계좌번호").fill("1002-123-456789")
    card.get_by_label("예금주 (본인 이름)").fill(name)
    card.get_by_role("button", name="내 계좌로 받기").click()
    phone.locator("h1", has_text="지급했습니다").wait_for()
    assert "353,500원" in phone.content() and "6789" in phone.content() and "456789" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    phone.goto(site("/dormant/center"))
    assert "위임장" in phone.content()
    assert_accessible(phone)


def test_walk_in_look_up_and_the_management_figures_pass_axe(site: Site, page: Any) -> None:
    from seomin.adapters.http.auth import issue_staff_token
    from seomin.adapters.web.session_cookies import STAFF_COOKIE
    from seomin.services.identity import authenticate_staff

    actor = authenticate_staff(site.platform, "demo-supervisor", "demo-supervisor-pw")
    token = issue_staff_token(site.platform, actor).token
    page.context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": site.url}])
    page.goto(site("/staff/dormant"))
    page.get_by_label("방문자 주민등록번호").fill(PEOPLE["approved"][1])
    page.get_by_label("조회 사유").fill("센터 방문 상담")
    page.get_by_role("button", name="조회").click()
    page.locator("h2", has_text="조회 결과").wait_for()
    assert PEOPLE["approved"][1] not in page.content()
    assert_accessible(page)
    page.goto(site("/manage/dormant"))
    assert "원장 시산표" in page.content() and "차변·대변 합계 차이 0원" in page.content()
    assert_accessible(page)
    snapshot(page, "manage-dormant")
