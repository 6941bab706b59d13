"""Supply plans stored and actual supply aggregated, on SQLite and PostgreSQL; the report's CLI on SQLite."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from builders import make_loan
from seomin.adapters.cli_supply import plan_app, report_app
from seomin.adapters.db.models import AuditEvent, SupplyPlanRow
from seomin.adapters.plan_files import parse_plan_csv, read_plan_csv
from seomin.domain.supply import LineKey, project_year_end
from seomin.services.analytics.supply import (
    UNPLANNED,
    SupplyError,
    actual_supply,
    default_line_mapping,
    import_plan,
    plan_lines,
    supply_report,
)
from seomin.services.platform import Platform

DATA = Path(__file__).parents[2] / "data" / "supply_plan_2020_2021.csv"
HEADER = (
    "product_group,channel,level,plan_2020_a,estimated_2020_b,stated_rate_pct,plan_2021_c,change_c_minus_a\n"
)


def stored_rows(platform: Platform) -> list[tuple[int, str, str, str, int]]:
    with platform.sessions() as session:
        return [
            (r.year, r.kind, r.product_group, r.channel, r.amount_centi_eok)
            for r in session.scalars(select(SupplyPlanRow).order_by(SupplyPlanRow.id))
        ]


def audit_count(platform: Platform) -> int:
    with platform.sessions() as session:
        return (
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "supply_plan.import")
            )
            or 0
        )


def test_import_stores_item_rows_exactly_and_idempotently(platform: Platform) -> None:
    table = read_plan_csv(DATA)
    result = import_plan(platform.engine, table, source=DATA.name)
    assert result.stored == {(2020, "plan"): 8, (2020, "estimate"): 8, (2021, "plan"): 8}
    first = stored_rows(platform)
    assert len(first) == 24
    assert all(kind in ("plan", "estimate") for _, kind, _, _, _ in first)
    assert not any("소계" in channel or channel in ("합계", "총계") for _, _, _, channel, _ in first)
    plan = plan_lines(platform.engine, 2020)
    assert plan[LineKey("미소금융", "기업재단")] == Decimal(2250)
    assert sum(plan.values()) == Decimal(49000)
    assert sum(plan_lines(platform.engine, 2020, "estimate").values()) == Decimal(48961)
    assert sum(plan_lines(platform.engine, 2021).values()) == Decimal(40400)
    assert audit_count(platform) == 3

    import_plan(platform.engine, table, source=DATA.name)
    assert sorted(stored_rows(platform)) == sorted(first)
    assert audit_count(platform) == 3  # nothing changed, nothing to audit


def test_import_one_year_and_exact_fractions(platform: Platform) -> None:
    table = parse_plan_csv(HEADER + "햇살론,근로자,item,1234.56,0.01,0.0,99999999.99,99998765.43\n")
    import_plan(platform.engine, table, year=2021)
    assert [(y, k) for y, k, *_ in stored_rows(platform)] == [(2021, "plan")]
    assert plan_lines(platform.engine, 2021) == {LineKey("햇살론", "근로자"): Decimal("99999999.99")}
    import_plan(platform.engine, table, year=2020)
    assert plan_lines(platform.engine, 2020) == {LineKey("햇살론", "근로자"): Decimal("1234.56")}
    assert plan_lines(platform.engine, 2020, "estimate") == {LineKey("햇살론", "근로자"): Decimal("0.01")}
    with pytest.raises(SupplyError, match="figures for 2020 and 2021"):
        import_plan(platform.engine, table, year=2019)
    finer = parse_plan_csv(HEADER + "햇살론,근로자,item,1.001,1,99.9,1,0\n")
    with pytest.raises(SupplyError, match=r"finer than 0\.01"):
        import_plan(platform.engine, finer)


def add_loan(platform: Platform, product_id: str, bank_code: str, amount: int, executed_on: date) -> None:
    make_loan(platform, amount=amount, executed_on=executed_on, product_id=product_id, bank_code=bank_code)


def seed_loans(platform: Platform) -> None:
    add_loan(platform, "worker-haessal", "kwangju", 50_000_000, date(2021, 1, 10))
    add_loan(platform, "worker-haessal", "jeonbuk", 30_000_000, date(2021, 3, 5))
    add_loan(platform, "worker-haessal", "kwangju", 1_234_567, date(2021, 3, 31))
    add_loan(platform, "miso", "miso-foundations", 20_000_000, date(2021, 2, 1))
    add_loan(platform, "haessal-youth", "kwangju", 9_000_000, date(2020, 12, 31))  # last year
    add_loan(platform, "lowest-credit-special", "kwangju", 7_000_000, date(2021, 4, 1))  # after as-of
    add_loan(platform, "new-product", "kwangju", 3_000_000, date(2021, 1, 1))  # not in the mapping


def test_actual_supply_by_line_and_month(platform: Platform) -> None:
    seed_loans(platform)
    actual = actual_supply(platform.engine, 2021, date(2021, 3, 31))
    worker = LineKey("햇살론", "근로자")
    assert actual.by_line == {
        worker: Decimal("0.81234567"),
        LineKey("미소금융", "지점 소계"): Decimal("0.2"),
        LineKey(UNPLANNED, "new-product"): Decimal("0.03"),
    }
    assert actual.monthly[worker][:4] == [Decimal("0.5"), 0, Decimal("0.31234567"), 0]
    assert actual.monthly_total()[:3] == [Decimal("0.53"), Decimal("0.2"), Decimal("0.31234567")]
    assert sum(actual.monthly_total()) == Decimal("1.04234567")
    before_year = actual_supply(platform.engine, 2021, date(2020, 12, 31))
    assert before_year.by_line == {}


def test_report_against_the_plan_with_projection(platform: Platform) -> None:
    import_plan(platform.engine, read_plan_csv(DATA))
    seed_loans(platform)
    report = supply_report(platform.engine, 2021, date(2021, 3, 31))
    rows = {r.key: r for r in report.rows}
    worker = rows[LineKey("햇살론", "근로자")]
    assert worker.plan == Decimal(24000) and worker.actual == Decimal("0.81234567")
    assert worker.rate_pct == Decimal("0.0")
    # 1 January to 31 March is 90 days of 365: 0.81234567 × 365 / 90 = 3.2945…
    assert worker.projection == Decimal("3.29")
    assert worker.next_plan is None and worker.change is None  # no 2022 plan stored
    assert rows[LineKey("미소금융", "기업재단")].actual is None  # the foundations' split is unknown
    assert rows[LineKey("미소금융", "민간사업수행기관")].actual == 0
    assert rows[LineKey("미소금융", "지점 소계")].actual == Decimal("0.2")
    assert rows[LineKey("미소금융", "합계")].actual == Decimal("0.2")
    assert rows[LineKey("햇살론17", "햇살론17")].actual == 0  # its loan came after the as-of day
    unplanned = rows[LineKey(UNPLANNED, "new-product")]
    assert unplanned.plan is None and unplanned.actual == Decimal("0.03")
    total = rows[LineKey("총계", "총계")]
    assert total.plan == Decimal(40400)
    assert total.actual == Decimal("1.04234567")
    assert total.projection == Decimal("3.29") + Decimal("0.81") + Decimal("0.12")
    assert [r.key for r in report.rows][-2:] == [LineKey(UNPLANNED, "new-product"), LineKey("총계", "총계")]


def test_report_on_the_estimate_is_seed_000_recomputed(platform: Platform) -> None:
    import_plan(platform.engine, read_plan_csv(DATA))
    report = supply_report(platform.engine, 2020, date(2021, 1, 1), basis="estimate")
    rows = {(r.key.product_group, r.key.channel): r for r in report.rows}
    assert rows[("햇살론", "YOUTH")].rate_pct == Decimal("110.7")
    assert rows[("햇살론", "소계")].rate_pct == Decimal("103.0")
    assert rows[("총계", "총계")].actual == Decimal(48961)
    assert rows[("총계", "총계")].change == Decimal(-8600)
    assert rows[("총계", "총계")].change_rate_pct == Decimal("-17.6")
    assert rows[("미소금융", "지점 소계")].rate_pct == Decimal("75.5")


def test_year_end_projection() -> None:
    assert project_year_end(Decimal(100), 2021, date(2020, 12, 31)) is None
    assert project_year_end(Decimal(100), 2021, date(2021, 1, 1)) == Decimal(36500)
    assert project_year_end(Decimal(100), 2024, date(2024, 12, 30)) == Decimal("100.27")  # 366 / 365 days
    assert project_year_end(Decimal(100), 2021, date(2021, 12, 31)) == Decimal(100)
    assert project_year_end(Decimal(100), 2021, date(2022, 3, 1)) == Decimal(100)


def test_every_catalog_product_has_a_plan_line(platform: Platform) -> None:
    mapping = default_line_mapping()
    for product in {v.id for v in platform.catalog}:
        assert mapping.line(product, "kwangju").product_group != UNPLANNED, product
    assert mapping.line("miso", "miso-operators") == LineKey("미소금융", "민간·전통시장 소계")


# --- the CLI (SQLite) --------------------------------------------------------------------------------

wrapper = typer.Typer()
wrapper.add_typer(plan_app, name="plan")
wrapper.add_typer(report_app, name="report")


def test_cli_import_and_report(tmp_path: Path) -> None:
    runner = CliRunner(env={"SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "COLUMNS": "160"})
    result = runner.invoke(wrapper, ["plan", "import", str(DATA)])
    assert result.exit_code == 0, result.output
    assert "2021년 공급계획: 8개 항목 저장" in result.stdout
    assert "printed 110.7%, computed 103.0%" in result.stderr
    again = runner.invoke(wrapper, ["plan", "import", str(DATA), "--year", "2021"])
    assert again.exit_code == 0 and "2020년" not in again.stdout
    csv_path, xlsx_path = tmp_path / "r.csv", tmp_path / "r.xlsx"
    args = [
        "report",
        "supply",
        "--year",
        "2020",
        "--estimate",
        "--csv",
        str(csv_path),
        "--xlsx",
        str(xlsx_path),
    ]
    result = runner.invoke(wrapper, args)
    assert result.exit_code == 0, result.output
    assert "2020년 서민금융 공급실적 (추정실적" in result.stdout and "103.0%" in result.stdout
    with csv_path.open(encoding="utf-8-sig") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 13
    total = records[-1]
    assert (total["channel"], total["plan_2020_a"], total["estimated_2020_b"]) == ("총계", "49000", "48961")
    assert (total["rate_pct"], total["plan_2021_c"], total["change_c_minus_a"]) == ("99.9", "40400", "-8600")
    sheet = load_workbook(xlsx_path).active
    assert sheet is not None
    assert sheet["A2"].value == "구분" and sheet["D2"].value == "2020 공급계획(A)"
    assert sheet["A16"].value == "총계" and sheet["E16"].value == 48961
    actual = runner.invoke(wrapper, ["report", "supply", "--year", "2021", "--as-of", "2021-06-30"])
    assert actual.exit_code == 0 and "2021.06.30 기준 실적" in actual.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "supply", "--year", "2021", "--as-of", "June"], "--as-of"),
        (["report", "supply", "--year", "0"], "not a plan year"),
        (["plan", "import", "missing.csv"], "cannot read"),
        (["plan", "import", str(DATA), "--year", "2030"], "figures for 2020 and 2021"),
    ],
)
def test_cli_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    runner = CliRunner(env={"SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"})
    result = runner.invoke(wrapper, args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_2026_line_up_counts_toward_its_own_published_plan_lines(platform: Platform) -> None:
    from seomin.adapters.plan_files import LINEUP_2026_PLAN, packaged_plan

    import_plan(platform.engine, packaged_plan(LINEUP_2026_PLAN))
    special, general = LineKey("햇살론", "특례보증"), LineKey("햇살론", "일반보증")
    plan = plan_lines(platform.engine, 2026)
    assert plan[special] == Decimal("23300")  # 2.33조 원
    assert plan[general] == Decimal("33700")  # 3.37조 원
    add_loan(platform, "haessal-special", "kwangju", 10_000_000, date(2026, 3, 2))
    add_loan(platform, "haessal-general", "kwangju", 15_000_000, date(2026, 3, 3))
    actual = actual_supply(platform.engine, 2026, date(2026, 3, 31))
    # 특례보증 is not 근로자햇살론's successor: nothing of the 2026 line-up lands on 근로자
    assert actual.by_line == {special: Decimal("0.1"), general: Decimal("0.15")}
