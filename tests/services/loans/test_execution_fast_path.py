"""The Core execution path against the ORM path it replaced (``execution_reference``), on both databases:
the same answers and refusals in the same order of checks, and the same loan, installment, guarantee,
audit, idempotency and attempt-counter rows (ids, certificate numbers, banks and instants aside)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text, update

from builders import make_applicant, make_guarantee
from seomin.adapters.db.models import Guarantee
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound, TooManyAttempts
from seomin.services.loans import execute_loan
from seomin.services.loans import execution as loan_execution
from seomin.services.platform import Actor, ActorType, Platform
from services.loans import execution_reference

CODE = "123456"
TODAY = date(2025, 5, 15)
Execute = Callable[[Platform, Actor, str, str, date, str], dict[str, Any]]


class World:
    """One run of the scenario by one bank; ``names`` maps its ids to the symbols both runs share."""

    def __init__(self, platform: Platform, bank_code: str) -> None:
        self.platform, self.bank = platform, Actor(ActorType.BANK, bank_code)
        self.names: dict[str, str] = {bank_code: "BANK"}
        self.ids: dict[str, dict[str, str]] = {"loan": {}, "guarantee": {}}

    def guarantee(self, name: str, applicant: int, **kwargs: Any) -> str:
        fields = {k: kwargs.pop(k) for k in ("method", "preferential_bp", "floor_bp") if k in kwargs}
        guarantee_id, certificate_no = make_guarantee(
            self.platform, applicant, bank_code=self.bank.id, **kwargs
        )
        if fields:
            with self.platform.sessions.begin() as session:
                session.execute(update(Guarantee).where(Guarantee.id == guarantee_id).values(**fields))
        self.names[certificate_no], self.ids["guarantee"][str(guarantee_id)] = name, f"{name}.id"
        return certificate_no

    def normal(self, value: Any, key: str | None = None) -> Any:
        """``value`` with this world's ids (under an id's key) and names (in any text) as symbols."""
        if isinstance(value, dict):
            return {k: self.normal(v, k) for k, v in value.items()}
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):  # a JSON pair
            return (value[0], self.normal(value[1], value[0]))
        if isinstance(value, list):
            return [self.normal(v, key) for v in value]
        if key in IDS and isinstance(value, int | str):
            return self.ids[IDS[key]].get(str(value), value)
        if isinstance(value, str):
            for real, name in self.names.items():
                value = value.replace(real, name)
        return value


IDS = {"id": "loan", "loan_id": "loan", "guarantee_id": "guarantee"}
"""Where an id stands in a row or an answer, and what it is the id of."""


def scenario(world: World, execute: Execute) -> list[Any]:
    platform, bank = world.platform, world.bank
    one, two, three = (make_applicant(platform) for _ in range(3))
    g1 = world.guarantee("G1", one)
    g2 = world.guarantee("G2", one, term_months=36, grace_months=12, method="equal_principal")
    g3 = world.guarantee("G3", one, amount=1_000_000, method="bullet", term_months=12)
    g4 = world.guarantee("G4", two, amount=6_000_000)
    g5 = world.guarantee("G5", two, term_months=24, rate_bp=1490, preferential_bp=10, floor_bp=980)
    g6 = world.guarantee("G6", three, amount=3_000_000, term_months=1)
    calls: list[tuple[str, str, date, str]] = [
        (g1, CODE, TODAY, "k-1"),
        (g1, CODE, TODAY, "k-1"),  # a retry: the stored answer
        (g1, CODE, date(2025, 5, 14), "k-1"),  # the key for another request
        (g1, CODE, TODAY, "k-2"),  # already executed
        (g2, "000000", TODAY, "k-3"),  # a wrong code: counted and audited
        ("G-NO-SUCH", CODE, TODAY, "k-3"),
        (g2, CODE, date(2025, 4, 30), "k-3"),  # before the certificate was issued
        (g2, CODE, TODAY, "k-3"),
        (g3, CODE, TODAY, "k-4"),  # a third open loan
        (g4, CODE, TODAY, "k-5"),  # a first loan above 5,000,000
        (g5, CODE, date(2025, 5, 2), "k-6"),
        *((g6, f"99999{n}", TODAY, f"k-7{n}") for n in range(5)),  # the fifth locks the certificate
        (g6, CODE, TODAY, "k-8"),  # locked out, even with the right code
    ]
    outcomes: list[Any] = []
    for certificate_no, code, day, key in calls:
        try:
            answer = execute(platform, bank, certificate_no, code, day, key)
        except (Conflict, Forbidden, InputError, NotFound, TooManyAttempts) as exc:
            outcomes.append((type(exc).__name__, getattr(exc, "code", None), world.normal(str(exc))))
        else:
            loans = world.ids["loan"]
            loans.setdefault(str(answer["loan_id"]), f"L{len(loans)}")
            outcomes.append(world.normal(answer))
    return outcomes


def ordered_json(raw: str | None) -> Any:
    """A stored JSON text with its keys in their stored order (what a reader iterating it sees)."""
    return None if raw is None else json.loads(raw, object_pairs_hook=list)


def rows(world: World) -> dict[str, Any]:
    """Everything the scenario wrote for ``world``'s bank, normalized."""
    bank = {"b": world.bank.id}
    found: dict[str, Any] = {}
    with world.platform.engine.connect() as conn:
        loans = [
            dict(r._mapping)
            for r in conn.execute(text("SELECT * FROM loans WHERE bank_code = :b ORDER BY id"), bank)
        ]
        found["loans"] = [
            world.normal({k: v for k, v in loan.items() if k not in ("created_at", "applicant_id")})
            for loan in loans
        ]
        found["installments"] = [
            [
                tuple(row)
                for row in conn.execute(
                    text(
                        "SELECT no, due_date, rate_bp, principal_due, interest_due, principal_paid,"
                        " interest_paid, paid_on FROM installments WHERE loan_id = :l ORDER BY no"
                    ),
                    {"l": loan["id"]},
                )
            ]
            for loan in loans
        ]
        found["guarantees"] = sorted(
            world.normal(f"{row.certificate_no} {row.status}")
            for row in conn.execute(
                text("SELECT certificate_no, status FROM guarantees WHERE bank_code = :b"), bank
            )
        )
        found["audits"] = [
            world.normal(
                {
                    **{k: v for k, v in row._mapping.items() if k not in ("b", "a", "entity_id")},
                    "entity_id": world.ids.get(row.entity_type, world.names).get(
                        row.entity_id, row.entity_id
                    ),
                    "before": ordered_json(row.b),
                    "after": ordered_json(row.a),
                }
            )
            for row in conn.execute(
                text(
                    "SELECT actor_type, action, entity_type, entity_id, CAST(before AS TEXT) AS b,"
                    " CAST(after AS TEXT) AS a, before IS NULL AS sql_null, reason FROM audit_events"
                    " WHERE actor_id = :b ORDER BY id"
                ),
                bank,
            )
        ]
        found["idempotency"] = [
            world.normal({"key": row.key, "status": row.status_code, "response": ordered_json(row.response)})
            for row in conn.execute(
                text(
                    "SELECT key, status_code, CAST(response AS TEXT) AS response FROM idempotency_records"
                    " WHERE bank_code = :b ORDER BY key"
                ),
                bank,
            )
        ]
        found["attempts"] = sorted(
            world.normal(f"{row.key} {row.failures} {row.locked_until is None}")
            for row in conn.execute(text("SELECT key, failures, locked_until FROM attempt_counters"))
            if row.key.removeprefix("certificate-code:") in world.names
        )
    return found


