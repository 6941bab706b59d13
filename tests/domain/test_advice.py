"""Best-product advice: what fits, priced for the person, cheapest first, never what just refused them."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.domain.advice import advise
from seomin.domain.eligibility import Status, evaluate
from seomin.domain.profile import ApplicantProfile

CATALOG = default_catalog()
CALENDAR = korean_calendar()

profiles = st.builds(
    lambda birth, income, kcb, occupation, months, vulnerable, haessal15: ApplicantProfile.model_validate(
        {
            "birth_date": birth,
            "annual_income": income,
            "kcb_score": kcb,
            "occupation": occupation,
            "employed_months": months,
            "vulnerable": vulnerable,
            "haessal15": haessal15,
            "region": "부산",
        }
    ),
    st.dates(date(1950, 1, 1), date(2006, 1, 1)),
    st.integers(0, 60_000_000),
    st.integers(300, 1000),
    st.sampled_from(["employee", "business", "freelancer", "pensioner", "unemployed"]),
    st.integers(0, 120),
    st.booleans(),
    st.sampled_from(["none", "rejected", "using", "repaid"]),
)


@settings(max_examples=60, deadline=None)
@given(
    profile=profiles,
    on=st.sampled_from([date(2025, 5, 15), date(2026, 3, 2)]),
    amount=st.integers(100_000, 30_000_000),
)
def test_advice_is_what_fits_priced_within_the_limit_cheapest_first(
    profile: ApplicantProfile, on: date, amount: int
) -> None:
    found = advise(CATALOG, CALENDAR, profile, on, amount=amount)
    assert [a.annual_rate for a in found] == sorted(a.annual_rate for a in found)
    for a in found:
        decision = evaluate(CATALOG.get(a.product_id, on), profile, on)
        assert decision.status is not Status.INELIGIBLE and a.status is decision.status
        assert 0 < a.amount == min(amount, a.max_amount) and a.monthly_payment > 0
    if profile.haessal15.value == "rejected":
        assert "haessal-15" not in [a.product_id for a in found]


def test_refused_products_are_not_suggested_again() -> None:
    worker = ApplicantProfile.model_validate(
        {
            "birth_date": "1985-03-01",
            "annual_income": 30_000_000,
            "kcb_score": 600,
            "occupation": "employee",
            "employed_months": 24,
            "haessal15": "rejected",
            "region": "서울",
        }
    )
    on = date(2025, 5, 15)
    every = [a.product_id for a in advise(CATALOG, CALENDAR, worker, on, amount=5_000_000)]
    assert every[0] == "worker-haessal" and "haessal-15" not in every
    again = advise(CATALOG, CALENDAR, worker, on, amount=5_000_000, refused=["worker-haessal"])
    assert [a.product_id for a in again] == every[1:]
