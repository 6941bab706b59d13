"""The applicant's endpoints (신청인): identity verification, the application with its documents, the
financial education, the agreement that issues the guarantee certificate, withdrawal, and reading one's
own applications and guarantees.

The application is ``multipart/form-data``: one part ``application`` holding the JSON of an
``ApplicationForm`` and one file part ``documents`` per document, in the order of
``application.documents`` (whose ``i``-th entry gives the ``i``-th file's document type and issue date).
The multipart body is parsed here, exactly and in memory (it is bounded by ``MAX_UPLOAD_BYTES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import Message
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, create_model
from pydantic.json_schema import WithJsonSchema
from starlette.concurrency import run_in_threadpool

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import ApplicantActor, errors
from seomin.adapters.http.public import (
    _PROFILE_SCHEMA,
    IsoDate,
    ProductId,
    SafeJSONResponse,
    _Body,
    plain,
)
from seomin.domain.lifecycle import ApplicationStatus
from seomin.domain.profile import ApplicantProfile
from seomin.services.agency_loans import AgencyLoanView, agency_loans_of
from seomin.services.applications import (
    ApplicationFilters,
    IssuedGuarantee,
    agree_and_issue_guarantee,
    complete_education,
    get_application,
    list_applications,
    submit_application,
    withdraw,
)
from seomin.services.errors import InputError
from seomin.services.identity import SESSION_TTL, LocalIdentityProvider
from seomin.services.my_page import GuaranteeSummary, guarantees_of
from seomin.services.verification import CONSENT_VERSION, confirm_verification, start_verification

ApplicationId = Annotated[int, Path(ge=1, le=2**62)]
UPLOAD_PATH = "/applicant/applications"
MAX_DOCUMENTS = 20
router = APIRouter(prefix="/applicant", tags=["applicant"])


# --- bodies --------------------------------------------------------------------------------------------


class IdentityBody(_Body):
    """본인인증: the name, resident registration number and the person's own mobile phone."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "홍길동",
                    "rrn": "850301-1234567",
                    "phone": "010-1234-5678",
                    "consent_version": CONSENT_VERSION,
                }
            ]
        }
    )
    name: StrictStr = Field(min_length=1, max_length=50)
    rrn: StrictStr = Field(min_length=13, max_length=14, description="주민등록번호, with or without '-'")
    phone: StrictStr = Field(min_length=10, max_length=20, description="Korean mobile number")
    consent_version: StrictStr = Field(
        min_length=1,
        max_length=32,
        description=f"The version of the consent text the person agreed to: {CONSENT_VERSION}",
    )


class IdentityCodeBody(_Body):
    """The one-time code sent to the phone, against the challenge the first step returned."""

    challenge: StrictStr = Field(min_length=1, max_length=64)
    code: StrictStr = Field(min_length=6, max_length=6, pattern=r"^[0-9]{6}$")


class ChallengeOut(BaseModel):
    challenge: str = Field(description="Send back with the code; shown once")
    phone: str = Field(description="Where the code went, masked")
    expires_at: datetime


class DocumentMeta(_Body):
    type: StrictStr = Field(min_length=1, max_length=64, description="Document code (document_types.toml)")
    issued_on: IsoDate = Field(description="Issue date printed on the document, YYYY-MM-DD")


class ApplicationForm(_Body):
    """The ``application`` part of the upload: what is asked for, the profile, and one entry per file."""

    product_id: ProductId
    requested_amount: StrictInt = Field(gt=0, le=1_000_000_000_000, description="Won")
    term_months: StrictInt = Field(ge=1, le=600, description="Repayment months after the grace period")
    grace_months: StrictInt = Field(default=0, ge=0, le=600)
    profile: Annotated[dict[str, Any], WithJsonSchema(_PROFILE_SCHEMA)] = Field(
        description="The applicant profile without documents, requested_amount and existing_loans"
    )
    documents: list[DocumentMeta] = Field(
        default_factory=list,
        max_length=MAX_DOCUMENTS,
        description="documents[i] describes the i-th `documents` file part",
    )


class EducationBody(_Body):
    course: StrictStr = Field(min_length=1, max_length=64, examples=["policy-finance-basics"])


