"""Recourse arrangements: an installment plan (분할상환) or a deferral (상환유예) granted by staff on
a recourse debt; their dates and amounts are the one rule of ``domain.recourse``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import RecourseDebt, RecoursePlan
from seomin.domain.lifecycle import RECOURSE_TRANSITIONS, RecourseStatus
from seomin.domain.recourse import (
    DEFERRAL,
    SECOND_APPROVAL_ABOVE_MONTHS,
    arrangement_terms,
    deferral_ends_on,
    needs_second_approval,
    plan_monthly_amount,
)
from seomin.services.errors import Conflict, InputError, NotFound
from seomin.services.platform import Actor, Platform, audit
from seomin.services.recourse.common import _debt_for_update, _require_staff, _transition

APPROVER_ROLES = frozenset({"supervisor"})
PLAN_ROLES = frozenset({"counselor", "supervisor"})
MAX_PLAN_MONTHS = 120
MAX_DEFERRAL_MONTHS = 24


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
    status: str = "in_force"
    """``in_force``, or ``proposed`` until a second approver approves it (``approve_arrangement``)."""


# --- installment plans and deferrals -------------------------------------------------------------


def grant_installment_plan(
    platform: Platform, staff: Actor, recourse_debt_id: int, months: int, starts_on: date
) -> RecoursePlanView:
    """분할상환: ``months`` monthly payments of ``balance // months``, the last taking the remainder."""
    _require_staff(staff, PLAN_ROLES, "grant an installment plan")
    _check_months(months, MAX_PLAN_MONTHS)
    with platform.sessions.begin() as session:
        return plan_in(session, staff, recourse_debt_id, months, starts_on)


def plan_in(
    session: Session, actor: Actor, recourse_debt_id: int, months: int, starts_on: date
) -> RecoursePlanView:
    """``grant_installment_plan`` in the caller's transaction, for whoever the caller has authorized (a
    counselor, or the rules deciding a debtor's online request)."""
    debt = _debt_moving_to(session, recourse_debt_id, RecourseStatus.INSTALLMENT_PLAN, starts_on)
    if debt.status == RecourseStatus.DEFERRED.value:
        deferral_end = _deferral_end(session, debt.id)
        if deferral_end is not None and starts_on < deferral_end:
            raise InputError(
                "starts_on", f"{starts_on.isoformat()} is within the deferral, which ends {deferral_end}"
            )
    if months > debt.balance:
        raise InputError("months", f"{months} months would leave monthly payments of 0 won")
    monthly = plan_monthly_amount(debt.balance, months)
    plan = RecoursePlan(
        recourse_debt_id=debt.id,
        kind=RecourseStatus.INSTALLMENT_PLAN.value,
        months=months,
        starts_on=starts_on,
        monthly_amount=monthly,
    )
    return _grant(session, actor, debt, plan, RecourseStatus.INSTALLMENT_PLAN)


def grant_deferral(
    platform: Platform, staff: Actor, recourse_debt_id: int, months: int, starts_on: date
) -> RecoursePlanView:
    """상환유예: nothing is due for ``months`` months from ``starts_on``."""
    _require_staff(staff, PLAN_ROLES, "grant a deferral")
    _check_months(months, MAX_DEFERRAL_MONTHS)
    with platform.sessions.begin() as session:
        return deferral_in(session, staff, recourse_debt_id, months, starts_on)


def deferral_in(
    session: Session, actor: Actor, recourse_debt_id: int, months: int, starts_on: date
) -> RecoursePlanView:
    """``grant_deferral`` in the caller's transaction (see ``plan_in``)."""
    debt = _debt_moving_to(session, recourse_debt_id, RecourseStatus.DEFERRED, starts_on)
    plan = RecoursePlan(
        recourse_debt_id=debt.id, kind="deferral", months=months, starts_on=starts_on, monthly_amount=0
    )
    return _grant(session, actor, debt, plan, RecourseStatus.DEFERRED)


def _debt_moving_to(
    session: Session, recourse_debt_id: int, wanted: RecourseStatus, starts_on: date
) -> RecourseDebt:
    """The debt, locked, once its state may become ``wanted`` and ``starts_on`` is not before it arose."""
    debt = _debt_for_update(session, recourse_debt_id)
    _transition("recourse_debt", RECOURSE_TRANSITIONS, RecourseStatus(debt.status), wanted)
    _check_start(debt, starts_on)
    return debt


