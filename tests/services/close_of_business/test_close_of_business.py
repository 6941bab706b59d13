"""Close of business on SQLite and PostgreSQL: aging and default, step-down with re-amortization equal to the
scalar engine, the rate floor, additional-loan dates, guarantee expiry, audit rows, idempotence."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from builders import make_guarantee
from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.db.models import AuditEvent, Base, CloseOfBusinessRun, Guarantee, Installment, Loan
from seomin.adapters.jobs import cob_command
from seomin.domain.calendar import add_months
from seomin.domain.lifecycle import GuaranteeStatus, LoanStatus
from seomin.domain.money import bp_to_rate
from seomin.domain.portfolio import METHOD_CODES
from seomin.domain.reamortization import anniversary_executions, reamortize_rows, stepped_rate_bp
from seomin.domain.schedule import (
    LoanTerms,
    RatePolicy,
    RepaymentMethod,
    Schedule,
    build_schedule,
    reamortize,
)
from seomin.services.close_of_business import STAT_KEYS, STEPS, close_of_business, run_close_of_business
from seomin.services.errors import Conflict, InputError
from seomin.services.loans.payments import post_payment
from seomin.services.platform import Actor, ActorType, Platform

CALENDAR = korean_calendar()
LATE_CLOCK = date(2045, 12, 31)


@pytest.fixture()
def platform(platform: Platform) -> Platform:
    """The shared fixture with a clock late enough for every business date run here."""
    platform.today = lambda: LATE_CLOCK
    return platform


# --- set-up: loans written straight into the database ------------------------------------------------


@dataclass(frozen=True, slots=True)
class MadeLoan:
    id: int
    guarantee_id: int
    schedule: Schedule


def make_loan(
    platform: Platform,
    *,
    executed_on: date,
    amount: int = 5_000_000,
    repayment_months: int = 60,
    grace_months: int = 0,
    base_bp: int = 1590,
    step_bp: int = 150,
    floor_bp: int = 990,
    preferential_bp: int = 0,
    method: RepaymentMethod = RepaymentMethod.EQUAL_INSTALLMENT,
    bank_code: str = "kwangju",
    ratio_bp: int = 10_000,
) -> MadeLoan:
    """An executed loan with its contract schedule (base − preferential throughout, no step earned yet)."""
    guarantee_id, _ = make_guarantee(
        platform,
        amount=amount,
        bank_code=bank_code,
        term_months=repayment_months,
        grace_months=grace_months,
        rate_bp=base_bp,
        issued_on=executed_on - timedelta(days=3),
    )
    policy = RatePolicy(
        bp_to_rate(base_bp), bp_to_rate(step_bp), bp_to_rate(floor_bp), bp_to_rate(preferential_bp)
    )
    terms = LoanTerms(
        amount, repayment_months, grace_months, method, executed_on, policy, apply_step_down=False
    )
    schedule = build_schedule(terms, platform.calendar)
    with platform.sessions.begin() as session:
        guarantee = session.get_one(Guarantee, guarantee_id)
        guarantee.status = GuaranteeStatus.EXECUTED.value
        guarantee.method = method.value
        guarantee.ratio_bp = ratio_bp
        loan = Loan(
            guarantee_id=guarantee_id,
            applicant_id=guarantee.applicant_id,
            bank_code=bank_code,
            product_id=guarantee.product_id,
            amount=amount,
            principal_balance=amount,
            executed_on=executed_on,
            term_months=repayment_months,
            grace_months=grace_months,
            base_rate_bp=base_bp,
            current_rate_bp=policy.rate_bp_for_installment(1, step_down=False),
            step_bp=step_bp,
            floor_bp=floor_bp,
            preferential_bp=preferential_bp,
            status=LoanStatus.ACTIVE.value,
            days_past_due=0,
        )
        session.add(loan)
        session.flush()
        session.add_all(
            Installment(
                loan_id=loan.id,
                no=row.no,
                due_date=row.due_date,
                rate_bp=int(row.annual_rate * 100),
                principal_due=row.principal,
                interest_due=row.interest,
                principal_paid=0,
                interest_paid=0,
            )
            for row in schedule.installments
        )
        return MadeLoan(loan.id, guarantee_id, schedule)


def pay_through(
    platform: Platform, loan_id: int, through: date, late_days: dict[int, int] | None = None
) -> None:
    """Pay every unpaid installment due by ``through`` in full on its due date (``late_days[no]`` later)."""
    late_days = late_days or {}
    with platform.sessions.begin() as session:
        rows = session.scalars(
            select(Installment).where(
                Installment.loan_id == loan_id, Installment.due_date <= through, Installment.paid_on.is_(None)
            )
        )
        for row in rows:
            row.principal_paid = row.principal_due
            row.interest_paid = row.interest_due
            row.paid_on = row.due_date + timedelta(days=late_days.get(row.no, 0))
        session.flush()
        paid = session.scalar(
            select(func.coalesce(func.sum(Installment.principal_paid), 0)).where(
                Installment.loan_id == loan_id
            )
        )
        loan = session.get_one(Loan, loan_id)
        loan.principal_balance = loan.amount - int(paid or 0)


def loan_row(platform: Platform, loan_id: int) -> Loan:
    with platform.sessions() as session:
        return session.get_one(Loan, loan_id)


def schedule_rows(platform: Platform, loan_id: int) -> list[tuple[int, date, int, int, int]]:
    with platform.sessions() as session:
        rows = session.scalars(
            select(Installment).where(Installment.loan_id == loan_id).order_by(Installment.no)
        )
        return [(r.no, r.due_date, r.rate_bp, r.principal_due, r.interest_due) for r in rows]


def expected_rows(schedule: Schedule) -> list[tuple[int, date, int, int, int]]:
    return [
        (r.no, r.due_date, int(r.annual_rate * 100), r.principal, r.interest) for r in schedule.installments
    ]


def audits(platform: Platform, entity_type: str, entity_id: object) -> list[AuditEvent]:
    with platform.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
                .order_by(AuditEvent.id)
            )
        )


def audit_count(platform: Platform) -> int:
    with platform.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def due(made: MadeLoan, no: int) -> date:
    return made.schedule.installments[no - 1].due_date


# --- the pure parts -------------------------------------------------------------------------------


@st.composite
def reamortization_cases(draw: st.DrawFn) -> tuple[Schedule, int, int]:
    method = draw(st.sampled_from(list(RepaymentMethod)))
    repayment = draw(st.integers(1, 72))
    grace = draw(st.sampled_from([0, 0, 1, 6, 12, 24]))
    base_bp = draw(st.integers(0, 2400))
    terms = LoanTerms(
        amount=draw(st.integers(1, 50_000_000)),
        repayment_months=repayment,
        grace_months=grace,
        method=method,
        executed_on=date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 730))),
        rate_policy=RatePolicy(bp_to_rate(base_bp)),
        apply_step_down=False,
    )
    schedule = build_schedule(terms, CALENDAR)
    from_no = draw(st.integers(1, grace + repayment))
    new_bp = draw(st.integers(0, 2400).filter(lambda bp: bp != base_bp))
    return schedule, from_no, new_bp


@settings(max_examples=150, deadline=None)
@given(reamortization_cases())
def test_reamortize_rows_equals_the_scalar_engine(case: tuple[Schedule, int, int]) -> None:
    schedule, from_no, new_bp = case
    terms = schedule.terms
    n_total = terms.n_installments
    balance = terms.amount if from_no == 1 else schedule.installments[from_no - 2].balance
    rows = reamortize_rows(
        balance=np.array([balance]),
        rate_bp=np.array([new_bp]),
        from_no=np.array([from_no]),
        n_total=np.array([n_total]),
        grace_months=np.array([terms.grace_months]),
        method=np.array([METHOD_CODES[terms.method]]),
        level_principal=np.array([terms.amount // terms.repayment_months]),
    )
    expected = reamortize(schedule, from_no, bp_to_rate(new_bp), CALENDAR).installments[from_no - 1 :]
    assert rows.no.tolist() == [r.no for r in expected]
    assert rows.principal.tolist() == [r.principal for r in expected]
    assert rows.interest.tolist() == [r.interest for r in expected]
    assert set(rows.loan.tolist()) == {0}


@settings(max_examples=200, deadline=None)
@given(
    base=st.integers(0, 3000),
    step=st.integers(0, 500),
    floor=st.integers(0, 3000),
    preferential=st.integers(0, 50),
    years=st.integers(1, 8),
)
def test_one_step_at_a_time_follows_the_rate_policy(
    base: int, step: int, floor: int, preferential: int, years: int
) -> None:
    policy = RatePolicy(bp_to_rate(base), bp_to_rate(step), bp_to_rate(floor), bp_to_rate(preferential))
    current = np.array([policy.rate_bp_for_installment(1, step_down=False)])
    arrays = [np.array([v]) for v in (base, step, floor, preferential)]
    for j in range(1, years + 1):
        current = stepped_rate_bp(current, *arrays)
        assert int(current[0]) == min(
            policy.rate_bp_for_installment(1), policy.rate_bp_for_installment(12 * j + 1)
        ), j


def test_anniversaries_of_29_february_fall_on_28_february_in_common_years() -> None:
    found = {(e, j) for e, j, a, _ in anniversary_executions(date(2025, 2, 28), date(2025, 2, 28), 5)}
    assert found == {
        (date(2024, 2, 28), 1),
        (date(2024, 2, 29), 1),
        (date(2023, 2, 28), 2),
        (date(2022, 2, 28), 3),
        (date(2021, 2, 28), 4),
        (date(2020, 2, 28), 5),
        (date(2020, 2, 29), 5),
    }
    for executed, years, anniversary, previous in anniversary_executions(
        date(2025, 1, 1), date(2025, 12, 31), 6
    ):
        assert add_months(executed, 12 * years, executed.day) == anniversary
        assert previous == add_months(executed, 12 * (years - 1), executed.day)


# --- 1. aging ------------------------------------------------------------------------------------------


def test_aging_delinquency_default_at_90_days_and_cure(platform: Platform) -> None:
    late = make_loan(platform, executed_on=date(2024, 1, 10))
    current = make_loan(platform, executed_on=date(2024, 1, 10))
    pay_through(platform, late.id, due(late, 12))
    first_unpaid = due(late, 13)
    pay_through(platform, current.id, first_unpaid + timedelta(days=120))

    stats = run_close_of_business(platform, first_unpaid)
    assert (loan_row(platform, late.id).status, loan_row(platform, late.id).days_past_due) == ("active", 0)
    assert stats["became_delinquent"] == 0

    stats = run_close_of_business(platform, first_unpaid + timedelta(days=1))
    loan = loan_row(platform, late.id)
    assert (loan.status, loan.days_past_due, loan.additional_loan_from) == ("delinquent", 1, None)
    assert stats["became_delinquent"] == 1

    run_close_of_business(platform, first_unpaid + timedelta(days=89))
    assert (loan_row(platform, late.id).status, loan_row(platform, late.id).days_past_due) == (
        "delinquent",
        89,
    )

    day90 = first_unpaid + timedelta(days=90)
    stats = run_close_of_business(platform, day90)
    assert (loan_row(platform, late.id).status, loan_row(platform, late.id).days_past_due) == (
        "defaulted",
        90,
    )
    assert stats["became_defaulted"] == 1
    assert stats["open_loans"] == 2

    pay_through(platform, late.id, day90)
    stats = run_close_of_business(platform, day90 + timedelta(days=1))
    loan = loan_row(platform, late.id)
    assert (loan.status, loan.days_past_due) == ("active", 0)
    assert loan.additional_loan_from == date(2024, 7, 10)
    assert stats["cured"] == 1

    events = [(e.action, e.before, e.after, e.reason) for e in audits(platform, "loan", late.id)]
    status_events = [e for e in events if e[0] in {"loan.delinquent", "loan.defaulted", "loan.active"}]
    assert status_events == [
        (
            "loan.delinquent",
            {"status": "active"},
            {"status": "delinquent", "days_past_due": 1},
            f"COB {first_unpaid + timedelta(days=1)}: 1 days past due",
        ),
        (
            "loan.defaulted",
            {"status": "delinquent"},
            {"status": "defaulted", "days_past_due": 90},
            f"COB {day90}: 90 days past due, default at 90",
        ),
        (
            "loan.active",
            {"status": "defaulted"},
            {"status": "active", "days_past_due": 0},
            f"COB {day90 + timedelta(days=1)}: arrears cleared",
        ),
    ]
    with platform.sessions() as session:
        actors = set(session.execute(select(AuditEvent.actor_type, AuditEvent.actor_id)).all())
    assert actors == {("system", "cob")}
    assert loan_row(platform, current.id).status == "active"
    assert [e.action for e in audits(platform, "loan", current.id)] == ["loan.additional_loan_from"]


def test_a_loan_found_long_overdue_goes_through_delinquent_to_defaulted(platform: Platform) -> None:
    made = make_loan(platform, executed_on=date(2024, 6, 3))
    business_date = date(2025, 1, 15)
    stats = run_close_of_business(platform, business_date)
    loan = loan_row(platform, made.id)
    assert (loan.status, loan.days_past_due) == ("defaulted", (business_date - due(made, 1)).days)
    assert [e.action for e in audits(platform, "loan", made.id)] == ["loan.delinquent", "loan.defaulted"]
    assert (stats["became_delinquent"], stats["became_defaulted"], stats["additional_loan_set"]) == (1, 1, 0)


def test_partly_paid_installment_is_still_in_arrears(platform: Platform) -> None:
    made = make_loan(platform, executed_on=date(2025, 1, 6))
    pay_through(platform, made.id, due(made, 1))
    with platform.sessions.begin() as session:
        session.execute(
            update(Installment)
            .where(Installment.loan_id == made.id, Installment.no == 1)
            .values(interest_paid=Installment.interest_due - 1)
        )
    run_close_of_business(platform, due(made, 1) + timedelta(days=3))
    assert loan_row(platform, made.id).days_past_due == 3


# --- 2. step-down --------------------------------------------------------------------------------------


def test_step_down_only_at_the_anniversary_and_only_for_on_time_payers(platform: Platform) -> None:
    executed = date(2024, 6, 3)
    anniversary = date(2025, 6, 3)
    on_time = make_loan(platform, executed_on=executed)
    paid_late = make_loan(platform, executed_on=executed)
    other_day = make_loan(platform, executed_on=executed + timedelta(days=1))
    behind = make_loan(platform, executed_on=executed)
    pay_through(platform, on_time.id, anniversary)
    pay_through(platform, paid_late.id, anniversary, late_days={5: 3})
    pay_through(platform, other_day.id, anniversary)
    pay_through(platform, behind.id, due(behind, 10))

    stats = run_close_of_business(platform, anniversary - timedelta(days=1))
    assert stats["stepped_down"] == 0
    assert loan_row(platform, on_time.id).current_rate_bp == 1590

    stats = run_close_of_business(platform, anniversary)
    assert (stats["step_down_eligible"], stats["stepped_down"], stats["installments_reamortized"]) == (
        1,
        1,
        48,
    )
    assert loan_row(platform, on_time.id).current_rate_bp == 1440
    assert schedule_rows(platform, on_time.id) == expected_rows(
        reamortize(on_time.schedule, 13, Decimal("14.4"), platform.calendar)
    )
    assert loan_row(platform, paid_late.id).current_rate_bp == 1590
    assert schedule_rows(platform, paid_late.id) == expected_rows(paid_late.schedule)
    assert loan_row(platform, other_day.id).current_rate_bp == 1590
    assert schedule_rows(platform, other_day.id) == expected_rows(other_day.schedule)
    assert (loan_row(platform, behind.id).status, loan_row(platform, behind.id).current_rate_bp) == (
        "delinquent",
        1590,
    )

    [event] = [e for e in audits(platform, "loan", on_time.id) if e.action == "loan.rate_stepped_down"]
    assert (event.before, event.after) == (
        {"current_rate_bp": 1590},
        {"current_rate_bp": 1440, "from_installment": 13},
    )
    assert event.reason == "COB 2025-06-03: no late payment in year 1, rate stepped down"
    assert (event.actor_type, event.actor_id) == ("system", "cob")


def test_rates_step_down_yearly_to_the_floor_matching_the_scalar_engine(platform: Platform) -> None:
    executed = date(2023, 3, 15)
    five_years = make_loan(platform, executed_on=executed)
    with_grace = make_loan(platform, executed_on=executed, grace_months=12, preferential_bp=10)
    three_years = make_loan(platform, executed_on=executed, repayment_months=36, step_bp=300)
    loans = {
        five_years.id: (five_years, [1440, 1290, 1140, 990, 990]),
        with_grace.id: (with_grace, [1430, 1280, 1130, 980, 980]),
        three_years.id: (three_years, [1290, 990, 990, 990, 990]),
    }
    expected = {loan_id: made.schedule for loan_id, (made, _) in loans.items()}
    for year in range(1, 6):
        anniversary = add_months(executed, 12 * year, executed.day)
        for loan_id in loans:
            pay_through(platform, loan_id, anniversary)
        run_close_of_business(platform, anniversary)
        for loan_id, (_, rates) in loans.items():
            loan = loan_row(platform, loan_id)
            assert loan.current_rate_bp == rates[year - 1], (loan_id, year)
            schedule = expected[loan_id]
            if 12 * year < schedule.terms.n_installments and rates[year - 1] != loan_row_rate(schedule, year):
                expected[loan_id] = reamortize(schedule, 12 * year + 1, bp_to_rate(rates[year - 1]), CALENDAR)
            assert schedule_rows(platform, loan_id) == expected_rows(expected[loan_id]), (loan_id, year)
            assert loan.status == "active"
    assert [rate for rate in expected[five_years.id].rates[::12]] == [
        Decimal(r) for r in ("15.9", "14.4", "12.9", "11.4", "9.9")
    ]
    assert expected[with_grace.id].rates[48:] == (Decimal("9.8"),) * (72 - 48)
    assert expected[three_years.id].rates[::12] == (Decimal("15.9"), Decimal("12.9"), Decimal("9.9"))
    for made, _ in loans.values():
        assert sum(row[3] for row in schedule_rows(platform, made.id)) == made.schedule.terms.amount


def test_a_late_payment_counts_in_the_year_it_was_made(platform: Platform) -> None:
    made = make_loan(platform, executed_on=date(2024, 3, 4))
    first, second = date(2025, 3, 4), date(2026, 3, 4)
    assert due(made, 12) == first
    pay_through(platform, made.id, first - timedelta(days=1))
    assert run_close_of_business(platform, first)["stepped_down"] == 1  # installment 12 is due, not late
    pay_through(platform, made.id, second, late_days={12: 10})  # paid in year 2, ten days late
    assert run_close_of_business(platform, second)["stepped_down"] == 0
    assert loan_row(platform, made.id).current_rate_bp == 1440


def test_two_runs_for_one_date_at_once_run_it_once(platform: Platform) -> None:
    made = make_loan(platform, executed_on=date(2024, 6, 3))
    pay_through(platform, made.id, date(2025, 6, 3))
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda _: close_of_business(platform, date(2025, 6, 3)), range(2)))
    assert sorted(o.already_run for o in outcomes) == [False, True]
    assert outcomes[0].stats == outcomes[1].stats
    assert outcomes[0].stats["stepped_down"] == 1
    assert loan_row(platform, made.id).current_rate_bp == 1440
    assert [e.action for e in audits(platform, "loan", made.id)].count("loan.rate_stepped_down") == 1


def loan_row_rate(schedule: Schedule, year: int) -> int:
    """The rate the schedule carries into year ``year + 1`` before this anniversary."""
    return int(schedule.installments[12 * year].annual_rate * 100)


def test_anniversary_on_a_holiday_is_applied_by_the_next_run(platform: Platform) -> None:
    made = make_loan(platform, executed_on=date(2024, 6, 1))  # the anniversary 2025-06-01 is a Sunday
    pay_through(platform, made.id, date(2025, 6, 2))
    assert run_close_of_business(platform, date(2025, 5, 30))["stepped_down"] == 0
    assert run_close_of_business(platform, date(2025, 6, 2))["stepped_down"] == 1
    assert loan_row(platform, made.id).current_rate_bp == 1440
    assert schedule_rows(platform, made.id) == expected_rows(
        reamortize(made.schedule, 13, Decimal("14.4"), platform.calendar)
    )


def test_equal_principal_loans_are_reamortized_like_the_scalar_engine(platform: Platform) -> None:
    made = make_loan(
        platform, executed_on=date(2024, 2, 29), method=RepaymentMethod.EQUAL_PRINCIPAL, amount=3_333_333
    )
    pay_through(platform, made.id, date(2025, 2, 28))
    assert run_close_of_business(platform, date(2025, 2, 28))["stepped_down"] == 1
    assert schedule_rows(platform, made.id) == expected_rows(
        reamortize(made.schedule, 13, Decimal("14.4"), platform.calendar)
    )


# --- 3-5. additional loan, guarantees, idempotence -------------------------------------------------------


def test_additional_loan_dates_clamp_to_month_end_and_clear_in_arrears(platform: Platform) -> None:
    cases = {
        date(2024, 8, 31): date(2025, 2, 28),
        date(2023, 8, 29): date(2024, 2, 29),
        date(2024, 12, 1): date(2025, 6, 1),
    }
    made = {executed: make_loan(platform, executed_on=executed) for executed in cases}
    business_date = date(2025, 1, 2)
    for m in made.values():
        pay_through(platform, m.id, business_date)
    stats = run_close_of_business(platform, business_date)
    assert stats["additional_loan_set"] == 3
    for executed, expected in cases.items():
        assert loan_row(platform, made[executed].id).additional_loan_from == expected

    falling_behind = made[date(2024, 12, 1)]
    next_due = due(falling_behind, 2)
    for executed in (date(2024, 8, 31), date(2023, 8, 29)):
        pay_through(platform, made[executed].id, next_due + timedelta(days=5))
    stats = run_close_of_business(platform, next_due + timedelta(days=5))
    assert (stats["additional_loan_cleared"], stats["additional_loan_set"]) == (1, 0)
    assert loan_row(platform, falling_behind.id).additional_loan_from is None
    events = [
        e for e in audits(platform, "loan", falling_behind.id) if e.action == "loan.additional_loan_from"
    ]
    assert [(e.before, e.after) for e in events] == [
        ({"additional_loan_from": None}, {"additional_loan_from": "2025-06-01"}),
        ({"additional_loan_from": "2025-06-01"}, {"additional_loan_from": None}),
    ]
    assert (
        events[0].reason
        == "COB 2025-01-02: active without arrears, additional loan from execution + 6 months"
    )
    assert events[1].reason.endswith("in arrears (5 days past due), no additional loan")


def test_issued_guarantees_expire_after_their_last_day(platform: Platform) -> None:
    expiring, _ = make_guarantee(platform, issued_on=date(2025, 5, 1))  # expires on 2025-05-31
    last_day, _ = make_guarantee(platform, issued_on=date(2025, 5, 2))  # 2025-06-01
    executed = make_loan(platform, executed_on=date(2025, 4, 1))
    stats = run_close_of_business(platform, date(2025, 6, 1))
    assert stats["guarantees_expired"] == 1
    with platform.sessions() as session:
        statuses = {g.id: g.status for g in session.scalars(select(Guarantee))}
    assert statuses == {expiring: "expired", last_day: "issued", executed.guarantee_id: "executed"}
    [event] = audits(platform, "guarantee", expiring)
    assert (event.action, event.before, event.after) == (
        "guarantee.expired",
        {"status": "issued"},
        {"status": "expired"},
    )
    assert event.reason == "COB 2025-06-01: not executed by 2025-05-31"


def test_a_second_run_for_a_date_changes_nothing_and_returns_the_first_figures(platform: Platform) -> None:
    made = make_loan(platform, executed_on=date(2024, 6, 3))
    make_guarantee(platform, issued_on=date(2025, 1, 1))
    business_date = date(2025, 6, 3)
    first = close_of_business(platform, business_date)
    assert not first.already_run
    assert set(first.stats) == set(STAT_KEYS)
    assert first.stats["became_defaulted"] == 1 and first.stats["guarantees_expired"] == 1
    assert set(first.timings) == set(STEPS)
    events, rows, loan = audit_count(platform), schedule_rows(platform, made.id), loan_row(platform, made.id)

    again = close_of_business(platform, business_date)
    assert again.already_run and again.stats == first.stats
    assert (audit_count(platform), schedule_rows(platform, made.id)) == (events, rows)
    assert loan_row(platform, made.id).days_past_due == loan.days_past_due
    with platform.sessions() as session:
        run = session.get_one(CloseOfBusinessRun, business_date)
        assert run.stats == first.stats and run.finished_at is not None
        [record] = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "cob_run"))
        assert (record.action, record.entity_id, record.after) == ("cob.completed", "2025-06-03", first.stats)
    assert first.stats["audit_events"] == events - 1

    with pytest.raises(Conflict) as refused:
        run_close_of_business(platform, business_date - timedelta(days=1))
    assert refused.value.code == "COB_OUT_OF_ORDER"


def test_a_business_date_after_today_is_refused(platform: Platform) -> None:
    platform.today = lambda: date(2025, 6, 2)
    with pytest.raises(InputError) as refused:
        run_close_of_business(platform, date(2025, 6, 3))
    assert refused.value.field == "business_date"
    with platform.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CloseOfBusinessRun)) == 0
    assert not close_of_business(platform, date(2025, 6, 2)).already_run


def test_cob_command_prints_one_line(platform: Platform) -> None:
    make_guarantee(platform, issued_on=date(2025, 1, 1))
    line = cob_command(platform, date(2025, 6, 3))
    assert "\n" not in line
    assert line.startswith("COB 2025-06-03: 0 open loans;")
    assert "1 guarantees expired; 1 audit events" in line
    assert cob_command(platform, date(2025, 6, 3)).endswith(
        "(already run: nothing changed, figures of the first run)"
    )


# --- chunks: the same counts, crash and resume, banks not blocked ------------------------------------

BOOK_DAY = date(2025, 6, 3)


def fixture_book(platform: Platform) -> list[int]:
    """Loans in each situation a daily run meets on ``BOOK_DAY``, ids in order of creation."""
    on_time = make_loan(platform, executed_on=date(2024, 6, 3))  # steps down
    never_paid = make_loan(platform, executed_on=date(2024, 6, 3))  # defaults
    behind = make_loan(platform, executed_on=date(2024, 12, 1))  # delinquent, loses the additional loan
    pay_through(platform, behind.id, date(2025, 4, 1))
    late_payer = make_loan(platform, executed_on=date(2023, 6, 3), step_bp=300)  # no step-down in year 2
    second_year = make_loan(platform, executed_on=date(2023, 6, 3), grace_months=12)  # steps down again
    recent = make_loan(platform, executed_on=date(2025, 1, 10))  # additional-loan date only
    for made in (on_time, late_payer, second_year, recent):
        pay_through(platform, made.id, BOOK_DAY, late_days={20: 10} if made is late_payer else None)
    make_guarantee(platform, issued_on=date(2025, 1, 1))  # expires
    return [m.id for m in (on_time, never_paid, behind, late_payer, second_year, recent)]


def book_state(platform: Platform, ids: list[int]) -> list[object]:
    """Everything a run writes, with loans named by their place in ``ids`` (ids differ between books)."""
    place = {str(loan_id): n for n, loan_id in enumerate(ids)}
    loans = [
        (n, (r.status, r.days_past_due, r.current_rate_bp, r.additional_loan_from))
        for n, loan_id in enumerate(ids)
        for r in [loan_row(platform, loan_id)]
    ]
    rows = [schedule_rows(platform, loan_id) for loan_id in ids]
    with platform.sessions() as session:
        events = sorted(
            (e.action, place.get(e.entity_id, e.entity_type), repr(e.before), repr(e.after), e.reason)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_type != "guarantee"))
        )
    return [loans, rows, events]


def wipe(platform: Platform) -> None:
    with platform.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def unchunked(platform: Platform) -> tuple[dict[str, int], list[object]]:
    """The fixture book's run in one chunk: its counts and what it wrote; the database is left empty."""
    ids = fixture_book(platform)
    stats = close_of_business(platform, BOOK_DAY, chunk_loans=1_000_000).stats
    state = book_state(platform, ids)
    wipe(platform)
    return stats, state


