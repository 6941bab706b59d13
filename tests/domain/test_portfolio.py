"""Vectorized portfolio engine: identical to the scalar engine, differentially on random loans."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from seomin.adapters.calendar_data import korean_calendar
from seomin.domain.calendar import BusinessCalendar, CalendarRangeError
from seomin.domain.portfolio import (
    METHOD_CODES,
    LoanArrays,
    PortfolioSchedules,
    build_portfolio,
    level_payments,
)
from seomin.domain.schedule import LoanTerms, RatePolicy, RepaymentMethod, build_schedule, level_payment


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return korean_calendar()


def random_terms(rng: np.random.Generator, n: int) -> list[LoanTerms]:
    methods = list(RepaymentMethod)
    out = []
    for _ in range(n):
        amount_kind = rng.integers(0, 3)
        amount = int(
            rng.integers(1, 1_000) if amount_kind == 0 else rng.integers(1_000_000, 30_000_001)
        )  # tiny amounts reach the capped-early rows
        base_bp = int(rng.choice([0, 360, 450, 1250, 1590, 1790, int(rng.integers(0, 2_000))]))
        out.append(
            LoanTerms(
                amount=amount,
                repayment_months=int(rng.choice([1, 12, 36, 60, int(rng.integers(1, 85))])),
                grace_months=int(rng.choice([0, 0, 6, 12, int(rng.integers(0, 25))])),
                method=methods[int(rng.integers(0, 3))],
                executed_on=date(2015, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 20))),
                rate_policy=RatePolicy(
                    base_rate=Decimal(base_bp) / 100,
                    step_down=Decimal(int(rng.choice([0, 100, 150, 250, 300, int(rng.integers(0, 500))])))
                    / 100,
                    floor=Decimal(int(rng.choice([0, 990, 940, int(rng.integers(0, 1_600))]))) / 100,
                    preferential_cut=Decimal(int(rng.choice([0, 0, 10, int(rng.integers(0, 100))]))) / 100,
                ),
                apply_step_down=bool(rng.integers(0, 2)),
            )
        )
    return out


def assert_identical(terms: list[LoanTerms], result: PortfolioSchedules, cal: BusinessCalendar) -> None:
    for i, t in enumerate(terms):
        expected = build_schedule(t, cal).installments
        assert result.installments(i) == expected, f"loan {i}: {t}"


def test_differential_against_the_scalar_engine(cal: BusinessCalendar) -> None:
    terms = random_terms(np.random.default_rng(20250601), 3_000)
    result = build_portfolio(LoanArrays.from_terms(terms), cal)
    assert_identical(terms, result, cal)
    # Cells past each loan's end are empty.
    mask = result.mask
    assert mask.sum() == sum(t.n_installments for t in terms)
    for name in ("payment", "principal", "interest", "balance", "rate_bp"):
        assert not getattr(result, name)[~mask].any(), name
    assert np.isnat(result.due_date[~mask]).all()
    sample = terms[:200]
    assert result.total_interest[:200].tolist() == [build_schedule(t, cal).total_interest for t in sample]
    assert result.total_payment[:200].tolist() == [build_schedule(t, cal).total_payment for t in sample]


def test_edge_cases(cal: BusinessCalendar) -> None:
    policy = RatePolicy(Decimal("15.9"), Decimal("1.5"), Decimal("9.9"), Decimal("0.1"))
    zero = RatePolicy(Decimal("0"))
    d = date(2025, 1, 31)
    terms = [
        LoanTerms(20_000_000, 60, 0, RepaymentMethod.EQUAL_INSTALLMENT, d, RatePolicy(Decimal("15.9"))),
        LoanTerms(20_000_000, 60, 0, RepaymentMethod.EQUAL_INSTALLMENT, d, policy, apply_step_down=False),
        LoanTerms(20_000_000, 60, 12, RepaymentMethod.EQUAL_INSTALLMENT, d, policy),
        LoanTerms(1, 1, 0, RepaymentMethod.EQUAL_INSTALLMENT, d, policy),
        LoanTerms(2, 4, 0, RepaymentMethod.EQUAL_INSTALLMENT, d, zero),
        LoanTerms(3, 2, 0, RepaymentMethod.EQUAL_INSTALLMENT, d, zero),  # 1.5 won rounds half up
        LoanTerms(7, 84, 24, RepaymentMethod.EQUAL_PRINCIPAL, d, policy),
        LoanTerms(1_000_000, 12, 0, RepaymentMethod.BULLET, date(2024, 12, 27), policy),
        LoanTerms(1_000_000, 1, 12, RepaymentMethod.EQUAL_INSTALLMENT, date(2025, 9, 3), policy),
    ]
    result = build_portfolio(LoanArrays.from_terms(terms), cal)
    assert_identical(terms, result, cal)
    assert result.payment[0, 0] == 485_299
    assert result.due_date[0, 0] == np.datetime64("2025-02-28")


def test_level_payments_match_the_exact_scalar() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    balance = rng.integers(1, 50_000_000, n)
    rate = rng.choice([0, 1, 10, 360, 990, 1590, 1790, 2000], n)
    months = rng.integers(1, 121, n)
    vector = level_payments(balance, rate, months)
    exact = [level_payment(int(b), int(r), int(m)) for b, r, m in zip(balance, rate, months, strict=True)]
    assert vector.tolist() == exact
    # Exact half-won ties at rate 0 go up, like ROUND_HALF_UP.
    assert level_payments(np.array([3, 5, 1]), np.array([0, 0, 0]), np.array([2, 2, 2])).tolist() == [2, 3, 1]


def test_empty_portfolio(cal: BusinessCalendar) -> None:
    result = build_portfolio(LoanArrays.from_terms([]), cal)
    assert result.payment.shape == (0, 0)
    assert result.n_loans == 0


def test_outside_the_calendar_data_raises(cal: BusinessCalendar) -> None:
    policy = RatePolicy(Decimal("15.9"))
    late = LoanTerms(1_000_000, 60, 0, RepaymentMethod.EQUAL_INSTALLMENT, date(2041, 6, 1), policy)
    with pytest.raises(CalendarRangeError):
        build_schedule(late, cal)
    with pytest.raises(CalendarRangeError):
        build_portfolio(LoanArrays.from_terms([late]), cal)
    early = LoanTerms(1_000_000, 12, 0, RepaymentMethod.EQUAL_INSTALLMENT, date(2014, 11, 1), policy)
    with pytest.raises(CalendarRangeError):
        build_portfolio(LoanArrays.from_terms([early]), cal)
    # Executed in December 2014, first due in January 2015: inside the data for both engines.
    ok = LoanTerms(1_000_000, 12, 0, RepaymentMethod.EQUAL_INSTALLMENT, date(2014, 12, 15), policy)
    assert_identical([ok], build_portfolio(LoanArrays.from_terms([ok]), cal), cal)


def arrays(**overrides: object) -> LoanArrays:
    fields: dict[str, object] = {
        "amount": [1_000_000],
        "repayment_months": [12],
        "grace_months": [0],
        "method": [METHOD_CODES[RepaymentMethod.EQUAL_INSTALLMENT]],
        "executed_on": np.array(["2025-01-31"], dtype="datetime64[D]"),
        "base_bp": [1590],
        "step_bp": [0],
        "floor_bp": [0],
        "preferential_bp": [0],
        "apply_step_down": [True],
    }
    fields.update(overrides)
    return LoanArrays(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": [0]}, "amount must be > 0"),
        ({"repayment_months": [0]}, "repayment_months"),
        ({"grace_months": [-1]}, "grace_months"),
        ({"method": [3]}, "method"),
        ({"base_bp": [-1]}, "base_bp"),
        ({"amount": [1, 2]}, "differ in length"),
        ({"amount": [10**17]}, "overflows"),
        ({"repayment_months": [2_000]}, "installments"),
        ({"executed_on": np.array(["NaT"], dtype="datetime64[D]")}, "NaT"),
    ],
)
def test_loan_arrays_validation(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        arrays(**overrides)


def test_loan_arrays_reject_float_money() -> None:
    with pytest.raises(TypeError):
        arrays(amount=[1_000_000.0])
