"""Repayment schedule engine (상환 스케줄), scalar and exact: integer won, Decimal rates, no float.

Conventions (spec "Conventions"): monthly periods; each period's interest is balance × annual rate / 12
truncated to the won; a level payment is rounded half up to the won; the last installment takes whatever
principal remains, so principal sums exactly to the amount and the final balance is 0. Installment k is
due k months after execution on the execution day (clamped to month end), moved to the next business
day (Civil Act art. 161).

``seomin.domain.portfolio`` computes the same schedules vectorized and must stay identical to this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from enum import StrEnum
from functools import lru_cache

from seomin.domain.calendar import BusinessCalendar, add_months
from seomin.domain.money import Won, bp_to_rate, monthly_interest, rate_to_bp, round_won

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


@dataclass(frozen=True, slots=True)
class Installment:
    """One row of a schedule; money in won, ``balance`` after this payment."""

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


@lru_cache(maxsize=4096)
def _rate_of_bp(bp: int) -> Decimal:
    return bp_to_rate(bp)


def due_date(executed_on: date, no: int, calendar: BusinessCalendar) -> date:
    """Due date of installment ``no``: ``no`` months after execution, rolled to a business day."""
    return calendar.next_business_day(add_months(executed_on, no, executed_on.day))


def _build(terms: LoanTerms, rates_bp: Sequence[int], calendar: BusinessCalendar) -> Schedule:
    n_total = terms.n_installments
    first_repayment = terms.grace_months + 1
    method = terms.method
    level_principal = terms.amount // terms.repayment_months
    executed_on = terms.executed_on
    balance = terms.amount
    payment_level = 0
    previous_bp = -1
    rows: list[Installment] = []
    for no in range(1, n_total + 1):
        bp = rates_bp[no - 1]
        interest = monthly_interest(balance, bp)
        if no < first_repayment:
            principal = 0
        elif no == n_total:
            principal = balance
        elif method is RepaymentMethod.EQUAL_INSTALLMENT:
            if no == first_repayment or bp != previous_bp:
                payment_level = level_payment(balance, bp, n_total - no + 1)
            principal = min(payment_level - interest, balance)
        elif method is RepaymentMethod.EQUAL_PRINCIPAL:
            principal = min(level_principal, balance)
        else:  # bullet
            principal = 0
        balance -= principal
        rows.append(
            Installment(
                no=no,
                due_date=due_date(executed_on, no, calendar),
                annual_rate=_rate_of_bp(bp),
                payment=principal + interest,
                principal=principal,
                interest=interest,
                balance=balance,
            )
        )
        previous_bp = bp
    return Schedule(terms=terms, installments=tuple(rows))


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
    if rates is None:
        rates_bp = [terms.rate_bp_for_installment(no) for no in range(1, n_total + 1)]
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
