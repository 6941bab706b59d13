"""The dormant-deposit interest and claim routing, and the guarantee-fee refund with its named rounding."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seomin.domain.dormant import ONLINE_CAP, ClaimRoute, accrued_interest, route_claim
from seomin.domain.guarantee_fees import (
    fee_periods,
    fee_rate_bp,
    prepaid_fee,
    repaid_share_bp,
    unearned_refund,
)


def test_interest_is_simple_actual_365_floored_once() -> None:
    # 1,000,000 won at 1.00% for 365 days is exactly 10,000; for 100 days 2,739.72… floors to 2,739.
    assert accrued_interest(1_000_000, 100, date(2024, 1, 1), date(2024, 12, 31)) == 10_000
    assert accrued_interest(1_000_000, 100, date(2025, 1, 1), date(2025, 4, 11)) == 2_739
    assert accrued_interest(1_000_000, 100, date(2025, 1, 1), date(2024, 1, 1)) == 0


@given(st.integers(0, 10**10), st.integers(0, 10_000), st.integers(0, 4000), st.integers(0, 400))
def test_interest_never_falls_as_days_pass(amount: int, rate: int, days: int, more: int) -> None:
    start = date(2020, 1, 1)
    earlier = accrued_interest(amount, rate, start, start + timedelta(days=days))
    assert 0 <= earlier <= accrued_interest(amount, rate, start, start + timedelta(days=days + more))


def test_claims_are_routed_by_amount_and_claimant() -> None:
    assert route_claim(1_000, by_holder=True).route is ClaimRoute.ONLINE
    assert route_claim(5_000_001, by_holder=True).route is ClaimRoute.SECOND_APPROVAL
    assert route_claim(ONLINE_CAP, by_holder=True).route is ClaimRoute.SECOND_APPROVAL
    over = route_claim(ONLINE_CAP + 1, by_holder=True)
    assert (over.route, over.reason_code) == (ClaimRoute.CENTER, "dormant.over_online_cap")
    assert route_claim(1_000, by_holder=False).reason_code == "dormant.not_holder"


def test_prepaid_fee_floors_to_whole_won() -> None:
    # 5,000,000 × 1.00% × 365/365 = 50,000; × 100/365 = 13,698.63… → 13,698 (FEE_FLOOR_WON).
    assert prepaid_fee(5_000_000, 100, date(2025, 1, 1), date(2026, 1, 1)) == 50_000
    assert prepaid_fee(5_000_000, 100, date(2025, 1, 1), date(2025, 4, 11)) == 13_698


def test_refund_of_the_unearned_fee_rounds_up() -> None:
    start, end = date(2025, 1, 1), date(2026, 1, 1)  # 365 days
    # Full repayment after 100 days: 50,000 × 265/365 = 36,301.36… → 36,302 (REFUND_CEIL_WON).
    assert unearned_refund(50_000, start, end, date(2025, 4, 11)) == 36_302
    # Half repaid on the same day: 18,150.68… → 18,151.
    assert unearned_refund(50_000, start, end, date(2025, 4, 11), repaid_share_bp=5_000) == 18_151
    assert unearned_refund(50_000, start, end, start) == 50_000
    assert unearned_refund(50_000, start, end, end) == 0


def test_refund_refuses_a_day_outside_the_term() -> None:
    with pytest.raises(ValueError, match="within the guarantee term"):
        unearned_refund(50_000, date(2025, 1, 1), date(2026, 1, 1), date(2026, 1, 2))


@given(
    st.integers(0, 10**8),
    st.integers(1, 3650),
    st.integers(0, 3650),
    st.integers(0, 10_000),
)
def test_refund_is_within_the_fee_and_earned_plus_refunded_is_the_fee(
    fee: int, term: int, day: int, share: int
) -> None:
    start = date(2020, 1, 1)
    end = start + timedelta(days=term)
    repaid_on = start + timedelta(days=min(day, term))
    refund = unearned_refund(fee, start, end, repaid_on, share)
    assert 0 <= refund <= fee
    exact = fee * share * (end - repaid_on).days / (10_000 * term)
    assert refund - 1 < exact <= refund + 1e-6 * max(1, fee)


def test_the_fee_rate_takes_the_education_cut_from_the_catalog_figure() -> None:
    assert fee_rate_bp(Decimal("1.0"), Decimal("0.1"), educated=True) == 90
    assert fee_rate_bp(Decimal("1.0"), Decimal("0.1"), educated=False) == 100
    assert fee_rate_bp(Decimal("0.1"), Decimal("0.5"), educated=True) == 0  # never below zero
    with pytest.raises(ValueError, match="finer"):
        fee_rate_bp(Decimal("1.005"), Decimal("0"), educated=False)


def test_fee_periods_are_the_term_or_each_year_ending_with_the_term() -> None:
    start = date(2024, 2, 29)
    assert fee_periods(start, 18, periodic=False) == ((start, date(2025, 8, 29)),)
    assert fee_periods(start, 30, periodic=True) == (
        (start, date(2025, 2, 28)),
        (date(2025, 2, 28), date(2026, 2, 28)),
        (date(2026, 2, 28), date(2026, 8, 29)),
    )
    with pytest.raises(ValueError):
        fee_periods(start, 0, periodic=True)


@given(st.integers(1, 10**9), st.integers(0, 10**9))
def test_the_repaid_share_floors_and_caps_at_the_whole(base: int, repaid: int) -> None:
    share = repaid_share_bp(repaid, base)
    assert 0 <= share <= 10_000
    assert share * base <= repaid * 10_000  # SHARE_FLOOR_BP never over-states the share
    if repaid >= base:
        assert share == 10_000
