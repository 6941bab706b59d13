"""Payment allocation and delinquency interest (충당 순서, 연체이자): pure rules, no I/O.

Our reading of the conventions (shared/spec/domain.md, "Conventions"), each one named here so a test can
hold it:

Delinquency interest (연체이자)
    * Rate: the installment's contract rate + 3%p, capped at 20% a year (``delinquency_rate_bp``).
    * Base: the unpaid amount of an installment, principal AND its scheduled interest (지체된 분할상환금),
      from the day after its due date (a due date already rolled to a business day) through the day of
      payment: a payment on the due date is on time; one day later is one day of delinquency interest.
      Principal not yet due bears no delinquency interest (so the 2024-10-17 rule for loans under
      50,000,000 won after acceleration holds by construction; acceleration itself is not modelled here).
      Delinquency interest never bears delinquency interest itself.
    * Day count: actual/365, and a day in a leap year counts 1/366, so a period spanning two years is
      split at the year boundary (``year_fraction``).
    * Rounding (TRUNCATE_PER_INSTALLMENT): the exact rational accrual of one installment, summed over
      every stretch in which its unpaid amount was constant, is truncated to the won once; what was paid
      is subtracted from that. Splitting a period at a payment date therefore never changes the total by
      a won.

Allocation (충당) of a payment made on day D, in this order, each category oldest installment first:
    1. delinquency interest accrued up to D, of every installment;
    2. scheduled interest of every installment due on or before D;
    3. scheduled principal of every installment due on or before D;
    4. the excess is a prepayment (중도상환; policy products charge no fee). It repays principal x of the
       installments not yet due together with the interest on x accrued since the last due date (or since
       execution) to D, actual/365 truncated, exactly as the payoff would charge it; the split is exact
       (the interest part is at most 1 won above the truncated accrual on x, never below). The remaining
       installments, their count, due dates and rates kept, are re-amortized from the new balance with the
       schedule engine (``seomin.domain.schedule.build_schedule`` with the stored rate path). An excess
       equal to the remaining principal plus its accrued interest is a full repayment (완제): the next
       installment becomes the last one, falling due on D, and the later ones are dropped. An excess
       above that is refused (``AmountExceedsPayoff``).

A payment made before an installment's due date does not pay that installment: it is a prepayment.

Payoff quote on day D: unpaid principal and interest of installments due on or before D + delinquency
interest up to D + interest accrued since the last due date on the principal not yet due + that principal.

State: a ``LoanLedger`` holds the installments (as stored) and, per installment, the exact delinquency
interest accrued so far and what of it was paid. The database keeps no per-installment delinquency
columns, so ``replay`` rebuilds the ledger from the installments' dues and the loan's payments (date and
split), distributing every recorded amount with the same waterfall; the replayed paid amounts must equal
the stored ones (the services check that).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache

from seomin.domain.calendar import BusinessCalendar
from seomin.domain.money import Won, bp_to_rate
from seomin.domain.schedule import LoanTerms, RatePolicy, RepaymentMethod, build_schedule

DELINQUENCY_SPREAD_BP = 300
"""Delinquency interest = contract rate + 3%p (since 2018-04-30)."""

DELINQUENCY_CAP_BP = 2000
"""Capped at 20% a year, the legal maximum since 2021-07-07."""

_BP_PER_UNIT = 10_000


class RepaymentError(ValueError):
    """A payment the rules refuse; ``code`` is stable."""

    code = "REPAYMENT_REFUSED"


class PaymentOutOfOrder(RepaymentError):
    """A payment dated before the loan's execution or before the last payment already applied."""

    code = "PAYMENT_OUT_OF_ORDER"


class AmountExceedsPayoff(RepaymentError):
    """More than everything owed on that day."""

    code = "AMOUNT_EXCEEDS_PAYOFF"

    def __init__(self, amount: Won, payoff: Won) -> None:
        super().__init__(f"amount {amount} exceeds the {payoff} won that repays the loan in full")
        self.amount = amount
        self.payoff = payoff


class LedgerMismatch(RepaymentError):
    """Recorded payments that the rules cannot place: the stored loan is inconsistent."""

    code = "LEDGER_MISMATCH"


