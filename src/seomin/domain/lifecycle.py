"""State machines of the guarantee-first-then-loan lifecycle (선보증 후대출). Pure rules, no I/O."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

S = TypeVar("S", bound=StrEnum)


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"  # 접수: documents in, automatic screening done
    PENDING_SECOND_REVIEW = "pending_second_review"  # maker approved; a checker must confirm
    APPROVED = "approved"  # 승인: waiting for education and the applicant's agreement
    REJECTED = "rejected"  # 거절
    GUARANTEED = "guaranteed"  # 보증서 발급
    DISBURSED = "disbursed"  # 직접대출 지급: the agency lent itself (불법사금융예방대출), no bank
    WITHDRAWN = "withdrawn"  # 철회


class GuaranteeStatus(StrEnum):
    ISSUED = "issued"  # 발급: the bank may execute until expires_on
    EXECUTED = "executed"  # 대출 실행
    EXPIRED = "expired"  # 기한 내 미실행
    CLAIMED = "claimed"  # 대위변제 청구됨
    DECLINED = "declined"  # 은행 대출 거절: the bank verified it and decided not to lend


class LoanStatus(StrEnum):
    ACTIVE = "active"
    DELINQUENT = "delinquent"
    DEFAULTED = "defaulted"  # past the default threshold: the bank may claim subrogation
    SUBROGATED = "subrogated"
    REPAID = "repaid"
    WRITTEN_OFF = "written_off"  # 상각: what is left given up (maker-checker); nothing is claimed


APPLICATION_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    ApplicationStatus.SUBMITTED: frozenset(
        {
            ApplicationStatus.PENDING_SECOND_REVIEW,
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.PENDING_SECOND_REVIEW: frozenset(
        {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.APPROVED: frozenset(
        {ApplicationStatus.GUARANTEED, ApplicationStatus.DISBURSED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.GUARANTEED: frozenset(),
    ApplicationStatus.DISBURSED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}

GUARANTEE_TRANSITIONS: dict[GuaranteeStatus, frozenset[GuaranteeStatus]] = {
    GuaranteeStatus.ISSUED: frozenset(
        {GuaranteeStatus.EXECUTED, GuaranteeStatus.EXPIRED, GuaranteeStatus.DECLINED}
    ),
    GuaranteeStatus.EXECUTED: frozenset({GuaranteeStatus.CLAIMED}),
    GuaranteeStatus.EXPIRED: frozenset(),
    GuaranteeStatus.CLAIMED: frozenset(),
    GuaranteeStatus.DECLINED: frozenset(),
}

LOAN_TRANSITIONS: dict[LoanStatus, frozenset[LoanStatus]] = {
    LoanStatus.ACTIVE: frozenset({LoanStatus.DELINQUENT, LoanStatus.REPAID, LoanStatus.WRITTEN_OFF}),
    LoanStatus.DELINQUENT: frozenset(
        {LoanStatus.ACTIVE, LoanStatus.DEFAULTED, LoanStatus.REPAID, LoanStatus.WRITTEN_OFF}
    ),
    LoanStatus.DEFAULTED: frozenset(
        {LoanStatus.SUBROGATED, LoanStatus.ACTIVE, LoanStatus.REPAID, LoanStatus.WRITTEN_OFF}
    ),
    LoanStatus.SUBROGATED: frozenset(),
    LoanStatus.REPAID: frozenset(),
    LoanStatus.WRITTEN_OFF: frozenset(),
}
CLOSED_LOAN_STATUSES = frozenset({LoanStatus.REPAID, LoanStatus.SUBROGATED, LoanStatus.WRITTEN_OFF})
"""A loan in one of these owes the bank nothing more: no payment, correction or due date."""


class ClaimStatus(StrEnum):
    """A bank's subrogation claim (대위변제 청구)."""

    FILED = "filed"  # 청구
    PAID = "paid"  # 대위변제 완료


class RecourseStatus(StrEnum):
    """The borrower's recourse debt to the agency (구상채무) after subrogation."""

    OPEN = "open"
    INSTALLMENT_PLAN = "installment_plan"  # 분할상환
    DEFERRED = "deferred"  # 상환유예
    REPAID = "repaid"


CLAIM_TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.FILED: frozenset({ClaimStatus.PAID}),
    ClaimStatus.PAID: frozenset(),
}
RECOURSE_TRANSITIONS: dict[RecourseStatus, frozenset[RecourseStatus]] = {
    RecourseStatus.OPEN: frozenset(
        {RecourseStatus.INSTALLMENT_PLAN, RecourseStatus.DEFERRED, RecourseStatus.REPAID}
    ),
    # installment_plan → open: the plan lapsed (close of business, past the lapse rule's days behind)
    RecourseStatus.INSTALLMENT_PLAN: frozenset(
        {RecourseStatus.DEFERRED, RecourseStatus.REPAID, RecourseStatus.OPEN}
    ),
    RecourseStatus.DEFERRED: frozenset({RecourseStatus.INSTALLMENT_PLAN, RecourseStatus.REPAID}),
    RecourseStatus.REPAID: frozenset(),
}


class IllegalTransition(ValueError):
    """The entity cannot go from its state to the one asked for; ``code`` is stable."""

    def __init__(self, entity: str, current: str, wanted: str) -> None:
        super().__init__(f"{entity} is {current}; it cannot become {wanted}")
        self.code = f"{entity.upper()}_{current.upper()}"
        self.entity = entity
        self.current = current
        self.wanted = wanted


def check_transition(entity: str, table: dict[S, frozenset[S]], current: S, wanted: S) -> None:
    if wanted not in table[current]:
        raise IllegalTransition(entity, current.value, wanted.value)
