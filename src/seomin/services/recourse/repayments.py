"""Recourse repayments (구상채무 상환): a deposit to the debt's virtual account, reported by the bank that
keeps the agency's collection accounts, or money taken at the counter by staff; and charges (costs,
delinquency interest, interest) on top of the principal. Reads: one debt with its parts, plan progress,
repayments and charges, for staff and for the debtor.

Exactly once: every repayment carries an idempotency key, unique in ``recourse_repayments`` within its
namespace (``bank:<code>:`` for a bank, ``counter:`` for staff). The debt row is locked before the key is
looked up, so a retry racing its original waits and then finds it; the same key with another debt, amount
or day is ``Conflict IDEMPOTENCY_KEY_REUSED``. The split is ``domain.recourse_servicing.allocate`` (costs,
then delinquency interest, then interest, then principal); the debt's ``balance`` is what is owed after
it, and a debt paid to 0 becomes ``repaid``. Each repayment and charge is audited on the debt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import (
    Applicant,
    RecourseCharge,
    RecourseDebt,
    RecoursePlan,
    RecourseRepayment,
)
from seomin.domain.lifecycle import RecourseStatus
from seomin.domain.recourse import INSTALLMENT_PLAN, arrangement_terms
from seomin.domain.recourse_servicing import (
    ALLOCATION_ORDER,
    CHARGE_KINDS,
    Owed,
    PlanProgress,
    RecourseRefusal,
    allocate,
    debtor_of_account,
    format_account,
    plan_progress,
    virtual_account,
)
from seomin.services.errors import Conflict, Forbidden, InputError, InputErrorCode, NotFound
from seomin.services.platform import Actor, ActorType, Platform, audit
from seomin.services.recourse.common import (
    _bounded_text,
    _debt_for_update,
    _not_after_today,
    _positive_won,
    _require_staff,
)

COUNTER_ROLES = frozenset({"counselor", "supervisor"})
CHARGE_ROLES = frozenset({"supervisor"})
MAX_KEY = 128
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class RepaymentView:
    id: int
    recourse_debt_id: int
    channel: str
    """``virtual_account`` (a bank reported the deposit) or ``counter`` (staff took it)."""
    amount: int
    paid_on: date
    costs: int
    delinquency_interest: int
    interest: int
    principal: int
    balance_after: int


@dataclass(frozen=True, slots=True)
class ChargeView:
    id: int
    kind: str
    amount: int
    charged_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class RepaymentReceipt:
    """The answer to a repayment, the same on a retry with the same key."""

    repayment: RepaymentView
    status: str
    """The debt's state after it (``repaid`` when it paid the debt off)."""
    balance: int


@dataclass(frozen=True, slots=True)
class PlanStanding:
    """The installment plan in force and how far the debtor is on it."""

    plan_id: int
    months: int
    starts_on: date
    ends_on: date
    monthly_amount: int
    last_amount: int
    paid_under_plan: int
    covered: int
    behind: int
    arrears: int
    days_behind: int
    next_no: int | None
    next_on: date | None
    next_amount: int | None


@dataclass(frozen=True, slots=True)
class RecourseDebtDetail:
    """One recourse debt for staff or its debtor: what is owed by part, where to pay, the plan, history."""

    id: int
    applicant_id: int
    rrn_masked: str
    status: str
    principal: int
    balance: int
    created_on: date
    claim_id: int | None
    agency_loan_id: int | None
    virtual_account: str
    """The deposit reference, as people write it (``5617-000000012-3``)."""
    owed_costs: int
    owed_delinquency_interest: int
    owed_interest: int
    owed_principal: int
    repaid_total: int
    last_paid_on: date | None
    plan: PlanStanding | None
    repayments: list[RepaymentView]
    """Newest first."""
    charges: list[ChargeView]


# --- writes --------------------------------------------------------------------------------------------


def record_deposit(
    platform: Platform, bank: Actor, reference: str, amount: int, paid_on: date, idempotency_key: str
) -> RepaymentReceipt:
    """A bank reports a deposit to a debtor's virtual account (가상계좌 입금 통지); the receipt is the first
    debt's.

    One reference per person: the deposit goes to their open debts oldest first (by the day each arose),
    each debt's share split in ``ALLOCATION_ORDER``, and only what a debt owes goes to it; more than all
    the person owes is refused whole. A retried deposit answers what it recorded the first time."""
    if bank.type is not ActorType.BANK:
        raise Forbidden("only the collection bank reports virtual-account deposits")
    try:
        debtor_id = debtor_of_account(reference)
    except RecourseRefusal as exc:
        raise InputError(exc.field, exc.message) from None
    key = f"bank:{bank.id}:{_key(idempotency_key)}"
    return _once(
        platform, amount, paid_on, lambda session: _deposit_in(session, bank, debtor_id, amount, paid_on, key)
    )


