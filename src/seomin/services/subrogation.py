"""Subrogation (대위변제) and recourse (구상채권): after a guaranteed loan defaults the bank claims the
guaranteed share from the agency; once the agency pays, the borrower owes the agency that amount, which
staff may let the borrower repay in installments (분할상환) or defer (상환유예).

- ``file_subrogation_claim``: a partner bank, on a defaulted loan it executed. The claim is the unpaid
  principal (everything not yet repaid, due or not: the loan is accelerated) plus the unpaid scheduled
  interest of the installments due on or before the filing date; delinquency interest and interest
  accrued since the last due date are not claimed. The guaranteed amount is the claim × the guarantee's
  ratio, truncated to the won. The loan becomes subrogated, the guarantee claimed.
- ``pay_subrogation_claim``: a supervisor. The claim is paid and a recourse debt for the paid amount
  (the guaranteed amount) is opened against the borrower.
- ``grant_installment_plan`` (counselor or supervisor): ``months`` monthly payments from ``starts_on``
  (payment k on ``starts_on`` + k months, day clamped to month end), each ``balance // months`` won, the
  last one also taking the remainder: ``balance − (months − 1) × (balance // months)``.
- ``grant_deferral`` (counselor or supervisor): nothing is due for ``months`` months from ``starts_on``;
  an installment plan granted afterwards starts when the deferral ends at the earliest.

Recourse debt states: open → installment_plan | deferred; installment_plan → deferred (the plan is
suspended; a new plan is granted afterwards on the then balance); deferred → installment_plan; any
→ repaid (by the collection side, not here). A second plan or deferral on top of the same state is
refused. Bounds (our assumption, to confirm with the agency): plans of 1–120 months, deferrals of
1–24 months.

Filing and payment dates may not be after ``platform.today()``; a plan or deferral may start later.
Every change is audited in the same transaction; role and bank checks come before any read of state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import (
    Guarantee,
    Installment,
    Loan,
    RecourseDebt,
    RecoursePlan,
    SubrogationClaim,
)
from seomin.domain.calendar import add_months
from seomin.domain.lifecycle import (
    GUARANTEE_TRANSITIONS,
    LOAN_TRANSITIONS,
    GuaranteeStatus,
    IllegalTransition,
    LoanStatus,
    check_transition,
)
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.platform import Actor, ActorType, Platform, audit

_S = TypeVar("_S", bound=StrEnum)

PAYING_ROLES = frozenset({"supervisor"})
PLAN_ROLES = frozenset({"counselor", "supervisor"})
MAX_PLAN_MONTHS = 120
MAX_DEFERRAL_MONTHS = 24
_RATIO_DENOMINATOR = 10_000  # ratio_bp: 10,000 = 100%


class ClaimStatus(StrEnum):
    FILED = "filed"  # 청구
    PAID = "paid"  # 대위변제 완료


class RecourseStatus(StrEnum):
    OPEN = "open"
    INSTALLMENT_PLAN = "installment_plan"  # 분할상환
    DEFERRED = "deferred"  # 상환유예
    REPAID = "repaid"


CLAIM_TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.FILED: frozenset({ClaimStatus.PAID}),
    ClaimStatus.PAID: frozenset(),
}
RECOURSE_TRANSITIONS: dict[RecourseStatus, frozenset[RecourseStatus]] = {
    RecourseStatus.OPEN: frozenset(
        {RecourseStatus.INSTALLMENT_PLAN, RecourseStatus.DEFERRED, RecourseStatus.REPAID}
    ),
    RecourseStatus.INSTALLMENT_PLAN: frozenset({RecourseStatus.DEFERRED, RecourseStatus.REPAID}),
    RecourseStatus.DEFERRED: frozenset({RecourseStatus.INSTALLMENT_PLAN, RecourseStatus.REPAID}),
    RecourseStatus.REPAID: frozenset(),
}


@dataclass(frozen=True, slots=True)
class ClaimView:
    id: int
    loan_id: int
    bank_code: str
    principal: int
    interest: int
    guaranteed_amount: int
    filed_on: date
    paid_on: date | None
    status: str


@dataclass(frozen=True, slots=True)
class RecourseDebtView:
    id: int
    claim_id: int
    applicant_id: int
    principal: int
    balance: int
    status: str
    created_on: date


@dataclass(frozen=True, slots=True)
class RecoursePlanView:
    """A granted plan. ``ends_on``: the last payment's date (plan) or the first day due again (deferral)."""

    id: int
    recourse_debt_id: int
    kind: str
    months: int
    starts_on: date
    ends_on: date
    monthly_amount: int
    last_amount: int


