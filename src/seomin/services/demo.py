"""Demo data (``seomin demo``): staff of every role, two partner banks' API keys, and synthetic applicants
whose applications and loans stand in every lifecycle state, made by the real use cases with the
platform's clock moved along (2024-06-03 to 2025-05-15), never by writing lifecycle rows directly.

Idempotent: a database that already has the demo supervisor is left as it is (a second run adds nothing).
The passwords and API keys are fixed and public (the README names them): **demo data only**, never on a
database that holds real people. The resident numbers are synthetic.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from seomin.adapters.db.models import BankApiKey, RecourseDebt, StaffUser
from seomin.domain.recourse import plan_payment_dates
from seomin.domain.recourse_servicing import virtual_account
from seomin.services import applications as apps
from seomin.services import recourse
from seomin.services.close_of_business import close_of_business
from seomin.services.identity import (
    ADMIN,
    LocalIdentityProvider,
    applicant_actor,
    create_staff_user,
    verify_and_open_session,
)
from seomin.services.knowledge_base import load_starter_entries
from seomin.services.loans import execute_loan, get_loan, payoff_quote, post_payment, prepay
from seomin.services.platform import Actor, ActorType, Platform, audit
from seomin.services.recourse.repayments import record_deposit

PRODUCT = "lowest-credit-special"
START = date(2024, 6, 3)  # the loans are executed on this day
MID = date(2025, 1, 15)  # close of business: the subrogated loan has defaulted; claim, payment, plan
END = date(2025, 5, 15)  # the last day of the demo: recent applications, the final close of business
COURSE = "policy-finance-basics"

STAFF: dict[str, tuple[str, str]] = {
    "demo-counselor": ("counselor", "demo-counselor-pw"),
    "demo-reviewer": ("reviewer", "demo-reviewer-pw"),
    "demo-checker": ("reviewer", "demo-checker-pw"),
    "demo-supervisor": ("supervisor", "demo-supervisor-pw"),
    "demo-auditor": ("auditor", "demo-auditor-pw"),
}
"""username -> (role, password). demo-checker is the second reviewer of maker-checker approvals."""

BANK_KEYS: dict[str, str] = {
    "kwangju": "demo-kwangju.demo-secret-kwangju-not-for-production",
    "jeonbuk": "demo-jeonbuk.demo-secret-jeonbuk-not-for-production",
}
"""bank code -> its fixed demo API key (X-Api-Key)."""

PROFILE: dict[str, Any] = {
    "annual_income": 28_000_000,
    "kcb_score": 600,
    "nice_score": 700,
    "occupation": "employee",
    "employed_months": 24,
    "haessal15": "rejected",
    "region": "서울",
}

# state -> (name, synthetic resident number)
PEOPLE: dict[str, tuple[str, str]] = {
    "submitted": ("김신청", "900101-1000001"),
    "pending_second_review": ("이대기", "880202-2000002"),
    "approved": ("박승인", "870303-1000003"),
    "rejected": ("최거절", "860404-2000004"),
    "guaranteed": ("정보증", "850505-1000005"),
    "active": ("강상환", "840606-2000006"),
    "delinquent": ("조연체", "830707-1000007"),
    "defaulted": ("윤부실", "820808-2000008"),
    "subrogated": ("장대위", "810909-1000009"),
    "repaid": ("임완제", "801010-2000010"),
}
PHONE = "010-0000-0000"


@dataclass(slots=True)
class DemoSummary:
    loaded: bool  # False when the demo was already there
    staff: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(STAFF))
    bank_keys: dict[str, str] = field(default_factory=lambda: dict(BANK_KEYS))
    people: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(PEOPLE))
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # state -> ids made


def demo_present(platform: Platform) -> bool:
    with platform.sessions() as session:
        found = session.scalars(select(StaffUser.id).where(StaffUser.username == "demo-supervisor")).first()
        return found is not None


def load_demo(platform: Platform) -> DemoSummary:
    """Load the demo once; the platform's clock is restored afterwards."""
    if demo_present(platform):
        return DemoSummary(loaded=False)
    original_today = platform.today
    try:
        return _load(platform)
    finally:
        platform.today = original_today


