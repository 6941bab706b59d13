"""Corrections of a bank loan (거래 정정·감면) under maker-checker.

- ``propose_correction``: the bank that executed the loan, or agency staff (reviewer, supervisor),
  proposes a reversal of a payment, an adjustment of its amount, a waiver of interest or delinquency
  interest owed on a day, a reschedule, or a write-off (상각: the loan is closed as ``written_off`` with
  the principal left given up, and nothing more is aged or claimed), with a reason.
  The effect is computed at once (a dry run of the re-allocation),
  so an impossible correction is refused before anyone approves it, and the checker sees what it does.
  One correction may be pending per loan.
- ``decide_correction``: a supervisor other than the proposer approves (the loan is locked, the history
  re-allocated again on what is stored now, installments, payments and balance written, audited) or
  declines it.

The history is every payment of the loan by day (and id): a reversed payment stays with amount 0 and no
split, a waiver is a payment row of amount 0 whose split is what it waived; the correction row keeps the
amounts before. Loans repaid or subrogated are not corrected here (``LOAN_REPAID``/``LOAN_SUBROGATED``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import Guarantee, Installment, Loan, LoanCorrection, Payment
from seomin.domain.lifecycle import CLOSED_LOAN_STATUSES, LOAN_TRANSITIONS, LoanStatus, check_transition
from seomin.domain.loan_corrections import (
    MAX_EXTRA_MONTHS,
    WAIVABLE,
    CorrectionRefused,
    Entry,
    Reallocated,
    reallocate,
    rescheduled,
    waivable,
)
from seomin.domain.repayment import InstallmentState, RepaymentError
from seomin.services.errors import Conflict, Forbidden, InputError, InputErrorCode, NotFound
from seomin.services.loans import load_ledger
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row

MAKER_ROLES = frozenset({"reviewer", "supervisor"})
CHECKER_ROLES = frozenset({"supervisor"})
KINDS = ("reversal", "adjustment", "waiver", "reschedule", "write_off")
MAX_RATE_BP = 2000  # the legal maximum rate, 20% a year
MAX_REASON = 1000


@dataclass(frozen=True, slots=True)
class CorrectionView:
    id: int
    loan_id: int
    kind: str
    payment_id: int | None
    amount: int | None
    part: str | None
    effective_on: date | None
    reason: str
    status: str
    proposed_by: str
    decided_by: str | None
    principal_balance_before: int
    principal_balance_after: int
    splits_changed: int
    """How many payments' splits the re-allocation changes (the corrected one included)."""
    extra_months: int | None = None
    rate_bp: int | None = None
    term_months_after: int | None = None
    """A reschedule: the loan's term after it."""
    next_payment: int | None = None
    """A reschedule: the next installment's amount after it."""
    written_off: int | None = None
    """A write-off: the principal given up."""


