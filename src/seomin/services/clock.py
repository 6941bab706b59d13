"""The calendar day in Korea, which decides applications, due dates and close of business."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")


def today_kst() -> date:
    """The calendar day in Korea (no daylight saving), whatever the server's time zone."""
    return datetime.now(KST).date()


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp with its zone: SQLite hands them back without one; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
