"""The lifecycle's messages on both databases: what people do through HTTP is audited, the notifier turns
those events into versioned messages once each, and the daily step queues the reminders once each; every
text is fraud-safe (no link but the agency's, never a request for money or an app)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from test_http_applicant import PHONE, approved_certificate, bank_key
from test_http_bank import credentials

from seomin.adapters.notification_templates import default_templates
from seomin.adapters.support_centers import default_support_centers
from seomin.services.close_of_business import run_close_of_business
from seomin.services.help.bookings import book_help, cancel_booking
from seomin.services.notifications import messages_to, notify_events, queue_reminders
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
CALLER = "010-1357-2468"


def templates_to(platform: Platform, phone: str) -> list[str]:
    sent = reversed(messages_to(platform, phone.replace("-", ""), limit=50))
    return [m.template_id for m in sent if m.template_id != "identity_code"]


def book(platform: Platform, day: date) -> str:
    receipt = book_help(
        platform,
        default_support_centers(),
        None,
        channel="visit",
        region_group="busan-gyeongnam",
        day=day,
        slot="10:30",
        name="김도움",
        phone=CALLER,
        topic="apply",
    )
    return str(receipt.reference_no)


def test_events_and_reminders_queue_each_message_once(client: TestClient, platform: Platform) -> None:
    certificate = approved_certificate(client, platform)
    cancelled = book(platform, date(2025, 5, 16))
    cancel_booking(platform, default_support_centers(), None, cancelled, CALLER[-4:])
    book(platform, date(2025, 5, 16))
    queued = notify_events(platform)
    assert notify_events(platform) == 0  # the cursor moved: nothing read twice
    assert templates_to(platform, PHONE) == [
        "application_received",
        "application_approved",
        "certificate_issued",
    ]
    assert templates_to(platform, CALLER) == ["booking_confirmed", "booking_cancelled", "booking_confirmed"]
    assert queued == 6
    assert queue_reminders(platform, date(2025, 5, 15)) == 1  # tomorrow's booking
    assert queue_reminders(platform, date(2025, 5, 15)) == 0
    assert templates_to(platform, CALLER)[-1] == "booking_reminder"
    expires = date.fromisoformat(certificate["expires_on"])
    assert queue_reminders(platform, expires - timedelta(days=3)) == 1
    assert templates_to(platform, PHONE)[-1] == "certificate_expiring"
    key = bank_key(platform)
    loan = client.post(
        "/api/v1/bank/loans", json=credentials(certificate), headers={**key, "Idempotency-Key": "e"}
    )
    first_due = date.fromisoformat(loan.json()["first_due_date"])
    assert queue_reminders(platform, first_due - timedelta(days=3)) == 1
    (due,) = [m for m in messages_to(platform, PHONE.replace("-", "")) if m.template_id == "payment_due"]
    assert f"{loan.json()['first_payment']:,}원" in due.text and first_due.isoformat() in due.text
    late = first_due + timedelta(days=5)
    platform.today = lambda: late
    assert run_close_of_business(platform, late)["became_delinquent"] == 1
    notify_events(platform)
    missed = [
        m.text for m in messages_to(platform, PHONE.replace("-", "")) if m.template_id == "payment_missed"
    ]
    assert len(missed) == 1 and "일 늦었습니다" in missed[0]
    official = re.compile(r"https?://|www\.")
    for message in messages_to(platform, PHONE.replace("-", ""), limit=50) + messages_to(
        platform, CALLER.replace("-", "")
    ):
        assert message.text.startswith("[서민금융진흥원]")
        assert all(
            u.startswith("www.kinfa.or.kr")
            for u in [message.text[m.start() :] for m in official.finditer(message.text)]
        )
        assert not any(word in message.text for word in ("설치", "송금", "입금하", "이체하"))


def test_every_event_has_a_fraud_safe_template() -> None:
    """Loading checks every template (``domain.notifications.check_template``); here: all the events exist,
    and no text carries a link at all (the official domain is named, never linked) or asks for money."""
    book = default_templates()
    needed = {
        "identity_code",
        "booking_confirmed",
        "booking_reminder",
        "booking_cancelled",
        "application_received",
        "application_approved",
        "application_rejected",
        "certificate_issued",
        "certificate_expiring",
        "payment_due",
        "payment_missed",
        "step_down_earned",
        "additional_loan_open",
        "recourse_installment_due",
        "recourse_plan_lapsed",
        "fee_refund_due",
        "fee_refund_paid",
        "dormant_payout",
    }
    assert needed <= {t.id for t in book.templates}
    for template in book.templates:
        for text in (template.text_ko, template.text_en):
            assert "http" not in text.lower() and "설치" not in text and "송금" not in text
