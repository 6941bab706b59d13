"""The lifecycle's messages: events read from the audit trail, and the daily reminders.

Every decision is audited in its own transaction (``services.audit_trail``), so the trail is the one list of
what happened: ``notify_events`` reads the audit events it has not read yet (a cursor in ``job_cursors``)
and queues the message each event calls for, through the versioned templates and the outbox. A use case
therefore never sends, and a rolled-back one leaves no event to send. ``queue_reminders`` is the daily job
step for what no event announces: payments due in 3 days, certificates about to expire, tomorrow's
bookings, the day an additional loan opens, recourse installments due in 3 days. Dedupe keys name the
event (a template and its subject), so reruns and overlapping runs queue each message once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import (
    Applicant,
    Application,
    AuditEvent,
    Guarantee,
    HelpBooking,
    Installment,
    JobCursor,
    Loan,
    RecourseDebt,
    RecoursePlan,
    utcnow,
)
from seomin.domain.calendar import add_months
from seomin.domain.lifecycle import GuaranteeStatus, LoanStatus
from seomin.domain.money import bp_to_rate, format_rate
from seomin.services.notifications.outbox import queue_message
from seomin.services.platform import Platform

REMIND_DAYS_BEFORE = 3
"""Payments and recourse installments are announced this many days before they are due; certificates
this many days before they run out."""
_CURSOR = "notify_events"
LOOKBACK = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Message:
    template_id: str
    phone: str
    params: Mapping[str, object]
    dedupe_key: str


def _applicant_phone(platform: Platform, session: Session, applicant_id: int | None) -> str | None:
    applicant = session.get(Applicant, applicant_id) if applicant_id is not None else None
    return platform.vault.decrypt(applicant.phone_encrypted) if applicant is not None else None


def _product(platform: Platform, application: Application) -> str:
    return platform.catalog.version(application.product_id, application.product_version).name_ko


def _application(template: str) -> Callable[[Platform, Session, AuditEvent], Message | None]:
    def build(platform: Platform, session: Session, event: AuditEvent) -> Message | None:
        application = session.get(Application, int(event.entity_id))
        phone = _applicant_phone(platform, session, application.applicant_id if application else None)
        if application is None or phone is None:
            return None
        params = {"product": _product(platform, application)}
        return Message(template, phone, params, f"{template}:{application.id}")

    return build


def _certificate_issued(platform: Platform, session: Session, event: AuditEvent) -> Message | None:
    guarantee = session.get(Guarantee, int(event.entity_id))
    phone = _applicant_phone(platform, session, guarantee.applicant_id if guarantee else None)
    if guarantee is None or phone is None:
        return None
    params = {"certificate_no": guarantee.certificate_no, "expires_on": guarantee.expires_on.isoformat()}
    return Message("certificate_issued", phone, params, f"certificate_issued:{guarantee.id}")


def _booking(template: str) -> Callable[[Platform, Session, AuditEvent], Message | None]:
    def build(platform: Platform, session: Session, event: AuditEvent) -> Message | None:
        booking = session.get(HelpBooking, int(event.entity_id))
        if booking is None:
            return None
        params = {"reference_no": booking.reference_no, "day": booking.day.isoformat(), "slot": booking.slot}
        phone = platform.vault.decrypt(booking.phone_encrypted)
        return Message(template, phone, params, f"{template}:{booking.id}")

    return build


def _loan_event(
    template: str, params: Callable[[AuditEvent], dict[str, object]]
) -> Callable[[Platform, Session, AuditEvent], Message | None]:
    def build(platform: Platform, session: Session, event: AuditEvent) -> Message | None:
        loan = session.get(Loan, int(event.entity_id))
        phone = _applicant_phone(platform, session, loan.applicant_id if loan else None)
        if loan is None or phone is None:
            return None
        return Message(template, phone, params(event), f"{template}:audit:{event.id}")

    return build


def _after(event: AuditEvent, key: str) -> object:
    return (event.after or {}).get(key)


def _rate(event: AuditEvent) -> dict[str, object]:
    return {"rate": format_rate(bp_to_rate(int(str(_after(event, "current_rate_bp")))))}


EVENT_MESSAGES: dict[str, Callable[[Platform, Session, AuditEvent], Message | None]] = {
    "application.submitted": _application("application_received"),
    "application.approved": _application("application_approved"),
    "application.rejected": _application("application_rejected"),
    "guarantee.issued": _certificate_issued,
    "help.booked": _booking("booking_confirmed"),
    "help.cancelled": _booking("booking_cancelled"),
    f"loan.{LoanStatus.DELINQUENT.value}": _loan_event(
        "payment_missed", lambda e: {"days": _after(e, "days_past_due")}
    ),
    "loan.rate_stepped_down": _loan_event("step_down_earned", _rate),
}
"""Which audited action sends which message. Dormant payouts, fee refunds, identity codes, missed recourse
payments and plan lapses are queued by their own use case (they carry amounts the trail does not)."""


def notify_events(platform: Platform, limit: int = 5_000) -> int:
    """Queue the messages of the audit events not read yet (up to ``limit``); how many were queued.

    Ids are taken at insert and committed in any order, so each run also re-reads the events stamped within
    ``LOOKBACK`` of the previous run: one committed late is still read, and the dedupe keys keep a re-read
    event from queueing twice."""
    queued = 0
    with platform.sessions.begin() as session:
        cursor = session.scalars(select(JobCursor).where(JobCursor.name == _CURSOR).with_for_update()).first()
        if cursor is None:
            cursor = JobCursor(name=_CURSOR, position=0, updated_at=utcnow())
            session.add(cursor)
        since = cursor.updated_at - LOOKBACK
        events = session.scalars(
            select(AuditEvent)
            .where(
                or_(AuditEvent.id > cursor.position, AuditEvent.at >= since),
                AuditEvent.action.in_(sorted(EVENT_MESSAGES)),
            )
            .order_by(AuditEvent.id)
            .limit(limit)
        ).all()
        last = session.scalar(select(func.max(AuditEvent.id))) or 0
        for event in events:
            message = EVENT_MESSAGES[event.action](platform, session, event)
            if message is not None:
                queued += _queue(platform, session, message)
        full = len(events) == limit
        cursor.position = events[-1].id if full else max(cursor.position, last)
        cursor.updated_at = since if full else utcnow()
    return queued


def _queue(platform: Platform, session: Session, message: Message) -> int:
    return int(
        queue_message(
            session, platform, message.template_id, message.phone, message.params, message.dedupe_key
        )
    )


def queue_reminders(platform: Platform, on: date) -> int:
    """The daily reminder step for ``on``; how many messages were queued (0 on a rerun)."""
    ahead = on + timedelta(days=REMIND_DAYS_BEFORE)
    queued = 0
    with platform.sessions.begin() as session:
        for message in _reminders(platform, session, on, ahead):
            queued += _queue(platform, session, message)
    return queued


def _reminders(platform: Platform, session: Session, on: date, ahead: date) -> list[Message]:
    found: list[Message] = []
    open_loans = (LoanStatus.ACTIVE.value, LoanStatus.DELINQUENT.value)
    due = session.execute(
        select(Installment, Loan.applicant_id)
        .join(Loan, Loan.id == Installment.loan_id)
        .where(Installment.due_date == ahead, Installment.paid_on.is_(None), Loan.status.in_(open_loans))
    ).all()
    for row, applicant_id in due:
        phone = _applicant_phone(platform, session, applicant_id)
        owed = row.principal_due + row.interest_due - row.principal_paid - row.interest_paid
        if phone and owed > 0:
            params = {"due_date": ahead.isoformat(), "amount": f"{owed:,}"}
            found.append(Message("payment_due", phone, params, f"payment_due:{row.loan_id}:{row.no}:{ahead}"))
    for guarantee in session.scalars(
        select(Guarantee).where(
            Guarantee.status == GuaranteeStatus.ISSUED.value, Guarantee.expires_on == ahead
        )
    ):
        phone = _applicant_phone(platform, session, guarantee.applicant_id)
        if phone:
            params = {"certificate_no": guarantee.certificate_no, "expires_on": ahead.isoformat()}
            found.append(
                Message("certificate_expiring", phone, params, f"certificate_expiring:{guarantee.id}")
            )
    tomorrow = on + timedelta(days=1)
    for booking in session.scalars(
        select(HelpBooking).where(HelpBooking.day == tomorrow, HelpBooking.status == "booked")
    ):
        params = {"reference_no": booking.reference_no, "day": tomorrow.isoformat(), "slot": booking.slot}
        phone = platform.vault.decrypt(booking.phone_encrypted)
        found.append(Message("booking_reminder", phone, params, f"booking_reminder:{booking.id}"))
    for loan in session.scalars(
        select(Loan).where(Loan.additional_loan_from == on, Loan.status == LoanStatus.ACTIVE.value)
    ):
        phone = _applicant_phone(platform, session, loan.applicant_id)
        if phone:
            found.append(Message("additional_loan_open", phone, {}, f"additional_loan_open:{loan.id}:{on}"))
    plans = session.execute(
        select(RecoursePlan, RecourseDebt.applicant_id)
        .join(RecourseDebt, RecourseDebt.id == RecoursePlan.recourse_debt_id)
        .where(RecoursePlan.kind == "installment_plan", RecoursePlan.status == "in_force")
    ).all()
    for plan, applicant_id in plans:
        dues = [add_months(plan.starts_on, k, plan.starts_on.day) for k in range(plan.months)]
        if ahead in dues and plan.monthly_amount > 0:
            phone = _applicant_phone(platform, session, applicant_id)
            if phone:
                params = {"due_date": ahead.isoformat(), "amount": f"{plan.monthly_amount:,}"}
                key = f"recourse_due:{plan.id}:{dues.index(ahead)}"
                found.append(Message("recourse_installment_due", phone, params, key))
    return found
