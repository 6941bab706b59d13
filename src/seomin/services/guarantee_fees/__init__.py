"""Guarantee fees (보증료): billed from the catalog, collected by the banks, reconciled and refunded."""

from __future__ import annotations

from seomin.services.guarantee_fees.billing import (
    RECONCILE_ROLES,
    FeeDifference,
    FeeRefundView,
    FeeTerms,
    Reconciliation,
    ReportedFee,
    ReportOutcome,
    bill_fees,
    claim_fee_refunds,
    fee_terms,
    my_fee_refunds,
    reconcile,
    refund_unearned_fee,
    report_collections,
)
from seomin.services.guarantee_fees.quotes import QUOTE_ROLES, FeeQuote, fee_refund_quote

__all__ = [
    "QUOTE_ROLES",
    "RECONCILE_ROLES",
    "FeeDifference",
    "FeeQuote",
    "FeeRefundView",
    "FeeTerms",
    "Reconciliation",
    "ReportOutcome",
    "ReportedFee",
    "bill_fees",
    "claim_fee_refunds",
    "fee_refund_quote",
    "fee_terms",
    "my_fee_refunds",
    "reconcile",
    "refund_unearned_fee",
    "report_collections",
]
