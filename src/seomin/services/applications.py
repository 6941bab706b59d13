"""Use cases of the application lifecycle, applicant and agency side (선보증 후대출, guarantee first).

An applicant applies with documents and is screened automatically; completes the financial education;
a reviewer decides (maker-checker where the rules ask for a second reviewer); the applicant agrees and
the agency issues a guarantee certificate the partner bank will lend against. Each state change is one
function, one transaction and one audit event (actor, state before and after, reason); an illegal
transition raises ``Conflict`` with the stable code of ``domain.lifecycle`` (``APPLICATION_REJECTED`` …).

Choices made here (see also each function):

- **Exposure.** A person's per-product-family limit counts their loans (``loans`` rows) and the approvals
  not yet lent: applications ``pending_second_review`` or ``approved`` (the approved amount) and
  guarantees ``issued`` but not executed. Those reservations are handed to the eligibility engine as open
  loans executed today, so one rule set (limit, open accounts, additional-loan rules) judges them all.
- **Locking.** ``decide``, ``confirm_second_review``, ``agree_and_issue_guarantee`` and ``withdraw`` first
  lock the applicant's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
  serializes writers), so two approvals racing on one person's limit leave exactly one winner.
- **Maker-checker.** An approval above the product's ``review.second_review_above`` (catalog data), or
  one that overrides an ``ineligible`` automatic screening (or a rule the
  person fails now), waits for a second reviewer who is not the first. Limit rules are never overridden.
- **Guarantee.** Valid for ``GUARANTEE_VALIDITY`` (30 days) for the bank to lend; its terms are those of
  the product version the application was made under; partner banks and limits are judged on today's.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from seomin.adapters.crypto import DataVault
from seomin.adapters.db.models import (
    Applicant,
    Application,
    ApplicationDocument,
    EducationCompletion,
    Guarantee,
    Loan,
    ReviewDecision,
    StaffUser,
)
from seomin.domain.catalog import ProductNotInForce, ProductVersion, UnknownProduct
from seomin.domain.eligibility import Decision, Status, evaluate
from seomin.domain.identity import mask_name
from seomin.domain.lifecycle import (
    APPLICATION_TRANSITIONS,
    ApplicationStatus,
    GuaranteeStatus,
    IllegalTransition,
    LoanStatus,
    check_transition,
)
from seomin.domain.money import rate_to_bp
from seomin.domain.profile import ApplicantProfile, ExistingLoan
from seomin.domain.reasons import TEMPLATES, Outcome, Reason
from seomin.domain.regions import normalize_region
from seomin.services.eligibility_check import parse_profile
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor, ActorType, Platform, audit

GUARANTEE_VALIDITY = timedelta(days=30)
"""A certificate lets the bank lend for 30 days from issue (expires_on = issued_on + 30 days)."""

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
REVIEW_ROLES = frozenset({"reviewer", "supervisor"})

STAFF_REASONS: dict[str, tuple[str, str]] = {
    "STAFF_DOCUMENT_FORGED": (
        "제출 서류의 위·변조가 의심됩니다.",
        "A submitted document appears forged or altered.",
    ),
    "STAFF_DOCUMENT_UNREADABLE": ("제출 서류를 판독할 수 없습니다.", "A submitted document cannot be read."),
    "STAFF_DOCUMENT_MISMATCH": (
        "제출 서류의 내용이 신청 내용과 다릅니다.",
        "A submitted document contradicts the application.",
    ),
    "STAFF_IDENTITY_MISMATCH": ("서류의 명의가 신청인과 다릅니다.", "A document is in someone else's name."),
    "STAFF_INCOME_UNVERIFIED": ("소득을 확인할 수 없습니다.", "The income could not be verified."),
    "STAFF_REPAYMENT_CAPACITY": (
        "상환 능력이 부족하다고 판단됩니다.",
        "Repayment capacity was judged insufficient.",
    ),
    "STAFF_SECOND_REVIEW_DECLINED": (
        "2차 심사자가 승인하지 않았습니다.",
        "The second reviewer did not confirm the approval.",
    ),
}
"""Reason codes a reviewer may give besides the eligibility codes of ``domain.reasons.TEMPLATES``."""

LIMIT_CODES = (
    "LIMIT_EXHAUSTED",
    "AMOUNT_ABOVE_LIMIT",
    "TOO_MANY_ACCOUNTS",
    "ADDITIONAL_LOAN_ALREADY_USED",
    "ADDITIONAL_LOAN_TOO_EARLY",
    "ADDITIONAL_LOAN_NOT_OFFERED",
)
"""Engine codes about the person's limit and loan count: an approval can never override them."""

BANK_CODES = ("BANK_NOT_PARTNER", "NO_BANK_IN_REGION", "ADDITIONAL_LOAN_OTHER_BANK")
MISDATED_DOCUMENT_CODES = ("DOCUMENT_EXPIRED", "DOCUMENT_DATE_INVALID")
UNASSIGNED_BANK = "unassigned"  # the bank of an approval not yet agreed: chosen at agreement


class DocumentUpload(NamedTuple):
    doc_type: str
    issued_on: date
    filename: str
    content: bytes


@dataclass(frozen=True, slots=True)
class IssuedGuarantee:
    """A guarantee certificate as issued; ``verification_code`` is shown to the applicant this once."""

    guarantee_id: int
    application_id: int
    certificate_no: str
    verification_code: str = field(repr=False)
    amount: int
    rate_bp: int
    term_months: int
    grace_months: int
    method: str
    ratio_bp: int
    bank_code: str
    issued_on: date
    expires_on: date


