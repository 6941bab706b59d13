"""Guarantee fees (보증료): the fee charged up front and the unearned part refunded on early repayment.

Pure rules, no I/O. Money is integer won, rates basis points a year, periods whole days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from seomin.domain.calendar import add_months
from seomin.domain.money import rate_to_bp

_BP = 10_000
_DAYS_A_YEAR = 365


def prepaid_fee(guaranteed_amount: int, rate_bp: int, start: date, end: date) -> int:
    """The fee for the whole term, paid at the start: guaranteed amount × rate × days/365.

    Rounding rule ``FEE_FLOOR_WON``: truncated to whole won (the person never pays a fraction up)."""
    _check(guaranteed_amount, rate_bp, start, end)
    return guaranteed_amount * rate_bp * (end - start).days // (_BP * _DAYS_A_YEAR)


def unearned_refund(
    fee_paid: int, start: date, end: date, repaid_on: date, repaid_share_bp: int = _BP
) -> int:
    """The part of ``fee_paid`` not yet earned when ``repaid_share_bp`` of the guaranteed amount is repaid
    on ``repaid_on``: fee × share × remaining days / term days.

    Rounding rule ``REFUND_CEIL_WON``: rounded up to whole won, so the agency keeps no fraction it did not
    earn; the refund never exceeds the fee paid and a repayment on the last day refunds nothing."""
    if fee_paid < 0:
        raise ValueError("fee_paid must not be negative")
    if not 0 <= repaid_share_bp <= _BP:
        raise ValueError("repaid share must be between 0 and 10,000 bp")
    if not start <= repaid_on <= end or start >= end:
        raise ValueError("repaid_on must fall within the guarantee term")
    term = (end - start).days
    remaining = (end - repaid_on).days
    numerator = fee_paid * repaid_share_bp * remaining
    return -(-numerator // (_BP * term))


def _check(amount: int, rate_bp: int, start: date, end: date) -> None:
    if amount < 0 or rate_bp < 0:
        raise ValueError("amount and rate must not be negative")
    if end <= start:
        raise ValueError("the term must end after it starts")


def fee_rate_bp(annual_fee_pct: Decimal, cut_pct: Decimal, educated: bool) -> int:
    """The fee rate in basis points: the catalog's annual rate, less the catalog's cut for a person who
    completed pre-application counseling or education (never below zero). A rate finer than a basis
    point is a catalog error."""
    return rate_to_bp(max(Decimal(0), annual_fee_pct - (cut_pct if educated else Decimal(0))))


def fee_periods(start: date, term_months: int, periodic: bool) -> tuple[tuple[date, date], ...]:
    """The billing periods of a guarantee: one for the whole term when prepaid; else one a year from
    ``start`` (anniversaries, clamped to month ends), the last one ending with the term."""
    if term_months < 1:
        raise ValueError("the term is at least one month")
    end = add_months(start, term_months, start.day)
    if not periodic:
        return ((start, end),)
    periods = []
    for year in range(0, term_months, 12):
        period_start = add_months(start, year, start.day)
        periods.append((period_start, min(end, add_months(start, year + 12, start.day))))
    return tuple(periods)


def repaid_share_bp(repaid_principal: int, base_principal: int) -> int:
    """The share of the fee's base a prepayment repays, in basis points.

    Rounding rule ``SHARE_FLOOR_BP``: floored, so a partial refund never over-refunds; capped at 100%."""
    if base_principal <= 0 or repaid_principal < 0:
        raise ValueError("the base must be positive and the repaid principal not negative")
    return min(_BP, repaid_principal * _BP // base_principal)
