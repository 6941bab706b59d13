"""Subrogation (대위변제): a partner bank files a claim on a defaulted loan it executed; a supervisor pays it,
which opens the borrower's recourse debt for the guaranteed amount."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Guarantee, Installment, Loan, RecourseDebt, SubrogationClaim
from seomin.domain.lifecycle import (
    CLAIM_TRANSITIONS,
    GUARANTEE_TRANSITIONS,
    LOAN_TRANSITIONS,
    ClaimStatus,
    GuaranteeStatus,
    LoanStatus,
    RecourseStatus,
)
from seomin.services.errors import Forbidden, InputError, NotFound
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row
from seomin.services.recourse.common import (
    RecourseDebtView,
    _debt_view,
    _not_after_today,
    _require_staff,
    _set_status,
    _transition,
)

PAYING_ROLES = frozenset({"supervisor"})
_RATIO_DENOMINATOR = 10_000  # ratio_bp: 10,000 = 100%


@dataclass(frozen=True, slots=True)
class ClaimView:
    id: int
    loan_id: int
    bank_code: str
    principal: int
    interest: int
    guaranteed_amount: int
    filed_on: date
    paid_on: date | None
    status: str


def _claim_view(c: SubrogationClaim) -> ClaimView:
    return ClaimView(
        c.id,
        c.loan_id,
        c.bank_code,
        c.principal,
        c.interest,
        c.guaranteed_amount,
        c.filed_on,
        c.paid_on,
        c.status,
    )


# --- the bank's claim ----------------------------------------------------------------------------


def file_subrogation_claim(platform: Platform, bank: Actor, loan_id: int, filed_on: date) -> ClaimView:
    """The bank that executed a defaulted loan claims the guaranteed share of what is unpaid."""
    if bank.type is not ActorType.BANK:
        raise Forbidden("only the partner bank that executed the loan files a subrogation claim")
    with platform.sessions.begin() as session:
        loan = session.scalars(select(Loan).where(Loan.id == loan_id).with_for_update()).one_or_none()
        if loan is None or loan.bank_code != bank.id:
            raise NotFound("loan", loan_id)  # another bank's loan is not shown to exist
        _transition("loan", LOAN_TRANSITIONS, LoanStatus(loan.status), LoanStatus.SUBROGATED)
        guarantee = session.scalars(
            select(Guarantee).where(Guarantee.id == loan.guarantee_id).with_for_update()
        ).one()
        _transition(
            "guarantee", GUARANTEE_TRANSITIONS, GuaranteeStatus(guarantee.status), GuaranteeStatus.CLAIMED
        )
        if filed_on < loan.executed_on:
            raise InputError("filed_on", f"{filed_on.isoformat()} is before the loan was executed")
        _not_after_today(platform, "filed_on", filed_on)
        principal, interest = _unpaid(session, loan.id, filed_on)
        guaranteed = (principal + interest) * guarantee.ratio_bp // _RATIO_DENOMINATOR
        claim = SubrogationClaim(
            loan_id=loan.id,
            bank_code=loan.bank_code,
            principal=principal,
            interest=interest,
            guaranteed_amount=guaranteed,
            filed_on=filed_on,
            status=ClaimStatus.FILED.value,
        )
        session.add(claim)
        session.flush()
        reason = f"subrogation claim {claim.id} filed on {filed_on.isoformat()}"
        audit(
            session,
            bank,
            "subrogation_claim.filed",
            "subrogation_claim",
            claim.id,
            after={
                "loan_id": loan.id,
                "principal": principal,
                "interest": interest,
                "guaranteed_amount": guaranteed,
                "ratio_bp": guarantee.ratio_bp,
                "status": claim.status,
            },
            reason=reason,
        )
        _set_status(session, bank, "loan", loan, LoanStatus.SUBROGATED.value, reason)
        _set_status(session, bank, "guarantee", guarantee, GuaranteeStatus.CLAIMED.value, reason)
        return _claim_view(claim)


def _unpaid(session: Session, loan_id: int, filed_on: date) -> tuple[int, int]:
    """Unpaid principal of all installments and unpaid interest of those due by ``filed_on``."""
    i = Installment
    principal, interest = session.execute(
        select(
            func.coalesce(func.sum(i.principal_due - i.principal_paid), 0),
            func.coalesce(
                func.sum(case((i.due_date <= filed_on, i.interest_due - i.interest_paid), else_=0)), 0
            ),
        ).where(i.loan_id == loan_id)
    ).one()
    return int(principal), int(interest)


# --- the agency pays: the recourse debt ---------------------------------------------------------


def pay_subrogation_claim(platform: Platform, staff: Actor, claim_id: int, paid_on: date) -> RecourseDebtView:
    """A supervisor pays a filed claim; the borrower then owes the agency the paid amount."""
    _require_staff(staff, PAYING_ROLES, "pay a subrogation claim")
    with platform.sessions.begin() as session:
        claim = locked_row(session, SubrogationClaim, SubrogationClaim.id, claim_id, "subrogation claim")
        _transition("subrogation_claim", CLAIM_TRANSITIONS, ClaimStatus(claim.status), ClaimStatus.PAID)
        if paid_on < claim.filed_on:
            raise InputError("paid_on", f"{paid_on.isoformat()} is before the claim was filed")
        _not_after_today(platform, "paid_on", paid_on)
        loan = session.get_one(Loan, claim.loan_id)
        claim.status = ClaimStatus.PAID.value
        claim.paid_on = paid_on
        debt = RecourseDebt(
            claim_id=claim.id,
            applicant_id=loan.applicant_id,
            principal=claim.guaranteed_amount,
            balance=claim.guaranteed_amount,
            status=RecourseStatus.OPEN.value,
            created_on=paid_on,
        )
        session.add(debt)
        session.flush()
        reason = f"subrogation claim {claim.id} paid on {paid_on.isoformat()}"
        audit(
            session,
            staff,
            "subrogation_claim.paid",
            "subrogation_claim",
            claim.id,
            before={"status": ClaimStatus.FILED.value},
            after={"status": claim.status, "paid_on": paid_on.isoformat(), "amount": claim.guaranteed_amount},
            reason=reason,
        )
        audit(
            session,
            staff,
            "recourse_debt.created",
            "recourse_debt",
            debt.id,
            after={"applicant_id": debt.applicant_id, "principal": debt.principal, "status": debt.status},
            reason=reason,
        )
        return _debt_view(debt)