@dataclass(frozen=True, slots=True)
class ApplicationFilters:
    status: str | None = None
    product_id: str | None = None
    screening_status: str | None = None
    applicant_id: int | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    region: str | None = None  # 시도 of the registered address ('서울' or '서울특별시')
    age_min: int | None = None  # 만 나이 on the day of the query, inclusive
    age_max: int | None = None
    after_id: int = 0  # keyset pagination: ids greater than this, ascending
    limit: int = 50


MAX_AGE_FILTER = 150


def born_on_or_before_for_age(today: date, age: int) -> date:
    """The latest birth date of a person who is at least ``age`` (만 나이) on ``today``.

    A 29 February birthday counts from 1 March in common years, as ``ApplicantProfile.age_on`` does, so
    on 28 February of a common year the bound is that day ``age`` years earlier."""
    year = today.year - age
    if today.month == 2 and today.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, today.month, today.day)


def certificate_code_hash(vault: DataVault, certificate_no: str, code: str) -> str:
    """How a certificate's verification code is stored: a keyed hash bound to the certificate number."""
    return vault.lookup_hash(f"{certificate_no}:{code}")


# --- applicant side ---------------------------------------------------------------------------------


def submit_application(
    platform: Platform,
    actor: Actor,
    *,
    product_id: str,
    requested_amount: int,
    term_months: int,
    grace_months: int,
    profile: Mapping[str, Any],
    documents: Sequence[tuple[str, date, str, bytes]],
) -> int:
    """Apply for a guarantee under the product version in force today; returns the application id.

    ``profile`` is the README's profile JSON without ``documents``, ``requested_amount`` and
    ``existing_loans`` (those come from the uploads, the request and the database); its ``birth_date``
    defaults to, and must match, the verified resident number. A document issued before the catalog's
    validity window (or after today) is refused and nothing is written. The automatic screening's status
    and reason codes are stored; the profile is stored encrypted (it holds income).
    """
    applicant_id = _applicant_id(actor)
    today = platform.today()
    try:
        product = platform.catalog.get(product_id, today)
    except (UnknownProduct, ProductNotInForce) as exc:
        raise InputError("product_id", str(exc.args[0])) from None
    _check_amount(requested_amount, "requested_amount")
    if term_months not in product.terms.repayment_months:
        raise InputError(
            "term_months", f"must be one of {_join(product.terms.repayment_months)} for {product.id}"
        )
    if grace_months not in product.terms.grace_months:
        raise InputError(
            "grace_months", f"must be one of {_join(product.terms.grace_months)} for {product.id}"
        )
    if not isinstance(profile, Mapping):
        raise InputError("profile", "must be a JSON object")
    for key, source in (
        ("documents", "the uploaded documents"),
        ("requested_amount", "requested_amount"),
        ("existing_loans", "the agency's records"),
    ):
        if key in profile:
            raise InputError(f"profile.{key}", f"not accepted here: taken from {source}")
    uploads = [_check_upload(platform, i, doc) for i, doc in enumerate(documents)]

    with platform.sessions.begin() as session:
        applicant = session.get(Applicant, applicant_id)
        if applicant is None:
            raise NotFound("applicant", applicant_id)
        data = {
            "birth_date": applicant.birth_date.isoformat(),
            **profile,
            "requested_amount": requested_amount,
            "documents": [{"type": u.doc_type, "issued_on": u.issued_on.isoformat()} for u in uploads],
        }
        parsed = parse_profile(platform.catalog, data)
        if parsed.birth_date != applicant.birth_date:
            raise InputError("profile.birth_date", "does not match the verified resident number")
        exposure = _exposure(session, applicant_id, product, today)
        parsed = parsed.model_copy(update={"existing_loans": exposure})
        decision = evaluate(product, parsed, today)
        _refuse_misdated_documents(decision, uploads)

        application = Application(
            applicant_id=applicant_id,
            product_id=product.id,
            product_version=product.version,
            requested_amount=requested_amount,
            term_months=term_months,
            grace_months=grace_months,
            occupation=parsed.occupation.value,
            region=parsed.region,
            profile_encrypted=platform.vault.encrypt(json.dumps(parsed.model_dump(mode="json"))),
            status=ApplicationStatus.SUBMITTED.value,
            screening_status=decision.status.value,
            screening_codes=",".join(decision.codes),
            submitted_on=today,
        )
        session.add(application)
        session.flush()
        stored = []
        for upload in uploads:
            digest, relative = _store_document(platform.storage_dir, upload.content)
            session.add(
                ApplicationDocument(
                    application_id=application.id,
                    doc_type=upload.doc_type,
                    issued_on=upload.issued_on,
                    sha256=digest,
                    storage_path=relative,
                    size_bytes=len(upload.content),
                    original_name=upload.filename,
                )
            )
            stored.append(
                {"type": upload.doc_type, "issued_on": upload.issued_on.isoformat(), "sha256": digest}
            )
        audit(
            session,
            actor,
            "application.submitted",
            "application",
            application.id,
            after={
                "status": application.status,
                "product": f"{product.id}@{product.version}",
                "requested_amount": requested_amount,
                "term_months": term_months,
                "grace_months": grace_months,
                "screening_status": decision.status.value,
                "screening_codes": list(decision.codes),
                "documents": stored,
            },
            reason="application",
        )
        return application.id


