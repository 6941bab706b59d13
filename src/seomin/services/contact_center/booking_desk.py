"""The bookings' back office (상담 예약 업무): callbacks and visits as per-slot worklists of a day, each
booking assigned to a counselor (and a visit to a named center of its region group), then closed as done or
no-show with an outcome note; pre-application counseling is linked to the application it led to.

Every staff role reads the worklist; counselors and supervisors handle bookings. Names are masked except
for reviewers and supervisors; the phone is shown in full to the counselor the booking is assigned to (who
calls back) and to supervisors. Each change locks the booking, is one transaction and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Application, BookingHandling, HelpBooking, StaffUser, utcnow
from seomin.domain.identity import format_phone, mask_name
from seomin.services.applications.review import REVIEW_ROLES
from seomin.services.errors import Conflict, Forbidden, InputError
from seomin.services.help import ACTIVE, CANCELLED, HelpDirectory
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row

HANDLER_ROLES = frozenset({"counselor", "supervisor"})
OUTCOMES = ("done", "no_show")
MAX_OUTCOME_NOTE = 2000
DESK_CONFLICTS: dict[str, tuple[str, str]] = {
    "BOOKING_CANCELLED": ("취소된 예약입니다.", "The booking was cancelled."),
    "BOOKING_CLOSED": ("이미 결과를 기록한 예약입니다.", "The booking's outcome is already recorded."),
    "BOOKING_NOT_DUE": (
        "예약일이 되기 전에는 결과를 기록할 수 없습니다.",
        "Record the outcome on or after the day.",
    ),
}


@dataclass(frozen=True, slots=True)
class WorkItem:
    booking_id: int
    reference_no: str
    channel: str
    group_code: str
    slot: str
    topic: str
    name: str
    phone: str
    status: str
    applicant_id: int | None
    center_code: str | None
    assigned_to: int | None
    assigned_name: str | None
    outcome: str | None
    application_id: int | None


def _reader(actor: Actor) -> int:
    if actor.type is not ActorType.STAFF or actor.role not in STAFF_ROLES:
        raise Forbidden("the bookings' back office is for agency staff only")
    try:
        return int(actor.id)
    except ValueError:
        raise Forbidden("not a staff user") from None


def _handler(actor: Actor) -> int:
    staff_id = _reader(actor)
    if actor.role not in HANDLER_ROLES:
        raise Forbidden("bookings are handled by counselors and supervisors")
    return staff_id


def worklist(
    platform: Platform, directory: HelpDirectory, actor: Actor, day: date, channel: str, group: str | None
) -> list[tuple[str, list[WorkItem]]]:
    """The day's bookings of a channel (and, for visits, a region group) slot by slot, in slot order;
    cancelled bookings are left out."""
    staff_id = _reader(actor)
    if channel not in ("callback", "visit"):
        raise InputError("channel", "callback or visit")
    if channel == "visit" and directory.group(group or "") is None:
        raise InputError("group", "a region group")
    center = directory.call_center if channel == "callback" else str(group)
    vault = platform.vault
    with platform.sessions() as session:
        rows = session.execute(
            select(HelpBooking, BookingHandling)
            .outerjoin(BookingHandling, BookingHandling.booking_id == HelpBooking.id)
            .where(
                HelpBooking.channel == channel,
                HelpBooking.center_code == center,
                HelpBooking.day == day,
                HelpBooking.status != CANCELLED,
            )
            .order_by(HelpBooking.slot, HelpBooking.seat_no)
        ).all()
        assigned = {h.assigned_to for _, h in rows if h is not None and h.assigned_to is not None}
        names = (
            {
                i: n
                for i, n in session.execute(
                    select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(assigned))
                )
            }
            if assigned
            else {}
        )
        rules = directory.rules("callback" if channel == "callback" else "visit")
        items: dict[str, list[WorkItem]] = {slot: [] for slot in rules.slots}
        for booking, handling in rows:
            mine = handling is not None and handling.assigned_to == staff_id
            name = vault.decrypt(booking.name_encrypted)
            items.setdefault(booking.slot, []).append(
                WorkItem(
                    booking_id=booking.id,
                    reference_no=booking.reference_no,
                    channel=booking.channel,
                    group_code=booking.center_code,
                    slot=booking.slot,
                    topic=booking.topic,
                    name=name if actor.role in REVIEW_ROLES else mask_name(name),
                    phone=format_phone(vault.decrypt(booking.phone_encrypted))
                    if mine or actor.role == "supervisor"
                    else booking.phone_masked,
                    status=booking.status,
                    applicant_id=booking.applicant_id,
                    center_code=handling.center_code if handling else None,
                    assigned_to=handling.assigned_to if handling else None,
                    assigned_name=names.get(handling.assigned_to)
                    if handling and handling.assigned_to
                    else None,
                    outcome=handling.outcome if handling else None,
                    application_id=handling.application_id if handling else None,
                )
            )
    return list(items.items())


def _handling(session: Session, booking_id: int) -> tuple[HelpBooking, BookingHandling]:
    booking = locked_row(session, HelpBooking, HelpBooking.id, booking_id, "booking")
    if booking.status == CANCELLED:
        raise Conflict("BOOKING_CANCELLED", "the booking was cancelled", DESK_CONFLICTS["BOOKING_CANCELLED"])
    handling = session.scalars(
        select(BookingHandling).where(BookingHandling.booking_id == booking_id)
    ).first()
    if handling is None:
        handling = BookingHandling(booking_id=booking_id)
        session.add(handling)
    return booking, handling


def assign_booking(
    platform: Platform,
    directory: HelpDirectory,
    actor: Actor,
    booking_id: int,
    *,
    to_username: str,
    center: str | None = None,
) -> None:
    """Assign the booking to a counselor (by username; empty = the actor) and, for a visit, to a named
    center of the booking's region group."""
    staff_id = _handler(actor)
    with platform.sessions.begin() as session:
        if to_username.strip():
            target = session.scalars(
                select(StaffUser).where(StaffUser.username == to_username.strip())
            ).first()
            if target is None or not target.active or target.role not in HANDLER_ROLES:
                raise InputError("to", "an active counselor's username")
            assignee = target.id
        else:
            assignee = staff_id
        booking, handling = _handling(session, booking_id)
        if booking.status != ACTIVE:
            raise Conflict("BOOKING_CLOSED", "the outcome is recorded", DESK_CONFLICTS["BOOKING_CLOSED"])
        if center:
            named = directory.center(center)
            if booking.channel != "visit" or named is None or named.group != booking.center_code:
                raise InputError("center", "a named center of the booking's region group")
        before = {"assigned_to": handling.assigned_to, "center": handling.center_code}
        handling.assigned_to = assignee
        handling.center_code = center or handling.center_code
        handling.updated_at = utcnow()
        audit(
            session,
            actor,
            "booking.assigned",
            "help_booking",
            booking_id,
            before=before,
            after={"assigned_to": assignee, "center": handling.center_code},
            reason="bookings back office",
        )


