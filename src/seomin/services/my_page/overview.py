"""Reads for the applicant's own pages (마이페이지): applications with their timeline and documents,
guarantees, loans with the next due date, arrears, the rate path and the additional-loan date, and the
financial education completed. Pure reads in one session each, returning dataclasses; nothing here writes.

Choices:

- **Timeline.** Built from the lifecycle rows, which carry business dates (submitted, decided, guarantee
  issued and expiring, loan executed and repaid), never from wall-clock timestamps (a back-dated or demo
  platform's day differs from them). A decision recorded before ``decided_on`` existed shows no date.
- **Arrears** are the loan's ledger replayed from its payments (``domain.repayment.replay``) on today:
  overdue installments, delinquency interest accrued to today and the days past the oldest unpaid due date.
- **Rate path.** The loan's contract terms (base, step, floor, preferential cut, stored at execution from
  the product's ``rate_policy``) as a ``domain.schedule.RatePolicy``: the rate of installment 12j+1 for each
  year j, i.e. the path an on-time payer follows. The rate in force now is the loan's ``current_rate_bp``
  (close of business lowers it only after a year without late payment).
- **Additional loan.** ``Loan.additional_loan_from`` as close of business keeps it; for an active loan the
  batch has not reached yet, the same rule (execution + ``additional_loan.min_months_on_time`` months).
- **Recourse debt (구상채권).** One per paid subrogation claim, with the original loan, the claim and the
  arrangement in force: the latest plan of the kind the debt's status names (an installment plan or a
  deferral; none while ``open`` or ``repaid``). Its dates follow ``services.subrogation``: payment k
  (0-based) on ``starts_on`` + k months (day clamped), each ``monthly_amount`` and the last the rest of the
  balance; a deferral ends ``months`` months after its start. Repayments (``services.recourse.repayments``)
  lower the balance, and the plan's next payment is the first one what came in under the plan does not
  cover (``domain.recourse_servicing.plan_progress``): it advances with money, not with the calendar, and
  payments due and not covered show as behind, with the amount.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import (
    AgencyLoan,
    Applicant,
    Application,
    EducationCompletion,
    Guarantee,
    Loan,
    RecourseDebt,
    RecoursePlan,
    ReviewDecision,
    SubrogationClaim,
)
from seomin.domain.calendar import add_months
from seomin.domain.catalog import ProductVersion
from seomin.domain.eligibility import document_valid_from
from seomin.domain.identity import mask_name
from seomin.domain.lifecycle import CLOSED_LOAN_STATUSES, ApplicationStatus, GuaranteeStatus, LoanStatus
from seomin.domain.money import bp_to_rate
from seomin.domain.reasons import Reason
from seomin.domain.recourse import DEFERRAL, arrangement_terms
from seomin.domain.recourse_servicing import format_account, virtual_account
from seomin.domain.repayment import InstallmentArrears
from seomin.domain.schedule import MONTHS_PER_STEP, RatePolicy
from seomin.services.applications import STAFF_REASONS, application_records, rejudge_screening
from seomin.services.errors import Forbidden, NotFound
from seomin.services.loans.ledger import ledger_for_display
from seomin.services.platform import Actor, ActorType, Platform
from seomin.services.recourse.repayments import RepaymentView, paid_under, plan_standing, recourse_history

WITHDRAWABLE = frozenset(
    {
        ApplicationStatus.SUBMITTED.value,
        ApplicationStatus.PENDING_SECOND_REVIEW.value,
        ApplicationStatus.APPROVED.value,
    }
)


# --- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: int
    doc_type: str
    name_ko: str
    name_en: str
    issued_on: date
    original_name: str
    size_bytes: int
    valid_from: date | None
    """The earliest issue date accepted on the application day (None: the product sets no window)."""
    valid_on_application: bool
    usable_until: date | None
    """The last day a new application could still use this document (issue date + validity months)."""


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    kind: str
    on: date | None
    label_ko: str
    label_en: str
    detail_ko: str = ""
    detail_en: str = ""
    upcoming: bool = False


@dataclass(frozen=True, slots=True)
class GuaranteeSummary:
    id: int
    application_id: int
    certificate_no: str
    status: str
    product_id: str
    product_version: str
    amount: int
    rate_bp: int
    term_months: int
    grace_months: int
    method: str
    bank_code: str
    issued_on: date
    expires_on: date


@dataclass(frozen=True, slots=True)
class ApplicationView:
    id: int
    product_id: str
    product_version: str
    requested_amount: int
    approved_amount: int | None
    term_months: int
    grace_months: int
    occupation: str
    region: str
    status: str
    screening_status: str | None
    screening_codes: tuple[str, ...]
    screening_reasons: tuple[Reason, ...]
    submitted_on: date
    documents: tuple[DocumentView, ...]
    timeline: tuple[TimelineEvent, ...]
    guarantee: GuaranteeSummary | None
    withdrawable: bool
    education_course: str | None
    education_done: bool

    @property
    def awaiting_agreement(self) -> bool:
        return self.status == ApplicationStatus.APPROVED.value


@dataclass(frozen=True, slots=True)
class RateStep:
    year: int
    """1 for the first year after execution."""
    from_installment: int
    starts_on: date
    rate_bp: int
    now: bool


@dataclass(frozen=True, slots=True)
class AdditionalLoanView:
    offered: bool
    opens_on: date | None
    open_now: bool
    max_amount: int | None
    same_bank: bool
    used: bool
    blocked_by_arrears: bool


@dataclass(frozen=True, slots=True)
class LoanView:
    id: int
    product_id: str
    bank_code: str
    certificate_no: str
    amount: int
    principal_balance: int
    executed_on: date
    maturity_on: date | None
    term_months: int
    grace_months: int
    status: str
    current_rate_bp: int
    next_due_on: date | None
    next_due_amount: int | None
    overdue: tuple[InstallmentArrears, ...]
    days_past_due: int
    rate_path: tuple[RateStep, ...]
    rate_on_path_bp: int
    """The rate an on-time payer has now; above ``current_rate_bp`` never, below it after a missed step."""
    additional: AdditionalLoanView
    repaid_on: date | None
    default_on: date | None = None
    """In arrears: the day the oldest overdue installment reaches the product's default threshold (부실,
    90 days), when the bank may claim subrogation and the debt passes to the agency."""

    @property
    def overdue_amount(self) -> int:
        return sum(o.total for o in self.overdue)

    @property
    def in_arrears(self) -> bool:
        return bool(self.overdue)


@dataclass(frozen=True, slots=True)
class EducationView:
    course: str
    completed_on: date


@dataclass(frozen=True, slots=True)
class RecourseArrangement:
    """The installment plan (분할상환) or deferral (상환유예) in force on a recourse debt."""

    kind: str
    """``installment_plan`` or ``deferral``."""
    months: int
    starts_on: date
    ends_on: date
    """The last payment's date (plan) or the first day payments are due again (deferral)."""
    monthly_amount: int
    last_amount: int
    next_no: int | None = None
    """The plan's first payment not yet covered by repayments (1-based); None for a deferral or a plan
    paid through."""
    next_on: date | None = None
    next_amount: int | None = None
    behind: int = 0
    """Payments whose day has passed and that repayments do not cover."""
    arrears: int = 0

    @property
    def is_deferral(self) -> bool:
        return self.kind == "deferral"


