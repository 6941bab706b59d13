"""Analytics (분석): applicant files and batch screening, synthetic populations, policy what-ifs, supply
against the plan, and the open-data export. Each module has one job; the use cases are re-exported here."""

from __future__ import annotations

from seomin.services.analytics.applicant_files import (
    ScreeningInputError,
    prepare_applicants,
    profile_from_row,
    read_applicants,
    write_results,
)
from seomin.services.analytics.open_data import OpenDataError, export_open_data
from seomin.services.analytics.policy import PolicyChanges, PolicyComparison, simulate_policy
from seomin.services.analytics.screening import screen_file, screen_frame
from seomin.services.analytics.supply import SupplyError, SupplyReport, import_plan, supply_report
from seomin.services.analytics.synthetic import synthetic_applicants

__all__ = [
    "OpenDataError",
    "PolicyChanges",
    "PolicyComparison",
    "ScreeningInputError",
    "SupplyError",
    "SupplyReport",
    "export_open_data",
    "import_plan",
    "prepare_applicants",
    "profile_from_row",
    "read_applicants",
    "screen_file",
    "screen_frame",
    "simulate_policy",
    "supply_report",
    "synthetic_applicants",
    "write_results",
]
