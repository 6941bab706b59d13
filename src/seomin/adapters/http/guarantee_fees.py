"""보증료 over HTTP: refund quotes, the banks' collection reports, the monthly reconciliation per bank, and
a person's look-up of unrefunded fees with payment to an own-name account in one step."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import Field, StrictInt, StrictStr

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import ApplicantActor, BankActor, errors, staff_with
from seomin.adapters.http.public import IsoDate, SafeJSONResponse, _Body, plain
from seomin.services.guarantee_fees import (
    QUOTE_ROLES,
    RECONCILE_ROLES,
    FeeQuote,
    FeeRefundView,
    Reconciliation,
    ReportedFee,
    ReportOutcome,
    claim_fee_refunds,
    fee_refund_quote,
    my_fee_refunds,
    reconcile,
    report_collections,
)
from seomin.services.platform import Actor

router = APIRouter(tags=["guarantee fees"])
Id = Annotated[int, Path(ge=1, le=2**62)]
QuoteStaff = Annotated[Actor, Depends(staff_with(*sorted(QUOTE_ROLES)))]
RepaidOn = Annotated[IsoDate, Query(description="The day of the early repayment, YYYY-MM-DD")]
RepaidAmount = Annotated[
    int | None, Query(ge=1, le=10**12, description="Won repaid; default: the whole loan")
]
Reconciler = Annotated[Actor, Depends(staff_with(*sorted(RECONCILE_ROLES)))]
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
SUMMARY = "보증료 환급: the fee and the unearned refund of an early or partial repayment on a day"


@router.get(
    "/applicant/guarantees/{guarantee_id}/fee-refund",
    response_model=FeeQuote,
    responses=errors(401, 404, 409, 422),
    summary=SUMMARY,
)
def my_quote(
    request: Request,
    actor: ApplicantActor,
    guarantee_id: Id,
    repaid_on: RepaidOn,
    repaid_amount: RepaidAmount = None,
) -> SafeJSONResponse:
    return _quote(request, actor, guarantee_id, repaid_on, repaid_amount)


@router.get(
    "/staff/guarantees/{guarantee_id}/fee-refund",
    response_model=FeeQuote,
    responses=errors(401, 403, 404, 409, 422),
    summary=SUMMARY,
)
def staff_quote(
    request: Request,
    actor: QuoteStaff,
    guarantee_id: Id,
    repaid_on: RepaidOn,
    repaid_amount: RepaidAmount = None,
) -> SafeJSONResponse:
    return _quote(request, actor, guarantee_id, repaid_on, repaid_amount)


def _quote(
    request: Request, actor: Actor, guarantee_id: int, repaid_on: date, repaid_amount: int | None
) -> SafeJSONResponse:
    return SafeJSONResponse(
        plain(fee_refund_quote(platform_of(request), actor, guarantee_id, repaid_on, repaid_amount))
    )


class ReportedRow(_Body):
    certificate_no: StrictStr = Field(min_length=1, max_length=32)
    amount: StrictInt = Field(ge=1, le=10**12, description="Won collected for this guarantee in the month")


class FeeReportBody(_Body):
    month: StrictStr = Field(pattern=MONTH, description="YYYY-MM of the collections")
    rows: list[ReportedRow] = Field(
        min_length=1, max_length=1_000, description="At most 1,000 rows a request: send a month in parts"
    )


class RefundAccountBody(_Body):
    account: StrictStr = Field(max_length=32, description="Bank account, digits")
    account_holder_name: StrictStr = Field(max_length=50, description="Must be the person themself")


@router.post(
    "/bank/guarantee-fee-reports",
    response_model=ReportOutcome,
    responses=errors(401, 409, 422),
    summary="보증료 수납 보고: fees the bank collected per certificate in a month; a re-sent row is skipped",
)
def bank_report(request: Request, bank: BankActor, body: FeeReportBody) -> SafeJSONResponse:
    rows = [ReportedFee(r.certificate_no, r.amount) for r in body.rows]
    return SafeJSONResponse(plain(report_collections(platform_of(request), bank, body.month, rows)))


@router.get(
    "/staff/guarantee-fees/reconciliation",
    response_model=Reconciliation,
    responses=errors(401, 403, 422),
    summary="월별 보증료 대사: fees billed against fees a bank reported, the differences listed",
)
def reconciliation(
    request: Request,
    actor: Reconciler,
    bank_code: Annotated[str, Query(min_length=1, max_length=32)],
    month: Annotated[str, Query(pattern=MONTH, description="YYYY-MM")],
) -> SafeJSONResponse:
    return SafeJSONResponse(plain(reconcile(platform_of(request), actor, bank_code, month)))


@router.get(
    "/applicant/guarantee-fee-refunds",
    response_model=list[FeeRefundView],
    responses=errors(401),
    summary="미환급 보증료 조회: the guarantee-fee refunds owed to (or paid to) me",
)
def my_refunds(request: Request, actor: ApplicantActor) -> SafeJSONResponse:
    return SafeJSONResponse([plain(r) for r in my_fee_refunds(platform_of(request), actor)])


@router.post(
    "/applicant/guarantee-fee-refunds/claim",
    response_model=list[FeeRefundView],
    responses=errors(401, 404, 422),
    summary="환급 신청: register my own-name account and be paid every unpaid refund (SMS when paid)",
)
def claim_refunds(request: Request, actor: ApplicantActor, body: RefundAccountBody) -> SafeJSONResponse:
    paid = claim_fee_refunds(platform_of(request), actor, body.account, body.account_holder_name)
    return SafeJSONResponse([plain(r) for r in paid])
