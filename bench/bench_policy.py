"""Benchmark: a policy simulation over 1,000,000 synthetic applicants, current vs proposed terms.

Times ``synthetic_applicants`` (generation) and ``simulate_policy`` (validating the population once,
screening it with both versions, segments and supply) separately; target: each within 10 s. The proposed
terms are management's example: KCB cutoff 675 -> 700, income cap 5,000만, first-time limit 700만.

    .venv/bin/python bench/bench_policy.py [--applicants 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from decimal import Decimal

from seomin.adapters.catalog_files import default_catalog
from seomin.services.analytics import synthetic_applicants
from seomin.services.analytics.policy import PolicyChanges, simulate_policy

TARGET_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description="policy simulation over synthetic applicants")
    parser.add_argument("--applicants", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--product", default="lowest-credit-special")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2025, 5, 1))
    parser.add_argument("--target-eok", type=Decimal, default=Decimal("1500"))
    args = parser.parse_args()

    current = default_catalog().get(args.product, args.as_of)
    changes = PolicyChanges(kcb_max=700, income_cap=50_000_000, first_time_limit=7_000_000)

    start = time.perf_counter()
    population = synthetic_applicants(args.applicants, args.seed)
    generated_s = time.perf_counter() - start

    start = time.perf_counter()
    result = simulate_policy(current, changes, population, args.as_of, target_eok=args.target_eok)
    simulated_s = time.perf_counter() - start

    print(f"product:    {current.id}@{current.version} on {args.as_of.isoformat()} ({os.cpu_count()} CPUs)")
    print(f"changes:    {', '.join(f'{k} {a:,} -> {b:,}' for k, (a, b) in result.changes.items())}")
    print(f"generation: {population.height:,} synthetic applicants in {generated_s:.2f} s")
    print(f"simulation: current vs proposed in {simulated_s:.2f} s ({len(result.segments)} segment rows)")
    for name, outcome in (("current", result.current), ("proposed", result.proposed)):
        print(
            f"  {name:<9} eligible {outcome.eligible:>9,}  supply {outcome.supply_eok:>12,.2f} 억 원  "
            f"gap to {args.target_eok:,} 억 {outcome.gap_eok:>+12,.2f}"
        )
    ok = generated_s <= TARGET_SECONDS and simulated_s <= TARGET_SECONDS
    print(f"target:     each within {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
