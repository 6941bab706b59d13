"""Repayment schedule engine (상환 스케줄), scalar and exact: integer won, Decimal rates, no float.

Conventions (spec "Conventions"): monthly periods; each period's interest is balance × annual rate / 12
truncated to the won; a level payment is rounded half up to the won; the last installment takes whatever
principal remains, so principal sums exactly to the amount and the final balance is 0. Installment k is
due k months after execution on the execution day (clamped to month end), moved to the next business
day (Civil Act art. 161).

``seomin.domain.portfolio`` computes the same schedules vectorized and must stay identical to this one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from enum import StrEnum
from functools import lru_cache, partial
from typing import NamedTuple

from seomin.domain.calendar import BusinessCalendar, add_months
from seomin.domain.money import Won, bp_to_rate, rate_to_bp, round_won

MONTHS_PER_STEP = 12
"""A step-down applies from each anniversary of execution: installments 12j+1.. carry j steps."""

_ANNUITY_PRECISION = 50


class RepaymentMethod(StrEnum):
    """How principal is repaid."""

    EQUAL_INSTALLMENT = "equal_installment"
    """원리금균등: level payment of principal + interest."""
    EQUAL_PRINCIPAL = "equal_principal"
    """원금균등: level principal, interest on the falling balance."""
    BULLET = "bullet"
    """만기일시: interest only, all principal at maturity."""


def _rate_bp(value: Decimal, what: str) -> int:
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} must be a Decimal percent, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{what} {value} is not finite")
    try:
        bp = rate_to_bp(value)
    except ValueError:
        raise ValueError(f"{what} {value}% is not on the 0.01%p grid") from None
    if bp < 0:
        raise ValueError(f"{what} {value}% is negative")
    return bp


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """Annual percent rates of a product: base, yearly step-down for on-time payers, floor, preferential cut.

    Installment ``no`` carries ``steps = (no - 1) // 12`` step-downs and the rate
    ``max(0, min(base, max(floor, base - steps × step_down)) - preferential_cut)``: the floor bounds the
    step-down only, never raises a base already below it, and the preferential cut (우대금리) comes after.
    """

    base_rate: Decimal
    step_down: Decimal = Decimal("0")
    floor: Decimal = Decimal("0")
    preferential_cut: Decimal = Decimal("0")

    def __post_init__(self) -> None:
        _rate_bp(self.base_rate, "base_rate")
        _rate_bp(self.step_down, "step_down")
        _rate_bp(self.floor, "floor")
        _rate_bp(self.preferential_cut, "preferential_cut")

    @property
    def base_bp(self) -> int:
        return rate_to_bp(self.base_rate)

    @property
    def step_bp(self) -> int:
        return rate_to_bp(self.step_down)

    @property
    def floor_bp(self) -> int:
        return rate_to_bp(self.floor)

    @property
    def preferential_bp(self) -> int:
        return rate_to_bp(self.preferential_cut)

    def rate_bp_for_installment(self, no: int, *, step_down: bool = True) -> int:
        """The rate of installment ``no`` (1-based) in basis points; ``step_down=False``: no steps."""
        if no < 1:
            raise ValueError(f"installment number {no} is not >= 1")
        base = self.base_bp
        stepped = base
        if step_down:
            steps = (no - 1) // MONTHS_PER_STEP
            stepped = min(base, max(self.floor_bp, base - steps * self.step_bp))
        return max(0, stepped - self.preferential_bp)

    def rate_for_installment(self, no: int, *, step_down: bool = True) -> Decimal:
        """The annual percent rate of installment ``no`` (1-based)."""
        return bp_to_rate(self.rate_bp_for_installment(no, step_down=step_down))


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """What a schedule is built from. ``grace_months`` (거치기간) come first and pay interest only."""

    amount: Won
    repayment_months: int
    grace_months: int
    method: RepaymentMethod
    executed_on: date
    rate_policy: RatePolicy
    apply_step_down: bool = True
    """False: the contract schedule at base − preferential throughout (no step-down earned yet)."""

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError(f"amount must be int won, got {type(self.amount).__name__}")
        if self.amount <= 0:
            raise ValueError(f"amount {self.amount} must be > 0 won")
        if isinstance(self.repayment_months, bool) or not isinstance(self.repayment_months, int):
            raise TypeError("repayment_months must be an int")
        if self.repayment_months <= 0:
            raise ValueError(f"repayment_months {self.repayment_months} must be > 0")
        if isinstance(self.grace_months, bool) or not isinstance(self.grace_months, int):
            raise TypeError("grace_months must be an int")
        if self.grace_months < 0:
            raise ValueError(f"grace_months {self.grace_months} must be >= 0")
        object.__setattr__(self, "method", RepaymentMethod(self.method))
        if not isinstance(self.executed_on, date):
            raise TypeError("executed_on must be a date")

    @property
    def n_installments(self) -> int:
        return self.grace_months + self.repayment_months

    def rate_bp_for_installment(self, no: int) -> int:
        return self.rate_policy.rate_bp_for_installment(no, step_down=self.apply_step_down)


class Installment(NamedTuple):
    """One row of a schedule; money in won, ``balance`` after this payment.

    An immutable named tuple rather than a frozen dataclass: a schedule makes one per installment, and
    building a tuple costs a fraction of a frozen dataclass's per-field ``object.__setattr__``.
    """

    no: int
    due_date: date
    annual_rate: Decimal
    payment: Won
    principal: Won
    interest: Won
    balance: Won


@dataclass(frozen=True, slots=True)
class Schedule:
    terms: LoanTerms
    installments: tuple[Installment, ...] = field(repr=False)

    @property
    def total_interest(self) -> Won:
        return sum(i.interest for i in self.installments)

    @property
    def total_payment(self) -> Won:
        return sum(i.payment for i in self.installments)

    @property
    def total_principal(self) -> Won:
        return sum(i.principal for i in self.installments)

    @property
    def rates(self) -> tuple[Decimal, ...]:
        return tuple(i.annual_rate for i in self.installments)


def level_payment(balance: Won, annual_rate_bp: int, n: int) -> Won:
    """The level payment that amortizes ``balance`` over ``n`` months, rounded half up to the won.

    B·r / (1 − (1+r)^−n) with r = rate / 1200, in Decimal at 50 digits; B / n when the rate is 0.
    """
    if n < 1:
        raise ValueError(f"n {n} must be >= 1")
    with localcontext() as ctx:
        ctx.prec = _ANNUITY_PRECISION
        if annual_rate_bp == 0:
            return round_won(Decimal(balance) / n)
        r = Decimal(annual_rate_bp) / 120_000
        return round_won(balance * r / (1 - (1 + r) ** -n))


TIE_RELATIVE_TOLERANCE = 1e-12
"""A float level payment within this distance of a half won could round either way: redo it exactly.
Float error of the annuity is a few ulps (~1e-15 relative); the margin is ~1000 times that."""
TIE_ABSOLUTE_TOLERANCE = 1e-9


def level_payment_fast(balance: Won, annual_rate_bp: int, n: int) -> Won:
    """``level_payment``, identical, in float with the exact Decimal computation only near a half won.

    The Decimal power at 50 digits costs microseconds and a schedule with step-downs re-amortizes at
    every anniversary; the float annuity is exact enough to round correctly everywhere but within
    ``TIE_RELATIVE_TOLERANCE`` of a tie, where it defers to ``level_payment``.
    """
    if annual_rate_bp == 0 or n < 1:
        return level_payment(balance, annual_rate_bp, n)
    r = annual_rate_bp / 120_000
    x = balance * r / -math.expm1(-n * math.log1p(r))
    if abs(x - math.floor(x) - 0.5) <= x * TIE_RELATIVE_TOLERANCE + TIE_ABSOLUTE_TOLERANCE:
        return level_payment(balance, annual_rate_bp, n)
    return math.floor(x + 0.5)


@lru_cache(maxsize=4096)
def _rate_of_bp(bp: int) -> Decimal:
    return bp_to_rate(bp)


def due_date(executed_on: date, no: int, calendar: BusinessCalendar) -> date:
    """Due date of installment ``no``: ``no`` months after execution, rolled to a business day."""
    return calendar.next_business_day(add_months(executed_on, no, executed_on.day))


@lru_cache(maxsize=1024)
def _policy_rates_bp(policy: RatePolicy, n_total: int, apply_step_down: bool) -> tuple[int, ...]:
    """``rate_bp_for_installment(no)`` for every installment, one computation per year of steps; cached,
    since a portfolio holds few distinct (policy, length) pairs."""
    base, pref = policy.base_bp, policy.preferential_bp
    if not apply_step_down:
        return (max(0, base - pref),) * n_total
    step, floor = policy.step_bp, policy.floor_bp
    rates: list[int] = []
    for steps, first in enumerate(range(0, n_total, MONTHS_PER_STEP)):
        stepped = min(base, max(floor, base - steps * step))
        rates += [max(0, stepped - pref)] * min(MONTHS_PER_STEP, n_total - first)
    return tuple(rates)


_make_installment = partial(tuple.__new__, Installment)
"""``Installment`` from a 7-tuple without a Python-level ``__new__`` call (mapped over the rows)."""


def _build(terms: LoanTerms, rates_bp: Sequence[int], calendar: BusinessCalendar) -> Schedule:
    """The rows of a schedule: the scalar engine's hot loop.

    Three plain-int loops instead of one with a branch per method: the interest-only rows (grace, or
    all but the last of a bullet loan), the repaying rows but the last, then the last row, which takes
    whatever principal remains. Decimal only where an equal-installment payment is (re)amortized
    (``level_payment``) and where the rate changes; due dates come from the calendar's tables.
    """
    n_total = terms.n_installments
    method = terms.method
    equal_installment = method is RepaymentMethod.EQUAL_INSTALLMENT
    level_principal = terms.amount // terms.repayment_months
    interest_only = n_total - 1 if method is RepaymentMethod.BULLET else min(terms.grace_months, n_total - 1)
    due = calendar.monthly_business_days(terms.executed_on, n_total)
    rows: list[tuple[int, date, Decimal, Won, Won, Won, Won]] = []
    append = rows.append
    balance = terms.amount
    previous_bp = -1
    rate = Decimal(0)
    for no in range(1, interest_only + 1):
        bp = rates_bp[no - 1]
        if bp != previous_bp:
            rate, previous_bp = _rate_of_bp(bp), bp
        interest = balance * bp // 120_000  # monthly_interest, inlined
        append((no, due[no - 1], rate, interest, 0, interest, balance))
    level = level_principal
    for no in range(interest_only + 1, n_total):
        bp = rates_bp[no - 1]
        interest = balance * bp // 120_000
        if equal_installment:
            if bp != previous_bp or no == interest_only + 1:
                level = level_payment_fast(balance, bp, n_total - no + 1)
            principal = level - interest
        else:  # equal principal
            principal = level
        if bp != previous_bp:
            rate, previous_bp = _rate_of_bp(bp), bp
        if principal > balance:
            principal = balance
        balance -= principal
        append((no, due[no - 1], rate, principal + interest, principal, interest, balance))
    bp = rates_bp[n_total - 1]
    interest = balance * bp // 120_000
    append((n_total, due[n_total - 1], _rate_of_bp(bp), balance + interest, balance, interest, 0))
    return Schedule(terms=terms, installments=tuple(map(_make_installment, rows)))


def build_schedule(
    terms: LoanTerms, calendar: BusinessCalendar, rates: Sequence[Decimal] | None = None
) -> Schedule:
    """The schedule of ``terms``.

    ``rates``, if given, is one annual percent rate per installment (grace included) and overrides the
    rate policy, e.g. step-downs applied only once actually earned. An equal-installment payment is
    re-amortized over the remaining installments at the first repayment installment and wherever the
    rate changes; equal principal keeps its level principal (only the interest follows the rate).
    """
    n_total = terms.n_installments
    rates_bp: Sequence[int]
    if rates is None:
        rates_bp = _policy_rates_bp(terms.rate_policy, n_total, terms.apply_step_down)
    else:
        if len(rates) != n_total:
            raise ValueError(f"{len(rates)} rates given for {n_total} installments")
        rates_bp = [_rate_bp(rate, f"rate of installment {no}") for no, rate in enumerate(rates, start=1)]
    return _build(terms, rates_bp, calendar)


def reamortize(schedule: Schedule, from_no: int, new_rate: Decimal, calendar: BusinessCalendar) -> Schedule:
    """Keep installments before ``from_no``; from ``from_no`` on, every installment is at ``new_rate``.

    Equivalent to ``build_schedule`` with the schedule's own rates before ``from_no`` and ``new_rate``
    after, so the kept rows are unchanged and the remaining balance is re-amortized over the remaining
    installments. Later step-downs of the policy are NOT applied: a caller that earns one later calls
    ``reamortize`` again from that installment. A ``new_rate`` equal to the current rate changes nothing.
    """
    n_total = schedule.terms.n_installments
    if not 1 <= from_no <= n_total:
        raise ValueError(f"from_no {from_no} is not within 1..{n_total}")
    new_bp = _rate_bp(new_rate, "new_rate")
    kept = [rate_to_bp(i.annual_rate) for i in schedule.installments[: from_no - 1]]
    return _build(schedule.terms, [*kept, *([new_bp] * (n_total - from_no + 1))], calendar)
