"""Korean business calendar: the packaged holiday data, rolling, month arithmetic, data validation."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from seomin.adapters.calendar_data import CalendarDataError, korean_calendar, parse_calendar
from seomin.domain.calendar import BusinessCalendar, CalendarRangeError, add_months


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return korean_calendar()


def test_packaged_data_covers_2015_to_2045(cal: BusinessCalendar) -> None:
    assert (cal.first_year, cal.last_year) == (2015, 2045)
    assert {d.year for d in cal.holidays} == set(range(2015, 2046))
    assert all(date(y, 1, 1) in cal.holidays for y in range(2015, 2046))  # 신정 every year
    assert korean_calendar() is cal  # cached


def test_packaged_data_contains_what_the_holidays_package_knows(cal: BusinessCalendar) -> None:
    holidays = pytest.importorskip("holidays")  # dev-only dependency; the runtime never imports it
    known = holidays.country_holidays("KR", years=range(2015, 2046), language="ko")
    missing = sorted(set(known) - set(cal.holidays))
    assert not missing, f"regenerate with scripts/generate_holidays.py: {missing[:5]}"


@pytest.mark.parametrize(
    ("day", "name_part"),
    [
        (date(2025, 1, 27), "임시공휴일"),  # temporary holiday before Seollal 2025
        (date(2025, 1, 29), "설날"),
        (date(2025, 3, 3), "대체"),  # 삼일절 fell on a Saturday
        (date(2025, 6, 3), "선거"),  # presidential election day
        (date(2025, 10, 8), "대체"),  # Chuseok substitute day
        (date(2025, 10, 9), "한글날"),
    ],
)
def test_known_holidays(cal: BusinessCalendar, day: date, name_part: str) -> None:
    name = cal.holiday_name(day)
    assert name is not None and name_part in name
    assert not cal.is_business_day(day)


def test_weekends_and_workdays(cal: BusinessCalendar) -> None:
    assert not cal.is_business_day(date(2025, 10, 11))  # Saturday
    assert not cal.is_business_day(date(2025, 10, 12))  # Sunday
    assert cal.is_business_day(date(2025, 10, 10))  # Friday after the Chuseok week
    assert cal.holiday_name(date(2025, 10, 10)) is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Chuseok 2025: 10-03 개천절, 10-05..07 추석, 10-08 substitute, 10-09 한글날.
        (date(2025, 10, 3), date(2025, 10, 10)),
        (date(2025, 10, 6), date(2025, 10, 10)),
        # Seollal 2025: 01-27 temporary holiday, 01-28..30 설날.
        (date(2025, 1, 25), date(2025, 1, 31)),
        (date(2025, 1, 27), date(2025, 1, 31)),
        # 삼일절 2025 on Saturday, substitute Monday 03-03.
        (date(2025, 3, 1), date(2025, 3, 4)),
        # A business day stays put.
        (date(2025, 2, 28), date(2025, 2, 28)),
        # Year end: 2025-12-27 Saturday.
        (date(2025, 12, 27), date(2025, 12, 29)),
    ],
)
def test_next_business_day(cal: BusinessCalendar, day: date, expected: date) -> None:
    assert cal.next_business_day(day) == expected


def test_outside_the_data_raises(cal: BusinessCalendar) -> None:
    with pytest.raises(CalendarRangeError, match="2015-2045"):
        cal.is_business_day(date(2014, 12, 31))
    with pytest.raises(CalendarRangeError):
        cal.is_business_day(date(2046, 1, 2))
    # 2045-12-30/31 are a weekend: rolling walks past the data and must not guess.
    with pytest.raises(CalendarRangeError):
        cal.next_business_day(date(2045, 12, 30))
    assert cal.next_business_day(date(2045, 12, 29)) == date(2045, 12, 29)


def test_holiday_array_matches_mapping_and_numpy_rolls_the_same(cal: BusinessCalendar) -> None:
    array = cal.holiday_array
    assert array.dtype == np.dtype("datetime64[D]")
    assert not array.flags.writeable
    assert array.tolist() == list(cal.holidays)
    days = np.arange(np.datetime64("2015-01-01"), np.datetime64("2045-12-29"))
    rolled = np.busday_offset(days, 0, roll="forward", weekmask="1111100", holidays=array)
    expected = [cal.next_business_day(d) for d in days.astype(object)]
    assert rolled.astype(object).tolist() == expected


@pytest.mark.parametrize(
    ("start", "months", "day", "expected"),
    [
        (date(2025, 1, 31), 1, 31, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, 31, date(2024, 2, 29)),  # leap year
        (date(2025, 1, 31), 2, 31, date(2025, 3, 31)),  # the day comes back after a short month
        (date(2025, 1, 30), 13, 30, date(2026, 2, 28)),
        (date(2025, 12, 15), 1, 15, date(2026, 1, 15)),
        (date(2025, 3, 31), -1, 31, date(2025, 2, 28)),
        (date(2025, 5, 10), 0, 10, date(2025, 5, 10)),
        (date(2025, 5, 10), 60, 31, date(2030, 5, 31)),
    ],
)
def test_add_months(start: date, months: int, day: int, expected: date) -> None:
    assert add_months(start, months, day) == expected


def test_add_months_rejects_bad_day() -> None:
    with pytest.raises(ValueError):
        add_months(date(2025, 1, 1), 1, 0)
    with pytest.raises(ValueError):
        add_months(date(2025, 1, 1), 1, 32)


def test_calendar_rejects_holiday_outside_its_range() -> None:
    with pytest.raises(ValueError, match="outside"):
        BusinessCalendar({date(2030, 1, 1): "신정"}, 2025, 2026)
    with pytest.raises(ValueError):
        BusinessCalendar({}, 2026, 2025)


GOOD = """# a test calendar
# years: 2025-2026
date,name_ko,name_en
2025-01-01,신정,New Year's Day
2025-05-05,"부처님오신날; 어린이날","Buddha's Birthday; Children's Day"
2026-01-01,신정,New Year's Day
"""


def test_parse_calendar_accepts_comments_and_quoted_names() -> None:
    cal = parse_calendar(GOOD, "test.csv")
    assert (cal.first_year, cal.last_year) == (2025, 2026)
    assert cal.holidays[date(2025, 5, 5)] == "부처님오신날; 어린이날"
    # An operator's ad-hoc holiday is just one more row.
    extra = GOOD + "2026-03-03,임시공휴일,Temporary Public Holiday\n"
    assert not parse_calendar(extra).is_business_day(date(2026, 3, 3))


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (GOOD + "2025-13-01,x,y\n", 7, "date", "month must be in 1..12"),
        (GOOD + "25-1-1,x,y\n", 7, "date", "not YYYY-MM-DD"),
        (GOOD + "2025-06-06,,Memorial Day\n", 7, "name_ko", "empty"),
        (GOOD + "2025-06-06,현충일,\n", 7, "name_en", "empty"),
        (GOOD + "2025-06-06,현충일\n", 7, None, "expected 3 fields"),
        (GOOD + "2027-01-01,신정,New Year's Day\n", 7, "date", "outside the declared years"),
        (GOOD + "2025-01-01,신정,New Year's Day\n", 7, "date", "listed twice"),
        (GOOD.replace("date,name_ko,name_en", "day,name_ko,name_en"), 3, None, "expected header"),
        (GOOD.replace("# years: 2025-2026\n", ""), 3, None, "before the '# years"),
        (GOOD.replace("2026-01-01,신정,New Year's Day\n", ""), 1, None, "without any holiday: [2026]"),
    ],
)
def test_parse_calendar_errors_name_file_line_field(
    text: str, line: int, field: str | None, message: str
) -> None:
    with pytest.raises(CalendarDataError) as info:
        parse_calendar(text, "kr_holidays.csv")
    error = info.value
    assert (error.source, error.line, error.field) == ("kr_holidays.csv", line, field)
    assert str(error).startswith(f"kr_holidays.csv:{line}")
    assert message in str(error)


def test_business_days_iterates_inclusive(cal: BusinessCalendar) -> None:
    days = list(cal.business_days(date(2025, 10, 1), date(2025, 10, 14)))
    assert days == [
        date(2025, 10, 1),
        date(2025, 10, 2),
        date(2025, 10, 10),
        date(2025, 10, 13),
        date(2025, 10, 14),
    ]


@pytest.mark.parametrize(
    ("due", "paid_on", "name_part"),
    [
        # 근로자의 날 up to 2025: banks closed though not a 공휴일 (2025-05-01 is a Thursday)
        (date(2025, 5, 1), date(2025, 5, 2), "근로자의 날"),
        (date(2024, 5, 1), date(2024, 5, 2), "근로자의 날"),  # Wednesday
        # from 2026 the public holiday 노동절 (2026-05-01 is a Friday: the due date moves to Monday 5-4)
        (date(2026, 5, 1), date(2026, 5, 4), "노동절"),
        (date(2027, 5, 1), date(2027, 5, 4), "노동절"),  # Saturday; Monday 5-3 is its substitute
    ],
)
def test_a_due_date_on_may_1_moves_to_the_next_business_day(
    cal: BusinessCalendar, due: date, paid_on: date, name_part: str
) -> None:
    assert cal.holiday_name(due) is not None and name_part in (cal.holiday_name(due) or "")
    assert cal.next_business_day(due) == paid_on


def test_may_1_is_a_bank_closure_every_year_up_to_2025(cal: BusinessCalendar) -> None:
    assert all(date(year, 5, 1) in cal.holidays for year in range(2015, 2046))
    assert {cal.holidays[date(y, 5, 1)] for y in range(2015, 2026)} == {"근로자의 날 (은행 휴무)"}
