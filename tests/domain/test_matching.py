"""맞춤대출's pure rules: partner products as versioned data, their conditions, the explainable ranking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching_profile import PROFILE
from seomin.adapters.catalog_files import default_catalog
from seomin.domain.eligibility import Status, evaluate
from seomin.domain.matching import (
    OutcomeStats,
    PartnerCatalog,
    PartnerProduct,
    judge_partner,
    judge_policy,
    policy_repayment_months,
    rank,
    with_outcomes,
)
from seomin.domain.profile import ApplicantProfile, ExistingLoan
from seomin.services.matching import default_partner_products

DAY = date(2025, 5, 1)
CATALOG = default_catalog()
PARTNERS = default_partner_products()


def profile(**changes: Any) -> ApplicantProfile:
    return ApplicantProfile.model_validate(PROFILE | changes)


def partner(**changes: Any) -> PartnerProduct:
    data: dict[str, Any] = {
        "id": "p",
        "version": "1",
        "effective_from": date(2024, 1, 1),
        "lender_ko": "은행",
        "lender_en": "bank",
        "sector": "bank",
        "tier": "mainstream",
        "name_ko": "상품",
        "name_en": "product",
        "min_amount": 1_000_000,
        "max_amount": 10_000_000,
        "rate_min": Decimal("6.00"),
        "rate_max": Decimal("10.00"),
        "confidence": "unverified",
        "source": "test",
    }
    return PartnerProduct.model_validate(data | changes)


def test_the_packaged_partner_products_load_and_the_version_in_force_is_the_latest_started() -> None:
    ids = {p.id for p in PARTNERS}
    assert {"sainddol-bank", "sainddol-savings", "haessal-bank", "kwangju-worker-credit"} <= ids
    in_2024 = {p.id: p.version for p in PARTNERS.in_force(date(2024, 6, 1))}
    in_2025 = {p.id: p.version for p in PARTNERS.in_force(DAY)}
    assert in_2024["sainddol-savings"] == "2024-01" and in_2025["sainddol-savings"] == "2025-01"
    assert "kwangju-worker-credit" not in in_2024  # not yet in force


def test_two_versions_starting_on_one_day_are_refused() -> None:
    with pytest.raises(ValueError, match="two versions start"):
        PartnerCatalog([partner(), partner(version="2")])
    with pytest.raises(ValueError, match="rate_min exceeds rate_max"):
        partner(rate_min=Decimal("11.00"))


def test_a_partner_product_says_which_condition_fails_with_its_figures() -> None:
    strict = partner(kcb_min=700, min_income=30_000_000, occupations=["business"], min_employed_months=24)
    option = judge_partner(strict, profile(), DAY)
    assert option.status is Status.INELIGIBLE
    assert option.codes == (
        "MATCH_SCORE_BELOW_MIN",
        "MATCH_INCOME_BELOW_MIN",
        "MATCH_OCCUPATION",
        "MATCH_TENURE",
    )
    below = option.reasons[0]
    assert below.figures == {"kcb": 640, "kcb_min": 700}
    assert "640" in below.message_ko and "700" in below.message_en and below.remedy_ko
    unknown = judge_partner(partner(kcb_max=749), profile(kcb_score=None), DAY)
    assert unknown.status is Status.NEEDS_CONFIRMATION and unknown.codes == ("MATCH_SCORE_UNKNOWN",)
    fits = judge_partner(partner(kcb_max=749), profile(), DAY)
    assert fits.status is Status.ELIGIBLE and fits.codes == ("MATCH_PARTNER_FITS",)
    assert "1,000,000~10,000,000원" in fits.reasons[0].message_ko and fits.start_rate == Decimal("8.00")


def test_a_bridge_product_needs_months_of_faithful_policy_repayment() -> None:
    bridge = partner(tier="bridge", min_policy_repayment_months=12)
    assert judge_partner(bridge, profile(), DAY).codes == ("MATCH_BRIDGE_NEEDS_REPAYMENT",)
    loan = {"product": "lowest-credit-special", "bank": "kwangju", "amount": 5_000_000, "balance": 3_000_000}
    repayer = profile(existing_loans=[ExistingLoan.model_validate(loan | {"executed_on": date(2024, 4, 20)})])
    assert policy_repayment_months(repayer, DAY) == 13
    assert judge_partner(bridge, repayer, DAY).codes == ("MATCH_PARTNER_FITS", "MATCH_PARTNER_BRIDGE")
    late = profile(
        existing_loans=[
            ExistingLoan.model_validate(loan | {"executed_on": date(2024, 4, 20), "in_arrears": True})
        ]
    )
    assert policy_repayment_months(late, DAY) == 0  # arrears break the record


@pytest.mark.parametrize("product_id", [v.id for v in CATALOG.in_force(DAY)])
def test_a_policy_option_never_contradicts_the_eligibility_engine(product_id: str) -> None:
    person = profile()
    option = judge_policy(CATALOG, product_id, person, DAY)
    decision = evaluate(CATALOG.get(product_id, DAY), person, DAY)
    assert option.status is decision.status
    assert option.max_amount == (decision.offer.max_amount if decision.offer else 0)
    failing = {r.code for r in decision.reasons if r.outcome.value == "fail"}
    assert failing <= set(option.codes)


def test_similar_outcomes_drive_the_expected_rate_and_are_explained() -> None:
    option = judge_partner(partner(), profile(), DAY)
    stats = OutcomeStats("similar", 12, 3_000_000, 5_000_000, 7_000_000, 700, 750, 900)
    shown = with_outcomes(option, stats)
    assert shown.expected_rate == Decimal("7.5") and shown.codes[-1] == "MATCH_SIMILAR_OUTCOMES"
    assert "12명" in shown.reasons[-1].message_ko and "3,000,000~7,000,000원" in shown.reasons[-1].message_ko
    assert with_outcomes(option, None).codes[-1] == "MATCH_NO_OUTCOMES"


def test_the_golden_match_of_a_seed_like_profile() -> None:
    """KCB 640, 28M won income, employee of 12 months, refused by 햇살론15 (the public example)."""
    options = [judge_policy(CATALOG, v.id, profile(), DAY) for v in CATALOG.in_force(DAY)]
    options += [judge_partner(p, profile(), DAY) for p in PARTNERS.in_force(DAY)]
    result = rank(options, DAY)
    ranked = [o.product_id for o in result.options]
    assert ranked[0] == "sainddol-bank"  # the lowest expected rate among what fits
    assert {"lowest-credit-special", "haessal-15", "worker-haessal"} <= set(ranked)
    excluded = {o.product_id: o.codes for o in result.excluded}
    assert "MATCH_SCORE_BELOW_MIN" in excluded["kwangju-worker-credit"]
    assert "MATCH_BRIDGE_NEEDS_REPAYMENT" in excluded["haessal-bank"]
    assert [o.rank for o in result.options] == list(range(1, len(ranked) + 1))


_status = st.sampled_from([Status.ELIGIBLE, Status.NEEDS_CONFIRMATION, Status.INELIGIBLE])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_status, st.integers(0, 2000), st.integers(0, 50_000_000)), max_size=12))
def test_the_ranking_is_total_and_explainable(rows: list[tuple[Status, int, int]]) -> None:
    base = judge_partner(partner(), profile(), DAY)
    options = [
        replace(base, product_id=f"p{i}", status=s, start_rate=Decimal(bp) / 100, max_amount=amount)
        for i, (s, bp, amount) in enumerate(rows)
    ]
    result = rank(options, DAY)
    assert len(result.options) + len(result.excluded) == len(options)
    assert all(o.status is Status.INELIGIBLE for o in result.excluded)
    assert [o.rank for o in result.options] == list(range(1, len(result.options) + 1))
    keys = [(o.status is not Status.ELIGIBLE, o.expected_rate, -o.max_amount) for o in result.options]
    assert keys == sorted(keys)
