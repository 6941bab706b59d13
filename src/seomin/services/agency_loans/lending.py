"""직접대출: the agency lends an approved 불법사금융예방대출 itself and services it (use cases).

Disbursement is the same day, by the agency, to an account in the borrower's own name (the holder's name
must be theirs; the number is kept encrypted and shown masked). Payments go to the interest accrued to the
day first, then principal; a full repayment fixes the interest paid back where the product pays some. A
maturity is extended a year at a time while interest is paid up, to the product's limit. Every change is
one transaction and one audit event; payments are idempotent by key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import AgencyLoan, AgencyLoanPayment, Applicant
from seomin.domain.agency_loan import (
    AgencyLoanRefusal,
    AgencyLoanState,
    apply_payment,
    extended_maturity,
    first_maturity,
    interest_due,
)
from seomin.domain.calendar import add_months
from seomin.domain.catalog import ProductVersion
from seomin.domain.identity import mask_name
from seomin.domain.lifecycle import ApplicationStatus
from seomin.domain.money import format_rate, interest_payback, rate_to_bp
from seomin.services.applications.commands import _educated
from seomin.services.applications.common import (
    _applicant_id,
    _approved_amounts,
    _check_transition,
    _lock_application,
    _stored_profile,
    _version_of,
)
from seomin.services.errors import Conflict, Forbidden, InputError, InputErrorCode
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row

LENDING_ROLES = frozenset({"counselor", "supervisor"})
ACTIVE, REPAID = "active", "repaid"
_ACCOUNT_NO = re.compile(r"^\d[\d-]{8,22}\d$")
_INPUT_CODES = {"AMOUNT_NOT_POSITIVE", "LESS_THAN_INTEREST_DUE", "AMOUNT_EXCEEDS_PAYOFF"}


@dataclass(frozen=True, slots=True)
class AgencyLoanView:
    id: int
    application_id: int
    product_id: str
    product_version: str
    amount: int
    principal_balance: int
    rate: str
    """Annual percent, a decimal string."""
    disbursed_on: date
    maturity_on: date
    latest_maturity_on: date
    """The furthest the maturity may be extended to."""
    extensions: int
    interest_paid_through: date
    interest_paid: int
    interest_due_today: int
    payoff_today: int
    payback_pct: str | None
    """The share of interest paid back at full repayment, None where the product pays none."""
    payback_if_repaid_today: int
    """What would come back if the loan were repaid in full today (0 without a payback)."""
    payback: int
    """Fixed at full repayment: what came back."""
    account_bank: str
    account_no_masked: str
    status: str
    repaid_on: date | None


def disburse_agency_loan(
    platform: Platform,
    staff: Actor,
    application_id: int,
    *,
    account_bank: str,
    account_no: str,
    holder_name: str,
) -> AgencyLoanView:
    """Lend an approved agency-loan application today, into the borrower's own account."""
    _require_lender(staff)
    bank = account_bank.strip()
    if not 1 <= len(bank) <= 64:
        raise InputError("account_bank", "name the bank of the account (1 to 64 characters)")
    number = account_no.strip()
    if not _ACCOUNT_NO.match(number):
        raise InputError("account_no", "10 to 24 digits, hyphens allowed between them")
    today = platform.today()
    with platform.sessions.begin() as session:
        application = _lock_application(session, application_id)
        version = _version_of(platform, application)
        if not version.agency_loan:
            raise Conflict(
                "NOT_AN_AGENCY_LOAN", f"{version.id} is lent by banks against a guarantee certificate"
            )
        before = _check_transition(application, ApplicationStatus.DISBURSED)
        applicant = session.get_one(Applicant, application.applicant_id)
        if platform.vault.decrypt(applicant.name_encrypted) != holder_name.strip():
            raise InputError(
                "holder_name",
                "the account must be in the borrower's own name",
                InputErrorCode.INVALID,
            )
        _check_education(session, version, application.applicant_id, today)
        _check_open_loans(session, version, application.applicant_id)
        profile = _stored_profile(platform, application)
        policy = version.rate_policy(
            version.terms.repayment_months[0], profile.vulnerable, profile.preferential, profile.occupation
        )
        amount = _approved_amounts(session, [application.id])[application.id]
        loan = AgencyLoan(
            application_id=application.id,
            applicant_id=application.applicant_id,
            product_id=version.id,
            product_version=version.version,
            amount=amount,
            principal_balance=amount,
            rate_bp=rate_to_bp(max(Decimal(0), policy.base_rate - policy.preferential_cut)),
            disbursed_on=today,
            maturity_on=first_maturity(today, version.agency.maturity_months),
            extensions=0,
            interest_paid_through=today,
            interest_paid=0,
            account_bank=bank,
            account_no_encrypted=platform.vault.encrypt(number),
            account_no_masked=_mask_account(number),
            status=ACTIVE,
            repaid_on=None,
            payback=0,
        )
        session.add(loan)
        application.status = ApplicationStatus.DISBURSED.value
        session.flush()
        audit(
            session,
            staff,
            "agency_loan.disbursed",
            "agency_loan",
            loan.id,
            before={"application_status": before.value},
            after={
                "application_id": application.id,
                "amount": amount,
                "rate_bp": loan.rate_bp,
                "maturity_on": loan.maturity_on.isoformat(),
                "account": f"{bank} {loan.account_no_masked}",
                "holder": mask_name(holder_name.strip()),
            },
            reason="disbursed by the agency the same day (직접대출)",
        )
        return _view(platform, loan, today)


