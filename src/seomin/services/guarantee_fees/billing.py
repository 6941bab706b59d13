"""보증료 청구·수납·환급: the fee of a fee-separate guarantee billed from the catalog, collected by the bank
(위탁), reconciled per bank and month, and refunded automatically when a loan is repaid early or a bank
collected too much. Every won moves through the ledger (``domain.ledger``), once per key.

- Billing: prepaid products are billed the whole term at execution; periodic ones once a year on the
  guaranteed balance at each anniversary. Keys ``fee_charge:{guarantee}:{period}``.
- Refund of the unearned fee: on a prepayment, the repaid share (SHARE_FLOOR_BP) of the current period's
  fee for its remaining days (REFUND_CEIL_WON); on the full repayment, the share not refunded before. A
  periodic fee's partial prepayment lowers the next year's base instead, so only the full repayment refunds.
- Refund of an overpaid fee: what the bank reports collected for a guarantee above what was billed.
- A refund is owed (``fee_refund_due``) until the person registers an own-name account; it is then paid
  (``fee_refund_paid``) and they are told by SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import (
    Applicant,
    Application,
    BookingHandling,
    EducationCompletion,
    Guarantee,
    GuaranteeFeeRefund,
    GuaranteeFeeReport,
    LedgerEntry,
    LedgerLine,
    Loan,
)
from seomin.domain.guarantee_fees import (
    fee_periods,
    fee_rate_bp,
    prepaid_fee,
    repaid_share_bp,
    unearned_refund,
)
from seomin.domain.ledger import Account, Kind, fee_charge, fee_collected, fee_refund_due, fee_refund_paid
from seomin.domain.lifecycle import LoanStatus
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.ledger import month_bounds, own_account, post
from seomin.services.notifications.outbox import queue_message
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row

RECONCILE_ROLES = frozenset({"supervisor", "auditor"})
_RATIO = 10_000
_OPEN = (LoanStatus.ACTIVE.value, LoanStatus.DELINQUENT.value, LoanStatus.DEFAULTED.value)


@dataclass(frozen=True, slots=True)
class FeeTerms:
    rate_bp: int
    """The catalog's rate less the counseling/education cut when it applies."""
    educated: bool
    """Educated or counseled before applying: the cut applies."""
    on_loan: bool
    """The base is the whole loan, not the agency's guaranteed share."""
    periods: tuple[tuple[date, date], ...]


def fee_terms(platform: Platform, session: Session, guarantee: Guarantee) -> FeeTerms | None:
    """The fee terms of a guarantee from its product version; None when the rate includes the fee."""
    rules = platform.catalog.version(guarantee.product_id, guarantee.product_version).guarantee
    if rules.annual_fee_pct is None:
        return None
    applied_on = session.scalar(
        select(Application.submitted_on).where(Application.id == guarantee.application_id)
    )
    # Seed 000 2-(3): the cut is for those who took the financial education or a pre-application
    # counseling (맞춤대출 사전상담) first; the counseling counts once a counselor has linked it, done, to
    # this application (the bookings back office).
    educated = (
        session.scalar(
            select(EducationCompletion.id)
            .where(
                EducationCompletion.applicant_id == guarantee.applicant_id,
                EducationCompletion.completed_on < (applied_on or guarantee.issued_on),
            )
            .limit(1)
        )
        is not None
    ) or (
        session.scalar(
            select(BookingHandling.id)
            .where(
                BookingHandling.application_id == guarantee.application_id,
                BookingHandling.outcome == "done",
            )
            .limit(1)
        )
        is not None
    )
    rate = fee_rate_bp(rules.annual_fee_pct, rules.fee_cut_pct_educated, educated)
    months = guarantee.term_months + guarantee.grace_months  # the guarantee covers the grace too
    periods = fee_periods(guarantee.issued_on, months, rules.fee_payment == "periodic")
    return FeeTerms(rate, educated, rules.fee_base == "loan", periods)