def _on(platform: Platform, day: date) -> None:
    platform.today = lambda: day


def _issue_fixed_bank_key(platform: Platform, bank_code: str, key: str) -> None:
    """A known key for the README (the service issues random ones); stored like any key: hash only."""
    prefix, _, secret = key.partition(".")
    with platform.sessions.begin() as session:
        row = BankApiKey(
            bank_code=bank_code,
            key_prefix=prefix,
            key_hash=hashlib.sha256(secret.encode("utf-8")).hexdigest(),
        )
        session.add(row)
        session.flush()
        audit(
            session,
            ADMIN,
            "bank_api_key.issued",
            "bank_api_key",
            row.id,
            after={"bank_code": bank_code, "prefix": prefix},
            reason="demo data (a fixed, public key)",
        )


def _load(platform: Platform) -> DemoSummary:
    summary = DemoSummary(loaded=True)
    staff: dict[str, Actor] = {}
    for username, (role, password) in STAFF.items():
        staff_id = create_staff_user(platform, username, f"데모 {role}", password, role)
        staff[username] = Actor(ActorType.STAFF, str(staff_id), role=role)
    for bank_code, key in BANK_KEYS.items():
        _issue_fixed_bank_key(platform, bank_code, key)
    bank = Actor(ActorType.BANK, "kwangju")
    reviewer, checker = staff["demo-reviewer"], staff["demo-checker"]

    def person(state: str) -> Actor:
        name, rrn = PEOPLE[state]
        applicant_id, _ = verify_and_open_session(
            platform, LocalIdentityProvider(platform.today), name, rrn, PHONE
        )
        return applicant_actor(applicant_id)

    def apply(actor: Actor, amount: int = 3_000_000) -> int:
        day = platform.today()
        documents = [
            ("employment_certificate", day - timedelta(days=3), "재직증명서.pdf", b"%PDF demo employment"),
            ("income_amount_certificate", day - timedelta(days=3), "소득금액증명원.pdf", b"%PDF demo income"),
        ]
        return apps.submit_application(
            platform,
            actor,
            product_id=PRODUCT,
            requested_amount=amount,
            term_months=60,
            grace_months=0,
            profile=PROFILE,
            documents=documents,
        )

    def guaranteed(state: str) -> tuple[Actor, int, apps.IssuedGuarantee]:
        actor = person(state)
        application_id = apply(actor)
        apps.decide(platform, reviewer, application_id, approve=True)
        apps.complete_education(platform, actor, COURSE)
        issued = apps.agree_and_issue_guarantee(platform, actor, application_id, "kwangju")
        return actor, application_id, issued

    # 1. Five loans executed on START.
    _on(platform, START)
    loans: dict[str, int] = {}
    for state in ("active", "delinquent", "defaulted", "subrogated", "repaid"):
        _, application_id, issued = guaranteed(state)
        loan = execute_loan(
            platform, bank, issued.certificate_no, issued.verification_code, START, f"demo-exec-{state}"
        )
        loans[state] = int(loan["loan_id"])
        summary.records[state] = {"application_id": application_id, "loan_id": loans[state]}

    # 2. Time passes: on-time payments, a full prepayment, a default, a claim, a plan.
    schedule = [row["due_date"] for row in get_loan(platform, bank, loans["active"])["schedule"]]
    dues = [date.fromisoformat(d) for d in schedule if date.fromisoformat(d) <= END]
    stop_paying = END - timedelta(days=45)  # the delinquent borrower's last on-time month is before this

    def pay_due(state: str, day: date) -> None:
        due = payoff_quote(platform, bank, loans[state], day)["amount_due"]
        if due:
            post_payment(platform, bank, loans[state], due, day, f"demo-pay-{state}-{day}")

    repaid_on = START + timedelta(days=45)
    plan: recourse.RecoursePlanView | None = None
    for day in dues:
        if plan is None and day > MID:
            plan = _at_mid(platform, bank, staff, loans, summary)
        _on(platform, day)
        pay_due("active", day)
        if day < stop_paying:
            pay_due("delinquent", day)
        if day >= repaid_on and "repaid_on" not in summary.records["repaid"]:
            prepay(platform, bank, loans["repaid"], None, day, "demo-prepay-repaid")
            summary.records["repaid"]["repaid_on"] = day.isoformat()
    if plan is None:  # pragma: no cover - MID is before END
        plan = _at_mid(platform, bank, staff, loans, summary)
    _recourse_deposits(platform, bank, plan)

    # 3. Recent applications in every earlier state.
    _on(platform, END - timedelta(days=2))
    actor = person("submitted")
    summary.records["submitted"] = {"application_id": apply(actor)}
    actor = person("pending_second_review")
    application_id = apply(actor, 4_000_000)  # above the 3,000,000 second-review threshold
    apps.decide(platform, reviewer, application_id, approve=True)
    summary.records["pending_second_review"] = {"application_id": application_id}
    actor = person("approved")
    application_id = apply(actor, 4_500_000)
    apps.decide(platform, reviewer, application_id, approve=True)
    apps.confirm_second_review(platform, checker, application_id, True, "재직·소득 확인")
    summary.records["approved"] = {"application_id": application_id}
    actor = person("rejected")
    application_id = apply(actor)
    apps.decide(platform, reviewer, application_id, approve=False, reason_codes=["STAFF_INCOME_UNVERIFIED"])
    summary.records["rejected"] = {"application_id": application_id}
    _on(platform, END)
    _, application_id, issued = guaranteed("guaranteed")
    summary.records["guaranteed"] = {
        "application_id": application_id,
        "certificate_no": issued.certificate_no,
        "verification_code": issued.verification_code,
    }

    # 4. The day closes: the delinquent loan is late, the defaulted one is past 90 days.
    close_of_business(platform, END)
    # 5. The FAQ and the counselors' knowledge base start with the starter set, as a new agency's would.
    summary.records["knowledge"] = {"entries": load_starter_entries(platform, staff["demo-supervisor"])}
    return summary


