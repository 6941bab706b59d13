"""The public endpoints anyone may call without an account: 자격조회 (eligibility) and 상환 시뮬레이션.

Request bodies are pydantic models with ``extra="forbid"`` and strict types, so a wrong JSON type, an
unknown field or an absurd number is a 422 naming the field. The applicant profile travels as a plain JSON
object and is validated once, by the same ``parse_profile`` the CLI uses, so the fields and messages of
its errors are the CLI's. Answers are exactly the CLI's ``--json`` contracts, serialized once from the
use case's dict (the response models below document them in the OpenAPI schema; they are not re-applied).

The endpoints are ``async def``: the work is CPU-bound and short (a fraction of a millisecond), so running
it on the event loop beats a threadpool hop, which measured about a third slower under load (GIL-bound
anyway). Scale with ``serve(workers=N)``, one process per core.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticSerializationError, to_json

from seomin.domain.calendar import BusinessCalendar
from seomin.domain.catalog import Catalog
from seomin.services.clock import today_kst
from seomin.services.eligibility_check import (
    advice_to_json,
    advise_products,
    check_eligibility,
    decision_to_json,
)
from seomin.services.errors import InputError
from seomin.services.simulation import SimulationRequest, simulate, simulation_to_json

log = logging.getLogger("seomin.http")
NOTE_HEADER = "X-Seomin-Note"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def plain(view: Any) -> dict[str, Any]:
    """A service's frozen dataclass as JSON-ready data (dates as YYYY-MM-DD): the answer of an endpoint
    whose response model is that dataclass itself, so the fields are defined once."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in dataclasses.asdict(view).items()}


class SafeJSONResponse(JSONResponse):
    """Compact UTF-8 JSON of plain JSON data, serialized by pydantic-core (about 4x ``json.dumps`` on a
    decision). Text pydantic-core refuses (a lone surrogate echoed from the input) falls back to
    ``json.dumps`` with the surrogate as its ``\\uXXXX`` escape: still valid JSON, never a 500."""

    def render(self, content: Any) -> bytes:
        try:
            return to_json(content)
        except PydanticSerializationError:
            text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
            return text.encode("utf-8", "backslashreplace")


class RequestRoute(APIRoute):
    """A route whose endpoint takes nothing but the ``Request`` and returns a ``Response`` is called
    directly: FastAPI's request handler has no parameter to solve or validate for it, yet costs ~60 µs a
    request (measured in-process: 130 µs for a constant GET through it, 68 µs as a plain Starlette route).
    Everything else stays FastAPI's: the OpenAPI entry, the exception handlers, the body limit. An endpoint
    with any other parameter gets FastAPI's usual handler."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        d = self.dependant
        solved_by_fastapi = (
            d.path_params,
            d.query_params,
            d.header_params,
            d.cookie_params,
            d.body_params,
            d.dependencies,
        )
        if d.request_param_name is None or any(solved_by_fastapi) or self.dependencies:
            return super().get_route_handler()
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            response = await endpoint(request)
            if not isinstance(response, Response):  # a programming error: such routes build their answer
                raise TypeError(f"{self.path} must return a Response, not {type(response).__name__}")
            return response

        return handler


@dataclass(frozen=True, slots=True)
class Resources:
    """What the endpoints share, loaded once when the app is built and kept on ``app.state.seomin``."""

    catalog: Catalog
    calendar: BusinessCalendar


def resources(request: Request) -> Resources:
    found: Resources = request.app.state.seomin
    return found


def _iso_date_text(value: object) -> object:
    """Only ``YYYY-MM-DD`` strings become dates (not timestamps, not datetimes)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


# Validated by parse_profile (the CLI's messages); the app adds ApplicantProfile to the OpenAPI components.
_PROFILE_SCHEMA = {
    "allOf": [{"$ref": "#/components/schemas/ApplicantProfile"}],
    "description": "The applicant profile (README: 'The applicant profile')",
}
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        description="A key unique to this operation (e.g. a UUID): retries send the same one",
    ),
]
"""Every money movement takes one: the same key again answers the first result and changes nothing."""

IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
ProductId = Annotated[StrictStr, Field(min_length=1, max_length=64, examples=["lowest-credit-special"])]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EligibilityBody(_Body):
    """자격조회 request: a product, an applicant profile and the application day."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "product": "lowest-credit-special",
                    "as_of": "2025-05-01",
                    "profile": {
                        "birth_date": "1988-04-12",
                        "annual_income": 28000000,
                        "kcb_score": 640,
                        "nice_score": None,
                        "occupation": "employee",
                        "employed_months": 12,
                        "haessal15": "rejected",
                        "region": "서울",
                    },
                }
            ]
        }
    )

    product: ProductId
    profile: Annotated[dict[str, Any], WithJsonSchema(_PROFILE_SCHEMA)]
    as_of: IsoDate | None = Field(default=None, description="Application day; default today in Korea")


class AdviceBody(_Body):
    """맞춤 상품 안내 request: an applicant profile, the day, and the amount they want."""

    profile: Annotated[dict[str, Any], WithJsonSchema(_PROFILE_SCHEMA)]
    as_of: IsoDate | None = Field(default=None, description="Application day; default today in Korea")
    amount: StrictInt | None = Field(
        default=None, ge=1, le=1_000_000_000, description="Won wanted; default each product's limit"
    )
    refused: list[ProductId] = Field(
        default_factory=list, max_length=20, description="Products just refused: not suggested again"
    )


class SimulationBody(_Body):
    """상환 시뮬레이션 request, the options of ``seomin simulate``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "product": "lowest-credit-special",
                    "amount": 5000000,
                    "term_months": 60,
                    "grace_months": 12,
                    "start": "2025-05-01",
                }
            ]
        }
    )

    product: ProductId
    amount: StrictInt = Field(gt=0, le=1_000_000_000_000, description="Loan amount in won")
    term_months: StrictInt = Field(ge=1, le=600, description="Repayment months after the grace period")
    grace_months: StrictInt = Field(default=0, ge=0, le=600)
    start: IsoDate | None = Field(default=None, description="Execution day; default today in Korea")
    preferential: list[StrictStr] = Field(
        default_factory=list, max_length=4, description="Completed programmes: consulting, employment-support"
    )
    step_down: StrictBool = Field(default=True, description="Yearly step-down for on-time payment")
    vulnerable: StrictBool = Field(default=False, description="사회적배려대상자 rate")
    method: StrictStr | None = Field(
        default=None, max_length=32, description="Repayment method; default the product's first"
    )
    occupation: StrictStr | None = Field(
        default=None,
        max_length=32,
        description="The applicant's group where a product prices by it (햇살론유스: unemployed = students "
        "and job seekers, employee, business); default: the product's general rate",
    )


# --- response documentation (the bodies are the services' JSON, serialized as they are) -----------


class ReasonOut(BaseModel):
    code: str
    outcome: Literal["pass", "fail", "confirm", "note"]
    rule: str
    message_ko: str
    message_en: str
    remedy_ko: str
    remedy_en: str
    figures: dict[str, int | str | None]


class LenderOut(BaseModel):
    bank: str
    name_ko: str
    regions_confirmed: bool


class OfferOut(BaseModel):
    kind: Literal["first", "additional", "repeat"]
    max_amount: int
    annual_rate: str
    term_months: list[int]
    grace_months: list[int]
    methods: list[str]
    lenders: list[LenderOut]


class DecisionOut(BaseModel):
    """The ``seomin check --json`` contract."""

    product: str
    version: str
    as_of: date
    eligible: bool
    status: Literal["eligible", "ineligible", "needs_confirmation"]
    reasons: list[ReasonOut]
    offer: OfferOut | None
    alternatives: list[str]


class AdviceOut(BaseModel):
    """One product that fits, priced for the person (cheapest first in the list)."""

    product: str
    version: str
    name_ko: str
    name_en: str
    status: Literal["eligible", "needs_confirmation"]
    max_amount: int
    annual_rate: str = Field(description="The person's rate in percent (their group's, less their cuts)")
    amount: int = Field(description="The amount priced: theirs within the limit, else the limit")
    term_months: int = Field(description="The product's longest term, used for the payment")
    grace_months: int
    monthly_payment: int = Field(description="The first payment that repays principal")
    total_interest: int = Field(description="Interest over the term at the contract rate (no step-down)")
    why_ko: str
    why_en: str
    to_confirm: bool = Field(description="Some terms are reported or our reading, not confirmed: 확인 필요")


class InstallmentOut(BaseModel):
    no: int
    due_date: date
    annual_rate: str
    payment: int
    principal: int
    interest: int
    balance: int


class SimulationOut(BaseModel):
    """The ``seomin simulate --json`` contract."""

    product: str
    amount: int
    installments: list[InstallmentOut]
    total_interest: int
    total_payment: int
    interest_payback: int = Field(
        description="Interest paid back at full repayment (불법사금융예방대출 from 2026: 50%, "
        "truncated to the won); 0 for products without it"
    )


class ErrorItem(BaseModel):
    field: str = Field(description="Dotted path of the offending input, e.g. profile.annual_income")
    message: str
    type: str


class ErrorOut(BaseModel):
    detail: list[ErrorItem]


INPUT_ERROR: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "Bad input: every item names the field"}
}

