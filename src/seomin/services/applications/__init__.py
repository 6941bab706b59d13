"""Applications (보증 신청): the applicant's commands, the agency's review, and the reads of both."""

from __future__ import annotations

from seomin.services.applications.commands import (
    DocumentUpload,
    agree_and_issue_guarantee,
    complete_education,
    submit_application,
    withdraw,
)
from seomin.services.applications.common import (
    BANK_CODES,
    GUARANTEE_VALIDITY,
    LIMIT_CODES,
    MISDATED_DOCUMENT_CODES,
    STAFF_REASONS,
    UNASSIGNED_BANK,
    IssuedGuarantee,
    certificate_code_hash,
    refusal,
)
from seomin.services.applications.documents import MAX_DOCUMENT_BYTES, media_type_of, store_document
from seomin.services.applications.drafts import (
    Draft,
    DraftDocument,
    discard_draft,
    draft_document_content,
    draft_of,
    keep_draft_document,
    save_draft,
)
from seomin.services.applications.queries import (
    HIDDEN_PROFILE_FIELDS,
    MAX_AGE_FILTER,
    VIEWER_ROLES,
    ApplicationFilters,
    DocumentFile,
    application_records,
    born_on_or_before_for_age,
    first_time_cap,
    get_application,
    list_applications,
    open_document,
    rejudge_screening,
)
from seomin.services.applications.retention import PurgeOutcome, purge_expired_documents
from seomin.services.applications.review import (
    REVIEW_ROLES,
    confirm_second_review,
    decide,
)

__all__ = [
    "BANK_CODES",
    "GUARANTEE_VALIDITY",
    "HIDDEN_PROFILE_FIELDS",
    "LIMIT_CODES",
    "MAX_AGE_FILTER",
    "MAX_DOCUMENT_BYTES",
    "MISDATED_DOCUMENT_CODES",
    "REVIEW_ROLES",
    "STAFF_REASONS",
    "UNASSIGNED_BANK",
    "VIEWER_ROLES",
    "ApplicationFilters",
    "DocumentFile",
    "DocumentUpload",
    "Draft",
    "DraftDocument",
    "IssuedGuarantee",
    "PurgeOutcome",
    "agree_and_issue_guarantee",
    "application_records",
    "born_on_or_before_for_age",
    "certificate_code_hash",
    "complete_education",
    "confirm_second_review",
    "decide",
    "discard_draft",
    "draft_document_content",
    "draft_of",
    "first_time_cap",
    "get_application",
    "keep_draft_document",
    "list_applications",
    "media_type_of",
    "open_document",
    "purge_expired_documents",
    "refusal",
    "rejudge_screening",
    "save_draft",
    "store_document",
    "submit_application",
    "withdraw",
]