@dataclass(frozen=True, slots=True)
class RecourseView:
    """구상채권: what the person owes the agency after it paid their bank (대위변제)."""

    id: int
    status: str
    """``open``, ``installment_plan``, ``deferred`` or ``repaid`` (services.subrogation)."""
    principal: int
    """The amount the agency paid the bank (the claim's guaranteed amount)."""
    balance: int
    arose_on: date
    loan_id: int
    loan_product_id: str
    loan_bank_code: str
    loan_amount: int
    loan_executed_on: date
    certificate_no: str | None
    claim_principal: int
    claim_interest: int
    claim_filed_on: date
    subrogated_on: date
    """The day the agency paid the claim (for a loan of its own: the day it went to collection)."""
    arrangement: RecourseArrangement | None
    agency_loan: bool = False
    """It arose from a loan the agency made itself (직접대출): no bank, no claim, no certificate."""
    virtual_account: str = ""
    """Where to pay it (가상계좌), as people write it."""
    repayments: tuple[RepaymentView, ...] = ()
    """Repayments received, newest first."""


@dataclass(frozen=True, slots=True)
class Overview:
    applicant_id: int
    name_masked: str
    rrn_masked: str
    phone_masked: str = field(repr=False)
    applications: tuple[ApplicationView, ...]
    loans: tuple[LoanView, ...]
    education: tuple[EducationView, ...]
    recourse: tuple[RecourseView, ...] = ()
    """Recourse debts, newest first."""


