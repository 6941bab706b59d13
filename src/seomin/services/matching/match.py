"""Use case: 맞춤대출, the ranked products that fit a self-checked profile, after the person's consent.

A match records only the profile's bands and what was shown (``matching_requests``, one audit event);
the profile itself is judged in memory and never stored.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from seomin.adapters.db.models import MatchingRequest
from seomin.domain.eligibility import Status
from seomin.domain.matching import (
    MatchOption,
    MatchResult,
    PartnerCatalog,
    judge_partner,
    judge_policy,
    rank,
    with_outcomes,
)
from seomin.domain.money import format_rate
from seomin.services.eligibility_check import profile_on
from seomin.services.errors import InputError
from seomin.services.matching.outcomes import income_band_of, outcomes_for, score_band_of
from seomin.services.matching.partners import default_partner_products
from seomin.services.platform import Actor, Platform, audit

CONSENT_VERSION = "matching-2026-12"
"""What the person agreed to: their self-check figures judged against every product and compared with
the statistics of similar users; only bands are kept."""


def match_loans(
    platform: Platform,
    actor: Actor,
    profile_data: Any,
    *,
    consent: bool,
    as_of: date | None = None,
    partners: PartnerCatalog | None = None,
) -> MatchResult:
    """Judge the profile against every policy product and partner product in force on ``as_of`` and rank
    the ones that fit (see ``domain.matching``)."""
    if consent is not True:
        raise InputError(
            "consent", "matching needs the person's consent to compare their profile", "REQUIRED"
        )
    day = as_of or platform.today()
    catalog = platform.catalog
    profile = profile_on(catalog, profile_data, day)
    score, income = score_band_of(profile.kcb_score), income_band_of(profile.annual_income)
    stats = outcomes_for(platform, score, income)
    options: list[MatchOption] = [
        judge_policy(catalog, version.id, profile, day) for version in catalog.in_force(day)
    ]
    options += [
        judge_partner(p, profile, day) for p in (partners or default_partner_products()).in_force(day)
    ]
    result = rank(
        (
            with_outcomes(o, stats.get(o.product_id)) if o.status is not Status.INELIGIBLE else o
            for o in options
        ),
        day,
    )
    top = result.options[0] if result.options else None
    with platform.sessions.begin() as session:
        request = MatchingRequest(
            as_of=day,
            actor_type=actor.type.value,
            score_band=score,
            income_band=income,
            options=len(result.options),
            top_product=top.product_id if top else None,
            top_sector=top.sectors[0] if top and top.sectors else None,
        )
        session.add(request)
        session.flush()
        audit(
            session,
            actor,
            "matching.matched",
            "matching_request",
            request.id,
            after={
                "consent": CONSENT_VERSION,
                "score_band": score,
                "income_band": income,
                "shown": [o.product_id for o in result.options],
            },
        )
    return result


def option_json(option: MatchOption) -> dict[str, Any]:
    similar = option.similar
    return {
        "rank": option.rank,
        "source": option.source.value,
        "product": option.product_id,
        "version": option.version,
        "name_ko": option.name_ko,
        "name_en": option.name_en,
        "sectors": list(option.sectors),
        "lenders": list(option.lenders),
        "status": option.status.value,
        "max_amount": option.max_amount,
        "rate_min": format_rate(option.rate_min),
        "rate_max": format_rate(option.rate_max),
        "similar": None
        if similar is None
        else {
            "scope": similar.scope,
            "loans": similar.loans,
            "amount_p25": similar.amount_p25,
            "amount_median": similar.amount_median,
            "amount_p75": similar.amount_p75,
            "rate_min": format_rate(similar.rate_min_bp / Decimal(100)),
            "rate_median": format_rate(similar.rate_median_bp / Decimal(100)),
            "rate_max": format_rate(similar.rate_max_bp / Decimal(100)),
        },
        "reasons": [
            {
                "code": r.code,
                "outcome": r.outcome.value,
                "message_ko": r.message_ko,
                "message_en": r.message_en,
                "remedy_ko": r.remedy_ko,
                "remedy_en": r.remedy_en,
            }
            for r in option.reasons
        ],
    }


def match_to_json(result: MatchResult) -> dict[str, Any]:
    """The stable JSON shape of a match (the API contract)."""
    return {
        "as_of": result.as_of.isoformat(),
        "options": [option_json(o) for o in result.options],
        "excluded": [option_json(o) for o in result.excluded],
        "note_ko": result.estimate_note_ko,
        "note_en": result.estimate_note_en,
    }
