"""Loans (대출): the partner bank's certificate check and execution, payments, reads, and the one ledger
loader."""

from __future__ import annotations

from seomin.services.loans.common import MAX_AMOUNT, JsonDict, T, Work
from seomin.services.loans.execution import execute_loan, verify_certificate
from seomin.services.loans.idempotency import MAX_ATTEMPTS, RETRYABLE_SQLSTATES
from seomin.services.loans.ledger import ledger_for_display, load_ledger
from seomin.services.loans.payments import post_payment, prepay
from seomin.services.loans.queries import get_loan, list_loans, payoff_quote

__all__ = [
    "MAX_AMOUNT",
    "MAX_ATTEMPTS",
    "RETRYABLE_SQLSTATES",
    "JsonDict",
    "T",
    "Work",
    "execute_loan",
    "get_loan",
    "ledger_for_display",
    "list_loans",
    "load_ledger",
    "payoff_quote",
    "post_payment",
    "prepay",
    "verify_certificate",
]
