"""Benchmark: vectorized portfolio schedules vs the scalar engine.

Builds 1,000,000 loans (amounts 1–10 M won, 36/60 months, some with a 12-month grace, mostly equal
installment, 햇살론15-like rates with and without step-down) with ``build_portfolio``, times the scalar
``build_schedule`` on a sample and extrapolates its per-loan time to the full portfolio, and checks that
the sampled rows are identical. Targets: portfolio within 5 s (best and first run in the process), and
the scalar engine within 60 µs per 60-installment loan, printed against a baseline measured in the same
run: the same arithmetic as a bare integer loop (no dates, no rows, no Decimal), the floor of pure Python.

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
TARGET_SCALAR_US = 60.0


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


def bare_integer_loop(t: LoanTerms) -> int:
    """The baseline: one equal-installment loan's interest and principal as a plain float/int loop, at
    the contract rate, with no due dates, no rows kept and no exact fallback."""
    bp = t.rate_policy.base_bp
    balance, n = t.amount, t.n_installments
    r = bp / 120_000
    level = round(balance * r / (1 - (1 + r) ** -n)) if bp else balance // n
    total = 0
    for _ in range(n - 1):
        interest = balance * bp // 120_000
        principal = min(level - interest, balance)
        balance -= principal
        total += interest
    return total + balance


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
    print("            (the first run in a fresh process also takes the output's memory from the kernel)")

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

    sixty = [t for t in sample_terms if t.n_installments == 60]
    scalar_60 = []
    bare_60 = []
    for _ in range(3):  # interleaved, best of 3: a noisy neighbour hits both alike
        start = time.perf_counter()
        for t in sixty:
            build_schedule(t, calendar)
        scalar_60.append((time.perf_counter() - start) / len(sixty) * 1e6)
        start = time.perf_counter()
        for t in sixty:
            bare_integer_loop(t)
        bare_60.append((time.perf_counter() - start) / len(sixty) * 1e6)
    scalar_us, bare_us = min(scalar_60), min(bare_60)
    print(
        f"scalar, 60-installment loans ({len(sixty):,}): {scalar_us:.1f} µs/loan best of 3 "
        f"({', '.join(f'{x:.1f}' for x in scalar_60)}); bare integer loop {bare_us:.1f} µs/loan: "
        f"{scalar_us / bare_us:.1f}x the bare loop"
    )

    bad = [int(i) for i, s in zip(sample, schedules, strict=True) if mismatches(s, result, int(i))]
    speedup = scalar_full_s / vector_s
    time_ok = vector_s <= TARGET_SECONDS and times[0] <= TARGET_SECONDS
    scalar_ok = scalar_us <= TARGET_SCALAR_US
    print()
    print("summary")
    first_speedup = scalar_full_s / times[0]
    verdict = {True: "OK", False: "MISSED"}
    print(
        f"  vectorized, best of {len(times)}   {vector_s:7.2f} s   "
        f"target <= {TARGET_SECONDS:.0f} s   {verdict[time_ok]}"
    )
    first_ok = times[0] <= TARGET_SECONDS
    print(
        f"  vectorized, first run   {times[0]:7.2f} s   target <= {TARGET_SECONDS:.0f} s   "
        f"{verdict[first_ok]}"
    )
    print(
        f"  scalar, 60 installments {scalar_us:7.1f} µs  target <= {TARGET_SCALAR_US:.0f} µs  "
        f"{verdict[scalar_ok]}   ({scalar_us / bare_us:.1f}x a bare integer loop)"
    )
    print(f"  speed-up vs scalar      {speedup:7.0f} x")
    print(f"  speed-up, first run     {first_speedup:7.0f} x   (scalar time EXTRAPOLATED from the sample)")
    print(
        f"  identical rows          {len(sample) - len(bad):,} / {len(sample):,} sampled loans   "
        f"{'OK' if not bad else 'FAILED'}"
    )
    if bad:
        print(f"  first mismatching loans: {bad[:10]}")
    return 1 if bad or not (time_ok and scalar_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
