"""The counselors' consulting pages (신용·부채관리 컨설팅): programmes under way, enrolling a person, and one
programme with its plan, sessions and the form for the next monthly session. Every staff role reads;
counselors and supervisors write (the service decides: a refusal is shown at the top of the page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.web.forms import FormReader
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import require_staff
from seomin.adapters.web.staff_console import ROLE_LABELS, Id, _service_error_alert
from seomin.domain.consulting import MAX_SESSIONS, MAX_TEXT
from seomin.services.consulting import WRITER_ROLES, enroll, get_programme, list_programmes, record_session
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor

router = APIRouter()


def _list_page(request: Request, actor: Actor, status_code: int = 200, **extra: Any) -> Response:
    context = {
        "actor": actor,
        "role_labels": ROLE_LABELS,
        "programmes": list_programmes(platform_of(request), actor),
        "may_write": actor.role in WRITER_ROLES,
        "max_sessions": MAX_SESSIONS,
        "values": {"sessions_planned": str(MAX_SESSIONS)},
        "errors": {},
        "alert": None,
        **extra,
    }
    return render(request, "staff/consulting_list.html", context, status_code=status_code)


def _programme_page(
    request: Request, actor: Actor, programme_id: int, status_code: int = 200, **extra: Any
) -> Response:
    context = {
        "actor": actor,
        "role_labels": ROLE_LABELS,
        "programme": get_programme(platform_of(request), actor, programme_id),
        "may_write": actor.role in WRITER_ROLES,
        "values": {},
        "errors": {},
        "alert": None,
        "done": request.query_params.get("done"),
        **extra,
    }
    return render(request, "staff/consulting.html", context, status_code=status_code)


@router.get("/staff/consulting")
def consulting_list(request: Request) -> Response:
    return _list_page(request, require_staff(request, *STAFF_ROLES))


@router.post("/staff/consulting")
async def consulting_enroll(request: Request) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    reader = FormReader(await request.form())
    applicant_id = reader.integer("applicant_id", minimum=1, maximum=2**62)
    plan = reader.text("plan", max_length=MAX_TEXT)
    planned = reader.integer("sessions_planned", minimum=1, maximum=MAX_SESSIONS)
    values = {name: reader.raw(name) for name in ("applicant_id", "plan", "sessions_planned")}
    if applicant_id is None or plan is None or planned is None:
        return _list_page(request, actor, 422, values=values, errors=reader.errors)
    try:
        programme_id = await run_in_threadpool(
            enroll, platform_of(request), actor, applicant_id, plan, planned
        )
    except NotFound:
        alert = ("그런 신청인이 없습니다.", "No such applicant.", f"applicant {applicant_id}")
        return _list_page(request, actor, 404, values=values, alert=alert)
    except (Conflict, Forbidden, InputError) as exc:
        code, alert = _service_error_alert(exc)
        return _list_page(request, actor, code, values=values, alert=alert)
    return RedirectResponse(f"/staff/consulting/{programme_id}?done=enrolled", status_code=303)


@router.get("/staff/consulting/{programme_id}")
def consulting_programme(request: Request, programme_id: Id) -> Response:
    return _programme_page(request, require_staff(request, *STAFF_ROLES), programme_id)


@router.post("/staff/consulting/{programme_id}/sessions")
async def consulting_session(request: Request, programme_id: Id) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    reader = FormReader(await request.form())
    held_on = reader.day("held_on")
    notes = reader.text("notes", max_length=MAX_TEXT)
    values = {"held_on": reader.raw("held_on"), "notes": reader.raw("notes")}
    if held_on is None or notes is None:
        return _programme_page(request, actor, programme_id, 422, values=values, errors=reader.errors)
    try:
        await run_in_threadpool(record_session, platform_of(request), actor, programme_id, held_on, notes)
    except (Conflict, Forbidden, InputError) as exc:
        code, alert = _service_error_alert(exc)
        return _programme_page(request, actor, programme_id, code, values=values, alert=alert)
    return RedirectResponse(f"/staff/consulting/{programme_id}?done=session", status_code=303)
