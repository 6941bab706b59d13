"""직원 화면 (the staff console): sign-in, the work queue, one application with its decision, counseling
notes and audit trail, and the supervisor's overview of the day.

Every read and write goes through a service (personal data masked by role there, every decision and note
audited there); this module reads forms, maps the services' errors to messages on the page (422 with
the field's error, 409 for a broken rule of the current state, 403 for a role) and renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import issue_staff_token
from seomin.adapters.operations_charts import daily_svg, delinquency_svg
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render, request_lang
from seomin.adapters.web.session_cookies import require_staff, safe_next, sign_in_staff, sign_out
from seomin.domain import vocabulary
from seomin.domain.calendar import add_months
from seomin.domain.eligibility import Status
from seomin.domain.lifecycle import ApplicationStatus
from seomin.domain.reasons import TEMPLATES
from seomin.domain.regions import REGIONS
from seomin.services.applications import (
    REVIEW_ROLES,
    STAFF_REASONS,
    VIEWER_ROLES,
    ApplicationFilters,
    confirm_second_review,
    decide,
    get_application,
    list_applications,
    open_document,
    rejudge_screening,
)
from seomin.services.audit_trail import application_trail, staff_names
from seomin.services.clock import KST
from seomin.services.errors import Conflict, Forbidden, InputError
from seomin.services.help import MAX_NOTE_CHARS, WRITER_ROLES, add_note, list_notes
from seomin.services.identity import MIN_PASSWORD_LENGTH, STAFF_ROLES, authenticate_staff
from seomin.services.operations import overview
from seomin.services.platform import Actor, Platform

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**62)]
PAGE_SIZE = 20

AGE_BANDS: dict[str, tuple[str, str, int | None, int | None]] = {
    "-29": ("29세 이하", "29 or younger", None, 29),
    "30-39": ("30~39세", "30–39", 30, 39),
    "40-49": ("40~49세", "40–49", 40, 49),
    "50-59": ("50~59세", "50–59", 50, 59),
    "60-": ("60세 이상", "60 or older", 60, None),
}
"""Age bands of the queue filter: key -> (Korean, English, min, max), 만 나이 today."""
ROLE_LABELS = vocabulary.STAFF_ROLES
SCREENING_LABELS = {s: vocabulary.STATUSES[s] for s in ("eligible", "ineligible", "needs_confirmation")}
REASON_LABELS = vocabulary.REASONS
OCCUPATIONS = vocabulary.OCCUPATIONS
HAESSAL15 = vocabulary.HAESSAL15_HISTORY
ACTIONS = vocabulary.AUDIT_ACTIONS
CONFLICT_MESSAGES: dict[str, tuple[str, str]] = {
    "SECOND_REVIEWER_SAME": (
        "승인을 제안한 심사자는 2차 심사를 할 수 없습니다. 다른 심사자가 확정해야 합니다.",
        "The reviewer who proposed the approval cannot confirm it: another reviewer must.",
    ),
    "APPLICATION_PENDING_SECOND_REVIEW": (
        "2차 심사를 기다리는 신청입니다. 2차 심사에서 확정하거나 거절하세요.",
        "This application awaits a second review: confirm or decline it there.",
    ),
    "PRODUCT_NOT_IN_FORCE": ("오늘 취급하지 않는 상품입니다.", "The product is not offered today."),
}
DONE: dict[str, tuple[str, str]] = {
    "approved": ("승인했습니다.", "Approved."),
    "pending_second_review": (
        "승인을 제안했습니다. 2차 심사 대기: 다른 심사자가 확정해야 합니다.",
        "Approval proposed: awaiting a second review by another reviewer.",
    ),
    "rejected": ("거절했습니다.", "Rejected."),
    "note": ("상담 기록을 남겼습니다.", "Note added."),
}


def reason_label(code: str) -> tuple[str, str]:
    return REASON_LABELS.get(code) or STAFF_REASONS.get(code) or (code, code)


def rejection_codes() -> list[tuple[str, str, str]]:
    """(code, Korean, English) a reviewer may give for a rejection: the staff reasons first."""
    engine = [c for c in TEMPLATES if c != "ELIGIBLE"]
    return [(c, *reason_label(c)) for c in [*STAFF_REASONS, *engine]]


def kst_time(moment: datetime) -> str:
    """An instant as Korean wall time, YYYY.MM.DD HH:MM."""
    return f"{moment.astimezone(KST):%Y.%m.%d %H:%M}"


def _platform(request: Request) -> Platform:
    return platform_of(request)


# --- sign-in ----------------------------------------------------------------------------------------


@router.get("/staff/login")
def login_page(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"), "/staff")
    return render(
        request,
        "staff/login.html",
        {"errors": {}, "values": {}, "next": next_path, "failed": False, "change_required": False},
    )


@router.post("/staff/login")
async def login(request: Request) -> Response:
    form = await request.form()
    reader = FormReader(form)
    username = reader.text("username", max_length=64)
    password = reader.text("password", max_length=256)
    changing = "new_password" in form
    new_password = reader.text("new_password", max_length=256) if changing else None
    if new_password is not None:
        if len(new_password) < MIN_PASSWORD_LENGTH:
            reader.fail(
                "new_password",
                f"{MIN_PASSWORD_LENGTH}자 이상으로 정해 주세요.",
                f"At least {MIN_PASSWORD_LENGTH} characters.",
            )
        elif new_password == password:
            reader.fail(
                "new_password",
                "지금 비밀번호와 다른 것으로 정해 주세요.",
                "Choose one other than the current.",
            )
        elif new_password != reader.raw("new_password_confirm"):
            reader.fail(
                "new_password_confirm", "새 비밀번호가 서로 다릅니다.", "The two new passwords differ."
            )
    next_path = safe_next(reader.raw("next"), "/staff")
    values = {"username": reader.raw("username")[:64]}
    context: dict[str, Any] = {
        "errors": reader.errors,
        "values": values,
        "next": next_path,
        "failed": False,
        "change_required": changing,
        "role_labels": ROLE_LABELS,
    }
    if username is None or password is None or reader.errors:
        return render(request, "staff/login.html", context, status_code=422)
    platform = _platform(request)
    try:
        actor = await run_in_threadpool(authenticate_staff, platform, username, password, new_password)
    except Forbidden:  # unknown user, wrong password or inactive: one answer for all
        context["failed"] = True
        return render(request, "staff/login.html", context, status_code=401)
    except Conflict as exc:  # a reset password: the same form asks for the user's own
        if exc.code != "PASSWORD_CHANGE_REQUIRED":
            raise
        context["change_required"] = True
        return render(request, "staff/login.html", context, status_code=409)
    except InputError as exc:
        context["errors"] = {exc.field: Message(exc.message, exc.message)}
        return render(request, "staff/login.html", context, status_code=422)
    response = RedirectResponse(next_path, status_code=303)
    sign_in_staff(response, request, issue_staff_token(platform, actor).token)
    return response


@router.post("/staff/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/staff/login", status_code=303)
    sign_out(response, request, "staff")
    return response


# --- the queue --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueQuery:
    filters: ApplicationFilters
    params: dict[str, str]  # the filter parameters as given (valid ones), for links and the form


def _read_queue_query(platform: Platform, query: Mapping[str, str]) -> tuple[QueueQuery, FormReader]:
    reader = FormReader(query)
    status = reader.choice("status", [s.value for s in ApplicationStatus], required=False)
    product = reader.choice("product", platform.catalog.product_ids, required=False)
    region = reader.choice("region", REGIONS, required=False)
    band = reader.choice("age", AGE_BANDS, required=False)
    screening = reader.choice("screening", [s.value for s in Status], required=False)
    submitted_from = reader.day("from", required=False)
    submitted_to = reader.day("to", required=False)
    after = reader.integer("after", required=False, maximum=2**62) or 0
    if submitted_from and submitted_to and submitted_from > submitted_to:
        reader.fail("to", "끝 날짜가 시작 날짜보다 앞섭니다.", "The end date is before the start date.")
    age_min, age_max = (AGE_BANDS[band][2], AGE_BANDS[band][3]) if band else (None, None)
    filters = ApplicationFilters(
        status=status,
        product_id=product,
        screening_status=screening,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        region=region,
        age_min=age_min,
        age_max=age_max,
        after_id=after,
        limit=PAGE_SIZE + 1,
    )
    names = ("status", "product", "region", "age", "screening", "from", "to")
    params = {n: reader.raw(n) for n in names if reader.raw(n) and n not in reader.errors}
    return QueueQuery(filters, params), reader


@router.get("/staff")
def queue(request: Request) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    platform = _platform(request)
    query, reader = _read_queue_query(platform, request.query_params)
    rows: list[dict[str, Any]] = []
    if reader.ok:
        rows = list_applications(platform, actor, query.filters)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_url = "/staff?" + urlencode({**query.params, "after": rows[-1]["id"]}) if more else None
    first_url = "/staff?" + urlencode(query.params) if query.filters.after_id else None
    htmx = request.headers.get("HX-Request") == "true"
    context = {
        "actor": actor,
        "rows": rows,
        "errors": reader.errors,
        "values": dict(request.query_params),
        "next_url": next_url,
        "first_url": first_url,
        "statuses": [s.value for s in ApplicationStatus],
        "products": sorted(platform.catalog.product_ids),
        "regions": REGIONS,
        "age_bands": AGE_BANDS,
        "screening_labels": SCREENING_LABELS,
        "role_labels": ROLE_LABELS,
        "today": platform.today(),
    }
    # An HTMX swap gets the results only (static/app.js lets htmx swap a 422 in like a 200).
    template = "staff/_queue_results.html" if htmx else "staff/queue.html"
    status_code = 200 if reader.ok else 422
    return render(request, template, context, status_code=status_code)


# --- one application ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScreeningLine:
    code: str
    outcome: str  # pass, fail, confirm, note; "" when only the code is shown
    label_ko: str
    label_en: str
    message_ko: str
    message_en: str


def _screening(platform: Platform, application: Mapping[str, Any]) -> tuple[list[ScreeningLine], bool]:
    """The automatic screening as reasons with their messages, judged again exactly as on the application
    day from the stored profile, when this viewer sees it in full; else the stored codes with their labels
    (the messages carry income and scores). Returns (lines, whether the messages are shown)."""
    codes: list[str] = list(application["screening"]["codes"])
    plain = [ScreeningLine(c, "", *reason_label(c), "", "") for c in codes]
    if application["personal_data"] != "full":
        return plain, False
    try:
        version = platform.catalog.version(application["product_id"], application["product_version"])
    except LookupError:
        return plain, False
    decision = rejudge_screening(
        version, application["profile"], date.fromisoformat(application["submitted_on"])
    )
    if decision is None or list(decision.codes) != codes:  # the rules moved under the stored verdict
        return plain, False
    return [
        ScreeningLine(r.code, r.outcome.value, *reason_label(r.code), r.message_ko, r.message_en)
        for r in decision.shown_reasons
    ], True


def _documents(platform: Platform, application: Mapping[str, Any]) -> list[dict[str, Any]]:
    version = platform.catalog.version(application["product_id"], application["product_version"])
    months = version.documents.validity_months if version.documents else None
    today = platform.today()
    shown = []
    for d in application["documents"]:
        issued = date.fromisoformat(d["issued_on"])
        until = add_months(issued, months, issued.day) if months else None
        kind = platform.catalog.document_types.get(d["type"])
        shown.append(
            {
                **d,
                "issued": issued,
                "valid_until": until,
                "expired": until is not None and until < today,
                "name_ko": kind.name_ko if kind else d["type"],
                "name_en": kind.name_en if kind else d["type"],
            }
        )
    return shown


def _application_context(request: Request, actor: Actor, application_id: int) -> dict[str, Any]:
    platform = _platform(request)
    application = get_application(platform, actor, application_id)
    screening, explained = _screening(platform, application)
    decisions = application["decisions"]
    names = staff_names(platform, [d["reviewer_id"] for d in decisions])
    maker = next((d["reviewer_id"] for d in reversed(decisions) if d["decision"] == "approve"), None)
    version = platform.catalog.version(application["product_id"], application["product_version"])
    status = application["status"]
    reviewer = actor.role in REVIEW_ROLES
    return {
        "actor": actor,
        "app": application,
        "screening": screening,
        "screening_explained": explained,
        "documents": _documents(platform, application),
        "decisions": decisions,
        "staff_names": names,
        "maker_is_me": maker is not None and str(maker) == actor.id,
        "trail": application_trail(platform, actor, application_id),
        "notes": list_notes(platform, actor, application_id),
        "can_decide": reviewer and status == ApplicationStatus.SUBMITTED.value,
        "can_second_review": reviewer and status == ApplicationStatus.PENDING_SECOND_REVIEW.value,
        "can_note": actor.role in WRITER_ROLES,
        "threshold": version.review.second_review_above,
        "reason_options": rejection_codes(),
        "reason_label": reason_label,
        "occupations": OCCUPATIONS,
        "haessal15": HAESSAL15,
        "actions": ACTIONS,
        "role_labels": ROLE_LABELS,
        "screening_labels": SCREENING_LABELS,
        "kst_time": kst_time,
        "max_note": MAX_NOTE_CHARS,
        "today": platform.today(),
        "errors": {},
        "values": {},
        "alert": None,
        "done": DONE.get(request.query_params.get("done", "")),
    }


def _application_page(
    request: Request,
    actor: Actor,
    application_id: int,
    *,
    status_code: int = 200,
    errors: Mapping[str, Message] | None = None,
    values: Mapping[str, Any] | None = None,
    alert: tuple[str, str, str] | None = None,
) -> Response:
    context = _application_context(request, actor, application_id)
    context.update(errors=dict(errors or {}), values=dict(values or {}), alert=alert, done=None)
    return render(request, "staff/application.html", context, status_code=status_code)


async def _page_again(
    request: Request, actor: Actor, application_id: int, status_code: int, **context: Any
) -> Response:
    """The application page again after a refused form: its errors or alert, what was typed kept."""
    return await run_in_threadpool(
        partial(_application_page, request, actor, application_id, status_code=status_code, **context)
    )


@router.get("/staff/applications/{application_id}/documents/{document_id}")
def document_file(request: Request, application_id: Id, document_id: Id) -> Response:
    """A submitted document shown inline to a reviewer or supervisor; never cached, audited per opening."""
    actor = require_staff(request, *VIEWER_ROLES)
    found = open_document(_platform(request), actor, application_id, document_id)
    return Response(
        found.content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(found.name)}",
            "Cache-Control": "no-store",
        },
    )


@router.get("/staff/applications/{application_id}")
def application_page(request: Request, application_id: Id) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    context = _application_context(request, actor, application_id)
    return render(request, "staff/application.html", context)


def _service_error_alert(exc: Exception) -> tuple[int, tuple[str, str, str]]:
    """(status code, (Korean, English, detail)) for a service's refusal shown at the top of the page."""
    if isinstance(exc, Conflict):
        if exc.words is not None:  # the engine's own words, both languages
            ko, en = exc.words
            return 409, (ko, en, "")
        if exc.code in CONFLICT_MESSAGES:  # plain words: the code is for the log, not for people
            ko, en = CONFLICT_MESSAGES[exc.code]
            return 409, (ko, en, "")
        ko, en = ("지금 상태에서는 할 수 없는 결정입니다.", "Not possible in the current state.")
        return 409, (ko, en, exc.message)
    if isinstance(exc, Forbidden):
        return 403, ("이 일을 할 권한이 없습니다.", "Your role may not do this.", str(exc))
    assert isinstance(exc, InputError)
    return 422, ("입력값을 확인해 주세요.", "Please check what you entered.", exc.message)


