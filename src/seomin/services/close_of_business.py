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
4. Issued guarantees past ``expires_on`` (not executed by that day) become expired.
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
prepaid; allocating a prepayment is the repayment side's business.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from seomin.adapters.db.models import Base, utcnow
from seomin.domain.calendar import add_months
from seomin.domain.catalog import Catalog
from seomin.domain.lifecycle import GuaranteeStatus, LoanStatus
from seomin.domain.portfolio import METHOD_CODES, level_payments
from seomin.domain.schedule import MONTHS_PER_STEP, RepaymentMethod
from seomin.services.errors import Conflict, InputError
from seomin.services.platform import SYSTEM, Actor, Platform

I64 = npt.NDArray[np.int64]

LOANS = Base.metadata.tables["loans"]
INSTALLMENTS = Base.metadata.tables["installments"]
GUARANTEES = Base.metadata.tables["guarantees"]
AUDIT_EVENTS = Base.metadata.tables["audit_events"]
COB_RUNS = Base.metadata.tables["cob_runs"]

OPEN_STATUSES = (LoanStatus.ACTIVE.value, LoanStatus.DELINQUENT.value, LoanStatus.DEFAULTED.value)
DEFAULT_DAYS_PAST_DUE = 90
"""Used for a guarantee whose product version the catalog does not know (the catalog's own default)."""
MAX_CATCH_UP_DAYS = 365
_BP_PER_MONTH_DIVISOR = 120_000

STAT_KEYS = (
    "open_loans",
    "days_past_due_updated",
    "became_delinquent",
    "became_defaulted",
    "cured",
    "step_down_eligible",
    "stepped_down",
    "installments_reamortized",
    "additional_loan_set",
    "additional_loan_cleared",
    "guarantees_expired",
    "audit_events",
)
"""The counts a run returns, in this order. ``audit_events`` counts change events, not the run's own row."""

STEPS = ("aging", "step_down", "additional_loan", "guarantee_expiry", "record")


@dataclass(frozen=True, slots=True)
class CobOutcome:
    """What a run did: its counts (``STAT_KEYS``), whether they are an earlier run's, seconds per step."""

    business_date: date
    stats: dict[str, int]
    already_run: bool
    timings: dict[str, float] = field(default_factory=dict)


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


@dataclass(slots=True)
class _Run:
    """One run's context: the connection, the date, who acts, when, and the counts so far."""

    conn: Connection
    business_date: date
    actor: Actor
    at: datetime
    catalog: Catalog
    stats: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAT_KEYS, 0))

    @property
    def postgres(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    @property
    def reason_prefix(self) -> str:
        return f"COB {self.business_date.isoformat()}: "

    def audit_select(
        self,
        *,
        action: str,
        entity_type: str,
        entity_id: ColumnElement[Any],
        before: ColumnElement[Any],
        after: ColumnElement[Any],
        reason: ColumnElement[Any],
        from_: Any,
        where: ColumnElement[bool],
    ) -> int:
        """``INSERT INTO audit_events ... SELECT`` one row per row of ``from_`` matching ``where``."""
        rows = select(
            literal(self.at, DateTime(timezone=True)),
            _text(self.actor.type.value),
            _text(self.actor.id),
            _text(action),
            _text(entity_type),
            cast(entity_id, Text),
            before,
            after,
            reason,
        ).select_from(from_)
        statement = insert(AUDIT_EVENTS).from_select(
            [
                "at",
                "actor_type",
                "actor_id",
                "action",
                "entity_type",
                "entity_id",
                "before",
                "after",
                "reason",
            ],
            rows.where(where),
        )
        # rowcount of INSERT ... SELECT is only kept on request (SQLAlchemy 2: preserve_rowcount).
        count = self.conn.execute(statement.execution_options(preserve_rowcount=True)).rowcount
        self.stats["audit_events"] += count
        return count

    def json(self, **pairs: ColumnElement[Any]) -> ColumnElement[Any]:
        """A JSON object built by the database from column expressions."""
        args: list[ColumnElement[Any]] = []
        for key, value in pairs.items():
            args += [literal_column(f"'{key}'"), value]
        return func.json_build_object(*args) if self.postgres else func.json_object(*args)

    def reason(self, *parts: str | ColumnElement[Any]) -> ColumnElement[Any]:
        """``'COB <date>: '`` followed by ``parts`` (text or column expressions), concatenated in SQL."""
        expression: ColumnElement[Any] = _text(self.reason_prefix)
        for part in parts:
            expression = expression.op("||")(_text(part) if isinstance(part, str) else cast(part, Text))
        return expression


def _text(value: str) -> ColumnElement[Any]:
    """A text constant PostgreSQL can type inside json_build_object and ||."""
    return cast(literal(value), Text)


def _run(platform: Platform, business_date: date, actor: Actor) -> CobOutcome:
    today = platform.today()
    if business_date > today:
        # A mistyped future date would age loans ahead of time and then block every real date.
        raise InputError("business_date", f"{business_date.isoformat()} is after today ({today.isoformat()})")
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
            ("record", lambda: _record(run)),
        )
        for name, step in steps:
            started = time.perf_counter()
            step()
            timings[name] = time.perf_counter() - started
    return CobOutcome(business_date, dict(run.stats), already_run=False, timings=timings)


