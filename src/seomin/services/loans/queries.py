"""Partner-bank reads: a loan's payoff quote, its summary and schedule, and the bank's list of loans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date

from sqlalchemy import select

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import Guarantee, Installment, Loan, Payment
from seomin.domain import repayment
from seomin.domain.lifecycle import LoanStatus
from seomin.services.errors import InputError
from seomin.services.loans.common import JsonDict, _bank_code, _day, _own_loan, _rate
from seomin.services.loans.ledger import load_ledger
from seomin.services.loans.payments import _check_day, _check_open
from seomin.services.platform import Actor, Platform

# --- reading -----------------------------------------------------------------------------------------------


def payoff_quote(platform: Platform, bank: Actor, loan_id: int, on: date) -> JsonDict:
    """The amount that closes the loan on ``on``, with its parts and the overdue installments."""
    bank_code = _bank_code(bank)
    day = _day("on", on)
    with transaction(platform.sessions) as session:
        loan = _own_loan(session, bank_code, loan_id)
        _check_open(loan)
        ledger, _ = load_ledger(session, loan)
        _check_day(ledger, "on", day)
        quote = repayment.payoff_quote(ledger, day)
        return {
            "loan_id": loan.id,
            "on": day.isoformat(),
            "due_principal": quote.due_principal,
            "due_interest": quote.due_interest,
            "delinquency_interest": quote.delinquency_interest,
            "accrued_interest": quote.accrued_interest,
            "accrued_from": quote.accrued_from.isoformat(),
            "principal_balance": quote.principal_balance,
            "amount_due": quote.amount_due,
            "total": quote.total,
            "overdue": [{**asdict(o), "due_date": o.due_date.isoformat()} for o in ledger.overdue(day)],
        }


def _summary(loan: Loan, guarantee: Guarantee) -> JsonDict:
    return {
        "loan_id": loan.id,
        "guarantee_id": guarantee.id,
        "certificate_no": guarantee.certificate_no,
        "product_id": loan.product_id,
        "amount": loan.amount,
        "principal_balance": loan.principal_balance,
        "executed_on": loan.executed_on.isoformat(),
        "term_months": loan.term_months,
        "grace_months": loan.grace_months,
        "method": guarantee.method,
        "rate": _rate(loan.current_rate_bp),
        "rate_bp": loan.current_rate_bp,
        "status": loan.status,
        "days_past_due": loan.days_past_due,
        "repaid_on": loan.repaid_on.isoformat() if loan.repaid_on else None,
    }


def list_loans(platform: Platform, bank: Actor, status: str | None = None) -> list[JsonDict]:
    """The bank's loans (oldest first), optionally only those in ``status``."""
    bank_code = _bank_code(bank)
    query = (
        select(Loan, Guarantee)
        .join(Guarantee, Guarantee.id == Loan.guarantee_id)
        .where(Loan.bank_code == bank_code)
        .order_by(Loan.id)
    )
    if status is not None:
        try:
            query = query.where(Loan.status == LoanStatus(status).value)
        except ValueError:
            known = ", ".join(s.value for s in LoanStatus)
            raise InputError("status", f"{status!r} is not one of {known}") from None
    with transaction(platform.sessions) as session:
        return [_summary(loan, guarantee) for loan, guarantee in session.execute(query).all()]


def get_loan(platform: Platform, bank: Actor, loan_id: int) -> JsonDict:
    """One loan with its schedule (as it stands) and its payments."""
    bank_code = _bank_code(bank)
    with transaction(platform.sessions) as session:
        loan = _own_loan(session, bank_code, loan_id)
        guarantee = session.get_one(Guarantee, loan.guarantee_id)
        rows: Sequence[Installment] = session.scalars(
            select(Installment).where(Installment.loan_id == loan.id).order_by(Installment.no)
        ).all()
        payments = session.scalars(
            select(Payment).where(Payment.loan_id == loan.id).order_by(Payment.id)
        ).all()
        return {
            **_summary(loan, guarantee),
            "schedule": [
                {
                    "no": r.no,
                    "due_date": r.due_date.isoformat(),
                    "rate": _rate(r.rate_bp),
                    "payment": r.principal_due + r.interest_due,
                    "principal_due": r.principal_due,
                    "interest_due": r.interest_due,
                    "principal_paid": r.principal_paid,
                    "interest_paid": r.interest_paid,
                    "paid_on": r.paid_on.isoformat() if r.paid_on else None,
                }
                for r in rows
            ],
            "payments": [
                {
                    "payment_id": p.id,
                    "amount": p.amount,
                    "paid_on": p.paid_on.isoformat(),
                    "delinquency_interest": p.delinquency_interest,
                    "interest": p.interest,
                    "principal": p.principal,
                }
                for p in payments
            ],
        }
