"""Use cases: offline help for people who cannot finish online (seed 004 §5, A8): a callback from the 1397
call center or a visit to an integrated support center (서민금융통합지원센터) of a region group.

No account is needed; a signed-in applicant's booking is linked to them. The rules:

- a day is a business day (``platform.calendar``), from tomorrow (today's slots may already have passed)
  to ``max_days_ahead`` days ahead;
- a slot is one of the channel's slots; each holds ``capacity`` bookings (per region group for visits).
  Each booking takes a seat number 1..capacity inside its transaction, in a savepoint; the database's
  unique constraint on (channel, center, day, slot, seat) refuses a seat someone else took meanwhile and
  the next seat is tried, so racing bookings never overfill a slot, on SQLite and PostgreSQL alike;
- the name and phone are stored encrypted, with a masked phone for screens; every booking is audited;
- the person cancels online with the reference number and the last four digits of the phone booked with
  (compared with the decrypted phone in constant time; a wrong answer never tells the phone). A cancelled
  booking gives its seat up: its ``seat_no`` becomes ``-id`` (outside 1..capacity and unique), so the
  unique constraint lets a new booking take the seat, and the seat it held stays in the audit event. A
  booking whose day has passed, or one already cancelled or done, is not cancelled
  (``Conflict HELP_NOT_CANCELLABLE``).

Bad input raises ``HelpInputError`` (an ``InputError`` carrying a Korean and an English message); a full
slot raises ``Conflict HELP_SLOT_FULL``.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Applicant, AuditEvent, HelpBooking
from seomin.domain.identity import mask_name, mask_phone
from seomin.domain.regions import normalize_region
from seomin.services.errors import Conflict, InputError, InputErrorCode, NotFound
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row

Channel = Literal["callback", "visit"]
CHANNELS: tuple[Channel, ...] = ("callback", "visit")
PUBLIC = Actor(ActorType.PUBLIC, "web")
MAX_CANCEL_ATTEMPTS = 5
"""Wrong last-four-digit answers a booking takes before online cancellation locks (10,000 candidates)."""
"""The audit actor of a booking made without signing in."""

_PHONE = re.compile(r"^0\d{8,10}$")
_LAST4 = re.compile(r"^\d{4}$")
ACTIVE = "booked"
CANCELLED = "cancelled"
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class HelpInputError(InputError):
    """Bad booking input, with the message in Korean and in English (``message`` is the English)."""

    def __init__(self, field_name: str, ko: str, en: str, code: str = InputErrorCode.INVALID) -> None:
        super().__init__(field_name, en, code)
        self.message_ko = ko
        self.message_en = en


# --- the directory (data: src/seomin/data/support_centers.toml) ---------------------------------------


@dataclass(frozen=True, slots=True)
class RegionGroup:
    code: str
    name_ko: str
    name_en: str
    regions: tuple[str, ...]
    centers: int
    """The seed's count of centers in the group (seed 004 prints them; their sum is not its total)."""


@dataclass(frozen=True, slots=True)
class SlotRules:
    capacity: int
    slots: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    name_ko: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Center:
    """A named integrated support center of a region group, where a visit is assigned."""

    code: str
    name_ko: str
    name_en: str
    group: str
    address: str
    hours: str
    confidence: str
    """``unverified`` until the agency confirms the address and hours."""
    relocated: bool


