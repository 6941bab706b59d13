"""휴면예금 찾아줌 over HTTP: a verified person's look-up and claim, a counselor's walk-in look-up and a
supervisor's release of a large payout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import Field, StrictBool, StrictStr
from starlette.concurrency import run_in_threadpool

from seomin.adapters.app_state import platform_of
from seomin.adapters.dormant_files import FileFormatError, file_text
from seomin.adapters.http.auth import ApplicantActor, PartnerActor, errors, staff_with
from seomin.adapters.http.public import SafeJSONResponse, _Body, plain
from seomin.services.dormant_deposits import (
    APPROVING_ROLES,
    FIGURE_ROLES,
    LOOKUP_ROLES,
    SECTORS,
    ClaimResult,
    HeldDeposit,
    ImportReport,
    SectorFigures,
    approve_payout,
    claim_deposit,
    disclosure_figures,
    import_file,
    look_up_for_walk_in,
    my_dormant_deposits,
    partner_claim,
    partner_look_up,
)
from seomin.services.errors import InputError
from seomin.services.ledger import BALANCE_ROLES, TrialBalance, trial_balance
from seomin.services.platform import Actor

router = APIRouter(tags=["dormant deposits"])
Id = Annotated[int, Path(ge=1, le=2**62)]
LookUpStaff = Annotated[Actor, Depends(staff_with(*sorted(LOOKUP_ROLES)))]
FigureReader = Annotated[Actor, Depends(staff_with(*sorted(FIGURE_ROLES)))]
Approver = Annotated[Actor, Depends(staff_with(*sorted(APPROVING_ROLES)))]
LedgerReader = Annotated[Actor, Depends(staff_with(*sorted(BALANCE_ROLES)))]
Month = Annotated[
    str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM; default: since the start")
]


class ClaimBody(_Body):
    """Pay to an account in the claimant's own name, or donate to 미소금융 funding."""

    donate: StrictBool = False
    account: StrictStr | None = Field(default=None, max_length=32, description="Bank account, digits")
    account_holder_name: StrictStr = Field(default="", max_length=50, description="Must be the claimant")


class WalkInBody(_Body):
    rrn: StrictStr = Field(
        min_length=13, max_length=14, description="주민등록번호 of the person at the counter"
    )
    reason: StrictStr = Field(min_length=1, max_length=500, description="Why the look-up is made (audited)")


@router.get(
    "/applicant/dormant-deposits",
    response_model=list[HeldDeposit],
    responses=errors(401),
    summary="휴면예금 조회: everything held in my name, with interest to today",
)
def my_deposits(request: Request, actor: ApplicantActor) -> SafeJSONResponse:
    return SafeJSONResponse([plain(d) for d in my_dormant_deposits(platform_of(request), actor)])


@router.post(
    "/applicant/dormant-deposits/{deposit_id}/claim",
    response_model=ClaimResult,
    responses=errors(401, 404, 409, 422),
    summary="지급청구: pay a dormant deposit to my own account or donate it; a retry answers the same claim",
)
def claim(request: Request, actor: ApplicantActor, deposit_id: Id, body: ClaimBody) -> SafeJSONResponse:
    result = claim_deposit(
        platform_of(request),
        actor,
        deposit_id,
        account=body.account,
        account_holder_name=body.account_holder_name,
        donate=body.donate,
    )
    return SafeJSONResponse(plain(result))


@router.post(
    "/staff/dormant-deposits/look-up",
    response_model=list[HeldDeposit],
    responses=errors(401, 403, 422),
    summary="A counselor's audited look-up for a walk-in",
)
def walk_in(request: Request, actor: LookUpStaff, body: WalkInBody) -> SafeJSONResponse:
    found = look_up_for_walk_in(platform_of(request), actor, body.rrn, body.reason)
    return SafeJSONResponse([plain(d) for d in found])


@router.post(
    "/staff/dormant-claims/{claim_id}/approval",
    response_model=ClaimResult,
    responses=errors(401, 403, 404, 409, 422),
    summary="Second approval releasing a large online payout",
)
def approve(request: Request, actor: Approver, claim_id: Id) -> SafeJSONResponse:
    return SafeJSONResponse(plain(approve_payout(platform_of(request), actor, claim_id)))


