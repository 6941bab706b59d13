"""The staff servicing pages through the real app (TestClient, both databases): the recourse worklist with
its filters, one debt with a counter repayment recorded exactly once, and the claims to pay."""

from __future__ import annotations

import re
from datetime import date

import pytest
import test_pages_staff
from test_pages_staff import Login

from builders import debtor_of, make_recourse_debt
from seomin.domain.recourse_servicing import format_account, virtual_account
from seomin.services.platform import Actor, ActorType, Platform
from seomin.services.recourse import grant_installment_plan
from seomin.services.recourse.settlements import propose_settlement

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
app = test_pages_staff.app
staff_client = test_pages_staff.staff_client


def test_the_worklist_and_a_counter_repayment_once(staff_client: Login, platform: Platform) -> None:
    lagging = make_recourse_debt(platform, amount=1_200_000)
    open_debt = make_recourse_debt(platform, amount=500_000)
    grant_installment_plan(
        platform, Actor(ActorType.STAFF, "9", role="counselor"), lagging, 12, date(2025, 3, 10)
    )
    counselor = staff_client("counselor-kim")
    listed = counselor.get("/staff/recourse")
    assert listed.status_code == 200 and 'href="/staff/recourse" aria-current="page"' in listed.text
    assert f'data-debt="{lagging}"' in listed.text and f'data-debt="{open_debt}"' in listed.text
    behind = counselor.get("/staff/recourse?min_days_behind=60").text
    assert f'data-debt="{lagging}"' in behind and f'data-debt="{open_debt}"' not in behind
    only_open = counselor.get("/staff/recourse?status=open").text
    assert f'data-debt="{open_debt}"' in only_open and f'data-debt="{lagging}"' not in only_open
    bad = counselor.get("/staff/recourse?status=nope&min_days_behind=x")
    assert bad.status_code == 422 and 'id="status-error"' in bad.text

    page = counselor.get(f"/staff/recourse/{lagging}").text
    assert format_account(virtual_account(debtor_of(platform, lagging))) in page
    assert "data-covered>0/12<" in page
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key is not None
    form = {"amount": "20만", "idempotency_key": key.group(1)}
    first = counselor.post(f"/staff/recourse/{lagging}/repayments", data=form, follow_redirects=False)
    assert first.status_code == 303
    again = counselor.post(f"/staff/recourse/{lagging}/repayments", data=form, follow_redirects=False)
    assert again.status_code == 303  # a double submit: the same repayment, not a second one
    after = counselor.get(f"/staff/recourse/{lagging}").text
    assert after.count("data-repayment=") == 1 and "data-covered>2/12<" in after and "1,000,000원" in after
    too_much = counselor.post(
        f"/staff/recourse/{lagging}/repayments", data={"amount": "2000000", "idempotency_key": "other"}
    )
    assert too_much.status_code == 422 and 'id="amount-error"' in too_much.text

    auditor = staff_client("auditor-lee")
    read_only = auditor.get(f"/staff/recourse/{lagging}")
    assert read_only.status_code == 200 and 'name="idempotency_key"' not in read_only.text
    refused = auditor.post(
        f"/staff/recourse/{lagging}/repayments", data={"amount": "1000", "idempotency_key": "a"}
    )
    assert refused.status_code == 403
    assert counselor.get("/staff/recourse/999999").status_code == 404


def test_the_claims_page_lists_nothing_to_pay_and_refuses_others_than_supervisors(
    staff_client: Login, platform: Platform
) -> None:
    reviewer = staff_client("reviewer-park")
    page = reviewer.get("/staff/claims")
    assert page.status_code == 200 and "지급할 청구가 없습니다" in page.text
    assert reviewer.post("/staff/claims/1/payment").status_code in (403, 404)


