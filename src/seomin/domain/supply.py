"""Supply plans (공급계획) in the layout of seed 000: item rows, the subtotals they make, and their checks.

Money is 억 원 as printed, held as ``Decimal`` (never float). Rates are percentages rounded half up to 0.1,
as printed. The hierarchy of seed 000:

- 미소금융 지점 소계 = 기업재단 + 은행재단 + 지역법인
- 미소금융 민간·전통시장 소계 = 민간사업수행기관 + 전통시장
- 미소금융 합계 = both subtotals (every 미소금융 item)
- 햇살론 소계 = 근로자 + YOUTH (every 햇살론 item)
- 총계 = 미소금융 합계 + 햇살론 소계 + 햇살론17 (every item row)

A printed subtotal or total is never trusted: it is recomputed from the item rows and each disagreement is
reported by row and column with both figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Level(StrEnum):
    ITEM = "item"
    SUBTOTAL = "subtotal"
    TOTAL = "total"


class PlanColumn(StrEnum):
    """The figures of a row: plan of year Y (A), its estimated result (B), B/A, next year's plan (C), C−A."""

    PLAN_A = "plan_a"
    ESTIMATE_B = "estimate_b"
    RATE = "rate"
    PLAN_C = "plan_c"
    CHANGE = "change"


@dataclass(frozen=True, slots=True, order=True)
class LineKey:
    product_group: str
    channel: str


@dataclass(frozen=True, slots=True)
class PlanTableRow:
    """One printed row; a figure left blank is ``None``."""

    line_no: int
    product_group: str
    channel: str
    level: Level
    plan_a: Decimal | None
    estimate_b: Decimal | None
    rate_pct: Decimal | None
    plan_c: Decimal | None
    change: Decimal | None

    @property
    def key(self) -> LineKey:
        return LineKey(self.product_group, self.channel)

    def figure(self, column: PlanColumn) -> Decimal | None:
        return {
            PlanColumn.PLAN_A: self.plan_a,
            PlanColumn.ESTIMATE_B: self.estimate_b,
            PlanColumn.RATE: self.rate_pct,
            PlanColumn.PLAN_C: self.plan_c,
            PlanColumn.CHANGE: self.change,
        }[column]


@dataclass(frozen=True, slots=True)
class PlanTable:
    """A plan table: ``year`` is the year of plan A and estimate B; plan C is for ``year + 1``."""

    year: int
    rows: tuple[PlanTableRow, ...]
    column_names: dict[PlanColumn, str]

    @property
    def items(self) -> tuple[PlanTableRow, ...]:
        return tuple(r for r in self.rows if r.level is Level.ITEM)


@dataclass(frozen=True, slots=True)
class Disagreement:
    row: LineKey
    column: str
    printed: Decimal
    computed: Decimal


class PlanError(ValueError):
    """A plan table that cannot be read as one."""


SUBTOTAL_CHANNELS: dict[LineKey, frozenset[str]] = {
    LineKey("미소금융", "지점 소계"): frozenset({"기업재단", "은행재단", "지역법인"}),
    LineKey("미소금융", "민간·전통시장 소계"): frozenset({"민간사업수행기관", "전통시장"}),
}
"""Subtotals over some channels of a group; any other subtotal (합계, 소계) covers every item of its group."""

GRAND_TOTAL = LineKey("총계", "총계")

LAYOUT: tuple[tuple[LineKey, Level], ...] = (
    (LineKey("미소금융", "기업재단"), Level.ITEM),
    (LineKey("미소금융", "은행재단"), Level.ITEM),
    (LineKey("미소금융", "지역법인"), Level.ITEM),
    (LineKey("미소금융", "지점 소계"), Level.SUBTOTAL),
    (LineKey("미소금융", "민간사업수행기관"), Level.ITEM),
    (LineKey("미소금융", "전통시장"), Level.ITEM),
    (LineKey("미소금융", "민간·전통시장 소계"), Level.SUBTOTAL),
    (LineKey("미소금융", "합계"), Level.SUBTOTAL),
    (LineKey("햇살론", "근로자"), Level.ITEM),
    (LineKey("햇살론", "YOUTH"), Level.ITEM),
    (LineKey("햇살론", "소계"), Level.SUBTOTAL),
    (LineKey("햇살론17", "햇살론17"), Level.ITEM),
    (GRAND_TOTAL, Level.TOTAL),
)
"""The rows of seed 000's table, in print order."""

ITEM_LINES: tuple[LineKey, ...] = tuple(k for k, level in LAYOUT if level is Level.ITEM)

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


