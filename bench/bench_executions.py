"""Benchmark: loan executions per second on PostgreSQL with concurrent bank clients, and their safety.

Three phases, each with ``--clients`` threads (default 32, each with its own connections) calling
``execute_loan`` in a random order:

1. throughput: ``--guarantees`` issued guarantees (default 2,000) over ``--applicants`` applicants
   (default as many: one certificate each, 1–5 M won), i.e. what banks present: certificates whose
   limits were checked when they were issued, so every call executes. Target: ≥ 500 executions/s.
2. limits: ``--limit-guarantees`` (default 2,000) over ``--limit-applicants`` (default 500): four
   certificates per person, so about half of the calls run into the per-person limit or the
   two-open-loans rule while racing the person's other executions (the rules under load; refusals cost
   a transaction too, so calls/s is the figure to compare).
3. contention: ``--contended`` fresh guarantees (default 200), each raced by ``--racers`` clients at once
   (default 8, released by a barrier), two of them with the same idempotency key (a retry racing itself).

It prints executions/s and p50/p99 latency per phase, the CPU of the client process and of its
PostgreSQL backends (read from /proc when the server runs on this machine), the refusals by code, and
the violations, which must be 0: a guarantee with two loans or two different successful answers, a
same-key pair with different answers, a guarantee executed without a loan (or the reverse), an
applicant above the 10,000,000 limit or with more than two open loans, a schedule whose principal does
not sum to the amount. Exit status 1 if any, or if the throughput phase misses its target. Bounded: each
phase stops at ``--max-seconds``.

Runs in a schema of its own on the local PostgreSQL (``seomin_bench_<random>``, dropped at the end):

    .venv/bin/python bench/bench_executions.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--clients 32] [--guarantees 2000] [--applicants 2000] [--limit-guarantees 2000]
        [--limit-applicants 500] [--contended 200] [--racers 8]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from cryptography.fernet import Fernet
from sqlalchemy import Engine, event, func, insert, select, text

from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.adapters.crypto import DataVault
from seomin.adapters.db.engine import make_engine, session_factory
from seomin.adapters.db.migrate import upgrade
from seomin.adapters.db.models import Applicant, Application, Guarantee, Installment, Loan
from seomin.services.errors import Conflict
from seomin.services.loans import execute_loan
from seomin.services.platform import Actor, ActorType, Platform

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PRODUCT, VERSION = "lowest-credit-special", "2024-04"
ISSUED_ON = date(2025, 5, 1)
EXECUTED_ON = date(2025, 5, 15)
CODE = "246810"
TARGET_PER_SECOND = 500


@dataclass(frozen=True, slots=True)
class Ticket:
    bank: str
    certificate_no: str
    guarantee_id: int


@dataclass
class Outcome:
    """What one client call returned: the loan id, a Conflict code or an unexpected error."""

    ticket: Ticket
    seconds: float
    loan_id: int | None = None
    code: str | None = None
    error: str | None = None
    answer: dict[str, Any] | None = field(default=None, repr=False)
    key: str = ""


@contextmanager
def bench_schema(url: str, pool: int) -> Iterator[Engine]:
    schema = f"seomin_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(
        url, connect_args={"options": f"-csearch_path={schema}"}, pool_size=pool, max_overflow=8
    )

    @event.listens_for(engine, "connect")
    def _backend(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            BACKENDS.add(cursor.fetchone()[0])

    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        print(f"dropped schema {schema}")


def make_platform(engine: Engine, storage: Path) -> Platform:
    return Platform(
        engine=engine,
        sessions=session_factory(engine),
        catalog=default_catalog(),
        calendar=korean_calendar(),
        vault=DataVault(Fernet.generate_key().decode("ascii")),
        storage_dir=storage,
        today=lambda: EXECUTED_ON,
    )


def prepare(
    platform: Platform, applicants: int, per_applicant: list[int], rng: random.Random
) -> list[Ticket]:
    """Applicants and issued guarantees written in bulk; ``per_applicant[i]`` guarantees for applicant i."""
    vault = platform.vault
    banks = [b.bank for b in platform.catalog.versions(PRODUCT)[-1].partner_banks] or ["kwangju"]
    run = uuid.uuid4().hex[:6]
    name, phone, profile = vault.encrypt("벤치마크"), vault.encrypt("01000000000"), vault.encrypt("{}")
    with platform.sessions.begin() as session:
        rrns = [f"850301-{run}{i:07d}" for i in range(applicants)]
        applicant_ids = list(
            session.scalars(
                insert(Applicant).returning(Applicant.id, sort_by_parameter_order=True),
                [
                    {
                        "rrn_hash": vault.lookup_hash(rrn),
                        "rrn_encrypted": name,
                        "rrn_masked": rrn[:8] + "******",
                        "name_encrypted": name,
                        "phone_encrypted": phone,
                        "phone_masked": "010-****-0000",
                        "birth_date": date(1985, 3, 1),
                    }
                    for rrn in rrns
                ],
            )
        )
        owners = [a for a, n in zip(applicant_ids, per_applicant, strict=True) for _ in range(n)]
        rng.shuffle(owners)
        terms = [
            (rng.choice([36, 60]), rng.choice([0, 0, 0, 12]), rng.randint(1, 5) * 1_000_000) for _ in owners
        ]
        application_ids = list(
            session.scalars(
                insert(Application).returning(Application.id, sort_by_parameter_order=True),
                [
                    {
                        "applicant_id": owner,
                        "product_id": PRODUCT,
                        "product_version": VERSION,
                        "requested_amount": amount,
                        "term_months": term,
                        "grace_months": grace,
                        "occupation": "employee",
                        "region": "서울",
                        "profile_encrypted": profile,
                        "status": "guaranteed",
                        "submitted_on": ISSUED_ON,
                    }
                    for owner, (term, grace, amount) in zip(owners, terms, strict=True)
                ],
            )
        )
        rows = []
        for n, (owner, application, (term, grace, amount)) in enumerate(
            zip(owners, application_ids, terms, strict=True)
        ):
            certificate_no = f"B{run}{n:07d}"
            rows.append(
                {
                    "application_id": application,
                    "applicant_id": owner,
                    "certificate_no": certificate_no,
                    "verification_code_hash": vault.lookup_hash(f"{certificate_no}:{CODE}"),
                    "product_id": PRODUCT,
                    "product_version": VERSION,
                    "amount": amount,
                    "rate_bp": 1590,
                    "term_months": term,
                    "grace_months": grace,
                    "method": "equal_installment",
                    "ratio_bp": 10_000,
                    "bank_code": rng.choice(banks),
                    "issued_on": ISSUED_ON,
                    "expires_on": ISSUED_ON + timedelta(days=30),
                    "status": "issued",
                }
            )
        ids = list(
            session.scalars(insert(Guarantee).returning(Guarantee.id, sort_by_parameter_order=True), rows)
        )
    return [Ticket(str(r["bank_code"]), str(r["certificate_no"]), g) for r, g in zip(rows, ids, strict=True)]


def call(platform: Platform, ticket: Ticket, key: str) -> Outcome:
    started = time.perf_counter()
    outcome = Outcome(ticket, 0.0, key=key)
    try:
        answer = execute_loan(
            platform, Actor(ActorType.BANK, ticket.bank), ticket.certificate_no, CODE, EXECUTED_ON, key
        )
        outcome.loan_id, outcome.answer = int(answer["loan_id"]), answer
    except Conflict as exc:
        outcome.code = exc.code
    except Exception as exc:  # reported, never hidden
        outcome.error = f"{type(exc).__name__}: {exc}"[:200]
    outcome.seconds = time.perf_counter() - started
    return outcome


BACKENDS: set[int] = set()
"""The process ids of the PostgreSQL backends serving the bench's connections (recorded on connect)."""


