"""Servicing endpoints (issue 15): recourse repayments by virtual-account deposit (the collection bank) or
at the counter (staff), charges, one recourse debt with its history, the staff worklists (claims to pay,
debts by state and arrears) and the debtor's own recourse debts.

Roles: deposits by a partner bank's API key; counter repayments by counselors and supervisors; charges by
supervisors; reads and worklists by every staff role; the debtor reads their own (others' are 404)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.certificate_pdf import render_certificate
from seomin.adapters.http.auth import ApplicantActor, BankActor, errors, staff_with
from seomin.adapters.http.public import IdempotencyKey, IsoDate, SafeJSONResponse, _Body
from seomin.services.errors import InputError
from seomin.services.identity import STAFF_ROLES
from seomin.services.loan_servicing import (
    CHECKER_ROLES,
    MAKER_ROLES,
    CorrectionView,
    decide_correction,
    list_corrections,
    propose_correction,
)
from seomin.services.loan_servicing.settlement import MAX_BYTES, SettlementReport, apply_settlement_file
from seomin.services.loans.declines import decline_certificate
from seomin.services.platform import Actor
from seomin.services.recourse.certificates import (
    CertificateView,
    VerifiedCertificate,
    certificate_of,
    certificates_of,
    issue_certificate,
    verify_debt_certificate,
)
from seomin.services.recourse.repayments import (
    CHARGE_ROLES,
    COUNTER_ROLES,
    MAX_REASON,
    RecourseDebtDetail,
    RepaymentReceipt,
    charge_recourse_debt,
    record_counter_repayment,
    record_deposit,
    recourse_debt,
    recourse_debts_of,
)
from seomin.services.recourse.reports import REPORT_ROLES, RecourseReport, recourse_report
from seomin.services.recourse.requests import RequestDecision, request_arrangement
from seomin.services.recourse.settlements import (
    ReferralView,
    SettlementView,
    decide_settlement,
    propose_settlement,
    refer_to_employment_support,
)
from seomin.services.recourse.worklists import (
    DEBT_STATES,
    ClaimToPay,
    DebtLine,
    claims_to_pay,
    recourse_worklist,
)

router = APIRouter(tags=["servicing"])
Id = Annotated[int, Path(ge=1, le=2**62)]
AnyStaff = Annotated[Actor, Depends(staff_with(*STAFF_ROLES))]
Counter = Annotated[Actor, Depends(staff_with(*COUNTER_ROLES))]
Charger = Annotated[Actor, Depends(staff_with(*CHARGE_ROLES))]
ReportReader = Annotated[Actor, Depends(staff_with(*REPORT_ROLES))]
CorrectionMaker = Annotated[Actor, Depends(staff_with(*MAKER_ROLES))]
CorrectionChecker = Annotated[Actor, Depends(staff_with(*CHECKER_ROLES))]
Won = Annotated[StrictInt, Field(gt=0, le=1_000_000_000_000, description="Won")]
ChargeKind = Literal["costs", "delinquency_interest", "interest"]


class DepositBody(_Body):
    reference: StrictStr = Field(
        min_length=1, max_length=32, description="The debt's virtual account, e.g. 5617-000000012-3"
    )
    amount: Won
    paid_on: IsoDate | None = Field(default=None, description="Default: today")


class RepaymentBody(_Body):
    amount: Won
    paid_on: IsoDate | None = Field(default=None, description="Default: today")


class ChargeBody(_Body):
    kind: ChargeKind
    amount: Won
    charged_on: IsoDate | None = Field(default=None, description="Default: today")
    reason: StrictStr = Field(min_length=1, max_length=MAX_REASON)


class CorrectionBody(_Body):
    kind: Literal["reversal", "adjustment", "waiver", "reschedule", "write_off"]
    reason: StrictStr = Field(min_length=1, max_length=1000)
    payment_id: StrictInt | None = Field(default=None, ge=1, le=2**62, description="Reversal, adjustment")
    amount: Won | None = Field(default=None, description="Adjustment: the right amount; waiver: won waived")
    part: Literal["interest", "delinquency_interest"] | None = Field(default=None, description="Waiver")
    effective_on: IsoDate | None = Field(default=None, description="Waiver: the day (default today)")
    extra_months: StrictInt | None = Field(default=None, ge=0, le=60, description="Reschedule: months added")
    rate_bp: StrictInt | None = Field(default=None, ge=1, le=2000, description="Reschedule: new rate (bp)")


class DeclineBody(_Body):
    certificate_no: StrictStr = Field(min_length=1, max_length=32)
    verification_code: StrictStr = Field(min_length=1, max_length=64)
    reason: Literal["credit_review", "applicant_withdrew", "documents_mismatch", "other"]
    note: StrictStr = Field(default="", max_length=500)


class DeclineOut(BaseModel):
    certificate_no: str
    status: str
    reason: str


class DecisionBody(_Body):
    approve: StrictBool
    note: StrictStr = Field(default="", max_length=1000)


class CertificateBody(_Body):
    kind: Literal["debt", "paid_in_full"] = Field(
        description="부채증명서 (debt) or 완제증명서 (paid_in_full)"
    )


class SettlementBody(_Body):
    reduction: Won
    reason: StrictStr = Field(min_length=1, max_length=1000)


class SettlementDecisionBody(_Body):
    approve: StrictBool


class ReferralBody(_Body):
    note: StrictStr = Field(min_length=1, max_length=1000, description="Stored encrypted")


class RequestBody(_Body):
    kind: Literal["installment_plan", "deferral"]
    months: StrictInt = Field(ge=1, le=120, description="Plan: 1–120 (online up to the rules' limit)")
    hardship: Literal["unemployment", "illness", "disaster", "income_drop", ""] = Field(
        default="", description="Required for a deferral"
    )
    starts_on: IsoDate | None = Field(default=None, description="Default: today; not before today")


@router.post(
    "/bank/recourse-deposits",
    response_model=RepaymentReceipt,
    responses=errors(401, 404, 409, 422),
    summary="가상계좌 입금: a deposit to a recourse debt's virtual account, recorded exactly once per key",
)
def deposit(
    request: Request, bank: BankActor, body: DepositBody, idempotency_key: IdempotencyKey
) -> SafeJSONResponse:
    """Split costs → delinquency interest → interest → principal; above the balance is 422 ``amount``; a
    mistyped reference (check digit) 422 ``reference``; a repaid debt 409 ``RECOURSE_DEBT_REPAID``."""
    platform = platform_of(request)
    receipt = record_deposit(
        platform, bank, body.reference, body.amount, body.paid_on or platform.today(), idempotency_key
    )
    return SafeJSONResponse(receipt)


@router.post(
    "/staff/recourse-debts/{debt_id}/repayments",
    response_model=RepaymentReceipt,
    responses=errors(401, 403, 404, 409, 422),
    summary="창구 수납: record a recourse repayment taken at a center (counselor, supervisor)",
)
def counter_repayment(
    request: Request, actor: Counter, debt_id: Id, body: RepaymentBody, idempotency_key: IdempotencyKey
) -> SafeJSONResponse:
    platform = platform_of(request)
    receipt = record_counter_repayment(
        platform, actor, debt_id, body.amount, body.paid_on or platform.today(), idempotency_key
    )
    return SafeJSONResponse(receipt)


@router.post(
    "/staff/recourse-debts/{debt_id}/charges",
    response_model=RecourseDebtDetail,
    responses=errors(401, 403, 404, 409, 422),
    summary="비용·이자 부과: charge costs, delinquency interest or interest on a recourse debt (supervisor)",
)
def charge(request: Request, actor: Charger, debt_id: Id, body: ChargeBody) -> SafeJSONResponse:
    platform = platform_of(request)
    detail = charge_recourse_debt(
        platform,
        actor,
        debt_id,
        body.kind,
        body.amount,
        body.charged_on or platform.today(),
        body.reason,
    )
    return SafeJSONResponse(detail)


@router.get(
    "/staff/recourse-debts/{debt_id}",
    response_model=RecourseDebtDetail,
    responses=errors(401, 403, 404, 422),
    summary="구상채권 상세: what is owed by part, the virtual account, the plan's progress and the history",
)
def debt_detail(request: Request, actor: AnyStaff, debt_id: Id) -> SafeJSONResponse:
    return SafeJSONResponse(recourse_debt(platform_of(request), actor, debt_id))


@router.get(
    "/staff/recourse-debts",
    response_model=list[DebtLine],
    responses=errors(401, 403, 422),
    summary="구상채권 관리 목록: recourse debts by state and days behind their plan (keyset by id)",
)
def debt_worklist(
    request: Request,
    actor: AnyStaff,
    status: Annotated[str | None, Query(max_length=32, examples=list(DEBT_STATES))] = None,
    min_days_behind: Annotated[int, Query(ge=0, le=100_000, description="0: every debt")] = 0,
    after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SafeJSONResponse:
    lines = recourse_worklist(
        platform_of(request),
        actor,
        status=status,
        min_days_behind=min_days_behind,
        after_id=after_id,
        limit=limit,
    )
    return SafeJSONResponse(lines)


@router.get(
    "/staff/subrogation-claims",
    response_model=list[ClaimToPay],
    responses=errors(401, 403),
    summary="대위변제 지급 목록: filed claims with the amount recomputed from the ledger and the checks",
)
def claims_worklist(request: Request, actor: AnyStaff) -> SafeJSONResponse:
    return SafeJSONResponse(claims_to_pay(platform_of(request), actor))


@router.get(
    "/applicant/recourse-debts",
    response_model=list[RecourseDebtDetail],
    responses=errors(401),
    summary="나의 구상채무: what I owe the agency, where to pay it, my plan and my repayments",
)
def my_recourse_debts(request: Request, actor: ApplicantActor) -> SafeJSONResponse:
    return SafeJSONResponse(recourse_debts_of(platform_of(request), actor))


@router.post(
    "/applicant/recourse-debts/{debt_id}/requests",
    response_model=RequestDecision,
    responses=errors(401, 404, 409, 422),
    summary="분할상환·상환유예 온라인 신청: decided at once by the published rules, with every reason",
)
def my_request(request: Request, actor: ApplicantActor, debt_id: Id, body: RequestBody) -> SafeJSONResponse:
    """Granted: the plan or deferral is in force (``plan``); declined: ``reasons`` (stable codes, Korean and
    English). A second plan on a plan in force is 409 as for staff."""
    decision = request_arrangement(
        platform_of(request), actor, debt_id, body.kind, body.months, body.hardship, body.starts_on
    )
    return SafeJSONResponse(decision)


def _propose(request: Request, actor: Actor, loan_id: int, body: CorrectionBody) -> SafeJSONResponse:
    view = propose_correction(
        platform_of(request),
        actor,
        loan_id,
        body.kind,
        body.reason,
        payment_id=body.payment_id,
        amount=body.amount,
        part=body.part,
        effective_on=body.effective_on,
        extra_months=body.extra_months,
        rate_bp=body.rate_bp,
    )
    return SafeJSONResponse(view, status_code=201)


@router.post(
    "/bank/loans/{loan_id}/corrections",
    status_code=201,
    response_model=CorrectionView,
    responses=errors(401, 404, 409, 422),
    summary="거래 정정 요청: reverse or adjust a payment, waive interest, reschedule; a supervisor approves",
)
def bank_correction(request: Request, bank: BankActor, loan_id: Id, body: CorrectionBody) -> SafeJSONResponse:
    """The effect (balance after, splits changed) is computed at once; nothing changes until approved."""
    return _propose(request, bank, loan_id, body)


@router.post(
    "/staff/loans/{loan_id}/corrections",
    status_code=201,
    response_model=CorrectionView,
    responses=errors(401, 403, 404, 409, 422),
    summary="거래 정정·감면 제안: a reviewer or supervisor proposes a correction of a bank loan",
)
def staff_correction(
    request: Request, actor: CorrectionMaker, loan_id: Id, body: CorrectionBody
) -> SafeJSONResponse:
    return _propose(request, actor, loan_id, body)


@router.get(
    "/staff/loan-corrections",
    response_model=list[CorrectionView],
    responses=errors(401, 403, 422),
    summary="정정 승인 대기: loan corrections by status (default: proposed)",
)
def corrections(
    request: Request,
    actor: AnyStaff,
    status: Annotated[Literal["proposed", "applied", "declined"], Query()] = "proposed",
) -> SafeJSONResponse:
    return SafeJSONResponse(list_corrections(platform_of(request), actor, status))


@router.post(
    "/staff/loan-corrections/{correction_id}/decision",
    response_model=CorrectionView,
    responses=errors(401, 403, 404, 409, 422),
    summary="정정 승인: a supervisor other than the proposer applies (re-allocating exactly) or declines",
)
def correction_decision(
    request: Request, actor: CorrectionChecker, correction_id: Id, body: DecisionBody
) -> SafeJSONResponse:
    view = decide_correction(platform_of(request), actor, correction_id, body.approve, body.note)
    return SafeJSONResponse(view)


@router.post(
    "/bank/certificates/decline",
    response_model=DeclineOut,
    responses=errors(401, 404, 409, 422, 429),
    summary="대출 거절: the bank declines a verified certificate; the person's limit is free again",
)
def decline(request: Request, bank: BankActor, body: DeclineBody) -> SafeJSONResponse:
    """The same code check (and attempt limit) as verification; only an issued guarantee (409 otherwise)."""
    answer = decline_certificate(
        platform_of(request), bank, body.certificate_no, body.verification_code, body.reason, body.note
    )
    return SafeJSONResponse(answer)


@router.post(
    "/bank/settlement-files",
    response_model=SettlementReport,
    responses=errors(401, 409, 422),
    summary="일일 수납 파일: the day's payments as CSV, each line posted exactly once, with the rejects",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "loan_id,paid_on,amount,reference\n1,2025-05-15,120000,KJ-0001\n",
                }
            },
        }
    },
)
async def settlement_file(
    request: Request,
    bank: BankActor,
    business_date: Annotated[IsoDate, Query(description="The day the file settles")],
) -> SafeJSONResponse:
    """Header ``loan_id,paid_on,amount,reference``; each line is a payment with the idempotency key
    ``settlement:<reference>``. The same file again answers the stored report (``replayed``)."""
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise InputError("file", f"at most {MAX_BYTES:,} bytes")
    report = await run_in_threadpool(apply_settlement_file, platform_of(request), bank, business_date, body)
    return SafeJSONResponse(report)


@router.post(
    "/applicant/recourse-debts/{debt_id}/certificates",
    status_code=201,
    response_model=CertificateView,
    responses=errors(401, 404, 409, 422),
    summary="부채증명서·완제증명서 발급: issue a certificate (PDF at …/debt-certificates/{id}/pdf)",
)
def issue(request: Request, actor: ApplicantActor, debt_id: Id, body: CertificateBody) -> SafeJSONResponse:
    view = issue_certificate(platform_of(request), actor, debt_id, body.kind)
    return SafeJSONResponse(view, status_code=201)


@router.get(
    "/applicant/debt-certificates",
    response_model=list[CertificateView],
    responses=errors(401),
    summary="내 증명서: the certificates issued, newest first (each downloadable again)",
)
def my_certificates(request: Request, actor: ApplicantActor) -> SafeJSONResponse:
    return SafeJSONResponse(certificates_of(platform_of(request), actor))


@router.get(
    "/applicant/debt-certificates/{certificate_id}/pdf",
    response_class=Response,
    responses={
        **errors(401, 404, 422),
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The PDF",
        },
    },
    summary="증명서 PDF: the same document every time, Korean font embedded",
)
def certificate_pdf(request: Request, actor: ApplicantActor, certificate_id: Id) -> Response:
    view = certificate_of(platform_of(request), actor, certificate_id)
    return Response(
        render_certificate(view),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{view.certificate_no}.pdf"'},
    )


@router.get(
    "/debt-certificates/verification",
    response_model=VerifiedCertificate,
    responses=errors(404, 422, 429),
    summary="증명서 진위 확인 (public): the number and the code printed on a 부채증명서 or 완제증명서",
)
def verify(
    request: Request,
    certificate_no: Annotated[str, Query(min_length=1, max_length=24)],
    code: Annotated[str, Query(min_length=1, max_length=32)],
) -> SafeJSONResponse:
    return SafeJSONResponse(verify_debt_certificate(platform_of(request), certificate_no, code))


@router.post(
    "/staff/recourse-debts/{debt_id}/settlements",
    status_code=201,
    response_model=SettlementView,
    responses=errors(401, 403, 404, 409, 422),
    summary="채무조정 제안: a reduction of the balance (capped by the rules); another supervisor approves it",
)
def settlement(request: Request, actor: Counter, debt_id: Id, body: SettlementBody) -> SafeJSONResponse:
    view = propose_settlement(platform_of(request), actor, debt_id, body.reduction, body.reason)
    return SafeJSONResponse(view, status_code=201)


@router.post(
    "/staff/recourse-settlements/{settlement_id}/decision",
    response_model=SettlementView,
    responses=errors(401, 403, 404, 409, 422),
    summary="채무조정 승인: a supervisor other than the proposer applies or declines the reduction",
)
def settlement_decision(
    request: Request, actor: Charger, settlement_id: Id, body: SettlementDecisionBody
) -> SafeJSONResponse:
    return SafeJSONResponse(decide_settlement(platform_of(request), actor, settlement_id, body.approve))


@router.post(
    "/staff/recourse-debts/{debt_id}/employment-referral",
    status_code=201,
    response_model=ReferralView,
    responses=errors(401, 403, 404, 422),
    summary="취업지원 연계: record a referral of the debtor to national employment support",
)
def referral(request: Request, actor: Counter, debt_id: Id, body: ReferralBody) -> SafeJSONResponse:
    view = refer_to_employment_support(platform_of(request), actor, debt_id, body.note)
    return SafeJSONResponse(view, status_code=201)


@router.get(
    "/staff/reports/recourse",
    response_model=RecourseReport,
    responses=errors(401, 403),
    summary="경영 보고: subrogation rate by product and cohort, recoveries by month, balance by state",
)
def report(request: Request, actor: ReportReader) -> SafeJSONResponse:
    return SafeJSONResponse(recourse_report(platform_of(request), actor))