def _codes_from(form: FormData, reader: FormReader, name: str) -> list[str]:
    allowed = {c for c, _, _ in rejection_codes()}
    codes = [c for c in form.getlist(name) if isinstance(c, str)]
    if any(c not in allowed for c in codes):
        reader.fail(name, "목록에서 골라 주세요.", "Choose from the list.")
    return [c for c in codes if c in allowed]


@router.post("/staff/applications/{application_id}/decision")
async def decision(request: Request, application_id: Id) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    form = await request.form()
    reader = FormReader(form)
    choice = reader.choice("decision", ("approve", "reject"))
    note_field = "reject_note" if choice == "reject" else "approve_note"
    note = reader.text(note_field, required=False, max_length=2000) or ""
    amount: int | None = None
    codes: list[str] = []
    if choice == "approve":
        amount = reader.won("amount", required=False, minimum=1)
    elif choice == "reject":
        codes = _codes_from(form, reader, "reason_codes")
        if not codes:
            reader.fail(
                "reason_codes",
                "거절 사유를 하나 이상 골라 주세요.",
                "Choose at least one reason for rejecting.",
            )
    values = {k: v for k, v in form.items() if isinstance(v, str)} | {"reason_codes": codes}
    if not reader.ok:
        return await _page_again(request, actor, application_id, 422, errors=reader.errors, values=values)
    try:
        status = await run_in_threadpool(
            lambda: decide(
                _platform(request),
                actor,
                application_id,
                approve=choice == "approve",
                amount=amount,
                reason_codes=codes,
                note=note,
            )
        )
    except InputError as exc:
        field = _form_field(exc.field, note_field)
        if field is None:
            code, alert = _service_error_alert(exc)
            return await _page_again(request, actor, application_id, code, alert=alert, values=values)
        reader.fail(field, exc.message, exc.message)
        return await _page_again(request, actor, application_id, 422, errors=reader.errors, values=values)
    except (Conflict, Forbidden) as exc:
        code, alert = _service_error_alert(exc)
        return await _page_again(request, actor, application_id, code, alert=alert, values=values)
    return RedirectResponse(
        f"/staff/applications/{application_id}?done={status.value}#result", status_code=303
    )