def complete_education(platform: Platform, actor: Actor, course: str) -> int:
    """Record that the applicant completed ``course`` today (금융교육 이수); returns the completion id.

    The course must be the ``offline.education_course`` of a product in force today. Completing the same
    course twice on one day records it once.
    """
    applicant_id = _applicant_id(actor)
    today = platform.today()
    courses = sorted(
        {v.offline.education_course for v in platform.catalog.in_force(today) if v.offline.education_course}
    )
    if course not in courses:
        raise InputError("course", f"unknown course {course!r}; courses: {', '.join(courses) or 'none'}")
    with platform.sessions.begin() as session:
        if session.get(Applicant, applicant_id) is None:
            raise NotFound("applicant", applicant_id)
        done = session.scalars(
            select(EducationCompletion).where(
                EducationCompletion.applicant_id == applicant_id,
                EducationCompletion.course == course,
                EducationCompletion.completed_on == today,
            )
        ).first()
        if done is not None:
            return done.id
        completion = EducationCompletion(applicant_id=applicant_id, course=course, completed_on=today)
        session.add(completion)
        session.flush()
        audit(
            session,
            actor,
            "education.completed",
            "applicant",
            applicant_id,
            after={"course": course, "completed_on": today.isoformat()},
        )
        return completion.id


def agree_and_issue_guarantee(
    platform: Platform,
    actor: Actor,
    application_id: int,
    bank_code: str,
    *,
    method: str | None = None,
) -> IssuedGuarantee:
    """The applicant agrees (보증약정) and the guarantee certificate is issued for lending at ``bank_code``.

    Requires an approved application of the caller, the product's financial education completed
    (``Conflict EDUCATION_REQUIRED``) and a bank that is a partner of the product lending at the
    applicant's registered address (a bank whose regions are unpublished is accepted, as in screening;
    while a loan of the family is open, only its bank). ``method`` defaults to the product's first.
    """
    applicant_id = _applicant_id(actor)
    try:
        bank = platform.catalog.resolve_bank(bank_code)
    except LookupError as exc:
        raise InputError("bank_code", str(exc.args[0])) from None
    today = platform.today()
    with platform.sessions.begin() as session:
        application = _lock_application(session, application_id)
        if application.applicant_id != applicant_id:
            raise NotFound("application", application_id)
        before = _check_transition(application, ApplicationStatus.GUARANTEED)
        terms = _version_of(platform, application)
        chosen = _check_method(terms, method)
        now = _product_now(platform, application.product_id, today)
        course = terms.offline.education_course
        if (
            course is not None
            and terms.offline.education_mandatory
            and not _educated(session, applicant_id, course, today)
        ):
            raise Conflict(
                "EDUCATION_REQUIRED",
                f"the financial education {course!r} must be completed before the agreement",
            )
        profile = _stored_profile(platform, application)
        loans = tuple(_loans(session, applicant_id, now.limit_family))
        check = profile.model_copy(
            update={
                "documents": None,
                "requested_amount": None,
                "requested_bank": bank,
                "existing_loans": loans,
            }
        )
        refused = _first(evaluate(now, check, today), BANK_CODES)
        if refused is not None:
            raise InputError("bank_code", _message(refused))

        amount = _approved_amounts(session, [application.id])[application.id]
        policy = terms.rate_policy(application.term_months, profile.vulnerable, profile.preferential)
        rate_bp = rate_to_bp(max(Decimal(0), policy.base_rate - policy.preferential_cut))
        certificate_no = _new_certificate_no(session, today)
        code = f"{secrets.randbelow(1_000_000):06d}"
        guarantee = Guarantee(
            application_id=application.id,
            applicant_id=applicant_id,
            certificate_no=certificate_no,
            verification_code_hash=certificate_code_hash(platform.vault, certificate_no, code),
            product_id=terms.id,
            product_version=terms.version,
            amount=amount,
            rate_bp=rate_bp,
            term_months=application.term_months,
            grace_months=application.grace_months,
            method=chosen,
            ratio_bp=rate_to_bp(terms.guarantee.ratio_pct),
            bank_code=bank,
            issued_on=today,
            expires_on=today + GUARANTEE_VALIDITY,
            status=GuaranteeStatus.ISSUED.value,
        )
        session.add(guarantee)
        application.status = ApplicationStatus.GUARANTEED.value
        session.flush()
        audit(
            session,
            actor,
            "application.agreed",
            "application",
            application.id,
            before={"status": before.value},
            after={"status": application.status, "guarantee_id": guarantee.id, "bank_code": bank},
            reason="guarantee agreement",
        )
        audit(
            session,
            actor,
            "guarantee.issued",
            "guarantee",
            guarantee.id,
            after={
                "status": guarantee.status,
                "certificate_no": certificate_no,
                "amount": amount,
                "rate_bp": rate_bp,
                "ratio_bp": guarantee.ratio_bp,
                "bank_code": bank,
                "expires_on": guarantee.expires_on.isoformat(),
            },
            reason=f"application {application.id} agreed",
        )
        return IssuedGuarantee(
            guarantee_id=guarantee.id,
            application_id=application.id,
            certificate_no=certificate_no,
            verification_code=code,
            amount=amount,
            rate_bp=rate_bp,
            term_months=guarantee.term_months,
            grace_months=guarantee.grace_months,
            method=chosen,
            ratio_bp=guarantee.ratio_bp,
            bank_code=bank,
            issued_on=today,
            expires_on=guarantee.expires_on,
        )