def test_a_run_in_chunks_counts_and_writes_what_one_chunk_does(platform: Platform) -> None:
    expected_stats, expected_state = unchunked(platform)
    assert expected_stats["stepped_down"] == 2 and expected_stats["became_defaulted"] == 1
    assert expected_stats["became_delinquent"] == 2 and expected_stats["guarantees_expired"] == 1
    assert expected_stats["additional_loan_set"] == 4

    ids = fixture_book(platform)
    seen: list[tuple[int, int]] = []
    outcome = close_of_business(
        platform, BOOK_DAY, chunk_loans=2, progress=lambda d, t: seen.append((d, t)), workers=1
    )
    assert outcome.stats == expected_stats
    assert book_state(platform, ids) == expected_state
    chunks = len({loan_id // 2 for loan_id in ids})
    total = chunks + 4  # the chunks of loans, three more steps and the record
    assert seen == [(n, total) for n in range(1, total + 1)]

    wipe(platform)
    ids = fixture_book(platform)
    assert close_of_business(platform, BOOK_DAY, chunk_loans=1, workers=3).stats == expected_stats
    assert book_state(platform, ids) == expected_state


class Crash(Exception):
    pass


def test_a_crashed_run_resumes_at_its_next_chunk_without_applying_anything_twice(platform: Platform) -> None:
    expected_stats, expected_state = unchunked(platform)
    ids = fixture_book(platform)

    def crash_between(done: int, total: int) -> None:
        if done == 3:  # three of the six loans are done
            raise Crash

    with pytest.raises(Crash):
        close_of_business(platform, BOOK_DAY, chunk_loans=1, progress=crash_between)
    with platform.sessions() as session:
        assert session.get_one(CloseOfBusinessRun, BOOK_DAY).finished_at is None
    with pytest.raises(Conflict) as refused:
        close_of_business(platform, BOOK_DAY + timedelta(days=1))
    assert refused.value.code == "COB_UNFINISHED"

    def crash_inside(step: str, chunk: int) -> None:
        if (step, chunk) == ("step_down", ids[4]):  # the second-year loan's chunk, rolled back
            raise Crash

    with pytest.raises(Crash):
        close_of_business(platform, BOOK_DAY, in_chunk=crash_inside)  # resumes with its size of 1
    assert loan_row(platform, ids[0]).current_rate_bp == 1440  # stepped down before the crashes, once

    resumed = close_of_business(platform, BOOK_DAY)
    assert not resumed.already_run
    assert resumed.stats == expected_stats
    assert book_state(platform, ids) == expected_state
    assert close_of_business(platform, BOOK_DAY).stats == expected_stats


def test_a_bank_payment_is_not_held_up_by_a_run_in_progress(platform: Platform) -> None:
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time; PostgreSQL is where banks pay during the run")
    first = make_loan(platform, executed_on=date(2025, 1, 10))
    pay_through(platform, first.id, date(2025, 6, 9))
    last = make_loan(platform, executed_on=date(2025, 4, 10))  # its first installment is unpaid
    in_flight, paid = threading.Event(), threading.Event()
    waited: list[bool] = []

    def slow_first_chunk(step: str, chunk: int) -> None:
        if (step, chunk) == ("aging", first.id):  # holds the first loan's row until the payment is in
            in_flight.set()
            waited.append(paid.wait(10))

    with ThreadPoolExecutor(1) as pool:
        run = pool.submit(  # one worker: the last loan's chunk waits for the first's
            close_of_business,
            platform,
            date(2025, 6, 10),
            chunk_loans=1,
            in_chunk=slow_first_chunk,
            workers=1,
        )
        assert in_flight.wait(10)
        installment = last.schedule.installments[0]
        started = time.perf_counter()
        post_payment(
            platform,
            Actor(ActorType.BANK, "kwangju"),
            last.id,
            installment.principal + installment.interest,
            installment.due_date,
            "during-cob",
        )
        seconds = time.perf_counter() - started
        with platform.sessions() as session:
            assert session.get_one(CloseOfBusinessRun, date(2025, 6, 10)).finished_at is None
        paid.set()
        outcome = run.result(timeout=30)
    assert waited == [True] and seconds < 5
    assert outcome.stats["open_loans"] == 2 and outcome.stats["became_delinquent"] == 0
