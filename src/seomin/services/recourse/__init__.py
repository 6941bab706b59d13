"""Subrogation and recourse (대위변제·구상채권): claims, the borrower's recourse debt and its arrangements."""

from __future__ import annotations

from seomin.services.recourse.arrangements import (
    MAX_DEFERRAL_MONTHS,
    MAX_PLAN_MONTHS,
    PLAN_ROLES,
    RecoursePlanView,
    approve_arrangement,
    grant_deferral,
    grant_installment_plan,
)
from seomin.services.recourse.claims import (
    PAYING_ROLES,
    ClaimView,
    file_subrogation_claim,
    pay_subrogation_claim,
)
from seomin.services.recourse.common import RecourseDebtView

__all__ = [
    "MAX_DEFERRAL_MONTHS",
    "MAX_PLAN_MONTHS",
    "PAYING_ROLES",
    "PLAN_ROLES",
    "ClaimView",
    "RecourseDebtView",
    "RecoursePlanView",
    "approve_arrangement",
    "file_subrogation_claim",
    "grant_deferral",
    "grant_installment_plan",
    "pay_subrogation_claim",
]
