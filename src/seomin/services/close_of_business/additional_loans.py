"""Close of business, step 3: the day an additional loan (추가대출) opens for each active loan, set-based."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, Text, and_, case, cast, func, literal_column, null, update
from sqlalchemy.sql.elements import ColumnElement

from seomin.domain.lifecycle import LoanStatus
from seomin.services.close_of_business.common import LOANS, _per_version, _Run, _text

# --- 3. additional-loan date -----------------------------------------------------------------------


def _add_months_sql(run: _Run, day: ColumnElement[Any], months: Any) -> ColumnElement[Any]:
    """``add_months(day, months, day.day)`` in SQL; NULL when ``months`` is NULL."""
    if run.postgres:
        return cast(day + func.make_interval(literal_column("0"), cast(months, Integer)), Date)
    months_text = cast(months, Text)
    day_of_month = cast(func.strftime("%d", day), Integer)
    shifted = func.date(
        day,
        "start of month",
        _text("+").op("||")(months_text).op("||")(_text(" months")),
        _text("+").op("||")(cast(day_of_month - 1, Text)).op("||")(_text(" days")),
    )
    month_end = func.date(
        day,
        "start of month",
        _text("+").op("||")(cast(months + 1, Text)).op("||")(_text(" months")),
        "-1 day",
    )
    return func.min(shifted, month_end)


def _additional_loan(run: _Run) -> None:
    column = LOANS.c.additional_loan_from
    clear = and_(
        LOANS.c.status.in_((LoanStatus.DELINQUENT.value, LoanStatus.DEFAULTED.value)),
        run.loans(LOANS.c.id),
        column.is_not(None),
    )
    run.audit_select(
        action="loan.additional_loan_from",
        entity_type="loan",
        entity_id=LOANS.c.id,
        before=run.json(additional_loan_from=column),
        after=run.json(additional_loan_from=null()),
        reason=run.reason("in arrears (", LOANS.c.days_past_due, " days past due), no additional loan"),
        from_=LOANS,
        where=clear,
    )
    run.stats["additional_loan_cleared"] = run.conn.execute(
        update(LOANS).values(additional_loan_from=None).where(clear)
    ).rowcount

    months = _per_version(
        run.catalog, lambda v: v.additional_loan.min_months_on_time if v.additional_loan else None, None
    )
    eligible_from = _add_months_sql(run, LOANS.c.executed_on, months)
    assign = and_(
        LOANS.c.status == LoanStatus.ACTIVE.value,
        run.loans(LOANS.c.id),
        column.is_distinct_from(eligible_from),
    )
    run.audit_select(
        action="loan.additional_loan_from",
        entity_type="loan",
        entity_id=LOANS.c.id,
        before=run.json(additional_loan_from=column),
        after=run.json(additional_loan_from=eligible_from),
        reason=run.reason(
            case(
                (months.is_(None), _text("no additional loan in this product version")),
                else_=_text("active without arrears, additional loan from execution + ")
                .op("||")(cast(months, Text))
                .op("||")(_text(" months")),
            )
        ),
        from_=LOANS,
        where=assign,
    )
    run.stats["additional_loan_set"] = run.conn.execute(
        update(LOANS).values(additional_loan_from=eligible_from).where(assign)
    ).rowcount
