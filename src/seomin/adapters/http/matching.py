"""맞춤대출 endpoints: a consented match for a self-checked profile, the staff's refresh of the outcome
statistics it shows, the matching open data (aggregates by lender sector, k-anonymous) and the credit
simulator (an estimate, pure: nothing is stored)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr
from pydantic.json_schema import WithJsonSchema

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import ApplicantActor, BankActor, errors, staff_with
from seomin.adapters.http.public import _PROFILE_SCHEMA, IsoDate, SafeJSONResponse, _Body, dates_in_range
from seomin.domain.credit_simulator import (
    MAX_MONTHS,
    Action,
    CreditState,
    SimulatorInputError,
    simulate_credit,
)
from seomin.domain.profile import MAX_WON
from seomin.services.errors import InputError
from seomin.services.matching import (
    MIN_K,
    DecisionReceipt,
    DecisionReport,
    GraduationRun,
    RefreshSummary,
    graduation_options,
    match_loans,
    match_to_json,
    matching_open_data,
    notify_graduates,
    option_json,
    record_partner_decision,
    refresh_outcomes,
)
from seomin.services.platform import Actor, ActorType

router = APIRouter(tags=["matching"])
Supervisor = Annotated[Actor, Depends(staff_with("supervisor"))]
_VISITOR = Actor(ActorType.PUBLIC, "matching")


class MatchingBody(_Body):
    """맞춤대출 request: the self-check profile, the person's consent and the day to judge on."""

    profile: Annotated[dict[str, Any], WithJsonSchema(_PROFILE_SCHEMA)]
    consent: StrictBool = Field(
        description="The person agrees that their figures are compared with every product and with the "
        "statistics of similar users (only bands are kept); must be true"
    )
    as_of: IsoDate | None = Field(default=None, description="Day to judge on; default today")


class SimilarOut(BaseModel):
    scope: Literal["similar", "product"]
    loans: int
    amount_p25: int
    amount_median: int
    amount_p75: int
    rate_min: str
    rate_median: str
    rate_max: str


class MatchReasonOut(BaseModel):
    code: str
    outcome: Literal["pass", "fail", "confirm", "note"]
    message_ko: str
    message_en: str
    remedy_ko: str
    remedy_en: str


class MatchOptionOut(BaseModel):
    rank: int = Field(description="1 for the best fit; 0 for an excluded product")
    source: Literal["policy", "partner"]
    product: str
    version: str
    name_ko: str
    name_en: str
    sectors: list[str]
    lenders: list[str]
    status: Literal["eligible", "ineligible", "needs_confirmation"]
    max_amount: int
    rate_min: str
    rate_max: str
    similar: SimilarOut | None
    reasons: list[MatchReasonOut]


class MatchOut(BaseModel):
    as_of: str
    options: list[MatchOptionOut]
    excluded: list[MatchOptionOut]
    note_ko: str
    note_en: str


class OpenDataRowOut(BaseModel):
    sector: str
    product: str
    score_band: str
    income_band: str
    loans: int
    amount_p25: int
    amount_median: int
    amount_p75: int
    rate_min_pct: str
    rate_median_pct: str
    rate_max_pct: str


class DictionaryEntryOut(BaseModel):
    name: str
    ko: str
    en: str


class OpenDataOut(BaseModel):
    k: int
    sector: str | None
    rows: list[OpenDataRowOut]
    dictionary: list[DictionaryEntryOut]
    anonymization_ko: str
    anonymization_en: str


@router.post(
    "/matching",
    response_model=MatchOut,
    responses=errors(422),
    summary="맞춤대출: the policy and partner products that fit a profile, ranked, with why",
)
def matching(request: Request, body: MatchingBody) -> SafeJSONResponse:
    """Every product in force judged for the profile; the ones that fit ranked (eligible first, then the
    lower expected rate, then the higher limit), each with its reason codes and what similar people got."""
    with dates_in_range("profile"):
        result = match_loans(
            platform_of(request), _VISITOR, body.profile, consent=body.consent, as_of=body.as_of
        )
    return SafeJSONResponse(match_to_json(result))


@router.post(
    "/staff/matching/outcomes",
    response_model=RefreshSummary,
    responses=errors(401, 403),
    tags=["staff"],
    summary="Rebuild the outcome statistics matching shows (supervisor)",
)
def refresh(request: Request, actor: Supervisor) -> SafeJSONResponse:
    """Executed loans regrouped by product, sector and profile band; groups under k are left out."""
    return SafeJSONResponse(asdict(refresh_outcomes(platform_of(request), actor)))


@router.get(
    "/open-data/matching",
    response_model=OpenDataOut,
    responses=errors(422),
    summary="맞춤대출 개방 데이터: what users got, by lender sector (aggregates, k-anonymous)",
)
def open_data(
    request: Request,
    sector: Annotated[
        Literal["bank", "savings_bank", "foundation", "operator"] | None, Query(description="lender sector")
    ] = None,
    k: Annotated[int, Query(ge=MIN_K, le=1000, description="smallest group shown")] = MIN_K,
) -> SafeJSONResponse:
    return SafeJSONResponse(matching_open_data(platform_of(request), sector, k))


