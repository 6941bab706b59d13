"""The seomin HTTP API: an app factory, the error contract and the system endpoints (health, products).

Every route lives under ``/api/v1``; the OpenAPI document is at ``/openapi.json`` and its UI at ``/docs``.
Errors are JSON, always:

- bad input (a body that fails its model, or an ``InputError`` from a use case) is a 422 with
  ``{"detail": [{"field": "profile.annual_income", "message": "...", "type": "..."}]}``, the field a dotted
  path without the ``body`` prefix (``body`` itself when the body as a whole is wrong), and ``type`` the
  model's error type or the use case's stable ``InputErrorCode`` (``DATE_AFTER_TODAY`` …);
- no or a bad credential is a 401, a role that may not use the route a 403, an id that does not exist (or
  that the caller may not see) a 404, and a broken rule of the current state a 409 with the stable code,
  ``{"detail": [{"field": "", "message": "...", "type": "GUARANTEE_ALREADY_EXECUTED"}],
  "code": "GUARANTEE_ALREADY_EXECUTED"}``;
- an unknown route is a 404, a wrong method a 405, a body over ``MAX_BODY_BYTES`` (``MAX_UPLOAD_BYTES``
  for the document upload) a 413;
- anything unexpected is logged with an error id and answered 500 with that id only: no traceback, no input.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seomin import __version__
from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.adapters.http.applicant import FORM_MODELS, UPLOAD_PATH
from seomin.adapters.http.applicant import router as applicant_router
from seomin.adapters.http.auth import Unauthorized
from seomin.adapters.http.bank import router as bank_router
from seomin.adapters.http.consulting import router as consulting_router
from seomin.adapters.http.contact_center import router as contact_center_router
from seomin.adapters.http.docs import router as docs_router
from seomin.adapters.http.dormant import router as dormant_router
from seomin.adapters.http.guarantee_fees import router as guarantee_fees_router
from seomin.adapters.http.jobs import router as jobs_router
from seomin.adapters.http.knowledge import router as knowledge_router
from seomin.adapters.http.matching import router as matching_router
from seomin.adapters.http.operations import install_observability_routes, start_embedded_queue
from seomin.adapters.http.public import (
    BODY_MODELS,
    INPUT_ERROR,
    IsoDate,
    Resources,
    SafeJSONResponse,
    resources,
)
from seomin.adapters.http.public import router as public_router
from seomin.adapters.http.reports import router as reports_router
from seomin.adapters.http.servicing import router as servicing_router
from seomin.adapters.http.staff import router as staff_router
from seomin.adapters.job_queue import JobQueue
from seomin.adapters.observability import RequestObservability
from seomin.adapters.web import install_web
from seomin.adapters.web.contact_center import close_chat_signals
from seomin.adapters.web.errors import error_page, is_page_request
from seomin.bootstrap import platform_from_settings
from seomin.domain.calendar import BusinessCalendar
from seomin.domain.catalog import Catalog
from seomin.domain.profile import ApplicantProfile
from seomin.services.catalog_view import products_in_force_json
from seomin.services.clock import today_kst
from seomin.services.errors import Conflict, Forbidden, InputError, InputErrorCode, NotFound, TooManyAttempts
from seomin.services.platform import Platform
from seomin.settings import Settings

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
"""The application upload (documents up to 20 MiB each) may be this large; every other body 256 KiB."""
log = logging.getLogger("seomin.http")


def error_response(items: Sequence[dict[str, str]], status_code: int = 422) -> Response:
    return SafeJSONResponse({"detail": list(items)}, status_code=status_code)


_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})
_NOT_PARSED = "There was an error parsing the body"  # FastAPI's 400 when the body is not UTF-8 JSON


def validation_item(error: dict[str, Any]) -> dict[str, str]:
    """One pydantic/FastAPI error as ``{field, message, type}``; the input itself is never echoed."""
    loc = tuple(error.get("loc", ()))
    kind = str(error.get("type", "value_error"))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    where, path = (str(loc[0]), loc[1:]) if loc and loc[0] in _LOCATIONS else ("", loc)
    if kind == "json_invalid":
        ctx = error.get("ctx") or {}
        at = f" at character {path[-1]}" if path else ""
        return {"field": "body", "message": f"not valid JSON: {ctx.get('error', message)}{at}", "type": kind}
    field = ".".join(str(p) for p in path)
    if not field and where in ("body", ""):
        if kind == "missing":
            message = "a JSON object is required"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = "must be a JSON object sent as Content-Type: application/json"
    return {"field": field or where or "body", "message": message, "type": kind}


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if is_page_request(request):  # a page's typed path or query parameter: an HTML page, not JSON
        items = [validation_item(e) for e in exc.errors()]
        return error_page(request, 422, "; ".join(f"{i['field']}: {i['message']}" for i in items))
    return error_response([validation_item(e) for e in exc.errors()])


def _input_error_type(exc: InputError) -> str:
    """A use case's refusal is typed by its stable code (``InputErrorCode``); ``value_error`` when it has
    none, as for any other value the models refuse."""
    return "value_error" if exc.code == InputErrorCode.INVALID else exc.code


async def _on_input_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    if is_page_request(request):
        return error_page(request, 422, exc.message)
    return error_response([{"field": exc.field, "message": exc.message, "type": _input_error_type(exc)}])


async def _on_unauthorized(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Unauthorized)
    response = error_response(
        [{"field": "authorization", "message": exc.message, "type": "unauthorized"}], status_code=401
    )
    response.headers["WWW-Authenticate"] = exc.scheme
    return response


async def _on_forbidden(request: Request, exc: Exception) -> Response:
    if is_page_request(request):
        return error_page(request, 403, str(exc))
    return error_response([{"field": "", "message": str(exc), "type": "forbidden"}], status_code=403)


async def _on_not_found(request: Request, exc: Exception) -> Response:
    if is_page_request(request):
        return error_page(request, 404, str(exc))
    return error_response([{"field": "", "message": str(exc), "type": "not_found"}], status_code=404)


async def _on_too_many(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TooManyAttempts)
    if is_page_request(request):
        response = error_page(request, 429, exc.message)
    else:
        item = {"field": "", "message": exc.message, "type": "too_many_attempts"}
        response = error_response([item], status_code=429)
    response.headers["Retry-After"] = str(exc.retry_after_seconds)
    return response


async def _on_conflict(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Conflict)
    if is_page_request(request):
        return error_page(request, 409, exc.message)
    return SafeJSONResponse(
        {"detail": [{"field": "", "message": exc.message, "type": exc.code}], "code": exc.code},
        status_code=409,
    )


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if is_page_request(request) and exc.status_code in (403, 404, 405, 413):
        return error_page(request, exc.status_code)
    if exc.status_code == 400 and exc.detail == _NOT_PARSED:
        return error_response(
            [
                {
                    "field": "body",
                    "message": "not valid JSON: the body is not UTF-8 text",
                    "type": "json_invalid",
                }
            ]
        )
    return await http_exception_handler(request, exc)


class UnexpectedErrors:
    """Outermost app middleware: an exception nobody handled is logged with an id and answered 500 JSON.

    The body carries the id only, so nothing of the request (personal data) or of the code leaks; the log
    line has the id, method, path and traceback, but not the body or the query.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if started:  # too late for a 500: the server logs it and drops the connection
                raise
            error_id = uuid.uuid4().hex
            log.exception("unexpected error %s on %s %s", error_id, scope.get("method"), scope.get("path"))
            request = Request(scope)
            if "app" in scope and is_page_request(request):
                await error_page(request, 500, f"error id {error_id}")(scope, receive, send)
                return
            response = SafeJSONResponse(
                {"detail": "internal error; quote the error id when reporting it", "error_id": error_id},
                status_code=500,
            )
            await response(scope, receive, send)


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with a JSON 413 (FastAPI's own limit answers plain text).

    A declared Content-Length is checked before the app runs (the server holds the body to that length);
    a chunked body is counted as it is received, and the read that crosses the limit raises the 413.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}  # path -> its own limit (the document upload)

    def _too_large(self, limit: int) -> StarletteHTTPException:
        return StarletteHTTPException(413, f"the request body is larger than {limit} bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.max_bytes)
        length = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if length is not None and length.isdigit():
            if int(length) > limit:
                error = self._too_large(limit)
                request = Request(scope)
                if "app" in scope and is_page_request(request):
                    await error_page(request, 413, f"{limit // (1024 * 1024)} MiB")(scope, receive, send)
                    return
                await SafeJSONResponse({"detail": error.detail}, status_code=413)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise self._too_large(limit)
            return message

        await self.app(scope, counting_receive, send)


class SeominAPI(FastAPI):
    """FastAPI whose OpenAPI document also carries the applicant-profile schema the bodies refer to."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema:
            return self.openapi_schema
        schema = super().openapi()
        mode: JsonSchemaMode = "validation"
        documented: tuple[type[BaseModel], ...] = (ApplicantProfile, *BODY_MODELS, *FORM_MODELS)
        models = [(model, mode) for model in documented]
        _, extra = models_json_schema(models, ref_template="#/components/schemas/{model}")
        schema.setdefault("components", {}).setdefault("schemas", {}).update(extra.get("$defs", {}))
        self.openapi_schema = schema
        return schema


DESCRIPTION = """정책서민금융 플랫폼 (policy microfinance platform): guarantee first, then loan
(선보증 후대출).

Three audiences, three credentials (see each route's lock):

- **public**: self-check and simulation, no account;
- **applicant**: `POST /api/v1/applicant/identity` (본인인증) gives a 30-minute session token, sent as
  `Authorization: Bearer <token>`;
- **staff**: `POST /api/v1/staff/login` gives a signed 8-hour token, sent as `Authorization: Bearer <token>`;
  roles counselor, reviewer, supervisor, auditor;
- **bank**: `X-Api-Key: <prefix>.<secret>`; writes need an `Idempotency-Key` header and are exactly-once.

Errors are `{"detail": [{"field", "message", "type"}]}`: 401 no or bad credential, 403 role, 404 unknown
(or not yours), 409 state conflict (the stable code also as top-level `code`), 422 bad input.
"""

TAGS = [
    {"name": "system", "description": "Health"},
    {"name": "public", "description": "Self-check and simulation, no account"},
    {"name": "applicant", "description": "신청인: apply, education, agreement, my applications"},
    {"name": "staff", "description": "진흥원 직원: review queue, decisions, subrogation, audit"},
    {"name": "bank", "description": "협약 금융회사: certificates, loans, payments, claims"},
    {"name": "matching", "description": "맞춤대출: matching, credit simulator, matching open data"},
    {"name": "consulting", "description": "신용·부채관리 컨설팅: programmes, monthly sessions"},
    {"name": "servicing", "description": "구상채권 관리: repayments, worklists, requests, certificates"},
    {"name": "contact center", "description": "종합상담: person search and timeline, bookings, call quality"},
]


class Health(BaseModel):
    status: str
    version: str
    catalog_versions: int
    calendar_years: list[int] = Field(min_length=2, max_length=2, description="First and last year")


class ProductOut(BaseModel):
    """One product version as ``seomin products --json`` prints it."""

    id: str
    version: str
    name_ko: str
    name_en: str
    effective_from: date
    effective_to: date | None
    annual_rate: str
    total_limit: int
    first_time_limit: int
    term_months: list[int]
    grace_months: list[int]
    successor: str | None
    unconfirmed_figures: dict[str, dict[str, str]]


def create_app(
    platform: Platform | None = None,
    *,
    catalog: Catalog | None = None,
    calendar: BusinessCalendar | None = None,
    settings: Settings | None = None,
    job_queue: JobQueue | None = None,
) -> FastAPI:
    """Build the API over ``platform``; without one, the platform is built at startup from ``settings``
    (default: the environment's, see ``seomin.settings``) and the database migrated. The public endpoints
    use the platform's catalog and calendar (or ``catalog``/``calendar``, default the packaged ones)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.platform is not None:
            try:
                yield
            finally:
                close_chat_signals(app.state)
            return
        built = platform_from_settings(settings)
        app.state.platform = built
        consumer = start_embedded_queue(app, built, settings)
        try:
            yield
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)
            close_chat_signals(app.state)
            built.engine.dispose()

    app = SeominAPI(
        title="seomin",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served offline by adapters/http/docs.py
        redoc_url=None,
        openapi_url="/openapi.json",
        default_response_class=SafeJSONResponse,
        lifespan=lifespan,
        openapi_tags=TAGS,
    )
    app.state.platform = platform
    if platform is not None:
        catalog = catalog if catalog is not None else platform.catalog
        calendar = calendar if calendar is not None else platform.calendar
    app.state.seomin = Resources(
        catalog=catalog if catalog is not None else default_catalog(),
        calendar=calendar if calendar is not None else korean_calendar(),
    )
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(InputError, _on_input_error)
    app.add_exception_handler(Unauthorized, _on_unauthorized)
    app.add_exception_handler(Forbidden, _on_forbidden)
    app.add_exception_handler(NotFound, _on_not_found)
    app.add_exception_handler(Conflict, _on_conflict)
    app.add_exception_handler(TooManyAttempts, _on_too_many)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(
        BodyLimit,
        max_bytes=MAX_BODY_BYTES,
        # the document uploads (API and the web's apply form) and the management's plan-table upload
        larger={
            f"{API_PREFIX}{UPLOAD_PATH}": MAX_UPLOAD_BYTES,
            "/apply": MAX_UPLOAD_BYTES,
            "/report": 16 << 20,  # the fraud report's screenshots
            "/staff/quality/import": 4 << 20,  # a batch of STT call transcripts
            f"{API_PREFIX}/staff/quality/calls": 4 << 20,  # one call: up to 1,000 segments of 500 characters
            "/manage/plans": 2 << 20,
            f"{API_PREFIX}/staff/dormant-deposits/files": MAX_UPLOAD_BYTES,  # institutions' files
            "/manage/jobs/screening": MAX_UPLOAD_BYTES,
        },
    )
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(RequestObservability)  # added last: outermost (request id on every line)
    app.state.job_queue = job_queue

    @app.get(f"{API_PREFIX}/health", response_model=Health, tags=["system"], summary="Liveness and data")
    async def health(request: Request) -> Response:
        res = resources(request)
        return SafeJSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "catalog_versions": sum(1 for _ in res.catalog),
                "calendar_years": [res.calendar.first_year, res.calendar.last_year],
            }
        )

    @app.get(
        f"{API_PREFIX}/products",
        response_model=list[ProductOut],
        responses=INPUT_ERROR,
        tags=["public"],
        summary="상품 목록: the product versions in force on a day",
    )
    async def products(
        request: Request,
        on: Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today in Korea")] = None,
    ) -> Response:
        """The same JSON as ``seomin products --on DAY --json``."""
        return SafeJSONResponse(products_in_force_json(resources(request).catalog, on or today_kst()))

    install_observability_routes(app, API_PREFIX)
    app.include_router(public_router, prefix=API_PREFIX)
    app.include_router(applicant_router, prefix=API_PREFIX)
    app.include_router(staff_router, prefix=API_PREFIX)
    app.include_router(knowledge_router, prefix=API_PREFIX)
    app.include_router(reports_router, prefix=API_PREFIX)
    app.include_router(bank_router, prefix=API_PREFIX)
    app.include_router(matching_router, prefix=API_PREFIX)
    app.include_router(consulting_router, prefix=API_PREFIX)
    app.include_router(dormant_router, prefix=API_PREFIX)
    app.include_router(guarantee_fees_router, prefix=API_PREFIX)
    app.include_router(jobs_router, prefix=API_PREFIX)
    app.include_router(servicing_router, prefix=API_PREFIX)
    app.include_router(contact_center_router, prefix=API_PREFIX)
    app.include_router(docs_router)
    install_web(app)
    return app
