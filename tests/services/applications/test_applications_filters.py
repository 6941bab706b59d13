"""The staff queue's region and age filters (list_applications, and the API's query parameters), on
SQLite and PostgreSQL: 17 시도 with their long names, 만 나이 on the day as a birth-date range."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_applications import applicant, apply, staff
from test_http_applicant import TestClient, staff_token

from seomin.domain.profile import ApplicantProfile
from seomin.services.applications import (
    ApplicationFilters,
    born_on_or_before_for_age,
    list_applications,
)
from seomin.services.errors import InputError
from seomin.services.platform import Actor, Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

# today is 2025-05-15 (the platform fixture's clock)
PEOPLE = {
    "turns_40_today": ("850515-1000001", "서울"),
    "turns_40_tomorrow": ("850516-2000002", "부산"),
    "young": ("000101-3000003", "부산"),
    "leap_day": ("800229-1000004", "경기"),
}


@pytest.fixture()
def seeded(platform: Platform) -> dict[str, int]:
    ids = {}
    for key, (rrn, region) in PEOPLE.items():
        ids[key] = apply(platform, applicant(platform, rrn=rrn, name="김" + key[:2]), region=region)
    return ids


def ids(platform: Platform, actor: Actor, **filters: object) -> set[int]:
    rows = list_applications(platform, actor, ApplicationFilters(**filters))  # type: ignore[arg-type]
    return {row["id"] for row in rows}


def test_region_filter_takes_short_and_long_names(platform: Platform, seeded: dict[str, int]) -> None:
    reviewer = staff(platform, "rev")
    busan = {seeded["turns_40_tomorrow"], seeded["young"]}
    assert ids(platform, reviewer, region="부산") == busan
    assert ids(platform, reviewer, region="부산광역시") == busan
    assert ids(platform, reviewer, region="제주") == set()
    with pytest.raises(InputError) as refused:
        ids(platform, reviewer, region="Busan")
    assert refused.value.field == "filters.region"


def test_age_is_full_years_on_the_day(platform: Platform, seeded: dict[str, int]) -> None:
    counselor = staff(platform, "cou", "counselor")
    assert ids(platform, counselor, age_min=40) == {seeded["turns_40_today"], seeded["leap_day"]}
    assert ids(platform, counselor, age_max=39) == {seeded["turns_40_tomorrow"], seeded["young"]}
    assert ids(platform, counselor, age_min=39, age_max=39) == {seeded["turns_40_tomorrow"]}
    assert ids(platform, counselor, age_min=20, age_max=29) == {seeded["young"]}
    assert ids(platform, counselor, age_min=45) == {seeded["leap_day"]}  # born 1980-02-29: 45
    assert ids(platform, counselor, age_min=30, region="부산") == {seeded["turns_40_tomorrow"]}
    rows = list_applications(platform, counselor, ApplicationFilters(region="서울"))
    assert [row["age"] for row in rows] == [40]


def test_age_moves_with_the_clock(platform: Platform, seeded: dict[str, int]) -> None:
    reviewer = staff(platform, "rev")
    platform.today = lambda: date(2025, 5, 16)
    assert seeded["turns_40_tomorrow"] in ids(platform, reviewer, age_min=40)
    platform.today = lambda: date(2025, 5, 14)
    assert seeded["turns_40_today"] not in ids(platform, reviewer, age_min=40)


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"age_min": -1}, "filters.age_min"),
        ({"age_max": 151}, "filters.age_max"),
        ({"age_min": 50, "age_max": 40}, "filters.age_max"),
    ],
)
def test_impossible_age_bounds_are_input_errors(
    platform: Platform, filters: dict[str, int], field: str
) -> None:
    with pytest.raises(InputError) as refused:
        ids(platform, staff(platform, "rev"), **filters)
    assert refused.value.field == field


def test_the_birth_date_bound_agrees_with_the_age_rule_every_day() -> None:
    """Against ApplicantProfile.age_on over four years of days (two leap days) and birthdays."""
    births = [date(1980, 2, 29), date(1984, 3, 1), date(1999, 12, 31), date(2004, 2, 28), date(2000, 1, 1)]
    day = date(2023, 12, 25)
    while day < date(2028, 3, 5):
        for birth in births:
            age = ApplicantProfile.model_construct(birth_date=birth).age_on(day)
            for asked in (age - 1, age, age + 1):
                assert (birth <= born_on_or_before_for_age(day, asked)) == (age >= asked), (day, birth)
        day += timedelta(days=1)
    assert born_on_or_before_for_age(date(2028, 2, 29), 1) == date(2027, 2, 28)


def test_the_api_queue_takes_region_and_age(
    client: TestClient, platform: Platform, seeded: dict[str, int]
) -> None:
    token = staff_token(client, platform, "api-rev", "reviewer")
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.get("/api/v1/staff/applications?region=부산&age_min=30", headers=headers)
    assert answer.status_code == 200, answer.text
    assert [row["id"] for row in answer.json()] == [seeded["turns_40_tomorrow"]]
    assert client.get("/api/v1/staff/applications?age_min=-3", headers=headers).status_code == 422
    wrong = client.get("/api/v1/staff/applications?region=Atlantis", headers=headers)
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "filters.region"