class AgreementBody(_Body):
    bank_code: StrictStr = Field(
        min_length=1, max_length=64, description="Bank code or name", examples=["kwangju"]
    )
    method: StrictStr | None = Field(default=None, max_length=32, description="Default: the product's first")


FORM_MODELS: tuple[type[BaseModel], ...] = (ApplicationForm,)


# --- answers (documentation) --------------------------------------------------------------------------


class MaskedApplicant(BaseModel):
    id: int
    name: str
    rrn: str
    phone: str


class SessionOut(BaseModel):
    token: str = Field(description="Send as Authorization: Bearer <token>; shown once")
    expires_at: datetime
    applicant: MaskedApplicant


class CreatedOut(BaseModel):
    id: int
    status: str


class CompletionOut(BaseModel):
    id: int
    course: str


def _optional(annotation: Any) -> Any:
    return annotation | None


_PARTIAL_PROFILE: dict[str, Any] = {
    name: (_optional(field.annotation), None) for name, field in ApplicantProfile.model_fields.items()
}
# The stored profile as submitted; counselors and auditors get it without the fields only reviewers see
# (HIDDEN_PROFILE_FIELDS), so every field is optional here.
ProfileOut = create_model(
    "ProfileOut",
    __config__=ConfigDict(extra="forbid"),
    __doc__="The applicant profile as submitted (ApplicantProfile); income, scores and debts only for "
    "the applicant, reviewers and supervisors.",
    **_PARTIAL_PROFILE,
)


class ScreeningOut(BaseModel):
    status: str
    codes: list[str] = Field(description="Reason codes of the automatic screening")


class ApplicantRefOut(BaseModel):
    id: int
    rrn: str = Field(description="Always masked")
    phone: str = Field(description="Masked")


class _ApplicationFields(BaseModel):
    """What an application is, in a list and on its own page alike."""

    id: int
    applicant_id: int
    product_id: str
    product_version: str
    requested_amount: int
    term_months: int
    grace_months: int
    occupation: str
    region: str
    status: str
    screening: ScreeningOut
    submitted_on: date


class ApplicationListItemOut(_ApplicationFields):
    """An application in a list (oldest first)."""

    applicant: ApplicantRefOut
    age: int = Field(description="만 나이 today")


class ApplicantDetailOut(BaseModel):
    id: int
    name: str = Field(description="Masked for counselors and auditors")
    rrn: str = Field(description="Always masked")
    phone: str = Field(description="Masked for counselors and auditors")


class DocumentOut(BaseModel):
    id: int
    type: str
    issued_on: date
    sha256: str
    size_bytes: int
    original_name: str
    purged_on: date | None = Field(description="The day the retention job deleted the file; null while kept")


class DecisionRecordOut(BaseModel):
    decision: str
    decided_on: date | None
    status_after: str
    reviewer_id: int
    amount: int | None
    reason_codes: list[str]
    note: str


class ApplicationGuaranteeOut(BaseModel):
    id: int
    certificate_no: str
    status: str
    amount: int
    rate_bp: int
    ratio_bp: int
    method: str
    bank_code: str
    issued_on: date
    expires_on: date


class ApplicationOut(_ApplicationFields):
    """One application with its screening, documents, review decisions and guarantee."""

    applicant: ApplicantDetailOut
    approved_amount: int | None
    profile: ProfileOut
    personal_data: Literal["full", "masked"]
    documents: list[DocumentOut]
    decisions: list[DecisionRecordOut]
    guarantee: ApplicationGuaranteeOut | None


# --- multipart -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    filename: str | None
    content: bytes


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """The parts of a ``multipart/form-data`` body (RFC 7578), byte-exact; InputError on ``body`` if it
    is not one."""
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        raise InputError("body", "must be multipart/form-data with a boundary")
    delimiter = b"\r\n--" + boundary.encode("latin-1", "replace")
    segments = (b"\r\n" + body).split(delimiter)
    if len(segments) < 2 or not segments[-1].startswith(b"--"):
        raise InputError("body", "the multipart body is truncated or malformed")
    parts = []
    for segment in segments[1:-1]:
        head, sep, content = segment.partition(b"\r\n\r\n")
        if not sep:
            raise InputError("body", "a multipart part has no header block")
        headers = Message()
        for line in head.decode("utf-8", "replace").split("\r\n")[1:]:
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip()] = value.strip()
        disposition = headers.get("content-disposition")
        if disposition is None or headers.get_content_disposition() != "form-data":
            raise InputError("body", "every part needs Content-Disposition: form-data")
        field = headers.get_param("name", header="content-disposition")
        if not isinstance(field, str):
            raise InputError("body", "every part needs a name")
        filename = headers.get_filename()
        parts.append(Part(field, filename, content))
        if len(parts) > MAX_DOCUMENTS + 1:
            raise InputError("documents", f"at most {MAX_DOCUMENTS} documents")
    return parts


