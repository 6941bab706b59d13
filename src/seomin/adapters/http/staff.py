"""The agency staff's endpoints (진흥원): sign-in, the application queue, decisions with maker-checker,
subrogation payments, installment plans and deferrals of recourse debts, and the audit trail.

Roles per route (403 otherwise): the queue and application detail for every role (counselors and
auditors see personal data masked); decisions and second reviews for reviewers and supervisors; paying a
subrogation claim for supervisors; plans and deferrals for counselors and supervisors; the audit trail for
auditors and supervisors.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.applicant import ApplicationListItemOut, ApplicationOut
from seomin.adapters.http.auth import (
    Unauthorized,
    errors,
    issue_staff_token,
    staff_with,
)
from seomin.adapters.http.public import IdempotencyKey, IsoDate, SafeJSONResponse, _Body, plain
from seomin.services.agency_loans import (
    LENDING_ROLES,
    AgencyLoanView,
    disburse_agency_loan,
    extend_agency_loan,
    record_agency_payment,
)
from seomin.services.applications import (
    ApplicationFilters,
    confirm_second_review,
    decide,
    get_application,
    list_applications,
)
from seomin.services.audit_trail import AuditEntry, audit_events
from seomin.services.errors import Forbidden
from seomin.services.identity import STAFF_ROLES, authenticate_staff, change_staff_password
from seomin.services.platform import Actor, Platform
from seomin.services.recourse import (
    MAX_DEFERRAL_MONTHS,
    MAX_PLAN_MONTHS,
    RecourseDebtView,
    RecoursePlanView,
    approve_arrangement,
    grant_deferral,
    grant_installment_plan,
    pay_subrogation_claim,
)

router = APIRouter(prefix="/staff", tags=["staff"])
Id = Annotated[int, Path(ge=1, le=2**62)]
AnyStaff = Annotated[Actor, Depends(staff_with(*STAFF_ROLES))]
Reviewer = Annotated[Actor, Depends(staff_with("reviewer", "supervisor"))]
Supervisor = Annotated[Actor, Depends(staff_with("supervisor"))]
PlanGranter = Annotated[Actor, Depends(staff_with("counselor", "supervisor"))]
AuditReader = Annotated[Actor, Depends(staff_with("auditor", "supervisor"))]
Lender = Annotated[Actor, Depends(staff_with(*LENDING_ROLES))]


class LoginBody(_Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"username": "demo-reviewer", "password": "..."}]}
    )
    username: StrictStr = Field(min_length=1, max_length=64)
    password: StrictStr = Field(min_length=1, max_length=256)
    new_password: StrictStr | None = Field(
        default=None,
        max_length=256,
        description="Replaces the password; required after a reset (409 PASSWORD_CHANGE_REQUIRED without it)",
    )


class PasswordChangeBody(_Body):
    current_password: StrictStr = Field(min_length=1, max_length=256)
    new_password: StrictStr = Field(max_length=256)


class DecisionBody(_Body):
    """A reviewer's decision: a rejection needs reason codes; an approval overriding the screening a note."""

    approve: StrictBool
    amount: StrictInt | None = Field(
        default=None, gt=0, le=1_000_000_000_000, description="Default: requested"
    )
    reason_codes: list[StrictStr] = Field(default_factory=list, max_length=20)
    note: StrictStr = Field(default="", max_length=2000)


class SecondReviewBody(_Body):
    approve: StrictBool
    reason_codes: list[StrictStr] = Field(default_factory=list, max_length=20)
    note: StrictStr = Field(default="", max_length=2000)


class PaymentBody(_Body):
    paid_on: IsoDate | None = Field(default=None, description="Default: today")


class DisbursementBody(_Body):
    account_bank: StrictStr = Field(min_length=1, max_length=64, description="The bank of the account")
    account_no: StrictStr = Field(min_length=1, max_length=32, description="Digits, hyphens allowed")
    holder_name: StrictStr = Field(min_length=1, max_length=100, description="Must be the borrower's")


class AgencyPaymentBody(_Body):
    amount: StrictInt = Field(gt=0, le=1_000_000_000, description="Won received")
    paid_on: IsoDate | None = Field(default=None, description="Default: today")


class PlanBody(_Body):
    months: StrictInt = Field(ge=1, le=MAX_PLAN_MONTHS)
    starts_on: IsoDate | None = Field(default=None, description="Default: today")


class DeferralBody(_Body):
    months: StrictInt = Field(ge=1, le=MAX_DEFERRAL_MONTHS)
    starts_on: IsoDate | None = Field(default=None, description="Default: today")


class LoginOut(BaseModel):
    token: str = Field(description="Send as Authorization: Bearer <token>")
    token_type: str
    expires_at: datetime
    staff: dict[str, str]


class StatusOut(BaseModel):
    id: int
    status: str