def test_the_core_path_answers_and_writes_what_the_orm_path_did(platform: Platform) -> None:
    reference = World(platform, "kwangju")
    expected = scenario(reference, execution_reference.execute_loan)
    fast = World(platform, "jeonbuk")
    assert scenario(fast, execute_loan) == expected
    assert sum(isinstance(o, dict) for o in expected) == 4  # G1 (and its replay), G2, G5
    assert {o[1] for o in expected if isinstance(o, tuple)} >= {
        "IDEMPOTENCY_KEY_REUSED",
        "GUARANTEE_ALREADY_EXECUTED",
        "CERTIFICATE_VERIFICATION_FAILED",
        "TOO_MANY_OPEN_LOANS",
        "LIMIT_EXCEEDED",
        None,  # NotFound, InputError, TooManyAttempts
    }
    expected_rows = rows(reference)
    assert len(expected_rows["loans"]) == 3 and len(expected_rows["audits"]) == 6 + 6
    assert rows(fast) == expected_rows


def test_the_locks_are_taken_applicant_first(platform: Platform) -> None:
    """While the applicant's row is held elsewhere, an execution waiting for it holds no lock on the
    guarantee yet: the order every path that locks both keeps (a reversed order could deadlock)."""
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes writers; there are no row locks")
    applicant = make_applicant(platform)
    guarantee_id, _ = make_guarantee(platform, applicant)
    locked = threading.Event()
    with platform.engine.connect() as holder:
        holder.execute(text("SELECT id FROM applicants WHERE id = :a FOR UPDATE"), {"a": applicant})
        holder_pid = holder.scalar(text("SELECT pg_backend_pid()"))

        def waiter() -> None:
            with platform.engine.begin() as conn:
                locked.set()
                loan_execution._lock_rows(conn, guarantee_id)

        thread = threading.Thread(target=waiter)
        thread.start()
        locked.wait(5)
        with platform.engine.connect() as probe:
            for _ in range(50):  # until the waiter is blocked on the applicant's row
                waiting = probe.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE :h = ANY(pg_blocking_pids(pid))"),
                    {"h": holder_pid},
                )
                if waiting:
                    break
                time.sleep(0.02)
            assert waiting, "the execution did not wait for the applicant's row"
            # The guarantee is free: NOWAIT would raise had the waiter locked it first.
            probe.execute(
                text("SELECT id FROM guarantees WHERE id = :g FOR UPDATE NOWAIT"), {"g": guarantee_id}
            )
            probe.rollback()
        holder.rollback()
        thread.join(10)
    assert not thread.is_alive()