# --- 1. aging ---------------------------------------------------------------------------------------


def _unpaid() -> ColumnElement[bool]:
    return or_(
        INSTALLMENTS.c.principal_paid < INSTALLMENTS.c.principal_due,
        INSTALLMENTS.c.interest_paid < INSTALLMENTS.c.interest_due,
    )


def _days_since(run: _Run, earlier: ColumnElement[Any]) -> ColumnElement[int]:
    """Days from ``earlier`` (a date column) to the business date."""
    if run.postgres:
        return cast(literal(run.business_date, Date) - earlier, Integer)
    return cast(func.julianday(literal(run.business_date, Date)) - func.julianday(earlier), Integer)


def _per_version(catalog: Catalog, value: Callable[[Any], int | None], default: int | None) -> Any:
    """A CASE over the guarantee's product and version: ``value(version)`` from the catalog."""
    whens = [
        (
            and_(GUARANTEES.c.product_id == v.id, GUARANTEES.c.product_version == v.version),
            literal(number, Integer) if (number := value(v)) is not None else null(),
        )
        for v in catalog
    ]
    otherwise = literal(default, Integer) if default is not None else null()
    expression = case(*whens, else_=otherwise) if whens else otherwise
    return select(expression).where(GUARANTEES.c.id == LOANS.c.guarantee_id).scalar_subquery()


def _age(run: _Run) -> None:
    d = run.business_date
    is_open = LOANS.c.status.in_(OPEN_STATUSES)
    run.stats["open_loans"] = run.conn.execute(select(func.count()).where(is_open)).scalar_one()

    arrears = (
        select(INSTALLMENTS.c.loan_id, func.min(INSTALLMENTS.c.due_date).label("oldest"))
        .where(INSTALLMENTS.c.due_date < d, _unpaid())
        .group_by(INSTALLMENTS.c.loan_id)
        .subquery("arrears")
    )
    days = _days_since(run, arrears.c.oldest)
    late = run.conn.execute(
        update(LOANS)
        .values(days_past_due=days)
        .where(LOANS.c.id == arrears.c.loan_id, is_open, LOANS.c.days_past_due != days)
    ).rowcount
    any_arrears = exists().where(INSTALLMENTS.c.loan_id == LOANS.c.id, INSTALLMENTS.c.due_date < d, _unpaid())
    cleared = run.conn.execute(
        update(LOANS).values(days_past_due=0).where(is_open, LOANS.c.days_past_due != 0, ~any_arrears)
    ).rowcount
    run.stats["days_past_due_updated"] = late + cleared

    for former in (LoanStatus.DELINQUENT, LoanStatus.DEFAULTED):
        run.stats["cured"] += _move_loans(
            run,
            former,
            LoanStatus.ACTIVE,
            LOANS.c.days_past_due == 0,
            run.reason("arrears cleared"),
        )
    run.stats["became_delinquent"] = _move_loans(
        run,
        LoanStatus.ACTIVE,
        LoanStatus.DELINQUENT,
        LOANS.c.days_past_due > 0,
        run.reason(LOANS.c.days_past_due, " days past due"),
    )
    threshold = _per_version(run.catalog, lambda v: v.guarantee.default_days_past_due, DEFAULT_DAYS_PAST_DUE)
    run.stats["became_defaulted"] = _move_loans(
        run,
        LoanStatus.DELINQUENT,
        LoanStatus.DEFAULTED,
        LOANS.c.days_past_due >= threshold,
        run.reason(LOANS.c.days_past_due, " days past due, default at ", threshold),
    )


