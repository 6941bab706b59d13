"""The notifier on the close of business's own events (SQLite and PostgreSQL): an on-time borrower's
anniversary step-down is announced with the new rate, once; the day an additional loan opens, the reminder
step says so, once."""

from __future__ import annotations

from datetime import date

from test_close_of_business import loan_row, make_loan, pay_through

from seomin.services.close_of_business import run_close_of_business
from seomin.services.notifications import messages_to, notify_events, queue_reminders
from seomin.services.platform import Platform

PHONE = "01012345678"  # builders.make_applicant's


def test_a_step_down_and_an_additional_loan_are_announced_once(platform: Platform) -> None:
    platform.today = lambda: date(2025, 6, 3)
    made = make_loan(platform, executed_on=date(2024, 6, 3))
    pay_through(platform, made.id, date(2025, 6, 3))
    run_close_of_business(platform, date(2025, 6, 3))
    notify_events(platform)
    notify_events(platform)
    (stepped,) = [m for m in messages_to(platform, PHONE) if m.template_id == "step_down_earned"]
    assert "연 14.4%로 내려갔습니다" in stepped.text
    opens = loan_row(platform, made.id).additional_loan_from
    assert opens is not None
    assert queue_reminders(platform, opens) >= 1
    assert queue_reminders(platform, opens) == 0
    assert [m.template_id for m in messages_to(platform, PHONE)].count("additional_loan_open") == 1
