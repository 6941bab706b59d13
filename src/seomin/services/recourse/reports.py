"""Management reports on subrogation and recourse (대위변제·구상 현황), each one GROUP BY in the database.

- **Subrogation rate by product and cohort**: loans by product and year of execution (the cohort): how
  many and how much were executed, how many were subrogated and the amount the agency paid for them;
  rates are subrogated ÷ executed, by count and by amount, as Decimal percent rounded half-up to 0.01.
- **Recoveries by month**: recourse repayments by calendar month of ``paid_on``: count, amount, and the
  principal part.
- **Recourse balance by state**: recourse debts by state: count, principal and balance outstanding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, extract, func, select

from seomin.adapters.db.models import Loan, RecourseDebt, RecourseRepayment, SubrogationClaim
from seomin.services.platform import Actor, Platform
from seomin.services.recourse.common import _require_staff

REPORT_ROLES = frozenset({"supervisor", "auditor"})


@dataclass(frozen=True, slots=True)
class SubrogationRateLine:
    product_id: str
    cohort: int
    """The year the loans were executed."""
    loans: int
    executed_amount: int
    subrogated: int
    subrogated_amount: int
    """What the agency paid the banks (the paid claims' guaranteed amounts)."""
    rate_by_count: str
    rate_by_amount: str


@dataclass(frozen=True, slots=True)
class RecoveryLine:
    month: str
    """YYYY-MM."""
    repayments: int
    amount: int
    principal: int


@dataclass(frozen=True, slots=True)
class BalanceLine:
    status: str
    debts: int
    principal: int
    balance: int


@dataclass(frozen=True, slots=True)
class RecourseReport:
    subrogation_rates: list[SubrogationRateLine]
    recoveries_by_month: list[RecoveryLine]
    balance_by_state: list[BalanceLine]


def _pct(part: int, whole: int) -> str:
    if whole == 0:
        return "0.00"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def recourse_report(platform: Platform, staff: Actor) -> RecourseReport:
    _require_staff(staff, REPORT_ROLES, "read the recourse reports")
    year = extract("year", Loan.executed_on)
    paid = case((SubrogationClaim.status == "paid", 1), else_=0)
    with platform.sessions() as session:
        rates = session.execute(
            select(
                Loan.product_id,
                year,
                func.count(Loan.id),
                func.sum(Loan.amount),
                func.coalesce(func.sum(paid), 0),
                func.coalesce(func.sum(paid * SubrogationClaim.guaranteed_amount), 0),
            )
            .outerjoin(SubrogationClaim, SubrogationClaim.loan_id == Loan.id)
            .group_by(Loan.product_id, year)
            .order_by(Loan.product_id, year)
        ).all()
        month_year, month = (
            extract("year", RecourseRepayment.paid_on),
            extract("month", RecourseRepayment.paid_on),
        )
        recoveries = session.execute(
            select(
                month_year,
                month,
                func.count(RecourseRepayment.id),
                func.sum(RecourseRepayment.amount),
                func.sum(RecourseRepayment.principal),
            )
            .group_by(month_year, month)
            .order_by(month_year, month)
        ).all()
        balances = session.execute(
            select(
                RecourseDebt.status,
                func.count(),
                func.sum(RecourseDebt.principal),
                func.sum(RecourseDebt.balance),
            )
            .group_by(RecourseDebt.status)
            .order_by(RecourseDebt.status)
        ).all()
    return RecourseReport(
        subrogation_rates=[
            SubrogationRateLine(
                product_id=product,
                cohort=int(cohort),
                loans=int(count),
                executed_amount=int(amount or 0),
                subrogated=int(subrogated),
                subrogated_amount=int(subrogated_amount),
                rate_by_count=_pct(int(subrogated), int(count)),
                rate_by_amount=_pct(int(subrogated_amount), int(amount or 0)),
            )
            for product, cohort, count, amount, subrogated, subrogated_amount in rates
        ],
        recoveries_by_month=[
            RecoveryLine(f"{int(y):04d}-{int(m):02d}", int(n), int(a or 0), int(p or 0))
            for y, m, n, a, p in recoveries
        ],
        balance_by_state=[
            BalanceLine(status, int(n), int(p or 0), int(b or 0)) for status, n, p, b in balances
        ],
    )