def _base(terms: FeeTerms, guarantee: Guarantee, principal: int) -> int:
    """The won the fee rate applies to: the principal, or the guaranteed share of it (floored)."""
    return principal if terms.on_loan else principal * guarantee.ratio_bp // _RATIO


def _charged(session: Session, key: str) -> int:
    found = session.scalar(
        select(func.sum(LedgerLine.amount))
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerEntry.key == key, LedgerLine.account == Account.FEE_BANK_RECEIVABLE.value)
    )
    return int(found or 0)


def _bill(
    platform: Platform, session: Session, actor: Actor, guarantee: Guarantee, loan: Loan, upto: date
) -> int:
    """Post the charges of every period begun by ``upto`` (once each); the number newly posted."""
    terms = fee_terms(platform, session, guarantee)
    if terms is None:
        return 0
    posted = 0
    for no, (start, end) in enumerate(terms.periods, start=1):
        if start > upto or (no > 1 and loan.status not in _OPEN):
            break
        key = f"fee_charge:{guarantee.id}:{no}"
        if _charged(session, key):
            continue
        principal = loan.amount if no == 1 else loan.principal_balance
        fee = prepaid_fee(_base(terms, guarantee, principal), terms.rate_bp, start, end)
        if fee == 0:
            continue
        post(session, actor, fee_charge(key, guarantee.bank_code, fee), f"guarantee:{guarantee.id}", start)
        audit(
            session,
            actor,
            "guarantee_fee.charged",
            "guarantee",
            guarantee.id,
            after={"period": no, "fee": fee, "rate_bp": terms.rate_bp, "educated": terms.educated},
            reason=f"guarantee fee for {start.isoformat()}..{end.isoformat()}",
        )
        posted += 1
    return posted


def bill_fees(platform: Platform, actor: Actor, on: date) -> int:
    """The billing job step: charge every fee-separate guarantee's periods begun by ``on``; how many."""
    if actor.type is not ActorType.SYSTEM:
        raise Forbidden("guarantee fees are billed by the scheduled job")
    posted = 0
    fee_separate = sorted({v.id for v in platform.catalog if v.guarantee.annual_fee_pct is not None})
    with platform.sessions.begin() as session:
        rows = session.execute(
            select(Guarantee, Loan)
            .join(Loan, Loan.guarantee_id == Guarantee.id)
            .where(Guarantee.product_id.in_(fee_separate))
            .order_by(Guarantee.id)
        ).all()
        for guarantee, loan in rows:
            posted += _bill(platform, session, actor, guarantee, loan, on)
    return posted


def refund_unearned_fee(
    platform: Platform,
    session: Session,
    actor: Actor,
    loan: Loan,
    paid_on: date,
    prepaid_principal: int,
    full: bool,
    payment_id: int,
) -> int:
    """Called in the payment's transaction: owe back the unearned fee of a prepayment (or of the full
    repayment); the won refunded (0 for fee-included products or nothing unearned)."""
    if prepaid_principal <= 0 and not full:
        return 0
    guarantee = session.get_one(Guarantee, loan.guarantee_id)
    terms = fee_terms(platform, session, guarantee)
    if terms is None:
        return 0
    _bill(platform, session, actor, guarantee, loan, paid_on)  # the fee is charged before any refund
    no, (start, end) = next(
        ((n, p) for n, p in enumerate(terms.periods, start=1) if p[0] <= paid_on < p[1]),
        (0, (paid_on, paid_on)),
    )
    fee = _charged(session, f"fee_charge:{guarantee.id}:{no}") if no else 0
    if not fee:
        return 0
    earlier = session.scalars(
        select(GuaranteeFeeRefund).where(
            GuaranteeFeeRefund.guarantee_id == guarantee.id,
            GuaranteeFeeRefund.reason == "unearned",
            GuaranteeFeeRefund.key.like(f"fee_unearned:{guarantee.id}:{no}:%"),
        )
    ).all()
    periodic = len(terms.periods) > 1
    if full:
        share = _RATIO - sum(r.share_bp for r in earlier)
    elif periodic:
        return 0
    else:
        share = repaid_share_bp(prepaid_principal, loan.amount)
    refund = min(unearned_refund(fee, start, end, paid_on, share), fee - sum(r.amount for r in earlier))
    if refund <= 0:
        return 0
    key = f"fee_unearned:{guarantee.id}:{no}:{payment_id}"
    _owe(platform, session, actor, guarantee, key, "unearned", refund, share)
    return refund