def _deposit_in(
    session: Session, bank: Actor, debtor_id: int, amount: int, paid_on: date, key: str
) -> RepaymentReceipt:
    parts = session.scalars(
        select(RecourseRepayment)
        .where(
            (RecourseRepayment.idempotency_key == key)
            | RecourseRepayment.idempotency_key.startswith(f"{key}#", autoescape=True)
        )
        .order_by(RecourseRepayment.id)
        .execution_options(populate_existing=True)
    ).all()
    if parts:  # a retry: what the first delivery recorded
        if sum(p.amount for p in parts) != amount or parts[0].paid_on != paid_on:
            raise Conflict("IDEMPOTENCY_KEY_REUSED", "this key recorded a different deposit")
        first = session.get_one(RecourseDebt, parts[0].recourse_debt_id)
        return RepaymentReceipt(_repayment_view(parts[0]), first.status, first.balance)
    debts = session.scalars(
        select(RecourseDebt.id)
        .where(RecourseDebt.applicant_id == debtor_id)
        .order_by(RecourseDebt.created_on, RecourseDebt.id)
    ).all()
    if not debts:
        raise NotFound("recourse debtor", debtor_id)
    receipts: list[RepaymentReceipt] = []
    left = amount
    for debt_id in debts:
        debt = _debt_for_update(session, debt_id)
        owes = 0 if debt.status == RecourseStatus.REPAID.value else owed_of(session, debt).total
        share = min(left, owes)
        if share == 0:
            continue
        part_key = key if not receipts else f"{key}#{len(receipts)}"
        receipts.append(_record_in(session, bank, debt.id, share, paid_on, part_key, "virtual_account"))
        left -= share
        if left == 0:
            break
    if not receipts:
        raise Conflict("RECOURSE_DEBT_REPAID", "every recourse debt of this person is repaid: nothing owed")
    if left:
        raise InputError("amount", f"{amount:,} won is more than the {amount - left:,} won owed in all")
    return receipts[0]


def record_counter_repayment(
    platform: Platform, staff: Actor, debt_id: int, amount: int, paid_on: date, idempotency_key: str
) -> RepaymentReceipt:
    """Staff record money the debtor paid at a center (창구 수납)."""
    _require_staff(staff, COUNTER_ROLES, "record a recourse repayment")
    return _record(platform, staff, debt_id, amount, paid_on, f"counter:{_key(idempotency_key)}", "counter")


def _key(idempotency_key: str) -> str:
    key = idempotency_key.strip()
    if not 1 <= len(key) <= MAX_KEY:
        raise InputError("Idempotency-Key", f"1 to {MAX_KEY} characters")
    return key


def _record(
    platform: Platform, actor: Actor, debt_id: int, amount: int, paid_on: date, key: str, channel: str
) -> RepaymentReceipt:
    return _once(
        platform,
        amount,
        paid_on,
        lambda session: _record_in(session, actor, debt_id, amount, paid_on, key, channel),
    )


