"""Payment allocation and delinquency interest (seomin.domain.repayment): golden figures and properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seomin.adapters.calendar_data import korean_calendar
from seomin.domain.repayment import (
    AmountExceedsPayoff,
    InstallmentState,
    LoanLedger,
    PaymentOutOfOrder,
    PaymentRecord,
    accrued_interest,
    allocate,
    delinquency_rate_bp,
    new_ledger,
    payoff_quote,
    replay,
    year_fraction,
)
from seomin.domain.schedule import LoanTerms, RatePolicy, RepaymentMethod, build_schedule, level_payment

CALENDAR = korean_calendar()
EQUAL = RepaymentMethod.EQUAL_INSTALLMENT


def ledger_of(
    amount: int = 5_000_000,
    months: int = 60,
    grace: int = 0,
    rate: str = "15.9",
    executed_on: date = date(2025, 5, 15),
    method: RepaymentMethod = EQUAL,
) -> LoanLedger:
    terms = LoanTerms(
        amount, months, grace, method, executed_on, RatePolicy(Decimal(rate)), apply_step_down=False
    )
    schedule = build_schedule(terms, CALENDAR)
    rows = [
        InstallmentState(i.no, i.due_date, int(i.annual_rate * 100), i.principal, i.interest)
        for i in schedule.installments
    ]
    return new_ledger(executed_on, method, grace, rows)


def hand_ledger(*rows: tuple[date, int, int], rate_bp: int = 1590) -> LoanLedger:
    """Installments (due date, principal, interest) written by hand."""
    states = [InstallmentState(n, d, rate_bp, p, i) for n, (d, p, i) in enumerate(rows, start=1)]
    return new_ledger(rows[0][0] - timedelta(days=31), EQUAL, 0, states)


# --- the rate and the day count --------------------------------------------------------------------------


def test_delinquency_rate_is_contract_plus_3_capped_at_20() -> None:
    assert delinquency_rate_bp(1590) == 1890
    assert delinquency_rate_bp(360) == 660
    assert delinquency_rate_bp(1700) == 2000
    assert delinquency_rate_bp(1790) == 2000  # 햇살론17: 20.9% capped
    assert delinquency_rate_bp(2000) == 2000


def test_year_fraction_splits_a_period_at_the_year_boundary() -> None:
    # (2023-12-15, 2024-01-14]: Dec 16..31 = 16 days of 2023, Jan 1..14 = 14 days of leap 2024.
    assert year_fraction(date(2023, 12, 15), date(2024, 1, 14)) == Fraction(16, 365) + Fraction(14, 366)
    assert year_fraction(date(2024, 12, 31), date(2025, 1, 1)) == Fraction(1, 365)
    assert year_fraction(date(2024, 2, 28), date(2024, 3, 1)) == Fraction(2, 366)
    assert year_fraction(date(2025, 1, 1), date(2025, 1, 1)) == 0
    assert year_fraction(date(2025, 1, 2), date(2025, 1, 1)) == 0
    assert year_fraction(date(2023, 1, 1), date(2025, 1, 1)) == 1 + Fraction(366, 366)


def test_accrued_interest_truncates_to_the_won() -> None:
    # 1,000,000 × 18.9% × 30/365 = 15,534.2 -> 15,534.
    assert accrued_interest(1_000_000, 1890, date(2025, 3, 1), date(2025, 3, 31)) == 15_534


# --- golden delinquency interest ---------------------------------------------------------------------------


def test_delinquency_interest_golden_across_a_leap_year_boundary() -> None:
    # One installment of 900,000 principal + 100,000 interest due 2023-12-15 at 15.9% -> 18.9%.
    # Paid 2024-01-14: 1,000,000 × 0.189 × 16/365 = 8,284.93 (2023)
    #                + 1,000,000 × 0.189 × 14/366 = 7,229.51 (2024, leap) = 15,514.44 -> 15,514.
    # (30 days all at /365 would give 15,534.)
    ledger = hand_ledger((date(2023, 12, 15), 900_000, 100_000))
    quote = payoff_quote(ledger, date(2024, 1, 14))
    assert quote.delinquency_interest == 15_514
    assert quote.due_principal == 900_000 and quote.due_interest == 100_000
    assert quote.total == 1_015_514
    (overdue,) = ledger.overdue(date(2024, 1, 14))
    assert overdue.days_overdue == 30 and overdue.delinquency_interest == 15_514


def test_delinquency_interest_is_capped_at_20_percent() -> None:
    # Contract 18.5% -> 21.5% capped at 20%: 1,000,000 × 0.20 × 30/365 = 16,438.36 -> 16,438.
    ledger = hand_ledger((date(2025, 3, 4), 950_000, 50_000), rate_bp=1850)
    assert payoff_quote(ledger, date(2025, 4, 3)).delinquency_interest == 16_438


def test_no_delinquency_interest_on_the_due_date_and_one_day_after_it_starts() -> None:
    ledger = hand_ledger((date(2025, 6, 16), 55_075, 66_250))
    assert payoff_quote(ledger, date(2025, 6, 16)).delinquency_interest == 0
    # 121,325 × 0.189 / 365 = 62.82 -> 62.
    assert payoff_quote(ledger, date(2025, 6, 17)).delinquency_interest == 62


def test_delinquency_interest_is_truncated_once_per_installment_not_per_stretch() -> None:
    ledger = hand_ledger((date(2025, 6, 16), 55_075, 66_250), (date(2025, 7, 15), 55_805, 65_520))
    # 2025-07-01, 15 days late: 121,325 × 0.189 × 15/365 = 942.35 -> 942 of delinquency interest;
    # 120,000 pays 942 + interest 66,250 + principal 52,808, leaving 2,267 of installment 1.
    first = allocate(ledger, 120_000, date(2025, 7, 1))
    assert (first.delinquency_interest, first.interest, first.principal) == (942, 66_250, 52_808)
    # 2025-07-15: 2,267 × 0.189 × 14/365 = 16.43; total 942.35 + 16.43 = 958.78 -> 958, owed 958 − 942 = 16.
    # (Truncating each stretch would also give 16 here; by 2025-08-20 it differs:)
    # 2025-08-20: 2,267 × 0.189 × 50/365 = 58.69; 942.35 + 58.69 = 1,001.04 -> 1,001, owed 59 (not 58),
    # plus installment 2 (121,325, 36 days): 121,325 × 0.189 × 36/365 = 2,261.63 -> 2,261.
    quote = payoff_quote(first.ledger, date(2025, 8, 20))
    assert quote.delinquency_interest == 59 + 2_261


# --- allocation order --------------------------------------------------------------------------------------


def test_allocation_order_delinquency_then_interest_then_principal_oldest_first() -> None:
    ledger = hand_ledger(
        (date(2025, 3, 4), 50_000, 10_000),
        (date(2025, 4, 4), 51_000, 9_000),
        (date(2025, 5, 6), 52_000, 8_000),
        (date(2025, 6, 4), 53_000, 7_000),
    )
    on = date(2025, 5, 6)  # installments 1 and 2 overdue, 3 due today, 4 not yet due
    quote = payoff_quote(ledger, on)
    # 60,000 × 0.189 × 63/365 = 1,957.32 -> 1,957; 60,000 × 0.189 × 32/365 = 994.19 -> 994.
    assert quote.delinquency_interest == 1_957 + 994
    # delinquency 2,951, then interest 10,000 + 9,000 + 8,000, then principal: 50,000 and 1,049 of 51,000.
    allocation = allocate(ledger, 2_951 + 27_000 + 51_049, on)
    assert [(x.no, x.delinquency_interest, x.interest, x.principal) for x in allocation.lines] == [
        (1, 1_957, 10_000, 50_000),
        (2, 994, 9_000, 1_049),
        (3, 0, 8_000, 0),
    ]
    assert allocation.prepaid_principal == 0 and not allocation.reamortized
    assert allocation.ledger.in_arrears(on)  # 49,951 of installment 2 is still overdue
    # A payment smaller than the delinquency interest pays only delinquency interest, oldest first.
    small = allocate(ledger, 2_000, on)
    assert [(x.no, x.delinquency_interest, x.interest) for x in small.lines] == [(1, 1_957, 0), (2, 43, 0)]


def test_an_on_time_payment_pays_the_installment_and_clears_it() -> None:
    ledger = ledger_of()
    first = ledger.installments[0]
    allocation = allocate(ledger, first.principal_due + first.interest_due, first.due_date)
    assert allocation.lines[0].interest == first.interest_due
    assert allocation.lines[0].principal == first.principal_due
    assert allocation.delinquency_interest == 0 and allocation.prepaid_principal == 0
    assert not allocation.ledger.in_arrears(first.due_date)
    assert allocation.ledger.principal_balance == 5_000_000 - first.principal_due


# --- payoff and prepayment ---------------------------------------------------------------------------------


def test_payoff_quote_charges_daily_interest_since_the_last_due_date() -> None:
    ledger = ledger_of()  # 5,000,000 at 15.9% over 60 months from 2025-05-15; first due 2025-06-16
    first = ledger.installments[0]
    paid = allocate(ledger, first.principal_due + first.interest_due, first.due_date).ledger
    quote = payoff_quote(paid, date(2025, 7, 1))
    # 4,944,925 × 0.159 × 15/365 = 32,311.36 -> 32,311.
    assert quote.principal_balance == 4_944_925
    assert quote.accrued_from == date(2025, 6, 16)
    assert quote.accrued_interest == 32_311
    assert quote.total == 4_944_925 + 32_311
    # Before the first due date the period runs from the execution: 5,000,000 × 0.159 × 17/365.
    assert payoff_quote(ledger, date(2025, 6, 1)).accrued_interest == 37_027


def test_paying_the_payoff_repays_the_loan_in_full() -> None:
    ledger = ledger_of()
    on = date(2025, 8, 20)  # installments 1-3 (due 06-16, 07-15, 08-18 after the 08-15 holiday) unpaid
    quote = payoff_quote(ledger, on)
    allocation = allocate(ledger, quote.total, on)
    assert allocation.full_repayment
    assert allocation.ledger.principal_balance == 0
    assert allocation.total_principal == 5_000_000
    assert allocation.delinquency_interest == quote.delinquency_interest
    last = allocation.ledger.installments[-1]
    assert quote.accrued_from == date(2025, 8, 18)
    assert (last.no, last.due_date, last.principal_due, last.interest_due) == (
        4,
        on,
        quote.principal_balance,
        quote.accrued_interest,
    )
    with pytest.raises(AmountExceedsPayoff) as refused:
        allocate(ledger, quote.total + 1, on)
    assert refused.value.payoff == quote.total


def test_a_partial_prepayment_reamortizes_the_rest_over_the_same_installments() -> None:
    ledger = ledger_of()
    first = ledger.installments[0]
    on = first.due_date
    allocation = allocate(ledger, first.principal_due + first.interest_due + 1_000_000, on)
    # On the due date no interest has accrued since: all of the excess is principal.
    assert (allocation.prepaid_principal, allocation.prepayment_interest) == (1_000_000, 0)
    assert allocation.reamortized and not allocation.full_repayment
    after = allocation.ledger.installments
    assert len(after) == 60
    assert [i.due_date for i in after] == [i.due_date for i in ledger.installments]
    remaining = 5_000_000 - first.principal_due - 1_000_000
    assert sum(i.principal_due for i in after[1:]) == remaining
    # The new level payment amortizes the new balance over the 59 installments left.
    assert after[1].principal_due + after[1].interest_due == level_payment(remaining, 1590, 59)
    assert after[1].interest_due == remaining * 1590 // 120_000


def test_a_prepayment_between_due_dates_pays_interest_on_the_prepaid_principal() -> None:
    ledger = ledger_of()
    first = ledger.installments[0]
    paid = allocate(ledger, first.principal_due + first.interest_due, first.due_date).ledger
    on = date(2025, 7, 1)  # 15 days after 2025-06-16
    allocation = allocate(paid, 1_000_000, on)
    x = allocation.prepaid_principal
    # x + truncated interest on x ≤ 1,000,000, the largest such x: x × (1 + 0.159 × 15/365) ≈ 1,000,000.
    # 993,508 × 0.159 × 15/365 = 6,491.8 -> 6,491 and 993,509 + 6,491 = 1,000,000 exactly.
    assert x == 993_509
    assert allocation.prepayment_interest == 1_000_000 - x == 6_491
    assert accrued_interest(x, 1590, date(2025, 6, 16), on) == 6_491
    assert allocation.ledger.principal_balance == 4_944_925 - x


def test_grace_installments_stay_interest_only_after_a_prepayment() -> None:
    ledger = ledger_of(months=36, grace=12)
    first = ledger.installments[0]
    allocation = allocate(ledger, first.interest_due + 500_000, first.due_date)
    after = allocation.ledger.installments
    assert all(i.principal_due == 0 for i in after[:12])
    assert after[1].interest_due == 4_500_000 * 1590 // 120_000
    assert sum(i.principal_due for i in after) == 4_500_000


def test_payments_out_of_order_are_refused() -> None:
    ledger = ledger_of()
    paid = allocate(ledger, 200_000, date(2025, 6, 20)).ledger
    with pytest.raises(PaymentOutOfOrder):
        allocate(paid, 1_000, date(2025, 6, 19))
    with pytest.raises(PaymentOutOfOrder):
        payoff_quote(ledger, date(2025, 5, 14))
    with pytest.raises(ValueError):
        allocate(ledger, 0, date(2025, 6, 20))


def test_replay_rebuilds_the_ledger_from_the_recorded_splits() -> None:
    ledger = ledger_of()
    records = []
    for amount, on in (
        (50_000, date(2025, 6, 30)),
        (300_000, date(2025, 7, 20)),
        (900_000, date(2025, 9, 1)),
    ):
        allocation = allocate(ledger, amount, on)
        records.append(
            PaymentRecord(
                on, allocation.delinquency_interest, allocation.total_interest, allocation.total_principal
            )
        )
        ledger = allocation.ledger
    rebuilt = replay(ledger.executed_on, EQUAL, 0, ledger.installments, records)
    assert rebuilt == ledger


# --- properties -------------------------------------------------------------------------------------------


@st.composite
def ledgers(draw: st.DrawFn) -> LoanLedger:
    return ledger_of(
        amount=draw(st.integers(10_000, 20_000_000)),
        months=draw(st.integers(1, 18)),
        grace=draw(st.integers(0, 3)),
        rate=str(Decimal(draw(st.integers(0, 2_000))) / 100),
        executed_on=draw(st.dates(date(2023, 1, 1), date(2026, 12, 31))),
        method=draw(st.sampled_from(list(RepaymentMethod))),
    )


payments = st.lists(
    st.tuples(st.integers(0, 75), st.one_of(st.integers(1, 3_000_000), st.just(-1))), min_size=1, max_size=10
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), payments)
def test_allocation_conserves_money_and_respects_the_order(
    ledger: LoanLedger, steps: list[tuple[int, int]]
) -> None:
    amount = ledger.principal_balance
    on = ledger.executed_on
    records: list[PaymentRecord] = []
    repaid_principal = 0
    for gap, wanted in steps:
        on += timedelta(days=gap)
        quote = payoff_quote(ledger, on)
        pay = quote.total if wanted == -1 else min(wanted, quote.total)
        if pay == 0:
            break
        before = ledger.accrued_to(on)
        allocation = allocate(ledger, pay, on)
        after = allocation.ledger

        # Nothing lost or created: the parts sum to the payment, line by line and in total.
        assert allocation.delinquency_interest + allocation.total_interest + allocation.total_principal == pay
        # A partial prepayment belongs to no installment (the rest is re-amortized); a payoff's does.
        prepayment = allocation.prepaid_principal + allocation.prepayment_interest
        assert sum(x.total for x in allocation.lines) + (prepayment if allocation.reamortized else 0) == pay
        # Never more than owed; the principal paid is exactly what the balance fell by.
        assert allocation.delinquency_interest <= quote.delinquency_interest
        assert allocation.interest <= quote.due_interest
        assert allocation.principal <= quote.due_principal
        assert allocation.prepaid_principal <= quote.principal_balance
        assert before.principal_balance - after.principal_balance == allocation.total_principal
        repaid_principal += allocation.total_principal
        assert after.principal_balance + repaid_principal == amount
        for row in after.installments:
            assert 0 <= row.principal_paid <= row.principal_due
            assert 0 <= row.interest_paid <= row.interest_due
            # paid_on: the day an installment became fully paid, None while anything is unpaid.
            assert row.paid_on is None or row.unpaid == 0
            if row.unpaid == 0 and row.principal_paid + row.interest_paid > 0:
                assert row.paid_on is not None and row.paid_on <= on
        assert all(a.owed >= 0 for a in after.arrears)
        by_no = {i.no: (i, a) for i, a in zip(before.installments, before.arrears, strict=True)}
        for line in allocation.lines:
            row, arrears = by_no[line.no]
            assert line.delinquency_interest <= arrears.owed
            if row.due_date <= on:
                assert line.interest <= row.interest_unpaid and line.principal <= row.principal_unpaid
        # Order: delinquency interest, then interest, then principal, then prepayment.
        if allocation.interest or allocation.principal or allocation.prepaid_principal:
            assert allocation.delinquency_interest == quote.delinquency_interest
        if allocation.principal or allocation.prepaid_principal:
            assert allocation.interest == quote.due_interest
        if allocation.prepaid_principal:
            assert allocation.principal == quote.due_principal
        # Oldest first within a category: a later installment is paid only once the earlier ones are.
        due_lines = [x for x in allocation.lines if by_no[x.no][0].due_date <= on]
        for category in ("delinquency_interest", "interest", "principal"):
            paid_nos = [x.no for x in due_lines if getattr(x, category)]
            for no in paid_nos[:-1]:
                row, arrears = by_no[no]
                left = {
                    "delinquency_interest": arrears.owed,
                    "interest": row.interest_unpaid,
                    "principal": row.principal_unpaid,
                }[category]
                line = next(x for x in allocation.lines if x.no == no)
                assert getattr(line, category) == left
        assert allocation.full_repayment == (pay == quote.total)
        # The stored splits replay to the same ledger.
        records.append(
            PaymentRecord(
                on, allocation.delinquency_interest, allocation.total_interest, allocation.total_principal
            )
        )
        rebuilt = replay(ledger.executed_on, ledger.method, ledger.grace_months, after.installments, records)
        assert rebuilt.installments == after.installments
        assert [a.owed for a in rebuilt.arrears] == [a.owed for a in after.arrears]
        ledger = after
        if allocation.full_repayment:
            assert ledger.principal_balance == 0 and ledger.closed
            break


@settings(max_examples=150, deadline=None)
@given(ledgers(), st.lists(st.integers(1, 400), min_size=1, max_size=6))
def test_delinquency_interest_does_not_depend_on_when_it_was_looked_at(
    ledger: LoanLedger, gaps: list[int]
) -> None:
    """Accruing in stretches (quotes in between) gives the same won as accruing at once."""
    day = ledger.executed_on
    stepped = ledger
    for gap in gaps:
        day += timedelta(days=gap)
        stepped = stepped.accrued_to(day)
    direct = ledger.accrued_to(day)
    assert [a.owed for a in stepped.arrears] == [a.owed for a in direct.arrears]
    # And it matches the closed form on each installment's whole unpaid amount.
    for row, arrears in zip(ledger.installments, direct.arrears, strict=True):
        expected = Fraction(row.unpaid * delinquency_rate_bp(row.rate_bp), 10_000) * year_fraction(
            row.due_date, day
        )
        assert arrears.owed == int(expected)


def test_a_ledger_must_be_in_due_date_order() -> None:
    ledger = ledger_of(months=3)
    rows = ledger.installments
    with pytest.raises(ValueError):
        replace(ledger, installments=(rows[1], rows[0], rows[2]))