def _owe(
    platform: Platform,
    session: Session,
    actor: Actor,
    guarantee: Guarantee,
    key: str,
    reason: str,
    refund: int,
    share_bp: int = 0,
) -> None:
    if session.scalar(select(GuaranteeFeeRefund.id).where(GuaranteeFeeRefund.key == key)) is not None:
        return
    row = GuaranteeFeeRefund(
        key=key,
        guarantee_id=guarantee.id,
        applicant_id=guarantee.applicant_id,
        reason=reason,
        amount=refund,
        share_bp=share_bp,
        due_on=platform.today(),
        status="unpaid",
    )
    session.add(row)
    session.flush()
    post(
        session,
        actor,
        fee_refund_due(key, guarantee.bank_code, refund),
        f"guarantee:{guarantee.id}",
        row.due_on,
    )
    audit(
        session,
        actor,
        f"guarantee_fee.refund_{reason}",
        "guarantee",
        guarantee.id,
        after={"refund_id": row.id, "amount": refund, "share_bp": share_bp},
        reason=f"{reason} guarantee fee owed back",
    )
    applicant = session.get_one(Applicant, guarantee.applicant_id)
    queue_message(
        session,
        platform,
        "fee_refund_due",
        platform.vault.decrypt(applicant.phone_encrypted),
        {"amount": f"{refund:,}"},
        dedupe_key=f"fee_refund_due:{row.id}",
    )


# --- the banks' collection reports and the monthly reconciliation ----------------------------------


@dataclass(frozen=True, slots=True)
class ReportedFee:
    certificate_no: str
    amount: int


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    month: str
    added: int
    already_reported: int
    total: int
    """Won of the rows this report added."""
    overpaid_refunds: int
    """Won owed back because the bank collected more than the guarantee was billed."""


def report_collections(platform: Platform, bank: Actor, month: str, rows: list[ReportedFee]) -> ReportOutcome:
    """A bank reports the fees it collected in ``month`` per certificate. A row already reported with the
    same amount is skipped (a re-sent report changes nothing); a different amount is a 409."""
    if bank.type is not ActorType.BANK:
        raise Forbidden("only a partner bank reports the fees it collected")
    month_bounds(month)
    if not rows:
        raise InputError("rows", "report at least one collected fee")
    added = already = total = overpaid = 0
    with platform.sessions.begin() as session:
        for i, reported in enumerate(rows):
            if reported.amount <= 0:
                raise InputError(f"rows.{i}.amount", "must be a positive number of won")
            guarantee = session.scalars(
                select(Guarantee).where(Guarantee.certificate_no == reported.certificate_no).with_for_update()
            ).one_or_none()
            if guarantee is None or guarantee.bank_code != bank.id:
                raise InputError(
                    f"rows.{i}.certificate_no", "no guarantee of yours has this certificate number"
                )
            before = session.scalars(
                select(GuaranteeFeeReport).where(
                    GuaranteeFeeReport.bank_code == bank.id,
                    GuaranteeFeeReport.month == month,
                    GuaranteeFeeReport.guarantee_id == guarantee.id,
                )
            ).one_or_none()
            if before is not None:
                if before.amount != reported.amount:
                    raise Conflict(
                        "FEE_REPORT_DIFFERS",
                        f"{reported.certificate_no} was reported for {month} as {before.amount:,} won",
                    )
                already += 1
                continue
            row = GuaranteeFeeReport(
                bank_code=bank.id, month=month, guarantee_id=guarantee.id, amount=reported.amount
            )
            session.add(row)
            session.flush()
            post(
                session,
                bank,
                fee_collected(f"fee_collected:{row.id}", bank.id, reported.amount),
                f"guarantee:{guarantee.id}",
                platform.today(),
            )
            added += 1
            total += reported.amount
            overpaid += _refund_overpaid(platform, session, bank, guarantee, row.id)
        audit(
            session,
            bank,
            "guarantee_fee.reported",
            "bank",
            bank.id,
            after={"month": month, "added": added, "already": already, "won": total},
            reason=f"guarantee fees collected in {month}",
        )
    return ReportOutcome(month, added, already, total, overpaid)


