"""Money and rate conventions.

Money is integer won. Annual rates are ``Decimal`` percent with at most two decimals (0.01%p), so every
rounding below is exact integer arithmetic on basis points, never float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Won = int
"""An amount of Korean won (원); always an ``int``."""

RATE_QUANTUM = Decimal("0.01")


def rate_to_bp(annual_rate_pct: Decimal) -> int:
    """Basis points of an annual percent rate: Decimal('15.9') -> 1590. Refuses finer than 0.01%p."""
    bp = annual_rate_pct * 100
    if bp != bp.to_integral_value():
        raise ValueError(f"rate {annual_rate_pct}% is finer than 0.01%p")
    return int(bp)


def bp_to_rate(bp: int) -> Decimal:
    """The annual percent rate of ``bp`` basis points, normalized: 1590 -> Decimal('15.9')."""
    rate = (Decimal(bp) / 100).quantize(RATE_QUANTUM)
    return rate.normalize() if rate != 0 else Decimal("0")


def monthly_interest(balance: Won, annual_rate_bp: int) -> Won:
    """One month's interest: balance × annual rate / 12, truncated to the won (named rounding: TRUNCATE)."""
    return balance * annual_rate_bp // 120_000


def interest_payback(interest_paid: Won, payback_pct: Decimal) -> Won:
    """The interest paid back at full repayment (불법사금융예방대출: 50%), truncated to the won in the
    borrower's disfavour by less than a won (named rounding: TRUNCATE)."""
    return int(Decimal(interest_paid) * payback_pct // 100)


def round_won(amount: Decimal) -> Won:
    """Round a computed amount to the won, half up (named rounding: LEVEL_PAYMENT)."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_won(amount: Won) -> str:
    """Korean display of an amount: 5000000 -> '5,000,000원'."""
    return f"{amount:,}원"


def format_manwon(amount: Won) -> str:
    """Korean display in 만 원 where it reads better: 5000000 -> '500만 원'; falls back to won."""
    if amount % 10_000 == 0:
        return f"{amount // 10_000:,}만 원"
    return format_won(amount)


def format_rate(rate: Decimal) -> str:
    """A rate for display and JSON: Decimal('15.90') -> '15.9'."""
    normalized = rate.quantize(RATE_QUANTUM).normalize()
    return f"{normalized:f}"
