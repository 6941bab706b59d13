"""Use cases of the application lifecycle, applicant and agency side (선보증 후대출, guarantee first).

An applicant applies with documents and is screened automatically; completes the financial education;
a reviewer decides (maker-checker where the rules ask for a second reviewer); the applicant agrees and
the agency issues a guarantee certificate the partner bank will lend against. Each state change is one
function, one transaction and one audit event (actor, state before and after, reason); an illegal
transition raises ``Conflict`` with the stable code of ``domain.lifecycle`` (``APPLICATION_REJECTED`` …).

Choices made here (see also each function):

- **Exposure.** A person's per-product-family limit counts their loans (``loans`` rows) and the approvals
  not yet lent: applications ``pending_second_review`` or ``approved`` (the approved amount) and
  guarantees ``issued`` but not executed. Those reservations are handed to the eligibility engine as open
  loans executed today, so one rule set (limit, open accounts, additional-loan rules) judges them all.
- **Locking.** ``decide``, ``confirm_second_review``, ``agree_and_issue_guarantee`` and ``withdraw`` first
  lock the applicant's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
  serializes writers), so two approvals racing on one person's limit leave exactly one winner.
- **Maker-checker.** An approval above the product's ``review.second_review_above`` (catalog data), or
  one that overrides an ``ineligible`` automatic screening (or a rule the
  person fails now), waits for a second reviewer who is not the first. Limit rules are never overridden.
- **Guarantee.** Valid for ``GUARANTEE_VALIDITY`` (30 days) for the bank to lend; its terms are those of
  the product version the application was made under; partner banks and limits are judged on today's."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.crypto import DataVault
from seomin.adapters.db.models import Applicant, Application, Guarantee, Loan, ReviewDecision
from seomin.domain.catalog import ProductNotInForce, ProductVersion, UnknownProduct
from seomin.domain.eligibility import Decision
from seomin.domain.lifecycle import (
    APPLICATION_TRANSITIONS,
    ApplicationStatus,
    GuaranteeStatus,
    IllegalTransition,
    LoanStatus,
    check_transition,
)
from seomin.domain.profile import ApplicantProfile, ExistingLoan
from seomin.domain.reasons import Outcome, Reason
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.platform import Actor, ActorType, Platform

GUARANTEE_VALIDITY = timedelta(days=30)
"""A certificate lets the bank lend for 30 days from issue (expires_on = issued_on + 30 days)."""

STAFF_REASONS: dict[str, tuple[str, str]] = {
    "STAFF_DOCUMENT_FORGED": (
        "제출 서류의 위·변조가 의심됩니다.",
        "A submitted document appears forged or altered.",
    ),
    "STAFF_DOCUMENT_UNREADABLE": ("제출 서류를 판독할 수 없습니다.", "A submitted document cannot be read."),
    "STAFF_DOCUMENT_MISMATCH": (
        "제출 서류의 내용이 신청 내용과 다릅니다.",
        "A submitted document contradicts the application.",
    ),
    "STAFF_IDENTITY_MISMATCH": ("서류의 명의가 신청인과 다릅니다.", "A document is in someone else's name."),
    "STAFF_INCOME_UNVERIFIED": ("소득을 확인할 수 없습니다.", "The income could not be verified."),
    "STAFF_REPAYMENT_CAPACITY": (
        "상환 능력이 부족하다고 판단됩니다.",
        "Repayment capacity was judged insufficient.",
    ),
    "STAFF_SECOND_REVIEW_DECLINED": (
        "2차 심사자가 승인하지 않았습니다.",
        "The second reviewer did not confirm the approval.",
    ),
}
"""Reason codes a reviewer may give besides the eligibility codes of ``domain.reasons.TEMPLATES``."""

LIMIT_CODES = (
    "LIMIT_EXHAUSTED",
    "AMOUNT_ABOVE_LIMIT",
    "AMOUNT_ABOVE_DRAW_CAP",
    "TOO_MANY_ACCOUNTS",
    "ADDITIONAL_LOAN_ALREADY_USED",
    "ADDITIONAL_LOAN_TOO_EARLY",
    "ADDITIONAL_LOAN_NOT_OFFERED",
)
"""Engine codes about the person's limit and loan count: an approval can never override them."""

BANK_CODES = (
    "BANK_NOT_PARTNER",
    "NO_BANK_IN_REGION",
    "ADDITIONAL_LOAN_OTHER_BANK",
    "AGENCY_LOAN_NO_BANK",
    "NO_LENDER_ON_FILE",
)
MISDATED_DOCUMENT_CODES = ("DOCUMENT_EXPIRED", "DOCUMENT_DATE_INVALID")
UNASSIGNED_BANK = "unassigned"  # the bank of an approval not yet agreed: chosen at agreement


@dataclass(frozen=True, slots=True)
class IssuedGuarantee:
    """A guarantee certificate as issued (보증서); ``verification_code`` is shown to the applicant this once:
    they give it to the bank with the certificate number."""

    guarantee_id: int
    application_id: int
    certificate_no: str
    verification_code: str = field(repr=False)
    amount: int
    rate_bp: int
    term_months: int
    grace_months: int
    method: str
    ratio_bp: int
    bank_code: str
    issued_on: date
    expires_on: date


def certificate_code_hash(vault: DataVault, certificate_no: str, code: str) -> str:
    """How a certificate's verification code is stored: a keyed hash bound to the certificate number."""
    return vault.lookup_hash(f"{certificate_no}:{code}")


# --- helpers ----------------------------------------------------------------------------------------


def _applicant_id(actor: Actor) -> int:
    if actor.type is not ActorType.APPLICANT:
        raise Forbidden("only the applicant may do this")
    try:
        return int(actor.id)
    except ValueError:
        raise Forbidden("not an applicant") from None


