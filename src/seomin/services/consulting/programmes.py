"""Use cases of credit-debt consulting (신용·부채관리 컨설팅): enroll, record sessions, read the records.

Counselors and supervisors enroll a person and record sessions; every staff role reads a programme; the
person reads their own. The plan and each session's notes are encrypted with the platform's vault; the
audit trail keeps counts and dates, never the text. Recording the last planned session completes the
programme (``domain.consulting``), which ``completed_consulting`` reports to the guarantee issuance so
the catalog's ``consulting`` preferential rate applies by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Applicant, ConsultingProgramme, ConsultingSession, StaffUser
from seomin.domain.consulting import MAX_SESSIONS, MAX_TEXT, session_problem
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row

WRITER_ROLES = frozenset({"counselor", "supervisor"})
ENROLLED, COMPLETED = "enrolled", "completed"


@dataclass(frozen=True, slots=True)
class SessionView:
    no: int
    held_on: date
    staff_id: int
    notes: str


@dataclass(frozen=True, slots=True)
class ProgrammeView:
    id: int
    applicant_id: int
    counselor_id: int
    plan: str
    sessions_planned: int
    status: str
    enrolled_on: date
    completed_on: date | None
    sessions: tuple[SessionView, ...]


@dataclass(frozen=True, slots=True)
class SessionReceipt:
    programme_id: int
    no: int
    status: str


def _writer(session: Session, actor: Actor) -> int:
    if actor.type is not ActorType.STAFF or actor.role not in WRITER_ROLES:
        raise Forbidden("only counselors and supervisors run consulting programmes")
    user = session.get(StaffUser, int(actor.id))
    if user is None or not user.active or user.role not in WRITER_ROLES:
        raise Forbidden("only active counselors and supervisors run consulting programmes")
    return user.id


def _text(value: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise InputError(field, "needs some text")
    if len(text) > MAX_TEXT:
        raise InputError(field, f"at most {MAX_TEXT} characters")
    return text


def enroll(platform: Platform, actor: Actor, applicant_id: int, plan: str, sessions_planned: int) -> int:
    """Enroll the person with a plan of ``sessions_planned`` (1–6) monthly sessions; returns its id.
    ``Conflict`` while they already have a programme under way."""
    text = _text(plan, "plan")
    if not 1 <= sessions_planned <= MAX_SESSIONS:
        raise InputError("sessions_planned", f"must be between 1 and {MAX_SESSIONS}")
    today = platform.today()
    with platform.sessions.begin() as session:
        counselor = _writer(session, actor)
        locked_row(session, Applicant, Applicant.id, applicant_id, "applicant")  # one enrollment at a time
        ongoing = session.scalar(
            select(ConsultingProgramme.id).where(
                ConsultingProgramme.applicant_id == applicant_id, ConsultingProgramme.status == ENROLLED
            )
        )
        if ongoing is not None:
            raise Conflict("CONSULTING_UNDER_WAY", f"programme {ongoing} is under way for this person")
        programme = ConsultingProgramme(
            applicant_id=applicant_id,
            counselor_id=counselor,
            plan_encrypted=platform.vault.encrypt(text),
            sessions_planned=sessions_planned,
            status=ENROLLED,
            enrolled_on=today,
        )
        session.add(programme)
        session.flush()
        audit(
            session,
            actor,
            "consulting.enrolled",
            "consulting_programme",
            programme.id,
            after={
                "applicant_id": applicant_id,
                "sessions_planned": sessions_planned,
                "plan_chars": len(text),
            },
        )
        return programme.id


def record_session(
    platform: Platform, actor: Actor, programme_id: int, held_on: date, notes: str
) -> SessionReceipt:
    """Record the next monthly session with its notes and progress; the last planned one completes it."""
    text = _text(notes, "notes")
    today = platform.today()
    with platform.sessions.begin() as session:
        staff_id = _writer(session, actor)
        programme = locked_row(
            session, ConsultingProgramme, ConsultingProgramme.id, programme_id, "programme"
        )
        if programme.status != ENROLLED:
            raise Conflict("CONSULTING_NOT_UNDER_WAY", f"the programme is {programme.status}")
        held = session.execute(
            select(func.count(), func.max(ConsultingSession.held_on)).where(
                ConsultingSession.programme_id == programme_id
            )
        ).one()
        problem = session_problem(programme.enrolled_on, held[1], held_on, today)
        if problem is not None:
            raise InputError("held_on", problem)
        no = held[0] + 1
        session.add(
            ConsultingSession(
                programme_id=programme_id,
                no=no,
                held_on=held_on,
                staff_id=staff_id,
                notes_encrypted=platform.vault.encrypt(text),
            )
        )
        before = programme.status
        if no >= programme.sessions_planned:
            programme.status, programme.completed_on = COMPLETED, held_on
        audit(
            session,
            actor,
            "consulting.session_recorded",
            "consulting_programme",
            programme_id,
            before={"status": before, "sessions": no - 1},
            after={"status": programme.status, "sessions": no, "held_on": held_on.isoformat()},
        )
        return SessionReceipt(programme_id, no, programme.status)


def _view(platform: Platform, session: Session, programme: ConsultingProgramme) -> ProgrammeView:
    rows = session.scalars(
        select(ConsultingSession)
        .where(ConsultingSession.programme_id == programme.id)
        .order_by(ConsultingSession.no)
    )
    return ProgrammeView(
        id=programme.id,
        applicant_id=programme.applicant_id,
        counselor_id=programme.counselor_id,
        plan=platform.vault.decrypt(programme.plan_encrypted),
        sessions_planned=programme.sessions_planned,
        status=programme.status,
        enrolled_on=programme.enrolled_on,
        completed_on=programme.completed_on,
        sessions=tuple(
            SessionView(r.no, r.held_on, r.staff_id, platform.vault.decrypt(r.notes_encrypted)) for r in rows
        ),
    )


def get_programme(platform: Platform, actor: Actor, programme_id: int) -> ProgrammeView:
    """A programme for staff (any role), or for the person it belongs to (others: not found)."""
    with platform.sessions() as session:
        programme = session.get(ConsultingProgramme, programme_id)
        if programme is None or not _may_read(actor, programme.applicant_id):
            raise NotFound("programme", programme_id)
        return _view(platform, session, programme)


@dataclass(frozen=True, slots=True)
class ProgrammeLine:
    """One row of the counselors' list: no plan or notes (those are read one programme at a time)."""

    id: int
    applicant_id: int
    rrn_masked: str
    sessions: int
    sessions_planned: int
    status: str
    enrolled_on: date


