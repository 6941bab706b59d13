"""Partner-bank use cases before the money moves: verify a certificate and execute the loan it guarantees."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from sqlalchemy import Connection, and_, bindparam, func, insert, literal, select, text, update

from seomin.adapters.db.engine import DriverStatement, driver_rows, transaction
from seomin.adapters.db.models import (
    Applicant,
    AttemptCounter,
    AuditEvent,
    Guarantee,
    IdempotencyRecord,
    Installment,
    Loan,
    utcnow,
)
from seomin.domain.calendar import CalendarRangeError
from seomin.domain.catalog import LimitBasis, ProductVersion
from seomin.domain.identity import mask_name
from seomin.domain.lifecycle import (
    GUARANTEE_TRANSITIONS,
    GuaranteeStatus,
    IllegalTransition,
    LoanStatus,
    check_transition,
)
from seomin.domain.money import bp_to_rate, rate_to_bp
from seomin.domain.schedule import LoanTerms, RatePolicy, RepaymentMethod, build_schedule
from seomin.services import attempts
from seomin.services.errors import Conflict, InputError, NotFound
from seomin.services.loans.common import (
    JsonDict,
    _bank_code,
    _check_code,
    _day,
    _not_future,
    _own_guarantee,
    _rate,
    _text,
    _version,
    code_guards,
    counting_wrong_codes,
    guarded_code,
)
from seomin.services.loans.idempotency import _recorded, _request_hash, _retrying, _stored_answer
from seomin.services.platform import Actor, Platform, audit_row

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
    with guarded_code(platform, bank, certificate), transaction(platform.sessions) as session:
        guarantee = _own_guarantee(session, bank_code, certificate)
        _check_code(platform, certificate, guarantee.verification_code_hash, code)
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


def _check_limits(conn: Connection, version: ProductVersion, applicant_id: int, amount: int) -> None:
    """The per-person limit and open-account count of the product family, at the moment of execution."""
    limits = version.limits
    # One aggregate row, in a statement of its own after the applicant's row lock (a fresh snapshot on
    # PostgreSQL: a loan committed while this waited for the lock is counted).
    family = tuple(sorted(version.limit_family))
    ((open_count, amounts, balances),) = driver_rows(
        conn, _open_loans(family), {"applicant_id": applicant_id, "family": list(family)}
    )
    if open_count >= limits.max_open_accounts:
        raise Conflict(
            "TOO_MANY_OPEN_LOANS",
            f"the applicant already has {open_count} open loans of this product "
            f"(at most {limits.max_open_accounts})",
        )
    used = int(amounts if limits.basis is LimitBasis.ORIGINAL_AMOUNT else balances)
    cap = limits.total_per_person - used if open_count else min(limits.first_time, limits.total_per_person)
    if amount > cap:
        raise Conflict(
            "LIMIT_EXCEEDED",
            f"{amount} won exceeds the applicant's remaining limit of {max(cap, 0)} won "
            f"({used} won in use of {limits.total_per_person})",
        )


def _loan_state(loan: Loan) -> JsonDict:
    return {
        "status": loan.status,
        "principal_balance": loan.principal_balance,
        "days_past_due": loan.days_past_due,
        "repaid_on": loan.repaid_on.isoformat() if loan.repaid_on else None,
    }


# --- the statements of an execution (Core: no ORM objects, no identity map on this hot path) -------------

_OPENING = (
    select(
        select(AttemptCounter.locked_until)
        .where(AttemptCounter.key == bindparam("certificate_guard"))
        .scalar_subquery()
        .label("certificate_locked_until"),
        select(AttemptCounter.locked_until)
        .where(AttemptCounter.key == bindparam("bank_guard"))
        .scalar_subquery()
        .label("bank_locked_until"),
        IdempotencyRecord.request_hash,
        IdempotencyRecord.response,
        Guarantee.id,
        Guarantee.applicant_id,
        Guarantee.bank_code,
        Guarantee.verification_code_hash,
    )
    .select_from(select(literal(1).label("one")).subquery("one"))
    .outerjoin(
        IdempotencyRecord,
        and_(
            IdempotencyRecord.bank_code == bindparam("bank_code"), IdempotencyRecord.key == bindparam("key")
        ),
    )
    .outerjoin(Guarantee, Guarantee.certificate_no == bindparam("certificate_no"))
)
"""Everything an execution checks before it locks anything, in one round trip: the lockouts of the two
code guards, the answer already stored under the idempotency key, and the certificate (unlocked)."""

_LOCKED_COLUMNS = (
    Guarantee.id,
    Guarantee.certificate_no,
    Guarantee.applicant_id,
    Guarantee.bank_code,
    Guarantee.product_id,
    Guarantee.product_version,
    Guarantee.amount,
    Guarantee.rate_bp,
    Guarantee.preferential_bp,
    Guarantee.floor_bp,
    Guarantee.term_months,
    Guarantee.grace_months,
    Guarantee.method,
    Guarantee.issued_on,
    Guarantee.expires_on,
    Guarantee.status,
)
_LOCK = (
    select(*_LOCKED_COLUMNS)
    .join_from(Applicant, Guarantee, Guarantee.applicant_id == Applicant.id)
    .where(Guarantee.id == bindparam("guarantee_id"))
    .with_for_update(of=[Applicant, Guarantee])
)
"""The applicant's and the guarantee's rows locked in one statement, in that order (PostgreSQL takes the
row locks of ``FOR UPDATE OF`` in the order the tables are listed; the per-person limit spans the
applicant's guarantees). SQLite renders no lock: its writers are serialized by BEGIN IMMEDIATE."""

_OPEN_LOANS = select(
    func.count(),
    func.coalesce(func.sum(Loan.amount), 0),
    func.coalesce(func.sum(Loan.principal_balance), 0),
).where(
    Loan.applicant_id == bindparam("applicant_id"),
    Loan.product_id.in_(bindparam("family", expanding=True)),
    Loan.status != LoanStatus.REPAID.value,
)

_INSERT_LOAN = insert(Loan).returning(Loan.id)

_LOAN_COLUMNS = (
    "guarantee_id, applicant_id, bank_code, product_id, amount, principal_balance, executed_on,"
    " term_months, grace_months, base_rate_bp, current_rate_bp, step_bp, floor_bp, preferential_bp, status,"
    " days_past_due, additional_loan_from, repaid_on, created_at"
)
_JSON = AuditEvent.__table__.c.after.type
_WRITE_ALL = text(
    f"WITH loan AS (INSERT INTO loans ({_LOAN_COLUMNS})"
    f" VALUES ({', '.join(':' + c.strip() for c in _LOAN_COLUMNS.split(','))}) RETURNING id"
    "), written AS ("
    " INSERT INTO installments (loan_id, no, due_date, rate_bp, principal_due, interest_due,"
    " principal_paid, interest_paid, paid_on)"
    " SELECT loan.id, no, due_date, rate_bp, principal_due, interest_due, 0, 0, NULL"
    " FROM loan, unnest(CAST(:no AS integer[]), CAST(:due_date AS date[]), CAST(:rate_bp AS integer[]),"
    " CAST(:principal_due AS bigint[]), CAST(:interest_due AS bigint[]))"
    " AS t(no, due_date, rate_bp, principal_due, interest_due)"
    "), executed AS ("
    " UPDATE guarantees SET status = :executed WHERE id = :guarantee_id"
    "), audited AS ("
    " INSERT INTO audit_events (at, actor_type, actor_id, action, entity_type, entity_id, before, after,"
    " reason)"
    " SELECT :created_at, :actor_type, :actor_id, 'guarantee.execute', 'guarantee', :guarantee_entity,"
    " :guarantee_before,"
    " CAST(CAST(:guarantee_after_head AS text) || loan.id || :guarantee_after_tail AS json), :reason"
    " FROM loan"
    " UNION ALL"
    " SELECT :created_at, :actor_type, :actor_id, 'loan.create', 'loan', CAST(loan.id AS text), :loan_before,"
    " CAST(CAST(:summary_head AS text) || loan.id || :summary_tail AS json), :reason FROM loan"
    "), recorded AS ("
    " INSERT INTO idempotency_records (bank_code, key, request_hash, status_code, response, created_at)"
    " SELECT :once_bank_code, :once_key, :request_hash, 201,"
    " CAST(CAST(:summary_head AS text) || loan.id || :summary_tail AS json), :created_at FROM loan"
    ") SELECT id FROM loan"
).bindparams(bindparam("guarantee_before", type_=_JSON), bindparam("loan_before", type_=_JSON))
"""On PostgreSQL, everything an execution writes in one statement of constant text (prepared once per
connection): the loan row, its installments from arrays, the guarantee's new status, both audit rows and
the idempotency record. The JSON that holds the new loan's id is put together around it (``_around``),
to the very text the driver would have sent. The arrays are sent as array literals: the driver would
otherwise dump each of ~300 values on its own, which was most of this statement's client CPU. The unique
loans.guarantee_id still stops a concurrent twin (IntegrityError: the whole statement rolls back)."""


# The same statements compiled once for psycopg's own cursor (``driver_rows``): the PostgreSQL path runs
# them there, ~90 µs less client CPU each than through SQLAlchemy's execution layer.
_OPENING_RUN = DriverStatement.compile(_OPENING)
_LOCK_RUN = DriverStatement.compile(_LOCK)
_WRITE_ALL_PG = DriverStatement.compile(_WRITE_ALL)


@cache
def _open_loans(family: tuple[str, ...]) -> DriverStatement:
    """``_OPEN_LOANS`` for one limit family (a handful per catalog: the IN list is part of the text)."""
    return DriverStatement.compile(_OPEN_LOANS, family=list(family))


def _around(value: JsonDict) -> tuple[str, str]:
    """``json.dumps(value)`` (how the driver sends a JSON value) cut where its ``loan_id``, 0 here, stands."""
    head, tail = json.dumps(value).split('"loan_id": 0', 1)
    return head + '"loan_id": ', tail


def _array(values: Iterable[object]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


@dataclass(frozen=True, slots=True)
class _Once:
    """The idempotency key of a request and the keyed hash of the request it was first used for."""

    bank_code: str
    key: str
    request_hash: str


class _Certificate(NamedTuple):
    """The locked guarantee's columns that an execution reads (``_LOCKED_COLUMNS``, in order)."""

    id: int
    certificate_no: str
    applicant_id: int
    bank_code: str
    product_id: str
    product_version: str
    amount: int
    rate_bp: int
    preferential_bp: int
    floor_bp: int | None
    term_months: int
    grace_months: int
    method: str
    issued_on: date
    expires_on: date
    status: str


def _lock_rows(conn: Connection, guarantee_id: int) -> _Certificate:
    """The guarantee, with its applicant's row and its own locked until the end of the transaction."""
    (row,) = driver_rows(conn, _LOCK_RUN, {"guarantee_id": guarantee_id})
    return _Certificate._make(row)


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
    earned). Conflicts: GUARANTEE_ALREADY_EXECUTED, GUARANTEE_EXPIRED (when today, or ``executed_on``, is
    after ``expires_on``: a back-dated execution does not revive an expired certificate),
    GUARANTEE_CLAIMED, TOO_MANY_OPEN_LOANS, LIMIT_EXCEEDED, IDEMPOTENCY_KEY_REUSED,
    CERTIFICATE_VERIFICATION_FAILED (counted: a few wrong codes lock the certificate, HTTP 429).

    One transaction of four statements on PostgreSQL (the checks, the locks, the limit, the writes)
    instead of the ORM's two transactions and twelve statements; the same order of checks, answers and
    rows as ``guarded_code`` around ``_exactly_once`` gave (``tests/services/loans/execution_reference``).
    """
    bank_code = _bank_code(bank)
    certificate = _text("certificate_no", certificate_no, 32)
    code = _text("verification_code", verification_code, 64)
    day = _day("executed_on", executed_on)
    key = _text("idempotency_key", idempotency_key, 128)
    _not_future(platform, "executed_on", day)
    once = _Once(
        bank_code,
        key,
        _request_hash(
            platform,
            "execute_loan",
            {"certificate_no": certificate, "verification_code": code, "executed_on": day.isoformat()},
        ),
    )
    guards = code_guards(bank, certificate)

    def run() -> JsonDict:
        with platform.engine.begin() as conn:
            params = {
                "certificate_guard": guards[0][0],
                "bank_guard": guards[1][0],
                "bank_code": bank_code,
                "key": key,
                "certificate_no": certificate,
            }
            (opening,) = driver_rows(conn, _OPENING_RUN, params)
            certificate_locked, bank_locked, stored_hash, response, guarantee_id = opening[:5]
            attempts.refuse_locked(guards, {guards[0][0]: certificate_locked, guards[1][0]: bank_locked})
            if stored_hash is not None:
                return _stored_answer(key, once.request_hash, stored_hash, response)
            if guarantee_id is None or opening.bank_code != bank_code:
                raise NotFound("guarantee", certificate)
            _check_code(platform, certificate, opening.verification_code_hash, code)
            guarantee = _lock_rows(conn, guarantee_id)
            if guarantee.status == GuaranteeStatus.EXECUTED.value:
                # A twin with the same key may have committed while this waited for the locks (had none
                # committed an answer, the guarantee would not be executed: no need to look otherwise).
                again = _recorded(conn, bank_code, key, once.request_hash)
                if again is not None:
                    return again
            return _execute(platform, conn, bank, guarantee, day, once)

    with counting_wrong_codes(platform, bank, certificate):
        return _retrying(run)


def _execute(
    platform: Platform, conn: Connection, bank: Actor, guarantee: _Certificate, day: date, once: _Once
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
    if day < guarantee.issued_on:
        raise InputError("executed_on", f"is before the certificate was issued ({guarantee.issued_on})")
    # Valid on the server's business day, not only on the day the bank names: a back-dated executed_on
    # must not revive a certificate that has expired since.
    if max(day, platform.today()) > guarantee.expires_on:
        raise Conflict(
            "GUARANTEE_EXPIRED",
            f"guarantee {guarantee.certificate_no} expired on {guarantee.expires_on.isoformat()}",
        )
    version = _version(platform, guarantee.product_id, guarantee.product_version, guarantee.certificate_no)
    _check_limits(conn, version, guarantee.applicant_id, guarantee.amount)

    step = version.rate.step_down_by_term.get(guarantee.term_months, Decimal(0))
    # The certificate's rate already has the preferential cut taken off; the loan keeps base and cut apart
    # so that the cut still applies once the steps reach the floor (9.9% - 0.1%p = 9.8%, as simulated).
    policy = RatePolicy(
        base_rate=bp_to_rate(guarantee.rate_bp + guarantee.preferential_bp),
        step_down=step,
        floor=version.rate.floor if guarantee.floor_bp is None else bp_to_rate(guarantee.floor_bp),
        preferential_cut=bp_to_rate(guarantee.preferential_bp),
    )
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

    now = utcnow()
    loan = {
        "guarantee_id": guarantee.id,
        "applicant_id": guarantee.applicant_id,
        "bank_code": guarantee.bank_code,
        "product_id": guarantee.product_id,
        "amount": guarantee.amount,
        "principal_balance": guarantee.amount,
        "executed_on": day,
        "term_months": guarantee.term_months,
        "grace_months": guarantee.grace_months,
        "base_rate_bp": policy.base_bp,
        "current_rate_bp": guarantee.rate_bp,
        "step_bp": policy.step_bp,
        "floor_bp": policy.floor_bp,
        "preferential_bp": policy.preferential_bp,
        "status": LoanStatus.ACTIVE.value,
        "days_past_due": 0,
        "additional_loan_from": None,
        "repaid_on": None,
        "created_at": now,
    }
    rows = schedule.installments
    first, last = rows[0], rows[-1]
    summary = {
        "loan_id": 0,  # known once the loan row is written
        "guarantee_id": guarantee.id,
        "certificate_no": guarantee.certificate_no,
        "bank_code": guarantee.bank_code,
        "product_id": guarantee.product_id,
        "product_version": guarantee.product_version,
        "amount": guarantee.amount,
        "executed_on": day.isoformat(),
        "rate": _rate(guarantee.rate_bp),
        "rate_bp": guarantee.rate_bp,
        "term_months": guarantee.term_months,
        "grace_months": guarantee.grace_months,
        "method": guarantee.method,
        "status": LoanStatus.ACTIVE.value,
        "principal_balance": guarantee.amount,
        "installments": len(rows),
        "first_due_date": first.due_date.isoformat(),
        "first_payment": first.payment,
        "maturity_date": last.due_date.isoformat(),
        "total_interest": schedule.total_interest,
    }
    reason = f"loan executed on {day.isoformat()} (idempotency key {once.key})"
    before = {"status": guarantee.status}
    after = {"status": GuaranteeStatus.EXECUTED.value, "loan_id": 0}
    bps = {rate: rate_to_bp(rate) for rate in {i.annual_rate for i in rows}}  # one rate, mostly
    if conn.dialect.name == "postgresql":
        guarantee_after, answer = _around(after), _around(summary)
        nos, due_dates, rates, _, principals, interests, _ = zip(*rows, strict=True)  # columns, in one pass
        (written,) = driver_rows(
            conn,
            _WRITE_ALL_PG,
            {
                **loan,
                "no": _array(nos),
                "due_date": _array(due_dates),
                "rate_bp": _array(map(bps.__getitem__, rates)),
                "principal_due": _array(principals),
                "interest_due": _array(interests),
                "executed": GuaranteeStatus.EXECUTED.value,
                "actor_type": bank.type.value,
                "actor_id": bank.id,
                "reason": reason,
                "guarantee_entity": str(guarantee.id),
                "guarantee_before": before,
                "guarantee_after_head": guarantee_after[0],
                "guarantee_after_tail": guarantee_after[1],
                "loan_before": None,
                "summary_head": answer[0],
                "summary_tail": answer[1],
                "once_bank_code": once.bank_code,
                "once_key": once.key,
                "request_hash": once.request_hash,
            },
        )
        summary["loan_id"] = written.id
        return summary
    # The unique guarantee_id: a concurrent twin fails here at the latest.
    loan_id: int = conn.execute(_INSERT_LOAN, loan).scalar_one()
    summary["loan_id"] = after["loan_id"] = loan_id
    conn.execute(
        insert(Installment),
        [
            {
                "loan_id": loan_id,
                "no": i.no,
                "due_date": i.due_date,
                "rate_bp": bps[i.annual_rate],
                "principal_due": i.principal,
                "interest_due": i.interest,
                "principal_paid": 0,
                "interest_paid": 0,
                "paid_on": None,
            }
            for i in rows
        ],
    )
    conn.execute(
        update(Guarantee).where(Guarantee.id == guarantee.id).values(status=GuaranteeStatus.EXECUTED.value)
    )
    conn.execute(
        insert(AuditEvent),
        [
            {
                **audit_row(bank, "guarantee.execute", "guarantee", guarantee.id, before, after, reason),
                "at": now,
            },
            {**audit_row(bank, "loan.create", "loan", loan_id, None, summary, reason), "at": now},
        ],
    )
    conn.execute(
        insert(IdempotencyRecord).values(
            bank_code=once.bank_code,
            key=once.key,
            request_hash=once.request_hash,
            status_code=201,
            response=summary,
            created_at=now,
        )
    )
    return summary
