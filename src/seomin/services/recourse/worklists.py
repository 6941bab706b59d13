"""Staff worklists (업무 목록): the subrogation claims to pay, with the amount recomputed from the loan's
ledger and the checks a payer makes; and the recourse debts by state and arrears.

- **Claims to pay**: every ``filed`` claim, oldest first. The amount is recomputed as at filing from the
  installments (unpaid principal, plus unpaid interest of installments due by the filing day, times the
  guarantee's ratio, truncated), exactly as ``file_subrogation_claim`` computed it; the checks are
  ``AMOUNT_MATCHES_LEDGER`` (the recomputed amount is the claimed one: no payment posted since),
  ``DEFAULT_THRESHOLD_MET`` (the oldest unpaid installment was at least the product's default days past
  due on the filing day) and ``GUARANTEE_CLAIMED`` (the guarantee is in the claimed state). ``payable`` is
  all three.
- **Recourse debts**: filtered by state and by days behind the installment plan (``min_days_behind``),
  keyset-paged by id. Days behind are those of the oldest plan payment not covered by what came in under
  the plan (``domain.recourse_servicing.plan_progress``); a debt without a plan is 0 days behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import (
    Applicant,
    Guarantee,
    Installment,
    Loan,
    RecourseDebt,
    RecoursePlan,
    RecourseRepayment,
    SubrogationClaim,
)
from seomin.domain.lifecycle import ClaimStatus, GuaranteeStatus, RecourseStatus
from seomin.domain.recourse import INSTALLMENT_PLAN
from seomin.services.errors import InputError
from seomin.services.platform import Actor, Platform
from seomin.services.recourse.claims import _RATIO_DENOMINATOR, _unpaid
from seomin.services.recourse.common import _require_staff
from seomin.services.recourse.repayments import plan_standing

WORKLIST_ROLES = frozenset({"counselor", "reviewer", "supervisor", "auditor"})
DEBT_STATES = tuple(s.value for s in RecourseStatus)
DEFAULT_DAYS_PAST_DUE = 90


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    code: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class ClaimToPay:
    id: int
    loan_id: int
    bank_code: str
    filed_on: date
    principal: int
    interest: int
    guaranteed_amount: int
    recomputed_amount: int
    ratio_bp: int
    checks: list[ClaimCheck]
    payable: bool


@dataclass(frozen=True, slots=True)
class DebtLine:
    id: int
    applicant_id: int
    rrn_masked: str
    status: str
    principal: int
    balance: int
    created_on: date
    monthly_amount: int | None
    behind: int
    """Plan payments due and not covered."""
    arrears: int
    days_behind: int
    last_paid_on: date | None


def claims_to_pay(platform: Platform, staff: Actor) -> list[ClaimToPay]:
    """Filed claims, oldest filing first, with the amount recomputed and the checks."""
    _require_staff(staff, WORKLIST_ROLES, "read the claims to pay")
    with platform.sessions() as session:
        rows = session.execute(
            select(SubrogationClaim, Loan, Guarantee)
            .join(Loan, Loan.id == SubrogationClaim.loan_id)
            .join(Guarantee, Guarantee.id == Loan.guarantee_id)
            .where(SubrogationClaim.status == ClaimStatus.FILED.value)
            .order_by(SubrogationClaim.filed_on, SubrogationClaim.id)
        ).all()
        return [_claim_line(session, platform, claim, loan, guarantee) for claim, loan, guarantee in rows]


def _claim_line(
    session: Session, platform: Platform, claim: SubrogationClaim, loan: Loan, guarantee: Guarantee
) -> ClaimToPay:
    principal, interest = _unpaid(session, loan.id, claim.filed_on)
    recomputed = (principal + interest) * guarantee.ratio_bp // _RATIO_DENOMINATOR
    oldest = session.scalar(
        select(func.min(Installment.due_date)).where(
            Installment.loan_id == loan.id,
            Installment.principal_paid + Installment.interest_paid
            < Installment.principal_due + Installment.interest_due,
        )
    )
    threshold = _default_days(platform, guarantee)
    days = (claim.filed_on - oldest).days if oldest is not None else 0
    checks = [
        ClaimCheck(
            "AMOUNT_MATCHES_LEDGER",
            recomputed == claim.guaranteed_amount,
            f"{recomputed} won recomputed, {claim.guaranteed_amount} won claimed",
        ),
        ClaimCheck(
            "DEFAULT_THRESHOLD_MET",
            oldest is not None and claim.filed_on >= oldest + timedelta(days=threshold),
            f"{days} days past due on {claim.filed_on.isoformat()}, threshold {threshold}",
        ),
        ClaimCheck(
            "GUARANTEE_CLAIMED",
            guarantee.status == GuaranteeStatus.CLAIMED.value,
            f"guarantee {guarantee.certificate_no} is {guarantee.status}",
        ),
    ]
    return ClaimToPay(
        id=claim.id,
        loan_id=loan.id,
        bank_code=claim.bank_code,
        filed_on=claim.filed_on,
        principal=claim.principal,
        interest=claim.interest,
        guaranteed_amount=claim.guaranteed_amount,
        recomputed_amount=recomputed,
        ratio_bp=guarantee.ratio_bp,
        checks=checks,
        payable=all(c.passed for c in checks),
    )


def _default_days(platform: Platform, guarantee: Guarantee) -> int:
    try:
        version = platform.catalog.version(guarantee.product_id, guarantee.product_version)
    except (KeyError, LookupError):
        return DEFAULT_DAYS_PAST_DUE
    return version.guarantee.default_days_past_due


def recourse_worklist(
    platform: Platform,
    staff: Actor,
    *,
    status: str | None = None,
    min_days_behind: int = 0,
    after_id: int = 0,
    limit: int = 50,
) -> list[DebtLine]:
    """Recourse debts by state and arrears, by id after ``after_id``, at most ``limit``."""
    _require_staff(staff, WORKLIST_ROLES, "read the recourse worklist")
    if status is not None and status not in DEBT_STATES:
        raise InputError("status", f"one of {', '.join(DEBT_STATES)}")
    today = platform.today()
    lines: list[DebtLine] = []
    cursor = after_id
    with platform.sessions() as session:
        while len(lines) < limit:
            query = select(RecourseDebt, Applicant.rrn_masked).join(
                Applicant, Applicant.id == RecourseDebt.applicant_id
            )
            query = query.where(RecourseDebt.id > cursor)
            if status is not None:
                query = query.where(RecourseDebt.status == status)
            if min_days_behind > 0:
                query = query.where(RecourseDebt.status == RecourseStatus.INSTALLMENT_PLAN.value)
            batch = session.execute(query.order_by(RecourseDebt.id).limit(limit * 4)).all()
            if not batch:
                break
            cursor = batch[-1][0].id
            for line in _debt_lines(session, batch, today):
                if line.days_behind >= min_days_behind and len(lines) < limit:
                    lines.append(line)
    return lines


def _debt_lines(session: Session, batch: Sequence[Row[RecourseDebt, str]], today: date) -> list[DebtLine]:
    ids = [debt.id for debt, _ in batch]
    plans: dict[int, RecoursePlan] = {}
    for found in session.scalars(
        select(RecoursePlan)
        .where(
            RecoursePlan.recourse_debt_id.in_(ids),
            RecoursePlan.kind == INSTALLMENT_PLAN,
            RecoursePlan.status == "in_force",
        )
        .order_by(RecoursePlan.id)
    ):
        plans[found.recourse_debt_id] = found
    paid = dict(
        session.execute(
            select(RecourseRepayment.plan_id, func.sum(RecourseRepayment.amount))
            .where(RecourseRepayment.plan_id.in_([p.id for p in plans.values()]))
            .group_by(RecourseRepayment.plan_id)
        ).all()
    )
    last_paid = dict(
        session.execute(
            select(RecourseRepayment.recourse_debt_id, func.max(RecourseRepayment.paid_on))
            .where(RecourseRepayment.recourse_debt_id.in_(ids))
            .group_by(RecourseRepayment.recourse_debt_id)
        ).all()
    )
    lines = []
    for debt, rrn_masked in batch:
        plan = plans.get(debt.id) if debt.status == RecourseStatus.INSTALLMENT_PLAN.value else None
        standing = (
            None if plan is None else plan_standing(plan, int(paid.get(plan.id, 0)), debt.balance, today)
        )
        lines.append(
            DebtLine(
                id=debt.id,
                applicant_id=debt.applicant_id,
                rrn_masked=rrn_masked,
                status=debt.status,
                principal=debt.principal,
                balance=debt.balance,
                created_on=debt.created_on,
                monthly_amount=None if plan is None else plan.monthly_amount,
                behind=0 if standing is None else standing.behind,
                arrears=0 if standing is None else standing.arrears,
                days_behind=0 if standing is None else standing.days_behind,
                last_paid_on=last_paid.get(debt.id),
            )
        )
    return lines
