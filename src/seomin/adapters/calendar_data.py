"""Load the Korean holiday data (``seomin/data/calendar/kr_holidays.csv``) into a ``BusinessCalendar``.

The file is ``date,name_ko,name_en`` with ``#`` comment lines; one comment line ``# years: FIRST-LAST``
states the range the rows cover, so a year with no rows is never mistaken for a year without holidays.
A bad row fails with the file, the line and the field.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from functools import cache
from importlib import resources

from seomin.domain.calendar import BusinessCalendar

DATA_PACKAGE = "seomin.data"
DATA_PATH = "calendar/kr_holidays.csv"
HEADER = ["date", "name_ko", "name_en"]

_YEARS_RE = re.compile(r"^#\s*years:\s*(\d{4})\s*-\s*(\d{4})\s*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CalendarDataError(ValueError):
    """The holiday data file is malformed; the message names file, line and field."""

    def __init__(self, source: str, line: int, field: str | None, message: str) -> None:
        where = f"{source}:{line}" + (f": field '{field}'" if field else "")
        super().__init__(f"{where}: {message}")
        self.source = source
        self.line = line
        self.field = field


def parse_calendar(text: str, source: str = DATA_PATH) -> BusinessCalendar:
    """Parse holiday CSV text (see module doc) into a calendar; ``source`` names the file in errors."""
    years: tuple[int, int] | None = None
    header_seen = False
    holidays: dict[date, str] = {}
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _YEARS_RE.match(line)
            if match:
                if years is not None:
                    raise CalendarDataError(source, line_no, None, "second '# years:' line")
                years = (int(match.group(1)), int(match.group(2)))
                if years[0] > years[1]:
                    raise CalendarDataError(
                        source, line_no, None, f"years {years[0]}-{years[1]} are reversed"
                    )
            continue
        fields = next(csv.reader([raw]))
        if not header_seen:
            if [f.strip() for f in fields] != HEADER:
                raise CalendarDataError(source, line_no, None, f"expected header {','.join(HEADER)}")
            header_seen = True
            continue
        if len(fields) != len(HEADER):
            raise CalendarDataError(
                source, line_no, None, f"expected {len(HEADER)} fields, got {len(fields)}"
            )
        date_text, name_ko, name_en = (f.strip() for f in fields)
        if not _DATE_RE.match(date_text):
            raise CalendarDataError(source, line_no, "date", f"{date_text!r} is not YYYY-MM-DD")
        try:
            day = date.fromisoformat(date_text)
        except ValueError as exc:
            raise CalendarDataError(source, line_no, "date", f"{date_text!r}: {exc}") from None
        if not name_ko:
            raise CalendarDataError(source, line_no, "name_ko", "empty")
        if not name_en:
            raise CalendarDataError(source, line_no, "name_en", "empty")
        if years is None:
            raise CalendarDataError(source, line_no, None, "data row before the '# years: FIRST-LAST' line")
        if not years[0] <= day.year <= years[1]:
            raise CalendarDataError(
                source, line_no, "date", f"{day} outside the declared years {years[0]}-{years[1]}"
            )
        if day in holidays:
            raise CalendarDataError(
                source, line_no, "date", f"{day} listed twice (join names with '; ' on one row)"
            )
        holidays[day] = name_ko
    if years is None:
        raise CalendarDataError(source, 1, None, "missing '# years: FIRST-LAST' comment line")
    if not header_seen:
        raise CalendarDataError(source, 1, None, f"missing header {','.join(HEADER)}")
    # Every Korean year has 신정 (Jan 1): a declared year without rows means truncated data.
    covered = {d.year for d in holidays}
    missing = [y for y in range(years[0], years[1] + 1) if y not in covered]
    if missing:
        raise CalendarDataError(source, 1, None, f"declared years without any holiday: {missing}")
    return BusinessCalendar(holidays, years[0], years[1])


@cache
def korean_calendar() -> BusinessCalendar:
    """The packaged Korean business calendar (parsed once per process)."""
    resource = resources.files(DATA_PACKAGE).joinpath(DATA_PATH)
    return parse_calendar(resource.read_text(encoding="utf-8"), source=DATA_PATH)
