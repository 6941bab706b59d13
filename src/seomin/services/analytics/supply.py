"""Supply plans and actual supply: import a plan table's item rows, aggregate executed loans by plan line and
month, and build the report of seed 000 (plan, actual, rate, projection, next year's plan, change).

Amounts are 억 원 as ``Decimal``; stored plan figures are exact integers of 0.01 억 원. Actual supply is the
amount of every executed loan (the loans table, whatever its later status) by its execution date. The
year-end projection runs the supply to date at its current daily rate: actual / elapsed days × days in
the year (``domain.supply.project_year_end``).
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Literal

from sqlalchemy import Engine, delete, func, literal, select, union_all
from sqlalchemy.orm import Session

from seomin.adapters.db.models import AgencyLoan, Loan, SupplyPlanRow
from seomin.domain.supply import LineKey, PlanTable, ReportRow, build_report, project_year_end
from seomin.services.platform import Actor, ActorType, audit

CENTI = Decimal(100)
WON_PER_EOK = Decimal(100_000_000)
CLI_ACTOR = Actor(ActorType.SYSTEM, "plan-import")
UNPLANNED = "계획 외"

Kind = Literal["plan", "estimate"]


class SupplyError(ValueError):
    """A request the supply services cannot answer (bad year, amounts finer than 0.01 억 원)."""


# --- plan lines of products ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineMapping:
    """product (and optionally bank code) -> the plan line its loans count toward."""

    by_product: dict[str, LineKey]
    by_product_bank: dict[tuple[str, str], LineKey]

    def line(self, product_id: str, bank_code: str) -> LineKey:
        found = self.by_product_bank.get((product_id, bank_code)) or self.by_product.get(product_id)
        return found or LineKey(UNPLANNED, product_id)


@lru_cache(maxsize=1)
def default_line_mapping() -> LineMapping:
    """The packaged ``data/supply_lines.toml``."""
    text = resources.files("seomin.data").joinpath("supply_lines.toml").read_text(encoding="utf-8")
    return parse_line_mapping(text)


def parse_line_mapping(text: str) -> LineMapping:
    by_product: dict[str, LineKey] = {}
    by_bank: dict[tuple[str, str], LineKey] = {}
    for i, entry in enumerate(tomllib.loads(text).get("line", [])):
        try:
            key = LineKey(str(entry["product_group"]), str(entry["channel"]))
            product = str(entry["product"])
        except KeyError as exc:
            raise SupplyError(f"supply_lines.toml line[{i}]: missing {exc.args[0]}") from None
        if "bank" in entry:
            slot = (product, str(entry["bank"]))
            if slot in by_bank:
                raise SupplyError(f"supply_lines.toml line[{i}]: {product}/{slot[1]} is mapped twice")
            by_bank[slot] = key
        elif product in by_product:
            raise SupplyError(f"supply_lines.toml line[{i}]: {product} is mapped twice")
        else:
            by_product[product] = key
    return LineMapping(by_product, by_bank)


# --- plans ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportResult:
    stored: dict[tuple[int, str], int]
    """(year, kind) -> item rows stored."""


def _centi(amount: Decimal, where: str) -> int:
    scaled = amount * CENTI
    if scaled != scaled.to_integral_value():
        raise SupplyError(f"{where}: {amount} 억 원 is finer than 0.01 억 원")
    return int(scaled)


def import_plan(
    engine: Engine, table: PlanTable, *, year: int | None = None, source: str = "", actor: Actor = CLI_ACTOR
) -> ImportResult:
    """Store the item rows of ``table``: plan A and estimate B of ``table.year``, plan C of the next year.

    ``year`` limits the import to that year's figures. A (year, kind) already stored is replaced as a whole,
    so importing the same file twice leaves the same rows. Printed subtotals and totals are never stored.
    """
    sets: dict[tuple[int, Kind], list[tuple[LineKey, Decimal]]] = {
        (table.year, "plan"): [(r.key, r.plan_a) for r in table.items if r.plan_a is not None],
        (table.year, "estimate"): [(r.key, r.estimate_b) for r in table.items if r.estimate_b is not None],
        (table.year + 1, "plan"): [(r.key, r.plan_c) for r in table.items if r.plan_c is not None],
    }
    if year is not None:
        if year not in (table.year, table.year + 1):
            raise SupplyError(f"--year {year}: the table has figures for {table.year} and {table.year + 1}")
        sets = {k: v for k, v in sets.items() if k[0] == year}
    stored: dict[tuple[int, str], int] = {}
    with Session(engine) as session, session.begin():
        for (y, kind), lines in sets.items():
            if not lines:
                continue
            amounts = {key: _centi(amount, f"{key.product_group}/{key.channel}") for key, amount in lines}
            before = _amounts(session, y, kind)
            session.execute(delete(SupplyPlanRow).where(SupplyPlanRow.year == y, SupplyPlanRow.kind == kind))
            session.flush()
            for key, centi in amounts.items():
                session.add(
                    SupplyPlanRow(
                        year=y,
                        kind=kind,
                        product_group=key.product_group,
                        channel=key.channel,
                        level="item",
                        amount_centi_eok=centi,
                        source=source[:255],
                    )
                )
            stored[(y, kind)] = len(amounts)
            after = {f"{k.product_group}/{k.channel}": v for k, v in amounts.items()}
            if before != after:
                audit(
                    session,
                    actor,
                    "supply_plan.import",
                    "supply_plan",
                    f"{y}/{kind}",
                    before=before or None,
                    after=after,
                    reason=source,
                )
    return ImportResult(stored)


def _amounts(session: Session, year: int, kind: str) -> dict[str, int]:
    rows = session.scalars(
        select(SupplyPlanRow).where(SupplyPlanRow.year == year, SupplyPlanRow.kind == kind)
    ).all()
    return {f"{r.product_group}/{r.channel}": r.amount_centi_eok for r in rows}


def plan_lines(engine: Engine, year: int, kind: Kind = "plan") -> dict[LineKey, Decimal]:
    """The stored item lines of a year's plan (or estimate), in 억 원."""
    with Session(engine) as session:
        rows = session.scalars(
            select(SupplyPlanRow).where(SupplyPlanRow.year == year, SupplyPlanRow.kind == kind)
        ).all()
        return {LineKey(r.product_group, r.channel): Decimal(r.amount_centi_eok) / CENTI for r in rows}