def withdraw(platform: Platform, actor: Actor, application_id: int) -> None:
    """The applicant withdraws an application not yet guaranteed (철회); its reserved limit is freed."""
    applicant_id = _applicant_id(actor)
    with platform.sessions.begin() as session:
        application = _lock_application(session, application_id)
        if application.applicant_id != applicant_id:
            raise NotFound("application", application_id)
        before = _check_transition(application, ApplicationStatus.WITHDRAWN)
        application.status = ApplicationStatus.WITHDRAWN.value
        audit(
            session,
            actor,
            "application.withdrawn",
            "application",
            application.id,
            before={"status": before.value},
            after={"status": application.status},
            reason="withdrawn by the applicant",
        )


# --- agency side: review ----------------------------------------------------------------------------


def decide(
    platform: Platform,
    reviewer: Actor,
    application_id: int,
    *,
    approve: bool,
    amount: int | None = None,
    reason_codes: Sequence[str] = (),
    note: str = "",
) -> ApplicationStatus:
    """A reviewer's decision on a submitted application; returns the new status.

    A rejection needs at least one reason code (``domain.reasons.TEMPLATES`` or ``STAFF_REASONS``).
    An approval is for ``amount`` (default: the amount requested, never more), judged against the
    person's limit now, under a lock on the applicant (``Conflict`` with the engine's code, e.g.
    ``LIMIT_EXHAUSTED`` or ``AMOUNT_ABOVE_LIMIT``). It waits for ``confirm_second_review`` (status
    ``pending_second_review``) when the amount exceeds the product's ``review.second_review_above`` or when it
    overrides an ``ineligible`` screening or a rule the person fails now; an override needs a note.
    """
    reviewer_id = _reviewer_id(reviewer)
    codes = _check_reason_codes(reason_codes)
    note = _check_note(note)
    today = platform.today()
    with platform.sessions.begin() as session:
        _require_active_reviewer(session, reviewer_id)
        application = _lock_application(session, application_id)
        current = ApplicationStatus(application.status)
        if current is ApplicationStatus.PENDING_SECOND_REVIEW:
            raise Conflict(
                "APPLICATION_PENDING_SECOND_REVIEW",
                "the application awaits a second reviewer: use confirm_second_review",
            )
        if not approve:
            _check_transition(application, ApplicationStatus.REJECTED)
            if not codes:
                raise InputError("reason_codes", "a rejection needs at least one reason code")
            return _reject(session, reviewer, reviewer_id, application, codes, note, today)

        _check_transition(application, ApplicationStatus.APPROVED)
        approved = application.requested_amount if amount is None else amount
        _check_amount(approved, "amount")
        if approved > application.requested_amount:
            raise InputError("amount", f"exceeds the {application.requested_amount:,} won requested")
        product = _product_now(platform, application.product_id, today)
        recheck = _limit_recheck(session, platform, application, product, approved, today)
        failing_now = [r.code for r in recheck.reasons if r.outcome is Outcome.FAIL]
        override = application.screening_status == Status.INELIGIBLE.value or bool(failing_now)
        if override and not note:
            raise InputError("note", "an approval overriding the screening needs a note saying why")
        threshold = product.review.second_review_above
        above = threshold is not None and approved > threshold
        wanted = ApplicationStatus.PENDING_SECOND_REVIEW if override or above else ApplicationStatus.APPROVED
        application.status = wanted.value
        session.add(
            ReviewDecision(
                application_id=application.id,
                reviewer_id=reviewer_id,
                decision="approve",
                amount=approved,
                reason_codes=",".join(codes),
                note=note,
                decided_on=today,
                status_after=wanted.value,
            )
        )
        why = []
        if above:
            why.append(f"amount above {threshold:,} (review.second_review_above)")
        if override:
            why.append("overrides the screening" + (f" ({', '.join(failing_now)})" if failing_now else ""))
        audit(
            session,
            reviewer,
            "application.approved"
            if wanted is ApplicationStatus.APPROVED
            else "application.approval_proposed",
            "application",
            application.id,
            before={"status": current.value},
            after={
                "status": wanted.value,
                "amount": approved,
                "reason_codes": codes,
                "second_review": why,
            },
            reason=note or "approved",
        )
        return wanted