@dataclass(frozen=True, slots=True)
class BankChoice:
    code: str
    lends_here: bool | None
    """True where the bank publishes that it lends in the region, None where it publishes no regions."""
    regions_ko: str


# --- reads --------------------------------------------------------------------------------------------


def overview(platform: Platform, actor: Actor) -> Overview:
    """Everything of the signed-in applicant's own page, newest applications first."""
    applicant_id = _own(actor)
    today = platform.today()
    with platform.sessions() as session:
        applicant = session.get(Applicant, applicant_id)
        if applicant is None:
            raise NotFound("applicant", applicant_id)
        name = platform.vault.decrypt(applicant.name_encrypted)
        applications = session.scalars(
            select(Application)
            .where(Application.applicant_id == applicant_id)
            .order_by(Application.id.desc())
        ).all()
        education = _education(session, applicant_id)
        views = tuple(_application(session, platform, a, education, today) for a in applications)
        loans = session.scalars(
            select(Loan).where(Loan.applicant_id == applicant_id).order_by(Loan.id.desc())
        ).all()
        loan_views = tuple(_loan(session, platform, loan, today) for loan in loans)
        recourse = _recourse(session, applicant_id, today)
        return Overview(
            applicant_id=applicant_id,
            name_masked=mask_name(name),
            rrn_masked=applicant.rrn_masked,
            phone_masked=applicant.phone_masked,
            applications=views,
            loans=loan_views,
            education=education,
            recourse=recourse,
        )


def application_view(platform: Platform, actor: Actor, application_id: int) -> ApplicationView:
    """One of the applicant's own applications (NotFound for anyone else's)."""
    applicant_id = _own(actor)
    with platform.sessions() as session:
        application = session.get(Application, application_id)
        if application is None or application.applicant_id != applicant_id:
            raise NotFound("application", application_id)
        education = _education(session, applicant_id)
        return _application(session, platform, application, education, platform.today())


def education_of(platform: Platform, actor: Actor) -> tuple[EducationView, ...]:
    """The financial-education courses the applicant completed, most recent first."""
    applicant_id = _own(actor)
    with platform.sessions() as session:
        return _education(session, applicant_id)


def guarantees_of(platform: Platform, actor: Actor) -> list[GuaranteeSummary]:
    """The applicant's guarantee certificates, oldest first (never their verification codes)."""
    applicant_id = _own(actor)
    with platform.sessions() as session:
        rows = session.scalars(
            select(Guarantee).where(Guarantee.applicant_id == applicant_id).order_by(Guarantee.id)
        ).all()
        return [_guarantee(g) for g in rows]


def lending_banks(platform: Platform, product_id: str, region: str) -> list[BankChoice]:
    """The product's partner banks (terms in force today) that lend at ``region``: those publishing it
    first, then those publishing no regions (to be confirmed with the bank)."""
    try:
        version = platform.catalog.get(product_id, platform.today())
    except LookupError:
        return []
    published = []
    unknown = []
    for terms in version.partner_banks:
        lends = terms.regions.lends_in(region)
        if lends is True:
            published.append(BankChoice(terms.bank, True, terms.regions.describe_ko()))
        elif lends is None:
            unknown.append(BankChoice(terms.bank, None, terms.regions.describe_ko()))
    return published + unknown


def education_course(platform: Platform, product_id: str | None = None) -> str | None:
    """The financial-education course of ``product_id`` (or of any product in force) today."""
    versions = platform.catalog.in_force(platform.today())
    for version in versions:
        if (product_id is None or version.id == product_id) and version.offline.education_course:
            return version.offline.education_course
    return None


# --- helpers ------------------------------------------------------------------------------------------


def _own(actor: Actor) -> int:
    if actor.type is not ActorType.APPLICANT:
        raise Forbidden("only the applicant sees their own page")
    try:
        return int(actor.id)
    except ValueError:
        raise Forbidden("not an applicant") from None


def _education(session: Session, applicant_id: int) -> tuple[EducationView, ...]:
    rows = session.scalars(
        select(EducationCompletion)
        .where(EducationCompletion.applicant_id == applicant_id)
        .order_by(EducationCompletion.completed_on.desc(), EducationCompletion.id.desc())
    ).all()
    return tuple(EducationView(r.course, r.completed_on) for r in rows)