@dataclass(frozen=True, slots=True)
class HelpDirectory:
    """The call center, the region groups with their seed counts, slots, capacities and topics."""

    source: str
    printed_total: int
    call_center: str
    max_days_ahead: int
    callback: SlotRules
    visit: SlotRules
    groups: tuple[RegionGroup, ...]
    topics: tuple[Topic, ...]
    centers: tuple[Center, ...] = ()

    def __post_init__(self) -> None:
        if self.max_days_ahead < 1:
            raise ValueError("max_days_ahead must be at least 1")
        for name, rules in (("callback", self.callback), ("visit", self.visit)):
            if rules.capacity < 1 or not rules.slots or len(set(rules.slots)) != len(rules.slots):
                raise ValueError(f"{name}: capacity >= 1 and distinct slots are required")
            for slot in rules.slots:
                if not re.fullmatch(r"\d\d:\d\d", slot):
                    raise ValueError(f"{name}: slot {slot!r} is not HH:MM")
        codes = [g.code for g in self.groups]
        if len(set(codes)) != len(codes) or self.call_center in codes:
            raise ValueError("region group codes must be distinct (and not the call center's)")
        seen: set[str] = set()
        for group in self.groups:
            if group.centers < 1:
                raise ValueError(f"{group.code}: centers must be at least 1")
            for region in group.regions:
                short = normalize_region(region)
                if short in seen:
                    raise ValueError(f"{region} is in two region groups")
                seen.add(short)
        if len({t.code for t in self.topics}) != len(self.topics) or not self.topics:
            raise ValueError("topics must be given, with distinct codes")
        if len({c.code for c in self.centers}) != len(self.centers):
            raise ValueError("center codes must be distinct")
        for group in self.groups:
            named = self.centers_of(group.code)
            if len(named) > group.centers:
                raise ValueError(f"{group.code}: {len(named)} named centers, more than its {group.centers}")
        for center in self.centers:
            if self.group(center.group) is None:
                raise ValueError(f"center {center.code}: unknown region group {center.group}")

    def centers_of(self, group_code: str) -> tuple[Center, ...]:
        """The named centers of a region group."""
        return tuple(c for c in self.centers if c.group == group_code)

    def center(self, code: str) -> Center | None:
        return next((c for c in self.centers if c.code == code), None)

    @property
    def seed_sum(self) -> int:
        """The sum of the regional counts as printed (50 in seed 004, which prints a total of 41)."""
        return sum(g.centers for g in self.groups)

    def rules(self, channel: Channel) -> SlotRules:
        return self.callback if channel == "callback" else self.visit

    def group(self, code: str) -> RegionGroup | None:
        return next((g for g in self.groups if g.code == code), None)

    def group_of_region(self, region: str) -> RegionGroup | None:
        try:
            short = normalize_region(region)
        except ValueError:
            return None
        return next((g for g in self.groups if short in g.regions), None)

    def topic(self, code: str) -> Topic | None:
        return next((t for t in self.topics if t.code == code), None)


# --- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotAvailability:
    slot: str
    capacity: int
    taken: int

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.taken)


@dataclass(frozen=True, slots=True)
class BookingReceipt:
    """A booking as the person sees it: personal data masked."""

    reference_no: str
    channel: Channel
    center_code: str
    group: RegionGroup | None
    day: date
    slot: str
    topic: Topic
    name_masked: str
    phone_masked: str = field(repr=False)
    status: str
    linked_to_applicant: bool

    @property
    def phone_hidden(self) -> str:
        """The phone with its last four digits hidden too (``010-****-****``), for the booking's page:
        anyone holding the reference sees that page, and those four digits are what proves a cancellation
        is the booker's."""
        head, _, _ = self.phone_masked.rpartition("-")
        return f"{head}-****"


# --- rules --------------------------------------------------------------------------------------------


def bookable_days(platform: Platform, directory: HelpDirectory) -> list[date]:
    """Business days a booking may be for: from tomorrow to ``max_days_ahead`` days ahead."""
    today = platform.today()
    days = []
    for offset in range(1, directory.max_days_ahead + 1):
        day = today + timedelta(days=offset)
        if platform.calendar.covers(day) and platform.calendar.is_business_day(day):
            days.append(day)
    return days


def check_day(platform: Platform, directory: HelpDirectory, day: date) -> None:
    """``HelpInputError`` on ``day`` unless it is a bookable business day."""
    today = platform.today()
    last = today + timedelta(days=directory.max_days_ahead)
    if day <= today:
        raise HelpInputError(
            "day",
            "오늘 이후의 날짜를 골라 주세요 (지난 날짜와 오늘은 예약할 수 없습니다).",
            "Choose a day after today (past days and today cannot be booked).",
        )
    if day > last:
        raise HelpInputError(
            "day",
            f"{directory.max_days_ahead}일 이내({last:%Y.%m.%d}까지)의 날짜를 골라 주세요.",
            f"Choose a day within {directory.max_days_ahead} days (up to {last.isoformat()}).",
        )
    if not platform.calendar.covers(day) or not platform.calendar.is_business_day(day):
        holiday = platform.calendar.holiday_name(day) if platform.calendar.covers(day) else None
        why_ko = holiday or "주말·공휴일"  # the data names bank closures (근로자의 날) as such, not as 공휴일
        raise HelpInputError(
            "day",
            f"{day:%Y.%m.%d}은 {why_ko}이라 상담하지 않습니다. 평일을 골라 주세요.",
            f"{day.isoformat()} is a weekend, public holiday or bank closure; choose a business day.",
        )


