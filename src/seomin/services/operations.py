"""The supervisor's view of the day (운영 현황): applications, approvals, loan executions and delinquency.

Definitions (each a read, no state change):

- an **application** counts on its ``submitted_on`` day;
- an **approval** is a final approval (a direct approval or a confirmed second review; a proposal
  waiting for the checker is not one yet): a review decision that left the application ``approved``,
  counted on its business day (``decided_on``, the platform's today when it was made);
- an **execution** is a loan on its ``executed_on`` day, with its amount;
- **outstanding** loans are active, delinquent or defaulted (subrogated ones have become the agency's
  recourse debts); **delinquent** ones are delinquent or defaulted, and the delinquency rate is their
  principal balance over the outstanding balance, in basis points rounded half up;
- the days-past-due buckets hold the outstanding loans at least one day past due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select

from seomin.adapters.db.models import Application, Loan, ReviewDecision
from seomin.domain.lifecycle import ApplicationStatus, LoanStatus
from seomin.services.errors import Forbidden, InputError
from seomin.services.platform import Actor, ActorType, Platform

OVERVIEW_ROLES = frozenset({"supervisor"})
DEFAULT_DAYS = 30
OUTSTANDING = (LoanStatus.ACTIVE.value, LoanStatus.DELINQUENT.value, LoanStatus.DEFAULTED.value)
DELINQUENT = (LoanStatus.DELINQUENT.value, LoanStatus.DEFAULTED.value)
BUCKETS: tuple[tuple[int, int | None, str, str], ...] = (
    (1, 29, "1~29일", "1–29 days"),
    (30, 59, "30~59일", "30–59 days"),
    (60, 89, "60~89일", "60–89 days"),
    (90, None, "90일 이상", "90+ days"),
)
"""Days-past-due buckets: (from, to inclusive or open, Korean label, English label)."""


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    applications: int
    approvals: int


@dataclass(frozen=True, slots=True)
class DelinquencyBucket:
    label_ko: str
    label_en: str
    min_days: int
    max_days: int | None
    loans: int
    balance: int


@dataclass(frozen=True, slots=True)
class Overview:
    today: date
    applications_today: int
    approvals_today: int
    pending_second_review: int  # waiting for a checker now
    executions_today: int
    executed_amount_today: int
    outstanding_loans: int
    outstanding_balance: int
    delinquent_loans: int
    delinquent_balance: int
    delinquency_rate_bp: int  # delinquent balance / outstanding balance
    daily: tuple[DayCount, ...]  # oldest first, ending today
    buckets: tuple[DelinquencyBucket, ...]

    @property
    def applications_in_period(self) -> int:
        return sum(d.applications for d in self.daily)

    @property
    def approvals_in_period(self) -> int:
        return sum(d.approvals for d in self.daily)


def rate_bp(part: int, whole: int) -> int:
    """``part / whole`` in basis points, rounded half up; 0 when ``whole`` is 0."""
    if whole <= 0:
        return 0
    return (part * 20_000 + whole) // (2 * whole)


def overview(platform: Platform, actor: Actor, *, days: int = DEFAULT_DAYS) -> Overview:
    """Today's figures (``platform.today()``) and the last ``days`` days (1–366) of applications and
    approvals. Supervisors only."""
    if actor.type is not ActorType.STAFF or actor.role not in OVERVIEW_ROLES:
        raise Forbidden("only supervisors see the operations overview")
    if not 1 <= days <= 366:
        raise InputError("days", "must be 1 to 366")
    today = platform.today()
    first = today - timedelta(days=days - 1)
    with platform.sessions() as session:
        submitted = dict(
            session.execute(
                select(Application.submitted_on, func.count())
                .where(Application.submitted_on >= first, Application.submitted_on <= today)
                .group_by(Application.submitted_on)
            ).all()
        )
        approvals = dict(
            session.execute(
                select(ReviewDecision.decided_on, func.count())
                .where(
                    ReviewDecision.status_after == ApplicationStatus.APPROVED.value,
                    ReviewDecision.decided_on >= first,
                    ReviewDecision.decided_on <= today,
                )
                .group_by(ReviewDecision.decided_on)
            ).all()
        )
        pending = session.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.status == ApplicationStatus.PENDING_SECOND_REVIEW.value)
        )
        executions, executed_amount = session.execute(
            select(func.count(), func.coalesce(func.sum(Loan.amount), 0)).where(Loan.executed_on == today)
        ).one()
        by_status = {
            status: (count, balance)
            for status, count, balance in session.execute(
                select(Loan.status, func.count(), func.coalesce(func.sum(Loan.principal_balance), 0))
                .where(Loan.status.in_(OUTSTANDING))
                .group_by(Loan.status)
            ).all()
        }
        bucket_index = case(
            *[
                (Loan.days_past_due <= high, i)
                for i, (_, high, _, _) in enumerate(BUCKETS)
                if high is not None
            ],
            else_=len(BUCKETS) - 1,
        )
        bucketed = {
            int(index): (count, balance)
            for index, count, balance in session.execute(
                select(bucket_index, func.count(), func.coalesce(func.sum(Loan.principal_balance), 0))
                .where(Loan.status.in_(OUTSTANDING), Loan.days_past_due >= 1)
                .group_by(bucket_index)
            ).all()
        }
    daily = tuple(
        DayCount(day, int(submitted.get(day, 0)), int(approvals.get(day, 0)))
        for day in (first + timedelta(days=i) for i in range(days))
    )
    outstanding_loans = sum(int(c) for c, _ in by_status.values())
    outstanding_balance = sum(int(b) for _, b in by_status.values())
    delinquent_loans = sum(int(by_status.get(s, (0, 0))[0]) for s in DELINQUENT)
    delinquent_balance = sum(int(by_status.get(s, (0, 0))[1]) for s in DELINQUENT)
    return Overview(
        today=today,
        applications_today=int(submitted.get(today, 0)),
        approvals_today=int(approvals.get(today, 0)),
        pending_second_review=int(pending or 0),
        executions_today=int(executions),
        executed_amount_today=int(executed_amount),
        outstanding_loans=outstanding_loans,
        outstanding_balance=outstanding_balance,
        delinquent_loans=delinquent_loans,
        delinquent_balance=delinquent_balance,
        delinquency_rate_bp=rate_bp(delinquent_balance, outstanding_balance),
        daily=daily,
        buckets=tuple(
            DelinquencyBucket(
                ko, en, low, high, int(bucketed.get(i, (0, 0))[0]), int(bucketed.get(i, (0, 0))[1])
            )
            for i, (low, high, ko, en) in enumerate(BUCKETS)
        ),
    )
