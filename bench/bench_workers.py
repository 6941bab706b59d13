"""Benchmark: ``seomin serve --workers N`` on PostgreSQL, throughput from 1 to 2 worker processes.

For each N in ``--workers`` (default 1 and 2) it starts the real command (``seomin serve --workers N``)
on a fresh PostgreSQL schema (migrated first by ``seomin db upgrade``), then drives it with the raw-asyncio
keep-alive load generator of ``bench_http.py``: ``GET /api/v1/health/ready`` (a database round trip and
the job table per request) and ``POST /api/v1/eligibility`` (CPU only). It prints requests/s per N and the
scaling ratio against N = 1 measured in the same run, and where the CPU went: the server's processes
(the supervisor and its workers, from /proc), the load generator (this process) and the PostgreSQL
backends, in cores busy over the run. On the 2-core reference machine the load generator itself takes a
good part of a core, so 2 workers cannot double; the CPU columns show which core was the limit.

    .venv/bin/python bench/bench_workers.py [--workers 1 2] [--seconds 8] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

from bench_http import (
    PROFILES,
    Target,
    free_port,
    get_request,
    load,
    post_request,
    server_cpu,
    wait_ready,
)
from seomin.adapters.db.engine import make_engine

POSTGRES_URL = os.environ.get(
    "SEOMIN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SEOMIN = str(Path(sys.executable).with_name("seomin"))


def _children(pid: str) -> list[str]:
    found: list[str] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += f.read().split()
    except OSError:
        pass
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its descendants (the uvicorn supervisor and its workers)."""
    pending, total = [str(pid)], 0.0
    while pending:
        current = pending.pop()
        total += server_cpu(int(current)) or 0.0
        pending += _children(current)
    return total


def postgres_cpu() -> float:
    """CPU seconds of every process named postgres on this machine (the server and its backends)."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
        except OSError:
            continue
        total += server_cpu(int(pid)) or 0.0
    return total


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
                        server, client, database = tree_cpu(proc.pid), time.process_time(), postgres_cpu()
                        result = asyncio.run(
                            load(port, target, args.requests, args.seconds, args.concurrency)
                        )
                        busy = [
                            (tree_cpu(proc.pid) - server) / result.seconds,
                            (time.process_time() - client) / result.seconds,
                            (postgres_cpu() - database) / result.seconds,
                        ]
                        rps[(n, target.name)] = result.rps
                        print(f"workers {n}  {target.name:<38} {result.line()}")
                        print(
                            f"           cores busy: server {busy[0]:.2f}, load generator {busy[1]:.2f}, "
                            f"PostgreSQL {busy[2]:.2f} (of {os.cpu_count()}); server CPU "
                            f"{busy[0] * result.seconds / result.completed * 1e6:.0f} µs/req"
                        )
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
