"""Reads of applications: one application with its records, the filtered queue, a stored screening
judged again for its reasons in words."""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Applicant, Application, ApplicationDocument, Guarantee, ReviewDecision
from seomin.domain.catalog import ProductVersion
from seomin.domain.eligibility import Decision, Status, evaluate
from seomin.domain.identity import mask_name
from seomin.domain.lifecycle import ApplicationStatus
from seomin.domain.profile import ApplicantProfile
from seomin.domain.regions import normalize_region
from seomin.services.applications.common import _applicant_id, _approved_amounts, _loans
from seomin.services.applications.documents import media_type_of
from seomin.services.applications.review import REVIEW_ROLES
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor, ActorType, Platform, audit


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
                "purged_on": None if d.purged_at is None else d.purged_at.date().isoformat(),
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


def _viewer(actor: Actor) -> tuple[int | None, bool]:
    """(the applicant's own id or None for staff, whether personal data is shown in full)."""
    if actor.type is ActorType.APPLICANT:
        return _applicant_id(actor), True
    if actor.type is ActorType.STAFF and actor.role in STAFF_ROLES:
        return None, actor.role in REVIEW_ROLES
    raise Forbidden("applications are seen by their applicant and agency staff only")


@dataclass(frozen=True, slots=True)
class DocumentFile:
    """A submitted document, decrypted for a reviewer's eyes only."""

    name: str
    media_type: str
    content: bytes


VIEWER_ROLES = frozenset({"reviewer", "supervisor"})


def open_document(platform: Platform, staff: Actor, application_id: int, document_id: int) -> DocumentFile:
    """A reviewer or supervisor opens a submitted document (role-checked; every opening audited: who, when,
    which file). The file is decrypted with the data key and checked against its recorded SHA-256."""
    if staff.type is not ActorType.STAFF or staff.role not in VIEWER_ROLES:
        raise Forbidden("only reviewers and supervisors open submitted documents")
    with platform.sessions.begin() as session:
        document = session.get(ApplicationDocument, document_id)
        if document is None or document.application_id != application_id:
            raise NotFound("document", document_id)
        if document.purged_at is not None:
            raise Conflict(
                "DOCUMENT_PURGED",
                f"document {document_id} was deleted on {document.purged_at:%Y-%m-%d}: its retention ended",
            )
        try:
            encrypted = (platform.storage_dir / document.storage_path).read_bytes()
        except FileNotFoundError:  # a purge whose commit failed: the next run marks it
            raise Conflict("DOCUMENT_PURGED", f"document {document_id} is no longer stored") from None
        content = platform.vault.decrypt_bytes(encrypted)
        if hashlib.sha256(content).hexdigest() != document.sha256:
            raise Conflict("DOCUMENT_CORRUPTED", f"document {document_id} does not match its recorded hash")
        audit(
            session,
            staff,
            "document.viewed",
            "application_document",
            document.id,
            after={"application_id": application_id, "type": document.doc_type},
            reason="opened in the staff console",
        )
        return DocumentFile(
            document.original_name, media_type_of(content) or "application/octet-stream", content
        )


def first_time_cap(platform: Platform, actor: Actor, product: ProductVersion) -> int | None:
    """The first-time limit when the applicant has had no loan of the product's family (a first loan
    cannot exceed it), else None: an additional or repeat loan is judged whole at submission."""
    applicant_id = _applicant_id(actor)
    with platform.sessions() as session:
        had = _loans(session, applicant_id, product.limit_family)
    return None if had else product.limits.first_time