def delinquency_rate_bp(contract_rate_bp: int) -> int:
    """The delinquency rate for a contract rate, in basis points: + 3%p, at most 20%."""
    return min(contract_rate_bp + DELINQUENCY_SPREAD_BP, DELINQUENCY_CAP_BP)


def year_fraction(start: date, end: date) -> Fraction:
    """The days of (start, end] in years: each day counts 1/365, or 1/366 in a leap year. 0 if end ≤ start."""
    total = Fraction(0)
    cursor = start
    while cursor < end:
        year = (cursor + timedelta(days=1)).year
        stop = min(end, date(year, 12, 31))
        total += Fraction((stop - cursor).days, 366 if _stdlib_calendar.isleap(year) else 365)
        cursor = stop
    return total


def exact_interest(amount: Won, annual_rate_bp: int, start: date, end: date) -> Fraction:
    """Interest on ``amount`` at ``annual_rate_bp`` over (start, end], exact (not rounded)."""
    return Fraction(amount * annual_rate_bp, _BP_PER_UNIT) * year_fraction(start, end)


def accrued_interest(amount: Won, annual_rate_bp: int, start: date, end: date) -> Won:
    """Interest on ``amount`` over (start, end], actual/365 (366 in leap years), truncated to the won."""
    return int(exact_interest(amount, annual_rate_bp, start, end))


@dataclass(frozen=True, slots=True)
class InstallmentState:
    """One installment as stored: what falls due on ``due_date`` and what of it has been paid."""

    no: int
    due_date: date
    rate_bp: int
    principal_due: Won
    interest_due: Won
    principal_paid: Won = 0
    interest_paid: Won = 0
    paid_on: date | None = None
    """The day it became fully paid (None while anything of it is unpaid)."""

    @property
    def principal_unpaid(self) -> Won:
        return self.principal_due - self.principal_paid

    @property
    def interest_unpaid(self) -> Won:
        return self.interest_due - self.interest_paid

    @property
    def unpaid(self) -> Won:
        return self.principal_unpaid + self.interest_unpaid


@dataclass(frozen=True, slots=True)
class Arrears:
    """Delinquency interest of one installment: accrued exactly through ``through``, and paid (won)."""

    accrued: Fraction = Fraction(0)
    through: date | None = None
    """None: nothing accrued yet (accrual starts the day after the due date)."""
    paid: Won = 0

    @property
    def owed(self) -> Won:
        """TRUNCATE_PER_INSTALLMENT: the exact accrual truncated once, less what was paid."""
        return int(self.accrued) - self.paid


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """A payment already applied, as stored: its day and its split."""

    paid_on: date
    delinquency_interest: Won
    interest: Won
    principal: Won


@dataclass(frozen=True, slots=True)
class LoanLedger:
    """A loan's installments (due dates ascending) with the delinquency interest of each."""

    executed_on: date
    method: RepaymentMethod
    grace_months: int
    installments: tuple[InstallmentState, ...]
    arrears: tuple[Arrears, ...]
    last_paid_on: date | None = None

    def __post_init__(self) -> None:
        if len(self.arrears) != len(self.installments):
            raise ValueError("one Arrears per installment")
        for earlier, later in zip(self.installments, self.installments[1:], strict=False):
            if later.due_date < earlier.due_date or later.no <= earlier.no:
                raise ValueError("installments must be in due-date and number order")

    @property
    def principal_balance(self) -> Won:
        """Principal not yet repaid, due or not."""
        return sum(i.principal_unpaid for i in self.installments)

    @property
    def closed(self) -> bool:
        """Everything paid: no principal, interest or delinquency interest left (as far as accrued)."""
        return all(i.unpaid == 0 for i in self.installments) and all(a.owed == 0 for a in self.arrears)

    def due_count(self, on: date) -> int:
        """How many installments fall due on or before ``on`` (a prefix, as due dates ascend)."""
        return sum(1 for i in self.installments if i.due_date <= on)

    def accrued_to(self, on: date) -> LoanLedger:
        """The ledger with delinquency interest accrued through ``on`` (the day of a payment or quote)."""
        if self.last_paid_on is not None and on < self.last_paid_on:
            raise PaymentOutOfOrder(f"{on} is before the last payment on {self.last_paid_on}")
        arrears = tuple(_accrue(i, a, on) for i, a in zip(self.installments, self.arrears, strict=True))
        return replace(self, arrears=arrears)

    def overdue(self, on: date) -> tuple[InstallmentArrears, ...]:
        """Installments unpaid after their due date on ``on``, with their delinquency interest to ``on``."""
        ledger = self.accrued_to(on)
        return tuple(
            InstallmentArrears(
                no=i.no,
                due_date=i.due_date,
                principal=i.principal_unpaid,
                interest=i.interest_unpaid,
                delinquency_interest=a.owed,
                days_overdue=(on - i.due_date).days if i.unpaid > 0 else 0,
            )
            for i, a in zip(ledger.installments, ledger.arrears, strict=True)
            if i.due_date < on and (i.unpaid > 0 or a.owed > 0)
        )

    def in_arrears(self, on: date) -> bool:
        """Something unpaid after its due date, or delinquency interest owed, on ``on``."""
        return bool(self.overdue(on))


