"""The applicant's journey through the real app (TestClient, SQLite and PostgreSQL): 본인인증, the guided
application with the occupation's document checklist and the one-month rule, the education, the
agreement and the certificate whose verification code is shown once."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from identity_steps import page_sign_in
from seomin.adapters.db.models import Application, Guarantee
from seomin.services.applications import certificate_code_hash, decide
from seomin.services.identity import create_staff_user
from seomin.services.platform import Actor, ActorType, Platform

RRN, PHONE, NAME = "850301-1234567", "010-2468-1357", "홍길동"
LOAN = {"product": "lowest-credit-special", "amount": "3,000,000", "term_months": "60", "grace_months": "0"}
PROFILE = {
    "annual_income": "2800만",
    "kcb_score": "600",
    "nice_score": "",
    "occupation": "employee",
    "employed_months": "24",
    "pension_payments": "",
    "haessal15": "rejected",
    "public_record": "no",
    "adjustment": "",
    "faithful_months": "",
    "region": "서울",
}
EMPLOYEE_DOCS = {
    "doc_0_type": "employment_certificate",
    "doc_0_issued_on": "2025-05-02",
    "doc_1_type": "income_amount_certificate",
    "doc_1_issued_on": "2025-04-15",
}

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def sign_in(client: TestClient, rrn: str = RRN, name: str = NAME) -> None:
    answer = page_sign_in(client, name, rrn, PHONE, next="/my")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/my"


def files_for(count: int) -> dict[str, tuple[str, bytes, str]]:
    return {
        f"doc_{i}_file": (f"서류{i}.pdf", b"%PDF-1.4 test " + bytes([i]), "application/pdf")
        for i in range(count)
    }


def submit(client: TestClient, docs: dict[str, str] | None = None, files: int = 2, **profile: str) -> Any:
    data = {**LOAN, **PROFILE, **profile, **(EMPLOYEE_DOCS if docs is None else docs), "step": "documents"}
    return client.post("/apply", data=data, files=files_for(files), follow_redirects=False)


def applied(client: TestClient) -> int:
    answer = submit(client)
    assert answer.status_code == 303, answer.text
    found = re.match(r"^/applications/(\d+)\?submitted=1$", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


def approve(platform: Platform, application_id: int, username: str = "web-reviewer") -> None:
    staff_id = create_staff_user(platform, username, "심사자", "a long enough secret", "reviewer")
    decide(platform, Actor(ActorType.STAFF, str(staff_id), role="reviewer"), application_id, approve=True)


def educate(client: TestClient) -> None:
    answer = client.post(
        "/education",
        data={"q_fraud": "b", "q_arrears": "a", "next": "/my"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def count(platform: Platform, model: Any) -> int:
    with platform.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --- identity ------------------------------------------------------------------------------------------


def test_identity_signs_in_and_shows_errors_beside_fields(client: TestClient) -> None:
    page = client.get("/identity?next=/apply")
    assert page.status_code == 200
    assert "문자는 실제로 보내지 않고 다음 화면에 보여 드립니다" in page.text
    assert 'name="consent"' in page.text
    assert 'name="next" value="/apply"' in page.text

    bad = client.post("/identity", data={"name": NAME, "rrn": "851399-1234567", "phone": PHONE})
    assert bad.status_code == 422
    assert 'id="rrn-error"' in bad.text and "주민등록번호를 확인해 주세요" in bad.text
    assert "851399" not in bad.text and "2468-1357" not in bad.text  # never echoed
    missing = client.post("/identity", data={"name": "", "rrn": RRN, "phone": "02-123"})
    assert missing.status_code == 422  # every problem at once, consent included
    assert all(f'id="{f}-error"' in missing.text for f in ("name", "phone", "consent"))

    assert client.get("/apply", follow_redirects=False).headers["location"] == "/identity?next=/apply"
    answer = page_sign_in(client, NAME, RRN, PHONE, next="https://evil.example/")
    assert answer.status_code == 303 and answer.headers["location"] == "/my"  # only same-site paths
    assert client.get("/apply").status_code == 200
    copied = client.cookies.get("seomin_applicant")
    assert client.post("/signout", follow_redirects=False).status_code == 303
    assert copied is not None
    client.cookies.set("seomin_applicant", copied)  # the session ended server-side, not only the cookie
    assert client.get("/my", follow_redirects=False).status_code == 303
    client.cookies.clear()

    # Someone else's resident number with another name: refused in words that do not say which part.
    other = client.post(
        "/identity", data={"name": "김침입", "rrn": RRN, "phone": "010-9999-0000", "consent": "on"}
    )
    assert other.status_code == 422 and "본인을 확인할 수 없어요" in other.text
    assert 'id="dev-outbox-message"' not in other.text  # no code was sent
    assert client.get("/my", follow_redirects=False).status_code == 303


# --- the application ---------------------------------------------------------------------------------


def test_the_steps_carry_the_earlier_answers(client: TestClient) -> None:
    sign_in(client)
    first = client.get("/apply?product=lowest-credit-special")
    assert first.status_code == 200 and 'aria-current="step"' in first.text
    bad = client.post("/apply", data={**LOAN, "amount": "많이", "step": "loan"})
    assert bad.status_code == 422 and 'id="amount-error"' in bad.text
    # a first loan above the first-time limit is told at the amount step, not after the uploads (issue 12)
    above = client.post("/apply", data={**LOAN, "amount": "700만", "step": "loan"})
    assert above.status_code == 422 and "처음 이용하시면 최대 500만 원까지" in above.text
    profile = client.post("/apply", data={**LOAN, "step": "loan"})
    assert profile.status_code == 200
    assert 'type="hidden" name="amount" value="3,000,000"' in profile.text
    unknown_occupation = client.post(
        "/apply", data={**LOAN, **PROFILE, "occupation": "pilot", "step": "profile"}
    )
    assert unknown_occupation.status_code == 422 and 'id="occupation-error"' in unknown_occupation.text


def checklist_page(client: TestClient, **profile: str) -> str:
    answer = client.post("/apply", data={**LOAN, **PROFILE, **profile, "step": "profile"})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_document_checklist_is_the_occupations(client: TestClient) -> None:
    sign_in(client)
    employee = checklist_page(client)
    pensioner = checklist_page(client, occupation="pensioner", pension_payments="12", employed_months="")
    business = checklist_page(client, occupation="business")
    workout = checklist_page(client, adjustment="workout", faithful_months="12")
    assert "재직증명서" in employee and "연금수급증서" not in employee
    assert "연금수급증서" in pensioner and "재직증명서" not in pensioner
    assert "사업자등록증" in business and "재직증명서" not in business
    assert "신용회복위원회" in workout and "재직증명서" not in workout  # faithful repayment instead
    assert "홈택스" in employee and "국민건강보험공단" in employee  # where to get them
    # the one-month rule, with the window's dates
    assert "1개월 이내" in employee and "2025.04.15" in employee and "2025.05.15" in employee
    assert employee.count('type="file"') == 2 and pensioner.count('type="file"') == 2
    assert workout.count('type="file"') == 1


def test_a_stale_document_is_refused_on_that_document(platform: Platform, client: TestClient) -> None:
    sign_in(client)
    stale = {**EMPLOYEE_DOCS, "doc_1_issued_on": "2025-04-14"}  # one day before the one-month window
    answer = submit(client, stale)
    assert answer.status_code == 422
    assert 'id="doc_1_issued_on-error"' in answer.text and "1개월 이내" in answer.text
    assert 'id="doc_0_issued_on-error"' not in answer.text
    future = submit(client, {**EMPLOYEE_DOCS, "doc_0_issued_on": "2025-05-16"})
    assert future.status_code == 422 and 'id="doc_0_issued_on-error"' in future.text
    client.post("/apply/draft/discard")  # the files above are kept in the draft; start without them
    no_file = submit(client, files=1)
    assert no_file.status_code == 422 and 'id="doc_1_file-error"' in no_file.text
    assert count(platform, Application) == 0


def test_submitting_screens_and_shows_the_application(platform: Platform, client: TestClient) -> None:
    sign_in(client)
    application_id = applied(client)
    page = client.get(f"/applications/{application_id}?submitted=1")
    assert page.status_code == 200
    assert "신청서를 접수했습니다" in page.text
    assert "3,000,000원" in page.text and "2025.05.15" in page.text
    assert "재직증명서" in page.text and "2025.05.02" in page.text  # the documents with their dates
    assert "자동심사" in page.text and "대상" in page.text
    assert "신청 철회" in page.text
    other = TestClient(client.app)
    sign_in(other, rrn="900101-1000001", name="김다른")
    assert other.get(f"/applications/{application_id}").status_code == 404  # only one's own


def test_service_input_errors_are_shown_on_the_page(client: TestClient) -> None:
    sign_in(client)
    answer = submit(
        client, kcb_score="", nice_score="", region="서울", annual_income="2800만", employed_months="2"
    )
    assert answer.status_code == 303  # screened ineligible is still an application a reviewer sees
    adjusted = submit(client, adjustment="workout", faithful_months="", docs={})
    assert adjusted.status_code == 422 and 'id="faithful_months-error"' in adjusted.text


# --- education, agreement, certificate ------------------------------------------------------------------


def test_the_agreement_needs_the_education_first(platform: Platform, client: TestClient) -> None:
    sign_in(client)
    application_id = applied(client)
    early = client.post(
        f"/applications/{application_id}/agreement",
        data={"bank_code": "kwangju", "agree_terms": "on", "agree_info": "on"},
    )
    assert early.status_code == 409 and "심사 중입니다" in early.text  # not approved yet
    approve(platform, application_id)
    page = client.get(f"/applications/{application_id}/agreement")
    assert page.status_code == 200 and "금융교육 이수가 필요합니다" in page.text
    assert "DB저축은행" in page.text and "BNK저축은행" not in page.text  # banks lending in 서울 only
    refused = client.post(
        f"/applications/{application_id}/agreement",
        data={"bank_code": "kwangju", "agree_terms": "on", "agree_info": "on"},
    )
    assert refused.status_code == 409
    assert 'id="page-message"' in refused.text and "금융교육을 먼저 이수해야" in refused.text
    assert count(platform, Guarantee) == 0
    unagreed = client.post(f"/applications/{application_id}/agreement", data={"bank_code": "bnk-sb"})
    assert unagreed.status_code == 422
    assert 'id="bank_code-error"' in unagreed.text and 'id="agree_terms-error"' in unagreed.text


def test_the_education_course_records_its_completion(client: TestClient) -> None:
    sign_in(client)
    for screen in (1, 2, 3, 4):
        page = client.get(f"/education?screen={screen}")
        assert page.status_code == 200
    assert "대출 사기 예방" in client.get("/education?screen=4").text
    quiz = client.get("/education?screen=5")
    assert 'name="q_fraud"' in quiz.text
    wrong = client.post("/education", data={"q_fraud": "a", "q_arrears": "a", "next": "/my"})
    assert wrong.status_code == 422 and 'id="q_fraud-error"' in wrong.text
    answer = client.post(
        "/education", data={"q_fraud": "b", "q_arrears": "a", "next": "/applications/1/agreement"}
    )
    assert answer.status_code == 200
    assert "이수 기록" in answer.text and "2025.05.15" in answer.text
    assert 'href="/applications/1/agreement"' in answer.text


def test_the_certificate_shows_the_verification_code_exactly_once(
    platform: Platform, client: TestClient
) -> None:
    sign_in(client)
    application_id = applied(client)
    approve(platform, application_id)
    educate(client)
    issued = client.post(
        f"/applications/{application_id}/agreement",
        data={"bank_code": "db-sb", "agree_terms": "on", "agree_info": "on"},
    )
    assert issued.status_code == 200, issued.text
    assert issued.headers["cache-control"] == "no-store"
    code = re.search(r'id="verification-code"[^>]*>(\d{6})<', issued.text)
    assert code, "the verification code is on the page"
    assert issued.text.count(code.group(1)) == 1
    assert "한 번만" in issued.text and "3,000,000원" in issued.text and "2025.06.14" in issued.text
    assert "DB저축은행" in issued.text and "우리금융저축은행" in issued.text  # chosen, and others in 서울
    assert "신분증" in issued.text
    with platform.sessions() as session:
        guarantee = session.scalars(select(Guarantee)).one()
        assert guarantee.verification_code_hash == certificate_code_hash(
            platform.vault, guarantee.certificate_no, code.group(1)
        )
        certificate_no = guarantee.certificate_no

    again = client.get(f"/applications/{application_id}/certificate")
    assert again.status_code == 200 and certificate_no in again.text
    assert code.group(1) not in again.text and "한 번만 보여 드렸습니다" in again.text
    replayed = client.post(
        f"/applications/{application_id}/agreement",
        data={"bank_code": "db-sb", "agree_terms": "on", "agree_info": "on"},
    )
    assert replayed.status_code == 409 and code.group(1) not in replayed.text
    assert count(platform, Guarantee) == 1


def test_pages_switch_to_english(client: TestClient) -> None:
    page = client.get("/identity?lang=en")
    assert "Verify your identity" in page.text and "Development verification" in page.text


def test_a_field_marked_optional_is_never_required(client: TestClient) -> None:
    """Months at work are asked of workers only and then required: so the label does not say (선택)."""
    sign_in(client)
    page = client.post("/apply", data={**LOAN, "step": "loan"}).text
    label = re.search(r'<label for="employed_months">(.*?)</label>', page, re.S)
    assert label is not None and "선택" not in label.group(1)
    missing = client.post("/apply", data={**LOAN, **PROFILE, "employed_months": "", "step": "profile"})
    assert missing.status_code == 422 and 'id="employed_months-error"' in missing.text
    for optional in re.findall(r'<label for="(\w+)">[^<]*<span class="muted">\(선택\)', page):
        answer = client.post("/apply", data={**LOAN, **PROFILE, optional: "", "step": "profile"})
        assert answer.status_code == 200, optional  # what says optional can be left empty


def test_an_approval_whose_product_ended_says_so_and_points_to_the_successor(
    platform: Platform, client: TestClient
) -> None:
    """최저신용자 특례보증 ended on 2026-01-01 (succeeded by 햇살론 특례보증): its approval cannot be agreed
    on today's terms, and the page says why instead of showing no banks and a rate of "-"."""
    sign_in(client)
    application_id = applied(client)
    approve(platform, application_id)
    platform.today = lambda: date(2026, 3, 2)
    page = client.get(f"/applications/{application_id}/agreement")
    assert page.status_code == 200
    assert "이 상품은 판매가 끝났어요" in page.text and "2026.01.01" in page.text
    assert 'href="/apply?product=haessal-special"' in page.text
    assert 'action="/applications/' not in page.text  # no agreement form to fail on