def record_agency_payment(
    platform: Platform, staff: Actor, loan_id: int, amount: int, paid_on: date, idempotency_key: str
) -> AgencyLoanView:
    """A payment received for an agency loan (the same key again answers the same, changing nothing)."""
    _require_lender(staff)
    key = idempotency_key.strip()
    if not 1 <= len(key) <= 128:
        raise InputError("idempotency_key", "1 to 128 characters")
    today = platform.today()
    if paid_on > today:
        raise InputError("paid_on", f"{paid_on} is after today", InputErrorCode.DATE_AFTER_TODAY)
    with platform.sessions.begin() as session:
        loan = locked_row(session, AgencyLoan, AgencyLoan.id, loan_id, "agency loan")
        done = session.scalars(
            select(AgencyLoanPayment).where(AgencyLoanPayment.idempotency_key == key)
        ).one_or_none()
        if done is not None:
            same = (done.loan_id, done.interest + done.principal, done.paid_on) == (loan.id, amount, paid_on)
            if not same:
                raise Conflict("IDEMPOTENCY_KEY_REUSED", "this key recorded a different payment")
            return _view(platform, loan, today)
        if loan.status != ACTIVE:
            raise Conflict("AGENCY_LOAN_NOT_ACTIVE", f"agency loan {loan.id} is {loan.status}")
        version = platform.catalog.version(loan.product_id, loan.product_version)
        try:
            split = apply_payment(state_of(loan), amount, paid_on, version.rate.interest_payback_pct)
        except AgencyLoanRefusal as exc:
            if exc.code == "PAYMENT_OUT_OF_ORDER":
                raise InputError("paid_on", exc.message) from None
            raise InputError("amount", exc.message) from None
        before = {"principal_balance": loan.principal_balance, "status": loan.status}
        loan.principal_balance -= split.principal
        loan.interest_paid += split.interest
        loan.interest_paid_through = split.interest_paid_through
        if split.repaid:
            loan.status, loan.repaid_on, loan.payback = REPAID, paid_on, split.payback
        session.add(
            AgencyLoanPayment(
                loan_id=loan.id,
                paid_on=paid_on,
                interest=split.interest,
                principal=split.principal,
                idempotency_key=key,
            )
        )
        audit(
            session,
            staff,
            "agency_loan.repaid" if split.repaid else "agency_loan.payment",
            "agency_loan",
            loan.id,
            before=before,
            after={
                "paid_on": paid_on.isoformat(),
                "interest": split.interest,
                "principal": split.principal,
                "principal_balance": loan.principal_balance,
                "payback": split.payback,
            },
            reason="payment received",
        )
        return _view(platform, loan, today)