def _accrue(inst: InstallmentState, arr: Arrears, on: date) -> Arrears:
    start = arr.through if arr.through is not None else inst.due_date
    if on <= start:
        return arr
    unpaid = inst.unpaid
    if unpaid == 0:
        return replace(arr, through=on)
    extra = exact_interest(unpaid, delinquency_rate_bp(inst.rate_bp), start, on)
    return replace(arr, accrued=arr.accrued + extra, through=on)


@dataclass(frozen=True, slots=True)
class InstallmentArrears:
    """An installment unpaid after its due date, with its delinquency interest to the day asked."""

    no: int
    due_date: date
    principal: Won
    interest: Won
    delinquency_interest: Won
    days_overdue: int

    @property
    def total(self) -> Won:
        return self.principal + self.interest + self.delinquency_interest


def new_ledger(
    executed_on: date,
    method: RepaymentMethod | str,
    grace_months: int,
    installments: Sequence[InstallmentState],
) -> LoanLedger:
    """A ledger of installments with no delinquency interest accrued yet."""
    return LoanLedger(
        executed_on=executed_on,
        method=RepaymentMethod(method),
        grace_months=grace_months,
        installments=tuple(installments),
        arrears=tuple(Arrears() for _ in installments),
    )


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    """What closes the loan on ``on`` (완제 금액), and its parts."""

    on: date
    due_principal: Won
    """Unpaid principal of installments due on or before ``on``."""
    due_interest: Won
    """Unpaid scheduled interest of installments due on or before ``on``."""
    delinquency_interest: Won
    accrued_interest: Won
    """Interest on the principal not yet due, since the last due date (or execution), truncated."""
    principal_balance: Won
    """Principal not yet due."""
    accrued_from: date
    rate_bp: int
    """The rate of the current period (of the next installment)."""

    @property
    def amount_due(self) -> Won:
        """What is owed on ``on`` without prepaying: arrears, delinquency interest and today's dues."""
        return self.due_principal + self.due_interest + self.delinquency_interest

    @property
    def total(self) -> Won:
        return self.amount_due + self.accrued_interest + self.principal_balance


def payoff_quote(ledger: LoanLedger, on: date) -> PayoffQuote:
    """The amount that repays the loan in full on ``on`` (see the module docstring)."""
    if on < ledger.executed_on:
        raise PaymentOutOfOrder(f"{on} is before the execution on {ledger.executed_on}")
    accrued = ledger.accrued_to(on)
    k = accrued.due_count(on)
    due = accrued.installments[:k]
    future = accrued.installments[k:]
    start = due[-1].due_date if due else accrued.executed_on
    balance = sum(i.principal_unpaid for i in future)
    rate_bp = future[0].rate_bp if future else (due[-1].rate_bp if due else 0)
    return PayoffQuote(
        on=on,
        due_principal=sum(i.principal_unpaid for i in due),
        due_interest=sum(i.interest_unpaid for i in due),
        delinquency_interest=sum(a.owed for a in accrued.arrears),
        accrued_interest=accrued_interest(balance, rate_bp, start, on) if balance else 0,
        principal_balance=balance,
        accrued_from=start,
        rate_bp=rate_bp,
    )


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """What a payment paid on one installment."""

    no: int
    delinquency_interest: Won = 0
    interest: Won = 0
    principal: Won = 0

    @property
    def total(self) -> Won:
        return self.delinquency_interest + self.interest + self.principal