def _center_code(directory: HelpDirectory, channel: str, region_group: str | None) -> str:
    if channel not in CHANNELS:
        raise HelpInputError(
            "channel", "전화 상담 또는 센터 방문을 골라 주세요.", "Choose callback or visit."
        )
    if channel == "callback":
        return directory.call_center
    group = directory.group(region_group or "")
    if group is None:
        raise HelpInputError("region_group", "방문할 지역을 골라 주세요.", "Choose the region to visit.")
    return group.code


def normalize_any_phone(text: str) -> str:
    """A Korean phone number (mobile or landline) as digits; ``HelpInputError`` on ``phone`` otherwise."""
    digits = re.sub(r"[\s-]", "", text.strip())
    if not _PHONE.match(digits):
        raise HelpInputError(
            "phone",
            "연락받을 전화번호를 010-1234-5678 또는 02-123-4567 형식으로 입력해 주세요.",
            "Enter the phone number to call, e.g. 010-1234-5678 or 02-123-4567.",
        )
    return digits


def _check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 50 or any(ch.isdigit() for ch in cleaned):
        raise HelpInputError(
            "name",
            "이름을 숫자 없이 50자 이내로 입력해 주세요.",
            "Enter a name of up to 50 characters, no digits.",
        )
    return cleaned


def _applicant_id(actor: Actor | None) -> int | None:
    if actor is None or actor.type is not ActorType.APPLICANT:
        return None
    return int(actor.id)


# --- use cases ----------------------------------------------------------------------------------------


def slot_availability(
    platform: Platform, directory: HelpDirectory, channel: str, region_group: str | None, day: date
) -> list[SlotAvailability]:
    """Each slot of the channel on ``day`` with its capacity and the seats taken."""
    center = _center_code(directory, channel, region_group)
    rules = directory.rules("callback" if channel == "callback" else "visit")
    with platform.sessions() as session:
        rows = session.execute(
            select(HelpBooking.slot, func.count())
            .where(
                HelpBooking.channel == channel,
                HelpBooking.center_code == center,
                HelpBooking.day == day,
                HelpBooking.status != CANCELLED,
            )
            .group_by(HelpBooking.slot)
        ).all()
    taken = {str(slot): int(n) for slot, n in rows}
    return [SlotAvailability(slot, rules.capacity, int(taken.get(slot, 0))) for slot in rules.slots]


def _refuse_a_second_booking_that_day(
    session: Session, phone_hash: str, applicant_id: int | None, day: date
) -> None:
    """At most one active booking per phone, and per signed-in person, a day (one caller cannot take every
    seat); the partial unique indexes hold the rule under races."""
    same = HelpBooking.phone_hash == phone_hash
    if applicant_id is not None:
        same = or_(same, HelpBooking.applicant_id == applicant_id)
    found = session.scalars(
        select(HelpBooking.reference_no).where(same, HelpBooking.day == day, HelpBooking.status == ACTIVE)
    ).first()
    if found is not None:
        raise HelpInputError(
            "phone",
            "이 휴대폰 번호(또는 본인)로 그날 예약이 이미 있어요. "
            "시간을 바꾸려면 먼저 그 예약을 취소해 주세요.",
            "There is already a booking for that day with this phone (or for you). To change the time, "
            "cancel that booking first.",
            InputErrorCode.HELP_ALREADY_BOOKED,
        )