def _claim_view(c: SubrogationClaim) -> ClaimView:
    return ClaimView(
        c.id,
        c.loan_id,
        c.bank_code,
        c.principal,
        c.interest,
        c.guaranteed_amount,
        c.filed_on,
        c.paid_on,
        c.status,
    )


def _debt_view(d: RecourseDebt) -> RecourseDebtView:
    return RecourseDebtView(d.id, d.claim_id, d.applicant_id, d.principal, d.balance, d.status, d.created_on)


def _transition(entity: str, table: dict[_S, frozenset[_S]], current: _S, wanted: _S) -> None:
    try:
        check_transition(entity, table, current, wanted)
    except IllegalTransition as exc:
        raise Conflict(exc.code, str(exc)) from None


def _not_after_today(platform: Platform, field: str, day: date) -> None:
    today = platform.today()
    if day > today:
        raise InputError(field, f"{day.isoformat()} is after today ({today.isoformat()})")


def _require_staff(actor: Actor, roles: frozenset[str], what: str) -> None:
    if actor.type is not ActorType.STAFF or actor.role not in roles:
        raise Forbidden(f"only {' or '.join(sorted(roles))} staff {what}")


# --- the bank's claim ----------------------------------------------------------------------------


def file_subrogation_claim(platform: Platform, bank: Actor, loan_id: int, filed_on: date) -> ClaimView:
    """The bank that executed a defaulted loan claims the guaranteed share of what is unpaid."""
    if bank.type is not ActorType.BANK:
        raise Forbidden("only the partner bank that executed the loan files a subrogation claim")
    with platform.sessions.begin() as session:
        loan = session.scalars(select(Loan).where(Loan.id == loan_id).with_for_update()).one_or_none()
        if loan is None or loan.bank_code != bank.id:
            raise NotFound("loan", loan_id)  # another bank's loan is not shown to exist
        _transition("loan", LOAN_TRANSITIONS, LoanStatus(loan.status), LoanStatus.SUBROGATED)
        guarantee = session.scalars(
            select(Guarantee).where(Guarantee.id == loan.guarantee_id).with_for_update()
        ).one()
        _transition(
            "guarantee", GUARANTEE_TRANSITIONS, GuaranteeStatus(guarantee.status), GuaranteeStatus.CLAIMED
        )
        if filed_on < loan.executed_on:
            raise InputError("filed_on", f"{filed_on.isoformat()} is before the loan was executed")
        _not_after_today(platform, "filed_on", filed_on)
        principal, interest = _unpaid(session, loan.id, filed_on)
        guaranteed = (principal + interest) * guarantee.ratio_bp // _RATIO_DENOMINATOR
        claim = SubrogationClaim(
            loan_id=loan.id,
            bank_code=loan.bank_code,
            principal=principal,
            interest=interest,
            guaranteed_amount=guaranteed,
            filed_on=filed_on,
            status=ClaimStatus.FILED.value,
        )
        session.add(claim)
        session.flush()
        reason = f"subrogation claim {claim.id} filed on {filed_on.isoformat()}"
        audit(
            session,
            bank,
            "subrogation_claim.filed",
            "subrogation_claim",
            claim.id,
            after={
                "loan_id": loan.id,
                "principal": principal,
                "interest": interest,
                "guaranteed_amount": guaranteed,
                "ratio_bp": guarantee.ratio_bp,
                "status": claim.status,
            },
            reason=reason,
        )
        _set_status(session, bank, "loan", loan, LoanStatus.SUBROGATED.value, reason)
        _set_status(session, bank, "guarantee", guarantee, GuaranteeStatus.CLAIMED.value, reason)
        return _claim_view(claim)