@router.get(
    "/staff/dormant-deposits/figures",
    response_model=list[SectorFigures],
    responses=errors(401, 403, 422),
    summary="휴면금융자산 관리 현황: contributed, paid, donated and outstanding by sector, from the ledger",
)
def figures(request: Request, actor: FigureReader, month: Month = None) -> SafeJSONResponse:
    return SafeJSONResponse([plain(f) for f in disclosure_figures(platform_of(request), actor, month)])


@router.get(
    "/staff/ledger/balances",
    response_model=TrialBalance,
    responses=errors(401, 403),
    summary="Trial balance of the money ledger (payouts, donations, fees, refunds): totals zero",
)
def balances(request: Request, actor: LedgerReader) -> SafeJSONResponse:
    return SafeJSONResponse(plain(trial_balance(platform_of(request), actor)))


_FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The institution's file: CSV (UTF-8) or XLSX, header "
        "source_ref,holder_rrn,product,amount,rate_bp,contributed_on",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
        },
    }
}


@router.post(
    "/staff/dormant-deposits/files",
    response_model=ImportReport,
    responses=errors(401, 403, 409, 422),
    summary="출연 파일 업로드: an institution's CSV or XLSX, validated row by row, reconciled to its total",
    openapi_extra=_FILE_BODY,
)
async def upload(
    request: Request,
    actor: Approver,
    institution_code: Annotated[str, Query(pattern=r"^[a-z0-9-]{1,32}$")],
    sector: Annotated[str, Query(description=", ".join(sorted(SECTORS)))],
    declared_total: Annotated[int, Query(ge=0, le=10**15, description="The file's total in won")],
) -> SafeJSONResponse:
    """Rows already held (same reference) are skipped, so a re-upload is harmless; refused rows are listed
    by line; nothing is written unless the valid rows add up to ``declared_total``."""
    try:
        text = file_text(request.headers.get("content-type", ""), await request.body())
    except FileFormatError as exc:
        raise InputError("file", str(exc)) from None
    platform = platform_of(request)
    report = await run_in_threadpool(
        import_file, platform, actor, institution_code, sector, text, declared_total
    )
    return SafeJSONResponse(plain(report))


# --- fintech partners acting for a person they verified ----------------------------------------------


class PersonBody(_Body):
    """The person the partner verified itself (its own certified 본인인증); the name must match our record."""

    name: StrictStr = Field(min_length=1, max_length=50)
    rrn: StrictStr = Field(min_length=13, max_length=14, description="주민등록번호")
    phone: StrictStr = Field(min_length=10, max_length=13, description="Mobile number, 010…")


class PartnerClaimBody(PersonBody, ClaimBody):
    pass


@router.post(
    "/partner/dormant-deposits/look-up",
    response_model=list[HeldDeposit],
    responses=errors(401, 422, 429),
    summary="Partner look-up: everything held in a verified person's name (rate-limited, audited)",
)
def partner_deposits(request: Request, partner: PartnerActor, body: PersonBody) -> SafeJSONResponse:
    found = partner_look_up(platform_of(request), partner, body.name, body.rrn, body.phone)
    return SafeJSONResponse([plain(d) for d in found])


@router.post(
    "/partner/dormant-deposits/{deposit_id}/claim",
    response_model=ClaimResult,
    responses=errors(401, 404, 409, 422, 429),
    summary="Partner claim: pay to the person's own account or donate; a retry answers the same claim",
)
def partner_file_claim(
    request: Request, partner: PartnerActor, deposit_id: Id, body: PartnerClaimBody
) -> SafeJSONResponse:
    result = partner_claim(
        platform_of(request),
        partner,
        body.name,
        body.rrn,
        body.phone,
        deposit_id,
        account=body.account,
        account_holder_name=body.account_holder_name,
        donate=body.donate,
    )
    return SafeJSONResponse(plain(result))
