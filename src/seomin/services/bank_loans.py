"""Partner-bank use cases (협약 금융회사): verify a certificate, execute the loan, take payments.

Every function takes the ``Platform`` and the acting bank (``Actor`` of type bank, id = bank code). A bank
sees only its own guarantees and loans: anything else is ``NotFound``, exactly as if it did not exist.
Each state change runs in one transaction and writes an audit event (actor, before, after, reason); an
error rolls everything back.

Writes are exactly-once per idempotency key: the first successful answer is stored with a keyed hash of
the request (``IdempotencyRecord``); a retry with the same key and request gets that answer again, the
same key with another request is ``Conflict IDEMPOTENCY_KEY_REUSED``. Concurrency: SQLite serializes
writers (BEGIN IMMEDIATE); on PostgreSQL an execution locks the applicant and the guarantee rows (in that
order: the per-person limit spans the applicant's guarantees) and a payment locks the loan row
(SELECT ... FOR UPDATE), then looks for the idempotency record again, since a twin request may have
committed while it waited. The unique ``loans.guarantee_id`` is the last line of defence: an
IntegrityError rolls back and the request is tried once more, which then answers with the Conflict. A
PostgreSQL deadlock or serialization failure (the close-of-business run takes table locks) reruns the
whole transaction too.

Loan rows: the stored schedule is the contract schedule at the guaranteed rate; ``preferential_bp`` is 0
(the guarantee's ``rate_bp`` is taken as the rate after any preferential cut), ``step_bp`` and
``floor_bp`` come from the product version for the term; ``additional_loan_from`` is left to the
close-of-business run. Installment ``paid_on`` is the day it became fully paid.

Money rules (allocation, delinquency interest, prepayment, payoff) are ``seomin.domain.repayment``.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import (
    Applicant,
    Guarantee,
    IdempotencyRecord,
    Installment,
    Loan,
    Payment,
)
from seomin.domain import repayment
from seomin.domain.calendar import CalendarRangeError
from seomin.domain.catalog import LimitBasis, ProductVersion
from seomin.domain.identity import mask_name
from seomin.domain.lifecycle import (
    GUARANTEE_TRANSITIONS,
    LOAN_TRANSITIONS,
    GuaranteeStatus,
    IllegalTransition,
    LoanStatus,
    check_transition,
)
from seomin.domain.money import bp_to_rate, format_rate, rate_to_bp
from seomin.domain.repayment import (
    AmountExceedsPayoff,
    InstallmentState,
    LoanLedger,
    PaymentRecord,
    RepaymentError,
    allocate,
    replay,
)
from seomin.domain.schedule import LoanTerms, RatePolicy, RepaymentMethod, build_schedule
from seomin.services.applications import certificate_code_hash
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.platform import Actor, ActorType, Platform, audit

JsonDict = dict[str, Any]
T = TypeVar("T", Applicant, Guarantee, Loan)

RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
"""PostgreSQL deadlock_detected and serialization_failure: the transaction rolled back whole; run it again."""

MAX_ATTEMPTS = 4

MAX_AMOUNT = 10**12
"""No single payment above 1조 won: a typo guard, far above any policy loan."""


# --- input ---------------------------------------------------------------------------------------------


def _bank_code(actor: Actor) -> str:
    if actor.type is not ActorType.BANK:
        raise Forbidden(f"{actor.label} is not a partner bank")
    return actor.id


def _text(name: str, value: object, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(name, "is required (non-empty text)")
    value = value.strip()
    if len(value) > max_length or not value.isprintable():
        raise InputError(name, f"must be printable text of at most {max_length} characters")
    return value


def _day(name: str, value: object) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InputError(name, "must be a date (YYYY-MM-DD)")
    return value


def _won(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(name, "must be a whole number of won")
    if not 0 < value <= MAX_AMOUNT:
        raise InputError(name, f"must be more than 0 and at most {MAX_AMOUNT:,} won")
    return value


def _not_future(platform: Platform, name: str, day: date) -> None:
    today = platform.today()
    if day > today:
        raise InputError(name, f"{day.isoformat()} is after today ({today.isoformat()})")


# --- idempotency ---------------------------------------------------------------------------------------


class _Replayed(Exception):
    """A twin request with the same key committed while this one waited for its lock."""

    def __init__(self, response: JsonDict) -> None:
        super().__init__("replayed")
        self.response = response


def _request_hash(platform: Platform, op: str, params: JsonDict) -> str:
    """A keyed hash of the request (keyed: it covers the verification code, which must not be guessable)."""
    canonical = json.dumps({"op": op, **params}, sort_keys=True, separators=(",", ":"), default=str)
    return platform.vault.lookup_hash(canonical)


def _recorded(session: Session, bank_code: str, key: str, request_hash: str) -> JsonDict | None:
    record = session.execute(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.bank_code == bank_code, IdempotencyRecord.key == key)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if record is None:
        return None
    if not hmac.compare_digest(record.request_hash, request_hash):
        raise Conflict(
            "IDEMPOTENCY_KEY_REUSED", f"idempotency key {key!r} was already used for a different request"
        )
    return dict(record.response)


Work = Callable[[Session, Callable[[], None]], tuple[int, JsonDict]]


def _exactly_once(platform: Platform, bank_code: str, key: str, request_hash: str, work: Work) -> JsonDict:
    """Run ``work`` in one transaction and store its answer under ``key``, or return the stored answer.

    ``work`` gets a checkpoint to call right after taking its row locks. An IntegrityError (a concurrent
    twin got through first; the unique constraints caught it) rolls back and runs the request once more;
    so does a deadlock or serialization failure (e.g. against the close-of-business table locks), up to
    ``MAX_ATTEMPTS`` runs in all. Each run is a whole transaction, so a rerun cannot double anything.
    """
    integrity_retried = False
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with transaction(platform.sessions) as session:
                found = _recorded(session, bank_code, key, request_hash)
                if found is not None:
                    return found

                def checkpoint(session: Session = session) -> None:
                    again = _recorded(session, bank_code, key, request_hash)
                    if again is not None:
                        raise _Replayed(again)

                status_code, response = work(session, checkpoint)
                session.add(
                    IdempotencyRecord(
                        bank_code=bank_code,
                        key=key,
                        request_hash=request_hash,
                        status_code=status_code,
                        response=response,
                    )
                )
                session.flush()
            return response
        except _Replayed as replayed:
            return replayed.response
        except IntegrityError:
            if integrity_retried or attempt == MAX_ATTEMPTS:
                raise
            integrity_retried = True
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in RETRYABLE_SQLSTATES or attempt == MAX_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# --- rows ----------------------------------------------------------------------------------------------


def _for_update(session: Session, model: type[T], row_id: int) -> T:
    """The row, locked until the end of the transaction (PostgreSQL; SQLite already holds the write lock)."""
    return session.execute(
        select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _own_guarantee(session: Session, bank_code: str, certificate_no: str) -> Guarantee:
    guarantee = session.execute(
        select(Guarantee).where(Guarantee.certificate_no == certificate_no)
    ).scalar_one_or_none()
    if guarantee is None or guarantee.bank_code != bank_code:
        raise NotFound("guarantee", certificate_no)
    return guarantee


def _check_code(platform: Platform, guarantee: Guarantee, verification_code: str) -> None:
    expected = certificate_code_hash(platform.vault, guarantee.certificate_no, verification_code)
    if not hmac.compare_digest(expected, guarantee.verification_code_hash):
        raise Conflict(
            "CERTIFICATE_VERIFICATION_FAILED", "the certificate number and verification code do not match"
        )


def _own_loan(session: Session, bank_code: str, loan_id: object, *, lock: bool = False) -> Loan:
    if isinstance(loan_id, bool) or not isinstance(loan_id, int) or loan_id <= 0:
        raise InputError("loan_id", "must be a positive whole number")
    query = select(Loan).where(Loan.id == loan_id, Loan.bank_code == bank_code)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    loan = session.execute(query).scalar_one_or_none()
    if loan is None:
        raise NotFound("loan", loan_id)
    return loan


def _version(platform: Platform, guarantee: Guarantee) -> ProductVersion:
    try:
        return platform.catalog.version(guarantee.product_id, guarantee.product_version)
    except LookupError:  # UnknownProduct included
        raise Conflict(
            "PRODUCT_VERSION_UNKNOWN",
            f"guarantee {guarantee.certificate_no} names {guarantee.product_id}@{guarantee.product_version}, "
            "which the catalog does not hold",
        ) from None


def _rate(bp: int) -> str:
    return format_rate(bp_to_rate(bp))


# --- certificate and execution ---------------------------------------------------------------------------


def verify_certificate(
    platform: Platform, bank: Actor, certificate_no: str, verification_code: str
) -> JsonDict:
    """What the bank needs before executing: the certificate's terms and a masked applicant.

    NotFound for a certificate unknown or issued to another bank; Conflict CERTIFICATE_VERIFICATION_FAILED
    when the code does not match (the answer does not say which of the two is wrong).
    """
    bank_code = _bank_code(bank)
    certificate = _text("certificate_no", certificate_no, 32)
    code = _text("verification_code", verification_code, 64)
    with transaction(platform.sessions) as session:
        guarantee = _own_guarantee(session, bank_code, certificate)
        _check_code(platform, guarantee, code)
        applicant = session.get_one(Applicant, guarantee.applicant_id)
        today = platform.today()
        return {
            "certificate_no": guarantee.certificate_no,
            "status": guarantee.status,
            "executable": guarantee.status == GuaranteeStatus.ISSUED and today <= guarantee.expires_on,
            "product_id": guarantee.product_id,
            "product_version": guarantee.product_version,
            "amount": guarantee.amount,
            "rate": _rate(guarantee.rate_bp),
            "rate_bp": guarantee.rate_bp,
            "term_months": guarantee.term_months,
            "grace_months": guarantee.grace_months,
            "method": guarantee.method,
            "guarantee_ratio": _rate(guarantee.ratio_bp),
            "issued_on": guarantee.issued_on.isoformat(),
            "expires_on": guarantee.expires_on.isoformat(),
            "applicant": {
                "name_masked": mask_name(platform.vault.decrypt(applicant.name_encrypted)),
                "rrn_masked": applicant.rrn_masked,
                "phone_masked": applicant.phone_masked,
            },
        }


def _check_limits(session: Session, version: ProductVersion, guarantee: Guarantee) -> None:
    """The per-person limit and open-account count of the product family, at the moment of execution."""
    limits = version.limits
    open_loans = session.scalars(
        select(Loan).where(
            Loan.applicant_id == guarantee.applicant_id,
            Loan.product_id.in_(sorted(version.limit_family)),
            Loan.status != LoanStatus.REPAID.value,
        )
    ).all()
    if len(open_loans) >= limits.max_open_accounts:
        raise Conflict(
            "TOO_MANY_OPEN_LOANS",
            f"the applicant already has {len(open_loans)} open loans of this product "
            f"(at most {limits.max_open_accounts})",
        )
    if limits.basis is LimitBasis.ORIGINAL_AMOUNT:
        used = sum(loan.amount for loan in open_loans)
    else:
        used = sum(loan.principal_balance for loan in open_loans)
    cap = limits.total_per_person - used if open_loans else min(limits.first_time, limits.total_per_person)
    if guarantee.amount > cap:
        raise Conflict(
            "LIMIT_EXCEEDED",
            f"{guarantee.amount} won exceeds the applicant's remaining limit of {max(cap, 0)} won "
            f"({used} won in use of {limits.total_per_person})",
        )


def _guarantee_state(guarantee: Guarantee) -> JsonDict:
    return {"status": guarantee.status}


def _loan_state(loan: Loan) -> JsonDict:
    return {
        "status": loan.status,
        "principal_balance": loan.principal_balance,
        "days_past_due": loan.days_past_due,
        "repaid_on": loan.repaid_on.isoformat() if loan.repaid_on else None,
    }


def execute_loan(
    platform: Platform,
    bank: Actor,
    certificate_no: str,
    verification_code: str,
    executed_on: date,
    idempotency_key: str,
) -> JsonDict:
    """Execute (disburse) the loan of an issued certificate, exactly once.

    The schedule is the contract schedule at the guaranteed rate (step-downs are applied later, when
    earned). Conflicts: GUARANTEE_ALREADY_EXECUTED, GUARANTEE_EXPIRED (also when ``executed_on`` is after
    ``expires_on``), GUARANTEE_CLAIMED, TOO_MANY_OPEN_LOANS, LIMIT_EXCEEDED, IDEMPOTENCY_KEY_REUSED,
    CERTIFICATE_VERIFICATION_FAILED.
    """
    bank_code = _bank_code(bank)
    certificate = _text("certificate_no", certificate_no, 32)
    code = _text("verification_code", verification_code, 64)
    day = _day("executed_on", executed_on)
    key = _text("idempotency_key", idempotency_key, 128)
    _not_future(platform, "executed_on", day)
    request_hash = _request_hash(
        platform,
        "execute_loan",
        {"certificate_no": certificate, "verification_code": code, "executed_on": day.isoformat()},
    )

    def work(session: Session, checkpoint: Callable[[], None]) -> tuple[int, JsonDict]:
        found = _own_guarantee(session, bank_code, certificate)
        _check_code(platform, found, code)
        _for_update(session, Applicant, found.applicant_id)
        guarantee = _for_update(session, Guarantee, found.id)
        checkpoint()
        return 201, _execute(platform, session, bank, guarantee, day, key)

    return _exactly_once(platform, bank_code, key, request_hash, work)


def _execute(
    platform: Platform, session: Session, bank: Actor, guarantee: Guarantee, day: date, key: str
) -> JsonDict:
    status = GuaranteeStatus(guarantee.status)
    if status is GuaranteeStatus.EXECUTED:
        raise Conflict(
            "GUARANTEE_ALREADY_EXECUTED", f"guarantee {guarantee.certificate_no} is already executed"
        )
    try:
        check_transition("guarantee", GUARANTEE_TRANSITIONS, status, GuaranteeStatus.EXECUTED)
    except IllegalTransition as exc:
        raise Conflict(exc.code, str(exc)) from None
    if day > guarantee.expires_on:
        raise Conflict(
            "GUARANTEE_EXPIRED",
            f"guarantee {guarantee.certificate_no} expired on {guarantee.expires_on.isoformat()}",
        )
    if day < guarantee.issued_on:
        raise InputError("executed_on", f"is before the certificate was issued ({guarantee.issued_on})")
    version = _version(platform, guarantee)
    _check_limits(session, version, guarantee)

    step = version.rate.step_down_by_term.get(guarantee.term_months, Decimal(0))
    policy = RatePolicy(base_rate=bp_to_rate(guarantee.rate_bp), step_down=step, floor=version.rate.floor)
    terms = LoanTerms(
        amount=guarantee.amount,
        repayment_months=guarantee.term_months,
        grace_months=guarantee.grace_months,
        method=RepaymentMethod(guarantee.method),
        executed_on=day,
        rate_policy=policy,
        apply_step_down=False,
    )
    try:
        schedule = build_schedule(terms, platform.calendar)
    except CalendarRangeError as exc:  # due dates beyond the holiday data
        raise InputError("executed_on", str(exc)) from None

    loan = Loan(
        guarantee_id=guarantee.id,
        applicant_id=guarantee.applicant_id,
        bank_code=guarantee.bank_code,
        product_id=guarantee.product_id,
        amount=guarantee.amount,
        principal_balance=guarantee.amount,
        executed_on=day,
        term_months=guarantee.term_months,
        grace_months=guarantee.grace_months,
        base_rate_bp=guarantee.rate_bp,
        current_rate_bp=guarantee.rate_bp,
        step_bp=policy.step_bp,
        floor_bp=policy.floor_bp,
        preferential_bp=0,
        status=LoanStatus.ACTIVE.value,
        days_past_due=0,
        additional_loan_from=None,
        repaid_on=None,
    )
    session.add(loan)
    session.flush()  # the unique guarantee_id: a concurrent twin fails here at the latest
    # RETURNING makes SQLAlchemy send the rows as batched multi-row INSERTs ("insertmanyvalues"): one
    # round trip and a cached statement, not one statement per installment.
    session.execute(
        insert(Installment).returning(Installment.no),
        [
            {
                "loan_id": loan.id,
                "no": i.no,
                "due_date": i.due_date,
                "rate_bp": rate_to_bp(i.annual_rate),
                "principal_due": i.principal,
                "interest_due": i.interest,
                "principal_paid": 0,
                "interest_paid": 0,
                "paid_on": None,
            }
            for i in schedule.installments
        ],
    ).all()
    before = _guarantee_state(guarantee)
    guarantee.status = GuaranteeStatus.EXECUTED.value
    reason = f"loan executed on {day.isoformat()} (idempotency key {key})"
    audit(
        session,
        bank,
        "guarantee.execute",
        "guarantee",
        guarantee.id,
        before=before,
        after={**_guarantee_state(guarantee), "loan_id": loan.id},
        reason=reason,
    )
    first, last = schedule.installments[0], schedule.installments[-1]
    summary = {
        "loan_id": loan.id,
        "guarantee_id": guarantee.id,
        "certificate_no": guarantee.certificate_no,
        "bank_code": loan.bank_code,
        "product_id": loan.product_id,
        "product_version": guarantee.product_version,
        "amount": loan.amount,
        "executed_on": day.isoformat(),
        "rate": _rate(guarantee.rate_bp),
        "rate_bp": guarantee.rate_bp,
        "term_months": loan.term_months,
        "grace_months": loan.grace_months,
        "method": guarantee.method,
        "status": loan.status,
        "principal_balance": loan.principal_balance,
        "installments": len(schedule.installments),
        "first_due_date": first.due_date.isoformat(),
        "first_payment": first.payment,
        "maturity_date": last.due_date.isoformat(),
        "total_interest": schedule.total_interest,
    }
    audit(session, bank, "loan.create", "loan", loan.id, before=None, after=summary, reason=reason)
    return summary


# --- payments --------------------------------------------------------------------------------------------


def _ledger(session: Session, loan: Loan) -> tuple[LoanLedger, dict[int, Installment]]:
    """The loan's ledger replayed from its payments, checked against the stored installments."""
    method = session.execute(select(Guarantee.method).where(Guarantee.id == loan.guarantee_id)).scalar_one()
    rows = {
        r.no: r
        for r in session.scalars(
            select(Installment).where(Installment.loan_id == loan.id).order_by(Installment.no)
        )
    }
    payments = session.scalars(select(Payment).where(Payment.loan_id == loan.id).order_by(Payment.id)).all()
    states = [
        InstallmentState(r.no, r.due_date, r.rate_bp, r.principal_due, r.interest_due) for r in rows.values()
    ]
    records = [PaymentRecord(p.paid_on, p.delinquency_interest, p.interest, p.principal) for p in payments]
    try:
        ledger = replay(loan.executed_on, method, loan.grace_months, states, records)
    except RepaymentError as exc:
        raise Conflict("LEDGER_MISMATCH", f"loan {loan.id}: {exc}") from None
    for state in ledger.installments:
        row = rows[state.no]
        if (row.principal_paid, row.interest_paid) != (state.principal_paid, state.interest_paid):
            raise Conflict(
                "LEDGER_MISMATCH", f"loan {loan.id}: installment {row.no} disagrees with the payments"
            )
    if ledger.principal_balance != loan.principal_balance:
        raise Conflict("LEDGER_MISMATCH", f"loan {loan.id}: principal balance disagrees with installments")
    return ledger, rows


