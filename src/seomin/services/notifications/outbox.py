"""Queue a message in the caller's transaction and dispatch it through the sender (SMS / 알림톡).

A use case calls ``queue_message`` inside its own transaction, so a rolled-back use case sends nothing; the
``dedupe_key`` is unique, so the same event never queues twice. ``dispatch`` hands queued messages to the
``NotificationSender`` exactly once (row locks skip rows another dispatcher holds). In development and tests
the sender is the local outbox itself: messages are marked sent and stay readable with ``messages_to``.
A production sender (an SMS or 알림톡 gateway) implements ``NotificationSender.send`` and is passed to
``dispatch`` by the job runner; nothing else changes.

Recipients are stored encrypted with the data key and masked; the rendered text is encrypted too (it may
carry a one-time code), and only its template id and version are kept in clear for supervisors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Base, NotificationMessage, utcnow
from seomin.adapters.notification_templates import default_templates
from seomin.domain.identity import mask_phone
from seomin.services.platform import Platform


class NotificationSender(Protocol):
    """Where messages go: a gateway in production; ``LocalOutbox`` in development and tests."""

    def send(self, channel: str, phone: str, text: str) -> None: ...


class LocalOutbox:
    """Development and tests: nothing leaves the machine; the outbox rows are the messages."""

    def send(self, channel: str, phone: str, text: str) -> None:
        return None


@dataclass(frozen=True, slots=True)
class SentMessage:
    template_id: str
    template_version: int
    phone_masked: str
    text: str
    status: str
    created_at: datetime


def queue_message(
    session: Session,
    platform: Platform,
    template_id: str,
    phone: str,
    params: Mapping[str, object],
    dedupe_key: str,
) -> bool:
    """Queue the template in force today for ``phone`` (normalized 010…), in the caller's transaction;
    False when a message with ``dedupe_key`` was queued before (nothing is queued twice)."""
    template = default_templates().current(template_id, platform.today())
    text = template.render(params)
    found = session.scalars(
        select(NotificationMessage.id).where(NotificationMessage.dedupe_key == dedupe_key)
    ).first()
    if found is not None:
        return False
    session.add(
        NotificationMessage(
            dedupe_key=dedupe_key,
            template_id=template.id,
            template_version=template.version,
            channel=template.channel,
            phone_hash=platform.vault.lookup_hash(phone),
            phone_encrypted=platform.vault.encrypt(phone),
            phone_masked=mask_phone(phone),
            text_encrypted=platform.vault.encrypt(text),
            status="queued",
        )
    )
    return True


@dataclass(frozen=True, slots=True)
class QueuedItem:
    """One message of a batch: the phone (010…), the template's parameters, the dedupe key."""

    phone: str
    params: Mapping[str, object]
    dedupe_key: str


def queue_messages(
    connection: Connection, platform: Platform, template_id: str, items: Sequence[QueuedItem]
) -> int:
    """``queue_message`` for a whole batch (close of business): one look-up of the dedupe keys already
    queued and one multi-row insert, on the caller's connection and transaction. Returns how many were new."""
    if not items:
        return 0
    template = default_templates().current(template_id, platform.today())
    table = Base.metadata.tables[NotificationMessage.__tablename__]
    keys = [item.dedupe_key for item in items]
    seen: set[str] = set()
    for start in range(0, len(keys), _BATCH):
        seen.update(
            connection.execute(
                select(table.c.dedupe_key).where(table.c.dedupe_key.in_(keys[start : start + _BATCH]))
            ).scalars()
        )
    rows = []
    for item in items:
        if item.dedupe_key in seen:
            continue
        seen.add(item.dedupe_key)
        rows.append(
            {
                "dedupe_key": item.dedupe_key,
                "template_id": template.id,
                "template_version": template.version,
                "channel": template.channel,
                "phone_hash": platform.vault.lookup_hash(item.phone),
                "phone_encrypted": platform.vault.encrypt(item.phone),
                "phone_masked": mask_phone(item.phone),
                "text_encrypted": platform.vault.encrypt(template.render(item.params)),
                "status": "queued",
                "created_at": utcnow(),
            }
        )
    if rows:
        connection.execute(insert(table), rows)
    return len(rows)


_BATCH = 5_000


def dispatch(platform: Platform, sender: NotificationSender, limit: int = 500) -> int:
    """Send up to ``limit`` queued messages, each exactly once; returns how many were sent."""
    sent = 0
    with platform.sessions.begin() as session:
        rows = session.scalars(
            select(NotificationMessage)
            .where(NotificationMessage.status == "queued")
            .order_by(NotificationMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            sender.send(
                row.channel,
                platform.vault.decrypt(row.phone_encrypted),
                platform.vault.decrypt(row.text_encrypted),
            )
            row.status = "sent"
            row.sent_at = utcnow()
            sent += 1
    return sent


def messages_to(platform: Platform, phone: str, limit: int = 20) -> list[SentMessage]:
    """The latest messages for a phone, newest first (development: what that phone would have received)."""
    with platform.sessions() as session:
        rows = session.scalars(
            select(NotificationMessage)
            .where(NotificationMessage.phone_hash == platform.vault.lookup_hash(phone))
            .order_by(NotificationMessage.id.desc())
            .limit(limit)
        ).all()
        return [
            SentMessage(
                r.template_id,
                r.template_version,
                r.phone_masked,
                platform.vault.decrypt(r.text_encrypted),
                r.status,
                r.created_at,
            )
            for r in rows
        ]
