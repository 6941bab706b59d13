"""사칭·불법사금융 신고센터 API: anyone reports (no account) and reads the confirmed fakes; staff triage
groups of reports and read the monthly figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field, StrictBool, StrictStr

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import errors, staff_with
from seomin.adapters.http.public import SafeJSONResponse, _Body, plain
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor
from seomin.services.report_center import (
    TRIAGE_ROLES,
    ConfirmedFake,
    MonthFigures,
    ReportGroup,
    ReportReceipt,
    confirmed_fakes,
    monthly_figures,
    report_groups,
    submit_report,
    triage,
)

router = APIRouter(tags=["fraud report center"])
AnyStaff = Annotated[Actor, Depends(staff_with(*STAFF_ROLES))]
Triager = Annotated[Actor, Depends(staff_with(*sorted(TRIAGE_ROLES)))]


class ReportBody(_Body):
    kind: StrictStr = Field(description="site, sns, phone or app", max_length=8)
    target: StrictStr = Field(min_length=1, max_length=300, description="The address, account, number or app")
    description: StrictStr = Field(default="", max_length=2000)
    lost_money: StrictBool = False
    phone: StrictStr | None = Field(default=None, max_length=20, description="For a callback; optional")


class TriageBody(_Body):
    target_key: StrictStr = Field(min_length=1, max_length=300)
    status: StrictStr = Field(max_length=16)
    reason: StrictStr = Field(min_length=1, max_length=500)
    referred_to: StrictStr | None = Field(default=None, max_length=16)


@router.post(
    "/fraud-reports",
    response_model=ReportReceipt,
    status_code=201,
    responses=errors(422),
    summary="사칭·불법사금융 신고: anyone, no account; answers the reference and what to do now",
)
def report(request: Request, body: ReportBody) -> SafeJSONResponse:
    receipt = submit_report(
        platform_of(request), body.kind, body.target, body.description, body.lost_money, body.phone
    )
    return SafeJSONResponse(plain(receipt), status_code=201)


@router.get(
    "/fraud-reports/confirmed",
    response_model=list[ConfirmedFake],
    summary="확인된 사칭 목록: fakes confirmed by the agency",
)
def confirmed(request: Request) -> SafeJSONResponse:
    return SafeJSONResponse([plain(f) for f in confirmed_fakes(platform_of(request))])


@router.get(
    "/staff/fraud-reports",
    response_model=list[ReportGroup],
    responses=errors(401, 403, 422),
    summary="신고 처리 목록: reports grouped by target, most reported first",
)
def groups(
    request: Request, actor: AnyStaff, status: Annotated[str | None, Query()] = None
) -> SafeJSONResponse:
    return SafeJSONResponse([plain(g) for g in report_groups(platform_of(request), actor, status)])


@router.post(
    "/staff/fraud-reports/triage",
    response_model=ReportGroup,
    responses=errors(401, 403, 404, 409, 422),
    summary="신고 처리: confirm, dismiss or refer every report of a target",
)
def triage_group(request: Request, actor: Triager, body: TriageBody) -> SafeJSONResponse:
    group = triage(platform_of(request), actor, body.target_key, body.status, body.reason, body.referred_to)
    return SafeJSONResponse(plain(group))


@router.get(
    "/staff/fraud-reports/monthly",
    response_model=list[MonthFigures],
    responses=errors(401, 403, 422),
    summary="월별 신고 현황: reports per month by kind and status",
)
def monthly(
    request: Request, actor: AnyStaff, year: Annotated[int, Query(ge=2000, le=2100)]
) -> SafeJSONResponse:
    return SafeJSONResponse([plain(m) for m in monthly_figures(platform_of(request), actor, year)])
