"""보증료 환급 견적 over HTTP: the guaranteed person's own quote and a counselor's quote for any guarantee."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import ApplicantActor, errors, staff_with
from seomin.adapters.http.public import IsoDate, SafeJSONResponse, plain
from seomin.services.guarantee_fees import QUOTE_ROLES, FeeQuote, fee_refund_quote
from seomin.services.platform import Actor

router = APIRouter(tags=["guarantee fees"])
Id = Annotated[int, Path(ge=1, le=2**62)]
QuoteStaff = Annotated[Actor, Depends(staff_with(*sorted(QUOTE_ROLES)))]
RepaidOn = Annotated[IsoDate, Query(description="The day of the early repayment, YYYY-MM-DD")]
RepaidAmount = Annotated[
    int | None, Query(ge=1, le=10**12, description="Won repaid; default: the whole loan")
]
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
