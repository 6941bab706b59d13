"""The calendar day in Korea, which decides applications, due dates and close of business."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")


def today_kst() -> date:
    """The calendar day in Korea (no daylight saving), whatever the server's time zone."""
    return datetime.now(KST).date()
