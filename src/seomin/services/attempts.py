"""Attempt limits (시도 제한): one mechanism for every guessable secret and every abusable request.

A key names what is guarded (``staff:<username>``, ``identity-start:<rrn hash>``, ``certificate:<no>``,
``bank:<code>`` …). Failures are counted per key in a window; reaching the policy's maximum locks the key
until the lockout ends, and every check while locked is refused with ``TooManyAttempts`` (HTTP 429 with
``Retry-After``). Counts are written in a transaction of their own, so a refused use case that rolls back
still leaves its failure counted, and under a row lock, so racing guesses all count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from seomin.adapters.db.models import AttemptCounter
from seomin.services.clock import as_utc
from seomin.services.errors import TooManyAttempts
from seomin.services.platform import Platform


@dataclass(frozen=True, slots=True)
class AttemptPolicy:
    max_failures: int
    window: timedelta
    lockout: timedelta
    message: str


def _now() -> datetime:
    return datetime.now(UTC)


def check_allowed(platform: Platform, key: str, policy: AttemptPolicy) -> None:
    """Refuse while ``key`` is locked out."""
    with platform.sessions() as session:
        row = session.get(AttemptCounter, key)
        if row is not None and row.locked_until is not None:
            left = (as_utc(row.locked_until) - _now()).total_seconds()
            if left > 0:
                raise TooManyAttempts(policy.message, int(left) + 1)


def check_all_allowed(platform: Platform, guards: Sequence[tuple[str, AttemptPolicy]]) -> None:
    """``check_allowed`` for several keys in one query (a hot path guards a certificate and a bank)."""
    keys = [key for key, _ in guards]
    with platform.sessions() as session:
        rows = session.execute(
            select(AttemptCounter.key, AttemptCounter.locked_until).where(AttemptCounter.key.in_(keys))
        )
        locked_until = {key: until for key, until in rows}
    refuse_locked(guards, locked_until)


def refuse_locked(
    guards: Sequence[tuple[str, AttemptPolicy]], locked_until: Mapping[str, datetime | None]
) -> None:
    """``TooManyAttempts`` from the first guard whose key is locked, given each key's ``locked_until`` as
    read (a key without a counter row may be missing or None)."""
    for key, policy in guards:  # the first guard that is locked speaks, as with one check per key
        until = locked_until.get(key)
        if until is not None:
            left = (as_utc(until) - _now()).total_seconds()
            if left > 0:
                raise TooManyAttempts(policy.message, int(left) + 1)


def record_failure(platform: Platform, key: str, policy: AttemptPolicy) -> int:
    """Count one failure against ``key`` (its own transaction); returns the failures in the window and
    locks the key when they reach the policy's maximum."""
    for _ in range(2):  # the first failure of a key may race another's insert: then update its row
        try:
            with platform.sessions.begin() as session:
                now = _now()
                row = session.scalars(
                    select(AttemptCounter).where(AttemptCounter.key == key).with_for_update()
                ).one_or_none()
                if row is None:
                    row = AttemptCounter(key=key, failures=0, window_started_at=now)
                    session.add(row)
                elif now - as_utc(row.window_started_at) > policy.window:
                    row.failures, row.window_started_at, row.locked_until = 0, now, None
                row.failures += 1
                if row.failures >= policy.max_failures:
                    row.locked_until = now + policy.lockout
                return row.failures
        except IntegrityError:
            continue
    raise RuntimeError(f"attempt counter {key} could not be written")  # pragma: no cover


def clear(platform: Platform, key: str) -> None:
    """A success forgets the key's failures."""
    with platform.sessions.begin() as session:
        row = session.get(AttemptCounter, key)
        if row is not None:
            session.delete(row)
