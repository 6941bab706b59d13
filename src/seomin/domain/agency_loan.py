"""직접대출: the agency's own small loan (불법사금융예방대출, formerly 소액생계비대출). Pure rules, no I/O.

No bank stands between: the agency pays the loan the same day into an account in the borrower's own name.
The borrower pays interest only, accrued by the day (actual/365, truncated to the won, as every loan
here), and the principal at maturity; a maturity may be extended a year at a time while the interest is
paid up, up to the product's ``agency.max_months`` from disbursement. Where the product pays interest
back (2026: half of it), the amount is fixed when the loan is repaid in full: the share of every won of
interest paid, truncated to the won.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from seomin.domain.calendar import add_months
from seomin.domain.money import Won, interest_payback
from seomin.domain.repayment import accrued_interest


class AgencyLoanRefusal(ValueError):
    """A rule of the agency loan refused the request: ``code`` is stable, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class AgencyLoanState:
    principal: Won
    """Principal still owed."""
    rate_bp: int
    disbursed_on: date
    maturity_on: date
    interest_paid_through: date
    """Interest is paid up to this day (the disbursement day at first)."""
    interest_paid: Won
    """Interest paid so far, all of it: what a payback is a share of."""


@dataclass(frozen=True, slots=True)
class PaymentSplit:
    interest: Won
    principal: Won
    interest_paid_through: date
    repaid: bool
    payback: Won
    """Interest paid back because this payment repaid the loan in full (0 otherwise)."""


def interest_due(state: AgencyLoanState, on: date) -> Won:
    """Interest accrued and unpaid from ``interest_paid_through`` to ``on``."""
    if on < state.interest_paid_through:
        raise AgencyLoanRefusal(
            "PAYMENT_OUT_OF_ORDER", f"{on} is before interest paid through {state.interest_paid_through}"
        )
    return accrued_interest(state.principal, state.rate_bp, state.interest_paid_through, on)


def payoff(state: AgencyLoanState, on: date) -> Won:
    """What repays the loan in full on ``on``: the principal and the interest accrued to that day."""
    return state.principal + interest_due(state, on)


def apply_payment(state: AgencyLoanState, amount: Won, on: date, payback_pct: Decimal | None) -> PaymentSplit:
    """A payment goes to the interest accrued to ``on`` first, then to principal. Paying less than the
    interest due is refused (interest is paid up to the day or not at all, so the record stays exact)."""
    if amount <= 0:
        raise AgencyLoanRefusal("AMOUNT_NOT_POSITIVE", "a payment must be a positive number of won")
    due = interest_due(state, on)
    if amount < due:
        raise AgencyLoanRefusal(
            "LESS_THAN_INTEREST_DUE", f"{amount:,} won is less than the {due:,} won of interest due on {on}"
        )
    principal = amount - due
    if principal > state.principal:
        raise AgencyLoanRefusal(
            "AMOUNT_EXCEEDS_PAYOFF",
            f"{amount:,} won is more than the payoff of {state.principal + due:,} won",
        )
    repaid = principal == state.principal
    payback = 0
    if repaid and payback_pct is not None:
        payback = interest_payback(state.interest_paid + due, payback_pct)
    return PaymentSplit(due, principal, on, repaid, payback)


def first_maturity(disbursed_on: date, maturity_months: int) -> date:
    return add_months(disbursed_on, maturity_months, disbursed_on.day)


def extended_maturity(state: AgencyLoanState, on: date, maturity_months: int, max_months: int) -> date:
    """The next maturity when the borrower asks on ``on`` to extend: interest paid up to ``on``, not
    after the current maturity, and not beyond ``max_months`` from disbursement."""
    if on > state.maturity_on:
        raise AgencyLoanRefusal("PAST_MATURITY", f"the loan matured on {state.maturity_on}; extend before it")
    if interest_due(state, on) > 0:
        raise AgencyLoanRefusal("INTEREST_UNPAID", f"pay the interest due on {on} before extending")
    latest = add_months(state.disbursed_on, max_months, state.disbursed_on.day)
    following = add_months(state.maturity_on, maturity_months, state.disbursed_on.day)
    if following > latest:
        raise AgencyLoanRefusal("EXTENSION_LIMIT", f"a loan runs at most {max_months} months, to {latest}")
    return following