def rate_pct(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator in percent, rounded half up to 0.1 as printed; None when nothing is planned."""
    if denominator == 0:
        return None
    return (numerator * HUNDRED / denominator).quantize(TENTH, rounding=ROUND_HALF_UP)


def components(key: LineKey, level: Level, item_keys: Iterable[LineKey]) -> list[LineKey]:
    """The item lines a subtotal or total adds up (for an item: itself)."""
    if level is Level.ITEM:
        return [key]
    keys = list(item_keys)
    if level is Level.TOTAL:
        return keys
    channels = SUBTOTAL_CHANNELS.get(key)
    if channels is not None:
        return [k for k in keys if k.product_group == key.product_group and k.channel in channels]
    return [k for k in keys if k.product_group == key.product_group]


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    total = Decimal(0)
    for value in values:
        if value is None:
            return None
        total += value
    return total


def check_table(table: PlanTable) -> list[Disagreement]:
    """Every printed subtotal, total, rate (B/A) and change (C−A) against what the item rows give."""
    items = {r.key: r for r in table.items}
    found: list[Disagreement] = []

    def compare(row: PlanTableRow, column: PlanColumn, computed: Decimal | None) -> None:
        printed = row.figure(column)
        if printed is None or computed is None or printed == computed:
            return
        found.append(Disagreement(row.key, table.column_names[column], printed, computed))

    for row in table.rows:
        parts = [items[k] for k in components(row.key, row.level, items)]
        if row.level is Level.ITEM:
            a, b, c = row.plan_a, row.estimate_b, row.plan_c
        else:
            a = _sum(p.plan_a for p in parts)
            b = _sum(p.estimate_b for p in parts)
            c = _sum(p.plan_c for p in parts)
            compare(row, PlanColumn.PLAN_A, a)
            compare(row, PlanColumn.ESTIMATE_B, b)
            compare(row, PlanColumn.PLAN_C, c)
        if a is not None and b is not None:
            compare(row, PlanColumn.RATE, rate_pct(b, a))
        if a is not None and c is not None:
            compare(row, PlanColumn.CHANGE, c - a)
    return found


def validate_hierarchy(rows: Sequence[PlanTableRow]) -> None:
    """Reject rows whose level contradicts the hierarchy and subtotals with nothing to add up."""
    seen: set[LineKey] = set()
    item_keys = [r.key for r in rows if r.level is Level.ITEM]
    for row in rows:
        if row.key in seen:
            raise PlanError(f"line {row.line_no}: {row.product_group}/{row.channel} appears twice")
        seen.add(row.key)
        if row.level is Level.TOTAL and row.key != GRAND_TOTAL:
            raise PlanError(f"line {row.line_no}: the only total row is 총계/총계")
        if row.level is not Level.ITEM and not components(row.key, row.level, item_keys):
            raise PlanError(
                f"line {row.line_no}: {row.level.value} {row.product_group}/{row.channel} has no item rows"
            )


# --- actual supply against the plan -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One row of the supply report; ``actual`` is executed loans (or the estimate) in 억 원."""

    key: LineKey
    level: Level
    plan: Decimal | None
    actual: Decimal | None
    projection: Decimal | None
    next_plan: Decimal | None

    @property
    def rate_pct(self) -> Decimal | None:
        if self.plan is None or self.actual is None:
            return None
        return rate_pct(self.actual, self.plan)

    @property
    def projected_rate_pct(self) -> Decimal | None:
        if self.plan is None or self.projection is None:
            return None
        return rate_pct(self.projection, self.plan)

    @property
    def change(self) -> Decimal | None:
        if self.plan is None or self.next_plan is None:
            return None
        return self.next_plan - self.plan

    @property
    def change_rate_pct(self) -> Decimal | None:
        change = self.change
        if change is None or self.plan is None:
            return None
        return rate_pct(change, self.plan)


def project_year_end(actual_to_date: Decimal, year: int, as_of: date) -> Decimal | None:
    """Year-end supply at the current run rate: actual to date / elapsed days × days in the year.

    Elapsed days count 1 January through ``as_of`` inclusive. On or after 31 December the actual is the
    result; before the year starts there is no run rate (None). Rounded half up to 0.01 억 원 (1백만 원).
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    if as_of < start:
        return None
    if as_of >= end:
        return actual_to_date
    elapsed = (as_of - start).days + 1
    days = (end - start).days + 1
    return (actual_to_date * days / elapsed).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def build_report(
    plan: dict[LineKey, Decimal],
    actual: dict[LineKey, Decimal] | None,
    next_plan: dict[LineKey, Decimal],
    projection: dict[LineKey, Decimal] | None = None,
) -> list[ReportRow]:
    """The rows of seed 000's layout with subtotals and the total computed from the lines below them.

    Plans hold item lines; a line missing from a plan has no plan (None). Actuals (and projections) may
    also be keyed by a subtotal line when the channel is coarser than the plan (미소금융 지점): that amount
    counts in the subtotal and everything above it, and the items below it show no figure (the split is
    unknown); otherwise a line without supply supplied zero. Lines found in the plans or the actuals but
    not in the layout are added as items before 총계.
    """
    layout = list(LAYOUT)
    level_of = dict(layout)
    extra = sorted((set(plan) | set(actual or {}) | set(next_plan) | set(projection or {})) - set(level_of))
    layout[-1:-1] = [(k, Level.ITEM) for k in extra]
    level_of = dict(layout)
    item_keys = [k for k, level in layout if level is Level.ITEM]
    parts_of = {k: frozenset(components(k, level, item_keys)) for k, level in layout}

    def value(source: dict[LineKey, Decimal] | None, key: LineKey, zero: bool) -> Decimal | None:
        if source is None:
            return None
        parts = parts_of[key]
        if level_of[key] is Level.ITEM and key not in source:
            coarse = any(level_of[k] is not Level.ITEM and key in parts_of[k] for k in source)
            return None if coarse or not zero else Decimal(0)
        present = [v for k, v in source.items() if parts_of[k] <= parts]
        if not present:
            return Decimal(0) if zero else None
        return sum(present, Decimal(0))

    return [
        ReportRow(
            key=key,
            level=level,
            plan=value(plan, key, zero=False),
            actual=value(actual, key, zero=True),
            projection=value(projection, key, zero=True),
            next_plan=value(next_plan, key, zero=False),
        )
        for key, level in layout
    ]
