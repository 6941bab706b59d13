"""사칭·불법사금융 신고센터: public reports of fakes, staff triage by group, the public confirmed list."""

from __future__ import annotations

from seomin.services.report_center.reports import (
    MAX_SCREENSHOT_BYTES,
    MAX_SCREENSHOTS,
    TRIAGE_ROLES,
    ConfirmedFake,
    MonthFigures,
    ReportGroup,
    ReportReceipt,
    Screenshot,
    confirmed_fakes,
    monthly_figures,
    report_groups,
    screenshot_content,
    screenshots_by_target,
    submit_report,
    triage,
)

__all__ = [
    "MAX_SCREENSHOTS",
    "MAX_SCREENSHOT_BYTES",
    "TRIAGE_ROLES",
    "ConfirmedFake",
    "MonthFigures",
    "ReportGroup",
    "ReportReceipt",
    "Screenshot",
    "confirmed_fakes",
    "monthly_figures",
    "report_groups",
    "screenshot_content",
    "screenshots_by_target",
    "submit_report",
    "triage",
]
