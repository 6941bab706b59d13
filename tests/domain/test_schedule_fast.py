"""The fast scalar engine against the reference it replaced: identical rows, identical refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from schedule_reference import reference_rows
from test_schedule_properties import bp_rates, loan_terms

from seomin.adapters.calendar_data import korean_calendar
from seomin.domain.calendar import CalendarRangeError
from seomin.domain.schedule import (
    LoanTerms,
    RatePolicy,
    RepaymentMethod,
    build_schedule,
    level_payment,
    level_payment_fast,
)

CAL = korean_calendar()


@settings(max_examples=1_000, deadline=None)
@given(loan_terms)
def test_rows_equal_the_reference_engine(terms: LoanTerms) -> None:
    assert [tuple(r) for r in build_schedule(terms, CAL).installments] == reference_rows(terms, CAL)


@settings(max_examples=300, deadline=None)
@given(loan_terms, st.data())
def test_rows_with_given_rates_equal_the_reference_engine(terms: LoanTerms, data: st.DataObject) -> None:
    rates = data.draw(st.lists(bp_rates(2_000), min_size=terms.n_installments, max_size=terms.n_installments))
    fast = build_schedule(terms, CAL, rates)
    assert [tuple(r) for r in fast.installments] == reference_rows(terms, CAL, rates)


@settings(max_examples=2_000, deadline=None)
@given(st.integers(1, 10**13), st.integers(0, 5_000), st.integers(1, 1_200))
@example(1_000_000, 1_200, 1)  # B·(1 + r) = 1,010,000 exactly
@example(60, 1_000, 1)  # 60.5: an exact tie, rounded up
@example(20_000_000, 1_590, 60)
def test_level_payment_fast_equals_the_exact_one(balance: int, bp: int, n: int) -> None:
    assert level_payment_fast(balance, bp, n) == level_payment(balance, bp, n)


@pytest.mark.parametrize(
    ("executed_on", "months"),
    [(date(2014, 11, 30), 12), (date(2045, 6, 30), 12), (date(2044, 12, 31), 12)],
)
def test_dates_past_the_calendar_data_are_refused_as_before(executed_on: date, months: int) -> None:
    terms = LoanTerms(
        1_000_000, months, 0, RepaymentMethod.EQUAL_INSTALLMENT, executed_on, RatePolicy(Decimal("15.9"))
    )
    with pytest.raises(CalendarRangeError) as fast:
        build_schedule(terms, CAL)
    with pytest.raises(CalendarRangeError) as reference:
        reference_rows(terms, CAL)
    assert str(fast.value) == str(reference.value)
