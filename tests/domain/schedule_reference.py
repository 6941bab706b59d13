"""The scalar schedule engine as it was before it was made fast (commit 83cadd5), kept as the reference
that ``test_schedule_fast.py`` compares the engine with: row by row, one frozen dataclass per row, the
rate policy and the calendar asked per installment, every level payment in 50-digit Decimal."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from seomin.domain.calendar import BusinessCalendar, add_months
from seomin.domain.money import bp_to_rate, monthly_interest, rate_to_bp
from seomin.domain.schedule import LoanTerms, RepaymentMethod, level_payment

Row = tuple[int, object, Decimal, int, int, int, int]


def reference_rows(
    terms: LoanTerms, calendar: BusinessCalendar, rates: Sequence[Decimal] | None = None
) -> list[Row]:
    n_total = terms.n_installments
    if rates is None:
        rates_bp = [terms.rate_bp_for_installment(no) for no in range(1, n_total + 1)]
    else:
        rates_bp = [rate_to_bp(r) for r in rates]
    first_repayment = terms.grace_months + 1
    level_principal = terms.amount // terms.repayment_months
    balance = terms.amount
    payment_level = 0
    previous_bp = -1
    rows: list[Row] = []
    for no in range(1, n_total + 1):
        bp = rates_bp[no - 1]
        interest = monthly_interest(balance, bp)
        if no < first_repayment:
            principal = 0
        elif no == n_total:
            principal = balance
        elif terms.method is RepaymentMethod.EQUAL_INSTALLMENT:
            if no == first_repayment or bp != previous_bp:
                payment_level = level_payment(balance, bp, n_total - no + 1)
            principal = min(payment_level - interest, balance)
        elif terms.method is RepaymentMethod.EQUAL_PRINCIPAL:
            principal = min(level_principal, balance)
        else:
            principal = 0
        balance -= principal
        due = calendar.next_business_day(add_months(terms.executed_on, no, terms.executed_on.day))
        rows.append((no, due, bp_to_rate(bp), principal + interest, principal, interest, balance))
        previous_bp = bp
    return rows