def _once(
    platform: Platform, amount: int, paid_on: date, record: Callable[[Session], RepaymentReceipt]
) -> RepaymentReceipt:
    """Check the amount and day, then ``record`` in one transaction; a twin request that took the key at the
    same moment makes it run once more, where it finds the key and answers as a retry (or as reuse)."""
    _positive_won("amount", amount)
    _not_after_today(platform, "paid_on", paid_on)
    for attempt in range(2):
        try:
            with transaction(platform.sessions) as session:
                return record(session)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _record_in(
    session: Session, actor: Actor, debt_id: int, amount: int, paid_on: date, key: str, channel: str
) -> RepaymentReceipt:
    debt = _debt_for_update(session, debt_id)
    done = session.scalars(
        select(RecourseRepayment)
        .where(RecourseRepayment.idempotency_key == key)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if done is not None:
        if (done.recourse_debt_id, done.amount, done.paid_on) != (debt.id, amount, paid_on):
            raise Conflict("IDEMPOTENCY_KEY_REUSED", "this key recorded a different repayment")
        return RepaymentReceipt(_repayment_view(done), debt.status, debt.balance)
    if debt.status == RecourseStatus.REPAID.value:
        raise Conflict("RECOURSE_DEBT_REPAID", f"recourse debt {debt.id} is repaid; nothing is owed")
    if paid_on < debt.created_on:
        raise InputError(
            "paid_on",
            f"{paid_on.isoformat()} is before the debt arose on {debt.created_on}",
            InputErrorCode.DATE_BEFORE_START,
        )
    owed = owed_of(session, debt)
    try:
        split = allocate(owed, amount)
    except RecourseRefusal as exc:
        raise InputError(exc.field, exc.message) from None
    plan = _plan_in_force(session, debt) if debt.status == RecourseStatus.INSTALLMENT_PLAN.value else None
    row = RecourseRepayment(
        recourse_debt_id=debt.id,
        plan_id=None if plan is None else plan.id,
        channel=channel,
        amount=amount,
        paid_on=paid_on,
        costs=split.costs,
        delinquency_interest=split.delinquency_interest,
        interest=split.interest,
        principal=split.principal,
        balance_after=split.after.total,
        idempotency_key=key,
        recorded_by=actor.label,
    )
    session.add(row)
    session.flush()
    before = {"status": debt.status, "balance": debt.balance}
    debt.balance = split.after.total
    if debt.balance == 0:
        debt.status = RecourseStatus.REPAID.value
    audit(
        session,
        actor,
        "recourse_debt.repaid" if debt.balance == 0 else "recourse_debt.repayment",
        "recourse_debt",
        debt.id,
        before=before,
        after={
            "status": debt.status,
            "balance": debt.balance,
            "repayment_id": row.id,
            "amount": amount,
            "paid_on": paid_on.isoformat(),
            **{part: getattr(split, part) for part in ALLOCATION_ORDER},
        },
        reason=f"{channel} repayment of {amount} won",
    )
    return RepaymentReceipt(_repayment_view(row), debt.status, debt.balance)


def charge_recourse_debt(
    platform: Platform, staff: Actor, debt_id: int, kind: str, amount: int, charged_on: date, reason: str
) -> RecourseDebtDetail:
    """A supervisor charges costs, delinquency interest or interest on a debt (it raises the balance)."""
    _require_staff(staff, CHARGE_ROLES, "charge a recourse debt")
    if kind not in CHARGE_KINDS:
        raise InputError("kind", f"one of {', '.join(CHARGE_KINDS)}")
    _positive_won("amount", amount)
    reason = _bounded_text("reason", reason, MAX_REASON)
    _not_after_today(platform, "charged_on", charged_on)
    with transaction(platform.sessions) as session:
        debt = _debt_for_update(session, debt_id)
        if debt.status == RecourseStatus.REPAID.value:
            raise Conflict("RECOURSE_DEBT_REPAID", f"recourse debt {debt.id} is repaid")
        if charged_on < debt.created_on:
            raise InputError("charged_on", f"before the debt arose on {debt.created_on}")
        row = RecourseCharge(
            recourse_debt_id=debt.id,
            kind=kind,
            amount=amount,
            charged_on=charged_on,
            reason=reason,
            recorded_by=staff.label,
        )
        session.add(row)
        session.flush()
        before = debt.balance
        debt.balance += amount
        audit(
            session,
            staff,
            "recourse_debt.charged",
            "recourse_debt",
            debt.id,
            before={"balance": before},
            after={"balance": debt.balance, "charge_id": row.id, "kind": kind, "amount": amount},
            reason=reason,
        )
        return _detail(session, debt, platform.today())


# --- reads ---------------------------------------------------------------------------------------------


def recourse_debt(platform: Platform, actor: Actor, debt_id: int) -> RecourseDebtDetail:
    """One debt: any staff role, or the debtor (anyone else's is not found)."""
    with platform.sessions() as session:
        debt = session.get(RecourseDebt, debt_id)
        if debt is None or not _may_see(actor, debt):
            raise NotFound("recourse debt", debt_id)
        return _detail(session, debt, platform.today())


def recourse_debts_of(platform: Platform, actor: Actor) -> list[RecourseDebtDetail]:
    """The signed-in debtor's recourse debts, newest first."""
    if actor.type is not ActorType.APPLICANT:
        raise Forbidden("only the debtor reads their own recourse debts")
    today = platform.today()
    with platform.sessions() as session:
        debts = session.scalars(
            select(RecourseDebt)
            .where(RecourseDebt.applicant_id == int(actor.id))
            .order_by(RecourseDebt.id.desc())
        ).all()
        return [_detail(session, debt, today) for debt in debts]


def _may_see(actor: Actor, debt: RecourseDebt) -> bool:
    if actor.type is ActorType.STAFF:
        return True
    return actor.type is ActorType.APPLICANT and actor.id == str(debt.applicant_id)


def owed_of(session: Session, debt: RecourseDebt) -> Owed:
    """What ``debt`` owes by part: charges less what repayments paid of each, the principal less its part."""
    charged = dict(
        session.execute(
            select(RecourseCharge.kind, func.sum(RecourseCharge.amount))
            .where(RecourseCharge.recourse_debt_id == debt.id)
            .group_by(RecourseCharge.kind)
        ).all()
    )
    r = RecourseRepayment
    paid = session.execute(
        select(
            func.coalesce(func.sum(r.costs), 0),
            func.coalesce(func.sum(r.delinquency_interest), 0),
            func.coalesce(func.sum(r.interest), 0),
            func.coalesce(func.sum(r.principal), 0),
        ).where(r.recourse_debt_id == debt.id)
    ).one()
    costs, delinquency, interest, _ = (int(v) for v in paid)
    return Owed(
        costs=int(charged.get("costs", 0)) - costs,
        delinquency_interest=int(charged.get("delinquency_interest", 0)) - delinquency,
        interest=int(charged.get("interest", 0)) - interest,
        principal=debt.balance
        - sum(int(charged.get(k, 0)) for k in CHARGE_KINDS)
        + costs
        + delinquency
        + interest,
    )


def _plan_in_force(session: Session, debt: RecourseDebt) -> RecoursePlan | None:
    return session.scalars(
        select(RecoursePlan)
        .where(
            RecoursePlan.recourse_debt_id == debt.id,
            RecoursePlan.kind == INSTALLMENT_PLAN,
            RecoursePlan.status == "in_force",
        )
        .order_by(RecoursePlan.id.desc())
        .limit(1)
    ).one_or_none()


def paid_under(session: Session, plan_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(RecourseRepayment.amount), 0)).where(
            RecourseRepayment.plan_id == plan_id
        )
    )
    return int(total or 0)


