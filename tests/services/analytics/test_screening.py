"""Batch screening gives the per-row engine's decisions, row for row; bad input fails on one clear line.

Differential tests compare ``screen_frame`` with ``evaluate`` on every field a decision shows (status,
reason codes in order, maximum amount, rate): on synthetic applicants for every product in force on a
few days, and on Hypothesis-generated rows written as a CSV would hold them, with the edge values of the
rules (cutoffs, caps, tenure minimums, faithful months, the 6-month wait with month-end clamping,
documents issued exactly a month before, amounts equal to the limit).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seomin.adapters.catalog_files import default_catalog
from seomin.domain.batch_eligibility import RESULT_SCHEMA
from seomin.domain.calendar import add_months
from seomin.domain.catalog import AgeRule, LimitBasis, ProductVersion
from seomin.domain.eligibility import evaluate
from seomin.domain.money import format_rate
from seomin.domain.profile import ApplicantProfile
from seomin.domain.regions import REGIONS
from seomin.services.analytics import (
    ScreeningInputError,
    prepare_applicants,
    profile_from_row,
    read_applicants,
    screen_file,
    screen_frame,
    synthetic_applicants,
    write_results,
)
from seomin.services.analytics.applicant_files import COLUMNS

CATALOG = default_catalog()
BANKS = sorted(CATALOG.banks)
DOCUMENT_TYPES = sorted(CATALOG.document_types)
SYNTHETIC_ROWS = 20_000
DATES = (date(2025, 5, 1), date(2026, 3, 1))

Outcome = tuple[str, str, int | None, str | None]

GOOD_ROW = {  # a valid row in the file's own text
    "applicant_id": "a",
    "birth_date": "1980-05-05",
    "annual_income": "30000000",
    "occupation": "employee",
    "region": "서울",
}


def engine_outcomes(
    product: ProductVersion, profiles: Sequence[ApplicantProfile], as_of: date
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for profile in profiles:
        d = evaluate(product, profile, as_of)
        offer = d.offer
        rate = format_rate(offer.annual_rate) if offer else None
        outcomes.append((d.status.value, ";".join(d.codes), offer.max_amount if offer else None, rate))
    return outcomes


def batch_outcomes(result: pl.DataFrame) -> list[Outcome]:
    return result.select("status", "codes", "max_amount", "annual_rate").rows()


def assert_same(
    expected: list[Outcome], observed: list[Outcome], rows: Sequence[Mapping[str, object]], label: str
) -> None:
    bad = [i for i, (e, o) in enumerate(zip(expected, observed, strict=True)) if e != o]
    if bad:
        i = bad[0]
        pytest.fail(
            f"{label}: {len(bad)} of {len(expected)} rows differ; first (row {i}):\n"
            f"  engine: {expected[i]}\n  batch:  {observed[i]}\n  input:  {dict(rows[i])}"
        )


# --- (a) synthetic applicants, every product in force -----------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> pl.DataFrame:
    return synthetic_applicants(SYNTHETIC_ROWS, seed=2025)


@pytest.fixture(scope="module")
def synthetic_rows(synthetic: pl.DataFrame) -> list[dict[str, object]]:
    return list(synthetic.iter_rows(named=True))


@pytest.fixture(scope="module")
def synthetic_profiles(synthetic_rows: list[dict[str, object]]) -> list[ApplicantProfile]:
    return [profile_from_row(row) for row in synthetic_rows]


@pytest.fixture(scope="module")
def prepared(synthetic: pl.DataFrame) -> pl.DataFrame:
    return prepare_applicants(synthetic)


# 2020-06-01 adds 햇살론17, which ended in 2021.
IN_FORCE = [(v.id, day) for day in (date(2020, 6, 1), *DATES) for v in CATALOG.in_force(day)]


def test_every_product_is_screened_on_some_date() -> None:
    assert {pid for pid, _ in IN_FORCE} == set(CATALOG.product_ids)


@pytest.mark.parametrize(("product_id", "as_of"), IN_FORCE, ids=[f"{p}-{d}" for p, d in IN_FORCE])
def test_synthetic_applicants_match_the_engine(
    product_id: str,
    as_of: date,
    prepared: pl.DataFrame,
    synthetic_rows: list[dict[str, object]],
    synthetic_profiles: list[ApplicantProfile],
) -> None:
    product = CATALOG.get(product_id, as_of)
    result = screen_frame(product, prepared, as_of)
    assert result.schema == RESULT_SCHEMA
    assert result["applicant_id"].to_list() == prepared["applicant_id"].to_list()
    expected = engine_outcomes(product, synthetic_profiles, as_of)
    assert_same(expected, batch_outcomes(result), synthetic_rows, f"{product_id}@{product.version} {as_of}")


def _variants() -> dict[str, ProductVersion]:
    """Terms no shipped product has, so the rules behind them are compared too."""
    lowest = CATALOG.get("lowest-credit-special", DATES[0])
    youth = CATALOG.get("haessal-youth", DATES[0])
    limits, additional = lowest.limits, lowest.additional_loan
    assert additional is not None

    def lowest_with(**update: object) -> ProductVersion:
        return lowest.model_copy(update=update)

    return {
        "balance-basis": lowest_with(
            limits=limits.model_copy(update={"basis": LimitBasis.OUTSTANDING_BALANCE})
        ),
        "no-repeat-use": lowest_with(repeat_use_after_repayment=False),
        "no-additional-loan": lowest_with(additional_loan=None),
        "additional-zero-times": lowest_with(additional_loan=additional.model_copy(update={"max_times": 0})),
        "any-bank-while-open": lowest_with(
            additional_loan=additional.model_copy(update={"same_bank_while_open": False, "max_times": 2})
        ),
        # No nationwide lender: some regions have none, or only lenders that publish no regions.
        "regional-banks-only": lowest_with(partner_banks=lowest.partner_banks[2:9]),
        "regional-or-unpublished": lowest_with(
            partner_banks=(*lowest.partner_banks[2:9], lowest.partner_banks[10])
        ),
        "youth-20-to-29": youth.model_copy(
            update={
                "eligibility": youth.eligibility.model_copy(update={"age": AgeRule(min_age=20, max_age=29)})
            }
        ),
    }


VARIANTS = _variants()
# A code each variant must give somewhere, so the comparison covers the rule it was made for.
VARIANT_CODES = {
    "balance-basis": "ELIGIBLE",
    "no-repeat-use": "REPEAT_USE_NOT_ALLOWED",
    "no-additional-loan": "ADDITIONAL_LOAN_NOT_OFFERED",
    "additional-zero-times": "ADDITIONAL_LOAN_NOT_OFFERED",
    "any-bank-while-open": "LIMIT_EXHAUSTED",
    "regional-banks-only": "NO_BANK_IN_REGION",
    "regional-or-unpublished": "BANK_REGION_UNCONFIRMED",
    "youth-20-to-29": "AGE_OUT_OF_RANGE",
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_product_variants_match_the_engine(
    variant: str,
    prepared: pl.DataFrame,
    synthetic_rows: list[dict[str, object]],
    synthetic_profiles: list[ApplicantProfile],
) -> None:
    product, as_of, n = VARIANTS[variant], DATES[0], 6_000
    result = screen_frame(product, prepared.head(n), as_of)
    expected = engine_outcomes(product, synthetic_profiles[:n], as_of)
    assert_same(expected, batch_outcomes(result), synthetic_rows[:n], variant)
    assert result["codes"].str.contains(VARIANT_CODES[variant]).any()


def test_synthetic_applicants_reach_every_reachable_code(prepared: pl.DataFrame) -> None:
    """The differential test above is only as good as the cases the synthetic file holds."""
    seen: set[str] = set()
    for as_of in DATES:
        for product in CATALOG.in_force(as_of):
            codes = screen_frame(product, prepared, as_of)["codes"].str.split(";").explode()
            seen.update(codes.drop_nulls().to_list())
    # REPEAT_USE_NOT_ALLOWED and ADDITIONAL_LOAN_NOT_OFFERED need terms no catalog product has.
    reachable = {
        "ELIGIBLE", "HAESSAL15_NOT_REJECTED", "AGE_OUT_OF_RANGE", "OCCUPATION_NOT_ELIGIBLE",
        "CREDIT_SCORE_UNKNOWN", "CREDIT_SCORE_ABOVE_CUTOFF", "INCOME_ABOVE_CAP", "TENURE_TOO_SHORT",
        "TENURE_TOO_LONG", "PUBLIC_RECORD", "DEBT_ADJUSTMENT_TOO_SHORT", "DEBT_ADJUSTMENT_EXCLUDED",
        "DOCUMENT_EXPIRED", "DOCUMENT_DATE_INVALID", "DOCUMENT_MISSING", "DELINQUENT", "TOO_MANY_ACCOUNTS",
        "ADDITIONAL_LOAN_ALREADY_USED", "ADDITIONAL_LOAN_TOO_EARLY", "ADDITIONAL_LOAN_OTHER_BANK",
        "LIMIT_EXHAUSTED", "AMOUNT_ABOVE_LIMIT", "BANK_NOT_PARTNER", "NO_BANK_IN_REGION",
        "BANK_REGION_UNCONFIRMED",
    }  # fmt: skip
    assert reachable <= seen, sorted(reachable - seen)


def test_synthetic_applicants_are_seeded_and_plausible(synthetic: pl.DataFrame) -> None:
    assert synthetic.columns == list(COLUMNS)
    again = synthetic_applicants(2_000, seed=11)
    assert again.equals(synthetic_applicants(2_000, seed=11))
    assert not again.equals(synthetic_applicants(2_000, seed=12))
    n = synthetic.height
    income = synthetic["annual_income"]
    assert 0.6 < ((income >= 15_000_000) & (income <= 50_000_000)).sum() / n < 0.95
    kcb = synthetic["kcb_score"].drop_nulls()
    assert ((kcb >= 500) & (kcb <= 900)).sum() / kcb.len() > 0.6
    assert 0.05 < synthetic["kcb_score"].null_count() / n < 0.12
    assert 0.08 < synthetic["existing_loans"].is_not_null().sum() / n < 0.12
    assert 0.04 < synthetic["documents"].is_not_null().sum() / n < 0.06
    assert set(synthetic["occupation"].unique()) == {
        "employee",
        "business",
        "freelancer",
        "pensioner",
        "unemployed",
    }
    loans = synthetic["existing_loans"].drop_nulls()
    assert loans.str.contains('"in_arrears":true').any() and loans.str.contains('"repaid":true').any()


def test_screening_does_not_depend_on_chunking(prepared: pl.DataFrame) -> None:
    product = CATALOG.get("lowest-credit-special", DATES[0])
    whole = screen_frame(product, prepared, DATES[0])
    parts = [
        screen_frame(product, prepared.slice(i, 3_001), DATES[0]) for i in range(0, prepared.height, 3_001)
    ]
    assert pl.concat(parts).equals(whole)


# --- (b) Hypothesis rows at the edges of the rules ---------------------------------------------------

# Month ends, a leap day and ordinary days: the 6-month wait and the one-month document window clamp.
EDGE_DATES = (
    date(2024, 2, 29), date(2024, 8, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 5, 1),
    date(2025, 7, 30), date(2025, 7, 31), date(2025, 8, 29), date(2025, 8, 31), date(2025, 12, 31),
    date(2026, 1, 2), date(2026, 3, 1), date(2026, 3, 31),
)  # fmt: skip
CUTOFF_SCORES = sorted(
    {
        s + d
        for v in CATALOG
        for c in (
            v.eligibility.credit,
            v.eligibility.income.raised_cap_credit if v.eligibility.income else None,
        )
        if c is not None
        for s in (c.kcb_max, c.nice_max)
        for d in (-1, 0, 1)
    }
)
CAPS = sorted(
    {
        x + d
        for v in CATALOG
        if v.eligibility.income is not None
        for x in (v.eligibility.income.cap, v.eligibility.income.raised_cap)
        if x is not None
        for d in (-1, 0, 1)
    }
)
LIMITS = sorted(
    {
        x + d
        for v in CATALOG
        for x in (
            v.limits.first_time,
            v.limits.total_per_person,
            v.limits.total_per_person - v.limits.first_time,
        )
        for d in (-1, 0, 1)
        if x + d > 0
    }
)
REGION_SPELLINGS = (*REGIONS, "서울특별시", "경기도", "부산광역시", "전북특별자치도", " 제주 ", "강원도")
# Mostly the one product with additional loans, so its rules get exercised; "haessal-bank" is unknown.
LOAN_PRODUCTS = ("lowest-credit-special",) * 6 + (*CATALOG.product_ids, "haessal-bank")
TRUE_WORDS, FALSE_WORDS = ("true", "True", "1", "yes"), ("false", "FALSE", "0", "no")


def _around(d: date, days: Sequence[int] = (-1, 0, 1)) -> st.SearchStrategy[date]:
    return st.sampled_from([d + timedelta(days=k) for k in days])


def _birth_dates(as_of: date) -> st.SearchStrategy[date]:
    # Exactly 19 / 35 / 36 years old today, a day either side, leap-day births, and anyone 17..80.
    def years_ago(years: int) -> date:
        return add_months(as_of, -12 * years, as_of.day)

    edges = st.sampled_from([19, 34, 35, 36]).flatmap(lambda y: _around(years_ago(y)))
    leap = st.sampled_from([date(2004, 2, 29), date(2006, 2, 28), date(2007, 3, 1), date(1991, 2, 28)])
    anyone = st.integers(17, 80).flatmap(lambda y: _around(years_ago(y), range(-200, 200, 37)))
    return st.one_of(edges, leap, anyone)


def _text(value: object, words: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    if value is None:
        return st.just("")
    if isinstance(value, bool):
        return st.sampled_from((TRUE_WORDS if value else FALSE_WORDS) if words is None else words)
    return st.just(str(value))


@st.composite
def _loans(draw: st.DrawFn, as_of: date) -> list[dict[str, object]]:
    loans: list[dict[str, object]] = []
    for _ in range(draw(st.integers(0, 3))):
        months = draw(st.sampled_from([5, 6, 7, 12]))
        day = draw(st.sampled_from([as_of.day, 28, 29, 30, 31]))
        executed = add_months(as_of, -months, day) + timedelta(days=draw(st.sampled_from([-1, 0, 0, 1])))
        if draw(st.booleans()):
            executed = draw(st.sampled_from([date(2025, 1, 31), date(2025, 2, 28), date(2024, 8, 31)]))
        tie = draw(st.booleans())
        if tie and loans:  # the same day as the loan before: the first open loan is the one listed first
            executed = date.fromisoformat(str(loans[-1]["executed_on"]))
        amount = draw(st.sampled_from([1, 500_000, 4_999_999, 5_000_000, 5_000_001, 10_000_000]))
        repaid = draw(st.booleans())
        balance = 0 if repaid else draw(st.sampled_from([0, amount // 2, amount]))
        loan: dict[str, object] = {
            "product": draw(st.sampled_from(LOAN_PRODUCTS)),
            "bank": draw(st.sampled_from(BANKS)),
            "amount": amount,
            "balance": balance,
            "executed_on": executed.isoformat(),
        }
        arrears = not repaid and draw(st.booleans()) and draw(st.booleans())
        if arrears or draw(st.booleans()):
            loan["in_arrears"] = arrears
        if repaid or draw(st.booleans()):
            loan["repaid"] = repaid
        loans.append(loan)
    return loans


@st.composite
def _documents(draw: st.DrawFn, as_of: date) -> list[dict[str, object]]:
    valid_from = add_months(as_of, -1, as_of.day)
    issued = st.one_of(
        _around(valid_from), _around(as_of), st.integers(0, 60).map(lambda k: as_of - timedelta(k))
    )
    types = st.sampled_from([*DOCUMENT_TYPES, "unknown_paper"])
    return [
        {"type": draw(types), "issued_on": draw(issued).isoformat()} for _ in range(draw(st.integers(0, 3)))
    ]


@st.composite
def applicant_rows(draw: st.DrawFn, as_of: date) -> dict[str, str]:
    """One applicant as the text of a CSV row, drawn towards the edges of the rules."""
    score = st.one_of(st.none(), st.sampled_from(CUTOFF_SCORES), st.integers(0, 1000))
    kind = draw(st.sampled_from(["", "", "workout", "rehabilitation", "new_start_fund"]))
    preferential = draw(st.lists(st.sampled_from(["consulting", "employment-support"]), max_size=3))
    loans = draw(_loans(as_of)) if draw(st.booleans()) else None
    held_banks = sorted({str(loan["bank"]) for loan in loans or []})
    bank = st.one_of(
        st.none(), st.sampled_from(BANKS), *([st.sampled_from(held_banks)] if held_banks else [])
    )
    row = {
        "applicant_id": draw(st.sampled_from(["", "x-1", "홍길동"])),
        "birth_date": draw(_birth_dates(as_of)).isoformat(),
        "annual_income": draw(st.one_of(st.sampled_from(CAPS), st.integers(0, 80_000_000), st.just(0))),
        "kcb_score": draw(score),
        "nice_score": draw(score),
        "occupation": draw(
            st.sampled_from(["employee", "business", "freelancer", "pensioner", "unemployed"])
        ),
        "employed_months": draw(st.one_of(st.sampled_from([0, 2, 3, 5, 6, 11, 12, 13]), st.integers(0, 960))),
        "pension_payments": draw(st.one_of(st.sampled_from([0, 1]), st.integers(0, 1200))),
        "haessal15": draw(st.sampled_from(["", "none", "rejected", "using", "repaid"])),
        "public_record": draw(st.booleans()),
        "debt_adjustment_kind": kind,
        "debt_adjustment_faithful_months": (
            draw(st.one_of(st.sampled_from([0, 5, 6, 7]), st.integers(0, 600))) if kind else None
        ),
        "region": draw(st.sampled_from(REGION_SPELLINGS)),
        "vulnerable": draw(st.booleans()),
        "basic_livelihood": draw(st.booleans()),
        "preferential": ";".join(preferential),
        "requested_bank": draw(bank),
        "requested_amount": draw(st.one_of(st.none(), st.sampled_from(LIMITS), st.integers(1, 30_000_000))),
        "existing_loans": json.dumps(loans) if loans is not None else None,
        "documents": json.dumps(draw(_documents(as_of))) if draw(st.booleans()) else None,
    }
    return {k: draw(_text(v)) if not isinstance(v, str) else v for k, v in row.items()}


@st.composite
def screening_cases(draw: st.DrawFn) -> tuple[date, list[dict[str, str]]]:
    as_of = draw(st.sampled_from(EDGE_DATES))
    return as_of, draw(st.lists(applicant_rows(as_of), min_size=1, max_size=30))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(screening_cases())
def test_generated_rows_match_the_engine(case: tuple[date, list[dict[str, str]]]) -> None:
    as_of, rows = case
    frame = pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))
    prepared = prepare_applicants(frame)
    profiles = [profile_from_row(row) for row in rows]
    for product in CATALOG.in_force(as_of):
        expected = engine_outcomes(product, profiles, as_of)
        assert_same(expected, batch_outcomes(screen_frame(product, prepared, as_of)), rows, product.id)


def test_month_end_additional_loan_and_document_window() -> None:
    """Executed 2025-01-31: the additional loan opens 2025-07-31; a document of 2025-06-30 is valid then."""
    product = CATALOG.get("lowest-credit-special", date(2025, 7, 31))
    loan = {"product": product.id, "bank": "kwangju", "amount": 5_000_000, "balance": 4_000_000,
            "executed_on": "2025-01-31"}  # fmt: skip
    base = {
        "birth_date": "1980-01-01", "annual_income": "30000000", "kcb_score": "600", "occupation": "employee",
        "employed_months": "24", "haessal15": "rejected", "region": "서울", "requested_bank": "kwangju",
        "requested_amount": "5000000", "existing_loans": json.dumps([loan]),
        "documents": json.dumps([{"type": "employment_certificate", "issued_on": "2025-06-30"},
                                 {"type": "payslips_3_months", "issued_on": "2025-06-29"}]),
    }  # fmt: skip
    frame = pl.DataFrame([base], schema=dict.fromkeys(base, pl.String))
    for as_of, expected in (
        (date(2025, 7, 30), "ADDITIONAL_LOAN_TOO_EARLY"),
        (date(2025, 7, 31), "DOCUMENT_EXPIRED"),
    ):
        codes = screen_frame(product, frame, as_of)["codes"][0]
        assert codes == ";".join(evaluate(product, profile_from_row(base), as_of).codes)
        assert expected in codes.split(";")
    assert screen_frame(product, frame, date(2025, 7, 31))["codes"][0].split(";") == ["DOCUMENT_EXPIRED"]


def test_first_open_loan_on_a_tie_is_the_one_listed_first() -> None:
    """Two open loans executed the same day: the additional loan must go to the bank listed first."""
    as_of = date(2025, 5, 1)
    product = CATALOG.get("lowest-credit-special", as_of)
    loans = [
        {
            "product": product.id,
            "bank": bank,
            "amount": 2_000_000,
            "balance": 1_000_000,
            "executed_on": "2024-10-10",
        }
        for bank in ("jeonbuk", "kwangju", "sbi-sb")
    ]
    applicant = {**GOOD_ROW, "haessal15": "rejected", "kcb_score": "600", "employed_months": "12"}
    rows = [
        {**applicant, "requested_bank": bank, "existing_loans": json.dumps(held)}
        for bank, held in (("jeonbuk", loans[:2]), ("kwangju", loans[:2]), ("sbi-sb", loans[::-1][:2]))
    ]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))
    codes = screen_frame(product, frame, as_of)["codes"].to_list()
    assert codes == [";".join(evaluate(product, profile_from_row(row), as_of).codes) for row in rows]
    assert ["ADDITIONAL_LOAN_OTHER_BANK" in c for c in codes] == [False, True, False]


# --- input checks ------------------------------------------------------------------------------------


def write_csv(path: Path, rows: Sequence[Mapping[str, str]]) -> Path:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    pl.DataFrame(
        [{c: row.get(c, "") for c in columns} for row in rows], schema=dict.fromkeys(columns, pl.String)
    ).write_csv(path)
    return path


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("annual_income", "-1", "must be whole won, 0 or more"),
        ("annual_income", "30,000,000", "must be whole won"),
        ("annual_income", "", "must be whole won"),
        ("kcb_score", "1001", "0..1000"),
        ("nice_score", "-3", "0..1000"),
        ("occupation", "student", "must be one of employee"),
        ("region", "Seoul", "must be a 시도"),
        ("requested_bank", "kb-bank", "catalog bank code"),
        ("birth_date", "1980-02-30", "YYYY-MM-DD"),
        ("birth_date", "05/05/1980", "YYYY-MM-DD"),
        ("birth_date", "1899-12-31", "1900 or later"),
        ("employed_months", "961", "0..960"),
        ("haessal15", "maybe", "must be one of none"),
        ("public_record", "sometimes", "true or false"),
        ("debt_adjustment_kind", "bankruptcy", "workout"),
        ("debt_adjustment_faithful_months", "4", "without a debt_adjustment_kind"),
        ("preferential", "consulting;vip", "';'-separated codes"),
        ("requested_amount", "0", "above 0"),
        ("existing_loans", '{"product": "x"}', "JSON array"),
        ("existing_loans", "[{", "JSON array"),
        (
            "existing_loans",
            '[{"product": "miso", "bank": "kwangju", "amount": 5, "balance": 6, '
            '"executed_on": "2025-01-01"}]',
            "balance exceeds amount",
        ),
        (
            "existing_loans",
            '[{"product": "miso", "bank": "kwangju", "amount": 5, "balance": 0, '
            '"executed_on": "2025-01-01", "note": "x"}]',
            "unknown key 'note'",
        ),
        (
            "existing_loans",
            '[{"product": "miso", "bank": "kwangju", "amount": "5", "balance": 0, '
            '"executed_on": "2025-01-01"}]',
            "amount must be a JSON whole number",
        ),
        (
            "existing_loans",
            '[{"product": "miso", "bank": "kwangju", "amount": 5, "balance": 5, '
            '"executed_on": "2025-01-01", "repaid": true}]',
            "repaid loan must be 0",
        ),
        ("documents", '[{"type": "business_registration"}]', "issued_on must be a date"),
        ("documents", '[{"type": "a", "issued_on": "2025-01-01", "type": "b"}]', "duplicate key 'type'"),
    ],
)
def test_bad_values_name_file_row_and_column(tmp_path: Path, column: str, value: str, fragment: str) -> None:
    rows = [dict(GOOD_ROW) for _ in range(5)]
    rows[2][column] = value
    if column == "debt_adjustment_kind":
        rows[2]["debt_adjustment_faithful_months"] = "3"
    path = write_csv(tmp_path / "applicants.csv", rows)
    with pytest.raises(ScreeningInputError) as caught:
        read_applicants(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"applicants.csv: row 3, column {column}: "), message
    assert fragment in message, message


def test_bad_rows_are_listed_first_few(tmp_path: Path) -> None:
    rows = [dict(GOOD_ROW) for _ in range(20)]
    for i in (4, 9, 10, 11, 12, 13, 19):
        rows[i]["kcb_score"] = "2000"
    rows[15]["annual_income"] = "-5"
    with pytest.raises(ScreeningInputError, match=r"^applicants.csv: rows 5, 10, 11, 12, 13 and 2 more, "
                                                  r"column kcb_score: .*row 5 has '2000'$"):  # fmt: skip
        read_applicants(write_csv(tmp_path / "applicants.csv", rows))


def test_unknown_and_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(ScreeningInputError, match=r"applicants.csv: unknown column\(s\) 'colour'"):
        read_applicants(write_csv(tmp_path / "applicants.csv", [{**GOOD_ROW, "colour": "red"}]))
    without_region = {k: v for k, v in GOOD_ROW.items() if k != "region"}
    with pytest.raises(ScreeningInputError, match=r"missing required column\(s\) region"):
        read_applicants(write_csv(tmp_path / "applicants.csv", [without_region]))
    with pytest.raises(ScreeningInputError, match=r"use \.csv or \.parquet"):
        read_applicants(tmp_path / "applicants.xlsx")


def test_profile_from_row_names_the_column() -> None:
    assert profile_from_row({**GOOD_ROW, "region": "서울특별시"}).region == "서울"
    with pytest.raises(ScreeningInputError, match="requested_bank"):
        profile_from_row({**GOOD_ROW, "requested_bank": "kb-bank"})
    with pytest.raises(ScreeningInputError, match="annual_income"):
        profile_from_row({**GOOD_ROW, "annual_income": "-1"})
    with pytest.raises(ScreeningInputError, match="colour"):
        profile_from_row({**GOOD_ROW, "colour": "red"})


def test_screen_file_numbers_rows_across_chunks(tmp_path: Path) -> None:
    rows = [dict(GOOD_ROW) for _ in range(2_600)]
    rows[2_499]["occupation"] = "student"
    product = CATALOG.get("miso", DATES[0])
    with pytest.raises(ScreeningInputError, match=r"^applicants.csv: row 2500, column occupation"):
        screen_file(product, write_csv(tmp_path / "applicants.csv", rows), DATES[0], chunk_rows=1_000)


def test_screen_frame_refuses_a_product_out_of_force(prepared: pl.DataFrame) -> None:
    product = CATALOG.get("haessal-17", date(2020, 1, 1))
    with pytest.raises(ValueError, match="not in force"):
        screen_frame(product, prepared.head(3), DATES[0])


# --- files ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_file_round_trip(
    tmp_path: Path, suffix: str, synthetic: pl.DataFrame, prepared: pl.DataFrame
) -> None:
    product = CATALOG.get("lowest-credit-special", DATES[0])
    applicants = synthetic.head(5_000)
    path = tmp_path / f"applicants{suffix}"
    if suffix == ".csv":
        applicants.write_csv(path)
    else:
        applicants.write_parquet(path)
    assert read_applicants(path).equals(prepared.head(5_000))
    expected = screen_frame(product, prepared.head(5_000), DATES[0])
    calls: list[tuple[int, int]] = []
    result = screen_file(product, path, DATES[0], progress=lambda done, total: calls.append((done, total)),
                         chunk_rows=1_500)  # fmt: skip
    assert result.equals(expected)
    assert calls[0] == (0, 5_000) and calls[-1] == (5_000, 5_000)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)

    out = tmp_path / f"results{suffix}"
    write_results(result, out)
    back = pl.read_csv(out, schema=RESULT_SCHEMA) if suffix == ".csv" else pl.read_parquet(out)
    assert back.equals(result)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "applicants.csv"
    path.write_text(",".join(GOOD_ROW) + "\n", encoding="utf-8")
    product = CATALOG.get("miso", DATES[0])
    assert screen_file(product, path, DATES[0]).schema == RESULT_SCHEMA
    assert screen_frame(product, read_applicants(path), DATES[0]).height == 0
