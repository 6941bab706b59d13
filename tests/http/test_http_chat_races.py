"""Real concurrent requests on the contact center (live uvicorn, SQLite and PostgreSQL): two counselors
taking one waiting chat at the same moment get one chat each way: exactly one takes it, the other is told
it is taken (409); two recording a booking's outcome at once record it once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select
from test_http_concurrency import ROUNDS, live, race

from builders import book_callback
from seomin.adapters.db.models import AuditEvent, Chat, HelpBooking
from seomin.services.identity import create_staff_user
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
__all__ = ["live"]  # the served app fixture, shared


@pytest.fixture()
def counselors(live: str, platform: Platform) -> Iterator[list[httpx.Client]]:
    clients = []
    for name in ("counselor-a", "counselor-b"):
        create_staff_user(platform, name, name, "a long enough secret", "counselor")
        client = httpx.Client(base_url=live, timeout=30)
        answer = client.post("/staff/login", data={"username": name, "password": "a long enough secret"})
        assert answer.status_code in (200, 303), answer.text
        clients.append(client)
    yield clients
    for client in clients:
        client.close()


def test_two_counselors_taking_one_chat_at_once(
    live: str, counselors: list[httpx.Client], platform: Platform
) -> None:
    for _ in range(ROUNDS):
        with httpx.Client(base_url=live) as visitor:
            opened = visitor.post("/chat", data={"topic": "other", "body": "도와주세요"})
            chat_id = int(opened.headers["location"].rsplit("/", 1)[1])
        answers = race(*(_take(client, chat_id) for client in counselors))
        assert sorted(r.status_code for r in answers) == [303, 409]
        with platform.sessions() as session:
            taken = session.scalar(
                select(func.count()).where(
                    AuditEvent.action == "chat.taken", AuditEvent.entity_id == str(chat_id)
                )
            )
            assert taken == 1 and session.get_one(Chat, chat_id).status == "active"


def _take(client: httpx.Client, chat_id: int) -> Callable[[], httpx.Response]:
    return lambda: client.post(f"/staff/chats/{chat_id}/take")


def test_two_outcomes_recorded_at_once_on_one_booking(
    live: str, counselors: list[httpx.Client], platform: Platform
) -> None:
    receipt = book_callback(platform)
    platform.today = lambda: date(2025, 5, 16)
    with platform.sessions() as session:
        booking_id = session.scalars(
            select(HelpBooking.id).where(HelpBooking.reference_no == receipt.reference_no)
        ).one()
    a, b = counselors
    answers = race(
        lambda: a.post(
            f"/staff/bookings/{booking_id}/outcome", data={"outcome": "done"}, follow_redirects=False
        ),
        lambda: b.post(
            f"/staff/bookings/{booking_id}/outcome", data={"outcome": "no_show"}, follow_redirects=False
        ),
    )
    assert sorted(r.status_code for r in answers) == [303, 409]
    with platform.sessions() as session:
        recorded = session.scalar(select(func.count()).where(AuditEvent.action == "booking.outcome"))
        assert recorded == 1