def _refund_overpaid(
    platform: Platform, session: Session, actor: Actor, guarantee: Guarantee, report_id: int
) -> int:
    billed = int(
        session.scalar(
            select(func.coalesce(func.sum(LedgerLine.amount), 0))
            .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
            .where(
                LedgerEntry.reference == f"guarantee:{guarantee.id}",
                LedgerEntry.kind == Kind.FEE_CHARGE.value,
                LedgerLine.account == Account.FEE_BANK_RECEIVABLE.value,
            )
        )
        or 0
    )
    collected = int(
        session.scalar(
            select(func.coalesce(func.sum(GuaranteeFeeReport.amount), 0)).where(
                GuaranteeFeeReport.guarantee_id == guarantee.id
            )
        )
        or 0
    )
    owed_before = int(
        session.scalar(
            select(func.coalesce(func.sum(GuaranteeFeeRefund.amount), 0)).where(
                GuaranteeFeeRefund.guarantee_id == guarantee.id, GuaranteeFeeRefund.reason == "overpaid"
            )
        )
        or 0
    )
    excess = collected - billed - owed_before
    if excess <= 0:
        return 0
    _owe(platform, session, actor, guarantee, f"fee_overpaid:{guarantee.id}:{report_id}", "overpaid", excess)
    return excess


@dataclass(frozen=True, slots=True)
class FeeDifference:
    certificate_no: str
    billed: int
    reported: int
    difference: int
    """reported - billed: negative when the bank collected less than was billed."""


@dataclass(frozen=True, slots=True)
class Reconciliation:
    bank_code: str
    month: str
    billed: int
    reported: int
    differences: tuple[FeeDifference, ...]


def reconcile(platform: Platform, actor: Actor, bank_code: str, month: str) -> Reconciliation:
    """월별 대사: per guarantee of ``bank_code``, the fees billed in ``month`` against the fees the bank
    reported for it; only the guarantees that differ are listed."""
    if actor.type is not ActorType.SYSTEM and (
        actor.type is not ActorType.STAFF or actor.role not in RECONCILE_ROLES
    ):
        raise Forbidden("only supervisors and auditors reconcile guarantee fees")
    start, end = month_bounds(month)
    with platform.sessions() as session:
        billed = {
            ref: int(won)
            for ref, won in session.execute(
                select(LedgerEntry.reference, func.sum(LedgerLine.amount))
                .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
                .where(
                    LedgerEntry.kind == Kind.FEE_CHARGE.value,
                    LedgerLine.account == Account.FEE_BANK_RECEIVABLE.value,
                    LedgerLine.party == bank_code,
                    LedgerEntry.booked_on >= start,
                    LedgerEntry.booked_on < end,
                )
                .group_by(LedgerEntry.reference)
            )
        }
        reported = {
            f"guarantee:{gid}": int(won)
            for gid, won in session.execute(
                select(GuaranteeFeeReport.guarantee_id, func.sum(GuaranteeFeeReport.amount))
                .where(GuaranteeFeeReport.bank_code == bank_code, GuaranteeFeeReport.month == month)
                .group_by(GuaranteeFeeReport.guarantee_id)
            )
        }
        refs = sorted(set(billed) | set(reported), key=lambda r: int(r.split(":")[1]))
        numbers = dict(
            session.execute(
                select(Guarantee.id, Guarantee.certificate_no).where(
                    Guarantee.id.in_([int(r.split(":")[1]) for r in refs])
                )
            ).all()
        )
    differences = tuple(
        FeeDifference(
            numbers[int(r.split(":")[1])],
            billed.get(r, 0),
            reported.get(r, 0),
            reported.get(r, 0) - billed.get(r, 0),
        )
        for r in refs
        if billed.get(r, 0) != reported.get(r, 0)
    )
    return Reconciliation(bank_code, month, sum(billed.values()), sum(reported.values()), differences)


