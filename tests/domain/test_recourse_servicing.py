"""The recourse servicing rules (domain.recourse_servicing): the allocation order, the virtual account's
check digit and the installment plan's progress."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seomin.domain.recourse_servicing import (
    Owed,
    RecourseRefusal,
    allocate,
    debtor_of_account,
    format_account,
    plan_progress,
    virtual_account,
)

parts = st.integers(min_value=0, max_value=10**9)


def test_costs_then_delinquency_interest_then_interest_then_principal() -> None:
    owed = Owed(costs=100, delinquency_interest=50, interest=30, principal=1000)
    splits = [allocate(owed, n) for n in (90, 140, 181, 1180)]
    assert [(a.costs, a.delinquency_interest, a.interest, a.principal) for a in splits] == [
        (90, 0, 0, 0),
        (100, 40, 0, 0),
        (100, 50, 30, 1),
        (100, 50, 30, 1000),
    ]
    assert allocate(owed, 1180).after == Owed()
    for bad, code in (
        (0, "AMOUNT_NOT_POSITIVE"),
        (-5, "AMOUNT_NOT_POSITIVE"),
        (1181, "AMOUNT_ABOVE_BALANCE"),
    ):
        with pytest.raises(RecourseRefusal) as refused:
            allocate(owed, bad)
        assert (refused.value.field, refused.value.code) == ("amount", code)


@given(parts, parts, parts, parts, st.data())
def test_a_split_sums_to_the_amount_and_fills_each_part_before_the_next(
    costs: int, delinquency: int, interest: int, principal: int, data: st.DataObject
) -> None:
    owed = Owed(costs, delinquency, interest, principal)
    if owed.total == 0:
        return
    amount = data.draw(st.integers(min_value=1, max_value=owed.total))
    split = allocate(owed, amount)
    assert split.amount == amount and split.after.total == owed.total - amount
    taken = [split.costs, split.delinquency_interest, split.interest, split.principal]
    whole = [costs, delinquency, interest, principal]
    for k in range(1, 4):
        if taken[k]:
            assert taken[:k] == whole[:k]


@given(st.integers(min_value=1, max_value=10**9 - 1))
def test_a_virtual_account_names_its_debt_and_one_wrong_digit_is_caught(debt_id: int) -> None:
    reference = virtual_account(debt_id)
    assert len(reference) == 14 and debtor_of_account(format_account(reference)) == debt_id
    for position in range(len(reference)):
        typo = reference[:position] + str((int(reference[position]) + 1) % 10) + reference[position + 1 :]
        with pytest.raises(RecourseRefusal):
            if debtor_of_account(typo) == debt_id:
                raise AssertionError("a typo named the same debt")


def test_malformed_references_name_the_field() -> None:
    for text in ("", "5617", "1234000000001" + "0", "5617-00000000a-1", "56170000000000"):
        with pytest.raises(RecourseRefusal) as refused:
            debtor_of_account(text)
        assert refused.value.field == "reference"


def test_plan_progress_moves_with_money_not_with_the_calendar() -> None:
    start = date(2025, 1, 31)
    nothing = plan_progress(start, 24, 100_000, 0, 2_400_000, date(2025, 6, 1))
    assert (nothing.covered, nothing.due, nothing.behind, nothing.arrears) == (0, 5, 5, 500_000)
    assert (nothing.next_no, nothing.next_on, nothing.oldest_unpaid_on) == (1, start, start)
    some = plan_progress(start, 24, 100_000, 450_000, 1_950_000, date(2025, 6, 1))
    assert (some.covered, some.behind, some.arrears, some.next_no, some.next_amount) == (
        4,
        1,
        50_000,
        5,
        50_000,
    )
    assert some.next_on == date(2025, 5, 31) and some.days_behind(date(2025, 6, 1)) == 1
    ahead = plan_progress(start, 3, 33_333, 66_666, 33_334, date(2025, 1, 1))
    assert (ahead.covered, ahead.due, ahead.behind, ahead.next_no, ahead.next_amount) == (2, 0, 0, 3, 33_334)
    done = plan_progress(start, 3, 33_333, 100_000, 0, date(2026, 1, 1))
    assert (done.covered, done.behind, done.next_no) == (3, 0, None)