M = TypeVar("M", bound=BaseModel)


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").partition(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def read_json(request: Request, model: type[M]) -> M:
    """The body as ``model``, parsed and validated in one pass by pydantic-core.

    Cheaper than FastAPI's body parameters (``json.loads``, then validation of the Python objects), and the
    JSON-mode validation sees real JSON types. Failures are FastAPI's ``RequestValidationError`` (so the
    app's one 422 handler answers them) or an ``InputError`` on ``body``.
    """
    if not _is_json(request.headers.get("content-type")):
        raise InputError("body", "must be a JSON object sent as Content-Type: application/json")
    raw = await request.body()
    if not raw.strip():
        raise InputError("body", "a JSON object is required")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False)) from None


_DATE_OVERFLOW = re.compile(r"year -?\d+ is out of range|date value out of range")


@contextmanager
def dates_in_range(field: str) -> Iterator[None]:
    """Date arithmetic the core cannot do (a loan executed in 9999 plus 60 months) is bad input: a 422 on
    ``field``, not a 500. Only Python's own date-overflow errors are translated; other errors propagate."""
    try:
        yield
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, InputError) or not _DATE_OVERFLOW.search(str(exc)):
            raise
        log.warning("date out of range in the core, answered 422 on %s: %s", field, exc)
        raise InputError(field, "a date is too far in the past or the future to compute with") from None


def _json_body(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a body the endpoint reads itself with ``read_json``."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


BODY_MODELS: tuple[type[BaseModel], ...] = (EligibilityBody, AdviceBody, SimulationBody)  # OpenAPI components
router = APIRouter(tags=["public"], route_class=RequestRoute)


@router.post(
    "/eligibility",
    response_model=DecisionOut,
    responses=INPUT_ERROR,
    openapi_extra=_json_body(EligibilityBody),
    summary="자격조회: judge an applicant profile for a product",
)
async def eligibility(request: Request) -> SafeJSONResponse:
    """The same JSON as ``seomin check --json`` for an ``EligibilityBody``; a product not offered on
    ``as_of`` is a 422 on ``product`` naming its successor or predecessor."""
    body = await read_json(request, EligibilityBody)
    res = resources(request)
    with dates_in_range("profile"):
        decision = check_eligibility(res.catalog, body.product, body.profile, body.as_of or today_kst())
    return SafeJSONResponse(decision_to_json(decision))


@router.post(
    "/advice",
    response_model=list[AdviceOut],
    responses=INPUT_ERROR,
    openapi_extra=_json_body(AdviceBody),
    summary="맞춤 상품 안내: every product in force that fits a profile, cheapest first",
)
async def advice(request: Request) -> SafeJSONResponse:
    """Each product in force judged as a self-check; those that fit, with limit, the person's rate, the
    monthly payment for their amount and why, ordered by rate. 햇살론15 is left out when the profile says
    it refused them, and so is every product in ``refused``."""
    body = await read_json(request, AdviceBody)
    res = resources(request)
    with dates_in_range("profile"):
        found = advise_products(
            res.catalog,
            res.calendar,
            body.profile,
            body.as_of or today_kst(),
            amount=body.amount,
            refused=body.refused,
        )
    return SafeJSONResponse([advice_to_json(a) for a in found])


@router.post(
    "/simulations",
    response_model=SimulationOut,
    responses={
        **INPUT_ERROR,
        200: {
            "headers": {
                NOTE_HEADER: {
                    "description": "Present when the product was not offered on `start`: which version's "
                    "terms were used (percent-encoded UTF-8, one header per note)",
                    "schema": {"type": "string"},
                }
            }
        },
    },
    openapi_extra=_json_body(SimulationBody),
    summary="상환 시뮬레이션: the repayment schedule of a loan",
)
async def simulations(request: Request) -> SafeJSONResponse:
    """The same JSON as ``seomin simulate --json`` for a ``SimulationBody``, with the yearly step-down
    unless ``step_down`` is false."""
    body = await read_json(request, SimulationBody)
    res = resources(request)
    wanted = SimulationRequest(
        product=body.product,
        amount=body.amount,
        term_months=body.term_months,
        start=body.start or today_kst(),
        grace_months=body.grace_months,
        preferential=tuple(body.preferential),
        step_down=body.step_down,
        vulnerable=body.vulnerable,
        method=body.method,
        occupation=body.occupation,
    )
    with dates_in_range("start"):
        simulation = simulate(res.catalog, res.calendar, wanted)
    response = SafeJSONResponse(simulation_to_json(simulation))
    for note in simulation.notes:
        response.headers.append(NOTE_HEADER, header_safe(note))
    return response


def header_safe(text: str) -> str:
    """Printable ASCII as is; ``%``, control characters and anything else percent-encoded as UTF-8."""
    return "".join(c if " " <= c <= "~" and c != "%" else quote(c, safe="") for c in text)