@dataclass(frozen=True, slots=True)
class Allocation:
    """How a payment of ``amount`` on ``on`` was applied; ``ledger`` is the state after it."""

    on: date
    amount: Won
    delinquency_interest: Won
    interest: Won
    """Scheduled interest of installments due on or before ``on``."""
    principal: Won
    """Scheduled principal of installments due on or before ``on``."""
    prepaid_principal: Won
    prepayment_interest: Won
    """Interest on the prepaid principal since the last due date."""
    lines: tuple[AllocationLine, ...]
    full_repayment: bool
    reamortized: bool
    ledger: LoanLedger = field(repr=False)

    @property
    def total_interest(self) -> Won:
        """All interest but delinquency interest: scheduled plus that of the prepayment."""
        return self.interest + self.prepayment_interest

    @property
    def total_principal(self) -> Won:
        return self.principal + self.prepaid_principal


def _take(amount: Won, capacities: Sequence[Won]) -> tuple[list[Won], Won]:
    """Fill ``capacities`` in order from ``amount``; returns the parts and what is left."""
    parts: list[Won] = []
    for capacity in capacities:
        part = min(amount, capacity)
        parts.append(part)
        amount -= part
    return parts, amount


@dataclass(frozen=True, slots=True)
class _Settled:
    installments: tuple[InstallmentState, ...]
    arrears: tuple[Arrears, ...]
    lines: tuple[AllocationLine, ...]
    interest_left: Won
    principal_left: Won


def _settle(ledger: LoanLedger, on: date, delinquency: Won, interest: Won, principal: Won) -> _Settled:
    """Pay ``ledger`` (accrued to ``on``) category by category, oldest installment first."""
    k = ledger.due_count(on)
    rows = ledger.installments
    d_parts, d_left = _take(delinquency, [a.owed for a in ledger.arrears])
    if d_left:
        raise LedgerMismatch(f"{delinquency} won of delinquency interest on {on} exceeds what was owed")
    i_parts, i_left = _take(interest, [r.interest_unpaid if n < k else 0 for n, r in enumerate(rows)])
    p_parts, p_left = _take(principal, [r.principal_unpaid if n < k else 0 for n, r in enumerate(rows)])
    installments = []
    arrears = []
    lines = []
    for row, arr, d, i, p in zip(rows, ledger.arrears, d_parts, i_parts, p_parts, strict=True):
        if d or i or p:
            lines.append(AllocationLine(row.no, d, i, p))
            paid = replace(row, principal_paid=row.principal_paid + p, interest_paid=row.interest_paid + i)
            row = replace(paid, paid_on=on) if paid.unpaid == 0 and row.unpaid > 0 else paid
            arr = replace(arr, paid=arr.paid + d)
        installments.append(row)
        arrears.append(arr)
    return _Settled(tuple(installments), tuple(arrears), tuple(lines), i_left, p_left)


def _prepaid_split(remaining: Won, balance: Won, rate_bp: int, start: date, on: date) -> tuple[Won, Won]:
    """Principal x and interest for a prepayment of ``remaining`` < balance + its accrued interest.

    x is the largest principal with x + truncated interest on x ≤ remaining; the rest (that interest, or
    1 won more) is interest, so the split is exact.
    """
    factor = Fraction(rate_bp, _BP_PER_UNIT) * year_fraction(start, on)
    x = int(Fraction(remaining) / (1 + factor))
    while x + 1 <= balance and x + 1 + int((x + 1) * factor) <= remaining:
        x += 1
    x = min(x, balance)
    return x, remaining - x


@cache
def _plain_calendar() -> BusinessCalendar:
    """A calendar without holidays: re-amortization keeps the stored due dates, so any calendar will do."""
    return BusinessCalendar({}, 1900, 2999)


def reamortize_remaining(
    rows: Sequence[InstallmentState], balance: Won, method: RepaymentMethod, grace_months: int, start: date
) -> tuple[InstallmentState, ...]:
    """The unpaid ``rows`` (not yet due) re-amortized from ``balance``: same count, due dates and rates.

    The schedule engine builds the new amounts with the rows' own rate path; the grace installments
    left (those numbered ≤ ``grace_months``) stay interest only.
    """
    grace_left = sum(1 for r in rows if r.no <= grace_months)
    rates = [bp_to_rate(r.rate_bp) for r in rows]
    terms = LoanTerms(
        amount=balance,
        repayment_months=len(rows) - grace_left,
        grace_months=grace_left,
        method=method,
        executed_on=start,
        rate_policy=RatePolicy(base_rate=rates[0] if rates else Decimal(0)),
        apply_step_down=False,
    )
    schedule = build_schedule(terms, _plain_calendar(), rates)
    return tuple(
        replace(r, principal_due=s.principal, interest_due=s.interest, principal_paid=0, interest_paid=0)
        for r, s in zip(rows, schedule.installments, strict=True)
    )


