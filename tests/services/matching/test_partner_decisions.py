"""Partner lenders' decisions through the real database: bands only, checked against the product's terms,
and approvals feeding what matching shows of similar users on partner products."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from matching_profile import PROFILE
from seomin.adapters.db.models import AuditEvent, PartnerDecision
from seomin.services.errors import Forbidden, InputError
from seomin.services.matching import (
    MIN_K,
    DecisionReport,
    match_loans,
    record_partner_decision,
    refresh_outcomes,
)
from seomin.services.platform import SYSTEM, Actor, ActorType, Platform

BANK = Actor(ActorType.BANK, "kwangju")
DAY = date(2025, 5, 1)


def approval(**changes: Any) -> DecisionReport:
    base = DecisionReport("sainddol-bank", DAY, True, kcb_score=640, annual_income=28_000_000)
    return replace(base, **({"amount": 10_000_000, "rate_bp": 800} | changes))


def test_a_decision_keeps_bands_only_and_feeds_the_match(platform: Platform) -> None:
    for i in range(MIN_K):
        receipt = record_partner_decision(platform, BANK, approval(rate_bp=700 + 50 * i))
    assert (receipt.score_band, receipt.income_band) == ("600–649", "2,000–3,000만")
    record_partner_decision(platform, BANK, approval(approved=False, amount=None, rate_bp=None))
    with platform.sessions() as session:
        rows = session.scalars(select(PartnerDecision)).all()
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "matching.partner_decision")
        ).all()
    assert len(rows) == MIN_K + 1 and len(events) == MIN_K + 1
    assert all("640" not in str(e.after) and "28000000" not in str(e.after) for e in events)

    assert refresh_outcomes(platform, SYSTEM).loans == MIN_K  # approvals only
    result = match_loans(platform, Actor(ActorType.PUBLIC, "t"), PROFILE, consent=True, as_of=DAY)
    sainddol = next(o for o in result.options if o.product_id == "sainddol-bank")
    assert sainddol.similar is not None and sainddol.similar.scope == "similar"
    assert (sainddol.similar.rate_min_bp, sainddol.similar.rate_median_bp) == (700, 800)
    assert sainddol.codes[-1] == "MATCH_SIMILAR_OUTCOMES"


@pytest.mark.parametrize(
    ("report", "field"),
    [
        (approval(product="casino-loan"), "product"),
        (approval(amount=500_000), "amount"),
        (approval(rate_bp=1999), "rate_bp"),
        (approval(amount=None), "amount"),
        (approval(approved=False), "amount"),
        (approval(decided_on=date(2030, 1, 1)), "decided_on"),
    ],
)
def test_impossible_reports_are_refused_without_writing(
    platform: Platform, report: DecisionReport, field: str
) -> None:
    with pytest.raises(InputError) as bad:
        record_partner_decision(platform, BANK, report)
    assert bad.value.field == field
    with pytest.raises(Forbidden):
        record_partner_decision(platform, SYSTEM, approval())
    with platform.sessions() as session:
        assert session.scalars(select(PartnerDecision)).all() == []