def propose_correction(
    platform: Platform,
    maker: Actor,
    loan_id: int,
    kind: str,
    reason: str,
    *,
    payment_id: int | None = None,
    amount: int | None = None,
    part: str | None = None,
    effective_on: date | None = None,
    extra_months: int | None = None,
    rate_bp: int | None = None,
) -> CorrectionView:
    _may_make(maker)
    if kind not in KINDS:
        raise InputError("kind", f"one of {', '.join(KINDS)}")
    reason = reason.strip()
    if not 1 <= len(reason) <= MAX_REASON:
        raise InputError("reason", f"1 to {MAX_REASON} characters: why the correction is needed")
    if kind in ("reversal", "adjustment") and payment_id is None:
        raise InputError("payment_id", "the payment to correct")
    if kind == "adjustment" and (amount is None or amount <= 0):
        raise InputError("amount", "the payment's right amount, above 0 won")
    if kind == "waiver":
        if part not in WAIVABLE:
            raise InputError("part", f"one of {', '.join(WAIVABLE)}")
        if amount is None or amount <= 0:
            raise InputError("amount", "the amount waived, above 0 won")
        effective_on = effective_on or platform.today()
        if effective_on > platform.today():
            raise InputError("effective_on", "after today", InputErrorCode.DATE_AFTER_TODAY)
    if kind == "reschedule":
        if extra_months is not None and not 0 <= extra_months <= MAX_EXTRA_MONTHS:
            raise InputError("extra_months", f"0 to {MAX_EXTRA_MONTHS} installments added")
        if rate_bp is not None and not 1 <= rate_bp <= MAX_RATE_BP:
            raise InputError("rate_bp", f"1 to {MAX_RATE_BP} basis points (the legal maximum)")
        if not extra_months and rate_bp is None:
            raise InputError("extra_months", "a reschedule changes the term, the rate or both")
        effective_on = platform.today()
    with transaction(platform.sessions) as session:
        loan = _loan(session, maker, loan_id)
        pending = session.scalars(
            select(LoanCorrection.id).where(
                LoanCorrection.loan_id == loan.id, LoanCorrection.status == "proposed"
            )
        ).first()
        if pending is not None:
            raise Conflict("CORRECTION_PENDING", f"correction {pending} on this loan awaits its checker")
        row = LoanCorrection(
            loan_id=loan.id,
            kind=kind,
            payment_id=payment_id if kind != "waiver" else None,
            amount=amount if kind != "reversal" else None,
            part=part if kind == "waiver" else None,
            effective_on=effective_on if kind in ("waiver", "reschedule") else None,
            extra_months=extra_months if kind == "reschedule" else None,
            rate_bp=rate_bp if kind == "reschedule" else None,
            reason=reason,
            status="proposed",
            proposed_by=maker.label,
        )
        if kind == "reschedule":
            effect = _reschedule(session, platform, loan, row, write=False)
        elif kind == "write_off":
            effect = _write_off(loan)
        else:
            effect = _effect(session, loan, row)[0]
        row.effect = effect
        session.add(row)
        session.flush()
        audit(
            session,
            maker,
            "loan_correction.proposed",
            "loan",
            loan.id,
            after={"correction_id": row.id, "kind": kind, **effect},
            reason=reason,
        )
        return _view(row)


def decide_correction(
    platform: Platform, checker: Actor, correction_id: int, approve: bool, note: str = ""
) -> CorrectionView:
    if checker.type is not ActorType.STAFF or checker.role not in CHECKER_ROLES:
        raise Forbidden("only a supervisor approves a loan correction")
    with transaction(platform.sessions) as session:
        found = session.get(LoanCorrection, correction_id)
        if found is None:
            raise NotFound("loan correction", correction_id)
        loan = locked_row(session, Loan, Loan.id, found.loan_id, "loan")
        row = locked_row(session, LoanCorrection, LoanCorrection.id, correction_id, "loan correction")
        if row.status != "proposed":
            raise Conflict("CORRECTION_DECIDED", f"correction {row.id} is already {row.status}")
        if row.proposed_by == checker.label:
            raise Conflict("SECOND_APPROVER_SAME", "the proposer of a correction cannot also approve it")
        row.decided_by, row.note = checker.label, note.strip()[:MAX_REASON]
        if not approve:
            row.status = "declined"
            audit(
                session,
                checker,
                "loan_correction.declined",
                "loan",
                loan.id,
                after={"correction_id": row.id},
                reason=row.note,
            )
            return _view(row)
        _check_open(loan)
        if row.kind == "reschedule":
            effect = _reschedule(session, platform, loan, row, write=True)
        elif row.kind == "write_off":
            effect = _write_off(loan)
            check_transition("loan", LOAN_TRANSITIONS, LoanStatus(loan.status), LoanStatus.WRITTEN_OFF)
            loan.status = LoanStatus.WRITTEN_OFF.value
        else:
            effect, result, history = _effect(session, loan, row)
            _write(session, loan, row, result, history)
        row.status, row.effect = "applied", effect
        audit(
            session,
            checker,
            f"loan_correction.{row.kind}_applied",
            "loan",
            loan.id,
            before={"principal_balance": effect["principal_balance_before"]},
            after={"correction_id": row.id, **effect},
            reason=f"{row.reason} (approved: {row.note})" if row.note else row.reason,
        )
        return _view(row)


def list_corrections(
    platform: Platform, staff: Actor, status: str | None = "proposed"
) -> list[CorrectionView]:
    if staff.type is not ActorType.STAFF:
        raise Forbidden("staff only")
    with platform.sessions() as session:
        query = select(LoanCorrection).order_by(LoanCorrection.id)
        if status is not None:
            query = query.where(LoanCorrection.status == status)
        return [_view(r) for r in session.scalars(query)]


