"""The whole guarantee-first-then-loan journey through the pages only, as the four audiences meet it:

an applicant on a phone checks eligibility, applies with documents (4,000,000 won: above the product's
3,000,000 second-review threshold), a reviewer proposes the approval and a second reviewer confirms it
(maker-checker) in the staff console, the applicant takes the education, agrees and receives the
certificate, and the bank verifies it at its desk with the one-time code. No service is called directly.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from conftest import Site, assert_accessible
from identity_steps import finish_identity_in_browser
from seomin.services.demo import BANK_KEYS


def staff_sign_in(page: Any, site: Site, username: str, path: str) -> None:
    page.goto(site(path))
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(f"{username}-pw")
    page.get_by_role("button", name="로그인").click()


def test_self_check_to_a_verified_certificate(site: Site, phone: Any, page: Any) -> None:
    applicant, desk = phone, page

    # 1. The applicant checks eligibility on a phone and follows the result's link to apply.
    applicant.goto(site("/check"))
    applicant.get_by_label("생년월일").fill("1983-07-07")
    applicant.get_by_label("주민등록상 주소지 (시·도)").select_option("서울")
    applicant.get_by_label("1년 동안 번 돈 (연소득, 원)").fill("3200만")
    applicant.get_by_label("KCB 신용점수 (0~1000점)").fill("590")
    applicant.locator("#nice_unknown").check()
    applicant.get_by_label("직장에 다녀요 (근로소득자)").check()
    applicant.get_by_label("지금 일(사업)을 한 지 몇 개월인가요?").fill("40")
    applicant.get_by_label("신청했는데 보증이 거절됐어요").check()
    applicant.get_by_role("button", name="결과 보기").click()
    expect(applicant.locator("h1")).to_contain_text("신청할 수 있어요")
    applicant.get_by_role("button", name="이 내용으로 보증 신청하기").click()

    # 2. Identity, then the guided application with two uploaded documents.
    expect(applicant).to_have_url(re.compile(r"/identity\?next="))
    applicant.fill("#name", "전여정")
    applicant.fill("#rrn", "830707-2345679")
    applicant.fill("#phone", "010-3030-4040")
    finish_identity_in_browser(applicant)
    expect(applicant.locator('[aria-current="step"]')).to_contain_text("금액·기간")  # the product came along
    applicant.fill("#amount", "400만")
    applicant.select_option("#term_months", "60")
    applicant.select_option("#grace_months", "0")
    applicant.get_by_role("button", name="다음: 나의 상황").click()
    # told once in the self-check: the situation step starts filled in (issue 12)
    expect(applicant.locator("#annual_income")).to_have_value("3200만")
    expect(applicant.locator("#kcb_score")).to_have_value("590")
    expect(applicant.locator("#nice_score")).to_have_value("")
    expect(applicant.get_by_label("직장에 다녀요 (근로소득자)")).to_be_checked()
    expect(applicant.locator("#employed_months")).to_have_value("40")
    expect(applicant.get_by_label("신청했는데 보증이 거절됐어요")).to_be_checked()
    expect(applicant.locator("#region")).to_have_value("서울")
    applicant.get_by_role("button", name="다음: 서류 제출").click()
    for i, issued in enumerate(("2025-05-07", "2025-05-12")):
        applicant.fill(f"#doc_{i}_issued_on", issued)
        applicant.set_input_files(
            f"#doc_{i}_file",
            files=[{"name": f"서류{i}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 journey"}],
        )
    applicant.select_option("#doc_1_type", "health_insurance_payment")
    applicant.get_by_role("button", name="신청서 제출").click()
    expect(applicant).to_have_url(re.compile(r"/applications/\d+\?submitted=1$"))
    application_id = int(re.findall(r"/applications/(\d+)", applicant.url)[0])
    assert applicant.evaluate("document.documentElement.scrollWidth") <= 360

    # 3. A reviewer proposes the approval; the same reviewer is not offered to confirm it; a second one does.
    staff_sign_in(desk, site, "demo-reviewer", f"/staff/applications/{application_id}")
    expect(desk.locator("h1")).to_contain_text(f"신청 #{application_id}")
    expect(desk.get_by_label("승인 금액 (원)")).to_have_value("4000000")
    desk.locator("#approve_note").fill("서류 확인, 자동심사 대상")
    desk.get_by_role("button", name="승인하기").click()
    expect(desk.locator("h1 .badge")).to_have_text("2차 심사 대기")
    expect(desk.get_by_role("button", name="승인 확정")).to_have_count(0)  # not offered to the maker
    expect(desk.locator(".decision-form")).to_contain_text("다른 심사자가 해야 합니다")
    desk.get_by_role("button", name="로그아웃").click()
    staff_sign_in(desk, site, "demo-checker", f"/staff/applications/{application_id}")
    desk.locator("#review_note").fill("2차 확인")
    desk.get_by_role("button", name="승인 확정").click()
    expect(desk.locator("h1 .badge")).to_have_text("승인")

    # 4. The applicant sees the approval, takes the education, agrees and gets the certificate.
    applicant.goto(site(f"/applications/{application_id}"))
    applicant.get_by_role("link", name="금융교육 시작").click()
    for _ in range(4):
        applicant.get_by_role("link", name="다음", exact=True).click()
    applicant.get_by_label("입금하지 않고 전화를 끊은 뒤 1332나 1397에 확인한다").check()
    applicant.get_by_label("연체되기 전에 은행이나 1397에 상담한다").check()
    applicant.get_by_role("button", name="제출하고 이수하기").click()
    applicant.get_by_role("link", name="계속하기").click()
    expect(applicant).to_have_url(re.compile(rf"/applications/{application_id}/agreement$"))
    applicant.get_by_label(re.compile("광주은행")).check()
    applicant.get_by_label(re.compile("보증약정 내용을 읽었고 동의합니다")).check()
    applicant.get_by_label(re.compile("개인\\(신용\\)정보")).check()
    applicant.get_by_role("button", name="동의하고 보증서 발급받기").click()
    code = applicant.locator("#verification-code").inner_text()
    certificate = re.findall(r"G\d{8}-\d{8}", applicant.content())  # G + issue date + 8 random digits
    assert re.fullmatch(r"\d{6}", code) and certificate
    assert_accessible(applicant)

    # 5. The bank verifies the certificate at its desk with the number and the one-time code.
    desk.goto(site("/bank/login"))
    desk.get_by_label("API 키").fill(BANK_KEYS["kwangju"])
    desk.get_by_role("button", name="로그인").click()
    desk.get_by_role("link", name="보증서 확인").first.click()
    desk.get_by_label("보증서 번호").fill(certificate[0])
    desk.get_by_label("확인 코드").fill(code)
    desk.get_by_role("button", name="확인하기").click()
    expect(desk.locator('[data-field="amount"]')).to_have_text("4,000,000원")
    assert "전*정" in desk.locator('[data-field="name"]').inner_text()