def test_a_settlement_is_approved_on_the_approvals_page_by_another_supervisor(
    staff_client: Login, platform: Platform
) -> None:
    debt_id = make_recourse_debt(platform, amount=1_000_000)
    proposer = Actor(ActorType.STAFF, "900", role="counselor")
    settlement = propose_settlement(platform, proposer, debt_id, 300_000, "특별채무조정")
    supervisor = staff_client("supervisor-choi")
    page = supervisor.get("/staff/approvals")
    assert page.status_code == 200 and f'data-settlement="{settlement.id}"' in page.text
    assert f'action="/staff/approvals/settlement/{settlement.id}"' in page.text
    assert "대기 중인 정정이 없습니다" in page.text
    done = supervisor.post(
        f"/staff/approvals/settlement/{settlement.id}", data={"decision": "approve"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "700,000원" in supervisor.get(f"/staff/recourse/{debt_id}").text
    again = supervisor.post(f"/staff/approvals/settlement/{settlement.id}", data={"decision": "approve"})
    assert again.status_code == 409 and 'role="alert"' in again.text
    counselor = staff_client("counselor-kim")
    assert 'name="decision"' not in counselor.get("/staff/approvals").text
    assert supervisor.post("/staff/approvals/nope/1", data={"decision": "approve"}).status_code == 404


def test_management_sees_the_subrogation_rate_recoveries_and_balance_by_state(
    staff_client: Login, platform: Platform
) -> None:
    debt = make_recourse_debt(platform, amount=1_200_000)
    counselor = staff_client("counselor-lee")
    page = counselor.get(f"/staff/recourse/{debt}")
    token = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert token is not None
    paid = counselor.post(
        f"/staff/recourse/{debt}/repayments",
        data={"amount": "200000", "paid_on": "2025-05-02", "idempotency_key": token.group(1)},
        follow_redirects=False,
    )
    assert paid.status_code == 303, paid.text
    assert counselor.get("/manage/recourse").status_code == 403  # figures for supervisors and auditors
    supervisor = staff_client("supervisor-park")
    report = supervisor.get("/manage/recourse")
    assert report.status_code == 200 and 'href="/manage/recourse" aria-current="page"' in report.text
    text = report.text
    assert "대위변제·구상 현황" in text and "2025-05" in text and "200,000원" in text
    assert "100.00%" in text  # the one loan of its cohort was subrogated
    assert "상환 방법 미정" in text and "1,000,000원" in text  # the balance left, by state


def test_a_counselor_proposes_a_settlement_and_records_a_referral_from_the_debts_page(
    staff_client: Login, platform: Platform
) -> None:
    from sqlalchemy import select

    from seomin.adapters.db.models import EmploymentReferral
    from seomin.services.recourse.settlements import list_settlements

    debt_id = make_recourse_debt(platform, amount=1_000_000)
    counselor = staff_client("counselor-jung")
    page = counselor.get(f"/staff/recourse/{debt_id}").text
    assert f'action="/staff/recourse/{debt_id}/settlements"' in page and "취업지원 연계" in page
    empty = counselor.post(f"/staff/recourse/{debt_id}/settlements", data={"reduction": "", "reason": ""})
    assert empty.status_code == 422
    assert 'id="reduction-error"' in empty.text and 'id="reason-error"' in empty.text
    proposed = counselor.post(
        f"/staff/recourse/{debt_id}/settlements",
        data={"reduction": "30만", "reason": "실직·질병으로 특별채무조정"},
        follow_redirects=False,
    )
    assert proposed.status_code == 303 and proposed.headers["location"].endswith("done=settlement")
    pending = list_settlements(platform, Actor(ActorType.STAFF, "1", role="supervisor"))
    assert [(s.recourse_debt_id, s.reduction) for s in pending] == [(debt_id, 300_000)]
    referred = counselor.post(
        f"/staff/recourse/{debt_id}/referral", data={"note": "고용센터 상담 연계"}, follow_redirects=False
    )
    assert referred.status_code == 303
    with platform.sessions() as session:
        note = session.scalars(select(EmploymentReferral.note_encrypted)).one()
    assert "고용센터" not in note and platform.vault.decrypt(note) == "고용센터 상담 연계"
