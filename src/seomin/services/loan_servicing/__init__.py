"""Servicing of the bank loans the agency guarantees: corrections (reversal, adjustment, waiver) under
maker-checker, re-allocated exactly (``domain.loan_corrections``)."""

from __future__ import annotations

from seomin.services.loan_servicing.corrections import (
    CHECKER_ROLES,
    MAKER_ROLES,
    CorrectionView,
    decide_correction,
    list_corrections,
    propose_correction,
)

__all__ = [
    "CHECKER_ROLES",
    "MAKER_ROLES",
    "CorrectionView",
    "decide_correction",
    "list_corrections",
    "propose_correction",
]
