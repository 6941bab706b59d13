"""Partner-bank use cases once a loan runs: payments and prepayment, allocated by ``domain.repayment``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from seomin.adapters.db.models import Loan, Payment
from seomin.domain import repayment
from seomin.domain.lifecycle import CLOSED_LOAN_STATUSES, LOAN_TRANSITIONS, LoanStatus, check_transition
from seomin.domain.repayment import AmountExceedsPayoff, LoanLedger, allocate
from seomin.services.errors import Conflict, InputError, InputErrorCode
from seomin.services.guarantee_fees import refund_unearned_fee
from seomin.services.loans.common import JsonDict, _bank_code, _day, _not_future, _own_loan, _text, _won
from seomin.services.loans.execution import _loan_state
from seomin.services.loans.idempotency import _exactly_once, _request_hash
from seomin.services.loans.ledger import load_ledger
from seomin.services.platform import Actor, Platform, audit


def _check_open(loan: Loan) -> None:
    if loan.status in CLOSED_LOAN_STATUSES:
        raise Conflict(f"LOAN_{loan.status.upper()}", f"loan {loan.id} is {loan.status}")


def _check_day(ledger: LoanLedger, name: str, day: date) -> None:
    if day < ledger.executed_on:
        raise InputError(
            name,
            f"{day.isoformat()} is before the execution on {ledger.executed_on}",
            InputErrorCode.DATE_BEFORE_START,
        )
    if ledger.last_paid_on is not None and day < ledger.last_paid_on:
        raise Conflict(
            "PAYMENT_OUT_OF_ORDER",
            f"{day.isoformat()} is before the last payment, on {ledger.last_paid_on.isoformat()}",
        )


def _apply_payment(
    session: Session,
    bank: Actor,
    loan: Loan,
    amount: int | None,
    paid_on: date,
    key: str,
    *,
    prepayment: bool,
) -> JsonDict:
    _check_open(loan)
    ledger, rows = load_ledger(session, loan)
    _check_day(ledger, "paid_on", paid_on)
    quote = repayment.payoff_quote(ledger, paid_on)
    full = amount is None
    if amount is None:
        amount = quote.total
    if prepayment and not full and amount <= quote.amount_due:
        raise Conflict(
            "NOTHING_TO_PREPAY",
            f"{amount} won does not exceed the {quote.amount_due} won due on {paid_on.isoformat()}; "
            "post it as a payment",
        )
    try:
        allocation = allocate(ledger, amount, paid_on)
    except AmountExceedsPayoff as exc:
        raise Conflict(exc.code, f"{exc} on {paid_on.isoformat()}") from None

    kept = set()
    for state in allocation.ledger.installments:
        row = rows[state.no]
        kept.add(state.no)
        row.due_date = state.due_date
        row.principal_due = state.principal_due
        row.interest_due = state.interest_due
        row.principal_paid = state.principal_paid
        row.interest_paid = state.interest_paid
        row.paid_on = state.paid_on
    for no, row in rows.items():
        if no not in kept:
            session.delete(row)

    before = _loan_state(loan)
    loan.principal_balance = allocation.ledger.principal_balance
    current = LoanStatus(loan.status)
    if allocation.full_repayment:
        check_transition("loan", LOAN_TRANSITIONS, current, LoanStatus.REPAID)
        loan.status = LoanStatus.REPAID.value
        loan.repaid_on = paid_on
        loan.days_past_due = 0
    elif current in (LoanStatus.DELINQUENT, LoanStatus.DEFAULTED) and not allocation.ledger.in_arrears(
        paid_on
    ):
        check_transition("loan", LOAN_TRANSITIONS, current, LoanStatus.ACTIVE)
        loan.status = LoanStatus.ACTIVE.value
        loan.days_past_due = 0

    payment = Payment(
        loan_id=loan.id,
        bank_code=loan.bank_code,
        amount=amount,
        paid_on=paid_on,
        delinquency_interest=allocation.delinquency_interest,
        interest=allocation.total_interest,
        principal=allocation.total_principal,
    )
    session.add(payment)
    session.flush()
    split = {
        "delinquency_interest": allocation.delinquency_interest,
        "interest": allocation.interest,
        "principal": allocation.principal,
        "prepaid_principal": allocation.prepaid_principal,
        "prepayment_interest": allocation.prepayment_interest,
    }
    lines = [
        {
            "no": line.no,
            "delinquency_interest": line.delinquency_interest,
            "interest": line.interest,
            "principal": line.principal,
        }
        for line in allocation.lines
    ]
    action = (
        "loan.repay" if allocation.full_repayment else "loan.prepay" if allocation.reamortized else "loan.pay"
    )
    audit(
        session,
        bank,
        action,
        "loan",
        loan.id,
        before=before,
        after={
            **_loan_state(loan),
            "payment_id": payment.id,
            "amount": amount,
            **split,
            "reamortized": allocation.reamortized,
            "lines": lines,
        },
        reason=f"payment of {amount} won on {paid_on.isoformat()} (idempotency key {key})",
    )
    return {
        "payment_id": payment.id,
        "loan_id": loan.id,
        "amount": amount,
        "paid_on": paid_on.isoformat(),
        **split,
        "full_repayment": allocation.full_repayment,
        "reamortized": allocation.reamortized,
        "lines": lines,
        "loan": _loan_state(loan),
    }


def _pay(
    platform: Platform,
    bank: Actor,
    op: str,
    loan_id: int,
    amount: int | None,
    paid_on: date,
    idempotency_key: str,
) -> JsonDict:
    bank_code = _bank_code(bank)
    if isinstance(loan_id, bool) or not isinstance(loan_id, int) or loan_id <= 0:
        raise InputError("loan_id", "must be a positive whole number")
    checked_amount = None if amount is None else _won("amount", amount)
    day = _day("paid_on", paid_on)
    key = _text("idempotency_key", idempotency_key, 128)
    _not_future(platform, "paid_on", day)
    request_hash = _request_hash(
        platform, op, {"loan_id": loan_id, "amount": checked_amount, "paid_on": day.isoformat()}
    )

    def work(session: Session, checkpoint: Callable[[], None]) -> tuple[int, JsonDict]:
        loan = _own_loan(session, bank_code, loan_id, lock=True)
        checkpoint()
        response = _apply_payment(session, bank, loan, checked_amount, day, key, prepayment=op == "prepay")
        prepaid, full = response["prepaid_principal"], response["full_repayment"]
        refund_unearned_fee(platform, session, bank, loan, day, prepaid, full, response["payment_id"])
        return 201, response

    return _exactly_once(platform, bank_code, key, request_hash, work)


def post_payment(
    platform: Platform, bank: Actor, loan_id: int, amount: int, paid_on: date, idempotency_key: str
) -> JsonDict:
    """Apply a payment the bank received: delinquency interest, interest, principal, then prepayment.

    Conflicts: LOAN_REPAID, LOAN_SUBROGATED, PAYMENT_OUT_OF_ORDER (dated before the last payment),
    AMOUNT_EXCEEDS_PAYOFF, IDEMPOTENCY_KEY_REUSED.
    """
    if amount is None:
        raise InputError("amount", "is required")
    return _pay(platform, bank, "post_payment", loan_id, amount, paid_on, idempotency_key)


def prepay(
    platform: Platform, bank: Actor, loan_id: int, amount: int | None, paid_on: date, idempotency_key: str
) -> JsonDict:
    """A prepayment (중도상환, no fee): ``amount`` won in all, or ``None`` for the full payoff.

    Whatever is due is paid first (the allocation order is the same as for any payment); the amount must
    exceed it (else Conflict NOTHING_TO_PREPAY). The remaining schedule is re-amortized.
    """
    return _pay(platform, bank, "prepay", loan_id, amount, paid_on, idempotency_key)