def _unpaid(session: Session, loan_id: int, filed_on: date) -> tuple[int, int]:
    """Unpaid principal of all installments and unpaid interest of those due by ``filed_on``."""
    i = Installment
    principal, interest = session.execute(
        select(
            func.coalesce(func.sum(i.principal_due - i.principal_paid), 0),
            func.coalesce(
                func.sum(case((i.due_date <= filed_on, i.interest_due - i.interest_paid), else_=0)), 0
            ),
        ).where(i.loan_id == loan_id)
    ).one()
    return int(principal), int(interest)


def _set_status(session: Session, actor: Actor, entity: str, row: Any, status: str, reason: str) -> None:
    before = row.status
    row.status = status
    audit(
        session,
        actor,
        f"{entity}.{status}",
        entity,
        row.id,
        before={"status": before},
        after={"status": status},
        reason=reason,
    )


# --- the agency pays: the recourse debt ---------------------------------------------------------


def pay_subrogation_claim(platform: Platform, staff: Actor, claim_id: int, paid_on: date) -> RecourseDebtView:
    """A supervisor pays a filed claim; the borrower then owes the agency the paid amount."""
    _require_staff(staff, PAYING_ROLES, "pay a subrogation claim")
    with platform.sessions.begin() as session:
        claim = session.scalars(
            select(SubrogationClaim).where(SubrogationClaim.id == claim_id).with_for_update()
        ).one_or_none()
        if claim is None:
            raise NotFound("subrogation claim", claim_id)
        _transition("subrogation_claim", CLAIM_TRANSITIONS, ClaimStatus(claim.status), ClaimStatus.PAID)
        if paid_on < claim.filed_on:
            raise InputError("paid_on", f"{paid_on.isoformat()} is before the claim was filed")
        _not_after_today(platform, "paid_on", paid_on)
        loan = session.get_one(Loan, claim.loan_id)
        claim.status = ClaimStatus.PAID.value
        claim.paid_on = paid_on
        debt = RecourseDebt(
            claim_id=claim.id,
            applicant_id=loan.applicant_id,
            principal=claim.guaranteed_amount,
            balance=claim.guaranteed_amount,
            status=RecourseStatus.OPEN.value,
            created_on=paid_on,
        )
        session.add(debt)
        session.flush()
        reason = f"subrogation claim {claim.id} paid on {paid_on.isoformat()}"
        audit(
            session,
            staff,
            "subrogation_claim.paid",
            "subrogation_claim",
            claim.id,
            before={"status": ClaimStatus.FILED.value},
            after={"status": claim.status, "paid_on": paid_on.isoformat(), "amount": claim.guaranteed_amount},
            reason=reason,
        )
        audit(
            session,
            staff,
            "recourse_debt.created",
            "recourse_debt",
            debt.id,
            after={"applicant_id": debt.applicant_id, "principal": debt.principal, "status": debt.status},
            reason=reason,
        )
        return _debt_view(debt)


# --- installment plans and deferrals -------------------------------------------------------------


def grant_installment_plan(
    platform: Platform, staff: Actor, recourse_debt_id: int, months: int, starts_on: date
) -> RecoursePlanView:
    """분할상환: ``months`` monthly payments of ``balance // months``, the last taking the remainder."""
    _require_staff(staff, PLAN_ROLES, "grant an installment plan")
    _check_months(months, MAX_PLAN_MONTHS)
    with platform.sessions.begin() as session:
        debt = _debt_for_update(session, recourse_debt_id)
        _transition(
            "recourse_debt",
            RECOURSE_TRANSITIONS,
            RecourseStatus(debt.status),
            RecourseStatus.INSTALLMENT_PLAN,
        )
        _check_start(debt, starts_on)
        if debt.status == RecourseStatus.DEFERRED.value:
            deferral_end = _deferral_end(session, debt.id)
            if deferral_end is not None and starts_on < deferral_end:
                raise InputError(
                    "starts_on", f"{starts_on.isoformat()} is within the deferral, which ends {deferral_end}"
                )
        if months > debt.balance:
            raise InputError("months", f"{months} months would leave monthly payments of 0 won")
        monthly = debt.balance // months
        plan = RecoursePlan(
            recourse_debt_id=debt.id,
            kind=RecourseStatus.INSTALLMENT_PLAN.value,
            months=months,
            starts_on=starts_on,
            monthly_amount=monthly,
        )
        return _grant(session, staff, debt, plan, RecourseStatus.INSTALLMENT_PLAN)


