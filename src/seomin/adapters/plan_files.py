"""Read a supply plan table (seed 000's layout) from CSV into ``PlanTable``; every problem is a ``PlanError``.

The header names the years: ``product_group, channel, level, plan_{Y}_a, estimated_{Y}_b, stated_rate_pct,
plan_{Y+1}_c, change_c_minus_a``. Lines starting with ``#`` are comments. Figures are 억 원 as printed and
read exactly (Decimal); thousands separators, a trailing ``%``, ``△`` for minus and ``-`` for zero are
accepted the way the printed table writes them. A blank figure is unknown and is not checked.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from seomin.domain.supply import (
    Level,
    PlanColumn,
    PlanError,
    PlanTable,
    PlanTableRow,
    ReportRow,
    validate_hierarchy,
)
from seomin.services.analytics.supply import SupplyReport

PLAN_A = re.compile(r"^plan_(\d{4})_a$")
ESTIMATE_B = re.compile(r"^estimated_(\d{4})_b$")
PLAN_C = re.compile(r"^plan_(\d{4})_c$")
RATE = "stated_rate_pct"
CHANGE = "change_c_minus_a"


def parse_figure(text: str, where: str) -> Decimal | None:
    value = text.strip().replace(",", "").removesuffix("%").strip()
    if value == "":
        return None
    if value in {"-", "—", "–"}:
        return Decimal(0)
    if value.startswith("△") or value.startswith("▲"):
        value = "-" + value[1:].strip()
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise PlanError(f"{where}: not a number: {text!r}") from None
    if not number.is_finite():
        raise PlanError(f"{where}: not a number: {text!r}")
    return number


def _find(header: list[str], pattern: re.Pattern[str], what: str) -> tuple[str, int]:
    for name in header:
        match = pattern.match(name)
        if match:
            return name, int(match.group(1))
    raise PlanError(f"header: no {what} column (expected {pattern.pattern.strip('^$')})")


def parse_plan_csv(text: str) -> PlanTable:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1)]
    data = [(n, line) for n, line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not data:
        raise PlanError("no header row")
    rows_in = list(csv.reader(io.StringIO("\n".join(line for _, line in data))))
    header = [h.strip() for h in rows_in[0]]
    for required in ("product_group", "channel", "level", RATE, CHANGE):
        if required not in header:
            raise PlanError(f"header: missing column {required!r}")
    a_name, year = _find(header, PLAN_A, "plan A")
    b_name, b_year = _find(header, ESTIMATE_B, "estimate B")
    c_name, c_year = _find(header, PLAN_C, "plan C")
    if b_year != year or c_year != year + 1:
        raise PlanError(f"header: years disagree ({a_name}, {b_name}, {c_name}); expected Y, Y, Y+1")
    index = {name: i for i, name in enumerate(header)}
    rows: list[PlanTableRow] = []
    for (line_no, _), cells in zip(data[1:], rows_in[1:], strict=True):
        if len(cells) != len(header):
            raise PlanError(f"line {line_no}: {len(cells)} fields, the header has {len(header)}")

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[index[name]].strip()

        def figure(name: str, line_no: int = line_no, cells: list[str] = cells) -> Decimal | None:
            return parse_figure(cells[index[name]], f"line {line_no}, {name}")

        try:
            level = Level(cell("level"))
        except ValueError:
            raise PlanError(
                f"line {line_no}: level must be item, subtotal or total, got {cell('level')!r}"
            ) from None
        if not cell("product_group") or not cell("channel"):
            raise PlanError(f"line {line_no}: product_group and channel must not be empty")
        rows.append(
            PlanTableRow(
                line_no=line_no,
                product_group=cell("product_group"),
                channel=cell("channel"),
                level=level,
                plan_a=figure(a_name),
                estimate_b=figure(b_name),
                rate_pct=figure(RATE),
                plan_c=figure(c_name),
                change=figure(CHANGE),
            )
        )
    if not rows:
        raise PlanError("no data rows")
    validate_hierarchy(rows)
    names = {
        PlanColumn.PLAN_A: a_name,
        PlanColumn.ESTIMATE_B: b_name,
        PlanColumn.RATE: RATE,
        PlanColumn.PLAN_C: c_name,
        PlanColumn.CHANGE: CHANGE,
    }
    return PlanTable(year=year, rows=tuple(rows), column_names=names)


def read_plan_csv(path: Path) -> PlanTable:
    """Read and parse ``path``; unreadable or malformed files raise ``PlanError`` naming the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlanError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PlanError(f"{path}: not UTF-8 text") from None
    except ValueError as exc:
        raise PlanError(f"{path}: cannot read: {exc}") from None
    try:
        return parse_plan_csv(text)
    except csv.Error as exc:
        raise PlanError(f"{path}: not valid CSV: {exc}") from None
    except PlanError as exc:
        raise PlanError(f"{path}: {exc}") from None


