"""The ledger's postings: every movement kind balances, zero legs drop, a whole ledger sums to zero."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seomin.domain.ledger import (
    Account,
    Kind,
    Line,
    UnbalancedEntry,
    balances,
    dormant_contribution,
    dormant_donation,
    dormant_payout,
    entry,
    fee_charge,
    fee_collected,
    fee_refund_due,
    fee_refund_paid,
)

won = st.integers(min_value=1, max_value=10**12)
interest = st.integers(min_value=0, max_value=10**9)


@given(won, interest, won, won, st.integers(min_value=1, max_value=10**6))
def test_every_movement_balances_and_the_ledger_sums_to_zero(
    principal: int, accrued: int, fee: int, collected: int, refund: int
) -> None:
    entries = [
        dormant_contribution("c", "bank", principal),
        dormant_payout("p", "bank", principal, accrued),
        dormant_donation("d", "insurance", principal, accrued),
        fee_charge("f", "kb", fee),
        fee_collected("k", "kb", collected),
        fee_refund_due("r", "kb", refund),
        fee_refund_paid("q", refund),
    ]
    for e in entries:
        assert sum(line.amount for line in e.lines) == 0
        assert all(line.amount for line in e.lines)
    assert sum(balances(line for e in entries for line in e.lines).values()) == 0


def test_a_payout_without_interest_has_two_legs_and_the_holders_debt_falls() -> None:
    payout = dormant_payout("p", "bank", 1_000, 0)
    assert payout.lines == (Line(Account.DORMANT_OWED, 1_000, "bank"), Line(Account.DORMANT_CASH, -1_000))
    book = balances([*dormant_contribution("c", "bank", 1_000).lines, *payout.lines])
    assert book[(Account.DORMANT_OWED, "bank")] == 0


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ((Line(Account.FEE_CASH, 10), Line(Account.FEE_INCOME, -9)), "differ by 1"),
        ((Line(Account.FEE_CASH, 10),), "at least two"),
        ((Line(Account.FEE_CASH, 0), Line(Account.FEE_INCOME, 0)), "non-zero"),
    ],
)
def test_an_unbalanced_entry_is_refused(lines: tuple[Line, ...], problem: str) -> None:
    with pytest.raises(UnbalancedEntry, match=problem):
        entry(Kind.FEE_CHARGE, "k", lines)
    with pytest.raises(UnbalancedEntry, match="key"):
        entry(Kind.FEE_CHARGE, "", (Line(Account.FEE_CASH, 1), Line(Account.FEE_INCOME, -1)))
