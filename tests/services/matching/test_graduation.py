"""Graduation through the real database: faithful repayers are shown and told what now fits, once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from test_applications import PHONE, applicant

from matching_profile import loan_of
from seomin.adapters.db.models import AuditEvent
from seomin.services.matching import graduation_options, notify_graduates
from seomin.services.notifications import messages_to
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_a_faithful_repayer_of_a_year_sees_and_is_told_what_now_fits_once(platform: Platform) -> None:
    person = applicant(platform)
    loan_of(platform, int(person.id), date(2024, 4, 2))  # 13 months before the fixture's 2025-05-15
    shown = graduation_options(platform, person)
    assert [o.product_id for o in shown] == ["haessal-bank", "sainddol-bank", "sainddol-savings"]
    assert shown[0].codes == ("MATCH_PARTNER_FITS", "MATCH_PARTNER_BRIDGE")  # the bridge, and mainstream

    run = notify_graduates(platform)
    assert (run.looked_at, run.notified) == (1, 1)
    (message,) = messages_to(platform, PHONE.replace("-", ""))
    assert (
        message.template_id == "graduation_options"
        and "햇살론뱅크" in message.text
        and "13개월" in message.text
    )
    assert notify_graduates(platform).notified == 0  # told once
    with platform.sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "matching.graduation_notified")
        ).all()
    assert len(events) == 1 and events[0].after == {
        "products": ["haessal-bank@2024-01", "sainddol-bank@2024-01", "sainddol-savings@2025-01"],
        "months": 13,
    }


@pytest.mark.parametrize(
    ("executed_on", "changes"),
    [
        (date(2024, 9, 1), {}),  # eight months: not yet
        (date(2024, 4, 2), {"status": "delinquent", "days_past_due": 12}),  # in arrears
        (date(2024, 4, 2), {"status": "repaid", "principal_balance": 0}),  # nothing open to graduate from
    ],
)
def test_nobody_is_told_before_a_clean_year(
    platform: Platform, executed_on: date, changes: dict[str, object]
) -> None:
    person = applicant(platform)
    loan_of(platform, int(person.id), executed_on, **changes)
    assert graduation_options(platform, person) == []
    assert notify_graduates(platform).notified == 0