# --- the supply report as files ------------------------------------------------------------------------


SEED_PLAN = "plans/supply_plan_2020_2021.csv"
"""Seed 000's 2020/2021 table as printed, packaged so the demo can show management a real plan."""


LINEUP_2026_PLAN = "plans/supply_plan_2025_2026.csv"
"""The published 2026 targets of the 2026 line-up (특례보증 2.33조, 일반보증 3.37조), as plan C of 2025."""


def packaged_plan(name: str = SEED_PLAN) -> PlanTable:
    """A plan table packaged under ``seomin/data`` (default: seed 000's 2020 plan and estimate, 2021 plan)."""
    from importlib import resources

    return parse_plan_csv(resources.files("seomin.data").joinpath(name).read_text(encoding="utf-8"))


def seed_plan() -> PlanTable:
    """The packaged seed-000 plan table (2020 plan and estimate, 2021 plan)."""
    return packaged_plan(SEED_PLAN)


def report_title(report: SupplyReport) -> str:
    """The report's heading, as the CLI table, the XLSX sheet and the management page show it."""
    basis = "추정실적" if report.basis == "estimate" else f"{report.as_of:%Y.%m.%d} 기준 실적"
    return f"{report.year}년 서민금융 공급실적 ({basis}, 단위: 억 원)"


def report_header(year: int, basis: str) -> list[str]:
    """Machine-readable column names of the report, naming the years like the plan tables do."""
    return [
        "product_group",
        "channel",
        "level",
        f"plan_{year}_a",
        f"{'estimated' if basis == 'estimate' else 'actual'}_{year}_b",
        "rate_pct",
        f"projection_{year}",
        "projected_rate_pct",
        f"plan_{year + 1}_c",
        "change_c_minus_a",
        "change_rate_pct",
    ]


def report_header_ko(year: int, basis: str) -> list[str]:
    """The same columns in Korean, as seed 000 heads them."""
    actual = "추정실적(B)" if basis == "estimate" else "실적(B)"
    return [
        "구분",
        "세부",
        "수준",
        f"{year} 공급계획(A)",
        actual,
        "달성률(%)(B/A)",
        "연말 추정",
        "추정 달성률(%)",
        f"{year + 1} 공급계획(C)",
        "증감(C-A)",
        "증감률(%)",
    ]


def report_records(rows: Sequence[ReportRow]) -> list[list[str | Decimal | None]]:
    return [
        [
            r.key.product_group,
            r.key.channel,
            r.level.value,
            r.plan,
            r.actual,
            r.rate_pct,
            r.projection,
            r.projected_rate_pct,
            r.next_plan,
            r.change,
            r.change_rate_pct,
        ]
        for r in rows
    ]


def _text(value: str | Decimal | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value != 0 else "0"
    return value


def write_report_csv(path: Path, year: int, basis: str, rows: Sequence[ReportRow]) -> None:
    """The report as CSV (UTF-8 with BOM, so spreadsheet programs read the Korean): exact 억 원 figures."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(report_header(year, basis))
        for record in report_records(rows):
            writer.writerow([_text(v) for v in record])


def write_report_xlsx(path: Path, year: int, basis: str, rows: Sequence[ReportRow], title: str) -> None:
    """The report as an XLSX workbook (openpyxl): Korean headings, amounts as numbers in 억 원."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"공급실적 {year}"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(report_header_ko(year, basis))
    sheet.append(report_header(year, basis))
    for record in report_records(rows):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in record])
    for column in "ABCDEFGHIJK":
        sheet.column_dimensions[column].width = 16
    book.save(path)
