"""Counselor workspace (상담원 업무 화면): find a person and see everything the agency holds on them on one
timeline, and keep notes on the person.

A search is by name and birth date, by resident number, or by phone. Resident numbers are found through
their keyed hash; a phone through its masked form (010-****-5678, stored) and then the decrypted number of
those few candidates; a name through the birth date (indexed) and then the decrypted names. Every search
and every person page opened is audited (the kind of search and the count found, never the values typed).
Reviewers and supervisors see names and phones in full; counselors and auditors see them masked.
Resident numbers are always masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select

from seomin.adapters.db.models import (
    AgencyLoan,
    Applicant,
    Application,
    BookingHandling,
    Chat,
    CounselingNote,
    EducationCompletion,
    Guarantee,
    HelpBooking,
    Loan,
    PersonNote,
    RecourseDebt,
    RecoursePlan,
    StaffUser,
)
from seomin.domain.identity import format_phone, mask_name, mask_phone, normalize_phone, parse_resident_number
from seomin.domain.lifecycle import RecourseStatus
from seomin.services.applications.review import REVIEW_ROLES
from seomin.services.audit_trail import as_utc
from seomin.services.errors import Forbidden, InputError, NotFound
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor, ActorType, Platform, audit, required_text

WRITER_ROLES = frozenset({"counselor", "reviewer", "supervisor"})
MAX_NOTE_CHARS = 2000
MAX_HITS = 20


class SearchBy(StrEnum):
    NAME = "name"
    RRN = "rrn"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class PersonHit:
    applicant_id: int
    name: str
    rrn_masked: str
    phone: str
    birth_date: date


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One thing that happened to the person: ``kind`` names the record (application, certificate, loan,
    agency_loan, recourse, plan, booking, education, chat, note), ``ref`` its id for a link."""

    on: date
    kind: str
    ref: int
    status: str
    amount: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class PersonView:
    person: PersonHit
    full: bool
    """Whether names and phones are shown in full to this viewer."""
    in_arrears: bool
    open_recourse: int
    """The balance of the person's open recourse debts, won."""
    timeline: list[TimelineItem]


def _staff(actor: Actor) -> tuple[int, bool]:
    """The staff id and whether personal data is shown in full; ``Forbidden`` for anyone not staff."""
    if actor.type is not ActorType.STAFF or actor.role not in STAFF_ROLES:
        raise Forbidden("the counselor workspace is for agency staff only")
    try:
        return int(actor.id), actor.role in REVIEW_ROLES
    except ValueError:
        raise Forbidden("not a staff user") from None


def _hit(platform: Platform, row: Applicant, full: bool, name: str | None = None) -> PersonHit:
    vault = platform.vault
    name = name if name is not None else vault.decrypt(row.name_encrypted)
    phone = vault.decrypt(row.phone_encrypted) if full else row.phone_masked
    return PersonHit(
        applicant_id=row.id,
        name=name if full else mask_name(name),
        rrn_masked=row.rrn_masked,
        phone=format_phone(phone) if full else phone,
        birth_date=row.birth_date,
    )


def find_people(
    platform: Platform,
    actor: Actor,
    by: str,
    *,
    name: str = "",
    birth_date: date | None = None,
    rrn: str = "",
    phone: str = "",
) -> list[PersonHit]:
    """The people matching one search, by applicant id. ``InputError`` naming the field when the search
    is incomplete or malformed. The search is audited with its kind and the number found."""
    _, full = _staff(actor)
    vault = platform.vault
    if by == SearchBy.NAME:
        wanted = name.strip() if isinstance(name, str) else ""
        if not wanted:
            raise InputError("name", "required")
        if len(wanted) > 50:
            raise InputError("name", "at most 50 characters")
        if birth_date is None:
            raise InputError("birth_date", "required")
        query = select(Applicant).where(Applicant.birth_date == birth_date)
        check: tuple[str, str] | None = ("name_encrypted", wanted)
    elif by == SearchBy.RRN:
        try:
            number = parse_resident_number(rrn or "", platform.today())
        except ValueError as exc:
            raise InputError("rrn", str(exc)) from None
        query = select(Applicant).where(Applicant.rrn_hash == vault.lookup_hash(number.value))
        check = None
    elif by == SearchBy.PHONE:
        try:
            digits = normalize_phone(phone or "")
        except ValueError as exc:
            raise InputError("phone", str(exc)) from None
        query = select(Applicant).where(Applicant.phone_masked == mask_phone(digits))
        check = ("phone_encrypted", digits)
    else:
        raise InputError("by", f"one of {', '.join(s.value for s in SearchBy)}")
    with platform.sessions.begin() as session:
        rows = [
            row
            for row in session.scalars(query.order_by(Applicant.id))
            if check is None or vault.decrypt(getattr(row, check[0])) == check[1]
        ][:MAX_HITS]
        # One event per person found, on that person (their trail shows who looked them up), or one
        # without a person when nobody matched.
        keys: list[object] = [r.id for r in rows] or ["-"]
        for key in keys:
            audit(
                session,
                actor,
                "person.searched",
                "applicant",
                key,
                after={"by": str(by), "found": len(rows)},
                reason="counselor workspace search",
            )
        return [_hit(platform, row, full) for row in rows]