def _version(platform: Platform, product_id: str, version: str) -> ProductVersion | None:
    try:
        return platform.catalog.version(product_id, version)
    except LookupError:
        return None


def _guarantee(g: Guarantee) -> GuaranteeSummary:
    return GuaranteeSummary(
        id=g.id,
        application_id=g.application_id,
        certificate_no=g.certificate_no,
        status=g.status,
        product_id=g.product_id,
        product_version=g.product_version,
        amount=g.amount,
        rate_bp=g.rate_bp,
        term_months=g.term_months,
        grace_months=g.grace_months,
        method=g.method,
        bank_code=g.bank_code,
        issued_on=g.issued_on,
        expires_on=g.expires_on,
    )


def _screening_reasons(
    platform: Platform, application: Application, version: ProductVersion | None
) -> tuple[Reason, ...]:
    """The automatic screening's reasons in words: the stored profile judged again on the day it was
    submitted (the same engine and catalog give the stored codes)."""
    if version is None:
        return ()
    try:
        stored = json.loads(platform.vault.decrypt(application.profile_encrypted))
    except ValueError:
        return ()
    decision = rejudge_screening(version, stored, application.submitted_on)
    return () if decision is None else decision.shown_reasons


def _application(
    session: Session,
    platform: Platform,
    application: Application,
    education: tuple[EducationView, ...],
    today: date,
) -> ApplicationView:
    version = _version(platform, application.product_id, application.product_version)
    documents, decisions, guarantee_row = application_records(session, application.id)
    loan = (
        session.scalars(select(Loan).where(Loan.guarantee_id == guarantee_row.id)).first()
        if guarantee_row is not None
        else None
    )
    valid_from = document_valid_from(version, application.submitted_on) if version else None
    months = version.documents.validity_months if version and version.documents else None
    doc_views = tuple(
        DocumentView(
            id=d.id,
            doc_type=d.doc_type,
            name_ko=version.display_ko(d.doc_type) if version else d.doc_type,
            name_en=version.display_en(d.doc_type) if version else d.doc_type,
            issued_on=d.issued_on,
            original_name=d.original_name,
            size_bytes=d.size_bytes,
            valid_from=valid_from,
            valid_on_application=valid_from is None or valid_from <= d.issued_on <= application.submitted_on,
            usable_until=add_months(d.issued_on, months, d.issued_on.day) if months else None,
        )
        for d in documents
    )
    approved = [d.amount for d in decisions if d.decision in ("approve", "confirm") and d.amount]
    course = version.offline.education_course if version else None
    done = course is not None and any(e.course == course and e.completed_on <= today for e in education)
    guarantee = _guarantee(guarantee_row) if guarantee_row is not None else None
    return ApplicationView(
        id=application.id,
        product_id=application.product_id,
        product_version=application.product_version,
        requested_amount=application.requested_amount,
        approved_amount=approved[-1] if approved else None,
        term_months=application.term_months,
        grace_months=application.grace_months,
        occupation=application.occupation,
        region=application.region,
        status=application.status,
        screening_status=application.screening_status,
        screening_codes=tuple(c for c in (application.screening_codes or "").split(",") if c),
        screening_reasons=_screening_reasons(platform, application, version),
        submitted_on=application.submitted_on,
        documents=doc_views,
        timeline=_timeline(application, decisions, guarantee, loan, course, done),
        guarantee=guarantee,
        withdrawable=application.status in WITHDRAWABLE,
        education_course=course,
        education_done=done,
    )


_SCREENING = {
    "eligible": ("대상 (요건 충족)", "eligible"),
    "ineligible": ("비대상 (심사자가 사유 검토)", "not eligible (a reviewer looks at the reasons)"),
    "needs_confirmation": ("확인 필요", "to be confirmed"),
}


def _reason_names(codes: str) -> tuple[str, str]:
    found = [c for c in codes.split(",") if c]
    ko = ", ".join(STAFF_REASONS[c][0] if c in STAFF_REASONS else c for c in found)
    en = ", ".join(STAFF_REASONS[c][1] if c in STAFF_REASONS else c for c in found)
    return ko, en