def _move_loans(
    run: _Run, former: LoanStatus, new: LoanStatus, condition: ColumnElement[bool], reason: ColumnElement[Any]
) -> int:
    where = and_(LOANS.c.status == former.value, condition)
    run.audit_select(
        action=f"loan.{new.value}",
        entity_type="loan",
        entity_id=LOANS.c.id,
        before=run.json(status=_text(former.value)),
        after=run.json(status=_text(new.value), days_past_due=LOANS.c.days_past_due),
        reason=reason,
        from_=LOANS,
        where=where,
    )
    return run.conn.execute(update(LOANS).values(status=new.value).where(where)).rowcount


# --- 2. step-down and re-amortization --------------------------------------------------------------

_STAGE = MetaData()
_ANNIVERSARIES = Table(
    "cob_stage_anniversaries",
    _STAGE,
    Column("executed_on", Date, primary_key=True),
    Column("years", Integer, nullable=False),
    Column("anniversary", Date, nullable=False),
    Column("previous_anniversary", Date, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
_RATE_CHANGES = Table(
    "cob_stage_rate_changes",
    _STAGE,
    Column("loan_id", BigInteger, primary_key=True),
    Column("years", Integer, nullable=False),
    Column("old_bp", Integer, nullable=False),
    Column("new_bp", Integer, nullable=False),
    Column("from_no", Integer, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
_NEW_INSTALLMENTS = Table(
    "cob_stage_installments",
    _STAGE,
    Column("loan_id", BigInteger, primary_key=True),
    Column("no", Integer, primary_key=True),
    Column("rate_bp", Integer, nullable=False),
    Column("principal_due", BigInteger, nullable=False),
    Column("interest_due", BigInteger, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
_PG_ARRAY_TYPES: dict[type[TypeEngine[Any]], str] = {
    Date: "DATE[]",
    Integer: "INTEGER[]",
    BigInteger: "BIGINT[]",
}


def _stage(run: _Run, table: Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """(Re)create the temporary ``table`` and load ``columns`` (equal-length lists) into it in bulk.

    PostgreSQL: one ``INSERT ... SELECT FROM unnest(arrays)``; SQLite: one ``executemany``.
    """
    run.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")
    table.create(run.conn)
    names = list(columns)
    if not names or not len(columns[names[0]]):
        return
    column_list = ", ".join(names)
    if run.postgres:
        # Arrays go as text literals ('{1,2,3}'): psycopg would otherwise adapt every element in Python.
        arrays = ", ".join(f"CAST(:{n} AS {_PG_ARRAY_TYPES[type(table.c[n].type)]})" for n in names)
        run.conn.execute(
            text(f"INSERT INTO {table.name} ({column_list}) SELECT * FROM unnest({arrays})"),
            {n: "{" + ",".join(map(str, columns[n])) + "}" for n in names},
        )
        run.conn.exec_driver_sql(f"ANALYZE {table.name}")  # the planner's row estimates for the joins
        return
    converted = [
        [v.isoformat() for v in columns[n]] if isinstance(table.c[n].type, Date) else columns[n]
        for n in names
    ]
    run.conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({column_list}) VALUES ({', '.join('?' * len(names))})",
        list(zip(*converted, strict=True)),
    )


def _drop(run: _Run, *tables: Table) -> None:
    for table in tables:
        run.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")


def anniversary_executions(first: date, last: date, max_years: int) -> Iterator[tuple[date, int, date, date]]:
    """(executed_on, j, anniversary, previous anniversary) for every execution date whose j-th
    anniversary, 1 ≤ j ≤ ``max_years``, falls within ``first``..``last``.

    The j-th anniversary of ``e`` is ``add_months(e, 12j, e.day)``: a loan executed on 29 February has
    its anniversary on 28 February in common years. The previous anniversary of the first is ``e``.
    """
    day = first
    while day <= last:
        month_end = _stdlib_calendar.monthrange(day.year, day.month)[1]
        for years in range(1, max_years + 1):
            year = day.year - years
            length = _stdlib_calendar.monthrange(year, day.month)[1]
            days = range(day.day, length + 1) if day.day == month_end else range(day.day, day.day + 1)
            for dd in days:
                if dd > length:
                    continue
                executed = date(year, day.month, dd)
                previous = add_months(executed, MONTHS_PER_STEP * (years - 1), executed.day)
                yield executed, years, day, previous
        day += timedelta(days=1)


def _step_down(run: _Run, window_start: date) -> None:
    conn, d = run.conn, run.business_date
    active = and_(LOANS.c.status == LoanStatus.ACTIVE.value, LOANS.c.days_past_due == 0, LOANS.c.step_bp > 0)
    oldest = conn.execute(select(func.min(LOANS.c.executed_on)).where(active)).scalar_one_or_none()
    if oldest is None or oldest >= d:
        return
    found = list(anniversary_executions(window_start, d, d.year - oldest.year))
    if not found:
        return
    executed, years, anniversary, previous = (list(c) for c in zip(*found, strict=True))
    _stage(
        run,
        _ANNIVERSARIES,
        {
            "executed_on": executed,
            "years": years,
            "anniversary": anniversary,
            "previous_anniversary": previous,
        },
    )
    a = _ANNIVERSARIES.c
    i = INSTALLMENTS.c
    paid_late = exists().where(
        i.loan_id == LOANS.c.id, i.paid_on > i.due_date, i.paid_on > a.previous_anniversary
    )
    from_no = a.years * MONTHS_PER_STEP + 1
    method_code = case(
        {m.value: code for m, code in METHOD_CODES.items()}, value=GUARANTEES.c.method, else_=-1
    )
    candidates = conn.execute(
        select(
            LOANS.c.id,
            a.years,
            LOANS.c.amount,
            LOANS.c.grace_months,
            LOANS.c.base_rate_bp,
            LOANS.c.current_rate_bp,
            LOANS.c.step_bp,
            LOANS.c.floor_bp,
            LOANS.c.preferential_bp,
            method_code,
            select(func.max(i.no)).where(i.loan_id == LOANS.c.id).scalar_subquery(),
            select(func.coalesce(func.sum(i.principal_due), 0))
            .where(i.loan_id == LOANS.c.id, i.no >= from_no)
            .scalar_subquery(),
        )
        .select_from(
            LOANS.join(_ANNIVERSARIES, a.executed_on == LOANS.c.executed_on).join(
                GUARANTEES, GUARANTEES.c.id == LOANS.c.guarantee_id
            )
        )
        .where(active, ~paid_late)
        .order_by(LOANS.c.id)
    ).all()
    run.stats["step_down_eligible"] = len(candidates)
    if not candidates:
        _drop(run, _ANNIVERSARIES)
        return
    (loan_id, n_years, amount, grace, base, current, step, floor, preferential, method, n_total, balance) = (
        np.array(column, dtype=np.int64) for column in zip(*candidates, strict=True)
    )
    if (method < 0).any():
        bad = int(loan_id[method < 0][0])
        raise ValueError(f"loan {bad}: its guarantee names an unknown repayment method")
    start = n_years * MONTHS_PER_STEP + 1
    new = stepped_rate_bp(current, base, step, floor, preferential)
    changed = (new < current) & (start <= n_total)
    if not changed.any():
        _drop(run, _ANNIVERSARIES)
        return
    sel = np.flatnonzero(changed)
    repayment = n_total[sel] - grace[sel]
    rows = reamortize_rows(
        balance=balance[sel],
        rate_bp=new[sel],
        from_no=start[sel],
        n_total=n_total[sel],
        grace_months=grace[sel],
        method=method[sel],
        level_principal=amount[sel] // np.maximum(repayment, 1),
    )
    _stage(
        run,
        _RATE_CHANGES,
        {
            "loan_id": loan_id[sel].tolist(),
            "years": n_years[sel].tolist(),
            "old_bp": current[sel].tolist(),
            "new_bp": new[sel].tolist(),
            "from_no": start[sel].tolist(),
        },
    )
    _stage(
        run,
        _NEW_INSTALLMENTS,
        {
            "loan_id": loan_id[sel][rows.loan].tolist(),
            "no": rows.no.tolist(),
            "rate_bp": new[sel][rows.loan].tolist(),
            "principal_due": rows.principal.tolist(),
            "interest_due": rows.interest.tolist(),
        },
    )
    r = _RATE_CHANGES.c
    run.audit_select(
        action="loan.rate_stepped_down",
        entity_type="loan",
        entity_id=r.loan_id,
        before=run.json(current_rate_bp=r.old_bp),
        after=run.json(current_rate_bp=r.new_bp, from_installment=r.from_no),
        reason=run.reason("no late payment in year ", r.years, ", rate stepped down"),
        from_=_RATE_CHANGES,
        where=true(),
    )
    run.stats["stepped_down"] = conn.execute(
        update(LOANS).values(current_rate_bp=r.new_bp).where(LOANS.c.id == r.loan_id)
    ).rowcount
    s = _NEW_INSTALLMENTS.c
    run.stats["installments_reamortized"] = conn.execute(
        update(INSTALLMENTS)
        .values(rate_bp=s.rate_bp, principal_due=s.principal_due, interest_due=s.interest_due)
        .where(i.loan_id == s.loan_id, i.no == s.no)
    ).rowcount
    _drop(run, _ANNIVERSARIES, _RATE_CHANGES, _NEW_INSTALLMENTS)


def stepped_rate_bp(current: I64, base: I64, step: I64, floor: I64, preferential: I64) -> I64:
    """The rate after one more step-down earned: ``RatePolicy``'s rule, one step on from ``current``.

    Before the preferential cut the rate is ``current + preferential``; it falls by ``step`` down to
    ``min(base, floor)`` at most, the cut applies again (not below 0), and the result never exceeds
    ``current``.
    """
    stepped = np.maximum(np.minimum(base, floor), current + preferential - step)
    result: I64 = np.minimum(current, np.maximum(stepped - preferential, 0))
    return result


@dataclass(frozen=True, slots=True)
class ReamortizedRows:
    """Flat rows of ``reamortize_rows``: ``loan`` indexes its inputs, ``no`` is the installment number."""

    loan: npt.NDArray[np.intp]
    no: I64
    principal: I64
    interest: I64


def reamortize_rows(
    *,
    balance: I64,
    rate_bp: I64,
    from_no: I64,
    n_total: I64,
    grace_months: I64,
    method: I64,
    level_principal: I64,
) -> ReamortizedRows:
    """Installments ``from_no .. n_total`` of each loan at ``rate_bp``, from the scheduled ``balance``.

    The same numbers as ``schedule.reamortize(schedule, from_no, rate)`` (i.e. ``schedule._build`` with
    the rate changing at ``from_no``), vectorized over loans with a loop over the remaining installments:
    interest = balance × rate / 12 truncated; interest only during grace; the last installment takes the
    remaining balance; equal installment recomputes the level payment (``portfolio.level_payments``, equal
    to ``schedule.level_payment``) at ``from_no`` (the rate changed there) and at the first repayment
    installment; equal principal keeps ``level_principal`` (amount // repayment months); bullet repays
    at the end. Every loan's rate must differ from the rate of its installment ``from_no - 1``.
    """
    k = len(balance)
    remaining = n_total - from_no + 1
    if k and (remaining < 1).any():
        raise ValueError("from_no must be within 1..n_total")
    width = int(remaining.max()) if k else 0
    principal = np.zeros((k, width), dtype=np.int64)
    interest = np.zeros((k, width), dtype=np.int64)
    first_repayment = grace_months + 1
    is_ei = method == METHOD_CODES[RepaymentMethod.EQUAL_INSTALLMENT]
    is_ep = method == METHOD_CODES[RepaymentMethod.EQUAL_PRINCIPAL]
    level = np.zeros(k, dtype=np.int64)
    bal = balance.astype(np.int64, copy=True)
    for t in range(width):
        no = from_no + t
        live = t < remaining
        owed = bal * rate_bp // _BP_PER_MONTH_DIVISOR
        repaying = live & (no >= first_repayment) & (no < n_total)
        reset = np.flatnonzero(is_ei & repaying & ((t == 0) | (no == first_repayment)))
        if reset.size:
            level[reset] = level_payments(bal[reset], rate_bp[reset], n_total[reset] - no[reset] + 1)
        paid = np.where(
            is_ei, np.minimum(level - owed, bal), np.where(is_ep, np.minimum(level_principal, bal), 0)
        )
        paid = np.where(repaying, paid, np.where(live & (no == n_total), bal, 0))
        interest[:, t] = np.where(live, owed, 0)
        principal[:, t] = paid
        bal = bal - paid
    mask = np.arange(width) < remaining[:, None]
    return ReamortizedRows(
        loan=np.repeat(np.arange(k), remaining),
        no=(from_no[:, None] + np.arange(width))[mask],
        principal=principal[mask],
        interest=interest[mask],
    )


# --- 3. additional-loan date -----------------------------------------------------------------------


def _add_months_sql(run: _Run, day: ColumnElement[Any], months: Any) -> ColumnElement[Any]:
    """``add_months(day, months, day.day)`` in SQL; NULL when ``months`` is NULL."""
    if run.postgres:
        return cast(day + func.make_interval(literal_column("0"), cast(months, Integer)), Date)
    months_text = cast(months, Text)
    day_of_month = cast(func.strftime("%d", day), Integer)
    shifted = func.date(
        day,
        "start of month",
        _text("+").op("||")(months_text).op("||")(_text(" months")),
        _text("+").op("||")(cast(day_of_month - 1, Text)).op("||")(_text(" days")),
    )
    month_end = func.date(
        day,
        "start of month",
        _text("+").op("||")(cast(months + 1, Text)).op("||")(_text(" months")),
        "-1 day",
    )
    return func.min(shifted, month_end)


def _additional_loan(run: _Run) -> None:
    column = LOANS.c.additional_loan_from
    clear = and_(
        LOANS.c.status.in_((LoanStatus.DELINQUENT.value, LoanStatus.DEFAULTED.value)), column.is_not(None)
    )
    run.audit_select(
        action="loan.additional_loan_from",
        entity_type="loan",
        entity_id=LOANS.c.id,
        before=run.json(additional_loan_from=column),
        after=run.json(additional_loan_from=null()),
        reason=run.reason("in arrears (", LOANS.c.days_past_due, " days past due), no additional loan"),
        from_=LOANS,
        where=clear,
    )
    run.stats["additional_loan_cleared"] = run.conn.execute(
        update(LOANS).values(additional_loan_from=None).where(clear)
    ).rowcount

    months = _per_version(
        run.catalog, lambda v: v.additional_loan.min_months_on_time if v.additional_loan else None, None
    )
    eligible_from = _add_months_sql(run, LOANS.c.executed_on, months)
    assign = and_(LOANS.c.status == LoanStatus.ACTIVE.value, column.is_distinct_from(eligible_from))
    run.audit_select(
        action="loan.additional_loan_from",
        entity_type="loan",
        entity_id=LOANS.c.id,
        before=run.json(additional_loan_from=column),
        after=run.json(additional_loan_from=eligible_from),
        reason=run.reason(
            case(
                (months.is_(None), _text("no additional loan in this product version")),
                else_=_text("active without arrears, additional loan from execution + ")
                .op("||")(cast(months, Text))
                .op("||")(_text(" months")),
            )
        ),
        from_=LOANS,
        where=assign,
    )
    run.stats["additional_loan_set"] = run.conn.execute(
        update(LOANS).values(additional_loan_from=eligible_from).where(assign)
    ).rowcount


# --- 4. guarantee expiry ---------------------------------------------------------------------------


def _expire_guarantees(run: _Run) -> None:
    g = GUARANTEES.c
    expiring = and_(g.status == GuaranteeStatus.ISSUED.value, g.expires_on < run.business_date)
    run.audit_select(
        action=f"guarantee.{GuaranteeStatus.EXPIRED.value}",
        entity_type="guarantee",
        entity_id=g.id,
        before=run.json(status=_text(GuaranteeStatus.ISSUED.value)),
        after=run.json(status=_text(GuaranteeStatus.EXPIRED.value)),
        reason=run.reason("not executed by ", g.expires_on),
        from_=GUARANTEES,
        where=expiring,
    )
    run.stats["guarantees_expired"] = run.conn.execute(
        update(GUARANTEES).values(status=GuaranteeStatus.EXPIRED.value).where(expiring)
    ).rowcount


# --- 5. the run's own record -----------------------------------------------------------------------


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
