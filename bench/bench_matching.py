"""Benchmark: 맞춤대출 for one person through the API (p50/p99), and for 1,000,000 people in batch.

1. The API: ``POST /api/v1/matching`` through the app's real HTTP stack (Starlette's TestClient, in
   process) over a migrated database (SQLite file, or PostgreSQL at 127.0.0.1:5432 ``test`` in a schema of
   its own, dropped at the end) holding outcome statistics for every product and band, so each match reads
   them, judges every policy and partner product, ranks, and writes its consented record and audit row.
   Target: p99 under 50 ms.
2. The batch: ``match_frame`` over a synthetic population (``synthetic_applicants``, prepared first; the
   preparation is timed apart). Target: 1,000,000 people in under 60 s.

    .venv/bin/python bench/bench_matching.py [--requests 2000] [--people 1000000] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, text

from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.adapters.crypto import DataVault
from seomin.adapters.db.engine import make_engine, session_factory
from seomin.adapters.db.migrate import upgrade
from seomin.adapters.db.models import MatchingOutcome
from seomin.adapters.http.app import create_app
from seomin.services.analytics.applicant_files import prepare_applicants
from seomin.services.analytics.policy import INCOME_BANDS, SCORE_BANDS
from seomin.services.analytics.synthetic import synthetic_applicants
from seomin.services.matching import ALL, default_partner_products
from seomin.services.matching.batch import match_frame
from seomin.services.platform import Platform

DAY = date(2025, 5, 1)
PROFILES = [
    {"birth_date": "1988-04-12", "annual_income": 28_000_000, "kcb_score": 640, "occupation": "employee",
     "employed_months": 12, "haessal15": "rejected", "region": "서울"},
    {"birth_date": "1979-11-02", "annual_income": 31_000_000, "kcb_score": 690, "nice_score": 730,
     "occupation": "business", "employed_months": 40, "haessal15": "using", "region": "부산"},
    {"birth_date": "1996-01-20", "annual_income": 0, "occupation": "unemployed", "region": "경기"},
]  # fmt: skip


def seed_outcomes(engine: Engine) -> None:
    rows = [
        {"product_id": v.id, "sector": ALL, "score_band": s, "income_band": i, "loans": 40,
         "amount_p25": 3_000_000, "amount_median": 5_000_000, "amount_p75": 7_000_000,
         "rate_min_bp": 990, "rate_median_bp": 1450, "rate_max_bp": 1590, "refreshed_on": DAY}
        for v in default_catalog().in_force(DAY)
        for s, i in [(ALL, ALL), *((s, i) for s in SCORE_BANDS for i in INCOME_BANDS)]
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(MatchingOutcome), rows)


POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def bench_api(kind: str, engine: Engine, requests: int) -> bool:
    upgrade(engine)
    seed_outcomes(engine)
    platform = Platform(
        engine=engine,
        sessions=session_factory(engine),
        catalog=default_catalog(),
        calendar=korean_calendar(),
        vault=DataVault(Fernet.generate_key().decode("ascii")),
        storage_dir=Path(tempfile.mkdtemp()),
        today=lambda: DAY,
    )
    times = []
    with TestClient(create_app(platform)) as client:
        for i in range(requests + 50):
            body = {"profile": PROFILES[i % len(PROFILES)], "consent": True}
            started = time.perf_counter()
            answer = client.post("/api/v1/matching", json=body)
            elapsed = time.perf_counter() - started
            assert answer.status_code == 200, answer.text
            if i >= 50:  # warm-up
                times.append(elapsed * 1000)
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    print(
        f"API {kind:10}  {requests} matches   p50 {statistics.median(times):6.2f} ms   p99 {p99:6.2f} ms   "
        f"{'OK' if p99 < 50 else 'ABOVE'} (target p99 < 50 ms)"
    )
    engine.dispose()
    return p99 < 50


def bench_batch(people: int) -> bool:
    started = time.perf_counter()
    raw = synthetic_applicants(people, seed=11)
    made = time.perf_counter()
    prepared = prepare_applicants(raw)
    ready = time.perf_counter()
    result = match_frame(default_catalog(), default_partner_products(), prepared, DAY)
    done = time.perf_counter()
    matched = result.filter(result["options"] > 0).height
    print(
        f"batch: {people:,} people ({matched:,} with an option)   generate {made - started:5.1f} s   "
        f"prepare {ready - made:5.1f} s   match {done - ready:5.1f} s   "
        f"{'OK' if done - ready < 60 else 'ABOVE'} (target match < 60 s)"
    )
    return done - ready < 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    ok = True
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            ok &= bench_api("sqlite", make_engine(f"sqlite:///{folder}/bench.db"), args.requests)
    if args.only in (None, "postgresql"):
        schema = f"seomin_bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
            ok &= bench_api("postgresql", engine, args.requests)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    ok &= bench_batch(args.people)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
