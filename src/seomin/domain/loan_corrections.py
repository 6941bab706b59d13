"""Corrections of a bank loan's payments (거래 정정): a payment reversed or its amount adjusted, and a waiver
(감면) of interest or delinquency interest, with everything after re-allocated exactly. Pure rules.

``reallocate`` rebuilds the ledger from the installments' dues as stored and the loan's history in the
order it happened, each money payment allocated afresh with ``repayment.allocate`` (delinquency interest,
interest, principal, each oldest first; the same waterfall as a new payment) at its own day, and each
waiver settled as recorded. So a reversed payment leaves the installments it paid unpaid, the delinquency
interest they accrue from then on is charged to the next payments, and every later split follows.

Limits (stated, refused with a stable code): a history in which a payment prepaid principal (re-amortizing
the schedule) cannot be re-allocated from the stored dues, since those already reflect the prepayment
(``CORRECTION_AFTER_PREPAYMENT``); a later payment or waiver that no longer fits what is owed after the
correction is refused (``CORRECTION_OVERPAYS``): the correction must then be made differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from seomin.domain.calendar import BusinessCalendar
from seomin.domain.money import Won
from seomin.domain.repayment import (
    AmountExceedsPayoff,
    InstallmentState,
    LoanLedger,
    PaymentRecord,
    RepaymentError,
    allocate,
    new_ledger,
    payoff_quote,
    reamortize_remaining,
    replay,
)
from seomin.domain.schedule import RepaymentMethod, due_date

WAIVABLE = ("interest", "delinquency_interest")


class CorrectionRefused(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Entry:
    """One event of the history: a money payment of ``amount`` (``waiver`` False), or a waiver whose split
    is ``delinquency_interest`` and ``interest`` (no money)."""

    paid_on: date
    amount: Won = 0
    waiver: bool = False
    delinquency_interest: Won = 0
    interest: Won = 0


@dataclass(frozen=True, slots=True)
class Reallocated:
    ledger: LoanLedger
    splits: tuple[PaymentRecord, ...]
    """The new split of each entry, in the order given."""


def reallocate(
    executed_on: date,
    method: RepaymentMethod | str,
    grace_months: int,
    installments: Sequence[InstallmentState],
    history: Sequence[Entry],
) -> Reallocated:
    """The ledger after ``history`` applied afresh on the stored dues (see the module docstring)."""
    rows = [replace(i, principal_paid=0, interest_paid=0, paid_on=None) for i in installments]
    ledger = new_ledger(executed_on, method, grace_months, rows)
    records: list[PaymentRecord] = []
    for entry in history:
        if entry.waiver:
            record = PaymentRecord(entry.paid_on, entry.delinquency_interest, entry.interest, 0)
            try:
                ledger = replay(executed_on, method, grace_months, rows, [*records, record])
            except RepaymentError:
                raise CorrectionRefused(
                    "CORRECTION_OVERPAYS", f"the waiver of {entry.paid_on} exceeds what is then owed"
                ) from None
        else:
            if entry.amount == 0:  # a reversed payment: nothing happened that day
                records.append(PaymentRecord(entry.paid_on, 0, 0, 0))
                continue
            try:
                allocation = allocate(ledger, entry.amount, entry.paid_on)
            except AmountExceedsPayoff:
                raise CorrectionRefused(
                    "CORRECTION_OVERPAYS",
                    f"the payment of {entry.paid_on} ({entry.amount} won) exceeds the payoff once corrected",
                ) from None
            if allocation.prepaid_principal or allocation.reamortized:
                raise CorrectionRefused(
                    "CORRECTION_AFTER_PREPAYMENT",
                    f"the payment of {entry.paid_on} prepays principal: the stored schedule already reflects "
                    "it, so the history cannot be re-allocated automatically",
                )
            record = PaymentRecord(
                entry.paid_on,
                allocation.delinquency_interest,
                allocation.total_interest,
                allocation.total_principal,
            )
            ledger = allocation.ledger
        records.append(record)
    return Reallocated(ledger, tuple(records))


def waivable(ledger: LoanLedger, on: date) -> dict[str, Won]:
    """What may be waived on ``on``: the delinquency interest accrued to it and the interest due by it."""
    quote = payoff_quote(ledger, on)
    return {"delinquency_interest": quote.delinquency_interest, "interest": quote.due_interest}


# --- reschedule (기간 연장·금리 변경) -----------------------------------------------------------------------

MAX_EXTRA_MONTHS = 60


def rescheduled(
    ledger: LoanLedger,
    on: date,
    extra_months: int,
    rate_bp: int | None,
    executed_on: date,
    calendar: BusinessCalendar,
) -> tuple[InstallmentState, ...]:
    """The installments not yet due on ``on``, extended by ``extra_months`` more (due on the execution day
    of each following month, rolled to a business day, as at execution) and at ``rate_bp`` (None: the rates
    they have), re-amortized from the unpaid principal with the schedule engine. Refused while anything is
    overdue (``RESCHEDULE_IN_ARREARS``: cure first) or when nothing is left to run."""
    if ledger.in_arrears(on) or any(i.due_date <= on and i.unpaid for i in ledger.installments):
        raise CorrectionRefused(
            "RESCHEDULE_IN_ARREARS", "installments are overdue: bring the loan current first"
        )
    future = [i for i in ledger.installments if i.due_date > on]
    if not future:
        raise CorrectionRefused("RESCHEDULE_NOTHING_LEFT", "no installment is left to reschedule")
    last = future[-1]
    added = [
        InstallmentState(last.no + j, due_date(executed_on, last.no + j, calendar), last.rate_bp, 0, 0)
        for j in range(1, extra_months + 1)
    ]
    rows = [replace(i, rate_bp=rate_bp if rate_bp is not None else i.rate_bp) for i in [*future, *added]]
    balance = sum(i.principal_unpaid for i in future)
    return reamortize_remaining(rows, balance, ledger.method, ledger.grace_months, on)
