"""Counseling notes (상담 기록) on an application: what was discussed with the person and what they will do.

Counselors, reviewers and supervisors write notes; every staff role reads them (auditors read only).
A note is never edited or deleted: a correction is a new note. Each note is audited on the application's
trail (its id and length, not its text: the note itself is the record, and may hold personal details
that the trail's wider readership need not see).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from seomin.adapters.db.models import Application, CounselingNote, StaffUser
from seomin.services.audit_trail import as_utc
from seomin.services.errors import Forbidden, NotFound
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor, ActorType, Platform, audit, required_text

WRITER_ROLES = frozenset({"counselor", "reviewer", "supervisor"})
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    application_id: int
    staff_id: int
    staff_name: str
    body: str
    created_at: datetime  # UTC, timezone-aware


def add_note(platform: Platform, actor: Actor, application_id: int, body: str) -> int:
    """Add a note to an application; returns its id. ``InputError`` for an empty or over-long body,
    ``Forbidden`` for auditors (and anyone not active staff), ``NotFound`` for an unknown application."""
    staff_id = _staff_id(actor)
    if actor.role not in WRITER_ROLES:
        raise Forbidden("only counselors, reviewers and supervisors write counseling notes")
    text = required_text("body", body, MAX_NOTE_CHARS, empty="a note needs some text")
    with platform.sessions.begin() as session:
        user = session.get(StaffUser, staff_id)
        if user is None or not user.active or user.role not in WRITER_ROLES:
            raise Forbidden("only active counselors, reviewers and supervisors write counseling notes")
        if session.get(Application, application_id) is None:
            raise NotFound("application", application_id)
        note = CounselingNote(application_id=application_id, staff_id=staff_id, body=text)
        session.add(note)
        session.flush()
        audit(
            session,
            actor,
            "counseling_note.added",
            "application",
            application_id,
            after={"note_id": note.id, "chars": len(text)},
            reason="counseling note",
        )
        return note.id


def list_notes(platform: Platform, actor: Actor, application_id: int) -> list[Note]:
    """The application's notes, oldest first, with the writer's display name. Any staff role."""
    _staff_id(actor)
    with platform.sessions() as session:
        if session.get(Application, application_id) is None:
            raise NotFound("application", application_id)
        rows = session.execute(
            select(CounselingNote, StaffUser.display_name, StaffUser.username)
            .join(StaffUser, StaffUser.id == CounselingNote.staff_id)
            .where(CounselingNote.application_id == application_id)
            .order_by(CounselingNote.id)
        ).all()
        return [
            Note(
                id=note.id,
                application_id=note.application_id,
                staff_id=note.staff_id,
                staff_name=f"{display} ({username})",
                body=note.body,
                created_at=as_utc(note.created_at),
            )
            for note, display, username in rows
        ]


def _staff_id(actor: Actor) -> int:
    if actor.type is not ActorType.STAFF or actor.role not in STAFF_ROLES:
        raise Forbidden("counseling notes are for agency staff only")
    try:
        return int(actor.id)
    except ValueError:
        raise Forbidden("not a staff user") from None