def person_view(platform: Platform, actor: Actor, applicant_id: int) -> PersonView:
    """The person and everything on their timeline, newest first. The opening is audited."""
    _, full = _staff(actor)
    vault = platform.vault
    with platform.sessions.begin() as session:
        person = session.get(Applicant, applicant_id)
        if person is None:
            raise NotFound("applicant", applicant_id)
        items: list[TimelineItem] = []
        applications = session.scalars(
            select(Application).where(Application.applicant_id == applicant_id)
        ).all()
        items += [
            TimelineItem(a.submitted_on, "application", a.id, a.status, a.requested_amount, a.product_id)
            for a in applications
        ]
        items += [
            TimelineItem(g.issued_on, "certificate", g.id, g.status, g.amount, g.certificate_no)
            for g in session.scalars(select(Guarantee).where(Guarantee.applicant_id == applicant_id))
        ]
        loans = session.scalars(select(Loan).where(Loan.applicant_id == applicant_id)).all()
        items += [
            TimelineItem(
                loan.executed_on,
                "loan",
                loan.id,
                loan.status,
                loan.principal_balance,
                f"{loan.bank_code} · {loan.days_past_due}d" if loan.days_past_due else loan.bank_code,
            )
            for loan in loans
        ]
        agency_loans = session.scalars(
            select(AgencyLoan).where(AgencyLoan.applicant_id == applicant_id)
        ).all()
        items += [
            TimelineItem(a.disbursed_on, "agency_loan", a.id, a.status, a.principal_balance, a.product_id)
            for a in agency_loans
        ]
        debts = session.scalars(select(RecourseDebt).where(RecourseDebt.applicant_id == applicant_id)).all()
        items += [TimelineItem(d.created_on, "recourse", d.id, d.status, d.balance, "") for d in debts]
        if debts:
            plans = session.scalars(
                select(RecoursePlan).where(RecoursePlan.recourse_debt_id.in_([d.id for d in debts]))
            )
            items += [
                TimelineItem(p.starts_on, "plan", p.id, p.status, p.monthly_amount, f"{p.kind} · {p.months}")
                for p in plans
            ]
        bookings = session.execute(
            select(HelpBooking, BookingHandling)
            .outerjoin(BookingHandling, BookingHandling.booking_id == HelpBooking.id)
            .where(HelpBooking.applicant_id == applicant_id)
        )
        items += [
            TimelineItem(
                b.day,
                "booking",
                b.id,
                h.outcome if h is not None and h.outcome else b.status,  # done or no_show once handled
                None,
                f"{b.channel} · {(h.center_code if h is not None else None) or b.center_code} · {b.slot}",
            )
            for b, h in bookings
        ]
        items += [
            TimelineItem(e.completed_on, "education", e.id, "completed", None, e.course)
            for e in session.scalars(
                select(EducationCompletion).where(EducationCompletion.applicant_id == applicant_id)
            )
        ]
        items += [
            TimelineItem(as_utc(c.opened_at).date(), "chat", c.id, c.status, None, c.outcome or c.topic)
            for c in session.scalars(select(Chat).where(Chat.applicant_id == applicant_id))
        ]
        names = {
            staff_id: name for staff_id, name in session.execute(select(StaffUser.id, StaffUser.display_name))
        }
        items += [
            TimelineItem(
                as_utc(n.created_at).date(),
                "note",
                n.id,
                names.get(n.staff_id, ""),
                None,
                vault.decrypt(n.body_encrypted),
            )
            for n in session.scalars(select(PersonNote).where(PersonNote.applicant_id == applicant_id))
        ]
        if applications:
            items += [
                TimelineItem(
                    as_utc(n.created_at).date(),
                    "application_note",
                    n.application_id,
                    names.get(n.staff_id, ""),
                    None,
                    n.body,
                )
                for n in session.scalars(
                    select(CounselingNote).where(
                        CounselingNote.application_id.in_([a.id for a in applications])
                    )
                )
            ]
        audit(
            session,
            actor,
            "person.viewed",
            "applicant",
            applicant_id,
            after={"full": full, "items": len(items)},
            reason="counselor workspace",
        )
        hit = _hit(platform, person, full)
    items.sort(key=lambda item: (item.on, item.kind, item.ref), reverse=True)
    return PersonView(
        person=hit,
        full=full,
        in_arrears=any(loan.days_past_due > 0 for loan in loans),
        open_recourse=sum(d.balance for d in debts if d.status != RecourseStatus.REPAID),
        timeline=items,
    )


def add_person_note(platform: Platform, actor: Actor, applicant_id: int, body: str) -> int:
    """A note on the person by a counselor, reviewer or supervisor (encrypted); returns its id. A note is
    never edited: a correction is a new note. Audited with its length, not its text."""
    staff_id, _ = _staff(actor)
    if actor.role not in WRITER_ROLES:
        raise Forbidden("only counselors, reviewers and supervisors write notes")
    text = required_text("body", body, MAX_NOTE_CHARS, empty="a note needs some text")
    with platform.sessions.begin() as session:
        user = session.get(StaffUser, staff_id)
        if user is None or not user.active:
            raise Forbidden("only active staff write notes")
        if session.get(Applicant, applicant_id) is None:
            raise NotFound("applicant", applicant_id)
        note = PersonNote(
            applicant_id=applicant_id, staff_id=staff_id, body_encrypted=platform.vault.encrypt(text)
        )
        session.add(note)
        session.flush()
        audit(
            session,
            actor,
            "person_note.added",
            "applicant",
            applicant_id,
            after={"note_id": note.id, "chars": len(text)},
            reason="counselor note",
        )
        return note.id
