"""Applicant-side use cases: apply with documents, complete the education, agree and receive the
guarantee certificate, withdraw (선보증 후대출: the guarantee comes first)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import (
    Applicant,
    Application,
    ApplicationDocument,
    EducationCompletion,
    Guarantee,
)
from seomin.domain.catalog import ProductNotInForce, ProductVersion, UnknownProduct
from seomin.domain.eligibility import Decision, evaluate
from seomin.domain.lifecycle import ApplicationStatus, GuaranteeStatus
from seomin.domain.money import rate_to_bp
from seomin.services.applications.common import (
    BANK_CODES,
    GUARANTEE_VALIDITY,
    MISDATED_DOCUMENT_CODES,
    IssuedGuarantee,
    _applicant_id,
    _approved_amounts,
    _check_amount,
    _check_transition,
    _exposure,
    _first,
    _join,
    _loans,
    _lock_application,
    _message,
    _product_now,
    _stored_profile,
    _version_of,
    certificate_code_hash,
)
from seomin.services.consulting import completed_consulting
from seomin.services.eligibility_check import parse_profile
from seomin.services.errors import Conflict, InputError, InputErrorCode, NotFound
from seomin.services.platform import Actor, Platform, audit

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class DocumentUpload(NamedTuple):
    doc_type: str
    issued_on: date
    filename: str
    content: bytes


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
            digest, relative = store_document(platform, upload.content)
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
    platform: Platform, actor: Actor, application_id: int, bank_code: str, *, method: str | None = None
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
        # a completed consulting programme is the ``consulting`` preferential, told or not
        completed = ("consulting",) if completed_consulting(session, applicant_id, today) else ()
        preferential = (*profile.preferential, *completed)
        policy = terms.rate_policy(
            application.term_months, profile.vulnerable, preferential, profile.occupation
        )
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
            preferential_bp=policy.preferential_bp,
            floor_bp=policy.floor_bp,
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
    if media_type_of(content) is None:
        raise InputError(
            f"documents.{i}.content",
            "must be a PDF, JPEG or PNG file (checked by its content)",
            InputErrorCode.DOCUMENT_TYPE_REFUSED,
        )
    return DocumentUpload(doc_type, issued_on, name, content)


def _refuse_misdated_documents(decision: Decision, uploads: Sequence[DocumentUpload]) -> None:
    """A stale or future-dated document is refused with the screening's own wording."""
    for reason in decision.reasons:
        if reason.code not in MISDATED_DOCUMENT_CODES:
            continue
        doc_type, issued_on = reason.figures.get("document"), reason.figures.get("issued_on")
        index = next(i for i, u in enumerate(uploads) if u.doc_type == doc_type and u.issued_on == issued_on)
        raise InputError(f"documents.{index}.issued_on", _message(reason))


def store_document(platform: Platform, content: bytes) -> tuple[str, str]:
    """Keep a document once, encrypted with the data key, owner-only (files 0600, folders 0700), under a
    keyed hash of its content (``ab/abcdef…``: the plain SHA-256 would let anyone holding a copy confirm it
    is stored); returns (SHA-256 of the content, path under the storage folder).

    Written to a temporary name and renamed, so a reader never sees half a file. A file whose
    transaction then fails stays, unreferenced: harmless, since the name is the content's hash.
    """
    digest = hashlib.sha256(content).hexdigest()
    name = platform.vault.lookup_hash(f"document:{digest}")
    relative = f"{name[:2]}/{name}"
    path = platform.storage_dir / relative
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        temporary = path.with_name(f".{name}.{secrets.token_hex(4)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(platform.vault.encrypt_bytes(content))
        os.replace(temporary, path)
    return digest, relative


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def media_type_of(content: bytes) -> str | None:
    """PDF, JPEG or PNG by the file's first bytes (never by its name or the browser's word); else None."""
    return next((kind for magic, kind in _MAGIC if content.startswith(magic)), None)


def _check_method(product: ProductVersion, method: str | None) -> str:
    methods = [m.value for m in product.terms.methods]
    if method is None:
        return methods[0]
    if method not in methods:
        raise InputError("method", f"must be one of {', '.join(methods)} for {product.id}")
    return method


def _educated(session: Session, applicant_id: int, course: str, today: date) -> bool:
    found = session.scalars(
        select(EducationCompletion.id).where(
            EducationCompletion.applicant_id == applicant_id,
            EducationCompletion.course == course,
            EducationCompletion.completed_on <= today,
        )
    ).first()
    return found is not None


def _new_certificate_no(session: Session, today: date) -> str:
    """G + issue date + 8 random digits (unguessable; unique, checked and enforced by the schema)."""
    while True:
        number = f"G{today:%Y%m%d}-{secrets.randbelow(100_000_000):08d}"
        if session.scalars(select(Guarantee.id).where(Guarantee.certificate_no == number)).first() is None:
            return number