def confirm_second_review(
    platform: Platform,
    reviewer: Actor,
    application_id: int,
    approve: bool,
    note: str = "",
    *,
    reason_codes: Sequence[str] = (),
) -> ApplicationStatus:
    """The checker's word on an approval awaiting a second review; returns the new status.

    The checker must not be the reviewer who proposed it (``Conflict SECOND_REVIEWER_SAME``). Confirming
    judges the limit again under the lock; declining rejects, with ``STAFF_SECOND_REVIEW_DECLINED`` when
    no reason code is given.
    """
    reviewer_id = _reviewer_id(reviewer)
    codes = _check_reason_codes(reason_codes)
    note = _check_note(note)
    today = platform.today()
    with platform.sessions.begin() as session:
        _require_active_reviewer(session, reviewer_id)
        application = _lock_application(session, application_id)
        current = ApplicationStatus(application.status)
        if current is not ApplicationStatus.PENDING_SECOND_REVIEW:
            raise Conflict(
                f"APPLICATION_{current.value.upper()}",
                f"application is {current.value}, not awaiting a second review",
            )
        maker = session.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.application_id == application.id, ReviewDecision.decision == "approve")
            .order_by(ReviewDecision.id.desc())
        ).first()
        if maker is None or maker.amount is None:  # pragma: no cover - written together with the status
            raise Conflict("APPLICATION_PENDING_SECOND_REVIEW", "no proposed approval to confirm")
        if maker.reviewer_id == reviewer_id:
            raise Conflict("SECOND_REVIEWER_SAME", "the second review must be by another reviewer")
        if not approve:
            declined = codes or ["STAFF_SECOND_REVIEW_DECLINED"]
            return _reject(session, reviewer, reviewer_id, application, declined, note, today)
        product = _product_now(platform, application.product_id, today)
        _limit_recheck(session, platform, application, product, maker.amount, today)
        application.status = ApplicationStatus.APPROVED.value
        session.add(
            ReviewDecision(
                application_id=application.id,
                reviewer_id=reviewer_id,
                decision="confirm",
                amount=maker.amount,
                reason_codes=",".join(codes),
                note=note,
                decided_on=today,
                status_after=ApplicationStatus.APPROVED.value,
            )
        )
        audit(
            session,
            reviewer,
            "application.approved",
            "application",
            application.id,
            before={"status": current.value},
            after={"status": application.status, "amount": maker.amount, "maker": maker.reviewer_id},
            reason=note or "second review confirmed",
        )
        return ApplicationStatus.APPROVED


def _reject(
    session: Session,
    reviewer: Actor,
    reviewer_id: int,
    application: Application,
    codes: list[str],
    note: str,
    today: date,
) -> ApplicationStatus:
    before = application.status
    application.status = ApplicationStatus.REJECTED.value
    session.add(
        ReviewDecision(
            application_id=application.id,
            reviewer_id=reviewer_id,
            decision="reject",
            amount=None,
            reason_codes=",".join(codes),
            note=note,
            decided_on=today,
            status_after=ApplicationStatus.REJECTED.value,
        )
    )
    audit(
        session,
        reviewer,
        "application.rejected",
        "application",
        application.id,
        before={"status": before},
        after={"status": application.status, "reason_codes": codes},
        reason=note or ", ".join(codes),
    )
    return ApplicationStatus.REJECTED


def _limit_recheck(
    session: Session,
    platform: Platform,
    application: Application,
    product: ProductVersion,
    amount: int,
    today: date,
) -> Decision:
    """Judge the person now for ``amount``, counting loans and the other approvals not yet lent; a
    limit rule failing raises ``Conflict`` with its code. Documents are not judged again (their window
    is counted from the application day)."""
    profile = _stored_profile(platform, application)
    exposure = _exposure(session, application.applicant_id, product, today, exclude=application.id)
    check = profile.model_copy(
        update={
            "documents": None,
            "requested_amount": amount,
            "requested_bank": None,
            "existing_loans": exposure,
        }
    )
    decision = evaluate(product, check, today)
    refused = _first(decision, LIMIT_CODES)
    if refused is not None:
        raise Conflict(refused.code, _message(refused))
    return decision


# --- reads ------------------------------------------------------------------------------------------


def get_application(platform: Platform, actor: Actor, application_id: int) -> dict[str, Any]:
    """One application as JSON-ready data. Applicants see only their own (NotFound otherwise); staff see
    all. Resident numbers are always masked; reviewers, supervisors and the applicant see the name, phone,
    income, scores and debts; counselors and auditors see them masked or hidden."""
    own, full = _viewer(actor)
    vault = platform.vault
    with platform.sessions() as session:
        application = session.get(Application, application_id)
        if application is None or (own is not None and application.applicant_id != own):
            raise NotFound("application", application_id)
        applicant = session.get_one(Applicant, application.applicant_id)
        documents, decisions, guarantee = application_records(session, application.id)
        amounts = _approved_amounts(session, [application.id])
        profile = json.loads(vault.decrypt(application.profile_encrypted))
        name = vault.decrypt(applicant.name_encrypted)
        phone = vault.decrypt(applicant.phone_encrypted)
    if not full:
        for key in HIDDEN_PROFILE_FIELDS:
            profile.pop(key, None)
    return {
        **_summary(application, applicant),
        "applicant": {
            "id": applicant.id,
            "name": name if full else mask_name(name),
            "rrn": applicant.rrn_masked,
            "phone": _format_phone(phone) if full else applicant.phone_masked,
        },
        "approved_amount": amounts.get(application.id),
        "profile": profile,
        "personal_data": "full" if full else "masked",
        "documents": [
            {
                "id": d.id,
                "type": d.doc_type,
                "issued_on": d.issued_on.isoformat(),
                "sha256": d.sha256,
                "size_bytes": d.size_bytes,
                "original_name": d.original_name,
            }
            for d in documents
        ],
        "decisions": [
            {
                "decision": d.decision,
                "decided_on": None if d.decided_on is None else d.decided_on.isoformat(),
                "status_after": d.status_after,
                "reviewer_id": d.reviewer_id,
                "amount": d.amount,
                "reason_codes": _codes(d.reason_codes),
                "note": d.note,
            }
            for d in decisions
        ],
        "guarantee": None
        if guarantee is None
        else {
            "id": guarantee.id,
            "certificate_no": guarantee.certificate_no,
            "status": guarantee.status,
            "amount": guarantee.amount,
            "rate_bp": guarantee.rate_bp,
            "ratio_bp": guarantee.ratio_bp,
            "method": guarantee.method,
            "bank_code": guarantee.bank_code,
            "issued_on": guarantee.issued_on.isoformat(),
            "expires_on": guarantee.expires_on.isoformat(),
        },
    }


