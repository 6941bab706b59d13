"""Recourse debt arrangements (구상채무 분할상환·상환유예): their dates and amounts. Pure rules, no I/O.

An installment plan of ``months`` payments from ``starts_on`` pays on ``starts_on + k months`` (k = 0 …
months − 1, the day clamped to the month's end), ``monthly_amount`` each and the remainder on the last:
``balance − (months − 1) × monthly_amount``. A deferral makes nothing due for ``months`` months: payments are
due again from ``starts_on + months``. The one copy of these dates: the services that grant a plan, the
applicant's my page and close of business all call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from seomin.domain.calendar import add_months

INSTALLMENT_PLAN = "installment_plan"
DEFERRAL = "deferral"

SECOND_APPROVAL_ABOVE_MONTHS = {INSTALLMENT_PLAN: 60, DEFERRAL: 12}
"""Arrangements longer than these need a second approver, a supervisor other than the one who proposed
them (maker-checker). Our assumption, to confirm with the agency: five years of installments, a year of
deferral."""


def needs_second_approval(kind: str, months: int) -> bool:
    return months > SECOND_APPROVAL_ABOVE_MONTHS[kind]


def plan_monthly_amount(balance: int, months: int) -> int:
    """Each payment but the last: the balance divided by the months, truncated to the won."""
    return balance // months


def plan_payment_dates(starts_on: date, months: int) -> list[date]:
    """The dates of an installment plan's payments, first to last."""
    return [add_months(starts_on, k, starts_on.day) for k in range(months)]


def deferral_ends_on(starts_on: date, months: int) -> date:
    """The first day payments are due again after a deferral."""
    return add_months(starts_on, months, starts_on.day)


@dataclass(frozen=True, slots=True)
class ArrangementTerms:
    """An arrangement's end and amounts: ``ends_on`` is the last payment (plan) or the first day due again
    (deferral); a deferral's amounts are 0."""

    ends_on: date
    monthly_amount: int
    last_amount: int


def arrangement_terms(
    kind: str, starts_on: date, months: int, monthly_amount: int, balance: int
) -> ArrangementTerms:
    if kind == DEFERRAL:
        return ArrangementTerms(deferral_ends_on(starts_on, months), 0, 0)
    ends_on = add_months(starts_on, months - 1, starts_on.day)
    return ArrangementTerms(ends_on, monthly_amount, balance - (months - 1) * monthly_amount)