def book_help(
    platform: Platform,
    directory: HelpDirectory,
    actor: Actor | None,
    *,
    channel: str,
    region_group: str | None,
    day: date,
    slot: str,
    name: str,
    phone: str,
    topic: str,
) -> BookingReceipt:
    """Book a callback or a visit; returns the receipt (with its reference number).

    ``actor``: the signed-in applicant (linked to the booking), or None for a booking without an account.
    """
    center = _center_code(directory, channel, region_group)
    kind: Channel = "callback" if channel == "callback" else "visit"
    rules = directory.rules(kind)
    check_day(platform, directory, day)
    if slot not in rules.slots:
        raise HelpInputError("slot", "목록에 있는 시간을 골라 주세요.", "Choose one of the listed times.")
    chosen_topic = directory.topic(topic)
    if chosen_topic is None:
        raise HelpInputError("topic", "상담 주제를 골라 주세요.", "Choose what the help is about.")
    cleaned_name = _check_name(name)
    digits = normalize_any_phone(phone)
    applicant_id = _applicant_id(actor)
    vault = platform.vault
    with platform.sessions.begin() as session:
        if applicant_id is not None and session.get(Applicant, applicant_id) is None:
            raise NotFound("applicant", applicant_id)
        where = (
            HelpBooking.channel == kind,
            HelpBooking.center_code == center,
            HelpBooking.day == day,
            HelpBooking.slot == slot,
        )
        phone_hash = vault.lookup_hash(digits)
        _refuse_a_second_booking_that_day(session, phone_hash, applicant_id, day)
        taken = set(
            session.scalars(select(HelpBooking.seat_no).where(*where, HelpBooking.status != CANCELLED))
        )
        booking: HelpBooking | None = None
        for seat in range(1, rules.capacity + 1):
            if seat in taken:
                continue
            candidate = HelpBooking(
                reference_no=_new_reference(session, platform.today()),
                channel=kind,
                center_code=center,
                day=day,
                slot=slot,
                seat_no=seat,
                topic=chosen_topic.code,
                applicant_id=applicant_id,
                name_encrypted=vault.encrypt(cleaned_name),
                phone_encrypted=vault.encrypt(digits),
                phone_masked=mask_phone(digits),
                phone_hash=phone_hash,
                status=ACTIVE,
            )
            try:
                with session.begin_nested():  # a seat taken by a racing booking: try the next one
                    session.add(candidate)
            except IntegrityError:
                # or a racing booking of the same phone or person that day, which the indexes refuse
                _refuse_a_second_booking_that_day(session, phone_hash, applicant_id, day)
                continue
            booking = candidate
            break
        if booking is None:
            raise Conflict(
                "HELP_SLOT_FULL",
                f"{day.isoformat()} {slot} is fully booked ({rules.capacity} per slot); choose another time",
            )
        audit(
            session,
            actor if applicant_id is not None and actor is not None else PUBLIC,
            "help.booked",
            "help_booking",
            booking.id,
            after={
                "reference_no": booking.reference_no,
                "channel": kind,
                "center_code": center,
                "day": day.isoformat(),
                "slot": slot,
                "seat_no": booking.seat_no,
                "topic": chosen_topic.code,
                "phone": booking.phone_masked,
                "applicant_id": applicant_id,
            },
            reason="offline help booking",
        )
        return BookingReceipt(
            reference_no=booking.reference_no,
            channel=kind,
            center_code=center,
            group=directory.group(center),
            day=day,
            slot=slot,
            topic=chosen_topic,
            name_masked=mask_name(cleaned_name),
            phone_masked=booking.phone_masked,
            status=booking.status,
            linked_to_applicant=applicant_id is not None,
        )


