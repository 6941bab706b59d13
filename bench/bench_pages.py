"""Benchmark: how long the web pages take to answer one person, on the embedded default (SQLite).

Starts one uvicorn process on 127.0.0.1 (a free port) serving the app over a fresh SQLite database with the
demo data and seed 000's plan, its business day fixed at the demo's last day (2025-05-15), then asks each
page ``--requests`` times in a row over one keep-alive connection, as a person clicking through would:
the API's health check and the home page are the baselines measured in the same run. Pages with charts
draw them with matplotlib on every request (no cache), which is the cost this benchmark watches.
Targets (p95): 500 ms for every applicant page (people on phones, often under stress, should not wait);
2 s for the staff and management pages that draw charts or screen a population (the policy page screens
100,000 synthetic applicants twice per question).

    .venv/bin/python bench/bench_pages.py [--requests 30]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

HOST = "127.0.0.1"
APPLICANT_P95_MS = 500.0
STAFF_P95_MS = 2000.0

SERVER = """
import sys, uvicorn
from seomin.adapters.http.app import create_app
from seomin.bootstrap import platform_from_settings
from seomin.adapters.plan_files import SEED_PLAN, seed_plan
from seomin.services.demo import END, load_demo
from seomin.services.identity import ADMIN
from seomin.services.analytics.supply import import_plan

platform = platform_from_settings()
load_demo(platform)
import_plan(platform.engine, seed_plan(), source=SEED_PLAN, actor=ADMIN)
platform.today = lambda: END
app = create_app(platform)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""

CHECK_FORM = {
    "product": "lowest-credit-special", "birth_date": "1985-03-01", "region": "서울",
    "annual_income": "45,000,000", "kcb_score": "600", "nice_unknown": "on", "occupation": "employee",
    "employed_months": "12", "haessal15": "rejected", "public_record": "no", "debt_kind": "none",
}  # fmt: skip
SIMULATION = {
    "product": "lowest-credit-special",
    "amount": "500만",
    "term_months": "60",
    "grace_months": "12",
}
POLICY = {
    "product": "lowest-credit-special", "kcb_max": "700", "income_cap": "5000만", "first_time_limit": "700만",
    "population": "100000", "seed": "1", "take_up": "1", "target_eok": "50",
}  # fmt: skip


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not start within 120 s")


def timed(call: Callable[[], httpx.Response], n: int, charts: int) -> list[float]:
    """Latencies in ms of ``n`` calls after one warm-up call that must answer 200 with ``charts`` charts."""
    first = call()
    drawn = first.text.count('role="img"')
    if first.status_code != 200 or drawn != charts:
        raise SystemExit(f"{first.request.url}: {first.status_code} with {drawn} charts, expected {charts}")
    latencies = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - t0) * 1e3)
    return latencies


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    port = free_port()
    base = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "SEOMIN_VAR_DIR": var}
        env.pop("SEOMIN_DATABASE_URL", None)
        process = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env, cwd=Path(var))
        try:
            wait_until_up(base, process)
            with (
                httpx.Client(base_url=base, timeout=60) as staff,
                httpx.Client(base_url=base, timeout=60) as person,
            ):
                signed_in = staff.post(
                    "/staff/login", data={"username": "demo-supervisor", "password": "demo-supervisor-pw"}
                )
                if "seomin_staff" not in staff.cookies:
                    raise SystemExit(f"staff sign-in failed: {signed_in.status_code}")
                # name, charts expected on the page, its p95 target (None: a baseline), the request
                pages: list[tuple[str, int, float | None, Callable[[], httpx.Response]]] = [
                    ("GET /api/v1/health (baseline)", 0, None, lambda: person.get("/api/v1/health")),
                    ("GET / (home, baseline)", 0, None, lambda: person.get("/")),
                    ("GET /check (form)", 0, APPLICANT_P95_MS, lambda: person.get("/check")),
                    (
                        "POST /check (result)",
                        0,
                        APPLICANT_P95_MS,
                        lambda: person.post("/check", data=CHECK_FORM),
                    ),
                    (
                        "GET /simulate (2 charts)",
                        2,
                        APPLICANT_P95_MS,
                        lambda: person.get("/simulate", params=SIMULATION),
                    ),
                    ("GET /help", 0, APPLICANT_P95_MS, lambda: person.get("/help")),
                    ("GET /staff (queue)", 0, STAFF_P95_MS, lambda: staff.get("/staff")),
                    ("GET /staff/overview (2 charts)", 2, STAFF_P95_MS, lambda: staff.get("/staff/overview")),
                    (
                        "GET /manage 2024 (2 charts)",
                        2,
                        STAFF_P95_MS,
                        lambda: staff.get("/manage", params={"year": 2024}),
                    ),
                    (
                        "GET /manage/policy 100,000 (4 charts)",
                        4,
                        STAFF_P95_MS,
                        lambda: staff.get("/manage/policy", params=POLICY),
                    ),
                ]
                print(f"Web pages, one person, {args.requests} requests each after a warm-up (SQLite):")
                home = None
                missed = []
                for name, charts, target, call in pages:
                    latencies = timed(call, args.requests, charts)
                    median, slow = statistics.median(latencies), p95(latencies)
                    home = median if "home" in name else home
                    ratio = f"{median / home:6.1f}× home" if home else " " * 11
                    verdict = (
                        ""
                        if target is None
                        else f"target {target:,.0f} ms" + (" MISSED" if slow > target else "")
                    )
                    print(f"  {name:40s} p50 {median:7.1f} ms   p95 {slow:7.1f} ms  {ratio}   {verdict}")
                    if target is not None and slow > target:
                        missed.append(name)
        finally:
            process.terminate()
            process.wait(30)
    print("Every page meets its target." if not missed else f"Missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
