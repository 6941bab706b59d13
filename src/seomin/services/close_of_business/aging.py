"""Close of business, step 1: aging (연체 관리). Days past due from the oldest unpaid installment; loans move
between active, delinquent and defaulted, set-based."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, and_, cast, func, literal, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from seomin.domain.lifecycle import LoanStatus
from seomin.services.close_of_business.common import (
    DEFAULT_DAYS_PAST_DUE,
    INSTALLMENTS,
    LOANS,
    OPEN_STATUSES,
    _per_version,
    _Run,
    _text,
)

# --- 1. aging ---------------------------------------------------------------------------------------


def _unpaid() -> ColumnElement[bool]:
    """The predicate of the partial index ``ix_installments_unpaid``, written the same way so that the
    databases can prove a query's use of it."""
    return or_(
        INSTALLMENTS.c.principal_paid < INSTALLMENTS.c.principal_due,
        INSTALLMENTS.c.interest_paid < INSTALLMENTS.c.interest_due,
    )


def _days_since(run: _Run, earlier: ColumnElement[Any]) -> ColumnElement[int]:
    """Days from ``earlier`` (a date column) to the business date."""
    if run.postgres:
        return cast(literal(run.business_date, Date) - earlier, Integer)
    return cast(func.julianday(literal(run.business_date, Date)) - func.julianday(earlier), Integer)


def _age(run: _Run) -> None:
    d = run.business_date
    is_open = and_(LOANS.c.status.in_(OPEN_STATUSES), run.loans(LOANS.c.id))
    run.stats["open_loans"] = run.conn.execute(select(func.count()).where(is_open)).scalar_one()

    # The oldest unpaid installment due before the business date, per loan: one probe of the partial
    # index of unpaid installments (ix_installments_unpaid, loan_id then due_date) instead of reading
    # every installment of the chunk.
    oldest = (
        select(func.min(INSTALLMENTS.c.due_date))
        .where(INSTALLMENTS.c.loan_id == LOANS.c.id, _unpaid(), INSTALLMENTS.c.due_date < d)
        .scalar_subquery()
    )
    days = func.coalesce(_days_since(run, oldest), 0)
    run.stats["days_past_due_updated"] = run.conn.execute(
        update(LOANS).values(days_past_due=days).where(is_open, LOANS.c.days_past_due != days)
    ).rowcount

    for former in (LoanStatus.DELINQUENT, LoanStatus.DEFAULTED):
        run.stats["cured"] += _move_loans(
            run, former, LoanStatus.ACTIVE, LOANS.c.days_past_due == 0, run.reason("arrears cleared")
        )
    run.stats["became_delinquent"] = _move_loans(
        run,
        LoanStatus.ACTIVE,
        LoanStatus.DELINQUENT,
        LOANS.c.days_past_due > 0,
        run.reason(LOANS.c.days_past_due, " days past due"),
    )
    threshold = _per_version(run.catalog, lambda v: v.guarantee.default_days_past_due, DEFAULT_DAYS_PAST_DUE)
    run.stats["became_defaulted"] = _move_loans(
        run,
        LoanStatus.DELINQUENT,
        LoanStatus.DEFAULTED,
        LOANS.c.days_past_due >= threshold,
        run.reason(LOANS.c.days_past_due, " days past due, default at ", threshold),
    )


def _move_loans(
    run: _Run, former: LoanStatus, new: LoanStatus, condition: ColumnElement[bool], reason: ColumnElement[Any]
) -> int:
    where = and_(LOANS.c.status == former.value, run.loans(LOANS.c.id), condition)
    run.audit_select(
        action=f"loan.{new.value}",
        entity_type="loan",
        entity_id=LOANS.c.id,
        before=run.json(status=_text(former.value)),
        after=run.json(status=_text(new.value), days_past_due=LOANS.c.days_past_due),
        reason=reason,
        from_=LOANS,
        where=where,
    )
    return run.conn.execute(update(LOANS).values(status=new.value).where(where)).rowcount
