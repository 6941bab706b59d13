"""My page (나의 정보): the applicant's read model of their applications, loans, arrears and recourse debt."""

from __future__ import annotations

from seomin.services.my_page.overview import (
    WITHDRAWABLE,
    AdditionalLoanView,
    ApplicationView,
    BankChoice,
    DocumentView,
    EducationView,
    GuaranteeSummary,
    LoanView,
    Overview,
    RateStep,
    RecourseArrangement,
    RecourseView,
    TimelineEvent,
    application_view,
    education_course,
    education_of,
    guarantees_of,
    lending_banks,
    overview,
)

__all__ = [
    "WITHDRAWABLE",
    "AdditionalLoanView",
    "ApplicationView",
    "BankChoice",
    "DocumentView",
    "EducationView",
    "GuaranteeSummary",
    "LoanView",
    "Overview",
    "RateStep",
    "RecourseArrangement",
    "RecourseView",
    "TimelineEvent",
    "application_view",
    "education_course",
    "education_of",
    "guarantees_of",
    "lending_banks",
    "overview",
]