# --- actual supply -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActualSupply:
    """Executed loans of ``year`` up to ``as_of`` by plan line: the total and each month's (index 0 = Jan)."""

    year: int
    as_of: date
    by_line: dict[LineKey, Decimal]
    monthly: dict[LineKey, list[Decimal]]

    def monthly_total(self) -> list[Decimal]:
        return [sum((m[i] for m in self.monthly.values()), Decimal(0)) for i in range(12)]


def latest_plan_year(engine: Engine, up_to: int) -> int | None:
    """The latest year up to ``up_to`` with a stored plan: what management wants to open on."""
    with engine.connect() as conn:
        year: int | None = conn.execute(
            select(func.max(SupplyPlanRow.year)).where(SupplyPlanRow.year <= up_to)
        ).scalar_one_or_none()
        return year


AGENCY_CHANNEL = "agency"
"""The lending channel of the agency's own loans in the line mapping (they have no bank)."""


def actual_supply(engine: Engine, year: int, as_of: date, mapping: LineMapping | None = None) -> ActualSupply:
    """Executed loan amounts by plan line and month, from 1 January through ``as_of`` (within ``year``):
    banks' loans by their execution day, the agency's own loans (직접대출) by their disbursement day."""
    mapping = mapping or default_line_mapping()
    start, end = date(year, 1, 1), min(as_of, date(year, 12, 31))
    by_line: dict[LineKey, Decimal] = defaultdict(Decimal)
    monthly: dict[LineKey, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 12)
    if end >= start:
        banks = (
            select(Loan.product_id, Loan.bank_code, Loan.executed_on, func.sum(Loan.amount))
            .where(Loan.executed_on >= start, Loan.executed_on <= end)
            .group_by(Loan.product_id, Loan.bank_code, Loan.executed_on)
        )
        agency = (
            select(
                AgencyLoan.product_id,
                literal(AGENCY_CHANNEL),
                AgencyLoan.disbursed_on,
                func.sum(AgencyLoan.amount),
            )
            .where(AgencyLoan.disbursed_on >= start, AgencyLoan.disbursed_on <= end)
            .group_by(AgencyLoan.product_id, AgencyLoan.disbursed_on)
        )
        query = union_all(banks, agency)
        with engine.connect() as conn:
            for product_id, bank_code, executed_on, won in conn.execute(query):
                eok = Decimal(int(won)) / WON_PER_EOK
                key = mapping.line(product_id, bank_code)
                by_line[key] += eok
                monthly[key][executed_on.month - 1] += eok
    return ActualSupply(year, as_of, dict(by_line), dict(monthly))


# --- the report ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupplyReport:
    year: int
    as_of: date
    basis: Literal["actual", "estimate"]
    rows: list[ReportRow]
    actual: ActualSupply | None


def supply_report(
    engine: Engine,
    year: int,
    as_of: date,
    *,
    basis: Literal["actual", "estimate"] = "actual",
    mapping: LineMapping | None = None,
) -> SupplyReport:
    """Seed 000's table for ``year``: its plan, the actual supply (executed loans to ``as_of``) with the
    year-end projection, or the stored estimate (``basis="estimate"``), and the next year's plan."""
    if not 1900 <= year <= 9999:
        raise SupplyError(f"--year {year}: not a plan year")
    plan = plan_lines(engine, year, "plan")
    next_plan = plan_lines(engine, year + 1, "plan")
    if basis == "estimate":
        rows = build_report(plan, plan_lines(engine, year, "estimate"), next_plan)
        return SupplyReport(year, as_of, basis, rows, None)
    actual = actual_supply(engine, year, as_of, mapping)
    projection: dict[LineKey, Decimal] | None = None
    if as_of >= date(year, 1, 1):
        projection = {}
        for key, amount in actual.by_line.items():
            projected = project_year_end(amount, year, as_of)
            if projected is not None:
                projection[key] = projected
    rows = build_report(plan, actual.by_line, next_plan, projection)
    return SupplyReport(year, as_of, basis, rows, actual)