def record_outcome(
    platform: Platform,
    actor: Actor,
    booking_id: int,
    *,
    outcome: str,
    note: str,
    application_id: int | None = None,
) -> None:
    """Close a booking on or after its day as done or no-show, with a note; a pre-application counseling
    is linked to the person's application (it must be theirs when the booking names the person)."""
    _handler(actor)
    if outcome not in OUTCOMES:
        raise InputError("outcome", f"one of {', '.join(OUTCOMES)}")
    text = note.strip() if isinstance(note, str) else ""
    if len(text) > MAX_OUTCOME_NOTE:
        raise InputError("note", f"at most {MAX_OUTCOME_NOTE} characters")
    with platform.sessions.begin() as session:
        booking, handling = _handling(session, booking_id)
        if booking.status != ACTIVE:
            raise Conflict("BOOKING_CLOSED", "the outcome is recorded", DESK_CONFLICTS["BOOKING_CLOSED"])
        if booking.day > platform.today():
            raise Conflict(
                "BOOKING_NOT_DUE", "the booking's day has not come", DESK_CONFLICTS["BOOKING_NOT_DUE"]
            )
        if application_id is not None:
            application = session.get(Application, application_id)
            if application is None or (
                booking.applicant_id is not None and application.applicant_id != booking.applicant_id
            ):
                raise InputError("application_id", "an application of the person who booked")
        booking.status = "done"
        handling.outcome = outcome
        handling.note_encrypted = platform.vault.encrypt(text) if text else None
        handling.application_id = application_id
        handling.assigned_to = handling.assigned_to or int(actor.id)
        handling.updated_at = utcnow()
        audit(
            session,
            actor,
            "booking.outcome",
            "help_booking",
            booking_id,
            after={"outcome": outcome, "application_id": application_id, "note_chars": len(text)},
            reason="bookings back office",
        )
        if application_id is not None:
            audit(
                session,
                actor,
                "application.pre_counseling_linked",
                "application",
                application_id,
                after={"booking": booking.reference_no},
                reason="pre-application counseling",
            )
