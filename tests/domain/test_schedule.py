"""Scalar schedule engine: golden cases, hand-checked rows, rate paths, due dates, validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy_financial as npf
import pytest

from seomin.adapters.calendar_data import korean_calendar
from seomin.domain.calendar import BusinessCalendar, CalendarRangeError
from seomin.domain.schedule import (
    LoanTerms,
    RatePolicy,
    RepaymentMethod,
    build_schedule,
    level_payment,
    reamortize,
)

D = Decimal
EI = RepaymentMethod.EQUAL_INSTALLMENT
EP = RepaymentMethod.EQUAL_PRINCIPAL
BULLET = RepaymentMethod.BULLET
# 햇살론15 (seed 004): 15.9%, floor 9.9%, yearly cut 1.5%p over 60 months or 3.0%p over 36.
POLICY_60 = RatePolicy(base_rate=D("15.9"), step_down=D("1.5"), floor=D("9.9"))
POLICY_36 = RatePolicy(base_rate=D("15.9"), step_down=D("3.0"), floor=D("9.9"))


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return korean_calendar()


def terms(
    amount: int = 20_000_000,
    months: int = 60,
    grace: int = 0,
    method: RepaymentMethod = EI,
    executed_on: date = date(2025, 3, 10),
    policy: RatePolicy = POLICY_60,
    step_down: bool = True,
) -> LoanTerms:
    return LoanTerms(amount, months, grace, method, executed_on, policy, apply_step_down=step_down)


def test_published_check_20m_at_15_9_over_60_months(cal: BusinessCalendar) -> None:
    schedule = build_schedule(terms(step_down=False), cal)
    rows = schedule.installments
    assert len(rows) == 60
    assert rows[0].payment == 485_299  # the published figure
    assert rows[0].interest == 265_000  # 20,000,000 × 15.9% / 12
    assert all(r.payment == 485_299 for r in rows[:-1])
    assert rows[-1].balance == 0
    assert schedule.total_principal == 20_000_000
    assert schedule.total_payment == schedule.total_principal + schedule.total_interest


def test_level_payment_matches_numpy_financial_within_one_won() -> None:
    for amount, rate, months in [(20_000_000, 15.9, 60), (5_000_000, 15.9, 36), (12_345_678, 3.6, 84)]:
        npf_payment = float(-npf.pmt(rate / 1200, months, amount))
        assert abs(level_payment(amount, round(rate * 100), months) - npf_payment) <= 1


def test_interest_matches_numpy_financial_ipmt_within_one_won(cal: BusinessCalendar) -> None:
    rows = build_schedule(terms(amount=5_000_000, months=36, step_down=False), cal).installments
    rate, n, pv = 15.9 / 1200, 36, 5_000_000
    for period in (1, 2, 12, 24, 35):
        npf_interest = float(-npf.ipmt(rate, period, n, pv))
        # Truncation per row drifts the balance by a few won at most; the interest stays within a won.
        assert abs(rows[period - 1].interest - npf_interest) <= 1


def test_hand_checked_one_million_over_twelve_months(cal: BusinessCalendar) -> None:
    """1,000,000 won, 12 months, 15.9%, equal installment, recomputed here from the formulas."""
    amount, months = 1_000_000, 12
    r = Fraction(1590, 120_000)  # 15.9% / 12 = 0.01325 a month
    annuity = amount * r / (1 - (1 + r) ** -months)  # B·r / (1 − (1+r)^−n), exact rational
    level = int(annuity + Fraction(1, 2))  # half up to the won: 90,684.03… -> 90,684
    assert level == 90_684
    expected = []
    balance = amount
    for no in range(1, months + 1):
        interest = balance * 1590 // 120_000  # balance × 15.9% / 12, truncated
        principal = balance if no == months else level - interest
        balance -= principal
        expected.append((principal + interest, principal, interest, balance))
    assert expected[0] == (90_684, 77_434, 13_250, 922_566)
    assert expected[-1] == (90_674, 89_489, 1_185, 0)

    schedule = build_schedule(terms(amount=amount, months=months, step_down=False), cal)
    actual = [(r.payment, r.principal, r.interest, r.balance) for r in schedule.installments]
    assert actual == expected
    assert [r.due_date for r in schedule.installments][:5] == [
        date(2025, 4, 10),
        date(2025, 5, 12),  # 05-10 is a Saturday
        date(2025, 6, 10),
        date(2025, 7, 10),
        date(2025, 8, 11),  # 08-10 is a Sunday
    ]


def rates_by_year(schedule_rates: tuple[Decimal, ...]) -> list[Decimal]:
    years = [schedule_rates[i : i + 12] for i in range(0, len(schedule_rates), 12)]
    assert all(len(set(year)) == 1 for year in years), "rate changes only at anniversaries"
    return [year[0] for year in years]


def test_seed_004_rate_path_60_months(cal: BusinessCalendar) -> None:
    schedule = build_schedule(terms(months=60), cal)
    assert rates_by_year(schedule.rates) == [D("15.9"), D("14.4"), D("12.9"), D("11.4"), D("9.9")]
    assert [POLICY_60.rate_for_installment(no) for no in (1, 12, 13, 24, 25, 49, 60)] == [
        D("15.9"),
        D("15.9"),
        D("14.4"),
        D("14.4"),
        D("12.9"),
        D("9.9"),
        D("9.9"),
    ]


def test_seed_004_rate_path_36_months(cal: BusinessCalendar) -> None:
    schedule = build_schedule(terms(months=36, policy=POLICY_36), cal)
    assert rates_by_year(schedule.rates) == [D("15.9"), D("12.9"), D("9.9")]


def test_floor_holds_with_grace(cal: BusinessCalendar) -> None:
    # 12 + 36 installments: the fourth year would be 6.9% without the floor.
    schedule = build_schedule(terms(months=36, grace=12, policy=POLICY_36), cal)
    assert rates_by_year(schedule.rates) == [D("15.9"), D("12.9"), D("9.9"), D("9.9")]


def test_preferential_cut_applies_after_the_floor() -> None:
    policy = RatePolicy(D("15.9"), D("1.5"), D("9.9"), preferential_cut=D("0.1"))
    assert policy.rate_for_installment(1) == D("15.8")
    assert policy.rate_for_installment(13) == D("14.3")
    assert policy.rate_for_installment(60) == D("9.8")
    assert policy.rate_for_installment(60, step_down=False) == D("15.8")


def test_floor_never_raises_a_lower_base_and_rate_never_negative() -> None:
    low = RatePolicy(D("3.6"), D("1.0"), D("9.9"))
    assert [low.rate_for_installment(no) for no in (1, 13, 25)] == [D("3.6")] * 3
    assert RatePolicy(D("0.05"), preferential_cut=D("0.1")).rate_for_installment(1) == D("0")
    with pytest.raises(ValueError):
        low.rate_for_installment(0)


def test_no_step_down_is_the_contract_rate_throughout(cal: BusinessCalendar) -> None:
    policy = RatePolicy(D("15.9"), D("1.5"), D("9.9"), preferential_cut=D("0.1"))
    schedule = build_schedule(terms(policy=policy, step_down=False), cal)
    assert set(schedule.rates) == {D("15.8")}


def test_twelve_grace_months_are_interest_only(cal: BusinessCalendar) -> None:
    schedule = build_schedule(terms(grace=12, step_down=False), cal)
    rows = schedule.installments
    assert len(rows) == 72
    assert all(r.principal == 0 and r.interest == 265_000 == r.payment for r in rows[:12])
    assert all(r.balance == 20_000_000 for r in rows[:12])
    assert rows[12].payment == 485_299  # then the same level payment over the 60 repayment months
    assert rows[-1].balance == 0


def test_step_down_reamortizes_the_level_payment(cal: BusinessCalendar) -> None:
    rows = build_schedule(terms(), cal).installments
    assert rows[11].payment == 485_299
    balance_after_12 = rows[11].balance
    assert rows[12].annual_rate == D("14.4")
    assert rows[12].payment == level_payment(balance_after_12, 1440, 48)
    assert rows[12].payment < rows[11].payment
    assert len({r.payment for r in rows[12:23]}) == 1


def test_equal_principal(cal: BusinessCalendar) -> None:
    rows = build_schedule(terms(amount=1_000_000, months=7, method=EP, step_down=False), cal).installments
    assert [r.principal for r in rows] == [142_857] * 6 + [142_858]
    balances = [1_000_000] + [r.balance for r in rows[:-1]]
    assert [r.interest for r in rows] == [b * 1590 // 120_000 for b in balances]
    assert rows[-1].balance == 0


def test_equal_principal_keeps_level_principal_when_the_rate_steps(cal: BusinessCalendar) -> None:
    rows = build_schedule(terms(amount=3_600_000, months=36, grace=6, method=EP, policy=POLICY_36), cal)
    principal = [r.principal for r in rows.installments]
    assert principal == [0] * 6 + [100_000] * 36


def test_bullet(cal: BusinessCalendar) -> None:
    rows = build_schedule(terms(amount=1_000_000, months=12, method=BULLET, step_down=False), cal)
    assert [r.principal for r in rows.installments] == [0] * 11 + [1_000_000]
    assert all(r.interest == 13_250 for r in rows.installments)
    assert rows.total_interest == 12 * 13_250


def test_zero_rate(cal: BusinessCalendar) -> None:
    rows = build_schedule(terms(amount=1_000_000, months=3, policy=RatePolicy(D("0"))), cal).installments
    assert [(r.payment, r.interest) for r in rows] == [(333_333, 0), (333_333, 0), (333_334, 0)]
    assert level_payment(3, 0, 2) == 2  # 1.5 rounds half up


def test_single_installment(cal: BusinessCalendar) -> None:
    (row,) = build_schedule(terms(amount=1_000_000, months=1), cal).installments
    assert (row.principal, row.interest, row.balance) == (1_000_000, 13_250, 0)


@pytest.mark.parametrize(
    ("executed_on", "first_due"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),  # clamped to month end (a Friday)
        (date(2025, 9, 3), date(2025, 10, 10)),  # 10-03 개천절 .. 10-09 한글날, incl. 10-08 substitute
        (date(2024, 12, 27), date(2025, 1, 31)),  # 01-27 temporary holiday, 01-28..30 설날
        (date(2024, 12, 28), date(2025, 1, 31)),
        (date(2025, 2, 1), date(2025, 3, 4)),  # 03-01 Saturday, 03-03 substitute
    ],
)
def test_due_dates_roll_over_holidays(cal: BusinessCalendar, executed_on: date, first_due: date) -> None:
    rows = build_schedule(terms(executed_on=executed_on, months=12), cal).installments
    assert rows[0].due_date == first_due


def test_due_dates_keep_the_execution_day_after_a_short_month(cal: BusinessCalendar) -> None:
    rows = build_schedule(terms(executed_on=date(2025, 1, 31), months=3), cal).installments
    assert [r.due_date for r in rows] == [date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]


def test_schedule_past_the_calendar_data_raises(cal: BusinessCalendar) -> None:
    with pytest.raises(CalendarRangeError):
        build_schedule(terms(executed_on=date(2041, 6, 1), months=60), cal)


def test_rates_override_the_policy(cal: BusinessCalendar) -> None:
    contract = build_schedule(terms(step_down=False), cal)
    assert build_schedule(terms(), cal, rates=[D("15.9")] * 60).installments == contract.installments
    earned_once = [D("15.9")] * 12 + [D("14.4")] * 48
    rows = build_schedule(terms(), cal, rates=earned_once).installments
    assert rows[12].annual_rate == rows[-1].annual_rate == D("14.4")


def test_reamortize(cal: BusinessCalendar) -> None:
    contract = build_schedule(terms(step_down=False), cal)
    same = reamortize(contract, 13, D("15.9"), cal)
    assert same == contract  # the current rate changes nothing
    cut = reamortize(contract, 13, D("14.4"), cal)
    assert cut.installments[:12] == contract.installments[:12]
    assert {r.annual_rate for r in cut.installments[12:]} == {D("14.4")}
    assert cut.installments[-1].balance == 0 and cut.total_principal == 20_000_000
    # Earning every step-down in turn gives the policy's step-down schedule.
    stepped = contract
    for from_no, rate in [(13, "14.4"), (25, "12.9"), (37, "11.4"), (49, "9.9")]:
        stepped = reamortize(stepped, from_no, D(rate), cal)
    assert stepped.installments == build_schedule(terms(), cal).installments
    with pytest.raises(ValueError):
        reamortize(contract, 61, D("9.9"), cal)
    with pytest.raises(ValueError):
        reamortize(contract, 0, D("9.9"), cal)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"amount": 0}, ValueError),
        ({"amount": -1}, ValueError),
        ({"amount": 1.5}, TypeError),
        ({"months": 0}, ValueError),
        ({"grace": -1}, ValueError),
        ({"method": "annuity"}, ValueError),
    ],
)
def test_terms_validation(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        terms(**kwargs)  # type: ignore[arg-type]


def test_rate_validation(cal: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match=r"0\.01%p"):
        RatePolicy(D("15.955"))
    with pytest.raises(ValueError, match="negative"):
        RatePolicy(D("15.9"), step_down=D("-1"))
    with pytest.raises(TypeError):
        RatePolicy(15.9)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rates given"):
        build_schedule(terms(months=12), cal, rates=[D("15.9")] * 11)
    with pytest.raises(ValueError, match=r"0\.01%p"):
        build_schedule(terms(months=2), cal, rates=[D("15.9"), D("15.901")])
    with pytest.raises(ValueError, match="new_rate"):
        reamortize(build_schedule(terms(months=2), cal), 2, D("-1"), cal)