# --- the re-allocation -----------------------------------------------------------------------------


def _history(session: Session, loan: Loan, row: LoanCorrection) -> tuple[list[Entry], list[Payment | None]]:
    """The loan's history by day with ``row`` applied; the payment row behind each entry (None: the new
    waiver)."""
    payments = list(
        session.scalars(
            select(Payment).where(Payment.loan_id == loan.id).order_by(Payment.paid_on, Payment.id)
        )
    )
    if row.payment_id is not None and not any(p.id == row.payment_id for p in payments):
        raise NotFound("payment", row.payment_id)
    pairs: list[tuple[Entry, Payment | None]] = []
    for p in payments:
        if p.amount == 0 and (p.delinquency_interest or p.interest):
            entry = Entry(
                p.paid_on, waiver=True, delinquency_interest=p.delinquency_interest, interest=p.interest
            )
        elif p.id == row.payment_id:
            if p.amount == 0:
                raise Conflict("PAYMENT_REVERSED", f"payment {p.id} was reversed already")
            entry = Entry(p.paid_on, amount=0 if row.kind == "reversal" else int(row.amount or 0))
        else:
            entry = Entry(p.paid_on, amount=p.amount)
        pairs.append((entry, p))
    if row.kind == "waiver":
        assert row.effective_on is not None and row.amount is not None
        waived = Entry(
            row.effective_on,
            waiver=True,
            delinquency_interest=row.amount if row.part == "delinquency_interest" else 0,
            interest=row.amount if row.part == "interest" else 0,
        )
        at = next((n for n, (e, _) in enumerate(pairs) if e.paid_on > row.effective_on), len(pairs))
        pairs.insert(at, (waived, None))
    return [e for e, _ in pairs], [p for _, p in pairs]


def _effect(
    session: Session, loan: Loan, row: LoanCorrection
) -> tuple[dict[str, Any], Reallocated, list[Payment | None]]:
    method = session.scalars(select(Guarantee.method).where(Guarantee.id == loan.guarantee_id)).one()
    rows = session.scalars(
        select(Installment).where(Installment.loan_id == loan.id).order_by(Installment.no)
    ).all()
    states = [InstallmentState(r.no, r.due_date, r.rate_bp, r.principal_due, r.interest_due) for r in rows]
    entries, payments = _history(session, loan, row)
    try:
        result = reallocate(loan.executed_on, method, loan.grace_months, states, entries)
    except CorrectionRefused as exc:
        raise Conflict(exc.code, exc.message) from None
    except RepaymentError as exc:
        raise Conflict("LEDGER_MISMATCH", f"loan {loan.id}: {exc}") from None
    if row.kind == "waiver":
        assert row.effective_on is not None and row.part is not None and row.amount is not None
        before_waiver = reallocate(
            loan.executed_on,
            method,
            loan.grace_months,
            states,
            [
                e
                for e, p in zip(entries, payments, strict=True)
                if p is not None and e.paid_on <= row.effective_on
            ],
        )
        room = waivable(before_waiver.ledger, row.effective_on)[row.part]
        if row.amount > room:
            raise InputError(
                "amount", f"{row.amount} won is above the {room} won of {row.part} owed on {row.effective_on}"
            )
    changed = sum(
        1
        for split, p in zip(result.splits, payments, strict=True)
        if p is None
        or (split.delinquency_interest, split.interest, split.principal)
        != (p.delinquency_interest, p.interest, p.principal)
    )
    effect = {
        "principal_balance_before": loan.principal_balance,
        "principal_balance_after": result.ledger.principal_balance,
        "splits_changed": changed,
    }
    return effect, result, payments


def _write(
    session: Session, loan: Loan, row: LoanCorrection, result: Reallocated, payments: list[Payment | None]
) -> None:
    rows = {r.no: r for r in session.scalars(select(Installment).where(Installment.loan_id == loan.id))}
    for state in result.ledger.installments:
        stored = rows[state.no]
        stored.principal_paid, stored.interest_paid, stored.paid_on = (
            state.principal_paid,
            state.interest_paid,
            state.paid_on,
        )
    for split, payment in zip(result.splits, payments, strict=True):
        if payment is None:  # the new waiver
            waiver = Payment(
                loan_id=loan.id,
                bank_code=loan.bank_code,
                amount=0,
                paid_on=split.paid_on,
                delinquency_interest=split.delinquency_interest,
                interest=split.interest,
                principal=0,
            )
            session.add(waiver)
            session.flush()
            row.payment_id = waiver.id
            continue
        if payment.id == row.payment_id and row.kind in ("reversal", "adjustment"):
            payment.amount = 0 if row.kind == "reversal" else int(row.amount or 0)
        payment.delinquency_interest, payment.interest, payment.principal = (
            split.delinquency_interest,
            split.interest,
            split.principal,
        )
    loan.principal_balance = result.ledger.principal_balance
    session.flush()


