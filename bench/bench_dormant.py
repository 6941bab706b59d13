"""Benchmark: 휴면예금 look-ups among many dormant rows and the import of an institution's file, on
PostgreSQL and on SQLite.

The holdings (not timed): ``--rows`` dormant deposits (default 1,000,000) of ``--rows / 3`` people, loaded
in bulk (COPY on PostgreSQL, executemany on SQLite) with their keyed resident-number hashes, and analyzed.
The encrypted resident number is one placeholder token: the look-up never decrypts it.

Timed, per database:
- the look-up a verified person makes (``my_dormant_deposits``: the applicant row, then every deposit
  held under their hash, with interest to today), ``--lookups`` times for random holders: p50, p99 and
  look-ups a second, against a baseline in the same run: fetching one deposit by primary key through the
  same session machinery (the floor any look-up pays). Target: p99 under 50 ms on PostgreSQL.
- the import of one institution file of ``--file-rows`` new rows (default 100,000) through ``import_file``
  (validation, hashing and encryption of every row, bulk insert, the ledger entry), and its re-upload (all
  rows already held). Reported in rows a second.

PostgreSQL: 127.0.0.1:5432, database ``test``, in a schema ``seomin_bench_<random>`` dropped at the end.

    .venv/bin/python bench/bench_dormant.py [--rows 1000000] [--file-rows 100000] [--lookups 500]
        [--only postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import Engine, text

from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.adapters.crypto import DataVault
from seomin.adapters.db.engine import make_engine, session_factory
from seomin.adapters.db.migrate import upgrade
from seomin.adapters.db.models import Applicant, DormantDeposit
from seomin.services.dormant_deposits import FILE_COLUMNS, import_file, my_dormant_deposits
from seomin.services.platform import SYSTEM, Actor, ActorType, Platform

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TODAY = date(2025, 5, 15)
TARGET_P99_MS = 50.0
SECTORS = ("bank", "insurance", "savings_bank", "credit_union", "securities")
PRODUCTS = ("보통예금", "저축예금", "정기예금", "저축보험", "연금보험")


def resident_number(n: int) -> str:
    """A valid, distinct resident number for person ``n`` (birth date and serial from ``n``)."""
    born = date(1940, 1, 1) + timedelta(days=n % 25_000)
    century = "1" if born.year < 2000 else "3"
    return f"{born:%y%m%d}-{century}{n // 25_000 % 1_000_000:06d}"


def platform_on(engine: Engine, storage: Path) -> Platform:
    return Platform(
        engine=engine,
        sessions=session_factory(engine),
        catalog=default_catalog(),
        calendar=korean_calendar(),
        vault=DataVault(Fernet.generate_key().decode("ascii")),
        storage_dir=storage,
        today=lambda: TODAY,
    )


def holdings(platform: Platform, rows: int) -> Iterator[tuple[object, ...]]:
    """The dormant rows: three per person on average, spread over sectors, products and years."""
    rng = random.Random(13)
    people = max(1, rows // 3)
    hashes: dict[int, str] = {}
    placeholder = platform.vault.encrypt("000000-0000000")
    for i in range(rows):
        person = rng.randrange(people)
        digest = hashes.get(person)
        if digest is None:
            digest = hashes[person] = platform.vault.lookup_hash(resident_number(person))
        yield (
            f"inst{i % 40:02d}",
            SECTORS[i % 5],
            f"H-{i}",
            digest,
            placeholder,
            PRODUCTS[i % 5],
            rng.randrange(1_000, 5_000_000),
            rng.choice((0, 10, 50, 100)),
            (TODAY - timedelta(days=rng.randrange(30, 3_650))).isoformat(),
            "held",
            "2025-01-01 00:00:00+00",
        )


COLUMNS = (
    "institution_code, sector, source_ref, holder_rrn_hash, holder_rrn_encrypted, product, amount, rate_bp, "
    "contributed_on, status, created_at"
)


def load(platform: Platform, rows: int) -> None:
    engine = platform.engine
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            with (
                driver.cursor() as cursor,
                cursor.copy(f"COPY dormant_deposits ({COLUMNS}) FROM STDIN") as copy,
            ):
                buffer = io.StringIO()
                for n, row in enumerate(holdings(platform, rows), start=1):
                    buffer.write("\t".join(str(v) for v in row) + "\n")
                    if n % 200_000 == 0:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
            driver.commit()
        finally:
            raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE dormant_deposits"))
        return
    statement = f"INSERT INTO dormant_deposits ({COLUMNS}) VALUES ({', '.join('?' * 11)})"
    batch: list[tuple[object, ...]] = []
    with engine.begin() as conn:
        for row in holdings(platform, rows):
            batch.append(row)
            if len(batch) == 200_000:
                conn.exec_driver_sql(statement, batch)
                batch = []
        if batch:
            conn.exec_driver_sql(statement, batch)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")


def people_to_look_up(platform: Platform, rows: int, count: int) -> list[Actor]:
    """Verified applicants for ``count`` random holders (their records, as a verification makes)."""
    rng = random.Random(29)
    chosen = rng.sample(range(max(1, rows // 3)), min(count, max(1, rows // 3)))
    with platform.sessions.begin() as session:
        made = []
        for person in chosen:
            rrn = resident_number(person)
            applicant = Applicant(
                rrn_hash=platform.vault.lookup_hash(rrn),
                rrn_encrypted=platform.vault.encrypt(rrn),
                rrn_masked=rrn[:8] + "******",
                name_encrypted=platform.vault.encrypt("홍길동"),
                phone_encrypted=platform.vault.encrypt("01012345678"),
                phone_masked="010-****-5678",
                birth_date=date(1980, 1, 1),
            )
            session.add(applicant)
            made.append(applicant)
        session.flush()
        return [Actor(ActorType.APPLICANT, str(a.id)) for a in made]


@dataclass(frozen=True, slots=True)
class Latency:
    p50_ms: float
    p99_ms: float
    per_second: float


def timed(calls: list[Callable[[], object]]) -> Latency:
    calls[0]()  # warm the connection pool and the statement caches
    times = []
    start = time.perf_counter()
    for call in calls:
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    elapsed = time.perf_counter() - start
    times.sort()
    return Latency(statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)], len(times) / elapsed)


def run(platform: Platform, label: str, args: argparse.Namespace) -> bool:
    started = time.perf_counter()
    load(platform, args.rows)
    loaded = time.perf_counter() - started
    people = people_to_look_up(platform, args.rows, args.lookups)
    lookups = [lambda p=p: my_dormant_deposits(platform, p) for p in people]
    found = sum(len(my_dormant_deposits(platform, p)) for p in people[:50])

    def by_id(n: int) -> object:
        with platform.sessions() as session:
            return session.get(DormantDeposit, n)

    rng = random.Random(31)
    ids = [rng.randrange(1, args.rows + 1) for _ in people]
    baseline = timed([lambda n=n: by_id(n) for n in ids])
    look_up = timed(lookups)
    file_rows = [
        f"F-{i},{resident_number(10_000_000 + i)},보통예금,{1_000 + i % 9_000},100,2024-05-15"
        for i in range(args.file_rows)
    ]
    content = "\n".join((",".join(FILE_COLUMNS), *file_rows))
    total = sum(1_000 + i % 9_000 for i in range(args.file_rows))
    began = time.perf_counter()
    report = import_file(platform, SYSTEM, "bench-bank", "bank", content, total)
    imported = time.perf_counter() - began
    began = time.perf_counter()
    again = import_file(platform, SYSTEM, "bench-bank", "bank", content, total)
    reimported = time.perf_counter() - began
    assert report.added == args.file_rows and again.already_held == args.file_rows
    ok = look_up.p99_ms <= TARGET_P99_MS or label != "postgresql"
    print(
        f"== {label}: {args.rows:,} dormant rows loaded in {loaded:.1f} s ({found / 50:.1f} found a look-up)"
    )
    print(
        f"  baseline, one deposit by id:  p50 {baseline.p50_ms:6.2f} ms  p99 {baseline.p99_ms:6.2f} ms  "
        f"{baseline.per_second:8.0f}/s"
    )
    print(
        f"  look-up of a verified person: p50 {look_up.p50_ms:6.2f} ms  p99 {look_up.p99_ms:6.2f} ms  "
        f"{look_up.per_second:8.0f}/s  (p50 x{look_up.p50_ms / baseline.p50_ms:.1f} the baseline)"
        + (
            f"  target p99 <= {TARGET_P99_MS:.0f} ms {'OK' if ok else 'SLOW'}"
            if label == "postgresql"
            else ""
        )
    )
    print(
        f"  import of {args.file_rows:,} new rows: {imported:.1f} s "
        f"({args.file_rows / imported:,.0f} rows/s); "
        f"re-upload, all held: {reimported:.1f} s ({args.file_rows / reimported:,.0f} rows/s)"
    )
    return ok


@contextmanager
def postgres() -> Iterator[Engine]:
    schema = f"seomin_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def sqlite(directory: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{directory / 'bench.db'}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description="dormant-deposit look-ups and imports")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file-rows", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--only", choices=("postgresql", "sqlite"))
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "postgresql"):
            with postgres() as engine:
                ok &= run(platform_on(engine, Path(tmp)), "postgresql", args)
        if args.only in (None, "sqlite"):
            with sqlite(Path(tmp)) as engine:
                ok &= run(platform_on(engine, Path(tmp)), "sqlite", args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