def _check_amount(amount: object, field_name: str) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InputError(field_name, "must be a positive whole number of won")


def _product_now(platform: Platform, product_id: str, today: date) -> ProductVersion:
    """The version in force today: limits and partner banks are judged on today's terms."""
    try:
        return platform.catalog.get(product_id, today)
    except (UnknownProduct, ProductNotInForce) as exc:
        raise Conflict("PRODUCT_NOT_IN_FORCE", str(exc.args[0])) from None


def _version_of(platform: Platform, application: Application) -> ProductVersion:
    return platform.catalog.version(application.product_id, application.product_version)


def _check_transition(application: Application, wanted: ApplicationStatus) -> ApplicationStatus:
    current = ApplicationStatus(application.status)
    try:
        check_transition("application", APPLICATION_TRANSITIONS, current, wanted)
    except IllegalTransition as exc:
        raise Conflict(exc.code, str(exc)) from None
    return current


def _lock_application(session: Session, application_id: int) -> Application:
    """The application, after locking its applicant's row: every change to a person's applications and
    limit goes through this lock, taken first, so they serialize without deadlocks."""
    owner = select(Application.applicant_id).where(Application.id == application_id).scalar_subquery()
    applicant = session.scalars(select(Applicant.id).where(Applicant.id == owner).with_for_update()).first()
    if applicant is None:
        raise NotFound("application", application_id)
    return session.scalars(
        select(Application).where(Application.id == application_id).with_for_update()
    ).one()


def _stored_profile(platform: Platform, application: Application) -> ApplicantProfile:
    return ApplicantProfile.model_validate(json.loads(platform.vault.decrypt(application.profile_encrypted)))


_IN_ARREARS = frozenset(
    {LoanStatus.DELINQUENT.value, LoanStatus.DEFAULTED.value, LoanStatus.SUBROGATED.value}
)


def _loans(session: Session, applicant_id: int, family: frozenset[str]) -> list[ExistingLoan]:
    """The person's loans of the product family, as the eligibility engine sees them."""
    loans = session.scalars(
        select(Loan)
        .where(Loan.applicant_id == applicant_id, Loan.product_id.in_(sorted(family)))
        .order_by(Loan.executed_on, Loan.id)
    ).all()
    found = []
    for loan in loans:
        repaid = loan.status == LoanStatus.REPAID.value
        found.append(
            ExistingLoan(
                product=loan.product_id,
                bank=loan.bank_code,
                amount=loan.amount,
                balance=0 if repaid else min(loan.principal_balance, loan.amount),
                executed_on=loan.executed_on,
                in_arrears=not repaid and loan.status in _IN_ARREARS,
                repaid=repaid,
            )
        )
    return found


def _exposure(
    session: Session, applicant_id: int, product: ProductVersion, today: date, exclude: int | None = None
) -> tuple[ExistingLoan, ...]:
    """Loans of the product family plus approvals not yet lent, the latter as loans executed today."""
    family = sorted(product.limit_family)
    conditions = [
        Application.applicant_id == applicant_id,
        Application.product_id.in_(family),
        Application.status.in_(
            [
                ApplicationStatus.PENDING_SECOND_REVIEW.value,
                ApplicationStatus.APPROVED.value,
                ApplicationStatus.GUARANTEED.value,
            ]
        ),
    ]
    if exclude is not None:
        conditions.append(Application.id != exclude)
    pending = session.scalars(select(Application).where(*conditions).order_by(Application.id)).all()
    amounts = _approved_amounts(session, [a.id for a in pending])
    issued = {
        g.application_id: g
        for g in session.scalars(
            select(Guarantee).where(
                Guarantee.application_id.in_([a.id for a in pending]),
                Guarantee.status == GuaranteeStatus.ISSUED.value,
            )
        )
    }
    reserved = []
    for application in pending:
        if application.status == ApplicationStatus.GUARANTEED.value:
            guarantee = issued.get(application.id)
            if guarantee is None:
                continue  # executed (its loan counts), expired or claimed
            amount, bank = guarantee.amount, guarantee.bank_code
        else:
            amount, bank = amounts[application.id], UNASSIGNED_BANK
        reserved.append(
            ExistingLoan(
                product=application.product_id, bank=bank, amount=amount, balance=amount, executed_on=today
            )
        )
    return (*_loans(session, applicant_id, product.limit_family), *reserved)


def _approved_amounts(session: Session, application_ids: Sequence[int]) -> dict[int, int]:
    """The amount of each application's latest approval or confirmation."""
    if not application_ids:
        return {}
    rows = session.execute(
        select(ReviewDecision.application_id, ReviewDecision.amount)
        .where(
            ReviewDecision.application_id.in_(application_ids),
            ReviewDecision.decision.in_(["approve", "confirm"]),
        )
        .order_by(ReviewDecision.id)
    ).all()
    return {application_id: amount for application_id, amount in rows if amount is not None}


def _first(decision: Decision, codes: Sequence[str]) -> Reason | None:
    """The decision's failing reason among ``codes``, in the order of ``codes``."""
    failing = {r.code: r for r in decision.reasons if r.outcome is Outcome.FAIL}
    return next((failing[c] for c in codes if c in failing), None)


def _message(reason: Reason) -> str:
    return f"{reason.message_ko} / {reason.message_en}"


def refusal(reason: Reason) -> Conflict:
    """A rule's refusal as a Conflict carrying the engine's own words in both languages."""
    return Conflict(reason.code, _message(reason), (reason.message_ko, reason.message_en))


def _join(values: Sequence[int]) -> str:
    return ", ".join(map(str, values))
