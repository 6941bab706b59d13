"""Exactly-once writes per idempotency key: the first successful answer is stored with a keyed hash of the
request; a retry gets it again, the same key with another request is ``Conflict IDEMPOTENCY_KEY_REUSED``, and
a PostgreSQL deadlock or serialization failure reruns the whole transaction."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import IdempotencyRecord
from seomin.services.errors import Conflict
from seomin.services.loans.common import JsonDict, Work
from seomin.services.platform import Platform

RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
"""PostgreSQL deadlock_detected and serialization_failure: the transaction rolled back whole; run it again."""

MAX_ATTEMPTS = 4


# --- idempotency ---------------------------------------------------------------------------------------


class _Replayed(Exception):
    """A twin request with the same key committed while this one waited for its lock."""

    def __init__(self, response: JsonDict) -> None:
        super().__init__("replayed")
        self.response = response


def _request_hash(platform: Platform, op: str, params: JsonDict) -> str:
    """A keyed hash of the request (keyed: it covers the verification code, which must not be guessable)."""
    canonical = json.dumps({"op": op, **params}, sort_keys=True, separators=(",", ":"), default=str)
    return platform.vault.lookup_hash(canonical)


def _recorded(session: Session | Connection, bank_code: str, key: str, request_hash: str) -> JsonDict | None:
    record = session.execute(
        select(IdempotencyRecord.request_hash, IdempotencyRecord.response).where(
            IdempotencyRecord.bank_code == bank_code, IdempotencyRecord.key == key
        )
    ).one_or_none()
    return None if record is None else _stored_answer(key, request_hash, *record)


def _stored_answer(key: str, request_hash: str, stored_hash: str, response: JsonDict) -> JsonDict:
    """The answer stored under ``key``; ``Conflict IDEMPOTENCY_KEY_REUSED`` if it was for another request."""
    if not hmac.compare_digest(stored_hash, request_hash):
        raise Conflict(
            "IDEMPOTENCY_KEY_REUSED", f"idempotency key {key!r} was already used for a different request"
        )
    return dict(response)


def _retrying(run: Callable[[], JsonDict]) -> JsonDict:
    """``run`` (one whole transaction) again after an IntegrityError, once (a concurrent twin got through
    first; the unique constraints caught it), and after a deadlock or serialization failure (e.g. against
    the close-of-business table locks), up to ``MAX_ATTEMPTS`` runs in all. Each run is a whole
    transaction, so a rerun cannot double anything."""
    integrity_retried = False
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return run()
        except IntegrityError:
            if integrity_retried or attempt == MAX_ATTEMPTS:
                raise
            integrity_retried = True
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in RETRYABLE_SQLSTATES or attempt == MAX_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _exactly_once(platform: Platform, bank_code: str, key: str, request_hash: str, work: Work) -> JsonDict:
    """Run ``work`` in one transaction and store its answer under ``key``, or return the stored answer.

    ``work`` gets a checkpoint to call right after taking its row locks. Reruns as ``_retrying`` says.
    """

    def run() -> JsonDict:
        try:
            with transaction(platform.sessions) as session:
                found = _recorded(session, bank_code, key, request_hash)
                if found is not None:
                    return found

                def checkpoint() -> None:
                    again = _recorded(session, bank_code, key, request_hash)
                    if again is not None:
                        raise _Replayed(again)

                status_code, response = work(session, checkpoint)
                session.add(
                    IdempotencyRecord(
                        bank_code=bank_code,
                        key=key,
                        request_hash=request_hash,
                        status_code=status_code,
                        response=response,
                    )
                )
                session.flush()
            return response
        except _Replayed as replayed:
            return replayed.response

    return _retrying(run)