def _timeline(
    application: Application,
    decisions: Sequence[ReviewDecision],
    guarantee: GuaranteeSummary | None,
    loan: Loan | None,
    course: str | None,
    educated: bool,
) -> tuple[TimelineEvent, ...]:
    events = [TimelineEvent("submitted", application.submitted_on, "신청 접수", "Application submitted")]
    screening_ko, screening_en = _SCREENING.get(
        application.screening_status or "", (application.screening_status or "-",) * 2
    )
    events.append(
        TimelineEvent(
            "screening",
            application.submitted_on,
            "자동심사",
            "Automatic screening",
            screening_ko,
            screening_en,
        )
    )
    for d in decisions:
        if d.decision == "approve":
            events.append(
                TimelineEvent(
                    "approved",
                    d.decided_on,
                    "심사 승인",
                    "Approved by a reviewer",
                    f"{d.amount:,}원" if d.amount else "",
                    f"{d.amount:,} won" if d.amount else "",
                )
            )
        elif d.decision == "confirm":
            events.append(
                TimelineEvent(
                    "confirmed", None, "2차 심사 확인", "Second review confirmed", f"{d.amount:,}원"
                )
            )
        else:
            ko, en = _reason_names(d.reason_codes)
            events.append(TimelineEvent("rejected", d.decided_on, "거절", "Rejected", ko, en))
    status = application.status
    if status == ApplicationStatus.WITHDRAWN.value:
        events.append(TimelineEvent("withdrawn", None, "신청 철회", "Withdrawn by you"))
    if status == ApplicationStatus.SUBMITTED.value:
        events.append(TimelineEvent("review", None, "심사 진행 중", "In review", upcoming=True))
    elif status == ApplicationStatus.PENDING_SECOND_REVIEW.value:
        events.append(
            TimelineEvent("second_review", None, "2차 심사 대기", "Awaiting a second reviewer", upcoming=True)
        )
    elif status == ApplicationStatus.APPROVED.value:
        if course is not None and not educated:
            events.append(
                TimelineEvent("education", None, "금융교육 이수", "Financial education", upcoming=True)
            )
        events.append(
            TimelineEvent(
                "agreement", None, "보증 약정·보증서 발급", "Agreement and certificate", upcoming=True
            )
        )
    if guarantee is not None:
        events.append(
            TimelineEvent(
                "guaranteed",
                guarantee.issued_on,
                "보증서 발급",
                "Guarantee certificate issued",
                guarantee.certificate_no,
                guarantee.certificate_no,
            )
        )
        if guarantee.status == GuaranteeStatus.ISSUED.value:
            events.append(
                TimelineEvent(
                    "execution",
                    guarantee.expires_on,
                    "은행 대출 실행 (이 날까지)",
                    "Loan at the bank (by this day)",
                    upcoming=True,
                )
            )
        elif guarantee.status == GuaranteeStatus.EXPIRED.value:
            events.append(
                TimelineEvent(
                    "expired",
                    guarantee.expires_on,
                    "보증서 만료 (기한 내 대출 미실행)",
                    "Certificate expired (no loan by its expiry)",
                )
            )
        elif guarantee.status == GuaranteeStatus.DECLINED.value:
            events.append(
                TimelineEvent(
                    "declined",
                    None,
                    "은행이 대출을 거절했습니다 (보증 한도는 다시 쓸 수 있습니다)",
                    "The bank declined the loan (the guarantee limit is free again)",
                )
            )
    if loan is not None:
        events.append(TimelineEvent("executed", loan.executed_on, "대출 실행", "Loan executed"))
        if loan.repaid_on is not None:
            events.append(TimelineEvent("repaid", loan.repaid_on, "완제", "Repaid in full"))
    return tuple(events)


def _rate_path(loan: Loan, today: date) -> tuple[tuple[RateStep, ...], int]:
    policy = RatePolicy(
        base_rate=bp_to_rate(loan.base_rate_bp),
        step_down=bp_to_rate(loan.step_bp),
        floor=bp_to_rate(loan.floor_bp),
        preferential_cut=bp_to_rate(loan.preferential_bp),
    )
    installments = loan.grace_months + loan.term_months
    years = (installments - 1) // MONTHS_PER_STEP + 1
    steps: list[RateStep] = []
    on_path = policy.rate_bp_for_installment(1)
    for j in range(years):
        no = j * MONTHS_PER_STEP + 1
        starts = add_months(loan.executed_on, j * MONTHS_PER_STEP, loan.executed_on.day)
        rate = policy.rate_bp_for_installment(no)
        if starts <= today:
            on_path = rate
        steps.append(RateStep(j + 1, no, starts, rate, now=False))
    current_year = max((s.year for s in steps if s.starts_on <= today), default=1)
    marked = tuple(
        RateStep(s.year, s.from_installment, s.starts_on, s.rate_bp, now=s.year == current_year)
        for s in steps
    )
    return marked, on_path


