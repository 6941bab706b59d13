"""마이페이지 through the real app (TestClient, SQLite and PostgreSQL): a delinquent loan's next due date and
arrears, the rate path, the recourse debt after subrogation, applications with withdrawal, and personal data
masked."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from test_applicant_overview import (
    BANK,
    COUNSELOR,
    TODAY,
    executed_loan,
    person,
    reviewer,
    submitted,
    subrogated_loan,
)

from identity_steps import page_sign_in
from seomin.adapters.web.rendering import won
from seomin.domain.recourse_servicing import format_account, virtual_account
from seomin.services import applications as apps
from seomin.services import loans, recourse
from seomin.services.platform import Platform
from seomin.services.recourse.repayments import record_counter_repayment

RRN = "850301-1234567"

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def sign_in(client: TestClient, rrn: str = RRN) -> None:
    answer = page_sign_in(client, "홍길동", rrn, "010-2468-1357")
    assert answer.status_code == 303, answer.text


def test_my_page_needs_identity(client: TestClient) -> None:
    answer = client.get("/my", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/identity?next=/my"


def test_a_delinquent_loan_shows_the_next_due_date_and_the_arrears(
    platform: Platform, client: TestClient
) -> None:
    _, loan_id = executed_loan(platform, RRN, paid_months=12)
    sign_in(client)
    page = client.get("/my")
    assert page.status_code == 200
    text = page.text
    assert "연체 중입니다" in text and "41일" in text
    overdue = loans.payoff_quote(platform, BANK, loan_id, TODAY)["amount_due"]
    assert won(overdue) in text  # the overdue amount, delinquency interest included
    assert "2025.04.04" in text and "2025.05.07" in text  # the overdue installments
    assert "다음 상환일" in text and "2025.06.04" in text
    assert "연체 중에는 추가대출을 받을 수 없습니다" in text
    assert "850301-1******" in text and "850301-1234567" not in text  # masked
    assert "010-****-1357" in text and "2468" not in text
    assert 'class="table-scroll" tabindex="0"' in text  # a phone scrolls it by keyboard too
    # how to pay, by when, and what happens at 90 days (issue 12)
    assert "갚는 방법: 광주은행" in text
    assert "2025.07.03까지 갚지 않으면 부실로 분류되어" in text  # 2025-04-04 + 90 days
    assert 'data-arrears="rate"' in text  # the rate chart no longer promises this year's cut


def test_an_on_time_loan_shows_its_rate_path_and_additional_loan(
    platform: Platform, client: TestClient
) -> None:
    executed_loan(platform, RRN, paid_months=14)
    sign_in(client)
    text = client.get("/my").text
    assert "연체 중입니다" not in text
    for rate in ("15.9%", "14.4%", "12.9%", "11.4%", "9.9%"):
        assert rate in text
    assert 'aria-current="true"' in text  # this year's row
    assert "<svg" in text and "성실상환 시 연차별 금리와 약정금리" in text  # the chart, the table kept
    assert "15.9% → 14.4% → 12.9% → 11.4% → 9.9%" in text and "표로 보기" in text
    assert "지금 추가대출을 신청할 수 있습니다" in text and "5,000,000원" in text
    english = client.get("/my?lang=en").text
    assert "Rate path for on-time payers" in english and "Next due date" in english
    assert "Your rate by year if you pay on time" in english


def test_applications_are_listed_and_can_be_withdrawn(platform: Platform, client: TestClient) -> None:
    actor = person(platform, RRN)
    open_id = submitted(platform, actor)
    guaranteed_id = submitted(platform, actor, 1_000_000)
    apps.decide(platform, reviewer(platform), guaranteed_id, approve=True)
    apps.complete_education(platform, actor, "policy-finance-basics")
    apps.agree_and_issue_guarantee(platform, actor, guaranteed_id, "kwangju")
    sign_in(client)
    text = client.get("/my").text
    assert f"#{open_id}" in text and f"#{guaranteed_id}" in text
    assert f'href="/my/applications/{open_id}/withdraw"' in text
    assert f'href="/my/applications/{guaranteed_id}/withdraw"' not in text  # guaranteed: no button
    assert "보증서 발급" in text and "2025.05.15" in text and "이수일 2025.05.15" in text

    refused = client.post(f"/my/applications/{guaranteed_id}/withdraw", data={"confirm": "yes"})
    assert refused.status_code == 409 and "지금 철회할 수 없습니다" in refused.text
    # one tap only asks: what withdrawing means, and a second button that does it
    slip = client.post(f"/my/applications/{open_id}/withdraw", follow_redirects=False)
    assert slip.status_code == 303 and slip.headers["location"] == f"/my/applications/{open_id}/withdraw"
    asked = client.get(slip.headers["location"])
    assert "되돌릴 수 없습니다" in asked.text and 'name="confirm" value="yes"' in asked.text
    assert apps.get_application(platform, actor, open_id)["status"] == "submitted"
    done = client.post(
        f"/my/applications/{open_id}/withdraw", data={"confirm": "yes"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == f"/my?withdrawn={open_id}"
    after = client.get(done.headers["location"]).text
    assert "철회했습니다" in after and "철회" in after
    assert f'href="/my/applications/{open_id}/withdraw"' not in after
    assert apps.get_application(platform, actor, open_id)["status"] == "withdrawn"

    other = TestClient(client.app)
    sign_in(other, "900101-1000001")
    assert (
        other.post(f"/my/applications/{guaranteed_id}/withdraw", data={"confirm": "yes"}).status_code == 404
    )


def test_a_subrogated_borrower_sees_what_is_owed_and_the_plan(platform: Platform, client: TestClient) -> None:
    _, _, debt = subrogated_loan(platform, RRN)
    sign_in(client)
    text = client.get("/my").text
    assert "구상채권" in text and "상환 방법 미정" in text
    assert "분할상환(최대 120개월)이나 상환유예를 신청하세요" in text and "1397" in text
    granted = recourse.grant_installment_plan(platform, COUNSELOR, debt.id, 24, date(2025, 2, 28))
    text = client.get("/my").text
    assert "2025.01.20" in text and won(debt.principal) in text  # subrogated on, the amount paid the bank
    assert "분할상환 중" in text and "24개월" in text and won(granted.monthly_amount) in text
    # Nothing paid yet: the next payment stays the first, and the three whose day passed are behind
    # (it used to read "4/24회" on 2025.05.28 while the balance never fell).
    assert "다음 납부일" in text and "2025.02.28" in text and "(1/24회)" in text
    assert 'data-plan-behind="3"' in text and won(3 * granted.monthly_amount) in text
    assert 'href="#recourse"' in text  # the subrogated loan's card points to it
    assert format_account(virtual_account(debt.applicant_id)) in text
    record_counter_repayment(platform, COUNSELOR, debt.id, 3 * granted.monthly_amount, TODAY, "k1")
    text = client.get("/my").text
    assert "(4/24회)" in text and "2025.05.28" in text and "data-plan-behind" not in text
    assert won(debt.principal - 3 * granted.monthly_amount) in text and "갚은 내역 (1)" in text
    english = client.get("/my?lang=en").text
    assert "What you owe the agency (recourse debt)" in english and "Next payment" in english


def test_a_debtor_asks_online_and_downloads_a_certificate(platform: Platform, client: TestClient) -> None:
    _, _, debt = subrogated_loan(platform, RRN)
    sign_in(client)
    declined = client.post(
        f"/my/recourse/{debt.id}/requests", data={"kind": "deferral", "months": "6", "hardship": ""}
    )
    assert declined.status_code == 422 and 'role="alert"' in declined.text
    granted = client.post(
        f"/my/recourse/{debt.id}/requests", data={"kind": "installment_plan", "months": "12"}
    )
    assert granted.status_code == 200 and 'data-request-decision="granted"' in granted.text
    assert "분할상환 중" in granted.text
    issued = client.post(
        f"/my/recourse/{debt.id}/certificates", data={"kind": "debt"}, follow_redirects=False
    )
    assert issued.status_code == 303 and issued.headers["location"].endswith(".pdf")
    pdf = client.get(issued.headers["location"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    page = client.get("/my").text
    assert "data-certificate=" in page and "부채증명서 DC" in page
