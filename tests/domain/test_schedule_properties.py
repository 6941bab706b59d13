"""Hypothesis properties of the scalar schedule engine over random terms and rate policies."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from seomin.adapters.calendar_data import korean_calendar
from seomin.domain.money import rate_to_bp
from seomin.domain.schedule import (
    LoanTerms,
    RatePolicy,
    RepaymentMethod,
    Schedule,
    build_schedule,
    reamortize,
)

CAL = korean_calendar()


def bp_rates(max_bp: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, max_bp).map(lambda bp: Decimal(bp) / 100)


policies = st.builds(
    RatePolicy,
    base_rate=bp_rates(2_000),
    step_down=bp_rates(400),
    floor=bp_rates(1_600),
    preferential_cut=bp_rates(100),
)


def terms_with(methods: st.SearchStrategy[RepaymentMethod]) -> st.SearchStrategy[LoanTerms]:
    return st.builds(
        LoanTerms,
        amount=st.one_of(st.integers(1, 1_000), st.integers(1, 50_000_000)),
        repayment_months=st.integers(1, 84),
        grace_months=st.one_of(st.just(0), st.integers(0, 24)),
        method=methods,
        executed_on=st.dates(date(2015, 1, 1), date(2035, 12, 31)),
        rate_policy=policies,
        apply_step_down=st.booleans(),
    )


loan_terms = terms_with(st.sampled_from(RepaymentMethod))


def check_invariants(schedule: Schedule) -> None:
    terms = schedule.terms
    rows = schedule.installments
    assert [r.no for r in rows] == list(range(1, terms.n_installments + 1))
    assert schedule.total_principal == terms.amount
    assert rows[-1].balance == 0
    balance = terms.amount
    for row in rows:
        bp = rate_to_bp(row.annual_rate)
        assert row.interest == balance * bp // 120_000  # balance × rate / 12, truncated
        assert row.payment == row.principal + row.interest
        assert row.principal >= 0
        assert row.balance == balance - row.principal >= 0
        if row.no <= terms.grace_months:
            assert row.principal == 0
        balance = row.balance
        assert CAL.is_business_day(row.due_date)
    due = [r.due_date for r in rows]
    assert all(a < b for a, b in itertools.pairwise(due))
    assert rows[0].due_date > terms.executed_on


@settings(max_examples=500, deadline=None)
@given(loan_terms)
def test_schedule_invariants(terms: LoanTerms) -> None:
    check_invariants(build_schedule(terms, CAL))


@settings(max_examples=500, deadline=None)
@given(loan_terms)
def test_rates_stay_above_floor_minus_preferential_and_never_rise(terms: LoanTerms) -> None:
    policy = terms.rate_policy
    rates = build_schedule(terms, CAL).rates
    lowest = max(Decimal(0), min(policy.base_rate, policy.floor) - policy.preferential_cut)
    assert all(r >= lowest for r in rates)
    assert all(a >= b for a, b in itertools.pairwise(rates))
    assert rates[0] == max(Decimal(0), policy.base_rate - policy.preferential_cut)
    if not terms.apply_step_down or policy.step_down == 0:
        assert len(set(rates)) == 1


@settings(max_examples=200, deadline=None)
@given(terms_with(st.just(RepaymentMethod.EQUAL_INSTALLMENT)))
def test_equal_installment_payment_is_level_between_rate_changes(terms: LoanTerms) -> None:
    rows = build_schedule(terms, CAL).installments[terms.grace_months : -1]  # repayment rows but the last
    for a, b in itertools.pairwise(rows):
        # A payment rounded up can pay a tiny balance off early; the rows after it are then capped.
        if a.annual_rate == b.annual_rate and b.principal < a.balance:
            assert a.payment == b.payment


@settings(max_examples=200, deadline=None)
@given(loan_terms, st.data())
def test_reamortize_keeps_the_past_and_the_invariants(terms: LoanTerms, data: st.DataObject) -> None:
    schedule = build_schedule(terms, CAL)
    from_no = data.draw(st.integers(1, terms.n_installments), label="from_no")
    new_rate = data.draw(bp_rates(2_000), label="new_rate")
    changed = reamortize(schedule, from_no, new_rate, CAL)
    assert changed.installments[: from_no - 1] == schedule.installments[: from_no - 1]
    assert set(changed.rates[from_no - 1 :]) == {new_rate.normalize() if new_rate else Decimal(0)}
    check_invariants(changed)