def _check_open(loan: Loan) -> None:
    if loan.status in (LoanStatus.REPAID, LoanStatus.SUBROGATED):
        raise Conflict(f"LOAN_{loan.status.upper()}", f"loan {loan.id} is {loan.status}")


def _check_day(ledger: LoanLedger, name: str, day: date) -> None:
    if day < ledger.executed_on:
        raise InputError(name, f"{day.isoformat()} is before the execution on {ledger.executed_on}")
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
    ledger, rows = _ledger(session, loan)
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
    platform: Platform,
    bank: Actor,
    loan_id: int,
    amount: int | None,
    paid_on: date,
    idempotency_key: str,
) -> JsonDict:
    """A prepayment (중도상환, no fee): ``amount`` won in all, or ``None`` for the full payoff.

    Whatever is due is paid first (the allocation order is the same as for any payment); the amount must
    exceed it (else Conflict NOTHING_TO_PREPAY). The remaining schedule is re-amortized.
    """
    return _pay(platform, bank, "prepay", loan_id, amount, paid_on, idempotency_key)


# --- reading -----------------------------------------------------------------------------------------------


def payoff_quote(platform: Platform, bank: Actor, loan_id: int, on: date) -> JsonDict:
    """The amount that closes the loan on ``on``, with its parts and the overdue installments."""
    bank_code = _bank_code(bank)
    day = _day("on", on)
    with transaction(platform.sessions) as session:
        loan = _own_loan(session, bank_code, loan_id)
        _check_open(loan)
        ledger, _ = _ledger(session, loan)
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
            "overdue": [
                {
                    "no": o.no,
                    "due_date": o.due_date.isoformat(),
                    "principal": o.principal,
                    "interest": o.interest,
                    "delinquency_interest": o.delinquency_interest,
                    "days_overdue": o.days_overdue,
                }
                for o in ledger.overdue(day)
            ],
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
