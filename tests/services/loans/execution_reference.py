"""The ORM execution path as it was before the Core rewrite (issue 17), kept as the reference that
``test_execution_fast_path`` compares the service with: same answers, same refusals, same rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Applicant, Guarantee, Installment, Loan
from seomin.domain.calendar import CalendarRangeError
from seomin.domain.catalog import LimitBasis, ProductVersion
from seomin.domain.lifecycle import (
    GUARANTEE_TRANSITIONS,
    GuaranteeStatus,
    IllegalTransition,
    LoanStatus,
    check_transition,
)
from seomin.domain.money import bp_to_rate, rate_to_bp
from seomin.domain.schedule import LoanTerms, RatePolicy, RepaymentMethod, Schedule, build_schedule
from seomin.services.errors import Conflict, InputError
from seomin.services.loans.common import (
    JsonDict,
    _bank_code,
    _check_code,
    _day,
    _for_update,
    _not_future,
    _own_guarantee,
    _rate,
    _text,
    _version,
    guarded_code,
)
from seomin.services.loans.idempotency import _exactly_once, _request_hash
from seomin.services.platform import Actor, Platform, audit


def _check_limits(session: Session, version: ProductVersion, guarantee: Guarantee) -> None:
    limits = version.limits
    open_count, amounts, balances = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Loan.amount), 0),
            func.coalesce(func.sum(Loan.principal_balance), 0),
        ).where(
            Loan.applicant_id == guarantee.applicant_id,
            Loan.product_id.in_(sorted(version.limit_family)),
            Loan.status != LoanStatus.REPAID.value,
        )
    ).one()
    if open_count >= limits.max_open_accounts:
        raise Conflict(
            "TOO_MANY_OPEN_LOANS",
            f"the applicant already has {open_count} open loans of this product "
            f"(at most {limits.max_open_accounts})",
        )
    used = int(amounts if limits.basis is LimitBasis.ORIGINAL_AMOUNT else balances)
    cap = limits.total_per_person - used if open_count else min(limits.first_time, limits.total_per_person)
    if guarantee.amount > cap:
        raise Conflict(
            "LIMIT_EXCEEDED",
            f"{guarantee.amount} won exceeds the applicant's remaining limit of {max(cap, 0)} won "
            f"({used} won in use of {limits.total_per_person})",
        )


def insert_installments(session: Session, loan_id: int, schedule: Schedule) -> None:
    session.execute(
        insert(Installment),
        [
            {
                "loan_id": loan_id,
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
    )


def execute_loan(
    platform: Platform,
    bank: Actor,
    certificate_no: str,
    verification_code: str,
    executed_on: date,
    idempotency_key: str,
) -> JsonDict:
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
        _check_code(platform, found.certificate_no, found.verification_code_hash, code)
        _for_update(session, Applicant, found.applicant_id)
        guarantee = _for_update(session, Guarantee, found.id)
        checkpoint()
        return 201, _execute(platform, session, bank, guarantee, day, key)

    with guarded_code(platform, bank, certificate):
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
    if day < guarantee.issued_on:
        raise InputError("executed_on", f"is before the certificate was issued ({guarantee.issued_on})")
    if max(day, platform.today()) > guarantee.expires_on:
        raise Conflict(
            "GUARANTEE_EXPIRED",
            f"guarantee {guarantee.certificate_no} expired on {guarantee.expires_on.isoformat()}",
        )
    version = _version(platform, guarantee.product_id, guarantee.product_version, guarantee.certificate_no)
    _check_limits(session, version, guarantee)
    step = version.rate.step_down_by_term.get(guarantee.term_months, Decimal(0))
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
    except CalendarRangeError as exc:
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
        base_rate_bp=policy.base_bp,
        current_rate_bp=guarantee.rate_bp,
        step_bp=policy.step_bp,
        floor_bp=policy.floor_bp,
        preferential_bp=policy.preferential_bp,
        status=LoanStatus.ACTIVE.value,
        days_past_due=0,
        additional_loan_from=None,
        repaid_on=None,
    )
    session.add(loan)
    session.flush()
    insert_installments(session, loan.id, schedule)
    before = {"status": guarantee.status}
    guarantee.status = GuaranteeStatus.EXECUTED.value
    reason = f"loan executed on {day.isoformat()} (idempotency key {key})"
    audit(
        session,
        bank,
        "guarantee.execute",
        "guarantee",
        guarantee.id,
        before=before,
        after={"status": guarantee.status, "loan_id": loan.id},
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