def grant_deferral(
    platform: Platform, staff: Actor, recourse_debt_id: int, months: int, starts_on: date
) -> RecoursePlanView:
    """상환유예: nothing is due for ``months`` months from ``starts_on``."""
    _require_staff(staff, PLAN_ROLES, "grant a deferral")
    _check_months(months, MAX_DEFERRAL_MONTHS)
    with platform.sessions.begin() as session:
        debt = _debt_for_update(session, recourse_debt_id)
        _transition(
            "recourse_debt", RECOURSE_TRANSITIONS, RecourseStatus(debt.status), RecourseStatus.DEFERRED
        )
        _check_start(debt, starts_on)
        plan = RecoursePlan(
            recourse_debt_id=debt.id,
            kind="deferral",
            months=months,
            starts_on=starts_on,
            monthly_amount=0,
        )
        return _grant(session, staff, debt, plan, RecourseStatus.DEFERRED)


def _check_months(months: int, maximum: int) -> None:
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= maximum:
        raise InputError("months", f"must be a whole number of months from 1 to {maximum}")


def _check_start(debt: RecourseDebt, starts_on: date) -> None:
    if starts_on < debt.created_on:
        raise InputError(
            "starts_on", f"{starts_on.isoformat()} is before the debt arose on {debt.created_on}"
        )


def _debt_for_update(session: Session, recourse_debt_id: int) -> RecourseDebt:
    debt = session.scalars(
        select(RecourseDebt).where(RecourseDebt.id == recourse_debt_id).with_for_update()
    ).one_or_none()
    if debt is None:
        raise NotFound("recourse debt", recourse_debt_id)
    return debt


def _deferral_end(session: Session, recourse_debt_id: int) -> date | None:
    latest = session.scalars(
        select(RecoursePlan)
        .where(RecoursePlan.recourse_debt_id == recourse_debt_id, RecoursePlan.kind == "deferral")
        .order_by(RecoursePlan.id.desc())
        .limit(1)
    ).one_or_none()
    return None if latest is None else add_months(latest.starts_on, latest.months, latest.starts_on.day)


def _plan_view(plan: RecoursePlan, balance: int) -> RecoursePlanView:
    if plan.kind == "deferral":
        ends_on = add_months(plan.starts_on, plan.months, plan.starts_on.day)
        last = 0
    else:
        ends_on = add_months(plan.starts_on, plan.months - 1, plan.starts_on.day)
        last = balance - (plan.months - 1) * plan.monthly_amount
    return RecoursePlanView(
        plan.id,
        plan.recourse_debt_id,
        plan.kind,
        plan.months,
        plan.starts_on,
        ends_on,
        plan.monthly_amount,
        last,
    )


def _grant(
    session: Session, staff: Actor, debt: RecourseDebt, plan: RecoursePlan, status: RecourseStatus
) -> RecoursePlanView:
    session.add(plan)
    session.flush()
    view = _plan_view(plan, debt.balance)
    before = debt.status
    debt.status = status.value
    audit(
        session,
        staff,
        f"recourse_debt.{plan.kind}_granted",
        "recourse_debt",
        debt.id,
        before={"status": before},
        after={
            "status": debt.status,
            "plan_id": plan.id,
            "kind": plan.kind,
            "months": plan.months,
            "starts_on": plan.starts_on.isoformat(),
            "ends_on": view.ends_on.isoformat(),
            "monthly_amount": view.monthly_amount,
            "last_amount": view.last_amount,
            "balance": debt.balance,
        },
        reason=f"{plan.kind} of {plan.months} months from {plan.starts_on.isoformat()}",
    )
    return view