def _application_form(parts: list[Part]) -> tuple[ApplicationForm, list[tuple[str, Any, str, bytes]]]:
    forms = [p for p in parts if p.name == "application"]
    files = [p for p in parts if p.name == "documents"]
    unknown = sorted({p.name for p in parts} - {"application", "documents"})
    if unknown:
        raise InputError(unknown[0], "unknown part: only `application` and `documents` are accepted")
    if len(forms) != 1:
        raise InputError("application", "exactly one `application` part (JSON) is required")
    try:
        form = ApplicationForm.model_validate_json(forms[0].content)
    except ValidationError as exc:
        problems = exc.errors(include_url=False, include_input=False)
        if problems and problems[0]["type"] == "json_invalid":
            raise InputError("application", f"not valid JSON: {problems[0]['msg']}") from None
        for problem in problems:
            problem["loc"] = ("application", *problem.get("loc", ()))
        raise RequestValidationError(problems) from None
    if len(files) != len(form.documents):
        raise InputError(
            "documents",
            f"{len(files)} files uploaded but application.documents describes {len(form.documents)}",
        )
    documents = [
        (meta.type, meta.issued_on, upload.filename or f"document-{i + 1}", upload.content)
        for i, (meta, upload) in enumerate(zip(form.documents, files, strict=True))
    ]
    return form, documents


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["application"],
                    "properties": {
                        "application": {
                            "type": "string",
                            "contentMediaType": "application/json",
                            "contentSchema": {"$ref": "#/components/schemas/ApplicationForm"},
                            "description": "JSON of an ApplicationForm",
                        },
                        "documents": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "maxItems": MAX_DOCUMENTS,
                            "description": "One file per application.documents entry, in that order",
                        },
                    },
                },
                "encoding": {"application": {"contentType": "application/json"}},
            }
        },
    }
}


# --- routes --------------------------------------------------------------------------------------------


@router.post(
    "/identity",
    status_code=202,
    response_model=ChallengeOut,
    responses=errors(422, 429),
    summary="본인인증 1: consent, name, resident number and phone; a code is sent to the phone",
)
def identity(request: Request, body: IdentityBody) -> SafeJSONResponse:
    """Records the consent and sends a six-digit code to the phone (development: the local outbox, read
    with ``seomin notify outbox --phone``). A name that does not match the record of that resident number
    is refused without saying which part is wrong; repeated requests are limited (429 with Retry-After)."""
    platform = platform_of(request)
    started = start_verification(
        platform,
        LocalIdentityProvider(platform.today),
        body.name,
        body.rrn,
        body.phone,
        consent_version=body.consent_version,
    )
    return SafeJSONResponse(
        {
            "challenge": started.challenge,
            "phone": started.phone_masked,
            "expires_at": started.expires_at.isoformat(),
        },
        status_code=202,
    )


@router.post(
    "/identity/confirm",
    response_model=SessionOut,
    responses=errors(422, 429),
    summary="본인인증 2: the code from the phone opens a 30-minute session",
)
def identity_confirm(request: Request, body: IdentityCodeBody) -> SafeJSONResponse:
    """Checks the code (five tries per request, valid three minutes) and returns a session token, shown
    once, with the person's masked details."""
    platform = platform_of(request)
    opened = datetime.now(UTC)
    verified = confirm_verification(platform, body.challenge, body.code)
    return SafeJSONResponse(
        {
            "token": verified.token,
            "expires_at": (opened + SESSION_TTL).isoformat(),
            "applicant": {
                "id": verified.applicant_id,
                "name": verified.name_masked,
                "rrn": verified.rrn_masked,
                "phone": verified.phone_masked,
            },
        }
    )


