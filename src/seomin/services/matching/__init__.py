"""맞춤대출 (loan matching): partner products as data, ranked matches, and what similar people got."""

from __future__ import annotations

from seomin.services.matching.decisions import DecisionReceipt, DecisionReport, record_partner_decision
from seomin.services.matching.graduation import (
    MIN_FAITHFUL_MONTHS,
    GraduationRun,
    graduation_options,
    notify_graduates,
)
from seomin.services.matching.match import CONSENT_VERSION, match_loans, match_to_json, option_json
from seomin.services.matching.outcomes import (
    ALL,
    MIN_K,
    RefreshSummary,
    income_band_of,
    matching_open_data,
    outcomes_for,
    refresh_outcomes,
    score_band_of,
)
from seomin.services.matching.partners import (
    PartnerDataError,
    default_partner_products,
    load_partner_products,
)

__all__ = [
    "ALL",
    "CONSENT_VERSION",
    "MIN_FAITHFUL_MONTHS",
    "MIN_K",
    "DecisionReceipt",
    "DecisionReport",
    "GraduationRun",
    "PartnerDataError",
    "RefreshSummary",
    "default_partner_products",
    "graduation_options",
    "income_band_of",
    "load_partner_products",
    "match_loans",
    "match_to_json",
    "matching_open_data",
    "notify_graduates",
    "option_json",
    "outcomes_for",
    "record_partner_decision",
    "refresh_outcomes",
    "score_band_of",
]
