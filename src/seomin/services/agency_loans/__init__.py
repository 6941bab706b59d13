"""Agency loans (직접대출): the agency lends 불법사금융예방대출 itself, then services and extends it."""

from __future__ import annotations

from seomin.services.agency_loans.lending import (
    LENDING_ROLES,
    AgencyLoanView,
    agency_loans_of,
    disburse_agency_loan,
    extend_agency_loan,
    record_agency_payment,
)

__all__ = [
    "LENDING_ROLES",
    "AgencyLoanView",
    "agency_loans_of",
    "disburse_agency_loan",
    "extend_agency_loan",
    "record_agency_payment",
]
