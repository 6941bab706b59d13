"""Reading the audit trail (감사 추적): who did what to an entity, when and why, oldest first.

The trail is written by every use case (``platform.audit``); this is its read side. Auditors and
supervisors may read the trail of any entity; every staff role may read the trail of an application,
whose page they can open anyway. Reads go through the ``(entity_type, entity_id)`` index, keyset-paginated
by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import AuditEvent, StaffUser
from seomin.services.errors import Forbidden, InputError
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor, ActorType, Platform

AUDIT_ROLES = frozenset({"auditor", "supervisor"})
"""Staff who may read the trail of any entity."""
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime  # UTC, timezone-aware
    actor_type: str
    actor_id: str
    actor_name: str  # a staff member's display name; else the actor id
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str


def audit_events(
    platform: Platform,
    actor: Actor,
    entity_type: str,
    entity_id: str,
    *,
    after_id: int = 0,
    limit: int = 100,
) -> list[AuditEntry]:
    """The events of one entity with ids above ``after_id``, oldest first, at most ``limit`` (1–500).

    Auditors and supervisors only, except for an application's trail, which every staff role reads."""
    if actor.type is not ActorType.STAFF or actor.role not in STAFF_ROLES:
        raise Forbidden("only agency staff read the audit trail")
    if actor.role not in AUDIT_ROLES and entity_type != "application":
        raise Forbidden("only auditors and supervisors read the audit trail of this entity")
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError("limit", f"must be 1 to {MAX_LIMIT}")
    if after_id < 0:
        raise InputError("after_id", "must not be negative")
    with platform.sessions() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == entity_type,
                AuditEvent.entity_id == entity_id,
                AuditEvent.id > after_id,
            )
            .order_by(AuditEvent.id)
            .limit(limit)
        ).all()
        names = _staff_names(session, (e.actor_id for e in rows if e.actor_type == ActorType.STAFF.value))
        return [
            AuditEntry(
                id=e.id,
                at=as_utc(e.at),
                actor_type=e.actor_type,
                actor_id=e.actor_id,
                actor_name=names.get(e.actor_id, e.actor_id)
                if e.actor_type == ActorType.STAFF.value
                else e.actor_id,
                action=e.action,
                entity_type=e.entity_type,
                entity_id=e.entity_id,
                before=e.before,
                after=e.after,
                reason=e.reason,
            )
            for e in rows
        ]


def application_trail(platform: Platform, actor: Actor, application_id: int) -> list[AuditEntry]:
    """Every event of one application (at most 500, oldest first)."""
    return audit_events(platform, actor, "application", str(application_id), limit=MAX_LIMIT)


def staff_names(platform: Platform, staff_ids: Iterable[int | str]) -> dict[str, str]:
    """Display names of staff users by id (as text), for screens that show who decided or wrote."""
    with platform.sessions() as session:
        return _staff_names(session, (str(i) for i in staff_ids))


def _staff_names(session: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted({int(i) for i in ids if str(i).isdigit()})
    if not wanted:
        return {}
    rows = session.execute(
        select(StaffUser.id, StaffUser.display_name, StaffUser.username).where(StaffUser.id.in_(wanted))
    ).all()
    return {str(i): f"{display} ({username})" for i, display, username in rows}


def as_utc(moment: datetime) -> datetime:
    """A stored instant as aware UTC (SQLite hands back naive UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
