"""신청서 임시저장 (application drafts): the application form kept between its steps and across sessions.

People leave the documents step to fetch papers from 정부24 and 홈택스 and come back after their 30-minute
session has ended; the draft keeps what they entered (encrypted: it holds income) and the files they had
already uploaded, so signing in again resumes where they were. Submitting the application removes it;
so does starting again. A draft is a bag of the form's own values: the form, not this module, knows
which fields exist, and the application is judged only when it is submitted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import ApplicationDraft, ApplicationDraftDocument, utcnow
from seomin.services.applications.common import _applicant_id
from seomin.services.applications.documents import checked_file, read_document, store_document
from seomin.services.clock import as_utc
from seomin.services.errors import InputError
from seomin.services.platform import Actor, Platform

MAX_DRAFT_FIELDS = 80
MAX_DRAFT_VALUE = 200
MAX_DRAFT_LINES = 12
DRAFT_LIFETIME = timedelta(days=30)
"""A draft untouched for this long is gone: the documents in it would be too old to accept anyway."""


@dataclass(frozen=True, slots=True)
class DraftDocument:
    line: int
    doc_type: str
    filename: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class Draft:
    step: str
    values: dict[str, str]
    documents: dict[int, DraftDocument]
    updated_at: datetime


def save_draft(platform: Platform, actor: Actor, step: str, values: Mapping[str, str]) -> None:
    """Keep the form as it stands (its string values, each cut to 200 characters) and the step shown."""
    applicant_id = _applicant_id(actor)
    kept = {k[:64]: v[:MAX_DRAFT_VALUE] for k, v in values.items() if isinstance(v, str) and v.strip()}
    if len(kept) > MAX_DRAFT_FIELDS:
        raise InputError("draft", f"a draft keeps at most {MAX_DRAFT_FIELDS} fields")
    with platform.sessions.begin() as session:
        draft = _own_draft(session, platform, applicant_id)
        draft.step = step[:16]
        draft.values_encrypted = platform.vault.encrypt(json.dumps(kept, ensure_ascii=False))
        draft.updated_at = utcnow()


def keep_draft_document(
    platform: Platform, actor: Actor, line: int, doc_type: str, filename: str, content: bytes
) -> None:
    """Keep an uploaded file for checklist ``line`` of the draft (replacing an earlier one for that line),
    once it is a file the application would accept."""
    applicant_id = _applicant_id(actor)
    if not 0 <= line < MAX_DRAFT_LINES:
        raise InputError("line", f"must be 0 to {MAX_DRAFT_LINES - 1}")
    name = checked_file(f"documents.{line}", filename, content)
    digest, relative = store_document(platform, content)
    with platform.sessions.begin() as session:
        draft = _own_draft(session, platform, applicant_id)
        session.execute(
            delete(ApplicationDraftDocument).where(
                ApplicationDraftDocument.draft_id == draft.id, ApplicationDraftDocument.line == line
            )
        )
        session.add(
            ApplicationDraftDocument(
                draft_id=draft.id,
                line=line,
                doc_type=doc_type[:64],
                sha256=digest,
                storage_path=relative,
                size_bytes=len(content),
                original_name=name,
            )
        )


def draft_of(platform: Platform, actor: Actor) -> Draft | None:
    """The applicant's draft, or None (also when it is older than ``DRAFT_LIFETIME``)."""
    applicant_id = _applicant_id(actor)
    with platform.sessions() as session:
        draft = _draft_row(session, applicant_id)
        if draft is None or utcnow() - as_utc(draft.updated_at) > DRAFT_LIFETIME:
            return None
        rows = session.scalars(
            select(ApplicationDraftDocument).where(ApplicationDraftDocument.draft_id == draft.id)
        )
        documents = {r.line: DraftDocument(r.line, r.doc_type, r.original_name, r.size_bytes) for r in rows}
        values = json.loads(platform.vault.decrypt(draft.values_encrypted))
        return Draft(draft.step, values, documents, as_utc(draft.updated_at))


def draft_document_content(platform: Platform, actor: Actor, line: int) -> tuple[str, str, bytes] | None:
    """The kept file of ``line``: (document type, file name, content), or None when there is none."""
    applicant_id = _applicant_id(actor)
    with platform.sessions() as session:
        found = session.execute(
            select(ApplicationDraftDocument)
            .join(ApplicationDraft, ApplicationDraft.id == ApplicationDraftDocument.draft_id)
            .where(ApplicationDraft.applicant_id == applicant_id, ApplicationDraftDocument.line == line)
        ).scalar_one_or_none()
        if found is None:
            return None
        content = read_document(platform, found.storage_path, found.sha256)
        return None if content is None else (found.doc_type, found.original_name, content)


def discard_draft(platform: Platform, actor: Actor) -> None:
    """Start again: the draft and its kept files are dropped."""
    with platform.sessions.begin() as session:
        delete_draft(session, _applicant_id(actor))


def delete_draft(session: Session, applicant_id: int) -> None:
    """In the caller's transaction (submission): the applicant's draft, documents first."""
    drafts = select(ApplicationDraft.id).where(ApplicationDraft.applicant_id == applicant_id)
    session.execute(delete(ApplicationDraftDocument).where(ApplicationDraftDocument.draft_id.in_(drafts)))
    session.execute(delete(ApplicationDraft).where(ApplicationDraft.applicant_id == applicant_id))


def _own_draft(session: Session, platform: Platform, applicant_id: int) -> ApplicationDraft:
    """The applicant's draft, an empty one (at the documents step) added when there is none yet."""
    draft = _draft_row(session, applicant_id)
    if draft is None:
        empty = platform.vault.encrypt("{}")
        draft = ApplicationDraft(applicant_id=applicant_id, step="documents", values_encrypted=empty)
        session.add(draft)
        session.flush()
    return draft


def _draft_row(session: Session, applicant_id: int) -> ApplicationDraft | None:
    return session.scalars(
        select(ApplicationDraft).where(ApplicationDraft.applicant_id == applicant_id)
    ).one_or_none()
