"""맞춤대출 through the real database (SQLite and PostgreSQL): consent, what is kept, outcomes, open data."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from builders import make_loan
from matching_profile import PROFILE
from seomin.adapters.db.models import (
    Application,
    AuditEvent,
    Guarantee,
    Loan,
    MatchingOutcome,
    MatchingRequest,
)
from seomin.services.errors import InputError
from seomin.services.matching import (
    ALL,
    MIN_K,
    income_band_of,
    load_partner_products,
    match_loans,
    match_to_json,
    matching_open_data,
    refresh_outcomes,
    score_band_of,
)
from seomin.services.matching.partners import PartnerDataError
from seomin.services.platform import Actor, ActorType, Platform

VISITOR = Actor(ActorType.PUBLIC, "matching")
SUPERVISOR = Actor(ActorType.STAFF, "1", "supervisor")
DAY = date(2025, 5, 1)


def executed(
    platform: Platform, *, kcb: int | None, income: int, amount: int, rate_bp: int, bank: str
) -> None:
    """An executed loan whose application profile carries the score and income the statistics band."""
    loan_id = make_loan(platform, amount=amount, executed_on=date(2025, 3, 2), bank_code=bank)
    profile = {**PROFILE, "kcb_score": kcb, "annual_income": income}
    with platform.sessions.begin() as session:
        loan = session.get_one(Loan, loan_id)
        loan.base_rate_bp = rate_bp
        application = session.get_one(
            Application, session.get_one(Guarantee, loan.guarantee_id).application_id
        )
        application.profile_encrypted = platform.vault.encrypt(json.dumps(profile))


def test_matching_needs_consent_and_writes_nothing_without_it(platform: Platform) -> None:
    with pytest.raises(InputError) as refused:
        match_loans(platform, VISITOR, PROFILE, consent=False, as_of=DAY)
    assert refused.value.field == "consent"
    with pytest.raises(InputError) as bad:
        match_loans(platform, VISITOR, {**PROFILE, "kcb_score": 2000}, consent=True, as_of=DAY)
    assert bad.value.field == "profile.kcb_score"
    with platform.sessions() as session:
        assert session.scalars(select(MatchingRequest)).all() == []
        assert session.scalars(select(AuditEvent)).all() == []


def test_a_match_keeps_only_bands_and_what_was_shown_with_one_audit_event(platform: Platform) -> None:
    result = match_loans(platform, VISITOR, PROFILE, consent=True, as_of=DAY)
    assert result.options and result.options[0].rank == 1
    with platform.sessions() as session:
        (kept,) = session.scalars(select(MatchingRequest)).all()
        (event,) = session.scalars(select(AuditEvent)).all()
    assert (kept.score_band, kept.income_band) == ("600–649", "2,000–3,000만")
    assert kept.options == len(result.options) and kept.top_product == result.options[0].product_id
    assert event.action == "matching.matched" and event.entity_id == str(kept.id)
    assert event.after is not None and event.after["shown"] == [o.product_id for o in result.options]
    assert "28000000" not in json.dumps(event.after) and "1988" not in json.dumps(event.after)
    answer = match_to_json(result)
    assert answer["options"][0]["reasons"][0]["code"] in ("MATCH_PARTNER_FITS", "MATCH_POLICY_ELIGIBLE")


def test_bands_of_one_value_agree_with_the_analytics_bands() -> None:
    assert [score_band_of(s) for s in (None, 599, 600, 649, 650, 749, 750)] == [
        "미상", "600 미만", "600–649", "600–649", "650–699", "700–749", "750 이상",
    ]  # fmt: skip
    assert [income_band_of(i) for i in (0, 1, 20_000_000, 49_999_999, 50_000_000)] == [
        "소득 없음", "2,000만 미만", "2,000–3,000만", "4,000–5,000만", "5,000만 이상",
    ]  # fmt: skip


def test_outcomes_of_similar_people_are_k_anonymous_and_shown_in_the_match(platform: Platform) -> None:
    for i in range(MIN_K):  # five similar people at a bank
        executed(
            platform,
            kcb=640,
            income=28_000_000,
            amount=3_000_000 + i * 1_000_000,
            rate_bp=1490 + i * 10,
            bank="kwangju",
        )
    for _ in range(MIN_K - 1):  # four at a savings bank with a higher score: too few to show on their own
        executed(platform, kcb=700, income=35_000_000, amount=5_000_000, rate_bp=1590, bank="welcome-sb")
    summary = refresh_outcomes(platform, SUPERVISOR)
    assert summary.loans == 2 * MIN_K - 1
    with platform.sessions() as session:
        rows = {(r.sector, r.score_band, r.income_band): r for r in session.scalars(select(MatchingOutcome))}
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "matching.outcomes_refreshed")
        ).all()
    assert len(events) == 1
    assert ("savings_bank", "700–749", "3,000–4,000만") not in rows  # 4 < k
    assert ("bank", "600–649", "2,000–3,000만") in rows
    everyone = rows[(ALL, ALL, ALL)]
    assert everyone.loans == 2 * MIN_K - 1 and everyone.rate_max_bp == 1590
    similar = rows[(ALL, "600–649", "2,000–3,000만")]
    assert (similar.amount_p25, similar.amount_median, similar.amount_p75) == (
        4_000_000,
        5_000_000,
        6_000_000,
    )
    assert (similar.rate_min_bp, similar.rate_median_bp, similar.rate_max_bp) == (1490, 1510, 1530)

    mine = match_loans(platform, VISITOR, PROFILE, consent=True, as_of=DAY)
    lowest = next(o for o in mine.options if o.product_id == "lowest-credit-special")
    assert lowest.similar is not None and lowest.similar.scope == "similar" and lowest.similar.loans == MIN_K
    assert lowest.codes[-1] == "MATCH_SIMILAR_OUTCOMES"
    other = match_loans(platform, VISITOR, {**PROFILE, "annual_income": 19_000_000}, consent=True, as_of=DAY)
    fallback = next(o for o in other.options if o.product_id == "lowest-credit-special")
    assert fallback.similar is not None and fallback.similar.scope == "product"  # nobody in that band
    assert fallback.similar.loans == 2 * MIN_K - 1

    data = matching_open_data(platform, "bank")
    assert [r["loans"] for r in data["rows"]] == [MIN_K] and data["rows"][0]["rate_median_pct"] == "15.10"
    assert matching_open_data(platform, "savings_bank")["rows"] == []
    assert {c["name"] for c in data["dictionary"]} >= {"sector", "score_band", "loans", "rate_median_pct"}
    assert matching_open_data(platform, None, k=MIN_K + 1)["rows"] == []
    with pytest.raises(InputError) as bad:
        matching_open_data(platform, "casino")
    assert bad.value.field == "sector"
    with pytest.raises(InputError):
        matching_open_data(platform, None, k=2)


def test_a_malformed_partner_file_names_itself(tmp_path: Any) -> None:
    (tmp_path / "x@1.toml").write_text('id = "x"\nversion = "1"\n', encoding="utf-8")
    with pytest.raises(PartnerDataError, match=r"x@1\.toml"):
        load_partner_products(tmp_path)