@router.post("/login", response_model=LoginOut, responses=errors(401, 409, 422, 429), summary="Staff sign-in")
def login(request: Request, body: LoginBody) -> SafeJSONResponse:
    """A signed bearer token for 8 hours; a wrong username or password is one 401, whatever was wrong.
    After a password reset the right password alone is answered 409 ``PASSWORD_CHANGE_REQUIRED``: sign in
    again with ``new_password``."""
    platform = platform_of(request)
    try:
        actor = authenticate_staff(platform, body.username, body.password, body.new_password)
    except Forbidden:
        raise Unauthorized("invalid username or password") from None
    return _token_answer(platform, actor)


@router.post(
    "/password",
    response_model=LoginOut,
    responses=errors(401, 422, 429),
    summary="비밀번호 변경: change my own password (every other session ends; a fresh token is returned)",
)
def change_password(request: Request, actor: AnyStaff, body: PasswordChangeBody) -> SafeJSONResponse:
    platform = platform_of(request)
    try:
        change_staff_password(platform, actor, body.current_password, body.new_password)
    except Forbidden:
        raise Unauthorized("invalid username or password") from None
    return _token_answer(platform, actor)


def _token_answer(platform: Platform, actor: Actor) -> SafeJSONResponse:
    issued = issue_staff_token(platform, actor)
    return SafeJSONResponse(
        {
            "token": issued.token,
            "token_type": "Bearer",
            "expires_at": issued.expires_at.isoformat(),
            "staff": {"id": actor.id, "role": actor.role or ""},
        }
    )


@router.get(
    "/applications",
    response_model=list[ApplicationListItemOut],
    responses=errors(401, 403, 422),
    summary="심사 대기열: applications by status, product, screening, region, age and submission day",
)
def queue(
    request: Request,
    actor: AnyStaff,
    status: Annotated[str | None, Query(max_length=32, examples=["submitted"])] = None,
    product_id: Annotated[str | None, Query(max_length=64)] = None,
    screening_status: Annotated[str | None, Query(max_length=32)] = None,
    applicant_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    submitted_from: Annotated[IsoDate | None, Query()] = None,
    submitted_to: Annotated[IsoDate | None, Query()] = None,
    region: Annotated[str | None, Query(max_length=16, description="시도, e.g. 서울")] = None,
    age_min: Annotated[int | None, Query(ge=0, le=150, description="만 나이 today, inclusive")] = None,
    age_max: Annotated[int | None, Query(ge=0, le=150, description="만 나이 today, inclusive")] = None,
    after_id: Annotated[int, Query(ge=0, le=2**62, description="Keyset: ids after this")] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SafeJSONResponse:
    filters = ApplicationFilters(
        status=status,
        product_id=product_id,
        screening_status=screening_status,
        applicant_id=applicant_id,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        region=region,
        age_min=age_min,
        age_max=age_max,
        after_id=after_id,
        limit=limit,
    )
    return SafeJSONResponse(list_applications(platform_of(request), actor, filters))


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationOut,
    responses=errors(401, 403, 404, 422),
    summary="One application in full (masked for counselors and auditors)",
)
def application_detail(request: Request, actor: AnyStaff, application_id: Id) -> SafeJSONResponse:
    return SafeJSONResponse(get_application(platform_of(request), actor, application_id))


@router.post(
    "/applications/{application_id}/decision",
    response_model=StatusOut,
    responses=errors(401, 403, 404, 409, 422),
    summary="심사 결정: approve (maybe pending a second review) or reject",
)
def decision(request: Request, actor: Reviewer, application_id: Id, body: DecisionBody) -> SafeJSONResponse:
    """An approval above the product's threshold, or overriding the screening, becomes
    ``pending_second_review``; a limit rule is never overridden (409 with the engine's code)."""
    status = decide(
        platform_of(request),
        actor,
        application_id,
        approve=body.approve,
        amount=body.amount,
        reason_codes=body.reason_codes,
        note=body.note,
    )
    return SafeJSONResponse({"id": application_id, "status": status.value})


@router.post(
    "/applications/{application_id}/second-review",
    response_model=StatusOut,
    responses=errors(401, 403, 404, 409, 422),
    summary="2차 심사: confirm or decline an approval (by another reviewer)",
)
def second_review(
    request: Request, actor: Reviewer, application_id: Id, body: SecondReviewBody
) -> SafeJSONResponse:
    status = confirm_second_review(
        platform_of(request),
        actor,
        application_id,
        body.approve,
        body.note,
        reason_codes=body.reason_codes,
    )
    return SafeJSONResponse({"id": application_id, "status": status.value})