# --- the person's look-up, own-name account and payment ----------------------------------------------


@dataclass(frozen=True, slots=True)
class FeeRefundView:
    id: int
    certificate_no: str
    reason: str
    amount: int
    due_on: date
    status: str
    account_masked: str | None
    paid_on: date | None


def _view(refund: GuaranteeFeeRefund, certificate_no: str) -> FeeRefundView:
    return FeeRefundView(
        refund.id,
        certificate_no,
        refund.reason,
        refund.amount,
        refund.due_on,
        refund.status,
        refund.account_masked,
        refund.paid_on,
    )


def _mine(
    session: Session, applicant_id: int, unpaid_only: bool, lock: bool = False
) -> list[tuple[GuaranteeFeeRefund, str]]:
    query = (
        select(GuaranteeFeeRefund, Guarantee.certificate_no)
        .join(Guarantee, Guarantee.id == GuaranteeFeeRefund.guarantee_id)
        .where(GuaranteeFeeRefund.applicant_id == applicant_id)
        .order_by(GuaranteeFeeRefund.id)
    )
    if unpaid_only:
        query = query.where(GuaranteeFeeRefund.status == "unpaid")
    if lock:
        query = query.with_for_update(of=GuaranteeFeeRefund)
    return [(r, n) for r, n in session.execute(query).all()]


def my_fee_refunds(platform: Platform, actor: Actor) -> list[FeeRefundView]:
    """미환급 보증료 조회: every fee refund owed to (or paid to) the verified person."""
    if actor.type is not ActorType.APPLICANT:
        raise Forbidden("sign in with identity verification to see your guarantee-fee refunds")
    with platform.sessions() as session:
        return [_view(r, n) for r, n in _mine(session, int(actor.id), unpaid_only=False)]


def claim_fee_refunds(
    platform: Platform, actor: Actor, account: str, account_holder_name: str
) -> list[FeeRefundView]:
    """Register an account in the person's own name and pay every unpaid refund to it, in one step; each
    paid once (the refund rows are locked) and the person told by SMS. A retry pays nothing more."""
    if actor.type is not ActorType.APPLICANT:
        raise Forbidden("sign in with identity verification to claim a guarantee-fee refund")
    with platform.sessions.begin() as session:
        applicant = locked_row(session, Applicant, Applicant.id, int(actor.id), "applicant")
        paid_to = own_account(platform, applicant, account, account_holder_name)
        paid: list[FeeRefundView] = []
        for refund, certificate_no in _mine(session, applicant.id, unpaid_only=True, lock=True):
            refund.status, refund.paid_on = "paid", platform.today()
            refund.account_encrypted, refund.account_masked = paid_to.encrypted, paid_to.masked
            post(
                session,
                actor,
                fee_refund_paid(f"fee_refund_paid:{refund.id}", refund.amount),
                f"guarantee:{refund.guarantee_id}",
                platform.today(),
            )
            audit(
                session,
                actor,
                "guarantee_fee.refund_paid",
                "guarantee",
                refund.guarantee_id,
                before={"status": "unpaid"},
                after={"status": "paid", "refund_id": refund.id, "amount": refund.amount},
                reason="paid to an own-name account",
            )
            queue_message(
                session,
                platform,
                "fee_refund_paid",
                platform.vault.decrypt(applicant.phone_encrypted),
                {"amount": f"{refund.amount:,}", "account": refund.account_masked},
                dedupe_key=f"fee_refund_paid:{refund.id}",
            )
            paid.append(_view(refund, certificate_no))
        if not paid and not _mine(session, applicant.id, unpaid_only=False):
            raise NotFound("guarantee-fee refund", applicant.id)
        return paid
