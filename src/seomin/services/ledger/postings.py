"""Posting to the ledger inside the caller's transaction, exactly once per key, and the trial balance.

A use case builds its entry with ``domain.ledger`` and calls ``post`` in the same transaction that changes
its own rows, so the money and the state move together or not at all. The key is unique: a retry posts
nothing new, and when two transactions race on one key the loser's savepoint fails on the unique key and
it reads the winner's entry instead (the caller's own row lock usually serializes them first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seomin.adapters.db.models import LedgerEntry, LedgerLine
from seomin.domain.ledger import Entry
from seomin.services.errors import Conflict, Forbidden
from seomin.services.platform import Actor, ActorType, Platform

BALANCE_ROLES = frozenset({"supervisor", "auditor"})


def post(session: Session, actor: Actor, entry: Entry, reference: str, booked_on: date) -> int:
    """Post ``entry`` once; the id of the entry under its key (new, or the one posted before). A different
    movement under a key already used is a ``Conflict``: keys name one movement."""
    found = _existing(session, entry)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            row = LedgerEntry(
                key=entry.key,
                kind=entry.kind.value,
                reference=reference,
                booked_on=booked_on,
                actor=actor.label,
            )
            session.add(row)
            session.flush()
            session.add_all(
                LedgerLine(entry_id=row.id, account=line.account.value, party=line.party, amount=line.amount)
                for line in entry.lines
            )
            session.flush()
            return row.id
    except IntegrityError:
        found = _existing(session, entry)
        if found is None:
            raise
        return found


def _existing(session: Session, entry: Entry) -> int | None:
    row = session.scalars(select(LedgerEntry).where(LedgerEntry.key == entry.key)).one_or_none()
    if row is None:
        return None
    lines = session.scalars(select(LedgerLine).where(LedgerLine.entry_id == row.id).order_by(LedgerLine.id))
    if row.kind != entry.kind.value or [(x.account, x.party, x.amount) for x in lines] != [
        (x.account.value, x.party, x.amount) for x in entry.lines
    ]:
        raise Conflict("LEDGER_KEY_REUSED", f"ledger key {entry.key} already names another movement")
    return row.id


@dataclass(frozen=True, slots=True)
class AccountBalance:
    account: str
    party: str
    balance: int
    """Won, debit positive."""


@dataclass(frozen=True, slots=True)
class TrialBalance:
    entries: int
    balances: tuple[AccountBalance, ...]
    total: int
    """The sum of every balance: zero when every entry balanced."""


def trial_balance(platform: Platform, actor: Actor) -> TrialBalance:
    """Every (account, party) balance and their total, which is zero."""
    if actor.type is not ActorType.SYSTEM and (
        actor.type is not ActorType.STAFF or actor.role not in BALANCE_ROLES
    ):
        raise Forbidden("only supervisors and auditors read the ledger")
    with platform.sessions() as session:
        rows = session.execute(
            select(LedgerLine.account, LedgerLine.party, func.sum(LedgerLine.amount))
            .group_by(LedgerLine.account, LedgerLine.party)
            .order_by(LedgerLine.account, LedgerLine.party)
        ).all()
        count = session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
    balances = tuple(AccountBalance(a, p, int(b)) for a, p, b in rows)
    return TrialBalance(int(count), balances, sum(b.balance for b in balances))
