"""Benchmark: vectorized portfolio schedules vs the scalar engine.

Builds 1,000,000 loans (amounts 1–10 M won, 36/60 months, some with a 12-month grace, mostly equal
installment, 햇살론15-like rates with and without step-down) with ``build_portfolio``, times the scalar
``build_schedule`` on a sample and extrapolates its per-loan time to the full portfolio, and checks that
the sampled rows are identical. Targets: portfolio within 5 s and at least 50× the scalar loop.

    .venv/bin/python bench/bench_schedules.py [--loans 1000000] [--sample 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from decimal import Decimal

import numpy as np

from seomin.adapters.calendar_data import korean_calendar
from seomin.domain.portfolio import METHODS_BY_CODE, LoanArrays, PortfolioSchedules, build_portfolio
from seomin.domain.schedule import LoanTerms, RatePolicy, Schedule, build_schedule

TARGET_SECONDS = 5.0
TARGET_SPEEDUP = 50.0


def make_portfolio(n: int, seed: int) -> LoanArrays:
    rng = np.random.default_rng(seed)
    repayment = rng.choice(np.array([36, 60]), size=n)
    # 햇살론15-like: 15.9%, yearly cut 3.0%p (36 months) or 1.5%p (60), floor 9.9%, some 0.1%p preferential.
    step = np.where(repayment == 36, 300, 150)
    return LoanArrays(
        amount=rng.integers(100, 1_001, size=n) * 10_000,  # 1,000,000 .. 10,000,000 in 10,000-won steps
        repayment_months=repayment,
        grace_months=np.where(rng.random(n) < 0.2, 12, 0),
        method=rng.choice(np.arange(3), size=n, p=[0.8, 0.15, 0.05]),
        executed_on=np.datetime64("2020-01-01") + rng.integers(0, 6 * 365, size=n),
        base_bp=np.full(n, 1590),
        step_bp=step,
        floor_bp=np.full(n, 990),
        preferential_bp=np.where(rng.random(n) < 0.3, 10, 0),
        apply_step_down=rng.random(n) < 0.7,
    )


def terms_of(loans: LoanArrays, i: int) -> LoanTerms:
    def rate(bp: np.int64) -> Decimal:
        return Decimal(int(bp)) / 100

    return LoanTerms(
        amount=int(loans.amount[i]),
        repayment_months=int(loans.repayment_months[i]),
        grace_months=int(loans.grace_months[i]),
        method=METHODS_BY_CODE[int(loans.method[i])],
        executed_on=date.fromisoformat(str(loans.executed_on[i])),
        rate_policy=RatePolicy(
            base_rate=rate(loans.base_bp[i]),
            step_down=rate(loans.step_bp[i]),
            floor=rate(loans.floor_bp[i]),
            preferential_cut=rate(loans.preferential_bp[i]),
        ),
        apply_step_down=bool(loans.apply_step_down[i]),
    )


def mismatches(schedule: Schedule, result: PortfolioSchedules, i: int) -> bool:
    rows = schedule.installments
    count = len(rows)
    if int(result.n_installments[i]) != count:
        return True
    expected = {
        "payment": [r.payment for r in rows],
        "principal": [r.principal for r in rows],
        "interest": [r.interest for r in rows],
        "balance": [r.balance for r in rows],
        "rate_bp": [int(r.annual_rate * 100) for r in rows],
    }
    for name, values in expected.items():
        if not np.array_equal(getattr(result, name)[i, :count], values):
            return True
    due = np.array([r.due_date for r in rows], dtype="datetime64[D]")
    return not np.array_equal(result.due_date[i, :count], due)


def main() -> int:
    parser = argparse.ArgumentParser(description="vectorized vs scalar schedule benchmark")
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="vectorized runs; the best is reported")
    args = parser.parse_args()

    calendar = korean_calendar()
    loans = make_portfolio(args.loans, args.seed)
    n_cells = int(loans.n_installments.sum())
    print(
        f"portfolio: {len(loans):,} loans, {n_cells:,} installments (max {int(loans.n_installments.max())})"
    )

    build_portfolio(make_portfolio(1_000, args.seed + 1), calendar)  # warm up imports and caches
    times: list[float] = []
    result: PortfolioSchedules | None = None
    for _ in range(args.repeat):
        result = None  # free the previous run's ~3 GB first
        start = time.perf_counter()
        result = build_portfolio(loans, calendar)
        times.append(time.perf_counter() - start)
    assert result is not None
    vector_s = min(times)
    out_gb = (
        sum(
            a.nbytes
            for a in (
                result.payment,
                result.principal,
                result.interest,
                result.balance,
                result.rate_bp,
                result.due_date,
            )
        )
        / 1e9
    )
    print(
        f"vectorized: {', '.join(f'{t:.2f}' for t in times)} s per run for {len(loans):,} loans; "
        f"best {vector_s:.2f} s ({vector_s / len(loans) * 1e6:.2f} µs/loan), output {out_gb:.1f} GB"
    )
    print("            (the first run in a fresh process also pays first-touch page faults on the output)")

    rng = np.random.default_rng(args.seed + 2)
    sample = np.sort(rng.choice(len(loans), size=min(args.sample, len(loans)), replace=False))
    sample_terms = [terms_of(loans, int(i)) for i in sample]
    start = time.perf_counter()
    schedules = [build_schedule(t, calendar) for t in sample_terms]
    scalar_sample_s = time.perf_counter() - start
    per_loan = scalar_sample_s / len(sample)
    scalar_full_s = per_loan * len(loans)
    print(
        f"scalar:     {scalar_sample_s:.2f} s for a sample of {len(sample):,} loans "
        f"({per_loan * 1e6:.0f} µs/loan) -> EXTRAPOLATED to {len(loans):,} loans: {scalar_full_s:.0f} s"
    )

    bad = [int(i) for i, s in zip(sample, schedules, strict=True) if mismatches(s, result, int(i))]
    speedup = scalar_full_s / vector_s
    time_ok = vector_s <= TARGET_SECONDS
    speed_ok = speedup >= TARGET_SPEEDUP
    print()
    print("summary")
    first_speedup = scalar_full_s / times[0]
    verdict = {True: "OK", False: "MISSED"}
    print(
        f"  vectorized, best of {len(times)}   {vector_s:7.2f} s   "
        f"target <= {TARGET_SECONDS:.0f} s   {verdict[time_ok]}"
    )
    print(f"  vectorized, first run   {times[0]:7.2f} s")
    print(
        f"  speed-up vs scalar      {speedup:7.0f} x   target >= {TARGET_SPEEDUP:.0f} x  {verdict[speed_ok]}"
    )
    print(f"  speed-up, first run     {first_speedup:7.0f} x   (scalar time EXTRAPOLATED from the sample)")
    print(
        f"  identical rows          {len(sample) - len(bad):,} / {len(sample):,} sampled loans   "
        f"{'OK' if not bad else 'FAILED'}"
    )
    if bad:
        print(f"  first mismatching loans: {bad[:10]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