def _at_mid(
    platform: Platform,
    bank: Actor,
    staff: dict[str, Actor],
    loans: dict[str, int],
    summary: DemoSummary,
) -> recourse.RecoursePlanView:
    """Close of business finds the unpaid loans defaulted; the bank claims one, the agency pays it and a
    counselor grants the borrower an installment plan on the recourse debt."""
    _on(platform, MID)
    close_of_business(platform, MID)
    claim = recourse.file_subrogation_claim(platform, bank, loans["subrogated"], MID)
    debt = recourse.pay_subrogation_claim(platform, staff["demo-supervisor"], claim.id, MID)
    plan = recourse.grant_installment_plan(
        platform, staff["demo-counselor"], debt.id, 24, MID + timedelta(days=30)
    )
    summary.records["subrogated"].update(claim_id=claim.id, recourse_debt_id=debt.id, plan_id=plan.id)
    return plan


def _recourse_deposits(platform: Platform, bank: Actor, plan: recourse.RecoursePlanView) -> None:
    """The subrogated borrower pays each plan payment due by END into their virtual account."""
    with platform.sessions() as session:
        debtor = session.get_one(RecourseDebt, plan.recourse_debt_id).applicant_id
    for day in plan_payment_dates(plan.starts_on, plan.months):
        if day > END:
            break
        _on(platform, day)
        record_deposit(
            platform,
            bank,
            virtual_account(debtor),
            plan.monthly_amount,
            day,
            f"demo-recourse-{day}",
        )