def _reschedule(
    session: Session, platform: Platform, loan: Loan, row: LoanCorrection, *, write: bool
) -> dict[str, Any]:
    """The rest of the schedule re-amortized over the new term and rate (``loan_corrections.rescheduled``)
    on the ledger as stored now; written only when ``write``."""
    ledger, stored = load_ledger(session, loan)
    on = row.effective_on or platform.today()
    try:
        rows = rescheduled(
            ledger, on, row.extra_months or 0, row.rate_bp, loan.executed_on, platform.calendar
        )
    except CorrectionRefused as exc:
        raise Conflict(exc.code, exc.message) from None
    effect = {
        "principal_balance_before": loan.principal_balance,
        "principal_balance_after": loan.principal_balance,
        "splits_changed": 0,
        "installments_left": len(rows),
        "term_months_after": loan.term_months + (row.extra_months or 0),
        "next_payment": rows[0].principal_due + rows[0].interest_due,
    }
    if not write:
        return effect
    for state in rows:
        target = stored.get(state.no)
        if target is None:
            session.add(
                Installment(
                    loan_id=loan.id,
                    no=state.no,
                    due_date=state.due_date,
                    rate_bp=state.rate_bp,
                    principal_due=state.principal_due,
                    interest_due=state.interest_due,
                    principal_paid=0,
                    interest_paid=0,
                )
            )
            continue
        target.rate_bp, target.principal_due, target.interest_due = (
            state.rate_bp,
            state.principal_due,
            state.interest_due,
        )
    loan.term_months += row.extra_months or 0
    if row.rate_bp is not None:
        loan.current_rate_bp = row.rate_bp
    session.flush()
    return effect


# --- checks --------------------------------------------------------------------------------------------


def _may_make(actor: Actor) -> None:
    if actor.type is ActorType.BANK:
        return
    if actor.type is ActorType.STAFF and actor.role in MAKER_ROLES:
        return
    raise Forbidden("the loan's bank, or a reviewer or supervisor, proposes a correction")


def _loan(session: Session, actor: Actor, loan_id: int) -> Loan:
    loan = locked_row(session, Loan, Loan.id, loan_id, "loan")
    if actor.type is ActorType.BANK and loan.bank_code != actor.id:
        raise NotFound("loan", loan_id)
    _check_open(loan)
    return loan


def _write_off(loan: Loan) -> dict[str, Any]:
    """What a write-off gives up: the principal left (the schedule stays as the record of what was owed)."""
    return {
        "principal_balance_before": loan.principal_balance,
        "principal_balance_after": loan.principal_balance,
        "written_off": loan.principal_balance,
        "splits_changed": 0,
    }


def _check_open(loan: Loan) -> None:
    if loan.status in CLOSED_LOAN_STATUSES:
        raise Conflict(f"LOAN_{loan.status.upper()}", f"loan {loan.id} is {loan.status}: not corrected here")


def _view(row: LoanCorrection) -> CorrectionView:
    effect = row.effect or {}
    return CorrectionView(
        id=row.id,
        loan_id=row.loan_id,
        kind=row.kind,
        payment_id=row.payment_id,
        amount=row.amount,
        part=row.part,
        effective_on=row.effective_on,
        reason=row.reason,
        status=row.status,
        proposed_by=row.proposed_by,
        decided_by=row.decided_by,
        principal_balance_before=int(effect.get("principal_balance_before", 0)),
        principal_balance_after=int(effect.get("principal_balance_after", 0)),
        written_off=effect.get("written_off"),
        splits_changed=int(effect.get("splits_changed", 0)),
        extra_months=row.extra_months,
        rate_bp=row.rate_bp,
        term_months_after=effect.get("term_months_after"),
        next_payment=effect.get("next_payment"),
    )
