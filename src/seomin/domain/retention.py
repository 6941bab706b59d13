"""Retention of submitted documents (서류 보존기간): when the files of an application are deleted.

Income and employment certificates carry resident numbers and income; they are kept only while they serve
the guarantee, then deleted by the retention job (``seomin documents purge``). The row of each document
(type, issue date, hash) stays as the record of what was submitted; the file goes.

Periods, from the Credit Information Act (신용정보법):
- An application that never became a loan (rejected, withdrawn, or a certificate left to expire): the
  relationship was never set up, so its documents go three months after its last business event (시행령
  제17조의2 counts from the application; counting from the last decision or the certificate's expiry
  instead keeps the documents through any reconsideration, and never later than the law wants by more
  than the review took).
- A loan repaid: five years after the repayment day, the longest the Act allows after a relationship ends
  (제20조의2, in force since 2016).
- Anything still in course (under review, approved, a loan being repaid, a subrogated loan whose recourse
  debt the agency is still collecting): kept; the documents may still be needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from seomin.domain.calendar import add_months
from seomin.domain.lifecycle import ApplicationStatus, GuaranteeStatus, LoanStatus


class RetentionBasis(StrEnum):
    NOT_ESTABLISHED = "not_established"
    """거래 미설정: rejected, withdrawn or an unused certificate."""
    RELATIONSHIP_ENDED = "relationship_ended"
    """거래 종료: the loan is repaid."""


RETENTION_MONTHS: dict[RetentionBasis, int] = {
    RetentionBasis.NOT_ESTABLISHED: 3,
    RetentionBasis.RELATIONSHIP_ENDED: 60,
}


@dataclass(frozen=True, slots=True)
class ApplicationEnd:
    """How and when an application's business ended: the input of the retention rule."""

    application_status: str
    last_event_on: date
    """The business day of the application's last event: its submission or its latest review decision."""
    guarantee_status: str | None = None
    guarantee_expires_on: date | None = None
    loan_status: str | None = None
    loan_repaid_on: date | None = None


@dataclass(frozen=True, slots=True)
class Retention:
    basis: RetentionBasis
    ended_on: date
    purge_on: date
    """The first day the files may be deleted."""


def retention_of(end: ApplicationEnd) -> Retention | None:
    """When the documents of an application may be deleted; None while they may still be needed."""
    if end.loan_status is not None:
        if end.loan_status == LoanStatus.REPAID.value and end.loan_repaid_on is not None:
            return _retention(RetentionBasis.RELATIONSHIP_ENDED, end.loan_repaid_on)
        return None  # being repaid, or subrogated: the agency may still collect
    if end.guarantee_status is not None:
        if end.guarantee_status == GuaranteeStatus.EXPIRED.value and end.guarantee_expires_on is not None:
            return _retention(
                RetentionBasis.NOT_ESTABLISHED, max(end.last_event_on, end.guarantee_expires_on)
            )
        return None
    if end.application_status in (ApplicationStatus.REJECTED.value, ApplicationStatus.WITHDRAWN.value):
        return _retention(RetentionBasis.NOT_ESTABLISHED, end.last_event_on)
    return None


def _retention(basis: RetentionBasis, ended_on: date) -> Retention:
    purge_on = add_months(ended_on, RETENTION_MONTHS[basis], ended_on.day)
    return Retention(basis, ended_on, purge_on)