def cancel_booking(
    platform: Platform, directory: HelpDirectory, actor: Actor | None, reference_no: str, phone_last4: str
) -> BookingReceipt:
    """Cancel a booking: the person proves it is theirs with the last four digits of the phone they booked
    with. ``HelpInputError`` on ``phone_last4`` for a malformed or wrong answer (the same message either
    way, never the phone), ``Conflict HELP_NOT_CANCELLABLE`` for a past, done or cancelled booking."""
    wrong = HelpInputError(
        "phone_last4",
        "예약할 때 적은 전화번호의 마지막 4자리를 확인해 주세요.",
        "Check the last 4 digits of the phone number you booked with.",
    )
    answer = phone_last4.strip()
    if not _LAST4.match(answer):
        raise wrong
    if len(reference_no) > 24:
        raise NotFound("help booking", "?")
    refusal: HelpInputError | None = None
    with platform.sessions.begin() as session:
        row = locked_row(session, HelpBooking, HelpBooking.reference_no, reference_no, "help booking")
        refused = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.entity_type == "help_booking",
                AuditEvent.entity_id == str(row.id),
                AuditEvent.action == "help.cancel_refused",
            )
        )
        if (refused or 0) >= MAX_CANCEL_ATTEMPTS:
            raise Conflict(
                "HELP_CANCEL_LOCKED",
                f"{MAX_CANCEL_ATTEMPTS} wrong answers: cancel this booking by calling 1397",
            )
        digits = platform.vault.decrypt(row.phone_encrypted)
        if not hmac.compare_digest(digits[-4:].encode("ascii"), answer.encode("ascii")):
            # kept (this transaction commits), and counted under the row lock, so racing guesses add up
            audit(
                session,
                actor if _applicant_id(actor) is not None and actor is not None else PUBLIC,
                "help.cancel_refused",
                "help_booking",
                row.id,
                reason="wrong last 4 digits of the booking phone",
            )
            refusal = wrong
    if refusal is not None:
        raise refusal
    with platform.sessions.begin() as session:
        row = session.scalars(
            select(HelpBooking).where(HelpBooking.reference_no == reference_no).with_for_update()
        ).one()
        if row.status != ACTIVE:
            raise Conflict("HELP_NOT_CANCELLABLE", f"the booking is {row.status}, not booked")
        if row.day < platform.today():
            raise Conflict("HELP_NOT_CANCELLABLE", f"the booking was for {row.day.isoformat()}, a past day")
        seat = row.seat_no
        row.status = CANCELLED
        row.seat_no = -row.id  # the seat is free for others; -id keeps the unique constraint satisfied
        applicant_id = _applicant_id(actor)
        audit(
            session,
            actor if applicant_id is not None and actor is not None else PUBLIC,
            "help.cancelled",
            "help_booking",
            row.id,
            before={"status": ACTIVE, "seat_no": seat},
            after={"status": CANCELLED, "seat_no": row.seat_no},
            reason="cancelled online with the booking phone's last 4 digits",
        )
        session.flush()
        return _receipt(platform, directory, row)


def get_booking(platform: Platform, directory: HelpDirectory, reference_no: str) -> BookingReceipt:
    """A booking by its reference number (unguessable), personal data masked; NotFound otherwise."""
    if len(reference_no) > 24:
        raise NotFound("help booking", "?")
    with platform.sessions() as session:
        row = session.scalars(select(HelpBooking).where(HelpBooking.reference_no == reference_no)).first()
        if row is None:
            raise NotFound("help booking", reference_no)
        return _receipt(platform, directory, row)


def bookings_of(platform: Platform, directory: HelpDirectory, actor: Actor) -> list[BookingReceipt]:
    """The signed-in applicant's bookings, soonest first."""
    applicant_id = _applicant_id(actor)
    if applicant_id is None:
        return []
    with platform.sessions() as session:
        rows = session.scalars(
            select(HelpBooking)
            .where(HelpBooking.applicant_id == applicant_id)
            .order_by(HelpBooking.day, HelpBooking.slot, HelpBooking.id)
        ).all()
        return [_receipt(platform, directory, row) for row in rows]


def _receipt(platform: Platform, directory: HelpDirectory, row: HelpBooking) -> BookingReceipt:
    topic = directory.topic(row.topic) or Topic(row.topic, row.topic, row.topic)
    return BookingReceipt(
        reference_no=row.reference_no,
        channel="callback" if row.channel == "callback" else "visit",
        center_code=row.center_code,
        group=directory.group(row.center_code),
        day=row.day,
        slot=row.slot,
        topic=topic,
        name_masked=mask_name(platform.vault.decrypt(row.name_encrypted)),
        phone_masked=row.phone_masked,
        status=row.status,
        linked_to_applicant=row.applicant_id is not None,
    )


def _new_reference(session: Session, today: date) -> str:
    """H + booking date + 8 characters of 40 random bits (unguessable; uniqueness is the schema's)."""
    while True:
        code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        number = f"H{today:%y%m%d}-{code}"
        found = session.scalars(select(HelpBooking.id).where(HelpBooking.reference_no == number)).first()
        if found is None:
            return number
