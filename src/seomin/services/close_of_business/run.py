"""Close of business (일 마감): the nightly batch over every open loan, set-based.

``run_close_of_business(platform, business_date)`` ages arrears, steps rates down for on-time payers at
their execution anniversary, keeps the additional-loan date current and expires unused guarantees. Every
statement covers all rows it concerns at once (``UPDATE ... WHERE``, ``INSERT ... SELECT``); the only
per-loan arithmetic, re-amortization, is vectorized with NumPy over the affected loans, and its rows go
back through a staging table in one ``UPDATE ... FROM``. No ORM object is loaded.

Steps, in this order, all in ONE transaction (a failure leaves no trace and the same date can simply be
run again; the price is that the run holds its write locks for its duration, a few seconds):

1. Aging. ``days_past_due`` = business date − the oldest due date (before the business date) of an
   installment with anything unpaid, 0 if none. Then, for active/delinquent/defaulted loans:
   delinquent or defaulted with nothing past due → active (cured); active with arrears → delinquent;
   delinquent at or past the product version's ``guarantee.default_days_past_due`` → defaulted. A loan
   found 90+ days late while active goes through delinquent to defaulted in the same run, with two audit
   rows, since the state machine has no active → defaulted edge. A defaulted loan stays defaulted until
   its arrears are cleared completely (defaulted → delinquent is not a transition).
2. Step-down (성실상환 금리 인하). For an active loan without arrears whose j-th execution anniversary
   (``add_months(executed_on, 12j)``, day clamped to month end) falls in the window and that made no late
   payment since its previous anniversary (no installment with ``paid_on > due_date`` and ``paid_on``
   after the previous anniversary, whatever its due date): the rate before the preferential cut goes down
   one ``step_bp``, never below ``min(base, floor)``, then the preferential cut applies and the rate never
   rises: ``new = min(current, max(0, max(min(base, floor), current + preferential − step) −
   preferential))``, i.e. ``RatePolicy`` with one more step earned. Where the rate changes, installments
   ``12j + 1 ..`` are re-amortized at the new rate from their scheduled balance, exactly as
   ``schedule.reamortize(schedule, 12j + 1, new_rate)`` would (see ``reamortize_rows``).
3. Additional-loan date (추가대출): active loans get ``executed_on + additional_loan.min_months_on_time``
   months (clamped to month end) of their product version, NULL if the version has no additional loan;
   delinquent and defaulted loans get NULL.
4. Issued guarantees past ``expires_on`` (not executed by that day) become expired. Then the agency's own
   overdue loans go to collection, and recourse debts on a plan are aged against it: a missed payment is
   noticed once, a plan too far behind lapses (``recourse_aging``).
5. Every state change writes an audit row (actor SYSTEM, a reason naming the business date) with
   ``INSERT ... SELECT`` before the matching ``UPDATE``; one more row records the run and its counts.
   ``days_past_due`` is a derived counter refreshed daily and is not audited row by row (it is in the
   before/after of every status change and in the run's counts).

A business date after ``platform.today()`` is refused (``InputError``).

Idempotence: the run is recorded in ``cob_runs`` (business date primary key) in the same transaction. A
second run for a recorded date changes nothing and returns the recorded counts; a run for a date before
the latest recorded one is refused (``Conflict COB_OUT_OF_ORDER``).

Catch-up (a deviation from "the anniversary is the business date"): the step-down window is
``(latest earlier run, business date]``, capped at 365 days, or just the business date on a first run.
Run every calendar day, that is exactly the business date; run on business days only, an anniversary on
a weekend or holiday is applied by the next run instead of being lost. 365 days hold at most one
anniversary of a loan.

Concurrency: on PostgreSQL the run first takes ``EXCLUSIVE`` locks on loans, installments and guarantees
(reads go on, writes wait for the commit), so each audit ``INSERT ... SELECT`` and its ``UPDATE`` see the
same rows; on SQLite ``BEGIN IMMEDIATE`` already makes the run the only writer. Two runs for one date
serialize; the second returns the first's counts.

Performance (bench/bench_cob.py, 100,000 open loans, 5.3 M installments, 1 in 12 at an anniversary):
about 4.5-6 s on PostgreSQL and 2.7 s on SQLite for a daily run. On PostgreSQL the run switches JIT off
(compiling these queries cost more than it saved) and analyzes its staging tables so the planner joins
them by index instead of scanning the installments.

Data contract with repayment: an installment is unpaid while ``principal_paid < principal_due`` or
``interest_paid < interest_due``; ``paid_on`` is the day it became fully paid. The installment rows from
``12j`` on carry the loan's ``current_rate_bp``; the loan has ``max(no)`` installments, of which the first
``grace_months`` are interest only; the repayment method is the guarantee's ``method``. Re-amortization
rewrites ``principal_due``/``interest_due`` of installments after the anniversary even if some were
prepaid; allocating a prepayment is the repayment side's business."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seomin.adapters.db.models import utcnow
from seomin.services.agency_loans.collection import default_overdue_agency_loans
from seomin.services.close_of_business.additional_loans import _additional_loan
from seomin.services.close_of_business.aging import _age
from seomin.services.close_of_business.common import (
    AUDIT_EVENTS,
    COB_RUNS,
    MAX_CATCH_UP_DAYS,
    STAT_KEYS,
    _Run,
)
from seomin.services.close_of_business.guarantee_expiry import _expire_guarantees
from seomin.services.close_of_business.recourse_aging import age_recourse
from seomin.services.close_of_business.step_down import _step_down
from seomin.services.errors import Conflict, InputError, InputErrorCode
from seomin.services.platform import SYSTEM, Actor, Platform

STEPS = (
    "aging",
    "step_down",
    "additional_loan",
    "guarantee_expiry",
    "agency_defaults",
    "recourse",
    "record",
)


@dataclass(frozen=True, slots=True)
class CobOutcome:
    """What a run did: its counts (``STAT_KEYS``), whether they are an earlier run's, seconds per step."""

    business_date: date
    stats: dict[str, int]
    already_run: bool
    timings: dict[str, float] = field(default_factory=dict)