def list_programmes(
    platform: Platform, actor: Actor, status: str = ENROLLED, limit: int = 200
) -> list[ProgrammeLine]:
    """Programmes in ``status`` (under way by default), newest first; any staff role."""
    if actor.type is not ActorType.STAFF or actor.role not in STAFF_ROLES:
        raise Forbidden("consulting programmes are for agency staff only")
    held = (
        select(func.count())
        .where(ConsultingSession.programme_id == ConsultingProgramme.id)
        .correlate(ConsultingProgramme)
        .scalar_subquery()
    )
    with platform.sessions() as session:
        rows = session.execute(
            select(ConsultingProgramme, Applicant.rrn_masked, held)
            .join(Applicant, Applicant.id == ConsultingProgramme.applicant_id)
            .where(ConsultingProgramme.status == status)
            .order_by(ConsultingProgramme.id.desc())
            .limit(limit)
        ).all()
        return [
            ProgrammeLine(p.id, p.applicant_id, rrn, count, p.sessions_planned, p.status, p.enrolled_on)
            for p, rrn, count in rows
        ]


def programmes_of(platform: Platform, actor: Actor) -> list[ProgrammeView]:
    """The signed-in person's own programmes, oldest first."""
    if actor.type is not ActorType.APPLICANT:
        raise Forbidden("only the person may list their programmes")
    with platform.sessions() as session:
        found = session.scalars(
            select(ConsultingProgramme)
            .where(ConsultingProgramme.applicant_id == int(actor.id))
            .order_by(ConsultingProgramme.id)
        )
        return [_view(platform, session, p) for p in found]


def _may_read(actor: Actor, applicant_id: int) -> bool:
    if actor.type is ActorType.STAFF:
        return actor.role in STAFF_ROLES
    return actor.type is ActorType.APPLICANT and actor.id == str(applicant_id)


def completed_consulting(session: Session, applicant_id: int, on: date) -> bool:
    """Whether the person completed a consulting programme on or before ``on``."""
    return (
        session.scalar(
            select(ConsultingProgramme.id)
            .where(
                ConsultingProgramme.applicant_id == applicant_id,
                ConsultingProgramme.status == COMPLETED,
                ConsultingProgramme.completed_on <= on,
            )
            .limit(1)
        )
        is not None
    )