def _additional(
    session: Session, platform: Platform, loan: Loan, version: ProductVersion | None, today: date
) -> AdditionalLoanView:
    rules = version.additional_loan if version else None
    if rules is None or rules.max_times == 0:
        return AdditionalLoanView(False, None, False, None, False, False, False)
    family = sorted(version.limit_family) if version else [loan.product_id]
    later = session.scalars(
        select(Loan.id).where(
            Loan.applicant_id == loan.applicant_id,
            Loan.product_id.in_(family),
            Loan.id != loan.id,
            Loan.executed_on >= loan.executed_on,
        )
    ).all()
    used = len(later) >= rules.max_times
    active = loan.status == LoanStatus.ACTIVE.value
    blocked = loan.status in (LoanStatus.DELINQUENT.value, LoanStatus.DEFAULTED.value)
    opens = loan.additional_loan_from
    if opens is None and active:
        opens = add_months(loan.executed_on, rules.min_months_on_time, loan.executed_on.day)
    return AdditionalLoanView(
        offered=True,
        opens_on=opens if active else None,
        open_now=active and not used and opens is not None and opens <= today,
        max_amount=rules.max_amount,
        same_bank=rules.same_bank_while_open,
        used=used,
        blocked_by_arrears=blocked,
    )


def _loan(session: Session, platform: Platform, loan: Loan, today: date) -> LoanView:
    guarantee = session.get_one(Guarantee, loan.guarantee_id)
    version = _version(platform, guarantee.product_id, guarantee.product_version)
    ledger = ledger_for_display(session, loan)
    open_loan = loan.status not in CLOSED_LOAN_STATUSES
    next_on: date | None = None
    next_amount: int | None = None
    overdue: tuple[InstallmentArrears, ...] = ()
    maturity: date | None = None
    if ledger is not None:
        maturity = ledger.installments[-1].due_date
        if open_loan:
            upcoming = next((i for i in ledger.installments if i.due_date >= today and i.unpaid > 0), None)
            if upcoming is not None:
                next_on, next_amount = upcoming.due_date, upcoming.unpaid
            on = max(today, ledger.last_paid_on or today)
            overdue = ledger.overdue(on)
    days = max((o.days_overdue for o in overdue), default=0)
    path, on_path = _rate_path(loan, today)
    return LoanView(
        id=loan.id,
        product_id=loan.product_id,
        bank_code=loan.bank_code,
        certificate_no=guarantee.certificate_no,
        amount=loan.amount,
        principal_balance=loan.principal_balance,
        executed_on=loan.executed_on,
        maturity_on=maturity,
        term_months=loan.term_months,
        grace_months=loan.grace_months,
        status=loan.status,
        current_rate_bp=loan.current_rate_bp,
        next_due_on=next_on,
        next_due_amount=next_amount,
        overdue=overdue,
        days_past_due=days if overdue else loan.days_past_due if open_loan else 0,
        rate_path=path,
        rate_on_path_bp=on_path,
        additional=_additional(session, platform, loan, version, today),
        repaid_on=loan.repaid_on,
        default_on=_default_on(overdue, version),
    )


DEFAULT_DAYS_PAST_DUE = 90
"""The threshold for a loan whose product version the catalog no longer knows."""


def _default_on(overdue: tuple[InstallmentArrears, ...], version: ProductVersion | None) -> date | None:
    if not overdue:
        return None
    days = version.guarantee.default_days_past_due if version is not None else DEFAULT_DAYS_PAST_DUE
    return min(o.due_date for o in overdue) + timedelta(days=days)