def latest_close_of_business(platform: Platform) -> date | None:
    """The latest business date closed, None before the first run."""
    with platform.engine.connect() as conn:
        latest: date | None = conn.execute(select(func.max(COB_RUNS.c.business_date))).scalar_one_or_none()
        return latest


def run_close_of_business(platform: Platform, business_date: date) -> dict[str, int]:
    """Close ``business_date``; the counts of the run (or of the first run, if it already ran)."""
    return close_of_business(platform, business_date).stats


def close_of_business(platform: Platform, business_date: date, actor: Actor = SYSTEM) -> CobOutcome:
    """``run_close_of_business`` with whether it had already run and the time of each step."""
    try:
        return _run(platform, business_date, actor)
    except _AlreadyRecorded:
        # Another run for this date committed while this one waited; report its figures.
        with platform.engine.connect() as conn:
            stats = conn.execute(
                select(COB_RUNS.c.stats).where(COB_RUNS.c.business_date == business_date)
            ).scalar_one()
        return CobOutcome(business_date, _counts(stats), already_run=True)


class _AlreadyRecorded(Exception):
    pass


def _counts(stats: Mapping[str, Any]) -> dict[str, int]:
    return {key: int(stats.get(key, 0)) for key in STAT_KEYS}


def _run(platform: Platform, business_date: date, actor: Actor) -> CobOutcome:
    today = platform.today()
    if business_date > today:
        # A mistyped future date would age loans ahead of time and then block every real date.
        raise InputError(
            "business_date",
            f"{business_date.isoformat()} is after today ({today.isoformat()})",
            InputErrorCode.DATE_AFTER_TODAY,
        )
    timings: dict[str, float] = {}
    with platform.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("LOCK TABLE loans, installments, guarantees IN EXCLUSIVE MODE"))
            conn.execute(text("SET LOCAL jit = off"))
        recorded = conn.execute(
            select(COB_RUNS.c.stats).where(COB_RUNS.c.business_date == business_date)
        ).scalar_one_or_none()
        if recorded is not None:
            return CobOutcome(business_date, _counts(recorded), already_run=True)
        latest = conn.execute(select(func.max(COB_RUNS.c.business_date))).scalar_one_or_none()
        if latest is not None and latest > business_date:
            raise Conflict(
                "COB_OUT_OF_ORDER",
                f"close of business already ran for {latest.isoformat()}, after {business_date.isoformat()}",
            )
        run = _Run(conn, business_date, actor, utcnow(), platform.catalog)
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(COB_RUNS).values(business_date=business_date, started_at=run.at, stats={})
                )
        except IntegrityError:
            raise _AlreadyRecorded from None
        window_start = business_date
        if latest is not None:
            window_start = max(
                latest + timedelta(days=1), business_date - timedelta(days=MAX_CATCH_UP_DAYS - 1)
            )

        steps: tuple[tuple[str, Callable[[], None]], ...] = (
            ("aging", lambda: _age(run)),
            ("step_down", lambda: _step_down(run, window_start)),
            ("additional_loan", lambda: _additional_loan(run)),
            ("guarantee_expiry", lambda: _expire_guarantees(run)),
            ("agency_defaults", lambda: _default_agency_loans(run)),
            ("recourse", lambda: age_recourse(run, platform)),
            ("record", lambda: _record(run)),
        )
        for name, step in steps:
            started = time.perf_counter()
            step()
            timings[name] = time.perf_counter() - started
    return CobOutcome(business_date, dict(run.stats), already_run=False, timings=timings)


# --- 5. agency loans to collection --------------------------------------------------------------------


def _default_agency_loans(run: _Run) -> None:
    """The agency's own loans are few and each needs its interest to the day: ORM rows, in the run's
    transaction (the session joins the connection's)."""
    with Session(bind=run.conn) as session:
        defaulted = default_overdue_agency_loans(session, run.catalog, run.business_date, run.actor)
    run.stats["agency_loans_defaulted"] = defaulted
    run.stats["audit_events"] += defaulted  # one audit row each


# --- 6. the run's own record -----------------------------------------------------------------------


def _record(run: _Run) -> None:
    stats = dict(run.stats)
    run.conn.execute(
        insert(AUDIT_EVENTS).values(
            at=run.at,
            actor_type=run.actor.type.value,
            actor_id=run.actor.id,
            action="cob.completed",
            entity_type="cob_run",
            entity_id=run.business_date.isoformat(),
            before=None,
            after=stats,
            reason=f"COB {run.business_date.isoformat()}",
        )
    )
    run.conn.execute(
        update(COB_RUNS)
        .values(stats=stats, finished_at=utcnow())
        .where(COB_RUNS.c.business_date == run.business_date)
    )