def backends_cpu() -> float | None:
    """CPU seconds the bench's PostgreSQL backends have used, when they run on this machine (/proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in BACKENDS:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def run_threads(n: int, target: Callable[[int], None]) -> float:
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(n)]
    started, cpu, server = time.perf_counter(), time.process_time(), backends_cpu()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    after = backends_cpu()
    on_server = (
        f", PostgreSQL backends {after - server:.1f} s" if server is not None and after is not None else ""
    )
    print(
        f"(client process CPU {time.process_time() - cpu:.1f} s{on_server} in {elapsed:.1f} s"
        f" on {os.cpu_count()} CPUs)"
    )
    return elapsed


def throughput_phase(
    platform: Platform, tickets: list[Ticket], clients: int, deadline: float
) -> tuple[list[Outcome], float]:
    queue = list(tickets)
    lock = threading.Lock()
    outcomes: list[Outcome] = []

    def client(i: int) -> None:
        while time.perf_counter() < deadline:
            with lock:
                if not queue:
                    return
                ticket = queue.pop()
            outcome = call(platform, ticket, f"t-{ticket.certificate_no}")
            with lock:
                outcomes.append(outcome)

    return outcomes, run_threads(clients, client)


def contention_phase(
    platform: Platform, tickets: list[Ticket], clients: int, racers: int, deadline: float
) -> tuple[list[Outcome], float]:
    """Groups of ``racers`` clients race on one guarantee per round; racers 0 and 1 share a key."""
    groups = max(1, clients // racers)
    barriers = [threading.Barrier(racers) for _ in range(groups)]
    stop = [False] * groups
    lock = threading.Lock()
    outcomes: list[Outcome] = []

    def client(i: int) -> None:
        group, seat = divmod(i, racers)
        if group >= groups:
            return
        for ticket in tickets[group::groups]:
            if seat == 0:
                stop[group] = time.perf_counter() >= deadline
            barriers[group].wait()  # everyone reads stop[group] after seat 0 wrote it
            if stop[group]:
                return
            key = f"c-{ticket.certificate_no}-{'shared' if seat < 2 else seat}"
            outcome = call(platform, ticket, key)
            with lock:
                outcomes.append(outcome)
            barriers[group].wait()

    return outcomes, run_threads(groups * racers, client)


def report(title: str, outcomes: list[Outcome], seconds: float) -> None:
    ok = [o for o in outcomes if o.loan_id is not None]
    distinct = {o.loan_id for o in ok}
    latencies = np.array([o.seconds for o in outcomes]) * 1000
    ok_latencies = np.array([o.seconds for o in ok]) * 1000
    codes = Counter(o.code for o in outcomes if o.code)
    errors = Counter(o.error for o in outcomes if o.error)
    print(f"\n== {title}")
    print(f"calls {len(outcomes)} in {seconds:.2f} s = {len(outcomes) / seconds:,.0f} calls/s")
    print(f"loans executed {len(distinct)} = {len(distinct) / seconds:,.0f} executions/s")
    if len(latencies):
        p50, p99 = np.percentile(latencies, [50, 99])
        print(f"latency all calls: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies.max():.1f} ms")
    if len(ok_latencies):
        p50, p99 = np.percentile(ok_latencies, [50, 99])
        print(f"latency executions: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print("refusals: " + (", ".join(f"{c} {n}" for c, n in sorted(codes.items())) or "none"))
    if errors:
        print("UNEXPECTED ERRORS: " + "; ".join(f"{n}× {e}" for e, n in errors.most_common(5)))


def violations(platform: Platform, contended: list[Outcome]) -> Counter[str]:
    found: Counter[str] = Counter()
    # Answers: per guarantee one loan; a same-key pair got the same answer.
    per_guarantee: dict[int, set[int]] = {}
    per_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for o in contended:
        if o.loan_id is not None and o.answer is not None:
            per_guarantee.setdefault(o.ticket.guarantee_id, set()).add(o.loan_id)
            per_key.setdefault((o.ticket.bank, o.key), []).append(o.answer)
    found["two successful executions of one guarantee"] = sum(len(s) > 1 for s in per_guarantee.values())
    found["same key, different answers"] = sum(any(a != v[0] for a in v) for v in per_key.values())
    with platform.sessions() as session:
        found["guarantee with two loans"] = len(
            session.execute(
                select(Loan.guarantee_id).group_by(Loan.guarantee_id).having(func.count() > 1)
            ).all()
        )
        found["executed guarantee without a loan, or a loan of an unexecuted guarantee"] = (
            session.scalar(
                select(func.count())
                .select_from(Guarantee)
                .outerjoin(Loan, Loan.guarantee_id == Guarantee.id)
                .where((Guarantee.status == "executed") != (Loan.id.is_not(None)))
            )
            or 0
        )
        per_person = session.execute(
            select(Loan.applicant_id, func.count(), func.sum(Loan.amount), func.min(Loan.amount))
            .where(Loan.status != "repaid")
            .group_by(Loan.applicant_id)
        ).all()
        found["applicant above 10,000,000"] = sum(total > 10_000_000 for _, _, total, _ in per_person)
        found["applicant with more than 2 open loans"] = sum(n > 2 for _, n, _, _ in per_person)
        found["single first loan above 5,000,000"] = sum(
            n == 1 and smallest > 5_000_000 for _, n, _, smallest in per_person
        )
        schedules = (
            select(Loan.id)
            .join(Installment, Installment.loan_id == Loan.id)
            .group_by(Loan.id, Loan.amount, Loan.term_months, Loan.grace_months)
            .having(
                (func.sum(Installment.principal_due) != Loan.amount)
                | (func.count() != Loan.term_months + Loan.grace_months)
            )
        )
        found["schedule not summing to the amount"] = len(session.execute(schedules).all())
        loans_without_rows = (
            select(func.count())
            .select_from(Loan)
            .where(~select(Installment.no).where(Installment.loan_id == Loan.id).exists())
        )
        found["loan without installments"] = session.scalar(loans_without_rows) or 0
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--guarantees", type=int, default=2_000)
    parser.add_argument("--applicants", type=int, help="default: --guarantees (one certificate each)")
    parser.add_argument("--limit-guarantees", type=int, default=2_000)
    parser.add_argument("--limit-applicants", type=int, default=500)
    parser.add_argument("--contended", type=int, default=200)
    parser.add_argument("--racers", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="per phase")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    args.applicants = args.applicants or args.guarantees
    if not (1 <= args.clients <= 256 and 1 <= args.applicants <= args.guarantees <= 100_000):
        parser.error("need 1 ≤ clients ≤ 256 and 1 ≤ applicants ≤ guarantees ≤ 100,000")
    if not 0 <= args.limit_guarantees <= 100_000 or not args.limit_applicants >= 1:
        parser.error("need 0 ≤ limit-guarantees ≤ 100,000 and 1 ≤ limit-applicants")
    if not (2 <= args.racers <= args.clients and 0 <= args.contended <= 10_000):
        parser.error("need 2 ≤ racers ≤ clients and 0 ≤ contended ≤ 10,000")
    rng = random.Random(args.seed)

    with bench_schema(args.url, args.clients + 8) as engine, tempfile.TemporaryDirectory() as storage:
        platform = make_platform(engine, Path(storage))
        started = time.perf_counter()
        tickets = prepare(platform, args.applicants, spread(args.guarantees, args.applicants), rng)
        four_each = spread(args.limit_guarantees, args.limit_applicants)
        limited = prepare(platform, args.limit_applicants, four_each, rng) if args.limit_guarantees else []
        contended = prepare(platform, args.contended, [1] * args.contended, rng) if args.contended else []
        print(
            f"prepared {len(tickets)} guarantees over {args.applicants} applicants, {len(limited)} over "
            f"{args.limit_applicants} and {len(contended)} contended ones in "
            f"{time.perf_counter() - started:.1f} s; {args.clients} clients"
        )
        rng.shuffle(tickets)
        rng.shuffle(limited)
        outcomes, seconds = throughput_phase(
            platform, tickets, args.clients, time.perf_counter() + args.max_seconds
        )
        report(f"throughput: {len(tickets)} guarantees, {args.clients} clients", outcomes, seconds)
        rate = len({o.loan_id for o in outcomes if o.loan_id is not None}) / seconds
        verdict = "OK" if rate >= TARGET_PER_SECOND else "MISSED"
        print(f"executions/s {rate:,.0f}   target >= {TARGET_PER_SECOND}   {verdict}")
        limit_outcomes, limit_seconds = throughput_phase(
            platform, limited, args.clients, time.perf_counter() + args.max_seconds
        )
        report(
            f"limits: {len(limited)} guarantees, four per person, {args.clients} clients",
            limit_outcomes,
            limit_seconds,
        )
        outcomes = [*outcomes, *limit_outcomes]
        raced, raced_seconds = contention_phase(
            platform, contended, args.clients, args.racers, time.perf_counter() + args.max_seconds
        )
        report(
            f"contention: {len(contended)} guarantees, {args.racers} racers each (2 sharing a key)",
            raced,
            raced_seconds,
        )
        executed = {o.ticket.guarantee_id for o in raced if o.loan_id is not None}
        attempted = {o.ticket.guarantee_id for o in raced}
        found = violations(platform, raced)
        found["raced guarantee left unexecuted"] = len(attempted - executed)
        total = sum(found.values())
        print(f"\nviolations: {total}")
        for what, n in found.items():
            print(f"  {what}: {n}")
        unexpected = sum(o.error is not None for o in [*outcomes, *raced])
        print(f"unexpected errors: {unexpected}")
    return 1 if total or unexpected or rate < TARGET_PER_SECOND else 0


def spread(guarantees: int, applicants: int) -> list[int]:
    """``guarantees`` shared out over ``applicants`` as evenly as possible."""
    base, extra = divmod(guarantees, applicants)
    return [base + (i < extra) for i in range(applicants)]


if __name__ == "__main__":
    sys.exit(main())
