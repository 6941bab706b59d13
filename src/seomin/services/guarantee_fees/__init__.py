"""Guarantee fees (보증료): the fee of a fee-separate guarantee and the refund of its unearned part."""

from __future__ import annotations

from seomin.services.guarantee_fees.quotes import QUOTE_ROLES, FeeQuote, fee_refund_quote

__all__ = ["QUOTE_ROLES", "FeeQuote", "fee_refund_quote"]
