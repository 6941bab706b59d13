"""Close of business (일 마감): the nightly batch over every open loan, set-based.

``run_close_of_business(platform, business_date)`` ages arrears, steps rates down for on-time payers at
their execution anniversary, keeps the additional-loan date current and expires unused guarantees. Every
statement covers all rows it concerns at once (``UPDATE ... WHERE``, ``INSERT ... SELECT``); the only
per-loan arithmetic, re-amortization, is vectorized with NumPy over the affected loans, and its rows go
back through a staging table in one ``UPDATE ... FROM``. No ORM object is loaded.

Chunks (issue 17: a bank's payment must not wait for the run). The loans are taken in chunks of loan ids
(chunk k: ids ``k × chunk_size .. (k + 1) × chunk_size − 1``, ``CHUNK_LOANS`` by default), each chunk
its own short transaction that first locks the chunk's loan rows ``FOR UPDATE`` in id order, the order a
payment takes them (``_own_loan(lock=True)`` locks the loan row, then the ledger is read and written),
and then runs steps 1-3 for those loans only; steps 4-6 are one transaction each. No table-level lock:
a payment waits at most for the chunk holding its loan (bench: ~0.25 s at most).

Steps, in this order (steps 1-3 per chunk; a loan's steps read only its own rows and its guarantee, so
chunk 1 may go through all three before chunk 2 starts):

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

Idempotence and crashes: the run is recorded in ``cob_runs`` (business date primary key) when it starts,
unfinished (``finished_at`` NULL), with its chunk size. Each chunk's transaction records each step it ran
in ``cob_chunks`` (date, step, chunk) with that step's counts, so a chunk is applied exactly once: a run
that crashed (or whose job failed) is resumed by running the same date again, which skips the recorded
chunks, cuts the same chunks (the recorded size) and redoes only the chunk that was in flight (rolled
back). The last transaction sums the chunks' counts into ``cob_runs.stats``, writes the run's audit row
and sets ``finished_at``. A second run for a finished date changes nothing and returns the recorded
counts; a run for a date before the latest started one is refused (``Conflict COB_OUT_OF_ORDER``), and a
later date while an earlier run is unfinished too (``Conflict COB_UNFINISHED``: resume that one first).

Catch-up (a deviation from "the anniversary is the business date"): the step-down window is
``(latest earlier run, business date]``, capped at 365 days, or just the business date on a first run.
Run every calendar day, that is exactly the business date; run on business days only, an anniversary on
a weekend or holiday is applied by the next run instead of being lost. 365 days hold at most one
anniversary of a loan.

Concurrency: within a chunk the loan rows are locked before anything is read, so each audit ``INSERT ...
SELECT`` and its ``UPDATE`` see the same rows (a payment changes installments only under its loan's row
lock); expiring guarantees are locked the same way. On SQLite ``BEGIN IMMEDIATE`` makes each chunk the
only writer while it runs. Runs go one at a time (``_one_run_at_a_time``: an advisory lock on
PostgreSQL, a file lock beside the SQLite database): two runs for one date serialize and the second
returns the first's counts.

Performance (bench/bench_cob.py, PostgreSQL; see docs/scale.md for the figures and the machine's load):
aging probes the partial index of unpaid installments once per loan; the daily run is dominated by the
step-down's re-amortized installments (~2 M rows rewritten at 1,000,000 loans). The run switches JIT off
(compiling these queries cost more than it saved) and analyzes its staging tables so the planner joins
them by index instead of scanning the installments. The step times (``CobOutcome.timings``, the metric
``seomin_cob_step_seconds``) are summed over the chunks.

Data contract with repayment: an installment is unpaid while ``principal_paid < principal_due`` or
``interest_paid < interest_due``; ``paid_on`` is the day it became fully paid. The installment rows from
``12j`` on carry the loan's ``current_rate_bp``; the loan has ``max(no)`` installments, of which the first
``grace_months`` are interest only; the repayment method is the guarantee's ``method``. Re-amortization
rewrites ``principal_due``/``interest_due`` of installments after the anniversary even if some were
prepaid; allocating a prepayment is the repayment side's business."""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.orm import Session