@router.post(
    "/applications",
    status_code=201,
    response_model=CreatedOut,
    responses=errors(401, 403, 422),
    openapi_extra=_UPLOAD_BODY,
    summary="보증 신청: apply with documents (multipart)",
)
async def submit(request: Request, actor: ApplicantActor) -> SafeJSONResponse:
    """Applies under the product version in force today; the automatic screening runs at once (read the
    application for its result). A stale or future-dated document is a 422 on ``documents.i.issued_on``."""
    content_type = request.headers.get("content-type") or ""
    parts = parse_multipart(content_type, await request.body())
    form, documents = _application_form(parts)
    platform = platform_of(request)
    application_id = await run_in_threadpool(
        submit_application,
        platform,
        actor,
        product_id=form.product_id,
        requested_amount=form.requested_amount,
        term_months=form.term_months,
        grace_months=form.grace_months,
        profile=form.profile,
        documents=documents,
    )
    return SafeJSONResponse(
        {"id": application_id, "status": ApplicationStatus.SUBMITTED.value},
        status_code=201,
        headers={"Location": f"/api/v1/applicant/applications/{application_id}"},
    )


@router.get(
    "/applications",
    response_model=list[ApplicationListItemOut],
    responses=errors(401, 422),
    summary="My applications (oldest first, keyset-paginated)",
)
def my_applications(
    request: Request,
    actor: ApplicantActor,
    status: Annotated[str | None, Query(max_length=32)] = None,
    after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SafeJSONResponse:
    filters = ApplicationFilters(status=status, after_id=after_id, limit=limit)
    return SafeJSONResponse(list_applications(platform_of(request), actor, filters))


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationOut,
    responses=errors(401, 404, 422),
    summary="One of my applications, with its screening, decisions and guarantee",
)
def my_application(
    request: Request, actor: ApplicantActor, application_id: ApplicationId
) -> SafeJSONResponse:
    return SafeJSONResponse(get_application(platform_of(request), actor, application_id))


@router.post(
    "/applications/{application_id}/withdrawal",
    response_model=CreatedOut,
    responses=errors(401, 404, 409, 422),
    summary="철회: withdraw an application not yet guaranteed",
)
def withdraw_application(
    request: Request, actor: ApplicantActor, application_id: ApplicationId
) -> SafeJSONResponse:
    withdraw(platform_of(request), actor, application_id)
    return SafeJSONResponse({"id": application_id, "status": ApplicationStatus.WITHDRAWN.value})


@router.post(
    "/education",
    response_model=CompletionOut,
    responses=errors(401, 404, 422),
    summary="금융교육 이수: record a completed financial-education course",
)
def education(request: Request, actor: ApplicantActor, body: EducationBody) -> SafeJSONResponse:
    completion_id = complete_education(platform_of(request), actor, body.course)
    return SafeJSONResponse({"id": completion_id, "course": body.course})


@router.post(
    "/applications/{application_id}/agreement",
    response_model=IssuedGuarantee,
    responses=errors(401, 404, 409, 422),
    summary="보증약정: agree and get the guarantee certificate for a bank",
)
def agree(
    request: Request,
    actor: ApplicantActor,
    application_id: ApplicationId,
    body: AgreementBody,
) -> SafeJSONResponse:
    """Needs an approved application and the product's education (409 ``EDUCATION_REQUIRED``). The answer
    carries the one-time ``verification_code`` the bank asks for; it is not shown again."""
    issued = agree_and_issue_guarantee(
        platform_of(request), actor, application_id, body.bank_code, method=body.method
    )
    return SafeJSONResponse(plain(issued))


@router.get(
    "/guarantees",
    response_model=list[GuaranteeSummary],
    responses=errors(401),
    summary="My guarantee certificates (without verification codes)",
)
def my_guarantees(request: Request, actor: ApplicantActor) -> SafeJSONResponse:
    return SafeJSONResponse([plain(g) for g in guarantees_of(platform_of(request), actor)])


@router.get(
    "/agency-loans",
    response_model=list[AgencyLoanView],
    responses=errors(401),
    summary="나의 직접대출: interest due today, maturity, and the interest that comes back at full repayment",
)
def my_agency_loans(request: Request, actor: ApplicantActor) -> SafeJSONResponse:
    return SafeJSONResponse([plain(loan) for loan in agency_loans_of(platform_of(request), actor)])
