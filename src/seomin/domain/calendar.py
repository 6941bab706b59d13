"""Korean business calendar (영업일) for due dates.

A due date that falls on a Saturday, Sunday or public holiday (공휴일, incl. substitute and temporary
holidays) moves to the next business day (Civil Act art. 161), and so does one on a bank closure that is
no 공휴일 (근로자의 날, May 1, up to 2025; from 2026 the holiday 노동절). The holidays are data, loaded by
``seomin.adapters.calendar_data``; this module is pure. Outside the years the data covers the calendar
refuses to answer (``CalendarRangeError``) rather than silently treat an unknown holiday as a workday.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

WEEKMASK = "1111100"
"""Monday to Friday are workdays, in ``numpy.busdaycalendar`` notation."""


class CalendarRangeError(ValueError):
    """A date outside the years for which holiday data is loaded."""


class BusinessCalendar:
    """Weekends plus the listed holidays, valid for ``first_year``..``last_year`` inclusive."""

    __slots__ = ("_busdaycal", "_holiday_array", "_holidays", "_monthly_tables", "first_year", "last_year")

    def __init__(self, holidays: Mapping[date, str], first_year: int, last_year: int) -> None:
        if first_year > last_year:
            raise ValueError(f"first_year {first_year} is after last_year {last_year}")
        for day in holidays:
            if not first_year <= day.year <= last_year:
                raise ValueError(f"holiday {day} lies outside the calendar range {first_year}-{last_year}")
        self.first_year = first_year
        self.last_year = last_year
        self._holidays: Mapping[date, str] = MappingProxyType(dict(sorted(holidays.items())))
        array = np.array(sorted(self._holidays), dtype="datetime64[D]")
        array.flags.writeable = False
        self._holiday_array: npt.NDArray[np.datetime64] = array
        self._busdaycal = np.busdaycalendar(weekmask=WEEKMASK, holidays=array)
        self._monthly_tables: list[list[date | None]] | None = None

    def __repr__(self) -> str:
        return f"BusinessCalendar({len(self._holidays)} holidays, {self.first_year}-{self.last_year})"

    @property
    def holidays(self) -> Mapping[date, str]:
        """Read-only view of the holidays and their names, in date order."""
        return self._holidays

    @property
    def holiday_array(self) -> npt.NDArray[np.datetime64]:
        """The holidays as a sorted, read-only ``datetime64[D]`` array (for ``np.busday_offset``)."""
        return self._holiday_array

    @property
    def busdaycalendar(self) -> np.busdaycalendar:
        """A ``numpy.busdaycalendar`` with the same weekmask and holidays."""
        return self._busdaycal

    @property
    def first_day(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.last_year, 12, 31)

    def covers(self, d: date) -> bool:
        return self.first_year <= d.year <= self.last_year

    def check_covers(self, d: date) -> None:
        """Raise ``CalendarRangeError`` unless the holiday data covers ``d``."""
        if not self.covers(d):
            raise CalendarRangeError(
                f"{d} is outside the holiday data ({self.first_year}-{self.last_year}); "
                "extend the calendar data to use it"
            )

    def holiday_name(self, d: date) -> str | None:
        self.check_covers(d)
        return self._holidays.get(d)

    def is_business_day(self, d: date) -> bool:
        self.check_covers(d)
        return d.weekday() < 5 and d not in self._holidays

    def next_business_day(self, d: date) -> date:
        """``d`` itself if it is a business day, else the first business day after it."""
        while not self.is_business_day(d):
            d += timedelta(days=1)  # is_business_day raises once we walk past the data
        return d

    def monthly_business_days(self, start: date, count: int) -> list[date]:
        """``next_business_day(add_months(start, k, start.day))`` for k = 1..count.

        The schedule engine's due dates, as one slice of a table built once per calendar: for each day
        of the month 1..31, that day (clamped to the month's end) of every month in the data, rolled to
        a business day. Anything the table does not answer (a date outside the data) goes the slow way
        and raises exactly as ``next_business_day`` would.
        """
        tables = self._monthly_tables
        if tables is None:
            tables = self._monthly_tables = _monthly_tables(self)
        first = (start.year - self.first_year) * 12 + start.month  # the month after ``start``'s
        if first >= 0 and count > 0:
            found = tables[start.day][first : first + count]
            if len(found) == count and found[-1] is not None:  # None only at the end of the data
                return found  # type: ignore[return-value]  # no None before a non-None (monotone)
        return [self.next_business_day(add_months(start, k, start.day)) for k in range(1, count + 1)]

    def business_days(self, start: date, end: date) -> Iterator[date]:
        """Business days from ``start`` to ``end`` inclusive."""
        d = start
        while d <= end:
            if self.is_business_day(d):
                yield d
            d += timedelta(days=1)


def _monthly_tables(calendar: BusinessCalendar) -> list[list[date | None]]:
    """``tables[day][m]``: ``day`` (clamped) of the calendar's m-th month rolled to a business day, None
    where that rolls past the data (only at the very end, since rolling forward is monotone)."""
    first, last = calendar.first_day, calendar.last_day
    days = np.arange(np.datetime64(first), np.datetime64(last) + 1)
    rolled_days = np.busday_offset(days, 0, roll="forward", busdaycal=calendar.busdaycalendar)
    rolled: list[date | None] = [d if d <= last else None for d in rolled_days.astype(object).tolist()]
    months = [
        (date(year, month, 1).toordinal() - first.toordinal(), _stdlib_calendar.monthrange(year, month)[1])
        for year in range(calendar.first_year, calendar.last_year + 1)
        for month in range(1, 13)
    ]
    tables: list[list[date | None]] = [[]]  # day 0 never asked
    for day in range(1, 32):
        tables.append([rolled[offset + min(day, length) - 1] for offset, length in months])
    return tables


def add_months(d: date, months: int, day: int) -> date:
    """The ``day`` of the month ``months`` after ``d``'s month, clamped to that month's last day.

    add_months(date(2025, 1, 31), 1, 31) == date(2025, 2, 28).
    """
    if not 1 <= day <= 31:
        raise ValueError(f"day {day} is not 1..31")
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(day, last))
