"""Policy simulation: the proposed version, counts and supply against the batch engine, bands, the CLI."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from seomin.adapters.catalog_files import default_catalog
from seomin.adapters.cli_policy import policy_app
from seomin.domain.catalog import ProductVersion
from seomin.services.analytics import prepare_applicants, screen_frame, synthetic_applicants
from seomin.services.analytics.policy import (
    AGE_BANDS,
    INCOME_BANDS,
    SCORE_BANDS,
    SEGMENTS,
    PolicyChanges,
    PolicyInputError,
    age_band,
    income_band,
    propose,
    score_band,
    simulate_policy,
)

DAY = date(2025, 5, 1)
PRODUCT = "lowest-credit-special"


@pytest.fixture(scope="module")
def current() -> ProductVersion:
    return default_catalog().get(PRODUCT, DAY)


def person(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "birth_date": "1985-03-01",
        "annual_income": 28_000_000,
        "kcb_score": 600,
        "nice_score": None,
        "occupation": "employee",
        "employed_months": 24,
        "haessal15": "rejected",
        "region": "서울",
        "requested_amount": None,
    }
    row.update(overrides)
    return row


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "birth_date": pl.String,
            "annual_income": pl.Int64,
            "kcb_score": pl.Int64,
            "nice_score": pl.Int64,
            "occupation": pl.String,
            "employed_months": pl.Int64,
            "haessal15": pl.String,
            "region": pl.String,
            "requested_amount": pl.Int64,
        },
    )


# --- the proposed version ----------------------------------------------------------------------------


def test_propose_moves_only_the_named_figures(current: ProductVersion) -> None:
    changes = PolicyChanges(kcb_max=700, income_cap=50_000_000, first_time_limit=7_000_000)
    proposed = propose(current, changes)
    assert proposed.eligibility.credit is not None and current.eligibility.credit is not None
    assert proposed.eligibility.credit.kcb_max == 700
    assert proposed.eligibility.credit.nice_max == current.eligibility.credit.nice_max
    assert proposed.eligibility.income is not None and proposed.eligibility.income.cap == 50_000_000
    assert proposed.limits.first_time == 7_000_000
    assert proposed.limits.total_per_person == current.limits.total_per_person
    # Everything else is the current version's, and the current version is untouched.
    assert proposed.model_dump(exclude={"eligibility", "limits"}) == current.model_dump(
        exclude={"eligibility", "limits"}
    )
    assert current.eligibility.credit.kcb_max == 675
    assert propose(current, PolicyChanges()) == current


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (PolicyChanges(first_time_limit=12_000_000), "first_time exceeds total_per_person"),
        (PolicyChanges(total_limit=4_000_000), "first_time exceeds total_per_person"),
        (PolicyChanges(kcb_max=1001), "kcb_max"),
        (PolicyChanges(income_cap=-1), "cap"),
    ],
)
def test_propose_validates_the_result(current: ProductVersion, changes: PolicyChanges, message: str) -> None:
    with pytest.raises(PolicyInputError, match=message):
        propose(current, changes)


def test_propose_refuses_a_rule_the_product_lacks() -> None:
    catalog = default_catalog()
    no_credit = catalog.get("haessal-15", DAY)
    no_income = catalog.get("miso", DAY)
    with pytest.raises(PolicyInputError, match="no credit-score cutoff"):
        propose(no_credit, PolicyChanges(kcb_max=700))
    with pytest.raises(PolicyInputError, match="no income cap"):
        propose(no_income, PolicyChanges(income_cap=50_000_000))


# --- the comparison ----------------------------------------------------------------------------------


def test_each_change_moves_the_applicants_it_should(current: ProductVersion) -> None:
    population = frame(
        [
            person(),  # eligible either way
            person(kcb_score=690),  # above 675, within 700
            person(annual_income=48_000_000),  # above 45 M, within 50 M
            person(requested_amount=6_000_000),  # above 5 M first-time, within 7 M
            person(kcb_score=720),  # above both cutoffs
        ]
    )
    result = simulate_policy(
        current,
        PolicyChanges(kcb_max=700, income_cap=50_000_000, first_time_limit=7_000_000),
        population,
        DAY,
        target_eok=Decimal("0.2"),
    )
    assert (result.current.eligible, result.proposed.eligible) == (1, 4)
    assert result.current.ineligible == 4 and result.proposed.ineligible == 1
    # Expected amounts: the maximum offered, or the amount requested.
    assert result.current.expected_won == 5_000_000
    assert result.proposed.expected_won == 7_000_000 * 3 + 6_000_000
    assert result.current.supply_eok == Decimal("0.05")
    assert result.proposed.supply_eok == Decimal("0.27")
    assert result.current.gap_eok == Decimal("-0.15")
    assert result.proposed.gap_eok == Decimal("0.07")
    assert result.changes == {
        "eligibility.credit.kcb_max": (675, 700),
        "eligibility.income.cap": (45_000_000, 50_000_000),
        "limits.first_time": (5_000_000, 7_000_000),
    }
    halved = simulate_policy(current, PolicyChanges(kcb_max=700), population, DAY, take_up=Decimal("0.5"))
    assert halved.proposed.supply_eok == Decimal("0.05")  # two eligible at 5 M, half take up
    assert halved.proposed.gap_eok is None


def test_counts_and_supply_agree_with_the_batch_engine(current: ProductVersion) -> None:
    raw = synthetic_applicants(20_000, seed=11)
    changes = PolicyChanges(kcb_max=700, nice_max=749, income_cap=50_000_000, first_time_limit=7_000_000)
    result = simulate_policy(current, changes, raw, DAY, target_eok=Decimal("100"))
    prepared = prepare_applicants(raw)
    for outcome, version in ((result.current, current), (result.proposed, propose(current, changes))):
        screened = screen_frame(version, prepared, DAY).with_columns(requested=prepared["requested_amount"])
        eligible = screened.filter(pl.col("status") == "eligible")
        assert outcome.eligible == eligible.height
        assert outcome.needs_confirmation == (screened["status"] == "needs_confirmation").sum()
        assert outcome.eligible + outcome.needs_confirmation + outcome.ineligible == raw.height
        expected = sum(
            m if r is None else min(r, m) for r, m in eligible.select("requested", "max_amount").iter_rows()
        )
        assert outcome.expected_won == expected
        assert outcome.supply_eok == Decimal(expected) / 100_000_000
        assert outcome.gap_eok == outcome.supply_eok - 100
    # The youngest band is exactly the engine's AGE_OUT_OF_RANGE (the product sets no maximum age).
    assert current.eligibility.age.max_age is None
    codes = screen_frame(current, prepared, DAY)["codes"]
    young = pl.select(age_band(prepared["birth_date"], DAY) == AGE_BANDS[0]).to_series()
    assert young.to_list() == codes.str.contains("AGE_OUT_OF_RANGE").to_list()
    # Every relaxation only adds applicants, in every segment.
    assert result.proposed.eligible > result.current.eligible
    for column, (_, _, bands) in SEGMENTS.items():
        rows = [r for r in result.segments if r.segment == column]
        assert [r.band for r in rows] == [b for b in bands if b in {r.band for r in rows}]
        assert sum(r.population for r in rows) == raw.height
        assert sum(r.current for r in rows) == result.current.eligible
        assert sum(r.proposed for r in rows) == result.proposed.eligible
        assert all(r.proposed >= r.current for r in rows)


def test_bad_parameters(current: ProductVersion) -> None:
    population = frame([person()])
    with pytest.raises(PolicyInputError, match="take-up"):
        simulate_policy(current, PolicyChanges(), population, DAY, take_up=Decimal("1.5"))
    with pytest.raises(PolicyInputError, match="target"):
        simulate_policy(current, PolicyChanges(), population, DAY, target_eok=Decimal("-1"))
    with pytest.raises(ValueError, match="not in force"):
        simulate_policy(current, PolicyChanges(), population, date(2020, 1, 1))


# --- bands -------------------------------------------------------------------------------------------


def test_bands_at_their_edges() -> None:
    births = ["2006-05-01", "2006-05-02", "1995-05-01", "1995-05-02", "1955-05-01", "1955-05-02"]
    got = pl.select(age_band(pl.Series(births).str.to_date(), DAY).cast(pl.String)).to_series().to_list()
    assert got == ["19–29", "19세 미만", "30–39", "19–29", "70세 이상", "60–69"]
    incomes = [0, 1, 19_999_999, 20_000_000, 49_999_999, 50_000_000]
    got = pl.select(income_band(pl.Series(incomes)).cast(pl.String)).to_series().to_list()
    assert got == [
        INCOME_BANDS[0],
        INCOME_BANDS[1],
        INCOME_BANDS[1],
        INCOME_BANDS[2],
        INCOME_BANDS[4],
        "5,000만 이상",
    ]
    scores = pl.Series([None, 599, 600, 699, 700, 750], dtype=pl.Int64)
    got = pl.select(score_band(scores).cast(pl.String)).to_series().to_list()
    assert got == ["미상", "600 미만", "600–649", "650–699", "700–749", "750 이상"]
    assert len(AGE_BANDS) == 7 and len(SCORE_BANDS) == 6


# --- the CLI -----------------------------------------------------------------------------------------

wrapper = typer.Typer()
wrapper.add_typer(policy_app, name="policy")
runner = CliRunner()


def test_cli_json_and_table(tmp_path: Any) -> None:
    path = tmp_path / "people.csv"
    frame([person(), person(kcb_score=690)]).write_csv(path)
    args = ["policy", "simulate", "--product", PRODUCT, "--as-of", "2025-05-01", "--population", str(path)]
    result = runner.invoke(wrapper, [*args, "--kcb-max", "700", "--target-eok", "1,000", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["current"]["eligible"] == 1 and data["proposed"]["eligible"] == 2
    assert data["changes"] == {"eligibility.credit.kcb_max": {"current": 675, "proposed": 700}}
    assert data["target_eok"] == "1000" and data["proposed"]["gap_eok"] == "-999.9"
    table = runner.invoke(wrapper, [*args, "--kcb-max", "700", "--target-eok", "1000"])
    assert table.exit_code == 0, table.output
    assert "신청 가능" in table.stdout and "연령대" in table.stdout and "목표 대비" in table.stdout
    synthetic = runner.invoke(
        wrapper, ["policy", "simulate", "--product", PRODUCT, "--as-of", "2025-05-01", "--synthetic", "500"]
    )
    assert synthetic.exit_code == 0, synthetic.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--synthetic", "10", "--population", "FILE"], "exactly one of"),
        ([], "exactly one of"),
        (["--population", "FILE", "--first-time-limit", "20000000"], "first_time exceeds total_per_person"),
        (["--population", "FILE", "--target-eok", "lots"], "--target-eok: expected a number"),
        (["--population", "FILE", "--take-up", "2"], "take-up rate"),
        (["--population", "FILE", "--as-of", "2025-13-01"], "--as-of"),
        (["--synthetic", "0"], "--synthetic"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path: Any, extra: list[str], message: str) -> None:
    path = tmp_path / "people.csv"
    frame([person()]).write_csv(path)
    extra = [str(path) if a == "FILE" else a for a in extra]
    result = runner.invoke(
        wrapper, ["policy", "simulate", "--product", PRODUCT, "--as-of", "2025-05-01", *extra]
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_unknown_product_and_bad_file(tmp_path: Any) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "birth_date,annual_income,occupation,region\nnot-a-date,1,employee,서울\n", encoding="utf-8"
    )
    for args, message in (
        (["--product", "nope", "--synthetic", "5"], "unknown product"),
        (["--product", PRODUCT, "--population", str(tmp_path / "missing.csv")], "no such file"),
        (["--product", PRODUCT, "--population", str(bad)], "birth_date"),
    ):
        result = runner.invoke(wrapper, ["policy", "simulate", "--as-of", "2025-05-01", *args])
        assert result.exit_code == 2, result.output
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
