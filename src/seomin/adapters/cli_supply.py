"""``seomin plan …`` and ``seomin report …``: supply plans (seed 000) checked, imported and reported.

Registered in cli.py with ``app.add_typer(plan_app, name="plan")`` and ``app.add_typer(report_app,
name="report")``. This module does not import cli.py (which imports it), so it has its own ``fail``.
Bad input ends with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from seomin.adapters.plan_files import (
    RATE,
    read_plan_csv,
    report_title,
    seed_plan,
    write_report_csv,
    write_report_xlsx,
)
from seomin.domain.supply import Level, PlanError, check_table
from seomin.services.analytics.supply import SupplyError, SupplyReport, import_plan, supply_report

plan_app = typer.Typer(help="공급계획: check and import supply plan tables (seed 000)", no_args_is_help=True)
report_app = typer.Typer(help="보고서: supply against plan", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def fail(message: str) -> NoReturn:
    """Bad input: one line, exit code 2."""
    err.print(f"seomin: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def number(value: Decimal, rate: bool = False) -> int | float:
    """A figure for JSON: a rate as a float (103.0), an amount as an integer when whole, else a float."""
    return int(value) if not rate and value == value.to_integral_value() else float(value)


def fmt(value: Decimal | None, suffix: str = "") -> str:
    if value is None:
        return "-"
    if suffix == "%":
        text = f"{value:,.1f}"
    elif value == value.to_integral_value():
        text = f"{int(value):,}"
    else:
        text = f"{value:,f}".rstrip("0").rstrip(".")
    return text.replace("-", "△") + suffix


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@plan_app.command("check")
def plan_check(
    file: Annotated[
        Path | None, typer.Argument(help="Plan table CSV (seed 000 layout); default: seed 000's, as shipped")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """검증: every printed subtotal, total, rate (B/A) and change (C−A) against the item rows. Exit 0."""
    try:
        table = seed_plan() if file is None else read_plan_csv(file)
    except PlanError as exc:
        fail(str(exc))
    found = check_table(table)
    if as_json:
        emit_json(
            {
                "rows": len(table.rows),
                "disagreements": [
                    {
                        "row": {"product_group": d.row.product_group, "channel": d.row.channel},
                        "column": d.column,
                        "printed": number(d.printed, d.column == RATE),
                        "computed": number(d.computed, d.column == RATE),
                    }
                    for d in found
                ],
            }
        )
        return
    name = "seed 000" if file is None else file.name
    if not found:
        out.print(f"{name}: {len(table.rows)}개 행, 인쇄된 합계·달성률·증감이 모두 일치합니다.")
        return
    result = Table(title=f"{name}: 불일치 {len(found)}건 ({len(table.rows)}개 행)")
    for column in ("구분", "세부", "항목", "인쇄값", "계산값"):
        result.add_column(column)
    for d in found:
        suffix = "%" if d.column == RATE else ""
        result.add_row(
            d.row.product_group, d.row.channel, d.column, fmt(d.printed, suffix), fmt(d.computed, suffix)
        )
    out.print(result)


def settings_engine() -> Engine:
    """The configured database (SEOMIN_DATABASE_URL, default SQLite under ./var), migrated to the latest."""
    from seomin.adapters.db.engine import make_engine
    from seomin.adapters.db.migrate import upgrade
    from seomin.settings import load_settings

    try:
        engine = make_engine(load_settings().database_url)
        upgrade(engine)
    except Exception as exc:  # an unreachable server or a bad URL: one line, not a traceback
        fail(f"database: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return engine


@plan_app.command("import")
def plan_import(
    file: Annotated[Path, typer.Argument(help="Plan table CSV (seed 000 layout)")],
    year: Annotated[
        int | None, typer.Option("--year", help="Store only this year's figures (default: every year)")
    ] = None,
) -> None:
    """가져오기: store the item rows (plan A, estimate B, next plan C); printed sums are only checked."""
    try:
        table = read_plan_csv(file)
    except PlanError as exc:
        fail(str(exc))
    if year is not None and year not in (table.year, table.year + 1):
        fail(f"--year {year}: the table has figures for {table.year} and {table.year + 1}")
    for d in check_table(table):
        suffix = "%" if d.column == RATE else ""
        err.print(
            f"seomin: note: {d.row.product_group}/{d.row.channel} {d.column}: printed "
            f"{fmt(d.printed, suffix)}, computed {fmt(d.computed, suffix)} (sums are computed, not stored)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    engine = settings_engine()
    try:
        result = import_plan(engine, table, year=year, source=file.name)
    except SupplyError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    kinds = {"plan": "공급계획", "estimate": "추정실적"}
    for (y, kind), count in sorted(result.stored.items()):
        out.print(f"{y}년 {kinds[kind]}: {count}개 항목 저장", highlight=False)


def _eok(value: Decimal | None, suffix: str = "") -> str:
    if value is None:
        return "-"
    return fmt(value.quantize(Decimal("0.1") if suffix else Decimal("0.01"), rounding=ROUND_HALF_UP), suffix)


@report_app.command("supply")
def report_supply(
    year: Annotated[int, typer.Option("--year", help="Plan year")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Supply through this day YYYY-MM-DD (default today)")
    ] = None,
    estimate: Annotated[
        bool, typer.Option("--estimate", help="Use the stored 추정실적 instead of executed loans")
    ] = False,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Also write the table as CSV")] = None,
    xlsx_path: Annotated[Path | None, typer.Option("--xlsx", help="Also write the table as XLSX")] = None,
    charts_dir: Annotated[
        Path | None, typer.Option("--charts", help="Also draw the charts (PNG and SVG) into this folder")
    ] = None,
) -> None:
    """공급실적: plan, actual (or estimate), rate, year-end projection, next plan, change; sums computed."""
    from seomin.services.clock import today_kst

    try:
        day = date.fromisoformat(as_of) if as_of is not None else today_kst()
    except ValueError:
        fail(f"--as-of: expected a date as YYYY-MM-DD, got {as_of!r}")
    engine = settings_engine()
    try:
        report = supply_report(engine, year, day, basis="estimate" if estimate else "actual")
    except SupplyError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    try:
        if csv_path is not None:
            write_report_csv(csv_path, year, report.basis, report.rows)
        if xlsx_path is not None:
            write_report_xlsx(xlsx_path, year, report.basis, report.rows, report_title(report))
        if charts_dir is not None:
            from seomin.adapters.charts import KoreanFontMissing, write_supply_charts

            try:
                written = write_supply_charts(report, charts_dir)
            except KoreanFontMissing as exc:
                fail(str(exc))
            for path in written:
                err.print(f"seomin: chart: {path}", markup=False, highlight=False, soft_wrap=True)
    except OSError as exc:
        fail(f"cannot write: {exc.strerror or exc}")
    out.print(report_table(report))


def report_table(report: SupplyReport) -> Table:
    table = Table(title=report_title(report))
    y = report.year
    actual = "추정실적(B)" if report.basis == "estimate" else "실적(B)"
    columns = ["구분", f"{y} 공급계획(A)", actual, "달성률(B/A)"]
    if report.basis == "actual":
        columns += ["연말 추정", "추정 달성률"]
    columns += [f"{y + 1} 공급계획(C)", "증감(C−A)", "증감률"]
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    for r in report.rows:
        label = (
            r.key.channel
            if r.key.channel == r.key.product_group
            else f"{r.key.product_group} {r.key.channel}"
        )
        cells = [label, _eok(r.plan), _eok(r.actual), _eok(r.rate_pct, "%")]
        if report.basis == "actual":
            cells += [_eok(r.projection), _eok(r.projected_rate_pct, "%")]
        cells += [_eok(r.next_plan), _eok(r.change), _eok(r.change_rate_pct, "%")]
        style = "bold" if r.level is not Level.ITEM else None
        table.add_row(*cells, style=style)
    return table