@router.post(
    "/subrogation-claims/{claim_id}/payment",
    response_model=RecourseDebtView,
    responses=errors(401, 403, 404, 409, 422),
    summary="대위변제: pay a bank's claim; the borrower then owes the agency (recourse debt)",
)
def pay_claim(request: Request, actor: Supervisor, claim_id: Id, body: PaymentBody) -> SafeJSONResponse:
    platform = platform_of(request)
    debt = pay_subrogation_claim(platform, actor, claim_id, body.paid_on or platform.today())
    return SafeJSONResponse(plain(debt))


@router.post(
    "/recourse-debts/{debt_id}/installment-plan",
    response_model=RecoursePlanView,
    responses=errors(401, 403, 404, 409, 422),
    summary="분할상환: grant an installment plan on a recourse debt",
)
def installment_plan(request: Request, actor: PlanGranter, debt_id: Id, body: PlanBody) -> SafeJSONResponse:
    platform = platform_of(request)
    plan = grant_installment_plan(platform, actor, debt_id, body.months, body.starts_on or platform.today())
    return SafeJSONResponse(plain(plan))


@router.post(
    "/recourse-debts/{debt_id}/deferral",
    response_model=RecoursePlanView,
    responses=errors(401, 403, 404, 409, 422),
    summary="상환유예: defer a recourse debt",
)
def deferral(request: Request, actor: PlanGranter, debt_id: Id, body: DeferralBody) -> SafeJSONResponse:
    platform = platform_of(request)
    plan = grant_deferral(platform, actor, debt_id, body.months, body.starts_on or platform.today())
    return SafeJSONResponse(plain(plan))


@router.post(
    "/recourse-plans/{plan_id}/approval",
    response_model=RecoursePlanView,
    responses=errors(401, 403, 404, 409, 422),
    summary="2차 승인: a second supervisor puts a long installment plan or deferral in force",
)
def approve_plan(request: Request, actor: Supervisor, plan_id: Id) -> SafeJSONResponse:
    """Plans above 60 months and deferrals above 12 are proposed first (``status: proposed``); another
    supervisor than the proposer approves them here (409 ``SECOND_APPROVER_SAME`` otherwise)."""
    return SafeJSONResponse(plain(approve_arrangement(platform_of(request), actor, plan_id)))


@router.get(
    "/audit-events",
    response_model=list[AuditEntry],
    responses=errors(401, 403, 422),
    summary="감사 추적: the audit events of one entity, oldest first (keyset-paginated)",
)
async def audit_trail(
    request: Request,
    actor: AuditReader,
    entity_type: Annotated[str, Query(min_length=1, max_length=32, examples=["application"])],
    entity_id: Annotated[str, Query(min_length=1, max_length=64, examples=["1"])],
    after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SafeJSONResponse:
    entries = await run_in_threadpool(
        partial(
            audit_events,
            platform_of(request),
            actor,
            entity_type,
            entity_id,
            after_id=after_id,
            limit=limit,
        )
    )
    return SafeJSONResponse([plain(e) for e in entries])


# --- agency loans (직접대출) ---------------------------------------------------------------------------


@router.post(
    "/applications/{application_id}/disbursement",
    response_model=AgencyLoanView,
    responses=errors(401, 403, 404, 409, 422),
    summary="직접대출 지급: the agency lends an approved 불법사금융예방대출 today, to their own account",
)
def disburse(request: Request, actor: Lender, application_id: Id, body: DisbursementBody) -> SafeJSONResponse:
    """Counseling first (409 ``EDUCATION_REQUIRED``); the holder must be the borrower (422 ``holder_name``);
    only agency-loan products (409 ``NOT_AN_AGENCY_LOAN``)."""
    loan = disburse_agency_loan(
        platform_of(request),
        actor,
        application_id,
        account_bank=body.account_bank,
        account_no=body.account_no,
        holder_name=body.holder_name,
    )
    return SafeJSONResponse(plain(loan))


@router.post(
    "/agency-loans/{loan_id}/payments",
    response_model=AgencyLoanView,
    responses=errors(401, 403, 404, 409, 422),
    summary="직접대출 상환: record a payment (interest to the day first, then principal)",
)
def agency_payment(
    request: Request, actor: Lender, loan_id: Id, body: AgencyPaymentBody, idempotency_key: IdempotencyKey
) -> SafeJSONResponse:
    platform = platform_of(request)
    paid_on = body.paid_on or platform.today()
    loan = record_agency_payment(platform, actor, loan_id, body.amount, paid_on, idempotency_key)
    return SafeJSONResponse(plain(loan))


@router.post(
    "/agency-loans/{loan_id}/extension",
    response_model=AgencyLoanView,
    responses=errors(401, 403, 404, 409, 422),
    summary="만기 연장: a year more, with the interest paid up to today, up to five years",
)
def agency_extension(request: Request, actor: Lender, loan_id: Id) -> SafeJSONResponse:
    return SafeJSONResponse(plain(extend_agency_loan(platform_of(request), actor, loan_id)))
