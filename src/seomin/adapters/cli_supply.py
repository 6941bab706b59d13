"""``seomin plan …`` and ``seomin report …``: supply plans (seed 000) checked, imported and reported.

Registered in cli.py with ``app.add_typer(plan_app, name="plan")`` and ``app.add_typer(report_app,
name="report")``. This module does not import cli.py (which imports it), so it has its own ``fail``.
Bad input ends with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from seomin.adapters.plan_files import RATE, read_plan_csv
from seomin.domain.supply import PlanError, check_table

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
    file: Annotated[Path, typer.Argument(help="Plan table CSV (seed 000 layout)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """검증: every printed subtotal, total, rate (B/A) and change (C−A) against the item rows. Exit 0."""
    try:
        table = read_plan_csv(file)
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
    if not found:
        out.print(f"{file.name}: {len(table.rows)}개 행, 인쇄된 합계·달성률·증감이 모두 일치합니다.")
        return
    result = Table(title=f"{file.name}: 불일치 {len(found)}건 ({len(table.rows)}개 행)")
    for column in ("구분", "세부", "항목", "인쇄값", "계산값"):
        result.add_column(column)
    for d in found:
        suffix = "%" if d.column == RATE else ""
        result.add_row(
            d.row.product_group, d.row.channel, d.column, fmt(d.printed, suffix), fmt(d.computed, suffix)
        )
    out.print(result)