def allocate(ledger: LoanLedger, amount: Won, on: date) -> Allocation:
    """Apply a payment of ``amount`` won made on ``on`` (see the module docstring for the rules)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount must be int won")
    if amount <= 0:
        raise ValueError(f"amount {amount} must be > 0 won")
    quote = payoff_quote(ledger, on)
    if amount > quote.total:
        raise AmountExceedsPayoff(amount, quote.total)
    accrued = ledger.accrued_to(on)
    remaining = amount
    delinquency = min(remaining, quote.delinquency_interest)
    remaining -= delinquency
    interest = min(remaining, quote.due_interest)
    remaining -= interest
    principal = min(remaining, quote.due_principal)
    remaining -= principal
    settled = _settle(accrued, on, delinquency, interest, principal)
    installments = list(settled.installments)
    lines = list(settled.lines)
    k = accrued.due_count(on)
    prepaid = prepayment_interest = 0
    reamortized = False
    if remaining:
        future = installments[k:]
        if remaining == quote.principal_balance + quote.accrued_interest:
            prepaid, prepayment_interest = quote.principal_balance, quote.accrued_interest
            last = replace(
                future[0],
                due_date=on,
                principal_due=prepaid,
                interest_due=prepayment_interest,
                principal_paid=prepaid,
                interest_paid=prepayment_interest,
                paid_on=on,
            )
            installments = [*installments[:k], last]
            lines.append(AllocationLine(last.no, 0, prepayment_interest, prepaid))
        else:
            prepaid, prepayment_interest = _prepaid_split(
                remaining, quote.principal_balance, quote.rate_bp, quote.accrued_from, on
            )
            installments[k:] = reamortize_remaining(
                future, quote.principal_balance - prepaid, ledger.method, ledger.grace_months, on
            )
            reamortized = True
    arrears = settled.arrears[: len(installments)]
    after = replace(accrued, installments=tuple(installments), arrears=arrears, last_paid_on=on)
    full = all(i.unpaid == 0 for i in installments) and all(a.owed == 0 for a in arrears)
    return Allocation(
        on=on,
        amount=amount,
        delinquency_interest=delinquency,
        interest=interest,
        principal=principal,
        prepaid_principal=prepaid,
        prepayment_interest=prepayment_interest,
        lines=tuple(lines),
        full_repayment=full,
        reamortized=reamortized,
        ledger=after,
    )


def replay(
    executed_on: date,
    method: RepaymentMethod | str,
    grace_months: int,
    installments: Sequence[InstallmentState],
    payments: Sequence[PaymentRecord],
) -> LoanLedger:
    """The ledger after ``payments`` (in the order applied), from the installments' dues as stored.

    Every recorded split is placed with the same waterfall as ``allocate``; what exceeds the dues of a
    payment's day is its prepayment (already reflected in the stored dues of later installments).
    The paid amounts and ``paid_on`` of the given installments are ignored and recomputed.
    """
    rows = [replace(i, principal_paid=0, interest_paid=0, paid_on=None) for i in installments]
    ledger = new_ledger(executed_on, method, grace_months, rows)
    for payment in payments:
        on = payment.paid_on
        if on < executed_on:
            raise LedgerMismatch(f"a payment on {on} predates the execution on {executed_on}")
        accrued = ledger.accrued_to(on)
        settled = _settle(accrued, on, payment.delinquency_interest, payment.interest, payment.principal)
        if settled.interest_left or settled.principal_left:
            # Only a payment that settled everything due may have prepaid.
            k = accrued.due_count(on)
            if any(r.unpaid for r in settled.installments[:k]) or any(a.owed for a in settled.arrears):
                raise LedgerMismatch(f"the payment on {on} prepaid while arrears were left")
        ledger = replace(accrued, installments=settled.installments, arrears=settled.arrears, last_paid_on=on)
    return ledger
