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
committed while it waited (an execution only when it finds its guarantee already executed: a twin's
success is the only way there). The unique ``loans.guarantee_id`` is the last line of defence: an
IntegrityError rolls back and the request is tried once more, which then answers with the Conflict. A
PostgreSQL deadlock or serialization failure (the close-of-business run takes table locks) reruns the
whole transaction too.

Loan rows: the stored schedule is the contract schedule at the guaranteed rate; ``preferential_bp`` is 0
(the guarantee's ``rate_bp`` is taken as the rate after any preferential cut), ``step_bp`` and
``floor_bp`` come from the product version for the term; ``additional_loan_from`` is left to the
close-of-business run. Installment ``paid_on`` is the day it became fully paid.

Money rules (allocation, delinquency interest, prepayment, payoff) are ``seomin.domain.repayment``."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Applicant, Guarantee, Loan
from seomin.domain.catalog import ProductVersion
from seomin.domain.money import bp_to_rate, format_rate
from seomin.services import attempts
from seomin.services.applications import certificate_code_hash
from seomin.services.errors import Conflict, Forbidden, InputError, InputErrorCode, NotFound
from seomin.services.platform import Actor, ActorType, Platform, audit

JsonDict = dict[str, Any]
T = TypeVar("T", Applicant, Guarantee, Loan)

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
        raise InputError(
            name, f"{day.isoformat()} is after today ({today.isoformat()})", InputErrorCode.DATE_AFTER_TODAY
        )


Work = Callable[[Session, Callable[[], None]], tuple[int, JsonDict]]


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


def _check_code(platform: Platform, certificate_no: str, stored_hash: str, verification_code: str) -> None:
    """A keyed HMAC-SHA256 of the code, compared in constant time: cheap (a few µs), because a code is six
    digits anyway; what keeps it from being guessed is ``guarded_code``'s attempt limits."""
    expected = certificate_code_hash(platform.vault, certificate_no, verification_code)
    if not hmac.compare_digest(expected, stored_hash):
        raise Conflict(
            "CERTIFICATE_VERIFICATION_FAILED", "the certificate number and verification code do not match"
        )


CERTIFICATE_CODE_POLICY = attempts.AttemptPolicy(
    max_failures=5,
    window=timedelta(minutes=30),
    lockout=timedelta(minutes=30),
    message="too many wrong verification codes for this certificate; the applicant can read it on my page",
)
BANK_CODE_POLICY = attempts.AttemptPolicy(
    max_failures=50,
    window=timedelta(minutes=10),
    lockout=timedelta(minutes=10),
    message="too many wrong certificate codes from this bank; wait before trying again",
)


def code_guards(bank: Actor, certificate_no: str) -> tuple[tuple[str, attempts.AttemptPolicy], ...]:
    """The attempt keys a certificate's code is guessed against: the certificate's, then the bank's."""
    return (
        (f"certificate-code:{certificate_no}", CERTIFICATE_CODE_POLICY),
        (f"bank-codes:{bank.id}", BANK_CODE_POLICY),
    )


@contextmanager
def guarded_code(platform: Platform, bank: Actor, certificate_no: str) -> Iterator[None]:
    """A certificate's one-time code may be guessed only a few times: per certificate and per bank. A wrong
    code is counted and audited in transactions of their own, then refused as before."""
    attempts.check_all_allowed(platform, code_guards(bank, certificate_no))
    with counting_wrong_codes(platform, bank, certificate_no):
        yield


@contextmanager
def counting_wrong_codes(platform: Platform, bank: Actor, certificate_no: str) -> Iterator[None]:
    """``guarded_code`` without its opening check, for a use case that reads the guards' lockouts in its
    own first query (``attempts.refuse_locked``): a wrong code is still counted and audited in
    transactions of their own, so the count survives the use case's rollback."""
    guards = code_guards(bank, certificate_no)
    try:
        yield
    except Conflict as exc:
        if exc.code == "CERTIFICATE_VERIFICATION_FAILED":
            counts = {key: attempts.record_failure(platform, key, policy) for key, policy in guards}
            with platform.sessions.begin() as session:
                audit(
                    session,
                    bank,
                    "certificate.code_failed",
                    "guarantee",
                    certificate_no,
                    after={"failures": counts[guards[0][0]]},
                    reason="wrong verification code",
                )
        raise


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


def _version(
    platform: Platform, product_id: str, product_version: str, certificate_no: str
) -> ProductVersion:
    """The catalog's version that a certificate names."""
    try:
        return platform.catalog.version(product_id, product_version)
    except LookupError:  # UnknownProduct included
        raise Conflict(
            "PRODUCT_VERSION_UNKNOWN",
            f"guarantee {certificate_no} names {product_id}@{product_version}, "
            "which the catalog does not hold",
        ) from None


def _rate(bp: int) -> str:
    return format_rate(bp_to_rate(bp))
