"""The supervisor's overview through the service on SQLite and PostgreSQL: today's applications,
approvals (Korean calendar days), executions, delinquency with its rate and days-past-due buckets."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update
from test_applications import applicant, apply, staff

from builders import make_loan
from seomin.adapters.db.models import Loan
from seomin.services.applications import confirm_second_review, decide
from seomin.services.errors import Forbidden, InputError
from seomin.services.operations import overview, rate_bp
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

TODAY = date(2025, 5, 15)


def documents(day: date) -> list[tuple[str, date, str, bytes]]:
    return [
        ("employment_certificate", day, "재직증명서.pdf", b"%PDF employment"),
        ("income_amount_certificate", day, "소득금액증명원.pdf", b"%PDF income"),
    ]


def loan(platform: Platform, amount: int, executed_on: date, status: str = "active", dpd: int = 0) -> int:
    loan_id = make_loan(platform, amount=amount, executed_on=executed_on)
    with platform.sessions.begin() as session:
        session.execute(
            update(Loan)
            .where(Loan.id == loan_id)
            .values(status=status, days_past_due=dpd, principal_balance=amount)
        )
    return loan_id


def test_the_days_figures_against_seeded_data(platform: Platform) -> None:
    reviewer, checker = staff(platform, "rev"), staff(platform, "chk")
    supervisor = staff(platform, "sup", "supervisor")
    rrns = iter(f"90010{i}-2{i:06d}" for i in range(1, 10))

    def on(day: date) -> None:
        platform.today = lambda: day

    on(date(2025, 4, 1))  # before either window
    apply(platform, applicant(platform, rrn=next(rrns)), documents=documents(date(2025, 4, 1)))
    on(date(2025, 4, 15))  # the day before the 30-day window; inside the 31-day one
    early = apply(platform, applicant(platform, rrn=next(rrns)), documents=documents(date(2025, 4, 15)))
    decide(platform, reviewer, early, approve=True)
    on(date(2025, 5, 14))  # approved the day before today, through a second review
    checked = apply(
        platform,
        applicant(platform, rrn=next(rrns)),
        amount=4_000_000,
        documents=documents(date(2025, 5, 14)),
    )
    assert decide(platform, reviewer, checked, approve=True).value == "pending_second_review"
    assert confirm_second_review(platform, checker, checked, True).value == "approved"
    on(TODAY)
    direct = apply(platform, applicant(platform, rrn=next(rrns)))
    waiting = apply(platform, applicant(platform, rrn=next(rrns)), amount=4_000_000)
    late = apply(platform, applicant(platform, rrn=next(rrns)))
    assert decide(platform, reviewer, direct, approve=True).value == "approved"
    assert decide(platform, reviewer, waiting, approve=True).value == "pending_second_review"
    on(TODAY + timedelta(days=1))  # approved tomorrow: after today's window
    decide(platform, reviewer, late, approve=True)
    on(TODAY)

    loan(platform, 5_000_000, TODAY)
    loan(platform, 2_000_000, TODAY)
    loan(platform, 3_000_000, date(2024, 6, 3), dpd=0)
    loan(platform, 1_000_000, date(2024, 6, 3), dpd=12)  # active but a few days late
    loan(platform, 4_000_000, date(2024, 6, 3), "delinquent", 35)
    loan(platform, 6_000_000, date(2024, 6, 3), "defaulted", 120)
    loan(platform, 9_000_000, date(2024, 6, 3), "subrogated", 200)  # the agency's recourse debt now
    loan(platform, 8_000_000, date(2024, 6, 3), "repaid")

    view = overview(platform, supervisor)
    assert view.today == TODAY
    assert view.applications_today == 5  # three applied today, two behind today's staged loans
    assert view.approvals_today == 1  # `direct`; `checked` was the day before, `late` tomorrow
    assert view.pending_second_review == 1
    assert (view.executions_today, view.executed_amount_today) == (2, 7_000_000)
    assert (view.outstanding_loans, view.outstanding_balance) == (6, 21_000_000)
    assert (view.delinquent_loans, view.delinquent_balance) == (2, 10_000_000)
    assert view.delinquency_rate_bp == 4762  # 10,000,000 / 21,000,000 = 47.619%
    assert len(view.daily) == 30 and view.daily[0].day == date(2025, 4, 16) and view.daily[-1].day == TODAY
    by_day = {d.day: (d.applications, d.approvals) for d in view.daily if d.applications or d.approvals}
    assert by_day == {date(2025, 5, 14): (1, 1), TODAY: (5, 1)}
    assert [(b.label_ko, b.loans, b.balance) for b in view.buckets] == [
        ("1~29일", 1, 1_000_000),
        ("30~59일", 1, 4_000_000),
        ("60~89일", 0, 0),
        ("90일 이상", 1, 6_000_000),
    ]
    wider = overview(platform, supervisor, days=31)
    assert wider.approvals_in_period == 3 and wider.applications_in_period == 7


def test_an_empty_day_is_zeros_not_an_error(platform: Platform) -> None:
    view = overview(platform, staff(platform, "sup", "supervisor"), days=7)
    assert view.applications_today == view.approvals_today == view.executions_today == 0
    assert view.delinquency_rate_bp == 0 and len(view.daily) == 7
    assert all(b.loans == 0 for b in view.buckets)


def test_only_supervisors_see_the_overview(platform: Platform) -> None:
    for role in ("counselor", "reviewer", "auditor"):
        with pytest.raises(Forbidden):
            overview(platform, staff(platform, f"x-{role}", role))
    with pytest.raises(Forbidden):
        overview(platform, applicant(platform))
    with pytest.raises(InputError):
        overview(platform, staff(platform, "sup", "supervisor"), days=0)


def test_rates_round_half_up() -> None:
    assert rate_bp(1, 3) == 3333 and rate_bp(2, 3) == 6667 and rate_bp(1, 8) == 1250
    assert rate_bp(1, 20_000) == 1 and rate_bp(1, 20_001) == 0 and rate_bp(5, 0) == 0
