"""Benchmark: close of business for a book of 100,000 open loans and 100,000 recourse debts, on PostgreSQL
and on SQLite.

The book (not timed): 최저신용자 특례보증-like loans (1–10 M won, 36 or 60 months, 20% with a 12-month
grace, 15.9% stepping 3.0/1.5%p a year to 9.9%, 30% with the 0.1%p preferential cut), executed so that
each is still running; 1 in 12 has an execution anniversary on the business date. Installments come from
the vectorized schedule engine with the step-downs of the years already passed. Payment behaviour up to
the day before: ~91% on time, 3% paid one installment a few days late in the past year, 4% one or two
installments behind, 2% three to six behind (past the 90-day default). Plus 2% issued guarantees without
a loan, about half past their expiry. Everything is bulk-loaded (COPY on PostgreSQL, executemany on
SQLite) and analyzed.

The recourse book (issue 15, ``--recourse``, not timed): as many subrogated loans, each with its paid claim
and a recourse debt (0.3–5 M won): 60% on an installment plan (12–60 months, started 1–24 months before the
business date; 85% paid up to date, 10% one or two payments behind, 5% three to five behind, some past the
90-day lapse), 25% open, 10% deferred, 5% repaid; one repayment row per paying debt.

Then, per database: close of business for the day before (the first run after the load: it sets every
status, days past due and additional-loan date, so it writes an audit row for most loans), the timed
daily run for the business date (the steady state: aging moves, the anniversary step-downs with their
re-amortization, expiries), and a rerun of the same date (idempotent: nothing changes). Target: the
daily run for 1,000,000 loans within 60 s on PostgreSQL (scaled for smaller books), while a bank's
writes wait no more than a few hundred milliseconds (the probe, see ``BankWriteProbe``).

PostgreSQL: 127.0.0.1:5432, database ``test``, trust auth, in a schema ``seomin_bench_<random>`` dropped
at the end. SQLite: a file in a temporary directory.

    .venv/bin/python bench/bench_cob.py [--loans 100000] [--recourse 100000] [--date 2025-06-10] [--seed 11]
        [--only postgresql] [--slice 100000] [--schema NAME [--load-only]]
    .venv/bin/python bench/bench_cob.py --only postgresql --loans 1000000 --recourse 0   # ~4 min to load

A book larger than ``--slice`` is built and loaded a slice at a time (PostgreSQL only): COPY in one
session with ``synchronous_commit`` off and foreign-key triggers skipped (the book is consistent by
construction), the installments' indexes built after the load; the tables stay logged, as in production.
``--schema`` keeps the loaded schema for a later invocation (which reuses it as it is).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl
from cryptography.fernet import Fernet
from sqlalchemy import Engine, bindparam, text

from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.adapters.crypto import DataVault
from seomin.adapters.db.engine import make_engine, session_factory
from seomin.adapters.db.migrate import upgrade
from seomin.adapters.jobs import cob_summary
from seomin.domain.portfolio import LoanArrays, build_portfolio
from seomin.services.close_of_business import STEPS, CobOutcome, close_of_business
from seomin.services.platform import Platform

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_SECONDS_PER_MILLION = 60.0
"""Issue 17: the daily run for 1,000,000 loans in 60 s on PostgreSQL (scaled to the book's size)."""
CREATED = "2025-01-01 00:00:00"
TABLE_ORDER = (
    "applicants",
    "applications",
    "guarantees",
    "loans",
    "installments",
    "subrogation_claims",
    "recourse_debts",
    "recourse_plans",
    "recourse_repayments",
)
VAULT_KEY = Fernet.generate_key().decode("ascii")
"""One key for the book and the run: the recourse step decrypts debtors' phones to queue its notices."""


@dataclass(frozen=True, slots=True)
class Book:
    tables: dict[str, pl.DataFrame]
    n_loans: int
    n_installments: int
    at_anniversary: int
    catching_up: list[int]
    """Loans behind whose arrears are paid during the business day (they are cured by the daily run)."""
    n_recourse: int = 0
    n_on_plan: int = 0


def _years_before(day: date, years: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    """``day`` ``years`` years earlier (the business date is never 29 February)."""
    lookup = {int(y): np.datetime64(date(day.year - int(y), day.month, day.day)) for y in np.unique(years)}
    return np.array([lookup[int(y)] for y in years], dtype="datetime64[D]")


def make_book(
    n: int, business_date: date, seed: int, n_recourse: int = 0, *, first_loan: int = 1, first_extra: int = 0
) -> Book:
    """``n`` loans with ids from ``first_loan`` (applicants from ``(first_loan - 1) // 2 + 1``); the issued
    guarantees without a loan get ids after ``first_extra`` (default: right after the loans)."""
    rng = np.random.default_rng(seed)
    today = np.datetime64(business_date)
    yesterday = today - 1

    repayment = rng.choice(np.array([36, 60]), size=n, p=[0.4, 0.6])
    grace = np.where(rng.random(n) < 0.2, 12, 0)
    n_inst = repayment + grace
    at_anniversary = rng.random(n) < 1 / 12
    years = rng.integers(1, (n_inst - 1) // 12 + 1)  # anniversaries that leave installments to run
    executed = np.where(
        at_anniversary,
        _years_before(business_date, years),
        today - rng.integers(1, (n_inst - 1) * 30),  # still running on the business date
    )
    step = np.where(repayment == 36, 300, 150)
    preferential = np.where(rng.random(n) < 0.3, 10, 0)
    loans = LoanArrays(
        amount=rng.integers(100, 1_001, size=n) * 10_000,
        repayment_months=repayment,
        grace_months=grace,
        method=np.zeros(n, dtype=np.int64),
        executed_on=executed,
        base_bp=np.full(n, 1590),
        step_bp=step,
        floor_bp=np.full(n, 990),
        preferential_bp=preferential,
        apply_step_down=np.ones(n, dtype=bool),
    )
    book = build_portfolio(loans, korean_calendar())
    mask = book.mask
    due = book.due_date

    # Payment behaviour up to yesterday.
    due_before = (mask & (due < today)).sum(axis=1)
    # 0: on time, 1: one installment paid late, 2: one or two behind, 3: three to six behind.
    kind = rng.choice(4, size=n, p=[0.91, 0.03, 0.04, 0.02])
    few, many = rng.integers(1, 3, size=n), rng.integers(3, 7, size=n)
    behind = np.where(kind == 2, few, np.where(kind == 3, many, 0))
    behind = np.minimum(behind, due_before)
    column = np.arange(mask.shape[1])
    paid = mask & (column < (due_before - behind)[:, None])
    late_no = np.maximum(due_before - 1 - rng.integers(0, 11, size=n), 0)  # within the past year
    late = (kind == 1)[:, None] & paid & (column == late_no[:, None])
    paid_on = np.where(paid, due + np.where(late, 5, 0).astype("timedelta64[D]"), np.datetime64("NaT"))
    paid_on = np.where(paid_on > yesterday, yesterday, paid_on)

    # The rate earned so far: that of the installment after the last anniversary before today.
    elapsed = (mask & (due <= yesterday)).sum(axis=1)
    current_column = np.minimum((elapsed // 12) * 12, n_inst - 1)
    current_rate = book.rate_bp[np.arange(n), current_column].astype(np.int64)

    principal_paid = np.where(paid, book.principal, 0)
    loan_ids = np.arange(first_loan, first_loan + n)
    applicant_ids = (loan_ids - 1) // 2 + 1
    first_applicant, last_applicant = int(applicant_ids.min()), int(applicant_ids.max())
    n_applicants = last_applicant
    applicant_range = np.arange(first_applicant, last_applicant + 1)

    extra = max(n // 50, 1)  # issued guarantees without a loan
    first_extra = first_extra or first_loan + n - 1
    n_guarantees = first_extra + extra
    guarantee_ids = np.concatenate([loan_ids, np.arange(first_extra + 1, first_extra + extra + 1)])
    extra_issued = today - rng.integers(1, 60, size=extra)
    issued_on = np.concatenate([executed - 3, extra_issued])
    expires_on = issued_on + 30
    guarantee_amount = np.concatenate([loans.amount, rng.integers(100, 501, size=extra) * 10_000])
    guarantee_applicant = np.concatenate(
        [applicant_ids, rng.integers(first_applicant, last_applicant + 1, size=extra)]
    )
    guarantee_terms = np.concatenate([repayment, np.full(extra, 60)])
    guarantee_grace = np.concatenate([grace, np.zeros(extra, dtype=np.int64)])

    tables = {
        "applicants": pl.DataFrame(
            {
                "id": applicant_range,
                "rrn_hash": [f"{i:064x}" for i in applicant_range],
                "rrn_encrypted": "x",
                "rrn_masked": "850301-1******",
                "name_encrypted": "x",
                "phone_encrypted": DataVault(VAULT_KEY).encrypt("01012345678"),
                "phone_masked": "010-****-5678",
                "birth_date": date(1985, 3, 1),
                "created_at": CREATED,
            }
        ),
        "applications": pl.DataFrame(
            {
                "id": guarantee_ids,
                "applicant_id": guarantee_applicant,
                "product_id": "lowest-credit-special",
                "product_version": "2024-04",
                "requested_amount": guarantee_amount,
                "term_months": guarantee_terms,
                "grace_months": guarantee_grace,
                "occupation": "employee",
                "region": "서울",
                "profile_encrypted": "x",
                "status": "guaranteed",
                "submitted_on": issued_on,
                "created_at": CREATED,
                "updated_at": CREATED,
            }
        ),
        "guarantees": pl.DataFrame(
            {
                "id": guarantee_ids,
                "application_id": guarantee_ids,
                "applicant_id": guarantee_applicant,
                "certificate_no": [f"G{i:012d}" for i in guarantee_ids],
                "verification_code_hash": "0" * 64,
                "product_id": "lowest-credit-special",
                "product_version": "2024-04",
                "amount": guarantee_amount,
                "rate_bp": 1590,
                "term_months": guarantee_terms,
                "grace_months": guarantee_grace,
                "method": "equal_installment",
                "ratio_bp": 10_000,
                "bank_code": "kwangju",
                "issued_on": issued_on,
                "expires_on": expires_on,
                "status": np.where(np.arange(len(guarantee_ids)) < n, "executed", "issued"),
                "created_at": CREATED,
            }
        ),
        "loans": pl.DataFrame(
            {
                "id": loan_ids,
                "guarantee_id": loan_ids,
                "applicant_id": applicant_ids,
                "bank_code": "kwangju",
                "product_id": "lowest-credit-special",
                "amount": loans.amount,
                "principal_balance": loans.amount - principal_paid.sum(axis=1),
                "executed_on": executed,
                "term_months": repayment,
                "grace_months": grace,
                "base_rate_bp": 1590,
                "current_rate_bp": current_rate,
                "step_bp": step,
                "floor_bp": 990,
                "preferential_bp": preferential,
                "status": "active",
                "days_past_due": 0,
                "created_at": CREATED,
            }
        ),
        "installments": pl.DataFrame(
            {
                "loan_id": np.repeat(loan_ids, n_inst),
                "no": (column[None, :] + 1).repeat(n, axis=0)[mask],
                "due_date": due[mask],
                "rate_bp": book.rate_bp[mask].astype(np.int64),
                "principal_due": book.principal[mask],
                "interest_due": book.interest[mask],
                "principal_paid": principal_paid[mask],
                "interest_paid": np.where(paid, book.interest, 0)[mask],
                "paid_on": paid_on[mask],
            }
        ),
    }
    on_plan = 0
    if n_recourse:
        recourse, on_plan = _recourse_book(rng, n_recourse, n, n_guarantees, n_applicants, business_date)
        for name, extra_rows in recourse.items():
            tables[name] = (
                pl.concat([tables[name], extra_rows], how="diagonal_relaxed")
                if name in tables
                else extra_rows
            )
    tables = {name: df.with_columns(pl.col(pl.Datetime).cast(pl.Date)) for name, df in tables.items()}
    catching_up = loan_ids[(behind > 0) & (rng.random(n) < 0.1)].tolist()
    return Book(tables, n, int(mask.sum()), int(at_anniversary.sum()), catching_up, n_recourse, on_plan)


def _recourse_book(
    rng: np.random.Generator, r: int, n_loans: int, n_guarantees: int, n_applicants: int, business_date: date
) -> tuple[dict[str, pl.DataFrame], int]:
    """``r`` subrogated loans with their guarantees, paid claims, recourse debts, plans and repayments."""
    today = np.datetime64(business_date)
    ids = np.arange(1, r + 1)
    loan_ids = n_loans + ids
    guarantee_ids = n_guarantees + ids
    applicant_ids = rng.integers(1, n_applicants + 1, size=r)
    amount = rng.integers(30, 501, size=r) * 10_000
    created = today - rng.integers(60, 900, size=r)
    executed = created - 600
    state = rng.choice(4, size=r, p=[0.60, 0.25, 0.10, 0.05])  # plan, open, deferred, repaid
    status = np.array(["installment_plan", "open", "deferred", "repaid"])[state]
    months = rng.choice(np.array([12, 24, 36, 48, 60]), size=r)
    months_ago = rng.integers(1, 25, size=r)
    start_day = min(business_date.day, 28)
    starts = np.array(
        [np.datetime64(date(y, m, start_day)) for y, m in _months_before(business_date, months_ago)],
        dtype="datetime64[D]",
    )
    starts = np.maximum(starts, created)
    monthly = amount // months
    # payments due by the business date (the day clamped as the services do: start days are ≤ 28 here)
    elapsed = (today.astype("datetime64[M]") - starts.astype("datetime64[M]")).astype(np.int64)
    day_of = (starts - starts.astype("datetime64[M]")).astype(np.int64) + 1
    due = np.minimum(months, elapsed + (business_date.day >= day_of))
    behaviour = rng.choice(3, size=r, p=[0.85, 0.10, 0.05])
    short = np.where(
        behaviour == 1, rng.integers(1, 3, size=r), np.where(behaviour == 2, rng.integers(3, 6, size=r), 0)
    )
    covered = np.clip(due - short, 0, months - 1)
    plan = state == 0
    paid = np.where(plan, covered * monthly, np.where(state == 3, amount, 0))
    balance = amount - paid
    plan_ids = np.arange(1, int(plan.sum()) + 1)
    deferred = state == 2
    n_plans = int(plan.sum())
    kinds = ["installment_plan"] * n_plans + ["deferral"] * int(deferred.sum())
    plan_rows = pl.DataFrame(
        {
            "id": np.arange(1, len(kinds) + 1),
            "recourse_debt_id": np.concatenate([ids[plan], ids[deferred]]),
            "kind": kinds,
            "months": np.concatenate([months[plan], np.full(int(deferred.sum()), 6)]),
            "starts_on": np.concatenate([starts[plan], np.full(int(deferred.sum()), today - 30)]),
            "monthly_amount": np.concatenate([monthly[plan], np.zeros(int(deferred.sum()), dtype=np.int64)]),
            "status": "in_force",
            "created_at": CREATED,
        }
    )
    paying = paid > 0
    plan_of = np.zeros(r, dtype=np.int64)
    plan_of[plan] = plan_ids
    repayments = pl.DataFrame(
        {
            "id": np.arange(1, int(paying.sum()) + 1),
            "recourse_debt_id": ids[paying],
            "plan_id": pl.Series(np.where(plan_of[paying] > 0, plan_of[paying], 0)).replace(0, None),
            "channel": "virtual_account",
            "amount": paid[paying],
            "paid_on": np.minimum(today - 1, np.maximum(created[paying], today - 20)),
            "costs": 0,
            "delinquency_interest": 0,
            "interest": 0,
            "principal": paid[paying],
            "balance_after": balance[paying],
            "idempotency_key": [f"bench:{i}" for i in ids[paying]],
            "recorded_by": "bench",
            "created_at": CREATED,
        }
    )
    tables = {
        "applications": pl.DataFrame(
            {
                "id": guarantee_ids,
                "applicant_id": applicant_ids,
                "product_id": "lowest-credit-special",
                "product_version": "2024-04",
                "requested_amount": amount,
                "term_months": 60,
                "grace_months": 0,
                "occupation": "employee",
                "region": "서울",
                "profile_encrypted": "x",
                "status": "guaranteed",
                "submitted_on": executed - 3,
                "created_at": CREATED,
                "updated_at": CREATED,
            }
        ),
        "guarantees": pl.DataFrame(
            {
                "id": guarantee_ids,
                "application_id": guarantee_ids,
                "applicant_id": applicant_ids,
                "certificate_no": [f"R{i:012d}" for i in ids],
                "verification_code_hash": "0" * 64,
                "product_id": "lowest-credit-special",
                "product_version": "2024-04",
                "amount": amount,
                "rate_bp": 1590,
                "term_months": 60,
                "grace_months": 0,
                "method": "equal_installment",
                "ratio_bp": 10_000,
                "bank_code": "kwangju",
                "issued_on": executed - 3,
                "expires_on": executed + 27,
                "status": "claimed",
                "created_at": CREATED,
            }
        ),
        "loans": pl.DataFrame(
            {
                "id": loan_ids,
                "guarantee_id": guarantee_ids,
                "applicant_id": applicant_ids,
                "bank_code": "kwangju",
                "product_id": "lowest-credit-special",
                "amount": amount,
                "principal_balance": amount,
                "executed_on": executed,
                "term_months": 60,
                "grace_months": 0,
                "base_rate_bp": 1590,
                "current_rate_bp": 1590,
                "step_bp": 150,
                "floor_bp": 990,
                "preferential_bp": 0,
                "status": "subrogated",
                "days_past_due": 0,
                "created_at": CREATED,
            }
        ),
        "subrogation_claims": pl.DataFrame(
            {
                "id": ids,
                "loan_id": loan_ids,
                "bank_code": "kwangju",
                "principal": amount,
                "interest": 0,
                "guaranteed_amount": amount,
                "filed_on": created - 20,
                "paid_on": created,
                "status": "paid",
            }
        ),
        "recourse_debts": pl.DataFrame(
            {
                "id": ids,
                "claim_id": ids,
                "applicant_id": applicant_ids,
                "principal": amount,
                "balance": balance,
                "status": status,
                "created_on": created,
            }
        ),
        "recourse_plans": plan_rows,
        "recourse_repayments": repayments,
    }
    return tables, n_plans


def _months_before(day: date, months: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    total = day.year * 12 + day.month - 1 - months
    return [(int(t) // 12, int(t) % 12 + 1) for t in total]


# --- loading ---------------------------------------------------------------------------------------


def book_slices(n: int, business_date: date, seed: int, n_recourse: int, size: int) -> Iterator[Book]:
    """The book in slices of ``size`` loans (ids in order, each slice its own seed), so that a book of
    1,000,000 loans (53 M installments) never sits in memory whole; recourse debts only unsliced."""
    if n <= size:
        yield make_book(n, business_date, seed, n_recourse)
        return
    if n_recourse or size % 2:
        raise ValueError("a sliced book takes an even slice size and no recourse debts")
    extras = n
    for k, first in enumerate(range(1, n + 1, size)):
        count = min(size, n - first + 1)
        book = make_book(count, business_date, seed + k, first_loan=first, first_extra=extras)
        extras += max(count // 50, 1)
        yield book


def load_postgres(engine: Engine, books: Iterable[Book]) -> Book:
    """COPY every slice's tables in one session tuned for loading (no durability wait per commit; the
    installments' indexes built once after the load; foreign-key triggers skipped, since the generated
    book is consistent by construction). The tables stay logged, as in production. Returns the book's
    figures (without its tables)."""
    raw = engine.raw_connection()
    n_loans = n_installments = at_anniversary = 0
    catching_up: list[int] = []
    n_recourse = n_on_plan = 0
    try:
        driver = raw.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = 'installments'"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'installments'::regclass AND contype = 'p'"
            )
            primary = cursor.fetchone()
            if primary is not None:
                cursor.execute(f"ALTER TABLE installments DROP CONSTRAINT {primary[0]}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            driver.commit()
            for book in books:
                for name in TABLE_ORDER:
                    if name not in book.tables:
                        continue
                    df = book.tables[name]
                    columns = ", ".join(df.columns)
                    for start in range(0, df.height, 1_000_000):
                        buffer = io.BytesIO()
                        df.slice(start, 1_000_000).write_csv(
                            buffer,
                            separator="\t",
                            null_value="\\N",
                            include_header=False,
                            quote_style="never",
                        )
                        with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                            copy.write(buffer.getvalue())
                driver.commit()
                n_loans += book.n_loans
                n_installments += book.n_installments
                at_anniversary += book.at_anniversary
                catching_up += book.catching_up
                n_recourse += book.n_recourse
                n_on_plan += book.n_on_plan
                print(f"  loaded {n_loans:,} loans, {n_installments:,} installments", flush=True)
            if primary is not None:
                cursor.execute(f"ALTER TABLE installments ADD CONSTRAINT {primary[0]} {primary[1]}")
            for name, definition in indexes:
                if primary is None or name != primary[0]:
                    cursor.execute(definition)
            driver.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in TABLE_ORDER:
            conn.execute(text(f"VACUUM ANALYZE {name}"))
    return Book({}, n_loans, n_installments, at_anniversary, catching_up, n_recourse, n_on_plan)


def load_sqlite(engine: Engine, book: Book) -> None:
    with engine.begin() as conn:
        for name in TABLE_ORDER:
            df = book.tables[name].with_columns(pl.col(pl.Date).cast(pl.Utf8))
            statement = f"INSERT INTO {name} ({', '.join(df.columns)}) VALUES ({', '.join('?' * df.width)})"
            for start in range(0, df.height, 500_000):
                conn.exec_driver_sql(statement, list(df.slice(start, 500_000).iter_rows()))
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")


# --- running -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timed:
    label: str
    seconds: float
    outcome: CobOutcome


def pay_arrears(engine: Engine, loan_ids: list[int], business_date: date) -> None:
    """The day's payments (not timed): these loans pay everything due before the business date."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE installments SET principal_paid = principal_due, interest_paid = interest_due, "
                "paid_on = :day WHERE loan_id IN :ids AND due_date < :day AND paid_on IS NULL"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": loan_ids, "day": business_date - timedelta(days=1)},
        )


class BankWriteProbe:
    """A partner bank's writes while close of business runs: every ``interval`` seconds one short
    transaction locks a loan row ``FOR UPDATE`` and then writes one of its installments and the loan, in
    the order a payment takes them (``_own_loan(lock=True)``, then the ledger), committing without
    changing a value; its latencies, before and during the run, show how long the run makes a bank wait.
    The probe's loan is the book's last, so a chunked run reaches it last."""

    def __init__(self, engine: Engine, loan_id: int, interval: float = 0.02) -> None:
        self.engine, self.loan_id, self.interval = engine, loan_id, interval
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            start = time.perf_counter()
            with self.engine.begin() as conn:
                conn.execute(text("SELECT id FROM loans WHERE id = :id FOR UPDATE"), {"id": self.loan_id})
                conn.execute(
                    text("UPDATE installments SET paid_on = paid_on WHERE loan_id = :id AND no = 1"),
                    {"id": self.loan_id},
                )
                conn.execute(text("UPDATE loans SET status = status WHERE id = :id"), {"id": self.loan_id})
            self.latencies.append(time.perf_counter() - start)
            self._stop.wait(self.interval)

    def __enter__(self) -> BankWriteProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        ms = np.array(self.latencies) * 1000
        if not len(ms):
            return "no writes"
        p50, p99 = np.percentile(ms, [50, 99])
        return f"{len(ms)} writes, p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ms.max():.1f} ms"


APPLICATION = "seomin_bench_cob"
"""The run's connections are named so that their server processes' CPU time can be read in /proc."""


def server_cpu(engine: Engine) -> dict[int, float]:
    """CPU seconds so far of each server process of the run's connections (PostgreSQL on this machine).
    With other work on the machine, CPU time is steadier than wall time (bench/README: noise)."""
    with engine.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"), {"name": APPLICATION}
        ).scalars()
        seconds: dict[int, float] = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return seconds


def run_cob(
    engine: Engine, book: Book, business_date: date, storage: Path, probe_engine: Engine | None = None
) -> list[Timed]:
    platform = Platform(
        engine=engine,
        sessions=session_factory(engine),
        catalog=default_catalog(),
        calendar=korean_calendar(),
        vault=DataVault(VAULT_KEY),
        storage_dir=storage,
        today=lambda: business_date,
    )
    results: list[Timed] = []
    for label, day in (
        ("first run (day before)", business_date - timedelta(days=1)),
        ("daily run", business_date),
        ("rerun (idempotent)", business_date),
    ):
        if label == "daily run":
            pay_arrears(engine, book.catching_up, business_date)
            if engine.dialect.name == "postgresql":
                # A day passes between two runs: autovacuum clears the first run's dead row versions.
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE loans, installments, audit_events"))
        if label == "daily run" and probe_engine is not None:
            with BankWriteProbe(probe_engine, book.n_loans) as idle:
                time.sleep(2.0)
            before, client = server_cpu(engine), time.process_time()
            with BankWriteProbe(probe_engine, book.n_loans) as during:
                start = time.perf_counter()
                outcome = close_of_business(platform, day)
                seconds = time.perf_counter() - start
            client = time.process_time() - client
            after = server_cpu(engine)
            server = sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
            print(f"bank writes idle (baseline, same run):  {idle.summary()}")
            print(f"bank writes during the daily run:       {during.summary()}")
            print(
                f"daily run CPU: {server:.1f} s in PostgreSQL + {client:.1f} s in Python "
                f"(wall {seconds:.1f} s, load average {os.getloadavg()[0]:.1f})"
            )
            results.append(Timed(label, seconds, outcome))
            continue
        start = time.perf_counter()
        outcome = close_of_business(platform, day)
        results.append(Timed(label, time.perf_counter() - start, outcome))
    return results


def report(database: str, load_seconds: float, results: list[Timed]) -> None:
    print(f"\n== {database}: loaded in {load_seconds:.1f} s (not timed below)")
    print(f"{'':26}" + "".join(f"{step:>17}" for step in STEPS) + f"{'total':>10}")
    for timed in results:
        steps = "".join(f"{timed.outcome.timings.get(step, 0.0):>16.2f}s" for step in STEPS)
        print(f"{timed.label:26}{steps}{timed.seconds:>9.2f}s")
    for timed in results:
        print(f"  {timed.label}: {cob_summary(timed.outcome)}")


def with_postgres(
    books: Callable[[], Iterable[Book]], business_date: date, schema: str | None, load_only: bool
) -> tuple[float, Book, list[Timed]]:
    """Load the book into a fresh schema (dropped at the end), or into ``schema`` kept for a later run:
    a kept schema that already holds loans is reused as it is."""
    keep = schema is not None
    schema = schema or f"seomin_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine = make_engine(
        POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}", "application_name": APPLICATION}
    )
    probe = make_engine(
        POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}", "application_name": "bank_probe"}
    )
    try:
        upgrade(engine)
        with engine.connect() as conn:
            loaded_before = conn.execute(text("SELECT count(*) FROM loans")).scalar_one()
        start = time.perf_counter()
        book = _book_in(engine) if loaded_before else load_postgres(engine, books())
        loaded = time.perf_counter() - start
        if load_only:
            return loaded, book, []
        with tempfile.TemporaryDirectory() as storage:
            return loaded, book, run_cob(engine, book, business_date, Path(storage), probe)
    finally:
        engine.dispose()
        probe.dispose()
        if not keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _book_in(engine: Engine) -> Book:
    """The figures of a book loaded by an earlier invocation (``--schema``); no loans catch up."""
    with engine.connect() as conn:
        loans = conn.execute(text("SELECT count(*) FROM loans WHERE status <> 'subrogated'")).scalar_one()
        installments = conn.execute(text("SELECT count(*) FROM installments")).scalar_one()
    return Book({}, loans, installments, 0, [])


def with_sqlite(
    books: Callable[[], Iterable[Book]], business_date: date, schema: str | None, load_only: bool
) -> tuple[float, Book, list[Timed]]:
    (book,) = books()
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
        try:
            upgrade(engine)
            start = time.perf_counter()
            load_sqlite(engine, book)
            loaded = time.perf_counter() - start
            return loaded, book, run_cob(engine, book, business_date, Path(directory))
        finally:
            engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description="close-of-business benchmark on PostgreSQL and SQLite")
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--date", type=date.fromisoformat, default=date(2025, 6, 10))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--recourse", type=int, default=100_000, help="recourse debts (0: loans only)")
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument(
        "--slice",
        type=int,
        default=100_000,
        help="PostgreSQL: build and load the book this many loans at a time",
    )
    parser.add_argument("--schema", help="PostgreSQL: load into (or reuse) this schema and keep it")
    parser.add_argument("--load-only", action="store_true", help="PostgreSQL: load the book and stop")
    args = parser.parse_args()
    if (args.date.month, args.date.day) == (2, 29):
        parser.error("--date: choose a day other than 29 February")
    if args.loans > args.slice and args.only != "postgresql":
        parser.error("a book larger than --slice loads on PostgreSQL only (--only postgresql)")

    def books() -> Iterator[Book]:
        return book_slices(args.loans, args.date, args.seed, args.recourse, args.slice)

    runners: dict[str, Callable[..., tuple[float, Book, list[Timed]]]] = {
        "postgresql": with_postgres,
        "sqlite": with_sqlite,
    }
    daily: dict[str, float] = {}
    for database, runner in runners.items():
        if args.only and args.only != database:
            continue
        loaded, book, results = runner(books, args.date, args.schema, args.load_only)
        print(
            f"book: {book.n_loans:,} loans, {book.n_installments:,} installments, "
            f"{book.at_anniversary:,} at an anniversary on {args.date}; {book.n_recourse:,} recourse debts, "
            f"{book.n_on_plan:,} on a plan"
        )
        if not results:
            print(
                f"loaded in {loaded:.1f} s into the kept schema; run again with the same --schema to time it"
            )
            return 0
        report(database, loaded, results)
        daily[database] = results[1].seconds
        assert results[2].outcome.already_run and results[2].outcome.stats == results[1].outcome.stats

    print()
    for database, seconds in daily.items():
        print(f"{database}: daily close of business in {seconds:.2f} s")
    if "postgresql" in daily:
        target = TARGET_SECONDS_PER_MILLION * args.loans / 1_000_000
        ok = daily["postgresql"] <= target
        verdict = "met" if ok else "MISSED"
        print(f"target: PostgreSQL within {target:.1f} s (60 s for 1,000,000 loans): {verdict}")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
