"""The applicant's journey in a real browser: 본인인증 → the guided application with uploads → the financial
education → (a reviewer approves, through the service) → the agreement → the certificate."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from conftest import Site, assert_accessible, snapshot
from identity_steps import finish_identity_in_browser
from seomin.adapters.db.models import StaffUser
from seomin.services.applications import decide
from seomin.services.platform import Actor, ActorType


def sign_in(page: Any, site: Site, path: str, rrn: str, name: str = "신청인") -> None:
    page.goto(site(path))
    assert "/identity" in page.url
    page.fill("#name", name)
    page.fill("#rrn", rrn)
    page.fill("#phone", "010-2468-1357")
    finish_identity_in_browser(page)
    page.wait_for_load_state()


def approve_as_demo_reviewer(site: Site, application_id: int) -> None:
    platform = site.platform
    with platform.sessions() as session:
        reviewer = session.scalars(select(StaffUser).where(StaffUser.username == "demo-reviewer")).one()
    decide(platform, Actor(ActorType.STAFF, str(reviewer.id), role="reviewer"), application_id, approve=True)


def test_from_identity_to_the_certificate(site: Site, page: Any) -> None:
    page.goto(site("/identity?next=/apply"))
    assert_accessible(page)
    snapshot(page, "identity")
    page.fill("#name", "나신청")
    page.fill("#rrn", "910101-1234568")
    page.fill("#phone", "010-2468-1357")
    finish_identity_in_browser(page)
    page.wait_for_url(re.compile(r"/apply$"))

    page.get_by_role("link", name=re.compile("이 상품 신청.*최저신용자 특례보증")).click()
    assert page.locator('[aria-current="step"]').inner_text().endswith("금액·기간")
    page.fill("#amount", "300만")
    page.select_option("#term_months", "60")
    page.select_option("#grace_months", "0")
    page.get_by_role("button", name="다음: 나의 상황").click()

    page.fill("#annual_income", "2800만")
    page.fill("#kcb_score", "610")
    page.get_by_label("직장에 다녀요 (근로소득자)").check()
    page.fill("#employed_months", "30")
    page.get_by_label("신청했는데 보증이 거절됐어요").check()
    page.select_option("#region", "서울")
    assert_accessible(page)
    page.get_by_role("button", name="다음: 서류 제출").click()

    assert "재직증명서" in page.content() and "1개월 이내" in page.content()
    for i, issued in enumerate(("2025-05-02", "2025-05-09")):
        page.fill(f"#doc_{i}_issued_on", issued)
        page.set_input_files(
            f"#doc_{i}_file",
            files=[{"name": f"서류{i}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 browser"}],
        )
    page.select_option("#doc_1_type", "health_insurance_payment")
    assert_accessible(page)
    snapshot(page, "apply-documents")
    page.get_by_role("button", name="신청서 제출").click()
    page.wait_for_url(re.compile(r"/applications/\d+\?submitted=1$"))

    found = re.search(r"/applications/(\d+)\?submitted=1$", page.url)
    assert found, page.url
    application_id = int(found.group(1))
    assert "신청서를 접수했습니다" in page.content() and "3,000,000원" in page.content()
    assert_accessible(page)

    approve_as_demo_reviewer(site, application_id)
    page.reload()
    page.get_by_role("link", name="금융교육 시작").click()
    for _ in range(3):
        page.get_by_role("link", name="다음", exact=True).click()
    assert "대출 사기 예방" in page.content()
    assert_accessible(page)
    snapshot(page, "education")
    page.get_by_role("link", name="다음", exact=True).click()
    page.get_by_label("입금하지 않고 전화를 끊은 뒤 1332나 1397에 확인한다").check()
    page.get_by_label("연체되기 전에 은행이나 1397에 상담한다").check()
    page.get_by_role("button", name="제출하고 이수하기").click()
    page.wait_for_url(re.compile(r"/education/done"))
    assert "이수 기록" in page.content() and "2025.05.15" in page.content()
    page.get_by_role("link", name="계속하기").click()
    page.wait_for_url(re.compile(r"/agreement$"))
    assert page.url.endswith(f"/applications/{application_id}/agreement")
    assert_accessible(page)
    page.get_by_label(re.compile("하나저축은행")).check()
    page.get_by_label(re.compile("보증약정 내용을 읽었고 동의합니다")).check()
    page.get_by_label(re.compile("개인\\(신용\\)정보")).check()
    page.get_by_role("button", name="동의하고 보증서 발급받기").click()
    page.wait_for_load_state()

    code = page.locator("#verification-code").inner_text()
    assert re.fullmatch(r"\d{6}", code)
    text = page.content()
    assert "한 번만" in text and "하나저축은행" in text and "2025.06.14" in text
    assert "DB저축은행" in text  # another partner bank lending in 서울
    assert_accessible(page)
    snapshot(page, "certificate")

    page.goto(site(f"/applications/{application_id}/certificate"))
    assert code not in page.content() and "한 번만 보여 드렸습니다" in page.content()
