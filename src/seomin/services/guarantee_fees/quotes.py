"""보증료 환급 견적: for a fee-separate guarantee, the fee for the term and the unearned part an early or
partial repayment on a day would refund. Read-only: the refund itself is paid by the (not yet built)
refund ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from seomin.adapters.db.models import Guarantee
from seomin.domain.calendar import add_months
from seomin.domain.guarantee_fees import prepaid_fee, unearned_refund
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.platform import Actor, ActorType, Platform

QUOTE_ROLES = frozenset({"counselor", "supervisor", "auditor"})
_RATIO = 10_000


@dataclass(frozen=True, slots=True)
class FeeQuote:
    guarantee_id: int
    guaranteed_amount: int
    """The agency's share of the loan (amount × guarantee ratio, floored), the base of the fee."""
    fee_rate_bp: int
    term_start: date
    term_end: date
    fee: int
    """Prepaid for the whole term, rule FEE_FLOOR_WON."""
    repaid_on: date
    repaid_amount: int
    refund: int
    """The unearned fee on the repaid share, rule REFUND_CEIL_WON."""


def fee_refund_quote(
    platform: Platform, actor: Actor, guarantee_id: int, repaid_on: date, repaid_amount: int | None = None
) -> FeeQuote:
    """The fee and the refund if ``repaid_amount`` (default: all) of the loan is repaid on ``repaid_on``.

    The applicant sees only their own guarantees; staff of ``QUOTE_ROLES`` any."""
    staff = actor.type is ActorType.STAFF and actor.role in QUOTE_ROLES
    if actor.type is not ActorType.APPLICANT and not staff:
        raise Forbidden("only the guaranteed person or agency staff see a fee refund quote")
    with platform.sessions() as session:
        guarantee = session.get(Guarantee, guarantee_id)
        if guarantee is None or (not staff and str(guarantee.applicant_id) != actor.id):
            raise NotFound("guarantee", guarantee_id)
        pct = platform.catalog.version(
            guarantee.product_id, guarantee.product_version
        ).guarantee.annual_fee_pct
        amount, ratio_bp, start = guarantee.amount, guarantee.ratio_bp, guarantee.issued_on
        end = add_months(start, guarantee.term_months + guarantee.grace_months, start.day)
    if pct is None:
        raise Conflict(
            "GUARANTEE_FEE_INCLUDED", "the product's rate includes the guarantee fee: no fee to refund"
        )
    rate_bp = pct * 100
    if rate_bp != rate_bp.to_integral_value():
        raise Conflict("GUARANTEE_FEE_RATE", f"fee rate {pct}% is finer than a basis point")
    repaid = amount if repaid_amount is None else repaid_amount
    if not 0 < repaid <= amount:
        raise InputError("repaid_amount", f"must be 1..{amount:,} won")
    if not start <= repaid_on <= end:
        raise InputError("repaid_on", f"must fall within the term {start.isoformat()}..{end.isoformat()}")
    guaranteed = amount * ratio_bp // _RATIO
    fee = prepaid_fee(guaranteed, int(rate_bp), start, end)
    share_bp = repaid * _RATIO // amount  # floors the share: a partial refund never over-refunds
    refund = unearned_refund(fee, start, end, repaid_on, share_bp if repaid < amount else _RATIO)
    return FeeQuote(guarantee_id, guaranteed, int(rate_bp), start, end, fee, repaid_on, repaid, refund)