def _form_field(service_field: str, note_field: str) -> str | None:
    """The form field a service's InputError names (``reason_codes.0`` -> ``reason_codes``)."""
    head = service_field.split(".", 1)[0]
    return {"amount": "amount", "reason_codes": "reason_codes", "note": note_field}.get(head)


@router.post("/staff/applications/{application_id}/second-review")
async def second_review(request: Request, application_id: Id) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    form = await request.form()
    reader = FormReader(form)
    choice = reader.choice("decision", ("confirm", "decline"))
    note = reader.text("review_note", required=False, max_length=2000) or ""
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not reader.ok:
        return await _page_again(request, actor, application_id, 422, errors=reader.errors, values=values)
    try:
        status = await run_in_threadpool(
            confirm_second_review, _platform(request), actor, application_id, choice == "confirm", note
        )
    except (Conflict, Forbidden, InputError) as exc:
        code, alert = _service_error_alert(exc)
        return await _page_again(request, actor, application_id, code, alert=alert, values=values)
    return RedirectResponse(
        f"/staff/applications/{application_id}?done={status.value}#result", status_code=303
    )


@router.post("/staff/applications/{application_id}/notes")
async def note(request: Request, application_id: Id) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    form = await request.form()
    reader = FormReader(form)
    body = reader.text("body", max_length=MAX_NOTE_CHARS)
    values = {"body": reader.raw("body")}
    if body is None:
        return await _page_again(request, actor, application_id, 422, errors=reader.errors, values=values)
    try:
        await run_in_threadpool(add_note, _platform(request), actor, application_id, body)
    except (Forbidden, InputError) as exc:
        code, alert = _service_error_alert(exc)
        return await _page_again(request, actor, application_id, code, alert=alert, values=values)
    return RedirectResponse(f"/staff/applications/{application_id}?done=note#notes", status_code=303)


# --- the supervisor's overview ------------------------------------------------------------------------


@router.get("/staff/overview")
def overview_page(request: Request) -> Response:
    actor = require_staff(request, "supervisor")
    view = overview(_platform(request), actor)
    lang = request_lang(request)
    return render(
        request,
        "staff/overview.html",
        {
            "actor": actor,
            "view": view,
            "daily_chart": daily_svg(view, lang),
            "delinquency_chart": delinquency_svg(view, lang),
            "role_labels": ROLE_LABELS,
        },
    )
