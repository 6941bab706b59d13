"""What every use case needs, built once at the edge and passed in: no module globals.

A service function takes the ``Platform`` and an ``Actor``, runs in one transaction and records an audit
event for every state change it makes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from seomin.adapters.crypto import DataVault
from seomin.adapters.db.models import AuditEvent
from seomin.domain.calendar import BusinessCalendar
from seomin.domain.catalog import Catalog
from seomin.services.errors import InputError, NotFound

RowT = TypeVar("RowT")


class ActorType(StrEnum):
    APPLICANT = "applicant"
    STAFF = "staff"
    BANK = "bank"
    SYSTEM = "system"
    PARTNER = "partner"
    """A fintech partner app acting for a person it verified (issue 13), by its API key."""
    PUBLIC = "public"
    """An anonymous visitor of the public pages (no account): audited, never privileged like SYSTEM."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: an applicant (id), a staff user (id and role), a bank (code) or the system (job name)."""

    type: ActorType
    id: str
    role: str | None = None

    @property
    def label(self) -> str:
        return f"{self.type.value}:{self.id}" + (f"({self.role})" if self.role else "")


SYSTEM = Actor(ActorType.SYSTEM, "cob")


@dataclass(slots=True)
class Platform:
    engine: Engine
    sessions: sessionmaker[Session]
    catalog: Catalog
    calendar: BusinessCalendar
    vault: DataVault
    storage_dir: Path
    today: Callable[[], date] = field(default=date.today)
    environment: str = "development"
    """``production`` or not: the edges show development aids (the local outbox) only outside production."""


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    """Record who did what to which entity, with the state before and after and why."""
    session.add(AuditEvent(**audit_row(actor, action, entity_type, entity_id, before, after, reason)))


def audit_row(
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str,
) -> dict[str, Any]:
    """The columns of ``audit``'s row, for a hot path that inserts its audit rows as Core statements."""
    return {
        "actor_type": actor.type.value,
        "actor_id": actor.id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "before": before,
        "after": after,
        "reason": reason,
    }


def locked_row(session: Session, model: type[RowT], column: Any, key: object, what: str) -> RowT:
    """The row of ``model`` whose ``column`` equals ``key``, locked for update (one row); NotFound naming
    ``what`` when there is none. A state change reads its row through here so racing changes serialize."""
    row = session.scalars(select(model).where(column == key).with_for_update()).one_or_none()
    if row is None:
        raise NotFound(what, key)
    return row


def required_text(field: str, value: object, limit: int, empty: str = "required") -> str:
    """``value`` stripped; ``InputError`` naming ``field`` when it is not text, empty, or over ``limit``
    characters (the free-text fields of notes, messages and entries)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InputError(field, empty)
    if len(text) > limit:
        raise InputError(field, f"at most {limit} characters")
    return text
