"""Tables of the guarantee and loan lifecycle (선보증 후대출).

Money is BIGINT won, rates are integer basis points, dates are DATE, instants are UTC timestamps.
Personal data (resident number, phone, name, the income-bearing profile) is stored encrypted; a keyed
hash serves lookups. Every state change writes an ``audit_events`` row in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; BIGINT elsewhere.
Id = BigInteger().with_variant(Integer(), "sqlite")
Won = BigInteger


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class Applicant(Base):
    """신청인: identified by resident registration number, kept encrypted."""

    __tablename__ = "applicants"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    rrn_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rrn_encrypted: Mapped[str] = mapped_column(Text)
    rrn_masked: Mapped[str] = mapped_column(String(14))
    name_encrypted: Mapped[str] = mapped_column(Text)
    phone_encrypted: Mapped[str] = mapped_column(Text)
    phone_masked: Mapped[str] = mapped_column(String(16))
    birth_date: Mapped[date] = mapped_column(Date, index=True)  # the queue's age filter is a range on it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicantSession(Base):
    """A session opened after identity verification; only the token's hash is stored."""

    __tablename__ = "applicant_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint("role IN ('counselor', 'reviewer', 'supervisor', 'auditor')", name="role"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    tokens_valid_after: Mapped[datetime | None]
    """Tokens issued before this moment are refused: set by signing out (ends every session of the user)."""
    password_change_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Set when an operator or supervisor resets the password: the user chooses a new one at next sign-in."""


class BankApiKey(Base):
    """A partner bank's API key: the prefix identifies it, only a hash of the secret is stored."""

    __tablename__ = "bank_api_keys"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(32), index=True)
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    desk_valid_after: Mapped[datetime | None]
    """Bank-desk sessions opened with this key before this moment are refused: set by signing out."""


class Application(Base):
    """보증 신청."""

    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    product_version: Mapped[str] = mapped_column(String(32))
    requested_amount: Mapped[int] = mapped_column(Won)
    term_months: Mapped[int]
    grace_months: Mapped[int]
    occupation: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(8))
    profile_encrypted: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24), index=True)
    screening_status: Mapped[str | None] = mapped_column(String(24))
    screening_codes: Mapped[str | None] = mapped_column(Text)
    submitted_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApplicationDocument(Base):
    __tablename__ = "application_documents"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    purged_at: Mapped[datetime | None]
    """When the retention job deleted the file (``domain.retention``); the row stays as the record."""


