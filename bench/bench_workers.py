"""Benchmark: ``seomin serve --workers N`` on PostgreSQL, throughput from 1 to 2 worker processes.

For each N in ``--workers`` (default 1 and 2) it starts the real command (``seomin serve --workers N``)
on a fresh PostgreSQL schema (migrated first by ``seomin db upgrade``), then drives it with the raw-asyncio
keep-alive load generator of ``bench_http.py``: ``GET /api/v1/health/ready`` (a database round trip and
the job table per request) and ``POST /api/v1/eligibility`` (CPU only). It prints requests/s per N and the
scaling ratio against N = 1 measured in the same run. On the 2-core reference machine the load generator
itself takes a good part of a core, so 2 workers cannot double; the figure is what this machine gives.

    .venv/bin/python bench/bench_workers.py [--workers 1 2] [--seconds 8] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import text

from bench_http import PROFILES, Target, free_port, get_request, load, post_request, wait_ready
from seomin.adapters.db.engine import make_engine

POSTGRES_URL = os.environ.get(
    "SEOMIN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SEOMIN = str(Path(sys.executable).with_name("seomin"))


def targets() -> list[Target]:
    body = {"product": "lowest-credit-special", "profile": PROFILES[0], "as_of": "2025-05-01"}
    return [
        Target("GET /api/v1/health/ready (database)", [get_request("/api/v1/health/ready")]),
        Target("POST /api/v1/eligibility", [post_request("/api/v1/eligibility", body)]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description="seomin serve --workers N on PostgreSQL")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    schema = f"seomin_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    rps: dict[tuple[int, str], float] = {}
    try:
        with tempfile.TemporaryDirectory() as var:
            # libpq reads PGOPTIONS: every connection of the server works in the bench's schema.
            env = {
                **os.environ,
                "SEOMIN_DATABASE_URL": POSTGRES_URL,
                "PGOPTIONS": f"-csearch_path={schema}",
                "SEOMIN_VAR_DIR": var,
            }
            subprocess.run([SEOMIN, "db", "upgrade"], env=env, check=True, capture_output=True)
            for n in args.workers:
                port = free_port()
                command = [SEOMIN, "serve", "--port", str(port), "--workers", str(n)]
                proc = subprocess.Popen(
                    command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                try:
                    wait_ready(port, proc, timeout=60)
                    for target in targets():
                        asyncio.run(load(port, target, 300, 3.0, args.concurrency))  # warm every worker
                        result = asyncio.run(
                            load(port, target, args.requests, args.seconds, args.concurrency)
                        )
                        rps[(n, target.name)] = result.rps
                        print(f"workers {n}  {target.name:<38} {result.line()}")
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    print()
    print(f"summary ({os.cpu_count()} CPUs, the load generator on the same machine)")
    base = min(args.workers)
    for target in targets():
        for n in args.workers:
            ratio = rps[(n, target.name)] / rps[(base, target.name)]
            print(
                f"  {target.name:<38} workers {n}: {rps[(n, target.name)]:7,.0f} req/s   "
                f"{ratio:4.2f}x of {base}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
