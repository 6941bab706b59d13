"""Close of business, step 2: the yearly step-down of on-time loans and the re-amortization of their
remaining installments, staged and written set-based."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    Table,
    and_,
    case,
    exists,
    func,
    select,
    text,
    true,
    update,
)
from sqlalchemy.types import TypeEngine

from seomin.domain.lifecycle import LoanStatus
from seomin.domain.portfolio import METHOD_CODES
from seomin.domain.reamortization import anniversary_executions, reamortize_rows, stepped_rate_bp
from seomin.domain.schedule import MONTHS_PER_STEP
from seomin.services.close_of_business.common import GUARANTEES, INSTALLMENTS, LOANS, _Run

# --- 2. step-down and re-amortization --------------------------------------------------------------

_STAGE = MetaData()


def _stage_table(name: str, *columns: Column[Any]) -> Table:
    """A scratch table for one run: temporary, dropped at commit on PostgreSQL."""
    return Table(name, _STAGE, *columns, prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


_ANNIVERSARIES = _stage_table(
    "cob_stage_anniversaries",
    Column("executed_on", Date, primary_key=True),
    Column("years", Integer, nullable=False),
    Column("anniversary", Date, nullable=False),
    Column("previous_anniversary", Date, nullable=False),
)
_RATE_CHANGES = _stage_table(
    "cob_stage_rate_changes",
    Column("loan_id", BigInteger, primary_key=True),
    Column("years", Integer, nullable=False),
    Column("old_bp", Integer, nullable=False),
    Column("new_bp", Integer, nullable=False),
    Column("from_no", Integer, nullable=False),
)
_NEW_INSTALLMENTS = _stage_table(
    "cob_stage_installments",
    Column("loan_id", BigInteger, primary_key=True),
    Column("no", Integer, primary_key=True),
    Column("rate_bp", Integer, nullable=False),
    Column("principal_due", BigInteger, nullable=False),
    Column("interest_due", BigInteger, nullable=False),
)
_PG_ARRAY_TYPES: dict[type[TypeEngine[Any]], str] = {
    Date: "DATE[]",
    Integer: "INTEGER[]",
    BigInteger: "BIGINT[]",
}


def _stage(run: _Run, table: Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """(Re)create the temporary ``table`` and load ``columns`` (equal-length lists) into it in bulk.

    PostgreSQL: one ``INSERT ... SELECT FROM unnest(arrays)``; SQLite: one ``executemany``.
    """
    run.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")
    table.create(run.conn)
    names = list(columns)
    if not names or not len(columns[names[0]]):
        return
    column_list = ", ".join(names)
    if run.postgres:
        # Arrays go as text literals ('{1,2,3}'): psycopg would otherwise adapt every element in Python.
        arrays = ", ".join(f"CAST(:{n} AS {_PG_ARRAY_TYPES[type(table.c[n].type)]})" for n in names)
        run.conn.execute(
            text(f"INSERT INTO {table.name} ({column_list}) SELECT * FROM unnest({arrays})"),
            {n: "{" + ",".join(map(str, columns[n])) + "}" for n in names},
        )
        run.conn.exec_driver_sql(f"ANALYZE {table.name}")  # the planner's row estimates for the joins
        return
    converted = [
        [v.isoformat() for v in columns[n]] if isinstance(table.c[n].type, Date) else columns[n]
        for n in names
    ]
    run.conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({column_list}) VALUES ({', '.join('?' * len(names))})",
        list(zip(*converted, strict=True)),
    )


def _drop(run: _Run, *tables: Table) -> None:
    for table in tables:
        run.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")


def _step_down(run: _Run, window_start: date) -> None:
    conn, d = run.conn, run.business_date
    active = and_(
        LOANS.c.status == LoanStatus.ACTIVE.value,
        run.loans(LOANS.c.id),
        LOANS.c.days_past_due == 0,
        LOANS.c.step_bp > 0,
    )
    oldest = conn.execute(select(func.min(LOANS.c.executed_on)).where(active)).scalar_one_or_none()
    if oldest is None or oldest >= d:
        return
    found = list(anniversary_executions(window_start, d, d.year - oldest.year))
    if not found:
        return
    executed, years, anniversary, previous = (list(c) for c in zip(*found, strict=True))
    _stage(
        run,
        _ANNIVERSARIES,
        {
            "executed_on": executed,
            "years": years,
            "anniversary": anniversary,
            "previous_anniversary": previous,
        },
    )
    a = _ANNIVERSARIES.c
    i = INSTALLMENTS.c
    paid_late = exists().where(
        i.loan_id == LOANS.c.id, i.paid_on > i.due_date, i.paid_on > a.previous_anniversary
    )
    from_no = a.years * MONTHS_PER_STEP + 1
    method_code = case(
        {m.value: code for m, code in METHOD_CODES.items()}, value=GUARANTEES.c.method, else_=-1
    )
    candidates = conn.execute(
        select(
            LOANS.c.id,
            a.years,
            LOANS.c.amount,
            LOANS.c.grace_months,
            LOANS.c.base_rate_bp,
            LOANS.c.current_rate_bp,
            LOANS.c.step_bp,
            LOANS.c.floor_bp,
            LOANS.c.preferential_bp,
            method_code,
            select(func.max(i.no)).where(i.loan_id == LOANS.c.id).scalar_subquery(),
            select(func.coalesce(func.sum(i.principal_due), 0))
            .where(i.loan_id == LOANS.c.id, i.no >= from_no)
            .scalar_subquery(),
        )
        .select_from(
            LOANS.join(_ANNIVERSARIES, a.executed_on == LOANS.c.executed_on).join(
                GUARANTEES, GUARANTEES.c.id == LOANS.c.guarantee_id
            )
        )
        .where(active, ~paid_late)
        .order_by(LOANS.c.id)
    ).all()
    run.stats["step_down_eligible"] = len(candidates)
    if not candidates:
        _drop(run, _ANNIVERSARIES)
        return
    (loan_id, n_years, amount, grace, base, current, step, floor, preferential, method, n_total, balance) = (
        np.array(column, dtype=np.int64) for column in zip(*candidates, strict=True)
    )
    if (method < 0).any():
        bad = int(loan_id[method < 0][0])
        raise ValueError(f"loan {bad}: its guarantee names an unknown repayment method")
    start = n_years * MONTHS_PER_STEP + 1
    new = stepped_rate_bp(current, base, step, floor, preferential)
    changed = (new < current) & (start <= n_total)
    if not changed.any():
        _drop(run, _ANNIVERSARIES)
        return
    sel = np.flatnonzero(changed)
    repayment = n_total[sel] - grace[sel]
    rows = reamortize_rows(
        balance=balance[sel],
        rate_bp=new[sel],
        from_no=start[sel],
        n_total=n_total[sel],
        grace_months=grace[sel],
        method=method[sel],
        level_principal=amount[sel] // np.maximum(repayment, 1),
    )
    _stage(
        run,
        _RATE_CHANGES,
        {
            "loan_id": loan_id[sel].tolist(),
            "years": n_years[sel].tolist(),
            "old_bp": current[sel].tolist(),
            "new_bp": new[sel].tolist(),
            "from_no": start[sel].tolist(),
        },
    )
    _stage(
        run,
        _NEW_INSTALLMENTS,
        {
            "loan_id": loan_id[sel][rows.loan].tolist(),
            "no": rows.no.tolist(),
            "rate_bp": new[sel][rows.loan].tolist(),
            "principal_due": rows.principal.tolist(),
            "interest_due": rows.interest.tolist(),
        },
    )
    r = _RATE_CHANGES.c
    run.audit_select(
        action="loan.rate_stepped_down",
        entity_type="loan",
        entity_id=r.loan_id,
        before=run.json(current_rate_bp=r.old_bp),
        after=run.json(current_rate_bp=r.new_bp, from_installment=r.from_no),
        reason=run.reason("no late payment in year ", r.years, ", rate stepped down"),
        from_=_RATE_CHANGES,
        where=true(),
    )
    run.stats["stepped_down"] = conn.execute(
        update(LOANS).values(current_rate_bp=r.new_bp).where(LOANS.c.id == r.loan_id)
    ).rowcount
    s = _NEW_INSTALLMENTS.c
    run.stats["installments_reamortized"] = conn.execute(
        update(INSTALLMENTS)
        .values(rate_bp=s.rate_bp, principal_due=s.principal_due, interest_due=s.interest_due)
        .where(i.loan_id == s.loan_id, i.no == s.no)
    ).rowcount
    _drop(run, _ANNIVERSARIES, _RATE_CHANGES, _NEW_INSTALLMENTS)
