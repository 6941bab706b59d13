"""Close of business on recourse debts (both databases): a missed plan payment is noticed once through the
outbox, a plan past the rule's days behind lapses with its reason and an audit row, and the debtor's online
requests are decided by data/recourse_rules.toml (a recent lapse among the reasons)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from builders import make_recourse_debt
from seomin.adapters.db.models import AuditEvent, RecourseDebt, RecoursePlan, RecourseStanding
from seomin.domain.recourse_servicing import payments_covered, payments_due, plan_progress
from seomin.services.close_of_business import run_close_of_business
from seomin.services.errors import Conflict, InputError, NotFound
from seomin.services.notifications import messages_to
from seomin.services.platform import Actor, ActorType, Platform
from seomin.services.recourse import grant_installment_plan
from seomin.services.recourse.repayments import record_counter_repayment
from seomin.services.recourse.requests import request_arrangement

COUNSELOR = Actor(ActorType.STAFF, "7", role="counselor")
PHONE = "01012345678"  # the builders' applicants


def debtor_of(platform: Platform, debt_id: int) -> Actor:
    with platform.sessions() as session:
        return Actor(ActorType.APPLICANT, str(session.get_one(RecourseDebt, debt_id).applicant_id))


def on(platform: Platform, day: date) -> None:
    platform.today = lambda: day


def texts(platform: Platform) -> list[str]:
    return [m.template_id for m in messages_to(platform, PHONE, 50)]


def test_a_missed_payment_is_noticed_once_and_the_plan_lapses_past_the_rule(platform: Platform) -> None:
    debt_id = make_recourse_debt(platform, amount=1_200_000)
    on(platform, date(2025, 3, 10))
    plan = grant_installment_plan(platform, COUNSELOR, debt_id, 12, date(2025, 3, 10))
    record_counter_repayment(platform, COUNSELOR, debt_id, 100_000, date(2025, 3, 10), "first")
    on(platform, date(2025, 4, 10))
    stats = run_close_of_business(platform, date(2025, 4, 10))  # payment 2 is due today: not late yet
    assert (stats["recourse_on_plan"], stats["recourse_behind"], stats["recourse_notices"]) == (1, 1, 0)
    on(platform, date(2025, 4, 11))
    assert run_close_of_business(platform, date(2025, 4, 11))["recourse_notices"] == 1
    on(platform, date(2025, 4, 12))
    assert run_close_of_business(platform, date(2025, 4, 12))["recourse_notices"] == 0  # once per payment
    assert texts(platform) == ["recourse_payment_missed"]
    (message,) = messages_to(platform, PHONE)
    assert "2회차(2025.04.10, 100,000원)" in message.text
    with platform.sessions() as session:
        standing = session.get_one(RecourseStanding, debt_id)
        assert (standing.behind, standing.arrears, standing.days_behind, standing.noticed_no) == (
            1,
            100_000,
            2,
            2,
        )

    on(platform, date(2025, 7, 8))  # 89 days after 04-10: not yet
    stats = run_close_of_business(platform, date(2025, 7, 8))
    assert (
        stats["recourse_plans_lapsed"] == 0 and stats["recourse_notices"] == 1
    )  # the latest missed, payment 4 (06-10)
    on(platform, date(2025, 7, 9))  # 90 days
    stats = run_close_of_business(platform, date(2025, 7, 9))
    assert stats["recourse_plans_lapsed"] == 1
    with platform.sessions() as session:
        assert session.get_one(RecourseDebt, debt_id).status == "open"
        assert session.get_one(RecoursePlan, plan.id).status == "lapsed"
        standing = session.get_one(RecourseStanding, debt_id)
        assert (standing.days_behind, standing.last_lapsed_on) == (0, date(2025, 7, 9))
        lapse = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "recourse_debt.plan_lapsed")
        ).one()
        assert lapse.entity_id == str(debt_id) and "RECOURSE_PLAN_LAPSED" in lapse.reason
    assert texts(platform)[0] == "recourse_plan_lapsed"

    debtor = debtor_of(platform, debt_id)
    refused = request_arrangement(platform, debtor, debt_id, "installment_plan", 70)
    assert refused.decision == "declined" and refused.plan is None
    assert [r.code for r in refused.reasons] == [  # every reason at once
        "RECOURSE_PLAN_TOO_LONG_ONLINE",
        "RECOURSE_MONTHLY_TOO_SMALL",
        "RECOURSE_RECENT_LAPSE",
    ]
    assert "1397" in refused.reasons[0].message_ko and "60" in refused.reasons[0].message_en
    deferral = request_arrangement(platform, debtor, debt_id, "deferral", 6, "unemployment")
    assert deferral.decision == "granted" and deferral.plan is not None and deferral.plan.months == 6
    with pytest.raises(Conflict):
        request_arrangement(platform, debtor, debt_id, "deferral", 6, "unemployment")
    stranger = Actor(ActorType.APPLICANT, "999999")
    with pytest.raises(NotFound):
        request_arrangement(platform, stranger, debt_id, "deferral", 6, "illness")
    with pytest.raises(InputError) as no_reason:
        request_arrangement(platform, debtor, debt_id, "deferral", 6, "")
    assert no_reason.value.field == "hardship"


def test_online_plan_granted_and_small_payments_refused(platform: Platform) -> None:
    debt_id = make_recourse_debt(platform, amount=600_000)
    debtor = debtor_of(platform, debt_id)
    small = request_arrangement(platform, debtor, debt_id, "installment_plan", 24)
    assert [r.code for r in small.reasons] == ["RECOURSE_MONTHLY_TOO_SMALL"]
    assert "25,000원" in small.reasons[0].message_ko
    granted = request_arrangement(platform, debtor, debt_id, "installment_plan", 12)
    assert granted.decision == "granted" and granted.plan is not None
    assert (granted.plan.monthly_amount, granted.plan.status) == (50_000, "in_force")
    assert [r.code for r in granted.reasons] == ["RECOURSE_REQUEST_GRANTED"]


@pytest.mark.parametrize(
    ("start", "months", "on", "paid", "balance"),
    [
        (date(2025, 1, 31), 24, date(2025, 3, 30), 0, 2_400_000),
        (date(2025, 1, 31), 24, date(2025, 3, 31), 150_000, 2_250_000),
        (date(2025, 1, 31), 3, date(2026, 1, 1), 66_666, 33_334),
        (date(2025, 5, 15), 6, date(2025, 5, 14), 0, 600_000),
        (date(2024, 2, 29), 12, date(2025, 2, 28), 0, 1_200_000),
    ],
)
def test_the_close_of_business_arithmetic_is_the_plan_progress(
    start: date, months: int, on: date, paid: int, balance: int
) -> None:
    monthly = (paid + balance) // months
    progress = plan_progress(start, months, monthly, paid, balance, on)
    assert payments_due(start, months, on) == progress.due
    assert payments_covered(months, monthly, paid, balance) == progress.covered