def rejudge_screening(
    version: ProductVersion, profile: Mapping[str, Any], submitted_on: date
) -> Decision | None:
    """The automatic screening judged again from a stored profile as on the day it was submitted, for its
    reasons in words (only the codes are stored); None if the stored profile no longer validates."""
    try:
        return evaluate(version, ApplicantProfile.model_validate(profile), submitted_on)
    except (ValueError, KeyError, TypeError):  # pydantic's ValidationError is a ValueError
        return None


def application_records(
    session: Session, application_id: int
) -> tuple[Sequence[ApplicationDocument], Sequence[ReviewDecision], Guarantee | None]:
    """An application's documents and review decisions (oldest first) and its guarantee, if any."""
    documents = session.scalars(
        select(ApplicationDocument)
        .where(ApplicationDocument.application_id == application_id)
        .order_by(ApplicationDocument.id)
    ).all()
    decisions = session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.application_id == application_id)
        .order_by(ReviewDecision.id)
    ).all()
    guarantee = session.scalars(select(Guarantee).where(Guarantee.application_id == application_id)).first()
    return documents, decisions, guarantee


HIDDEN_PROFILE_FIELDS = ("annual_income", "kcb_score", "nice_score", "debt_adjustment", "existing_loans")
"""Profile fields only reviewers, supervisors and the applicant see."""


def list_applications(
    platform: Platform, actor: Actor, filters: ApplicationFilters | None = None
) -> list[dict[str, Any]]:
    """Applications matching ``filters``, ascending by id, at most ``filters.limit`` (1–200). Applicants
    see only their own. Rows carry masked personal data only, and the applicant's age (만 나이) today.

    ``region`` is a 시도 (aliases such as '서울특별시' accepted); ``age_min``/``age_max`` bound the age on
    ``platform.today()`` and become a birth-date range (``InputError`` for ages outside 0–150 or reversed).
    """
    own, _full = _viewer(actor)
    f = filters or ApplicationFilters()
    if not 1 <= f.limit <= 200:
        raise InputError("filters.limit", "must be 1 to 200")
    conditions: list[ColumnElement[bool]] = [Application.id > f.after_id]
    if f.status is not None:
        if f.status not in {s.value for s in ApplicationStatus}:
            raise InputError(
                "filters.status", f"must be one of {', '.join(s.value for s in ApplicationStatus)}"
            )
        conditions.append(Application.status == f.status)
    if f.screening_status is not None:
        if f.screening_status not in {s.value for s in Status}:
            raise InputError(
                "filters.screening_status", f"must be one of {', '.join(s.value for s in Status)}"
            )
        conditions.append(Application.screening_status == f.screening_status)
    if f.product_id is not None:
        conditions.append(Application.product_id == f.product_id)
    if own is not None:
        conditions.append(Application.applicant_id == own)
    if f.applicant_id is not None:
        conditions.append(Application.applicant_id == f.applicant_id)
    if f.submitted_from is not None:
        conditions.append(Application.submitted_on >= f.submitted_from)
    if f.submitted_to is not None:
        conditions.append(Application.submitted_on <= f.submitted_to)
    if f.region is not None:
        try:
            region = normalize_region(f.region)
        except ValueError as exc:
            raise InputError("filters.region", str(exc)) from None
        conditions.append(Application.region == region)
    today = platform.today()
    conditions.extend(_age_conditions(today, f.age_min, f.age_max))
    with platform.sessions() as session:
        rows = session.execute(
            select(Application, Applicant)
            .join(Applicant, Applicant.id == Application.applicant_id)
            .where(and_(*conditions))
            .order_by(Application.id)
            .limit(f.limit)
        ).all()
    return [
        {
            **_summary(application, applicant),
            "applicant": {"id": applicant.id, "rrn": applicant.rrn_masked, "phone": applicant.phone_masked},
            "age": _age(applicant.birth_date, today),
        }
        for application, applicant in rows
    ]


