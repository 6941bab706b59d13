"""사칭·불법사금융 신고센터: public reports of fakes, staff triage by group, the public confirmed list."""

from __future__ import annotations

from seomin.services.report_center.reports import (
    TRIAGE_ROLES,
    ConfirmedFake,
    MonthFigures,
    ReportGroup,
    ReportReceipt,
    confirmed_fakes,
    monthly_figures,
    report_groups,
    submit_report,
    triage,
)

__all__ = [
    "TRIAGE_ROLES",
    "ConfirmedFake",
    "MonthFigures",
    "ReportGroup",
    "ReportReceipt",
    "confirmed_fakes",
    "monthly_figures",
    "report_groups",
    "submit_report",
    "triage",
]