def plan_standing(plan: RecoursePlan, paid: int, balance: int, today: date) -> PlanStanding:
    """The plan's terms and the debtor's progress on it (``domain.recourse_servicing.plan_progress``)."""
    progress: PlanProgress = plan_progress(
        plan.starts_on, plan.months, plan.monthly_amount, paid, balance, today
    )
    terms = arrangement_terms(plan.kind, plan.starts_on, plan.months, plan.monthly_amount, paid + balance)
    return PlanStanding(
        plan_id=plan.id,
        months=plan.months,
        starts_on=plan.starts_on,
        ends_on=terms.ends_on,
        monthly_amount=plan.monthly_amount,
        last_amount=terms.last_amount,
        paid_under_plan=paid,
        covered=progress.covered,
        behind=progress.behind,
        arrears=progress.arrears,
        days_behind=progress.days_behind(today),
        next_no=progress.next_no,
        next_on=progress.next_on,
        next_amount=progress.next_amount,
    )


def recourse_history(session: Session, debt_id: int) -> list[RepaymentView]:
    """A debt's repayments, newest first."""
    rows = session.scalars(
        select(RecourseRepayment)
        .where(RecourseRepayment.recourse_debt_id == debt_id)
        .order_by(RecourseRepayment.paid_on.desc(), RecourseRepayment.id.desc())
    )
    return [_repayment_view(r) for r in rows]


def _detail(session: Session, debt: RecourseDebt, today: date) -> RecourseDebtDetail:
    owed = owed_of(session, debt)
    repayments = recourse_history(session, debt.id)
    charges = session.scalars(
        select(RecourseCharge).where(RecourseCharge.recourse_debt_id == debt.id).order_by(RecourseCharge.id)
    ).all()
    plan = _plan_in_force(session, debt) if debt.status == RecourseStatus.INSTALLMENT_PLAN.value else None
    standing = (
        None if plan is None else plan_standing(plan, paid_under(session, plan.id), debt.balance, today)
    )
    rrn_masked = session.scalar(select(Applicant.rrn_masked).where(Applicant.id == debt.applicant_id)) or ""
    return RecourseDebtDetail(
        id=debt.id,
        applicant_id=debt.applicant_id,
        rrn_masked=rrn_masked,
        status=debt.status,
        principal=debt.principal,
        balance=debt.balance,
        created_on=debt.created_on,
        claim_id=debt.claim_id,
        agency_loan_id=debt.agency_loan_id,
        virtual_account=format_account(virtual_account(debt.applicant_id)),
        owed_costs=owed.costs,
        owed_delinquency_interest=owed.delinquency_interest,
        owed_interest=owed.interest,
        owed_principal=owed.principal,
        repaid_total=sum(r.amount for r in repayments),
        last_paid_on=repayments[0].paid_on if repayments else None,
        plan=standing,
        repayments=repayments,
        charges=[ChargeView(c.id, c.kind, c.amount, c.charged_on, c.reason) for c in charges],
    )


def _repayment_view(r: RecourseRepayment) -> RepaymentView:
    return RepaymentView(
        r.id,
        r.recourse_debt_id,
        r.channel,
        r.amount,
        r.paid_on,
        r.costs,
        r.delinquency_interest,
        r.interest,
        r.principal,
        r.balance_after,
    )
