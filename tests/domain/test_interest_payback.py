"""완제 시 이자 환급: the share of interest paid back is truncated to the won (named rounding: TRUNCATE)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from seomin.domain.money import interest_payback


def test_golden_cases() -> None:
    assert interest_payback(124_992, Decimal("50")) == 62_496
    assert interest_payback(124_993, Decimal("50")) == 62_496  # half a won stays with the agency
    assert interest_payback(0, Decimal("50")) == 0
    assert interest_payback(99, Decimal("33.33")) == 32  # 32.9967


@given(st.integers(0, 10**12), st.decimals(0, 100, places=2))
def test_never_more_than_the_share_and_short_by_less_than_a_won(interest: int, pct: Decimal) -> None:
    paid_back = interest_payback(interest, pct)
    exact = Decimal(interest) * pct / 100
    assert isinstance(paid_back, int) and paid_back <= exact < paid_back + 1