def extend_agency_loan(platform: Platform, staff: Actor, loan_id: int) -> AgencyLoanView:
    """연장: a year more, asked on or before maturity with the interest paid up to today."""
    _require_lender(staff)
    today = platform.today()
    with platform.sessions.begin() as session:
        loan = locked_row(session, AgencyLoan, AgencyLoan.id, loan_id, "agency loan")
        if loan.status != ACTIVE:
            raise Conflict("AGENCY_LOAN_NOT_ACTIVE", f"agency loan {loan.id} is {loan.status}")
        terms = platform.catalog.version(loan.product_id, loan.product_version).agency
        try:
            following = extended_maturity(state_of(loan), today, terms.maturity_months, terms.max_months)
        except AgencyLoanRefusal as exc:
            raise Conflict(exc.code, exc.message) from None
        before = loan.maturity_on
        loan.maturity_on, loan.extensions = following, loan.extensions + 1
        audit(
            session,
            staff,
            "agency_loan.extended",
            "agency_loan",
            loan.id,
            before={"maturity_on": before.isoformat()},
            after={"maturity_on": following.isoformat(), "extensions": loan.extensions},
            reason="extended at the borrower's request",
        )
        return _view(platform, loan, today)


def agency_loans_of(platform: Platform, actor: Actor) -> list[AgencyLoanView]:
    """The caller's agency loans, newest first (an applicant sees their own only)."""
    applicant_id = _applicant_id(actor)
    today = platform.today()
    with platform.sessions() as session:
        loans = session.scalars(
            select(AgencyLoan).where(AgencyLoan.applicant_id == applicant_id).order_by(AgencyLoan.id.desc())
        ).all()
        return [_view(platform, loan, today) for loan in loans]


def _require_lender(actor: Actor) -> None:
    if actor.type is not ActorType.STAFF or actor.role not in LENDING_ROLES:
        raise Forbidden("only counselors and supervisors lend and service agency loans")


def _check_education(session: Session, version: ProductVersion, applicant_id: int, today: date) -> None:
    course = version.offline.education_course
    if course and version.offline.education_mandatory and not _educated(session, applicant_id, course, today):
        raise Conflict(
            "EDUCATION_REQUIRED", f"the counseling and education {course!r} come before the agency lends"
        )


def _check_open_loans(session: Session, version: ProductVersion, applicant_id: int) -> None:
    open_loans = session.scalar(
        select(func.count())
        .select_from(AgencyLoan)
        .where(
            AgencyLoan.applicant_id == applicant_id,
            AgencyLoan.status == ACTIVE,
            AgencyLoan.product_id.in_(sorted(version.limit_family)),
        )
    )
    if (open_loans or 0) >= version.limits.max_open_accounts:
        raise Conflict("TOO_MANY_ACCOUNTS", "an agency loan of this product is still being repaid")


def state_of(loan: AgencyLoan) -> AgencyLoanState:
    """The domain's view of a stored agency loan (what the pure rules take)."""
    return AgencyLoanState(
        principal=loan.principal_balance,
        rate_bp=loan.rate_bp,
        disbursed_on=loan.disbursed_on,
        maturity_on=loan.maturity_on,
        interest_paid_through=loan.interest_paid_through,
        interest_paid=loan.interest_paid,
    )


def _view(platform: Platform, loan: AgencyLoan, today: date) -> AgencyLoanView:
    version = platform.catalog.version(loan.product_id, loan.product_version)
    pct = version.rate.interest_payback_pct
    state = state_of(loan)
    active = loan.status == ACTIVE
    due = interest_due(state, max(today, loan.interest_paid_through)) if active else 0
    return AgencyLoanView(
        id=loan.id,
        application_id=loan.application_id,
        product_id=loan.product_id,
        product_version=loan.product_version,
        amount=loan.amount,
        principal_balance=loan.principal_balance,
        rate=format_rate(Decimal(loan.rate_bp) / 100),
        disbursed_on=loan.disbursed_on,
        maturity_on=loan.maturity_on,
        latest_maturity_on=add_months(loan.disbursed_on, version.agency.max_months, loan.disbursed_on.day),
        extensions=loan.extensions,
        interest_paid_through=loan.interest_paid_through,
        interest_paid=loan.interest_paid,
        interest_due_today=due,
        payoff_today=loan.principal_balance + due if active else 0,
        payback_pct=None if pct is None else format_rate(pct),
        payback_if_repaid_today=interest_payback(loan.interest_paid + due, pct) if pct and active else 0,
        payback=loan.payback,
        account_bank=loan.account_bank,
        account_no_masked=loan.account_no_masked,
        status=loan.status,
        repaid_on=loan.repaid_on,
    )


def _mask_account(number: str) -> str:
    """The last four digits only: ``****-1234``."""
    digits = number.replace("-", "")
    return f"****-{digits[-4:]}"