class CreditActionBody(_Body):
    kind: Literal["on_time_payments", "repay_card_loan", "reduce_utilization", "complete_consulting"]
    month: StrictInt = Field(default=0, ge=0, le=MAX_MONTHS, description="When, in months from now")
    amount: StrictInt = Field(default=0, ge=0, le=MAX_WON, description="repay_card_loan: won repaid")
    to_pct: StrictInt = Field(default=0, ge=0, le=100, description="reduce_utilization: new utilization %")


class CreditSimulationBody(_Body):
    """신용시뮬레이터 request: today's credit state and the actions to try."""

    score: StrictInt = Field(ge=0, le=1000, description="KCB personal credit score today")
    in_arrears: StrictBool = False
    card_loan_balance: StrictInt = Field(default=0, ge=0, le=MAX_WON, description="카드론 balance, won")
    utilization_pct: StrictInt = Field(default=0, ge=0, le=100, description="card limit used, %")
    months: StrictInt = Field(default=12, ge=1, le=MAX_MONTHS)
    actions: list[CreditActionBody] = Field(default_factory=list, max_length=12)


class MonthEstimateOut(BaseModel):
    month: int
    score: int
    low: int
    high: int
    band: str


class EffectOut(BaseModel):
    kind: str
    points: float
    why_ko: str
    why_en: str


class CreditProjectionOut(BaseModel):
    """Always an estimate (``estimate`` is true): not a bureau's score."""

    start_band: str
    months: list[MonthEstimateOut]
    effects: list[EffectOut]
    estimate: Literal[True]
    note_ko: str
    note_en: str


@router.post(
    "/credit-simulations",
    response_model=CreditProjectionOut,
    responses=errors(422),
    summary="신용시뮬레이터: how actions move an estimated credit-score band (an estimate)",
)
async def credit_simulation(body: CreditSimulationBody) -> SafeJSONResponse:
    """The documented additive model of ``domain.credit_simulator``, month by month, with each effect."""
    state = CreditState(body.score, body.in_arrears, body.card_loan_balance, body.utilization_pct)
    actions = tuple(Action(a.kind, a.month, a.amount, a.to_pct) for a in body.actions)
    try:
        projection = simulate_credit(state, actions, body.months)
    except SimulatorInputError as exc:
        raise InputError(exc.field, exc.message) from None
    return SafeJSONResponse(asdict(projection))


@router.get(
    "/applicant/graduation-options",
    response_model=list[MatchOptionOut],
    responses=errors(401),
    tags=["applicant"],
    summary="제도권 연계: the mainstream and bridge loans my faithful repayment now opens",
)
def my_graduation_options(request: Request, actor: ApplicantActor) -> SafeJSONResponse:
    """Empty until a policy loan has been repaid on time for 12 months and a partner product fits."""
    return SafeJSONResponse([option_json(o) for o in graduation_options(platform_of(request), actor)])


@router.post(
    "/staff/matching/graduation-notices",
    response_model=GraduationRun,
    responses=errors(401, 403),
    tags=["staff"],
    summary="Tell faithful repayers which mainstream or bridge loans now fit them (supervisor; a job)",
)
def graduation_notices(request: Request, actor: Supervisor) -> SafeJSONResponse:
    return SafeJSONResponse(asdict(notify_graduates(platform_of(request), actor)))


class PartnerDecisionBody(_Body):
    """A partner lender's decision on its own product; the score and income are banded, never kept."""

    product: StrictStr = Field(min_length=1, max_length=64, examples=["sainddol-bank"])
    decided_on: IsoDate
    approved: StrictBool
    kcb_score: StrictInt | None = Field(default=None, ge=0, le=1000)
    annual_income: StrictInt = Field(ge=0, le=MAX_WON)
    amount: StrictInt | None = Field(default=None, gt=0, le=MAX_WON, description="won, with an approval")
    rate_bp: StrictInt | None = Field(
        default=None, ge=0, le=2000, description="basis points, with an approval"
    )


@router.post(
    "/bank/partner-decisions",
    status_code=201,
    response_model=DecisionReceipt,
    responses=errors(401, 422),
    tags=["bank"],
    summary="A partner lender reports a decision on its own product (bands only are kept)",
)
def partner_decision(request: Request, bank: BankActor, body: PartnerDecisionBody) -> SafeJSONResponse:
    """Approvals feed what matching shows of similar users on partner products (after the next refresh)."""
    report = DecisionReport(**body.model_dump())
    receipt = record_partner_decision(platform_of(request), bank, report)
    return SafeJSONResponse(asdict(receipt), status_code=201)