def _age(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def _age_conditions(today: date, age_min: int | None, age_max: int | None) -> list[ColumnElement[bool]]:
    """Age bounds as a range of birth dates computed from ``today``: an index on the birth date serves
    them, and no database needs to compute anyone's age."""
    for name, age in (("filters.age_min", age_min), ("filters.age_max", age_max)):
        if age is not None and (isinstance(age, bool) or not 0 <= age <= MAX_AGE_FILTER):
            raise InputError(name, f"must be 0 to {MAX_AGE_FILTER}")
    if age_min is not None and age_max is not None and age_min > age_max:
        raise InputError("filters.age_max", "must not be less than age_min")
    conditions: list[ColumnElement[bool]] = []
    if age_min is not None:
        conditions.append(Applicant.birth_date <= born_on_or_before_for_age(today, age_min))
    if age_max is not None:  # younger than age_max + 1
        conditions.append(Applicant.birth_date > born_on_or_before_for_age(today, age_max + 1))
    return conditions


def _summary(application: Application, applicant: Applicant) -> dict[str, Any]:
    return {
        "id": application.id,
        "applicant_id": applicant.id,
        "product_id": application.product_id,
        "product_version": application.product_version,
        "requested_amount": application.requested_amount,
        "term_months": application.term_months,
        "grace_months": application.grace_months,
        "occupation": application.occupation,
        "region": application.region,
        "status": application.status,
        "screening": {"status": application.screening_status, "codes": _codes(application.screening_codes)},
        "submitted_on": application.submitted_on.isoformat(),
    }


def _format_phone(phone: str) -> str:
    return f"{phone[:3]}-{phone[3:-4]}-{phone[-4:]}"


def _codes(text: str | None) -> list[str]:
    return [c for c in (text or "").split(",") if c]


# --- helpers ----------------------------------------------------------------------------------------


def _applicant_id(actor: Actor) -> int:
    if actor.type is not ActorType.APPLICANT:
        raise Forbidden("only the applicant may do this")
    try:
        return int(actor.id)
    except ValueError:
        raise Forbidden("not an applicant") from None


def _reviewer_id(actor: Actor) -> int:
    if actor.type is not ActorType.STAFF or actor.role not in REVIEW_ROLES:
        raise Forbidden("only a reviewer or a supervisor decides applications")
    try:
        return int(actor.id)
    except ValueError:
        raise Forbidden("not a staff user") from None


def _require_active_reviewer(session: Session, reviewer_id: int) -> None:
    user = session.get(StaffUser, reviewer_id)
    if user is None or not user.active or user.role not in REVIEW_ROLES:
        raise Forbidden("only an active reviewer or supervisor decides applications")


def _viewer(actor: Actor) -> tuple[int | None, bool]:
    """(the applicant's own id or None for staff, whether personal data is shown in full)."""
    if actor.type is ActorType.APPLICANT:
        return _applicant_id(actor), True
    if actor.type is ActorType.STAFF and actor.role in STAFF_ROLES:
        return None, actor.role in REVIEW_ROLES
    raise Forbidden("applications are seen by their applicant and agency staff only")


def _check_amount(amount: object, field_name: str) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InputError(field_name, "must be a positive whole number of won")


def _check_reason_codes(codes: Sequence[str]) -> list[str]:
    if isinstance(codes, str):
        raise InputError("reason_codes", "must be a list of codes")
    checked = []
    for i, code in enumerate(codes):
        if (code not in TEMPLATES and code not in STAFF_REASONS) or code == "ELIGIBLE":
            raise InputError(f"reason_codes.{i}", f"unknown reason code {code!r}")
        checked.append(code)
    return list(dict.fromkeys(checked))


def _check_note(note: str) -> str:
    if len(note) > 2000:
        raise InputError("note", "at most 2000 characters")
    return note.strip()


def _check_upload(platform: Platform, i: int, doc: tuple[str, date, str, bytes]) -> DocumentUpload:
    try:
        doc_type, issued_on, filename, content = doc
    except (TypeError, ValueError):
        raise InputError(f"documents.{i}", "must be (doc_type, issued_on, filename, content)") from None
    if doc_type not in platform.catalog.document_types:
        known = ", ".join(sorted(platform.catalog.document_types))
        raise InputError(f"documents.{i}.doc_type", f"unknown document type {doc_type!r}; known: {known}")
    if not isinstance(issued_on, date):
        raise InputError(f"documents.{i}.issued_on", "must be a date")
    name = PurePath(str(filename).replace("\\", "/")).name.strip()
    if not name or len(name) > 255:
        raise InputError(f"documents.{i}.filename", "must be a file name of 1 to 255 characters")
    if not isinstance(content, bytes) or not content:
        raise InputError(f"documents.{i}.content", "must not be empty")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InputError(f"documents.{i}.content", f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB")
    return DocumentUpload(doc_type, issued_on, name, content)


def _refuse_misdated_documents(decision: Decision, uploads: Sequence[DocumentUpload]) -> None:
    """A stale or future-dated document is refused with the screening's own wording."""
    for reason in decision.reasons:
        if reason.code not in MISDATED_DOCUMENT_CODES:
            continue
        doc_type, issued_on = reason.figures.get("document"), reason.figures.get("issued_on")
        index = next(i for i, u in enumerate(uploads) if u.doc_type == doc_type and u.issued_on == issued_on)
        raise InputError(f"documents.{index}.issued_on", _message(reason))


def _store_document(storage_dir: Path, content: bytes) -> tuple[str, str]:
    """Keep a document once under its SHA-256 (``ab/abcdef…``); returns (digest, path under storage_dir).

    Written to a temporary name and renamed, so a reader never sees half a file. A file whose
    transaction then fails stays, unreferenced: harmless, since the name is the content's hash.
    """
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{digest[:2]}/{digest}"
    path = storage_dir / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{digest}.{secrets.token_hex(4)}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, path)
    return digest, relative


def _product_now(platform: Platform, product_id: str, today: date) -> ProductVersion:
    """The version in force today: limits and partner banks are judged on today's terms."""
    try:
        return platform.catalog.get(product_id, today)
    except (UnknownProduct, ProductNotInForce) as exc:
        raise Conflict("PRODUCT_NOT_IN_FORCE", str(exc.args[0])) from None


def _version_of(platform: Platform, application: Application) -> ProductVersion:
    return platform.catalog.version(application.product_id, application.product_version)


def _check_method(product: ProductVersion, method: str | None) -> str:
    methods = [m.value for m in product.terms.methods]
    if method is None:
        return methods[0]
    if method not in methods:
        raise InputError("method", f"must be one of {', '.join(methods)} for {product.id}")
    return method


def _check_transition(application: Application, wanted: ApplicationStatus) -> ApplicationStatus:
    current = ApplicationStatus(application.status)
    try:
        check_transition("application", APPLICATION_TRANSITIONS, current, wanted)
    except IllegalTransition as exc:
        raise Conflict(exc.code, str(exc)) from None
    return current


def _lock_application(session: Session, application_id: int) -> Application:
    """The application, after locking its applicant's row: every change to a person's applications and
    limit goes through this lock, taken first, so they serialize without deadlocks."""
    owner = select(Application.applicant_id).where(Application.id == application_id).scalar_subquery()
    applicant = session.scalars(select(Applicant.id).where(Applicant.id == owner).with_for_update()).first()
    if applicant is None:
        raise NotFound("application", application_id)
    return session.scalars(
        select(Application).where(Application.id == application_id).with_for_update()
    ).one()


def _stored_profile(platform: Platform, application: Application) -> ApplicantProfile:
    return ApplicantProfile.model_validate(json.loads(platform.vault.decrypt(application.profile_encrypted)))


def _educated(session: Session, applicant_id: int, course: str, today: date) -> bool:
    found = session.scalars(
        select(EducationCompletion.id).where(
            EducationCompletion.applicant_id == applicant_id,
            EducationCompletion.course == course,
            EducationCompletion.completed_on <= today,
        )
    ).first()
    return found is not None


_IN_ARREARS = frozenset(
    {LoanStatus.DELINQUENT.value, LoanStatus.DEFAULTED.value, LoanStatus.SUBROGATED.value}
)


def _loans(session: Session, applicant_id: int, family: frozenset[str]) -> list[ExistingLoan]:
    """The person's loans of the product family, as the eligibility engine sees them."""
    loans = session.scalars(
        select(Loan)
        .where(Loan.applicant_id == applicant_id, Loan.product_id.in_(sorted(family)))
        .order_by(Loan.executed_on, Loan.id)
    ).all()
    found = []
    for loan in loans:
        repaid = loan.status == LoanStatus.REPAID.value
        found.append(
            ExistingLoan(
                product=loan.product_id,
                bank=loan.bank_code,
                amount=loan.amount,
                balance=0 if repaid else min(loan.principal_balance, loan.amount),
                executed_on=loan.executed_on,
                in_arrears=not repaid and loan.status in _IN_ARREARS,
                repaid=repaid,
            )
        )
    return found


def _exposure(
    session: Session, applicant_id: int, product: ProductVersion, today: date, exclude: int | None = None
) -> tuple[ExistingLoan, ...]:
    """Loans of the product family plus approvals not yet lent, the latter as loans executed today."""
    family = sorted(product.limit_family)
    conditions = [
        Application.applicant_id == applicant_id,
        Application.product_id.in_(family),
        Application.status.in_(
            [
                ApplicationStatus.PENDING_SECOND_REVIEW.value,
                ApplicationStatus.APPROVED.value,
                ApplicationStatus.GUARANTEED.value,
            ]
        ),
    ]
    if exclude is not None:
        conditions.append(Application.id != exclude)
    pending = session.scalars(select(Application).where(*conditions).order_by(Application.id)).all()
    amounts = _approved_amounts(session, [a.id for a in pending])
    issued = {
        g.application_id: g
        for g in session.scalars(
            select(Guarantee).where(
                Guarantee.application_id.in_([a.id for a in pending]),
                Guarantee.status == GuaranteeStatus.ISSUED.value,
            )
        )
    }
    reserved = []
    for application in pending:
        if application.status == ApplicationStatus.GUARANTEED.value:
            guarantee = issued.get(application.id)
            if guarantee is None:
                continue  # executed (its loan counts), expired or claimed
            amount, bank = guarantee.amount, guarantee.bank_code
        else:
            amount, bank = amounts[application.id], UNASSIGNED_BANK
        reserved.append(
            ExistingLoan(
                product=application.product_id, bank=bank, amount=amount, balance=amount, executed_on=today
            )
        )
    return (*_loans(session, applicant_id, product.limit_family), *reserved)


def _approved_amounts(session: Session, application_ids: Sequence[int]) -> dict[int, int]:
    """The amount of each application's latest approval or confirmation."""
    if not application_ids:
        return {}
    rows = session.execute(
        select(ReviewDecision.application_id, ReviewDecision.amount)
        .where(
            ReviewDecision.application_id.in_(application_ids),
            ReviewDecision.decision.in_(["approve", "confirm"]),
        )
        .order_by(ReviewDecision.id)
    ).all()
    return {application_id: amount for application_id, amount in rows if amount is not None}


def _new_certificate_no(session: Session, today: date) -> str:
    """G + issue date + 8 random digits (unguessable; unique, checked and enforced by the schema)."""
    while True:
        number = f"G{today:%Y%m%d}-{secrets.randbelow(100_000_000):08d}"
        if session.scalars(select(Guarantee.id).where(Guarantee.certificate_no == number)).first() is None:
            return number


def _first(decision: Decision, codes: Sequence[str]) -> Reason | None:
    """The decision's failing reason among ``codes``, in the order of ``codes``."""
    failing = {r.code: r for r in decision.reasons if r.outcome is Outcome.FAIL}
    return next((failing[c] for c in codes if c in failing), None)


def _message(reason: Reason) -> str:
    return f"{reason.message_ko} / {reason.message_en}"


def _join(values: Sequence[int]) -> str:
    return ", ".join(map(str, values))
