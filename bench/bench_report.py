"""Benchmark: the supply report (seed 000's plan-vs-actual table) over 1,000,000 executed loans.

Builds a SQLite database (the embedded default) in a temporary folder, migrates it, imports seed 000's
plan table for the plan years and bulk-loads 1,000,000 executed loans spread over a year, products and
lenders (loading is not timed; foreign keys are off for the load only, as the loans here have no
applications behind them). Then times ``supply_report`` end to end: the set-based aggregation in the
database, the mapping to plan lines, subtotals and the run-rate projection. Target: under 10 s.

    .venv/bin/python bench/bench_report.py [--loans 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from seomin.adapters.db.engine import make_engine
from seomin.adapters.db.migrate import upgrade
from seomin.adapters.plan_files import read_plan_csv
from seomin.services.analytics.supply import import_plan, supply_report

TARGET_SECONDS = 10.0
PLAN = Path(__file__).resolve().parents[1] / "tests" / "data" / "supply_plan_2020_2021.csv"
PRODUCTS = [
    ("worker-haessal", "kwangju"),
    ("haessal-youth", "jeonbuk"),
    ("haessal-15", "kwangju"),
    ("lowest-credit-special", "sbi-sb"),
    ("miso", "miso-foundations"),
    ("miso", "miso-operators"),
]


def load_loans(url: str, n: int, seed: int, year: int) -> float:
    rng = np.random.default_rng(seed)
    kinds = rng.choice(len(PRODUCTS), size=n, p=[0.5, 0.05, 0.2, 0.1, 0.1, 0.05])
    amounts = rng.integers(100, 2_001, size=n) * 10_000
    days = rng.integers(0, 365, size=n)
    start = date(year, 1, 1)
    rows = [
        (
            i + 1, i + 1, PRODUCTS[k][1], PRODUCTS[k][0], int(a), int(a),
            (start + timedelta(days=int(d))).isoformat(), 60, 0, 1590, 1590, 150, 990, 0, "active", 0,
            "2021-01-01 00:00:00",
        )
        for i, (k, a, d) in enumerate(zip(kinds.tolist(), amounts.tolist(), days.tolist(), strict=True))
    ]  # fmt: skip
    engine = make_engine(url)
    began = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("BEGIN")
        cursor.executemany(
            "INSERT INTO loans (id, guarantee_id, bank_code, product_id, amount, principal_balance,"
            " executed_on, term_months, grace_months, base_rate_bp, current_rate_bp, step_bp, floor_bp,"
            " preferential_bp,"
            " status, days_past_due, created_at, applicant_id) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            rows,
        )
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
    finally:
        raw.close()
        engine.dispose()
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    year = 2021
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'report.db'}"
        engine = make_engine(url)
        upgrade(engine)
        import_plan(engine, read_plan_csv(PLAN), source=PLAN.name)
        loaded = load_loans(url, args.loans, args.seed, year)
        print(
            f"book: {args.loans:,} executed loans in {year} on SQLite, loaded in {loaded:.1f} s (not timed)"
        )
        timings = []
        report = None
        for _ in range(3):
            began = time.perf_counter()
            report = supply_report(engine, year, date(year, 12, 31))
            timings.append(time.perf_counter() - began)
        engine.dispose()
    assert report is not None and report.actual is not None
    total_eok = sum(report.actual.by_line.values())
    print(f"report: {', '.join(f'{t:.2f}' for t in timings)} s per run; {len(report.rows)} rows; "
          f"actual supply {total_eok:,.2f}억 원")  # fmt: skip
    best = min(timings)
    verdict = "OK" if timings[0] <= TARGET_SECONDS else "MISSED"
    print(
        f"\nsummary\n  supply report, first run  {timings[0]:.2f} s"
        f"   target <= {TARGET_SECONDS:.0f} s   {verdict}"
    )
    print(f"  supply report, best of 3  {best:.2f} s")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    raise SystemExit(main())
