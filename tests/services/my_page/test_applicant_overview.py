"""The applicant's own reads (services.applicant_overview) on SQLite and PostgreSQL, with loans made by the
real services: the next due date, arrears of a delinquent loan, the rate path for on-time payers, the
additional-loan date, the application timeline and the documents' validity, and the recourse debt with its
installment plan or deferral after recourse."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from builders import business_day
from seomin.services import applications as apps
from seomin.services import loans
from seomin.services import recourse as recourse_service
from seomin.services.close_of_business import close_of_business
from seomin.services.errors import Forbidden, NotFound
from seomin.services.identity import LocalIdentityProvider, create_staff_user, verify_and_open_session
from seomin.services.my_page import (
    application_view,
    guarantees_of,
    lending_banks,
    overview,
)
from seomin.services.platform import Actor, ActorType, Platform
from seomin.services.recourse.repayments import record_counter_repayment

TODAY = date(2025, 5, 15)
EXECUTED = date(2024, 3, 4)  # the lowest-credit special guarantee's 2022-09 version is in force then
PROFILE: dict[str, Any] = {
    "annual_income": 28_000_000,
    "kcb_score": 600,
    "nice_score": 700,
    "occupation": "employee",
    "employed_months": 24,
    "haessal15": "rejected",
    "region": "서울",
}
BANK = Actor(ActorType.BANK, "kwangju")

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def at(platform: Platform, day: date) -> None:
    platform.today = lambda: day


def person(platform: Platform, rrn: str, name: str = "홍길동") -> Actor:
    applicant_id, _ = verify_and_open_session(
        platform, LocalIdentityProvider(platform.today), name, rrn, "010-2468-1357"
    )
    return Actor(ActorType.APPLICANT, str(applicant_id))


def reviewer(platform: Platform, username: str = "overview-reviewer") -> Actor:
    staff_id = create_staff_user(platform, username, "심사자", "a long enough secret", "reviewer")
    return Actor(ActorType.STAFF, str(staff_id), role="reviewer")


def submitted(platform: Platform, actor: Actor, amount: int = 3_000_000) -> int:
    day = platform.today()
    return apps.submit_application(
        platform,
        actor,
        product_id="lowest-credit-special",
        requested_amount=amount,
        term_months=60,
        grace_months=0,
        profile=PROFILE,
        documents=[
            ("employment_certificate", day - timedelta(days=3), "재직.pdf", b"%PDF employment"),
            ("income_amount_certificate", day - timedelta(days=20), "소득.pdf", b"%PDF income"),
        ],
    )


def executed_loan(
    platform: Platform, rrn: str, *, paid_months: int, staff: Actor | None = None, on: date = EXECUTED
) -> tuple[Actor, int]:
    """A loan executed on ``on`` whose first ``paid_months`` installments were paid on their due
    dates, then nothing; close of business has run today. Returns (applicant, loan id)."""
    original = platform.today
    at(platform, on)
    actor = person(platform, rrn)
    application_id = submitted(platform, actor)
    apps.decide(platform, staff or reviewer(platform), application_id, approve=True)
    apps.complete_education(platform, actor, "policy-finance-basics")
    issued = apps.agree_and_issue_guarantee(platform, actor, application_id, "kwangju")
    with business_day(platform, on):
        loan = loans.execute_loan(
            platform, BANK, issued.certificate_no, issued.verification_code, on, f"exec-{rrn}"
        )
    loan_id = int(loan["loan_id"])
    schedule = loans.get_loan(platform, BANK, loan_id)["schedule"]
    anniversary = date(on.year + 1, on.month, on.day)
    stepped = False
    for row in schedule[:paid_months]:
        due = date.fromisoformat(row["due_date"])
        at(platform, due)
        amount = loans.payoff_quote(platform, BANK, loan_id, due)["amount_due"]
        loans.post_payment(platform, BANK, loan_id, amount, due, f"pay-{rrn}-{due}")
        if due >= anniversary and not stepped:
            close_of_business(platform, anniversary)  # the nightly batch steps the rate down
            stepped = True
    platform.today = original
    close_of_business(platform, platform.today())
    return actor, loan_id


def test_a_delinquent_loan_shows_its_arrears_and_next_due_date(platform: Platform) -> None:
    actor, loan_id = executed_loan(platform, "850301-1234567", paid_months=12)
    loan = next(v for v in overview(platform, actor).loans if v.id == loan_id)
    assert loan.status == "delinquent"
    # 12 paid; installment 13 fell due 2025-04-04 and 14 on 2025-05-07 (05-04 is a Sunday, then holidays)
    assert [o.due_date for o in loan.overdue] == [date(2025, 4, 4), date(2025, 5, 7)]
    assert loan.days_past_due == (TODAY - date(2025, 4, 4)).days == 41
    assert all(o.delinquency_interest > 0 for o in loan.overdue)
    assert loan.overdue_amount == sum(o.principal + o.interest + o.delinquency_interest for o in loan.overdue)
    quote = loans.payoff_quote(platform, BANK, loan_id, TODAY)
    assert loan.overdue_amount == quote["amount_due"]  # the same figure the bank quotes
    assert loan.next_due_on == date(2025, 6, 4)
    assert loan.next_due_amount is not None and loan.next_due_amount > 0
    assert loan.additional.blocked_by_arrears and not loan.additional.open_now


def test_an_on_time_loan_shows_the_rate_path_and_the_additional_loan_date(platform: Platform) -> None:
    actor, loan_id = executed_loan(platform, "850301-1234567", paid_months=14)
    loan = next(v for v in overview(platform, actor).loans if v.id == loan_id)
    assert loan.status == "active" and not loan.in_arrears and loan.days_past_due == 0
    assert loan.next_due_on == date(2025, 6, 4)  # installment 15
    # 60 months: 15.9% falling 1.5%p a year to the 9.9% floor
    assert [s.rate_bp for s in loan.rate_path] == [1590, 1440, 1290, 1140, 990]
    assert [s.starts_on for s in loan.rate_path][:2] == [date(2024, 3, 4), date(2025, 3, 4)]
    assert [s.now for s in loan.rate_path] == [False, True, False, False, False]
    assert loan.rate_on_path_bp == 1440 == loan.current_rate_bp  # close of business stepped it down
    assert loan.additional.offered and loan.additional.opens_on == date(2024, 9, 4)
    assert loan.additional.open_now and loan.additional.max_amount == 5_000_000


def test_applications_carry_their_timeline_and_documents(platform: Platform) -> None:
    actor = person(platform, "850301-1234567")
    application_id = submitted(platform, actor)
    view = application_view(platform, actor, application_id)
    assert [e.kind for e in view.timeline] == ["submitted", "screening", "review"]
    assert view.timeline[-1].upcoming and view.withdrawable
    assert view.screening_status == "eligible" and view.screening_reasons[0].code == "ELIGIBLE"
    assert [(d.doc_type, d.issued_on) for d in view.documents] == [
        ("employment_certificate", date(2025, 5, 12)),
        ("income_amount_certificate", date(2025, 4, 25)),
    ]
    assert all(d.valid_on_application and d.valid_from == date(2025, 4, 15) for d in view.documents)
    assert view.documents[1].usable_until == date(2025, 5, 25)

    apps.decide(platform, reviewer(platform), application_id, approve=True)
    approved = application_view(platform, actor, application_id)
    assert approved.awaiting_agreement and not approved.education_done
    assert [e.kind for e in approved.timeline][-3:] == ["approved", "education", "agreement"]
    assert approved.timeline[-3].on == TODAY  # the decision's business day
    apps.complete_education(platform, actor, "policy-finance-basics")
    issued = apps.agree_and_issue_guarantee(platform, actor, application_id, "hana-sb")
    done = application_view(platform, actor, application_id)
    assert done.guarantee is not None and done.guarantee.certificate_no == issued.certificate_no
    assert [e.kind for e in done.timeline][-2:] == ["guaranteed", "execution"]
    assert done.timeline[-1].on == date(2025, 6, 14) and not done.withdrawable
    assert [g.certificate_no for g in guarantees_of(platform, actor)] == [issued.certificate_no]

    withdrawn_id = submitted(platform, actor, 1_000_000)
    apps.withdraw(platform, actor, withdrawn_id)
    assert application_view(platform, actor, withdrawn_id).timeline[-1].kind == "withdrawn"
    assert [a.id for a in overview(platform, actor).applications] == [withdrawn_id, application_id]


def test_only_the_applicant_reads_their_own(platform: Platform) -> None:
    actor = person(platform, "850301-1234567")
    application_id = submitted(platform, actor)
    other = person(platform, "900101-1000001", "김다른")
    with pytest.raises(NotFound):
        application_view(platform, other, application_id)
    with pytest.raises(Forbidden):
        overview(platform, Actor(ActorType.STAFF, "1", role="reviewer"))
    mine = overview(platform, actor)
    assert mine.rrn_masked == "850301-1******" and mine.phone_masked == "010-****-1357"
    assert mine.name_masked == "홍*동"


def test_lending_banks_are_those_of_the_region(platform: Platform) -> None:
    busan = [b.code for b in lending_banks(platform, "lowest-credit-special", "부산")]
    seoul = [b.code for b in lending_banks(platform, "lowest-credit-special", "서울")]
    assert "bnk-sb" in busan and "bnk-sb" not in seoul and "sbi-sb" not in busan
    assert "db-sb" in seoul and "db-sb" not in busan
    assert busan[-1] in ("welcome-sb", "nh-sb", "kb-sb", "jinju-sb")  # unpublished regions come last


def subrogated_loan(platform: Platform, rrn: str) -> tuple[Actor, int, Any]:
    """A loan paid for three months, defaulted by close of business, claimed by the bank on 2025-01-10
    and paid by the agency on 2025-01-20: (applicant, loan id, the recourse debt)."""
    supervisor_id = create_staff_user(
        platform, "overview-supervisor", "팀장", "a long enough secret", "supervisor"
    )
    supervisor = Actor(ActorType.STAFF, str(supervisor_id), role="supervisor")
    actor, loan_id = executed_loan(platform, rrn, paid_months=3)
    claim = recourse_service.file_subrogation_claim(platform, BANK, loan_id, date(2025, 1, 10))
    debt = recourse_service.pay_subrogation_claim(platform, supervisor, claim.id, date(2025, 1, 20))
    return actor, loan_id, debt


COUNSELOR = Actor(ActorType.STAFF, "99", role="counselor")


def test_a_subrogated_borrower_sees_the_recourse_debt_and_the_plan(platform: Platform) -> None:
    actor, loan_id, debt = subrogated_loan(platform, "850301-1234567")
    mine = overview(platform, actor)
    (recourse,) = mine.recourse
    assert recourse.status == "open" and recourse.arrangement is None  # no plan yet
    assert recourse.loan_id == loan_id and recourse.loan_amount == 3_000_000
    assert recourse.loan_executed_on == EXECUTED and recourse.subrogated_on == date(2025, 1, 20)
    assert recourse.claim_filed_on == date(2025, 1, 10)
    assert recourse.principal == recourse.balance == debt.principal
    assert recourse.principal == recourse.claim_principal + recourse.claim_interest  # a 100% guarantee
    assert next(v for v in mine.loans if v.id == loan_id).status == "subrogated"

    granted = recourse_service.grant_installment_plan(platform, COUNSELOR, debt.id, 24, date(2025, 2, 28))
    plan = overview(platform, actor).recourse[0].arrangement
    assert plan is not None and not plan.is_deferral
    assert (plan.months, plan.starts_on, plan.monthly_amount) == (
        24,
        date(2025, 2, 28),
        granted.monthly_amount,
    )
    assert (plan.ends_on, plan.last_amount) == (granted.ends_on, granted.last_amount)
    assert plan.monthly_amount * 23 + plan.last_amount == debt.principal
    # payments on the 28th (the start's day, clamped): 02-28, 03-28 and 04-28 have passed on 05-15 with
    # nothing paid, so the next payment is still the first and three are behind (issue 15: the count
    # used to advance with the calendar while the balance never fell)
    assert (plan.next_no, plan.next_on, plan.next_amount) == (1, date(2025, 2, 28), granted.monthly_amount)
    assert (plan.behind, plan.arrears) == (3, 3 * granted.monthly_amount)
    repay(platform, debt.id, 3 * granted.monthly_amount, "three")
    paid = overview(platform, actor).recourse[0]
    assert paid.balance == debt.principal - 3 * granted.monthly_amount and len(paid.repayments) == 1
    assert paid.arrangement is not None
    assert (paid.arrangement.next_no, paid.arrangement.next_on, paid.arrangement.behind) == (
        4,
        date(2025, 5, 28),
        0,
    )

    at(platform, date(2027, 1, 28))  # the last payment's day
    repay(platform, debt.id, 20 * granted.monthly_amount, "twenty")
    late = overview(platform, actor).recourse[0].arrangement
    assert late is not None and (late.next_no, late.next_on, late.next_amount, late.behind) == (
        24,
        date(2027, 1, 28),
        granted.last_amount,
        1,
    )
    repay(platform, debt.id, granted.last_amount, "last")
    done = overview(platform, actor).recourse[0]
    assert done.status == "repaid" and done.balance == 0 and done.arrangement is None


def repay(platform: Platform, debt_id: int, amount: int, key: str) -> None:
    record_counter_repayment(platform, COUNSELOR, debt_id, amount, platform.today(), key)


def test_a_deferral_suspends_the_plan_on_my_page(platform: Platform) -> None:
    actor, _, debt = subrogated_loan(platform, "850301-1234567")
    recourse_service.grant_installment_plan(platform, COUNSELOR, debt.id, 12, date(2025, 2, 1))
    deferral = recourse_service.grant_deferral(platform, COUNSELOR, debt.id, 6, date(2025, 4, 1))
    (recourse,) = overview(platform, actor).recourse
    assert recourse.status == "deferred"
    plan = recourse.arrangement
    assert plan is not None and plan.is_deferral  # the deferral in force, not the suspended plan
    assert (plan.months, plan.starts_on, plan.ends_on) == (6, date(2025, 4, 1), deferral.ends_on)
    assert plan.ends_on == date(2025, 10, 1) and plan.next_on is None and plan.monthly_amount == 0
    assert overview(platform, person(platform, "900101-1000001", "김다른")).recourse == ()