from seomin.adapters.db.models import utcnow
from seomin.services.agency_loans.collection import default_overdue_agency_loans
from seomin.services.close_of_business.additional_loans import _additional_loan
from seomin.services.close_of_business.aging import _age
from seomin.services.close_of_business.common import (
    AUDIT_EVENTS,
    COB_CHUNKS,
    COB_RUNS,
    LOANS,
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
LOAN_STEPS = STEPS[:3]
"""The steps that go through the loans in chunks of loan ids, all three in each chunk's transaction; the
others are one transaction each."""
CHUNK_LOANS = 5_000
"""Loan ids per chunk: a chunk's transaction holds its loan rows while it ages them, steps them down and
sets their additional-loan dates (bench/bench_cob.py: ~0.1-0.3 s for 5,000); smaller chunks make a bank
wait less and cost more statements."""
CHUNK_WORKERS = 2
"""Loan chunks in flight at once on PostgreSQL: chunks are independent (disjoint loans), and one
connection leaves all but one core of the database idle (the reference machine has two)."""

Work = Callable[[_Run], None]
_NO_LOANS = (0, -1)
"""An empty range of loan ids."""
Progress = Callable[[int, int], None]
"""Called with (chunks done, chunks in the run) after each chunk commits (the job row's progress bar)."""
ChunkHook = Callable[[str, int], None]
"""Called with (step, chunk) inside each chunk's transaction, after its work and before it is recorded:
a test's window into a chunk in flight (a slow chunk, or a crash in the middle of one)."""


@dataclass(frozen=True, slots=True)
class CobOutcome:
    """What a run did: its counts (``STAT_KEYS``), whether they are an earlier run's, seconds per step
    (summed over its chunks; only the steps this call ran, when it resumed a crashed run)."""

    business_date: date
    stats: dict[str, int]
    already_run: bool
    timings: dict[str, float] = field(default_factory=dict)


def latest_close_of_business(platform: Platform) -> date | None:
    """The latest business date closed (finished), None before the first run."""
    with platform.engine.connect() as conn:
        latest: date | None = conn.execute(
            select(func.max(COB_RUNS.c.business_date)).where(COB_RUNS.c.finished_at.is_not(None))
        ).scalar_one_or_none()
        return latest


def run_close_of_business(platform: Platform, business_date: date) -> dict[str, int]:
    """Close ``business_date``; the counts of the run (or of the first run, if it already ran)."""
    return close_of_business(platform, business_date).stats


def close_of_business(
    platform: Platform,
    business_date: date,
    actor: Actor = SYSTEM,
    *,
    chunk_loans: int = CHUNK_LOANS,
    progress: Progress | None = None,
    in_chunk: ChunkHook | None = None,
    workers: int = CHUNK_WORKERS,
) -> CobOutcome:
    """``run_close_of_business`` with whether it had already run and the time of each step.

    ``chunk_loans`` applies to a run that starts here; a resumed run keeps the size it started with.
    ``workers``: loan chunks in flight at once on PostgreSQL (each on its own connection); 1 on SQLite.
    """
    today = platform.today()
    if business_date > today:
        # A mistyped future date would age loans ahead of time and then block every real date.
        raise InputError(
            "business_date",
            f"{business_date.isoformat()} is after today ({today.isoformat()})",
            InputErrorCode.DATE_AFTER_TODAY,
        )
    if chunk_loans < 1 or workers < 1:
        raise ValueError("chunk_loans and workers must be at least 1")
    with platform.engine.connect() as conn, _one_run_at_a_time(conn):
        started = _start(conn, business_date, chunk_loans)
        if isinstance(started, CobOutcome):
            return started
        run = _Chunks(conn, platform, business_date, actor, utcnow(), started, progress, in_chunk, workers)
        return run.all_steps()


def _counts(stats: Mapping[str, Any]) -> dict[str, int]:
    return {key: int(stats.get(key, 0)) for key in STAT_KEYS}


# --- one run at a time -----------------------------------------------------------------------------

_IN_MEMORY_RUN = threading.Lock()
_PG_LOCK_KEY = "CAST(CAST(CAST('cob_runs' AS regclass) AS oid) AS bigint)"
"""One advisory lock per schema (the cob_runs table's oid): a run holds it on its connection."""


@contextmanager
def _one_run_at_a_time(conn: Connection) -> Iterator[None]:
    """Close of business runs one at a time, across processes: a second run (for any date) waits here
    for the first to finish or die. PostgreSQL: a session advisory lock, released with the connection if
    the process dies; SQLite: an exclusive ``flock`` on a file beside the database (an in-memory
    database: a lock in this process)."""
    if conn.dialect.name == "postgresql":
        with conn.begin():
            conn.execute(text(f"SELECT pg_advisory_lock({_PG_LOCK_KEY})"))
        try:
            yield
        finally:
            if not conn.invalidated:
                with conn.begin():
                    conn.execute(text(f"SELECT pg_advisory_unlock({_PG_LOCK_KEY})"))
        return
    database = conn.engine.url.database
    if not database or database == ":memory:":
        with _IN_MEMORY_RUN:
            yield
        return
    with open(f"{database}.cob-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass(frozen=True, slots=True)
class _Started:
    chunk_size: int
    window_start: date
    """The first day of the step-down window (``MAX_CATCH_UP_DAYS`` at most)."""


def _start(conn: Connection, business_date: date, chunk_loans: int) -> _Started | CobOutcome:
    """Under the run lock, in one transaction: an earlier finished run's counts, a refusal, or the run
    (recorded in ``cob_runs`` unfinished if it is new, resumed if it crashed)."""
    runs = COB_RUNS.c
    with conn.begin():
        row = conn.execute(
            select(runs.stats, runs.finished_at, runs.chunk_size).where(runs.business_date == business_date)
        ).one_or_none()
        if row is not None and row.finished_at is not None:
            return CobOutcome(business_date, _counts(row.stats), already_run=True)
        later = conn.execute(
            select(func.max(runs.business_date)).where(runs.business_date > business_date)
        ).scalar_one_or_none()
        if later is not None:
            raise Conflict(
                "COB_OUT_OF_ORDER",
                f"close of business already ran for {later.isoformat()}, after {business_date.isoformat()}",
            )
        unfinished = conn.execute(
            select(func.min(runs.business_date)).where(
                runs.business_date < business_date, runs.finished_at.is_(None)
            )
        ).scalar_one_or_none()
        if unfinished is not None:
            raise Conflict(
                "COB_UNFINISHED",
                f"close of business for {unfinished.isoformat()} did not finish; run it again first",
            )
        latest = conn.execute(
            select(func.max(runs.business_date)).where(runs.business_date < business_date)
        ).scalar_one_or_none()
        if row is None:
            conn.execute(
                insert(COB_RUNS).values(
                    business_date=business_date, started_at=utcnow(), stats={}, chunk_size=chunk_loans
                )
            )
        size = chunk_loans if row is None or row.chunk_size is None else row.chunk_size
    window_start = business_date
    if latest is not None:
        window_start = max(latest + timedelta(days=1), business_date - timedelta(days=MAX_CATCH_UP_DAYS - 1))
    return _Started(size, window_start)


# --- the chunks -----------------------------------------------------------------------------------


class _Chunks:
    """One call's pass over the steps: every chunk not yet recorded, in order, each its own transaction."""

    def __init__(
        self,
        conn: Connection,
        platform: Platform,
        business_date: date,
        actor: Actor,
        at: datetime,
        started: _Started,
        progress: Progress | None,
        in_chunk: ChunkHook | None,
        workers: int,
    ) -> None:
        self.conn, self.platform, self.business_date, self.actor, self.at = (
            conn,
            platform,
            business_date,
            actor,
            at,
        )
        self.size, self.window_start = started.chunk_size, started.window_start
        # SQLite has one writer at a time: a second connection would only wait.
        self.workers = workers if conn.dialect.name == "postgresql" else 1
        self.progress, self.in_chunk = progress, in_chunk
        self.timings = dict.fromkeys(STEPS, 0.0)
        self.done = 0
        self.counting = threading.Lock()
        self.chunks = self._loan_chunks()
        self.total = len(self.chunks) + len(STEPS) - len(LOAN_STEPS)

    def all_steps(self) -> CobOutcome:
        window_start, platform = self.window_start, self.platform
        loan_steps: tuple[tuple[str, Work], ...] = (
            ("aging", _age),
            ("step_down", lambda run: _step_down(run, window_start)),
            ("additional_loan", _additional_loan),
        )
        self._loan_chunks_in(self.chunks, loan_steps)
        self._chunk(self.conn, 0, (("guarantee_expiry", _expire_guarantees),))
        self._chunk(self.conn, 0, (("agency_defaults", _default_agency_loans),))
        self._chunk(self.conn, 0, (("recourse", lambda run: age_recourse(run, platform)),))
        stats = self._record()
        return CobOutcome(self.business_date, stats, already_run=False, timings=self.timings)

    def _loan_chunks(self) -> list[int]:
        """The chunks holding loans when the call starts (a loan executed during the run waits for the
        next day's), in order: chunk k covers loan ids ``k × size .. (k + 1) × size − 1``
        (fixed by the size alone, so a resumed run cuts the same chunks)."""
        with self.conn.begin():
            chunk = (LOANS.c.id // self.size).label("chunk")
            return list(self.conn.execute(select(chunk).distinct().order_by(chunk)).scalars())

    def _loan_chunks_in(self, chunks: list[int], steps: Sequence[tuple[str, Work]]) -> None:
        """The loan chunks in id order on ``workers`` connections at once, each worker taking the next
        chunk when it is done with one; the first failure stops the others after their chunk in flight."""
        if self.workers == 1 or len(chunks) < 2:
            for chunk in chunks:
                self._chunk(self.conn, chunk, steps, loans=True)
            return
        pending, taking, failed = iter(chunks), threading.Lock(), threading.Event()

        def worker() -> None:
            with self.conn.engine.connect() as conn:
                while not failed.is_set():
                    with taking:
                        chunk = next(pending, None)
                    if chunk is None:
                        return
                    try:
                        self._chunk(conn, chunk, steps, loans=True)
                    except BaseException:
                        failed.set()
                        raise

        with ThreadPoolExecutor(self.workers) as pool:
            for future in [pool.submit(worker) for _ in range(self.workers)]:
                future.result()

    def _chunk(
        self, conn: Connection, chunk: int, steps: Sequence[tuple[str, Work]], *, loans: bool = False
    ) -> None:
        """One transaction: the chunk's loan rows locked (``loans``), then each step not yet recorded for
        this chunk, each recorded with its counts. A loan's steps depend on its own rows only, so a chunk
        may go through all the loan steps before the next chunk starts."""
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL jit = off"))  # compiling these queries cost more than it saved
            c = COB_CHUNKS.c
            recorded = set(
                conn.execute(
                    select(c.step).where(c.business_date == self.business_date, c.chunk == chunk)
                ).scalars()
            )
            locked: tuple[int, int] | None = None
            for step, work in steps:
                if step in recorded:
                    continue
                started = time.perf_counter()
                if loans and locked is None:
                    locked = self._lock_loans(conn, chunk)
                run = _Run(conn, self.business_date, self.actor, self.at, self.platform.catalog)
                if locked is not None:
                    run.first_loan, run.last_loan = locked
                if not loans or locked != _NO_LOANS:
                    work(run)
                if self.in_chunk is not None:
                    self.in_chunk(step, chunk)
                conn.execute(
                    insert(COB_CHUNKS).values(
                        business_date=self.business_date,
                        step=step,
                        chunk=chunk,
                        stats={k: v for k, v in run.stats.items() if v},
                        done_at=utcnow(),
                    )
                )
                with self.counting:
                    self.timings[step] += time.perf_counter() - started
        with self.counting:
            self.done += 1
            done = min(self.done, self.total)
        if self.progress is not None:
            self.progress(done, self.total)

    def _lock_loans(self, conn: Connection, chunk: int) -> tuple[int, int]:
        """Take the chunk's loan rows ``FOR UPDATE`` in id order, as a payment takes its loan row before
        its installments, so that within the chunk each audit ``INSERT ... SELECT`` and its ``UPDATE``
        see the same rows; the chunk's range then ends at the highest id locked, so a loan inserted
        during the chunk with a higher id stays out of it. (One whose lower id was taken before the lock
        but which commits while the chunk runs is not locked, yet later statements of the chunk can see
        it: a loan executed during the run may get an update without its audit row, or the reverse.)
        ``_NO_LOANS`` when the range holds none."""
        first = chunk * self.size
        ids = (
            conn.execute(
                select(LOANS.c.id)
                .where(LOANS.c.id.between(first, first + self.size - 1))
                .order_by(LOANS.c.id)
                .with_for_update()
            )
            .scalars()
            .all()
        )
        return (ids[0], ids[-1]) if ids else _NO_LOANS

    def _record(self) -> dict[str, int]:
        """Sum the chunks' counts and record the run as finished, with its audit row, in one transaction."""
        conn, started = self.conn, time.perf_counter()
        with conn.begin():
            totals = dict.fromkeys(STAT_KEYS, 0)
            for chunk_stats in conn.execute(
                select(COB_CHUNKS.c.stats).where(COB_CHUNKS.c.business_date == self.business_date)
            ).scalars():
                for key, value in chunk_stats.items():
                    totals[key] += int(value)
            conn.execute(
                insert(AUDIT_EVENTS).values(
                    at=self.at,
                    actor_type=self.actor.type.value,
                    actor_id=self.actor.id,
                    action="cob.completed",
                    entity_type="cob_run",
                    entity_id=self.business_date.isoformat(),
                    before=None,
                    after=totals,
                    reason=f"COB {self.business_date.isoformat()}",
                )
            )
            conn.execute(
                update(COB_RUNS)
                .values(stats=totals, finished_at=utcnow())
                .where(COB_RUNS.c.business_date == self.business_date)
            )
        self.timings["record"] = time.perf_counter() - started
        self.done = self.total
        if self.progress is not None:
            self.progress(self.total, self.total)
        return totals


# --- 5. agency loans to collection --------------------------------------------------------------------


def _default_agency_loans(run: _Run) -> None:
    """The agency's own loans are few and each needs its interest to the day: ORM rows, in the step's
    transaction (the session joins the connection's)."""
    with Session(bind=run.conn) as session:
        defaulted = default_overdue_agency_loans(session, run.catalog, run.business_date, run.actor)
    run.stats["agency_loans_defaulted"] = defaulted
    run.stats["audit_events"] += defaulted  # one audit row each
