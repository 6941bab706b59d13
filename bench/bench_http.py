"""Benchmark: the eligibility endpoint under load, against a bare FastAPI endpoint in the same server.

Starts one real uvicorn process on 127.0.0.1 (a free port) serving ``create_app()`` plus a bare
``GET /api/v1/bench/bare`` that returns a constant JSON through FastAPI's usual path (the same middleware,
matched first, so the baseline does not grow with the app's route table), then drives each endpoint
with a raw-asyncio HTTP/1.1 keep-alive load generator (bounded concurrency, bounded request count and
time), reporting throughput and p50/p99 latency. The load generator is raw sockets rather than httpx so
that it costs the client core far less than a request costs the server. Target: the eligibility endpoint
reaches at least 60% of the bare endpoint's throughput, with a p99 within 20 ms. Traffic goes to
127.0.0.1 only.

Two kinds of latency. The throughput rounds keep ``--concurrency`` requests in flight back to back, so
the server is saturated and each request queues behind the others: their latency is Little's law
(``concurrency / throughput``: 32 in flight at 2,000/s is 16 ms on average whatever the code does). The
latency target is therefore judged in an open-loop phase as well: requests sent on a fixed schedule at
``--rate`` per second (default: half the eligibility throughput just measured), each timed from when it
was due, not from when a connection was free (so queueing at the client counts too).

    .venv/bin/python bench/bench_http.py [--requests 5000] [--seconds 15] [--concurrency 32] [--rounds 3]
        [--rate 0] [--http h11|httptools]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

HOST = "127.0.0.1"
TARGET_RATIO = 0.6
TARGET_P99_MS = 20.0

PROFILES: list[dict[str, Any]] = [
    {  # eligible (햇살론15 rejected, KCB 640)
        "birth_date": "1988-04-12", "annual_income": 28_000_000, "kcb_score": 640, "nice_score": None,
        "occupation": "employee", "employed_months": 12, "haessal15": "rejected", "region": "서울",
    },
    {  # ineligible on credit and tenure, with a requested bank
        "birth_date": "1979-11-02", "annual_income": 31_000_000, "kcb_score": 690, "nice_score": 730,
        "occupation": "employee", "employed_months": 2, "haessal15": "using", "region": "부산",
        "requested_bank": "db-sb",
    },
]  # fmt: skip


def bench_app() -> Any:
    """The real app plus a constant-JSON endpoint: both behind the same middleware and error handlers."""
    from seomin.adapters.http.app import create_app

    app = create_app()

    @app.get("/api/v1/bench/bare")
    async def bare() -> dict[str, str]:
        return {"status": "ok"}

    app.router.routes.insert(0, app.router.routes.pop())  # matched first: the framework's floor

    return app


def serve(port: int, http: str) -> None:
    import uvicorn

    uvicorn.run(bench_app(), host=HOST, port=port, log_level="warning", access_log=False, http=http)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Target:
    name: str
    requests: list[bytes]  # cycled


def get_request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: application/json\r\n\r\n".encode()


def post_request(path: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body, ensure_ascii=False).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


@dataclass
class Result:
    name: str
    completed: int
    seconds: float
    latencies: list[float]
    errors: int
    server_cpu_us: float | None = None

    @property
    def rps(self) -> float:
        return self.completed / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3

    def line(self) -> str:
        cpu = f"   server CPU {self.server_cpu_us:4.0f} µs/req" if self.server_cpu_us is not None else ""
        return (
            f"{self.rps:7,.0f} req/s   p50 {self.pct(0.50):6.2f} ms   p99 {self.pct(0.99):6.2f} ms{cpu}   "
            f"({self.completed:,} in {self.seconds:.1f} s, {self.errors} non-200)"
        )


async def load(port: int, target: Target, total: int, seconds: float, concurrency: int) -> Result:
    """``concurrency`` keep-alive connections issue requests back to back until ``total`` or ``seconds``."""
    issued = 0
    errors = 0
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal issued, errors
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while issued < total and time.perf_counter() < deadline:
                request = target.requests[issued % len(target.requests)]
                issued += 1
                t0 = time.perf_counter()
                writer.write(request)
                status = await read_response(reader)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(target.name, len(latencies), time.perf_counter() - start, latencies, errors)


async def paced(port: int, target: Target, rate: float, seconds: float, connections: int = 64) -> Result:
    """Open loop: request i is due at ``start + i / rate``; its latency runs from then to its answer."""
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection(HOST, port))
    latencies: list[float] = []
    errors = 0

    async def one(request: bytes, due: float) -> None:
        nonlocal errors
        reader, writer = await pool.get()
        try:
            writer.write(request)
            status = await read_response(reader)
        finally:
            pool.put_nowait((reader, writer))
        latencies.append(time.perf_counter() - due)
        if status != 200:
            errors += 1

    start = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(target.requests[i % len(target.requests)], due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait()[1].close()
    return Result(f"{target.name} at {rate:,.0f}/s", len(latencies), elapsed, latencies, errors)


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5) as s:
                s.sendall(get_request("/api/v1/health"))
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not become ready")


def main() -> int:
    parser = argparse.ArgumentParser(description="HTTP eligibility endpoint vs a bare endpoint")
    parser.add_argument("--requests", type=int, default=5_000, help="per endpoint and round")
    parser.add_argument("--seconds", type=float, default=15.0, help="time cap per endpoint and round")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (bare, eligibility, ...)")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="open-loop requests per second for the latency phase (0: half the measured eligibility rate)",
    )
    parser.add_argument(
        "--http",
        choices=("h11", "httptools"),
        default="h11",
        help="uvicorn's HTTP parser (h11: the baseline the target was set on; httptools: production's)",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # internal: run the server
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.http)
        return 0

    port = free_port()
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--http", args.http], env=env)
    try:
        wait_ready(port, proc)
        targets = [
            Target("bare GET /api/v1/bench/bare", [get_request("/api/v1/bench/bare")]),
            Target(
                "POST /api/v1/eligibility",
                [
                    post_request(
                        "/api/v1/eligibility",
                        {"product": "lowest-credit-special", "profile": p, "as_of": "2025-05-01"},
                    )
                    for p in PROFILES
                ],
            ),
            Target(
                "POST /api/v1/simulations",
                [
                    post_request(
                        "/api/v1/simulations",
                        {
                            "product": "lowest-credit-special",
                            "amount": 5_000_000,
                            "term_months": 60,
                            "grace_months": 12,
                            "start": "2025-05-01",
                        },
                    )
                ],
            ),
        ]
        print(
            f"server: uvicorn ({args.http}), 1 process, 127.0.0.1:{port}; load: raw asyncio, "
            f"{args.concurrency} keep-alive connections, up to {args.requests:,} requests or "
            f"{args.seconds:.0f} s per run; "
            f"{args.rounds} alternating round(s); {os.cpu_count()} CPUs"
        )
        for t in targets:  # warm every path up (imports, caches, first-call costs)
            asyncio.run(load(port, t, 500, 5.0, args.concurrency))
        runs: dict[str, list[Result]] = {t.name: [] for t in targets}
        for r in range(args.rounds):
            for t in targets:
                before = server_cpu(proc.pid)
                res = asyncio.run(load(port, t, args.requests, args.seconds, args.concurrency))
                after = server_cpu(proc.pid)
                if before is not None and after is not None:
                    res.server_cpu_us = (after - before) / res.completed * 1e6
                runs[t.name].append(res)
                print(f"  round {r + 1}  {t.name:<26} {res.line()}")
        best_eligibility = max(runs[targets[1].name], key=lambda x: x.rps).rps
        rate = args.rate or best_eligibility / 2
        open_loop = asyncio.run(paced(port, targets[1], rate, min(args.seconds, 10.0)))
        print(f"  open loop  {open_loop.name:<26} {open_loop.line()}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    bare_runs, elig_runs, sim_runs = (runs[t.name] for t in targets)
    # Paired per round: bare and eligibility ran back to back, so a noisy neighbour hits both alike.
    ratios = [e.rps / b.rps for b, e in zip(bare_runs, elig_runs, strict=True)]
    sim_ratios = [s.rps / b.rps for b, s in zip(bare_runs, sim_runs, strict=True)]
    ratio = statistics.median(ratios)
    print()
    print("summary (best round per endpoint; ratios are the median of the per-round ratios)")
    for name, results in runs.items():
        print(f"  {name:<26} {max(results, key=lambda x: x.rps).line()}")
    verdict = "OK" if ratio >= TARGET_RATIO else "MISSED"
    print(
        f"  eligibility / bare throughput  {ratio:6.1%}   target >= {TARGET_RATIO:.0%}   {verdict}   "
        f"(rounds: {', '.join(f'{x:.1%}' for x in ratios)})"
    )
    p99 = min(e.pct(0.99) for e in elig_runs)
    print(
        f"  eligibility p99 saturated      {p99:6.1f} ms   (best round; {args.concurrency} in flight: "
        f"Little's law alone gives {args.concurrency / max(e.rps for e in elig_runs) * 1e3:.1f} ms average)"
    )
    open_p99 = open_loop.pct(0.99)
    p99_ok = open_p99 <= TARGET_P99_MS
    print(
        f"  eligibility p99 open loop      {open_p99:6.1f} ms   at {rate:,.0f} req/s   "
        f"target <= {TARGET_P99_MS:.0f} ms   {'OK' if p99_ok else 'MISSED'}"
    )
    print(f"  simulations / bare throughput  {statistics.median(sim_ratios):6.1%}")
    cpu = [(b.server_cpu_us, e.server_cpu_us) for b, e in zip(bare_runs, elig_runs, strict=True)]
    if all(b is not None and e is not None for b, e in cpu):
        cpu_ratio = statistics.median(b / e for b, e in cpu if b is not None and e is not None)
        print(f"  server CPU per request, bare / eligibility  {cpu_ratio:6.1%}   (same ratio, less noisy)")
    failed = sum(r.errors for results in runs.values() for r in results) + open_loop.errors
    if failed:
        print(f"  {failed} responses were not 200: FAILED")
    return 1 if failed or ratio < TARGET_RATIO or not p99_ok else 0


def server_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) the server process has used, from /proc (Linux); None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main())
