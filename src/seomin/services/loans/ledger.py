"""The one loader of a loan's ledger (원장): replayed from its payments and checked against the stored
installments. The bank's writes use the strict form (a disagreement is a ``Conflict``); the applicant's my
page reads the same ledger and falls back to what is stored, so a person always sees their loan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Guarantee, Installment, Loan, Payment
from seomin.domain.repayment import (
    InstallmentState,
    LoanLedger,
    PaymentRecord,
    RepaymentError,
    new_ledger,
    replay,
)
from seomin.services.errors import Conflict


@dataclass(frozen=True, slots=True)
class _LoanRows:
    method: str
    installments: dict[int, Installment]
    payments: list[PaymentRecord]


def _rows(session: Session, loan: Loan) -> _LoanRows | None:
    method = session.scalars(select(Guarantee.method).where(Guarantee.id == loan.guarantee_id)).first()
    installments = {
        r.no: r
        for r in session.scalars(
            select(Installment).where(Installment.loan_id == loan.id).order_by(Installment.no)
        )
    }
    if method is None or not installments:
        return None
    payments = session.scalars(select(Payment).where(Payment.loan_id == loan.id).order_by(Payment.id))
    records = [PaymentRecord(p.paid_on, p.delinquency_interest, p.interest, p.principal) for p in payments]
    return _LoanRows(method, installments, records)


def _replay(loan: Loan, rows: _LoanRows) -> LoanLedger:
    states = [
        InstallmentState(r.no, r.due_date, r.rate_bp, r.principal_due, r.interest_due)
        for r in rows.installments.values()
    ]
    return replay(loan.executed_on, rows.method, loan.grace_months, states, rows.payments)


def load_ledger(session: Session, loan: Loan) -> tuple[LoanLedger, dict[int, Installment]]:
    """The loan's ledger replayed from its payments, checked against the stored installments and balance;
    any disagreement is ``Conflict LEDGER_MISMATCH`` (a write must never build on a broken ledger)."""
    rows = _rows(session, loan)
    if rows is None:
        raise Conflict("LEDGER_MISMATCH", f"loan {loan.id}: no guarantee method or installments")
    try:
        ledger = _replay(loan, rows)
    except RepaymentError as exc:
        raise Conflict("LEDGER_MISMATCH", f"loan {loan.id}: {exc}") from None
    for state in ledger.installments:
        row = rows.installments[state.no]
        if (row.principal_paid, row.interest_paid) != (state.principal_paid, state.interest_paid):
            raise Conflict(
                "LEDGER_MISMATCH", f"loan {loan.id}: installment {row.no} disagrees with the payments"
            )
    if ledger.principal_balance != loan.principal_balance:
        raise Conflict("LEDGER_MISMATCH", f"loan {loan.id}: principal balance disagrees with installments")
    return ledger, rows.installments


def ledger_for_display(session: Session, loan: Loan) -> LoanLedger | None:
    """The same ledger for reading; where the payments disagree with the installments, what is stored
    (without delinquency interest), and ``None`` for a loan with no schedule."""
    rows = _rows(session, loan)
    if rows is None:
        return None
    try:
        return _replay(loan, rows)
    except RepaymentError:
        stored = [
            InstallmentState(
                r.no,
                r.due_date,
                r.rate_bp,
                r.principal_due,
                r.interest_due,
                r.principal_paid,
                r.interest_paid,
            )
            for r in rows.installments.values()
        ]
        return new_ledger(loan.executed_on, rows.method, loan.grace_months, stored)