def _recourse(session: Session, applicant_id: int, today: date) -> tuple[RecourseView, ...]:
    rows = session.execute(
        select(RecourseDebt, SubrogationClaim, Loan, Guarantee.certificate_no)
        .join(SubrogationClaim, SubrogationClaim.id == RecourseDebt.claim_id)
        .join(Loan, Loan.id == SubrogationClaim.loan_id)
        .join(Guarantee, Guarantee.id == Loan.guarantee_id)
        .where(RecourseDebt.applicant_id == applicant_id)
        .order_by(RecourseDebt.id.desc())
    ).all()
    own = session.execute(
        select(RecourseDebt, AgencyLoan)
        .join(AgencyLoan, AgencyLoan.id == RecourseDebt.agency_loan_id)
        .where(RecourseDebt.applicant_id == applicant_id)
        .order_by(RecourseDebt.id.desc())
    ).all()
    if not rows and not own:
        return ()
    kinds = {"installment_plan": "installment_plan", "deferred": "deferral"}
    debts = [row[0] for row in rows] + [row[0] for row in own]
    in_force = {debt.id: kinds.get(debt.status) for debt in debts}
    plans: dict[int, RecoursePlan] = {}
    for plan in session.scalars(
        select(RecoursePlan)
        .where(RecoursePlan.recourse_debt_id.in_(list(in_force)), RecoursePlan.status == "in_force")
        .order_by(RecoursePlan.id)
    ):
        if in_force[plan.recourse_debt_id] == plan.kind:
            plans[plan.recourse_debt_id] = plan  # the latest of the kind in force
    history: dict[int, tuple[RepaymentView, ...]] = {}
    for debt in debts:
        history[debt.id] = tuple(recourse_history(session, debt.id))
    views = []
    for debt, claim, loan, certificate_no in rows:
        granted = plans.get(debt.id)
        views.append(
            RecourseView(
                id=debt.id,
                status=debt.status,
                principal=debt.principal,
                balance=debt.balance,
                arose_on=debt.created_on,
                loan_id=loan.id,
                loan_product_id=loan.product_id,
                loan_bank_code=loan.bank_code,
                loan_amount=loan.amount,
                loan_executed_on=loan.executed_on,
                certificate_no=certificate_no,
                claim_principal=claim.principal,
                claim_interest=claim.interest,
                claim_filed_on=claim.filed_on,
                subrogated_on=claim.paid_on or debt.created_on,
                arrangement=None if granted is None else _arrangement(session, granted, debt.balance, today),
                virtual_account=format_account(virtual_account(debt.applicant_id)),
                repayments=history.get(debt.id, ()),
            )
        )
    for debt, lent in own:
        granted = plans.get(debt.id)
        views.append(
            RecourseView(
                id=debt.id,
                status=debt.status,
                principal=debt.principal,
                balance=debt.balance,
                arose_on=debt.created_on,
                loan_id=lent.id,
                loan_product_id=lent.product_id,
                loan_bank_code="",
                loan_amount=lent.amount,
                loan_executed_on=lent.disbursed_on,
                certificate_no=None,
                claim_principal=lent.principal_balance,
                claim_interest=debt.principal - lent.principal_balance,
                claim_filed_on=debt.created_on,
                subrogated_on=debt.created_on,
                arrangement=None if granted is None else _arrangement(session, granted, debt.balance, today),
                virtual_account=format_account(virtual_account(debt.applicant_id)),
                repayments=history.get(debt.id, ()),
                agency_loan=True,
            )
        )
    return tuple(sorted(views, key=lambda v: v.id, reverse=True))


def _arrangement(session: Session, plan: RecoursePlan, balance: int, today: date) -> RecourseArrangement:
    """The plan's dates and amounts by the one rule of ``domain.recourse``, and the debtor's progress."""
    if plan.kind == DEFERRAL:
        terms = arrangement_terms(plan.kind, plan.starts_on, plan.months, plan.monthly_amount, balance)
        return RecourseArrangement(plan.kind, plan.months, plan.starts_on, terms.ends_on, 0, 0)
    standing = plan_standing(plan, paid_under(session, plan.id), balance, today)
    return RecourseArrangement(
        kind=plan.kind,
        months=plan.months,
        starts_on=plan.starts_on,
        ends_on=standing.ends_on,
        monthly_amount=plan.monthly_amount,
        last_amount=standing.last_amount,
        next_no=standing.next_no,
        next_on=standing.next_on,
        next_amount=standing.next_amount,
        behind=standing.behind,
        arrears=standing.arrears,
    )
