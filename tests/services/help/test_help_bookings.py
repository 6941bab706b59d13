"""Offline help bookings (services.help_bookings) on SQLite and PostgreSQL: the seed-004 directory as data,
business days only, a slot's capacity holding when more bookings than seats race for it, and cancelling
online with the phone's last four digits, which frees the seat."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from test_applicant_overview import person

from seomin.adapters.db.models import AuditEvent, HelpBooking
from seomin.adapters.support_centers import (
    SupportCentersError,
    default_support_centers,
    parse_support_centers,
)
from seomin.domain.regions import REGIONS
from seomin.services.errors import Conflict, NotFound
from seomin.services.help import (
    HelpInputError,
    book_help,
    bookable_days,
    bookings_of,
    cancel_booking,
    check_day,
    get_booking,
    slot_availability,
)
from seomin.services.platform import Actor, ActorType, Platform

DIRECTORY = default_support_centers()
FRIDAY = date(2025, 5, 16)  # the platform fixture's today is Thursday 2025-05-15


def booking(platform: Platform, actor: Actor | None = None, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "channel": "visit",
        "region_group": "busan-gyeongnam",
        "day": FRIDAY,
        "slot": "10:30",
        "name": "김도움",
        "phone": "010-1357-2468",
        "topic": "apply",
        **changes,
    }
    return book_help(platform, DIRECTORY, actor, **values)


def test_the_directory_keeps_seed_004_figures_as_printed() -> None:
    assert DIRECTORY.printed_total == 41  # the seed's total ...
    assert DIRECTORY.seed_sum == 50  # ... and the sum of its regional counts: they disagree, both kept
    assert {g.name_ko: g.centers for g in DIRECTORY.groups} == {
        "서울/강원": 10,
        "경기/인천": 13,
        "대전/충청": 6,
        "대구/경북": 6,
        "부산/경남": 7,
        "광주/전라/제주": 8,
    }
    covered = sorted(r for g in DIRECTORY.groups for r in g.regions)
    assert covered == sorted(REGIONS)  # every 시도 in exactly one group
    assert DIRECTORY.group_of_region("울산광역시") is DIRECTORY.group("busan-gyeongnam")
    assert "41개 센터" in DIRECTORY.source
    with pytest.raises(SupportCentersError, match="capacity"):
        parse_support_centers({"callback": {"slots": ["09:00"]}})


def test_only_business_days_from_tomorrow_within_the_window(platform: Platform) -> None:
    days = bookable_days(platform, DIRECTORY)
    assert days[0] == FRIDAY and days[-1] == date(2025, 5, 29)
    assert date(2025, 5, 17) not in days and date(2025, 5, 18) not in days  # the weekend
    for day, words in (
        (date(2025, 5, 14), "지난 날짜"),
        (date(2025, 5, 15), "오늘"),
        (date(2025, 5, 17), "주말"),
        (date(2025, 5, 30), "14일 이내"),
    ):
        with pytest.raises(HelpInputError) as refused:
            check_day(platform, DIRECTORY, day)
        assert refused.value.field == "day" and words in refused.value.message_ko
    platform.today = lambda: date(2025, 5, 30)
    with pytest.raises(HelpInputError) as holiday:
        booking(platform, day=date(2025, 6, 6))
    assert "현충일" in holiday.value.message_ko
    assert date(2025, 6, 3) not in bookable_days(platform, DIRECTORY)  # election day


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"region_group": "mars"}, "region_group"),
        ({"slot": "10:00"}, "slot"),  # a callback slot, not a visit slot
        ({"topic": "lottery"}, "topic"),
        ({"name": "김1"}, "name"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_bad_input_names_the_field(platform: Platform, changes: dict[str, str], field: str) -> None:
    with pytest.raises(HelpInputError) as refused:
        booking(platform, **changes)
    assert refused.value.field == field
    with platform.sessions() as session:
        assert session.scalars(select(HelpBooking)).first() is None


def test_a_booking_is_encrypted_audited_and_found_by_reference(platform: Platform) -> None:
    receipt = booking(platform, phone="02-123-4567")
    assert receipt.reference_no.startswith("H250515-") and receipt.phone_masked == "02-****-4567"
    assert receipt.name_masked == "김*움" and not receipt.linked_to_applicant
    with platform.sessions() as session:
        row = session.scalars(select(HelpBooking)).one()
        assert "4567" not in row.phone_encrypted and "김도움" not in row.name_encrypted
        assert platform.vault.decrypt(row.phone_encrypted) == "021234567"
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "help.booked")).one()
        assert event.after is not None and event.after["reference_no"] == receipt.reference_no
        assert (event.actor_type, event.actor_id) == ("public", "web")
    assert get_booking(platform, DIRECTORY, receipt.reference_no) == receipt
    with pytest.raises(NotFound):
        get_booking(platform, DIRECTORY, "H250515-NOTTHERE")


def test_a_signed_in_applicant_is_linked(platform: Platform) -> None:
    actor = person(platform, "850301-1234567")
    receipt = booking(platform, actor, channel="callback", region_group=None, slot="10:00")
    assert receipt.linked_to_applicant and receipt.center_code == "1397"
    assert [b.reference_no for b in bookings_of(platform, DIRECTORY, actor)] == [receipt.reference_no]
    assert bookings_of(platform, DIRECTORY, Actor(ActorType.STAFF, "1", role="counselor")) == []


@pytest.mark.parametrize(
    ("channel", "group", "slot"), [("visit", "seoul-gangwon", "14:30"), ("callback", None, "09:00")]
)
def test_capacity_holds_when_one_more_booking_than_seats_races(
    platform: Platform, channel: str, group: str | None, slot: str
) -> None:
    capacity = DIRECTORY.rules("visit" if channel == "visit" else "callback").capacity
    barrier = threading.Barrier(capacity + 1)

    def attempt(i: int) -> str:
        barrier.wait()
        try:
            return booking(
                platform, channel=channel, region_group=group, slot=slot, phone=f"010-1000-{i:04d}"
            ).reference_no
        except Conflict as exc:
            return exc.code

    with ThreadPoolExecutor(capacity + 1) as pool:
        outcomes = list(pool.map(attempt, range(capacity + 1)))
    assert outcomes.count("HELP_SLOT_FULL") == 1
    with platform.sessions() as session:
        seats = session.scalars(select(HelpBooking.seat_no).where(HelpBooking.slot == slot)).all()
    assert sorted(seats) == list(range(1, capacity + 1))
    left = {s.slot: s.remaining for s in slot_availability(platform, DIRECTORY, channel, group, FRIDAY)}
    assert left[slot] == 0 and all(v == capacity for k, v in left.items() if k != slot)
    other_group = booking(platform, region_group="daegu-gyeongbuk", slot="14:30")  # capacity is per group
    assert other_group.reference_no


def seats_of(platform: Platform, slot: str) -> dict[str, tuple[int, str]]:
    with platform.sessions() as session:
        rows = session.scalars(select(HelpBooking).where(HelpBooking.slot == slot)).all()
        return {r.reference_no: (r.seat_no, r.status) for r in rows}


def test_cancelling_frees_the_seat_of_a_full_slot_for_a_new_booking(platform: Platform) -> None:
    capacity = DIRECTORY.rules("visit").capacity
    booked = [booking(platform, phone=f"010-2000-{i:04d}") for i in range(capacity)]
    with pytest.raises(Conflict) as full:
        booking(platform, phone="010-3000-0000")
    assert full.value.code == "HELP_SLOT_FULL"
    middle = booked[capacity // 2]
    seat = seats_of(platform, "10:30")[middle.reference_no][0]

    cancelled = cancel_booking(platform, DIRECTORY, None, middle.reference_no, f"{capacity // 2:04d}")
    assert cancelled.status == "cancelled" and cancelled.reference_no == middle.reference_no
    left = {
        s.slot: s.remaining
        for s in slot_availability(platform, DIRECTORY, "visit", "busan-gyeongnam", FRIDAY)
    }
    assert left["10:30"] == 1
    newcomer = booking(platform, phone="010-3000-0000")  # takes the freed seat
    seats = seats_of(platform, "10:30")
    assert seats[newcomer.reference_no] == (seat, "booked")
    assert seats[middle.reference_no][1] == "cancelled" and seats[middle.reference_no][0] < 0
    assert sorted(s for s, status in seats.values() if status == "booked") == list(range(1, capacity + 1))
    with pytest.raises(Conflict):
        booking(platform, phone="010-3000-0001")  # full again
    with platform.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "help.cancelled")).one()
        assert event.before == {"status": "booked", "seat_no": seat}
        assert (event.actor_type, event.actor_id) == ("public", "web")  # anonymous, never SYSTEM
        assert event.after is not None and event.after["status"] == "cancelled"
    assert get_booking(platform, DIRECTORY, middle.reference_no).status == "cancelled"


@pytest.mark.parametrize("answer", ["2469", "246", "24681", "abcd", "", "4672"])
def test_wrong_digits_are_refused_without_telling_the_phone(platform: Platform, answer: str) -> None:
    receipt = booking(platform)  # phone 010-1357-2468
    with pytest.raises(HelpInputError) as refused:
        cancel_booking(platform, DIRECTORY, None, receipt.reference_no, answer)
    assert refused.value.field == "phone_last4"
    assert "2468" not in refused.value.message_ko + refused.value.message_en
    assert get_booking(platform, DIRECTORY, receipt.reference_no).status == "booked"


def test_online_cancellation_locks_after_five_wrong_answers(platform: Platform) -> None:
    receipt = booking(platform)  # phone 010-1357-2468
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        with pytest.raises(HelpInputError):
            cancel_booking(platform, DIRECTORY, None, receipt.reference_no, guess)
    with pytest.raises(Conflict) as locked:
        cancel_booking(platform, DIRECTORY, None, receipt.reference_no, "2468")  # right, but too late
    assert locked.value.code == "HELP_CANCEL_LOCKED"
    assert get_booking(platform, DIRECTORY, receipt.reference_no).status == "booked"
    with platform.sessions() as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "help.cancel_refused")).all()
    assert len(refused) == 5 and {e.actor_type for e in refused} == {"public"}
    malformed = booking(platform, slot="14:30", phone="010-2222-2468")  # one booking a phone a day
    for _ in range(6):  # a malformed answer is not a guess
        with pytest.raises(HelpInputError):
            cancel_booking(platform, DIRECTORY, None, malformed.reference_no, "12")
    assert cancel_booking(platform, DIRECTORY, None, malformed.reference_no, "2468").status == "cancelled"


def test_a_past_or_cancelled_booking_cannot_be_cancelled(platform: Platform) -> None:
    actor = person(platform, "850301-1234567")
    receipt = booking(platform, actor)
    cancel_booking(platform, DIRECTORY, actor, receipt.reference_no, " 2468 ")
    with pytest.raises(Conflict) as again:
        cancel_booking(platform, DIRECTORY, actor, receipt.reference_no, "2468")
    assert again.value.code == "HELP_NOT_CANCELLABLE"
    later = booking(platform)
    platform.today = lambda: date(2025, 5, 19)  # the Friday has passed
    with pytest.raises(Conflict, match="past day"):
        cancel_booking(platform, DIRECTORY, None, later.reference_no, "2468")
    with pytest.raises(NotFound):
        cancel_booking(platform, DIRECTORY, None, "H250515-NOTTHERE", "2468")
    with platform.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "help.cancelled")).one()
        assert event.actor_type == "applicant" and event.actor_id == actor.id


def test_one_active_booking_per_phone_and_per_person_a_day(platform: Platform) -> None:
    """One caller cannot take every seat: a second booking that day, by phone or by the signed-in person, is
    refused beside the phone field; another day, or after a cancellation, is fine."""
    first = booking(platform)
    with pytest.raises(HelpInputError) as again:
        booking(platform, slot="14:30", channel="visit")
    assert again.value.field == "phone" and again.value.code == "HELP_ALREADY_BOOKED"
    assert booking(platform, day=FRIDAY + timedelta(days=3)).reference_no  # Monday
    cancel_booking(platform, DIRECTORY, None, first.reference_no, "2468")
    assert booking(platform, slot="14:30").reference_no
    actor = person(platform, "850301-1234567")
    booking(platform, actor, phone="010-3333-0001", day=FRIDAY + timedelta(days=4))
    with pytest.raises(HelpInputError):  # the same person with another phone
        booking(platform, actor, phone="010-3333-0002", day=FRIDAY + timedelta(days=4), slot="14:30")


def test_racing_bookings_of_one_phone_leave_one(platform: Platform) -> None:
    barrier = threading.Barrier(4)

    def attempt(slot: str) -> str:
        barrier.wait()
        try:
            return booking(platform, slot=slot).reference_no
        except HelpInputError as exc:
            return exc.code

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(attempt, ["09:30", "10:30", "13:30", "14:30"]))
    assert outcomes.count("HELP_ALREADY_BOOKED") == 3