def _check_months(months: int, maximum: int) -> None:
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= maximum:
        raise InputError("months", f"must be a whole number of months from 1 to {maximum}")


def _check_start(debt: RecourseDebt, starts_on: date) -> None:
    if starts_on < debt.created_on:
        raise InputError(
            "starts_on", f"{starts_on.isoformat()} is before the debt arose on {debt.created_on}"
        )


def _deferral_end(session: Session, recourse_debt_id: int) -> date | None:
    latest = session.scalars(
        select(RecoursePlan)
        .where(
            RecoursePlan.recourse_debt_id == recourse_debt_id,
            RecoursePlan.kind == "deferral",
            RecoursePlan.status == "in_force",
        )
        .order_by(RecoursePlan.id.desc())
        .limit(1)
    ).one_or_none()
    return None if latest is None else deferral_ends_on(latest.starts_on, latest.months)


def _plan_view(plan: RecoursePlan, balance: int) -> RecoursePlanView:
    terms = arrangement_terms(plan.kind, plan.starts_on, plan.months, plan.monthly_amount, balance)
    return RecoursePlanView(
        plan.id,
        plan.recourse_debt_id,
        plan.kind,
        plan.months,
        plan.starts_on,
        terms.ends_on,
        plan.monthly_amount,
        terms.last_amount,
        plan.status,
    )


def _grant(
    session: Session, staff: Actor, debt: RecourseDebt, plan: RecoursePlan, status: RecourseStatus
) -> RecoursePlanView:
    pending = session.scalars(
        select(RecoursePlan.id).where(
            RecoursePlan.recourse_debt_id == debt.id, RecoursePlan.status == "proposed"
        )
    ).first()
    if pending is not None:
        raise Conflict(
            "RECOURSE_ARRANGEMENT_PENDING",
            f"arrangement {pending} awaits its second approver; approve it before proposing another",
        )
    if needs_second_approval(plan.kind, plan.months):
        plan.status, plan.proposed_by = "proposed", staff.id
        session.add(plan)
        session.flush()
        view = _plan_view(plan, debt.balance)
        audit(
            session,
            staff,
            f"recourse_debt.{plan.kind}_proposed",
            "recourse_debt",
            debt.id,
            after={"plan_id": plan.id, "kind": plan.kind, "months": plan.months, "status": "proposed"},
            reason=f"{plan.months} months is above {SECOND_APPROVAL_ABOVE_MONTHS[plan.kind]}: a second "
            "approver (another supervisor) must approve it",
        )
        return view
    return _put_in_force(session, staff, debt, plan, status)


def approve_arrangement(platform: Platform, supervisor: Actor, plan_id: int) -> RecoursePlanView:
    """The checker's approval of a long arrangement: a supervisor other than the proposer puts it in force."""
    _require_staff(supervisor, APPROVER_ROLES, "approve a recourse arrangement")
    with platform.sessions.begin() as session:
        found = session.get(RecoursePlan, plan_id)
        if found is None:
            raise NotFound("recourse arrangement", plan_id)
        debt = _debt_for_update(session, found.recourse_debt_id)
        plan = session.get_one(RecoursePlan, plan_id)
        if plan.status != "proposed":
            raise Conflict("RECOURSE_ARRANGEMENT_IN_FORCE", f"arrangement {plan_id} is already in force")
        if plan.proposed_by == supervisor.id:
            raise Conflict("SECOND_APPROVER_SAME", "the proposer of an arrangement cannot also approve it")
        wanted = RecourseStatus.DEFERRED if plan.kind == DEFERRAL else RecourseStatus.INSTALLMENT_PLAN
        _transition("recourse_debt", RECOURSE_TRANSITIONS, RecourseStatus(debt.status), wanted)
        plan.approved_by = supervisor.id
        return _put_in_force(session, supervisor, debt, plan, wanted)


def _put_in_force(
    session: Session, staff: Actor, debt: RecourseDebt, plan: RecoursePlan, status: RecourseStatus
) -> RecoursePlanView:
    plan.status = "in_force"
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