class ApplicationDraft(Base):
    """신청서 임시저장: the application form as far as the applicant got, one per person, so a session
    that expires on the documents step (while they fetch papers from 정부24) loses nothing. The values
    hold income, so they are kept encrypted."""

    __tablename__ = "application_drafts"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), unique=True)
    step: Mapped[str] = mapped_column(String(16))
    values_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicationDraftDocument(Base):
    """A document already uploaded to a draft: kept (encrypted, like a submitted one) for its checklist line
    so it is not uploaded again."""

    __tablename__ = "application_draft_documents"
    __table_args__ = (UniqueConstraint("draft_id", "line"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("application_drafts.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    doc_type: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class EducationCompletion(Base):
    """금융교육 이수."""

    __tablename__ = "education_completions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    course: Mapped[str] = mapped_column(String(64))
    completed_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewDecision(Base):
    """A reviewer's decision; maker-checker approvals carry two rows by different reviewers."""

    __tablename__ = "review_decisions"
    __table_args__ = (CheckConstraint("decision IN ('approve', 'reject', 'confirm')", name="decision"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    decision: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int | None] = mapped_column(Won)
    reason_codes: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(index=True)
    """The business day of the decision (platform.today()); None only for rows from before migration 0004."""
    status_after: Mapped[str | None] = mapped_column(String(24))
    """The application's status the decision left: ``approved`` marks a final approval (a direct one or a
    confirmed second review); None only for proposals recorded before migration 0004."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Guarantee(Base):
    """보증서: issued after agreement; the bank must execute the loan by ``expires_on``."""

    __tablename__ = "guarantees"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    certificate_no: Mapped[str] = mapped_column(String(32), unique=True)
    verification_code_hash: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[str] = mapped_column(String(64))
    product_version: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Won)
    rate_bp: Mapped[int]
    """The contract's first rate: the base for the applicant's group less the preferential cut."""
    preferential_bp: Mapped[int] = mapped_column(default=0, server_default="0")
    """The preferential cut (우대금리) in ``rate_bp``: it applies after every step-down and the floor too."""
    floor_bp: Mapped[int | None]
    """The step-down floor for the applicant's group (배려 groups have their own); None on certificates
    issued before it was kept: the version's general floor then."""
    term_months: Mapped[int]
    grace_months: Mapped[int]
    method: Mapped[str] = mapped_column(String(24))
    ratio_bp: Mapped[int]
    bank_code: Mapped[str] = mapped_column(String(32), index=True)
    issued_on: Mapped[date]
    expires_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Loan(Base):
    """A loan executed by a partner bank against one guarantee (exactly once)."""

    __tablename__ = "loans"
    __table_args__ = (Index("ix_loans_status_bank", "status", "bank_code"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    guarantee_id: Mapped[int] = mapped_column(ForeignKey("guarantees.id"), unique=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    bank_code: Mapped[str] = mapped_column(String(32))
    product_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(Won)
    principal_balance: Mapped[int] = mapped_column(Won)
    executed_on: Mapped[date]
    term_months: Mapped[int]
    grace_months: Mapped[int]
    base_rate_bp: Mapped[int]
    current_rate_bp: Mapped[int]
    step_bp: Mapped[int]
    floor_bp: Mapped[int]
    preferential_bp: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    days_past_due: Mapped[int] = mapped_column(default=0)
    additional_loan_from: Mapped[date | None]
    repaid_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


_UNPAID = "principal_paid < principal_due OR interest_paid < interest_due"


class Installment(Base):
    __tablename__ = "installments"
    __table_args__ = (
        # Close of business ages a loan from its oldest unpaid installment due: one probe here per loan.
        Index(
            "ix_installments_unpaid",
            "loan_id",
            "due_date",
            postgresql_where=text(_UNPAID),
            sqlite_where=text(_UNPAID),
        ),
    )
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), primary_key=True)
    no: Mapped[int] = mapped_column(primary_key=True)
    due_date: Mapped[date] = mapped_column(index=True)
    rate_bp: Mapped[int]
    principal_due: Mapped[int] = mapped_column(Won)
    interest_due: Mapped[int] = mapped_column(Won)
    principal_paid: Mapped[int] = mapped_column(Won, default=0)
    interest_paid: Mapped[int] = mapped_column(Won, default=0)
    paid_on: Mapped[date | None]


class Payment(Base):
    """A payment a bank posted; allocation: overdue interest, then interest, then principal."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    bank_code: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Won)
    paid_on: Mapped[date]
    delinquency_interest: Mapped[int] = mapped_column(Won, default=0)
    interest: Mapped[int] = mapped_column(Won, default=0)
    principal: Mapped[int] = mapped_column(Won, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """The first answer to a bank's write, returned again on a retry with the same key."""

    __tablename__ = "idempotency_records"
    bank_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubrogationClaim(Base):
    """대위변제 청구: a bank claims the guaranteed share of a defaulted loan."""

    __tablename__ = "subrogation_claims"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), unique=True)
    bank_code: Mapped[str] = mapped_column(String(32))
    principal: Mapped[int] = mapped_column(Won)
    interest: Mapped[int] = mapped_column(Won)
    guaranteed_amount: Mapped[int] = mapped_column(Won)
    filed_on: Mapped[date]
    paid_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16))


class RecourseDebt(Base):
    """구상채권: what the borrower owes the agency after subrogation, or after defaulting on a loan the
    agency made itself (then ``agency_loan_id`` and no claim)."""

    __tablename__ = "recourse_debts"
    __table_args__ = (CheckConstraint("(claim_id IS NULL) <> (agency_loan_id IS NULL)", name="one_origin"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("subrogation_claims.id"), unique=True)
    agency_loan_id: Mapped[int | None] = mapped_column(ForeignKey("agency_loans.id"), unique=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    principal: Mapped[int] = mapped_column(Won)
    balance: Mapped[int] = mapped_column(Won)
    status: Mapped[str] = mapped_column(String(16))
    created_on: Mapped[date]


class RecoursePlan(Base):
    """분할상환 or 상환유예 granted on a recourse debt."""

    __tablename__ = "recourse_plans"
    __table_args__ = (CheckConstraint("kind IN ('installment_plan', 'deferral')", name="kind"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    recourse_debt_id: Mapped[int] = mapped_column(ForeignKey("recourse_debts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    months: Mapped[int]
    starts_on: Mapped[date]
    monthly_amount: Mapped[int] = mapped_column(Won, default=0)
    status: Mapped[str] = mapped_column(String(16), default="in_force", server_default="in_force")
    """``in_force``, or ``proposed`` while a long arrangement awaits its second approver."""
    proposed_by: Mapped[str | None] = mapped_column(String(32))
    approved_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CloseOfBusinessRun(Base):
    """One business date's close of business: in progress while ``finished_at`` is NULL."""

    __tablename__ = "cob_runs"
    business_date: Mapped[date] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    chunk_size: Mapped[int | None]
    """Loan ids per chunk, fixed when the run starts so that a resumed run cuts the same chunks."""


class CloseOfBusinessChunk(Base):
    """One committed chunk of one step of a run (``chunk`` k covers loan ids from k × chunk size), with
    its counts; a step that is not chunked is its chunk 0."""

    __tablename__ = "cob_chunks"
    business_date: Mapped[date] = mapped_column(ForeignKey("cob_runs.business_date"), primary_key=True)
    step: Mapped[str] = mapped_column(String(32), primary_key=True)
    chunk: Mapped[int] = mapped_column(primary_key=True)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    done_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Who did what, when and why, with the state before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")


class SupplyPlanRow(Base):
    """One item line of an annual supply plan (공급계획) or its estimated result (추정실적), seed 000.

    Only item rows are stored; subtotals and totals are always computed. The amount is 억 원 as printed,
    kept exact as an integer count of 0.01 억 원 (1백만 원): 2,250억 원 is 225000.
    """

    __tablename__ = "supply_plan_rows"
    __table_args__ = (
        UniqueConstraint("year", "kind", "product_group", "channel"),
        CheckConstraint("kind IN ('plan', 'estimate')", name="kind"),
        CheckConstraint("level = 'item'", name="level"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))
    product_group: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8), default="item")
    amount_centi_eok: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class HelpBooking(Base):
    """상담 예약: a callback from the 1397 call center or a visit to an integrated support center, for
    people who cannot finish online (seed 004). Booked without an account; the name and phone are stored
    encrypted. A slot holds ``capacity`` bookings: each takes a seat number, and the unique constraint on
    (channel, center, day, slot, seat) keeps racing bookings within it on every database. A cancelled
    booking gives its seat up by taking ``seat_no = -id`` (outside the seats 1..capacity, still unique),
    so a new booking can take the seat it held."""

    __tablename__ = "help_bookings"
    __table_args__ = (
        UniqueConstraint("channel", "center_code", "day", "slot", "seat_no"),
        # One active booking per phone, and per signed-in person, a day: one caller cannot take every seat.
        Index(
            "uq_help_bookings_phone_day",
            "phone_hash",
            "day",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index(
            "uq_help_bookings_applicant_day",
            "applicant_id",
            "day",
            unique=True,
            sqlite_where=text("status = 'booked' AND applicant_id IS NOT NULL"),
            postgresql_where=text("status = 'booked' AND applicant_id IS NOT NULL"),
        ),
        CheckConstraint("channel IN ('callback', 'visit')", name="channel"),
        CheckConstraint("status IN ('booked', 'done', 'cancelled')", name="status"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    reference_no: Mapped[str] = mapped_column(String(24), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    center_code: Mapped[str] = mapped_column(String(32))
    day: Mapped[date]
    slot: Mapped[str] = mapped_column(String(16))
    seat_no: Mapped[int]
    topic: Mapped[str] = mapped_column(String(64))
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    name_encrypted: Mapped[str] = mapped_column(Text)
    phone_encrypted: Mapped[str] = mapped_column(Text)
    phone_masked: Mapped[str] = mapped_column(String(16))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    """The keyed hash of the phone (bookings from before revision 0007 have none)."""
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CounselingNote(Base):
    """상담 기록: a counselor's note on an application (what was discussed, what the person will do)."""

    __tablename__ = "counseling_notes"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationMessage(Base):
    """알림: one SMS or 알림톡 message, queued in the use case's transaction and sent once.

    The phone and the rendered text are encrypted (a text may carry a one-time code); ``dedupe_key`` makes
    the same event queue one message however often it is retried."""

    __tablename__ = "notification_messages"
    __table_args__ = (CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    template_id: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[int]
    channel: Mapped[str] = mapped_column(String(16))
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone_encrypted: Mapped[str] = mapped_column(Text)
    phone_masked: Mapped[str] = mapped_column(String(16))
    text_encrypted: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class IdentityChallenge(Base):
    """본인확인 요청: a one-time code sent to the phone a person gave with their name and resident number.

    Only hashes of the challenge token and the code are stored; the person's data is encrypted until the
    code is confirmed and the session opens."""

    __tablename__ = "identity_challenges"
    __table_args__ = (CheckConstraint("status IN ('pending', 'verified', 'locked')", name="status"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rrn_hash: Mapped[str] = mapped_column(String(64), index=True)
    rrn_encrypted: Mapped[str] = mapped_column(Text)
    name_encrypted: Mapped[str] = mapped_column(Text)
    phone_encrypted: Mapped[str] = mapped_column(Text)
    phone_masked: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    consent_version: Mapped[str] = mapped_column(String(32))
    consented_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class AttemptCounter(Base):
    """Failed attempts against one key (a staff user, a certificate, a phone …) in the current window, and
    the time a lockout ends: one row per key, updated under a row lock so racing guesses all count."""

    __tablename__ = "attempt_counters"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


# --- agency loans (직접대출) ---------------------------------------------------------------------------


class AgencyLoan(Base):
    """A loan the agency made itself (불법사금융예방대출): no bank, no guarantee certificate."""

    __tablename__ = "agency_loans"
    __table_args__ = (CheckConstraint("status IN ('active', 'repaid', 'defaulted')", name="status"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    product_version: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Won)
    principal_balance: Mapped[int] = mapped_column(Won)
    rate_bp: Mapped[int]
    disbursed_on: Mapped[date]
    maturity_on: Mapped[date]
    extensions: Mapped[int] = mapped_column(default=0)
    interest_paid_through: Mapped[date]
    interest_paid: Mapped[int] = mapped_column(Won, default=0)
    account_bank: Mapped[str] = mapped_column(String(64))
    account_no_encrypted: Mapped[str] = mapped_column(Text)
    account_no_masked: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    repaid_on: Mapped[date | None]
    payback: Mapped[int] = mapped_column(Won, default=0)
    """Interest paid back at full repayment (fixed then; 0 before, or where the product pays none)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgencyLoanPayment(Base):
    __tablename__ = "agency_loan_payments"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("agency_loans.id"), index=True)
    paid_on: Mapped[date]
    interest: Mapped[int] = mapped_column(Won)
    principal: Mapped[int] = mapped_column(Won)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- 맞춤대출 and credit-debt consulting (services/matching, services/consulting) -----------------------


class MatchingOutcome(Base):
    """What people actually got, per product, lender sector and profile band: aggregates of executed loans
    (no person, no loan id), rebuilt by ``services.matching.refresh_outcomes``. A band of ``전체`` is the
    product's users in that sector whatever their score and income."""

    __tablename__ = "matching_outcomes"
    __table_args__ = (UniqueConstraint("product_id", "sector", "score_band", "income_band"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    product_id: Mapped[str] = mapped_column(String(64))
    sector: Mapped[str] = mapped_column(String(16))
    score_band: Mapped[str] = mapped_column(String(16))
    income_band: Mapped[str] = mapped_column(String(24))
    loans: Mapped[int] = mapped_column(Integer)
    amount_p25: Mapped[int] = mapped_column(Won)
    amount_median: Mapped[int] = mapped_column(Won)
    amount_p75: Mapped[int] = mapped_column(Won)
    rate_min_bp: Mapped[int] = mapped_column(Integer)
    rate_median_bp: Mapped[int] = mapped_column(Integer)
    rate_max_bp: Mapped[int] = mapped_column(Integer)
    refreshed_on: Mapped[date]


class MatchingRequest(Base):
    """One consented 맞춤대출 match: bands and what was shown, never the profile itself."""

    __tablename__ = "matching_requests"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    actor_type: Mapped[str] = mapped_column(String(16))
    score_band: Mapped[str] = mapped_column(String(16))
    income_band: Mapped[str] = mapped_column(String(24))
    options: Mapped[int] = mapped_column(Integer)
    top_product: Mapped[str | None] = mapped_column(String(64))
    top_sector: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartnerDecision(Base):
    """A partner lender's decision on one of its own products, reported through the bank API: only the
    bands of the person (never their score or income), the amount and rate when approved."""

    __tablename__ = "partner_decisions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(32), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date]
    approved: Mapped[bool] = mapped_column(Boolean)
    amount: Mapped[int | None] = mapped_column(Won)
    rate_bp: Mapped[int | None] = mapped_column(Integer)
    score_band: Mapped[str] = mapped_column(String(16))
    income_band: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsultingProgramme(Base):
    """신용·부채관리 컨설팅: one person's programme of up to six monthly sessions and its plan (encrypted:
    it speaks of their debts and income)."""

    __tablename__ = "consulting_programmes"
    __table_args__ = (
        CheckConstraint("status IN ('enrolled', 'completed', 'withdrawn')", name="status"),
        CheckConstraint("sessions_planned BETWEEN 1 AND 6", name="sessions_planned"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    plan_encrypted: Mapped[str] = mapped_column(Text)
    sessions_planned: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    enrolled_on: Mapped[date]
    completed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsultingSession(Base):
    """One monthly session: when, by whom, and the notes and progress (encrypted)."""

    __tablename__ = "consulting_sessions"
    __table_args__ = (UniqueConstraint("programme_id", "no"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("consulting_programmes.id"), index=True)
    no: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date]
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    notes_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Dormant deposits (휴면예금 찾아줌) ---------------------------------------------------------------


class DormantDeposit(Base):
    """One dormant deposit or insurance claim a contributing institution handed over, in one holder's name.

    The holder's resident number is stored only as a keyed hash (the look-up key) and encrypted."""

    __tablename__ = "dormant_deposits"
    __table_args__ = (
        UniqueConstraint("institution_code", "source_ref"),
        CheckConstraint("status IN ('held', 'claimed', 'paid', 'donated')", name="status"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    institution_code: Mapped[str] = mapped_column(String(32))
    sector: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(64))
    """The institution's own reference: a re-uploaded row with the same reference is not added twice."""
    holder_rrn_hash: Mapped[str] = mapped_column(String(64), index=True)
    holder_rrn_encrypted: Mapped[str] = mapped_column(Text)
    product: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(Won)
    rate_bp: Mapped[int]
    contributed_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="held")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DormantClaim(Base):
    """지급청구: a holder's claim on one dormant deposit; one per deposit, so a payout happens once."""

    __tablename__ = "dormant_claims"
    __table_args__ = (
        CheckConstraint("kind IN ('payout', 'donation')", name="kind"),
        CheckConstraint("status IN ('awaiting_approval', 'paid', 'donated', 'center')", name="status"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("dormant_deposits.id"), unique=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    principal: Mapped[int] = mapped_column(Won)
    interest: Mapped[int] = mapped_column(Won)
    account_encrypted: Mapped[str | None] = mapped_column(Text)
    account_masked: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    reason_code: Mapped[str] = mapped_column(String(48))
    filed_on: Mapped[date]
    approved_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Knowledge base (상담 지식베이스, issue 14) ---------------------------------------------------------


class KnowledgeEntry(Base):
    """A staff Q&A entry: the current question and answer, its owner and version number. Every version,
    the current one included, is kept in ``knowledge_entry_versions``."""

    __tablename__ = "knowledge_entries"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    topic: Mapped[str] = mapped_column(String(32), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeEntryVersion(Base):
    __tablename__ = "knowledge_entry_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("knowledge_entries.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Fraud report center (사칭·불법사금융 신고센터, issue 14) ---------------------------------------------


class FraudReport(Base):
    """A report of a fake site, SNS account, phone number or app, by anyone (no account). Reports naming
    the same ``target_key`` form one group for triage. The reporter's phone, given for a callback, is
    encrypted."""

    __tablename__ = "fraud_reports"
    __table_args__ = (
        CheckConstraint("kind IN ('site', 'sns', 'phone', 'app')", name="kind"),
        CheckConstraint("status IN ('received', 'confirmed', 'referred', 'dismissed')", name="status"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    reference_no: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(300))
    target_key: Mapped[str] = mapped_column(String(300), index=True)
    description: Mapped[str] = mapped_column(Text)
    lost_money: Mapped[bool] = mapped_column(Boolean, default=False)
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    referred_to: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Money owed back: one double-entry ledger, guarantee-fee reports and refunds (issue 13) ------------


class LedgerEntry(Base):
    """One balanced money movement (``domain.ledger``); ``key`` makes a retried or racing posting one."""

    __tablename__ = "ledger_entries"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    reference: Mapped[str] = mapped_column(String(64), index=True)
    """What moved the money, ``type:id`` (``dormant_claim:7``, ``guarantee:3``)."""
    booked_on: Mapped[date] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerLine(Base):
    """One leg of an entry: won on an account (debit positive, credit negative), for a party."""

    __tablename__ = "ledger_lines"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount"),
        Index("ix_ledger_lines_account_party", "account", "party"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account: Mapped[str] = mapped_column(String(32))
    party: Mapped[str] = mapped_column(String(32), default="")
    amount: Mapped[int] = mapped_column(Won)


class GuaranteeFeeReport(Base):
    """A bank's report of the guarantee fee it collected for one guarantee in a month (위탁 수납); a re-sent
    report row for the same guarantee and month is the same row."""

    __tablename__ = "guarantee_fee_reports"
    __table_args__ = (UniqueConstraint("bank_code", "month", "guarantee_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(32))
    month: Mapped[str] = mapped_column(String(7))
    guarantee_id: Mapped[int] = mapped_column(ForeignKey("guarantees.id"), index=True)
    amount: Mapped[int] = mapped_column(Won)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GuaranteeFeeRefund(Base):
    """보증료 환급: an unearned or overpaid fee owed back to the guaranteed person, paid once to an account in
    their own name."""

    __tablename__ = "guarantee_fee_refunds"
    __table_args__ = (
        CheckConstraint("reason IN ('unearned', 'overpaid')", name="reason"),
        CheckConstraint("status IN ('unpaid', 'paid')", name="status"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    guarantee_id: Mapped[int] = mapped_column(ForeignKey("guarantees.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Won)
    share_bp: Mapped[int] = mapped_column(default=0)
    """For an unearned refund, the share of the fee's base the repayment repaid (SHARE_FLOOR_BP)."""
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(8), default="unpaid")
    account_encrypted: Mapped[str | None] = mapped_column(Text)
    account_masked: Mapped[str | None] = mapped_column(String(32))
    paid_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobCursor(Base):
    """How far a job has read an append-only table (the notifier: the last audit event it turned into
    messages), so each run reads only what is new."""

    __tablename__ = "job_cursors"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Long work on the job queue (issue 17) ---------------------------------------------------------------


class JobRecord(Base):
    """One run of long work (close of business, notices, a screening upload, an export) as people see it:
    its state and progress. The queue itself (huey) only carries the message; this row is what the staff
    and management pages and ``GET /api/v1/staff/jobs/{id}`` read. ``dedupe_key`` makes an enqueue
    idempotent (one close of business per date, one job per upload)."""

    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


# --- Recourse servicing (구상채권 관리, issue 15) ----------------------------------------------------------


class RecourseRepayment(Base):
    """A repayment of a recourse debt, split by ``domain.recourse_servicing.allocate`` (costs, then
    delinquency interest, then interest, then principal). ``idempotency_key`` is unique, so a deposit
    reported twice is recorded once; ``plan_id`` is the installment plan in force when it came in."""

    __tablename__ = "recourse_repayments"
    __table_args__ = (
        CheckConstraint("channel IN ('virtual_account', 'counter')", name="channel"),
        CheckConstraint("amount = costs + delinquency_interest + interest + principal", name="split"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    recourse_debt_id: Mapped[int] = mapped_column(ForeignKey("recourse_debts.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("recourse_plans.id"))
    channel: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Won)
    paid_on: Mapped[date]
    costs: Mapped[int] = mapped_column(Won)
    delinquency_interest: Mapped[int] = mapped_column(Won)
    interest: Mapped[int] = mapped_column(Won)
    principal: Mapped[int] = mapped_column(Won)
    balance_after: Mapped[int] = mapped_column(Won)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecourseCharge(Base):
    """Costs, delinquency interest or interest charged on a recourse debt on top of its principal."""

    __tablename__ = "recourse_charges"
    __table_args__ = (
        CheckConstraint("kind IN ('costs', 'delinquency_interest', 'interest')", name="kind"),
        CheckConstraint("amount > 0", name="amount"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    recourse_debt_id: Mapped[int] = mapped_column(ForeignKey("recourse_debts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[int] = mapped_column(Won)
    charged_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecourseRequest(Base):
    """The debtor's own online request for an installment plan or a deferral, decided at once by the
    rules of ``data/recourse_requests.toml``; ``reasons`` are the reason codes of the decision."""

    __tablename__ = "recourse_requests"
    __table_args__ = (
        CheckConstraint("kind IN ('installment_plan', 'deferral')", name="kind"),
        CheckConstraint("decision IN ('granted', 'declined')", name="decision"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    recourse_debt_id: Mapped[int] = mapped_column(ForeignKey("recourse_debts.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    months: Mapped[int]
    hardship: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("recourse_plans.id"))
    requested_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DebtCertificate(Base):
    """부채증명서 (``debt``) or 완제증명서 (``paid_in_full``) issued for a recourse debt: the figures as of
    ``issued_on`` are kept, so the same PDF is drawn again, and a third party checks it by its number and
    the verification code printed on it (stored hashed)."""

    __tablename__ = "debt_certificates"
    __table_args__ = (CheckConstraint("kind IN ('debt', 'paid_in_full')", name="kind"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    certificate_no: Mapped[str] = mapped_column(String(24), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    recourse_debt_id: Mapped[int] = mapped_column(ForeignKey("recourse_debts.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    issued_on: Mapped[date]
    principal: Mapped[int] = mapped_column(Won)
    balance: Mapped[int] = mapped_column(Won)
    repaid_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecourseStanding(Base):
    """Where a recourse debt stood at the latest close of business: payments behind its plan, the arrears,
    the missed payment last noticed (a notice goes once per missed payment) and the day a plan last lapsed
    (the online-request rules look at it)."""

    __tablename__ = "recourse_standings"
    recourse_debt_id: Mapped[int] = mapped_column(ForeignKey("recourse_debts.id"), primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("recourse_plans.id"))
    behind: Mapped[int] = mapped_column(default=0)
    arrears: Mapped[int] = mapped_column(Won, default=0)
    days_behind: Mapped[int] = mapped_column(default=0, index=True)
    noticed_no: Mapped[int] = mapped_column(default=0)
    """The plan payment (1-based) last noticed as missed; 0: none yet."""
    last_lapsed_on: Mapped[date | None]
    as_of: Mapped[date]


class LoanCorrection(Base):
    """A correction of a bank loan (거래 정정·감면·조건 변경) proposed by the bank or staff and applied only
    when a supervisor other than the proposer approves it (maker-checker): a payment reversed or its amount
    adjusted, interest / delinquency interest waived, or the rest of the schedule rescheduled (term, rate);
    ``effect`` is what it changed."""

    __tablename__ = "loan_corrections"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('reversal', 'adjustment', 'waiver', 'reschedule', 'write_off')", name="kind"
        ),
        CheckConstraint("status IN ('proposed', 'applied', 'declined')", name="status"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    amount: Mapped[int | None] = mapped_column(Won)
    """The adjusted payment's new amount, or the amount waived."""
    part: Mapped[str | None] = mapped_column(String(24))
    """What a waiver waives: ``interest`` or ``delinquency_interest``."""
    effective_on: Mapped[date | None]
    extra_months: Mapped[int | None]
    """A reschedule: installments added at the end (0: the term stays)."""
    rate_bp: Mapped[int | None]
    """A reschedule: the new rate of the installments not yet due (None: unchanged)."""
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    proposed_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    effect: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SettlementFile(Base):
    """A bank's daily settlement file (일일 수납 파일) of payments, applied once: the same file (by its
    SHA-256) uploaded again answers the stored report; each line is also exactly once by its reference."""

    __tablename__ = "settlement_files"
    __table_args__ = (UniqueConstraint("bank_code", "sha256"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    business_date: Mapped[date]
    lines: Mapped[int]
    applied: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16))
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecourseSettlement(Base):
    """채무조정 (특별채무조정-style): a reduction of a recourse debt proposed by a counselor and applied only
    when a supervisor other than the proposer approves it; the rules' cap is in ``recourse_rules.toml``."""

    __tablename__ = "recourse_settlements"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'applied', 'declined')", name="status"),
        CheckConstraint("reduction > 0", name="reduction"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    recourse_debt_id: Mapped[int] = mapped_column(ForeignKey("recourse_debts.id"), index=True)
    reduction: Mapped[int] = mapped_column(Won)
    balance_before: Mapped[int] = mapped_column(Won)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    proposed_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmploymentReferral(Base):
    """A recourse debtor referred to the national employment support programme (국민취업지원제도), seed 000
    3-(2): who referred, when, and the note (encrypted: it may describe the person's situation)."""

    __tablename__ = "employment_referrals"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    recourse_debt_id: Mapped[int] = mapped_column(ForeignKey("recourse_debts.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    referred_on: Mapped[date]
    note_encrypted: Mapped[str] = mapped_column(Text)
    referred_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Counselor workspace and 1397 chat (issue 14) -----------------------------------------------------


class PersonNote(Base):
    """A counselor's note on a person (not tied to one application); the text is encrypted."""

    __tablename__ = "person_notes"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    body_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Chat(Base):
    """A 1397 chat: opened by anyone (the browser holds a token, only its hash is kept; ``applicant_id``
    when signed in), queued until a counselor takes it, handed over by changing ``counselor_id``, and
    closed with an outcome."""

    __tablename__ = "chats"
    __table_args__ = (CheckConstraint("status IN ('queued', 'active', 'closed')", name="status"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    visitor_hash: Mapped[str] = mapped_column(String(64), unique=True)
    topic: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    counselor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    outcome: Mapped[str | None] = mapped_column(String(24))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class ChatMessage(Base):
    """One line of a chat transcript (encrypted): from the visitor, a counselor, or the system (taken,
    handed over, closed)."""

    __tablename__ = "chat_messages"
    __table_args__ = (CheckConstraint("sender IN ('visitor', 'counselor', 'system')", name="sender"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id"), index=True)
    sender: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    body_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BookingHandling(Base):
    """The back office's handling of one help booking: the counselor assigned, the named center of a visit,
    and the outcome (``done`` or ``no_show``; the booking's own status becomes ``done`` either way) with a
    note (encrypted) and, when it was pre-application counseling, the application it is linked to."""

    __tablename__ = "booking_handlings"
    __table_args__ = (CheckConstraint("outcome IS NULL OR outcome IN ('done', 'no_show')", name="outcome"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("help_bookings.id"), unique=True)
    center_code: Mapped[str | None] = mapped_column(String(32))
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    outcome: Mapped[str | None] = mapped_column(String(16))
    note_encrypted: Mapped[str | None] = mapped_column(Text)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FraudReportScreenshot(Base):
    """A screenshot sent with a fraud report (JPEG or PNG by content), stored encrypted like a document."""

    __tablename__ = "fraud_report_screenshots"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("fraud_reports.id"), index=True)
    media_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QualityReview(Base):
    """A chat's or an imported call's transcript (encrypted) checked against the quality rubric: one per
    source item (a re-import of the same call is not counted twice)."""

    __tablename__ = "quality_reviews"
    __table_args__ = (
        UniqueConstraint("source", "source_ref"),
        CheckConstraint("source IN ('chat', 'call')", name="source"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    source: Mapped[str] = mapped_column(String(8))
    source_ref: Mapped[str] = mapped_column(String(64))
    counselor_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    topic: Mapped[str] = mapped_column(String(32))
    transcript_encrypted: Mapped[str] = mapped_column(Text)
    rubric_version: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    failed: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
