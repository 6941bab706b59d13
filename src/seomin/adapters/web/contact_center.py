"""Contact-center pages: the counselor workspace (find a person, their timeline and notes) and the 1397 chat
for visitors (``/chat``, linked from every page's footer) and for counselors (``/staff/chats``).

A person search is POSTed, never a GET: a resident number or a phone must not land in a URL (server logs,
browser history). The chat's transcripts are live through server-sent events (``…/events``): each stream
waits on ``adapters.chat_signals`` and reads what is new from the database, so it works across server
processes on PostgreSQL. Without JavaScript the forms post and the page reloads with the transcript.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response, StreamingResponse

from seomin.adapters.app_state import platform_of
from seomin.adapters.chat_signals import QUEUE, LocalSignals, signals_for
from seomin.adapters.quality_rubric import default_rubric
from seomin.adapters.support_centers import default_support_centers
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import require_staff, safe_next, sign_in_applicant, viewer_of
from seomin.adapters.web.staff_console import ROLE_LABELS, Id, _service_error_alert
from seomin.domain.contact import CHAT_OUTCOMES, CHAT_STATUSES, CHAT_TOPICS, TIMELINE_KINDS
from seomin.services import contact_center as cc
from seomin.services.errors import Conflict, Forbidden, InputError
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor

router = APIRouter()
CHAT_COOKIE = "seomin_chat"
KEEPALIVE_SECONDS = 15.0
_signals_lock = threading.Lock()


def chat_signals(request: Request) -> LocalSignals:
    """The app's chat signals, made on first use for the app's database (closed by the app's lifespan)."""
    state = request.app.state
    with _signals_lock:
        found: LocalSignals | None = getattr(state, "chat_signals", None)
        if found is None:
            found = signals_for(platform_of(request).engine)
            state.chat_signals = found
        return found


def close_chat_signals(state: Any) -> None:
    found = getattr(state, "chat_signals", None)
    if isinstance(found, LocalSignals):
        found.close()
        state.chat_signals = None


def _common(actor: Actor | None) -> dict[str, Any]:
    return {
        "actor": actor,
        "role_labels": ROLE_LABELS,
        "kinds": TIMELINE_KINDS,
        "topics": CHAT_TOPICS,
        "outcomes": CHAT_OUTCOMES,
        "chat_statuses": CHAT_STATUSES,
        "errors": {},
        "values": {},
        "alert": None,
    }


# --- counselor workspace ------------------------------------------------------------------------------

SEARCH_FIELDS = ("by", "name", "birth_date", "rrn", "phone")


@router.get("/staff/people")
def people_page(request: Request) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    return render(request, "staff/people.html", {**_common(actor), "values": {"by": "name"}, "hits": None})


@router.post("/staff/people")
async def people_search(request: Request) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    reader = FormReader(await request.form())
    by = reader.choice("by", [s.value for s in cc.SearchBy])
    birth = reader.day("birth_date", required=by == cc.SearchBy.NAME)
    values = {name: reader.raw(name) for name in SEARCH_FIELDS if name != "rrn"}  # never echo a number back
    context = {**_common(actor), "values": values, "hits": None}
    if by is None or not reader.ok:
        return render(request, "staff/people.html", {**context, "errors": reader.errors}, status_code=422)
    try:
        hits = await run_in_threadpool(
            cc.find_people,
            platform_of(request),
            actor,
            by,
            name=reader.raw("name"),
            birth_date=birth,
            rrn=reader.raw("rrn"),
            phone=reader.raw("phone"),
        )
    except InputError as exc:
        errors = {exc.field: Message("입력값을 확인해 주세요: " + exc.message, exc.message)}
        return render(request, "staff/people.html", {**context, "errors": errors}, status_code=422)
    return render(request, "staff/people.html", {**context, "hits": hits})


@router.post("/staff/people/walk-in")
async def walk_in(request: Request) -> Response:
    """The person at the desk: ID checked and consent given, an applicant session on this browser, and on
    to the application pages (the person signs out there, or the session ends with its time)."""
    actor = require_staff(request, *STAFF_ROLES)
    reader = FormReader(await request.form())
    values = {"by": "name", "walk_name": reader.raw("walk_name"), "walk_phone": reader.raw("walk_phone")}
    try:
        _, token = await run_in_threadpool(
            lambda: cc.open_desk_session(
                platform_of(request),
                actor,
                name=reader.raw("walk_name"),
                rrn=reader.raw("walk_rrn"),
                phone=reader.raw("walk_phone"),
                id_checked=reader.flag("id_checked"),
                consent=reader.flag("consent"),
            )
        )
    except InputError as exc:
        field = exc.field if exc.field in ("id_checked", "consent") else f"walk_{exc.field}"
        errors = {field: Message("입력값을 확인해 주세요: " + exc.message, exc.message)}
        context = {**_common(actor), "values": values, "hits": None, "errors": errors}
        return render(request, "staff/people.html", context, status_code=422)
    except Forbidden as exc:
        code, alert = _service_error_alert(exc)
        context = {**_common(actor), "values": values, "hits": None, "alert": alert}
        return render(request, "staff/people.html", context, status_code=code)
    response = RedirectResponse("/apply", status_code=303)
    sign_in_applicant(response, request, token)
    return response


def _person_page(
    request: Request, actor: Actor, applicant_id: int, status_code: int = 200, **extra: Any
) -> Response:
    view = cc.person_view(platform_of(request), actor, applicant_id)
    context = {
        **_common(actor),
        "view": view,
        "may_write": actor.role in cc.WRITER_ROLES,
        "done": request.query_params.get("done"),
        **extra,
    }
    return render(request, "staff/person.html", context, status_code=status_code)


@router.get("/staff/people/{applicant_id}")
def person_page(request: Request, applicant_id: Id) -> Response:
    return _person_page(request, require_staff(request, *STAFF_ROLES), applicant_id)


@router.post("/staff/people/{applicant_id}/notes")
async def person_note(request: Request, applicant_id: Id) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    reader = FormReader(await request.form())
    body = reader.text("body", max_length=cc.MAX_NOTE_CHARS)
    if body is None:
        values = {"body": reader.raw("body")}
        return _person_page(request, actor, applicant_id, 422, values=values, errors=reader.errors)
    try:
        await run_in_threadpool(cc.add_person_note, platform_of(request), actor, applicant_id, body)
    except (Forbidden, InputError) as exc:
        code, alert = _service_error_alert(exc)
        return _person_page(request, actor, applicant_id, code, values={"body": body}, alert=alert)
    return RedirectResponse(f"/staff/people/{applicant_id}?done=note", status_code=303)


# --- the visitor's chat -------------------------------------------------------------------------------


@router.get("/chat")
def chat_start(request: Request) -> Response:
    return render(request, "chat/start.html", {**_common(None), "values": {"topic": "products"}})


@router.post("/chat")
async def chat_open(request: Request) -> Response:
    reader = FormReader(await request.form())
    topic = reader.choice("topic", list(CHAT_TOPICS))
    body = reader.text("body", max_length=cc.MAX_MESSAGE_CHARS)
    if topic is None or body is None:
        values = {"topic": reader.raw("topic"), "body": reader.raw("body")}
        context = {**_common(None), "values": values, "errors": reader.errors}
        return render(request, "chat/start.html", context, status_code=422)
    applicant = viewer_of(request).applicant
    source = request.client.host if request.client else ""
    chat_id, token = await run_in_threadpool(
        cc.open_chat, platform_of(request), applicant, topic, body, source
    )
    await run_in_threadpool(chat_signals(request).publish, QUEUE)
    response = RedirectResponse(f"/chat/{chat_id}", status_code=303)
    response.set_cookie(CHAT_COOKIE, token, max_age=24 * 3600, httponly=True, samesite="lax", path="/chat")
    return response


def _visitor(request: Request, chat_id: int) -> tuple[cc.ChatSummary, list[cc.Line]]:
    return cc.visitor_chat(platform_of(request), chat_id, request.cookies.get(CHAT_COOKIE, ""))


@router.get("/chat/{chat_id}")
def chat_room(request: Request, chat_id: Id) -> Response:
    chat, lines = _visitor(request, chat_id)
    context = {**_common(None), "chat": chat, "lines": lines, "events": f"/chat/{chat_id}/events"}
    return render(request, "chat/room.html", context)


def _posted(request: Request, location: str) -> Response:
    """A script's post gets 204 (its line arrives through the stream); a plain form reloads the page."""
    if request.headers.get("X-Requested-With") == "fetch":
        return Response(status_code=204)
    return RedirectResponse(location, status_code=303)


@router.post("/chat/{chat_id}/messages")
async def chat_say(request: Request, chat_id: Id) -> Response:
    reader = FormReader(await request.form())
    body = reader.text("body", max_length=cc.MAX_MESSAGE_CHARS)
    token = request.cookies.get(CHAT_COOKIE, "")
    if body is None:
        chat, lines = await run_in_threadpool(_visitor, request, chat_id)
        context = {**_common(None), "chat": chat, "lines": lines, "events": f"/chat/{chat_id}/events"}
        return render(request, "chat/room.html", {**context, "errors": reader.errors}, status_code=422)
    try:
        await run_in_threadpool(cc.post_as_visitor, platform_of(request), chat_id, token, body)
    except Conflict as exc:
        code, alert = _service_error_alert(exc)
        chat, lines = await run_in_threadpool(_visitor, request, chat_id)
        context = {**_common(None), "chat": chat, "lines": lines, "events": f"/chat/{chat_id}/events"}
        return render(request, "chat/room.html", {**context, "alert": alert}, status_code=code)
    await run_in_threadpool(chat_signals(request).publish, chat_id)
    return _posted(request, f"/chat/{chat_id}")


@router.get("/chat/{chat_id}/events")
async def chat_events(request: Request, chat_id: Id) -> Response:
    await run_in_threadpool(_visitor, request, chat_id)  # NotFound without the visitor's token
    return _stream(request, chat_id)


# --- the counselors' side -----------------------------------------------------------------------------


@router.get("/staff/chats")
def chats_page(request: Request) -> Response:
    actor = require_staff(request, *cc.COUNSELOR_ROLES)
    waiting, mine = cc.chat_queue(platform_of(request), actor)
    context = {**_common(actor), "waiting": waiting, "mine": mine}
    return render(request, "staff/chats.html", context)


def _staff_chat_page(
    request: Request, actor: Actor, chat_id: int, status_code: int = 200, **extra: Any
) -> Response:
    platform = platform_of(request)
    chat, lines = cc.staff_chat(platform, actor, chat_id)
    view = cc.person_view(platform, actor, chat.applicant_id) if chat.applicant_id is not None else None
    context = {
        **_common(actor),
        "chat": chat,
        "lines": lines,
        "view": view,
        "mine": chat.status == "active"
        and (chat.counselor_id == int(actor.id) or actor.role == "supervisor"),
        "events": f"/staff/chats/{chat_id}/events",
        **extra,
    }
    return render(request, "staff/chat.html", context, status_code=status_code)


@router.get("/staff/chats/{chat_id}")
def staff_chat_page(request: Request, chat_id: Id) -> Response:
    return _staff_chat_page(request, require_staff(request, *STAFF_ROLES), chat_id)


async def _staff_act(request: Request, chat_id: int, action: str) -> Response:
    actor = require_staff(request, *cc.COUNSELOR_ROLES)
    reader = FormReader(await request.form())
    platform = platform_of(request)
    try:
        if action == "take":
            await run_in_threadpool(cc.take_chat, platform, actor, chat_id)
        elif action == "say":
            body = reader.text("body", max_length=cc.MAX_MESSAGE_CHARS)
            if body is None:
                return _staff_chat_page(request, actor, chat_id, 422, errors=reader.errors)
            await run_in_threadpool(cc.post_as_counselor, platform, actor, chat_id, body)
        elif action == "handover":
            await run_in_threadpool(cc.hand_over, platform, actor, chat_id, reader.raw("to"))
        else:
            await run_in_threadpool(cc.close_chat, platform, actor, chat_id, reader.raw("outcome"))
            await run_in_threadpool(cc.review_chat, platform, default_rubric(), chat_id)
    except InputError as exc:
        errors = {exc.field: Message("입력값을 확인해 주세요: " + exc.message, exc.message)}
        values = {"to": reader.raw("to"), "outcome": reader.raw("outcome")}
        return _staff_chat_page(request, actor, chat_id, 422, errors=errors, values=values)
    except (Conflict, Forbidden) as exc:
        code, alert = _service_error_alert(exc)
        return _staff_chat_page(request, actor, chat_id, code, alert=alert)
    await run_in_threadpool(chat_signals(request).publish, chat_id, QUEUE)
    if action == "say":
        return _posted(request, f"/staff/chats/{chat_id}")
    location = "/staff/chats" if action in ("handover", "close") else f"/staff/chats/{chat_id}"
    return RedirectResponse(location, status_code=303)


@router.post("/staff/chats/{chat_id}/take")
async def chat_take(request: Request, chat_id: Id) -> Response:
    return await _staff_act(request, chat_id, "take")


@router.post("/staff/chats/{chat_id}/messages")
async def chat_answer(request: Request, chat_id: Id) -> Response:
    return await _staff_act(request, chat_id, "say")


@router.post("/staff/chats/{chat_id}/handover")
async def chat_handover(request: Request, chat_id: Id) -> Response:
    return await _staff_act(request, chat_id, "handover")


@router.post("/staff/chats/{chat_id}/close")
async def chat_close(request: Request, chat_id: Id) -> Response:
    return await _staff_act(request, chat_id, "close")


@router.get("/staff/chats/{chat_id}/events")
async def staff_chat_events(request: Request, chat_id: Id) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    await run_in_threadpool(cc.staff_chat, platform_of(request), actor, chat_id)
    return _stream(request, chat_id)


@router.get("/staff/chats-events")
async def queue_events(request: Request) -> Response:
    """The queue's wake-ups: the page reloads its lists when a chat is opened, taken or closed."""
    require_staff(request, *cc.COUNSELOR_ROLES)
    return StreamingResponse(_queue_stream(request), media_type="text/event-stream", headers=_SSE_HEADERS)


# --- server-sent events -------------------------------------------------------------------------------

_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _stream(request: Request, chat_id: int) -> Response:
    after = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
    start = int(after) if after.isdigit() else 0
    return StreamingResponse(
        _lines(request, chat_id, start), media_type="text/event-stream", headers=_SSE_HEADERS
    )


async def _lines(request: Request, chat_id: int, after: int) -> AsyncIterator[str]:
    platform = platform_of(request)
    async with chat_signals(request).subscription(chat_id) as wake:
        yield "retry: 2000\n\n"
        while True:
            wake.clear()  # before the read: a signal during the read wakes the next wait
            lines, status = await run_in_threadpool(cc.lines_after, platform, chat_id, after)
            for line in lines:
                data = {"id": line.id, "sender": line.sender, "body": line.body, "at": line.at.isoformat()}
                yield f"id: {line.id}\nevent: line\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
                after = line.id
            if status == "closed":
                yield "event: closed\ndata: {}\n\n"
                return
            if await _waited(request, wake):
                yield ": keep-alive\n\n"
            if await request.is_disconnected():
                return


async def _waited(request: Request, wake: asyncio.Event) -> bool:
    """Wait for a signal; True when the keep-alive interval passed without one."""
    try:
        await asyncio.wait_for(wake.wait(), KEEPALIVE_SECONDS)
    except TimeoutError:
        return True
    return False


async def _queue_stream(request: Request) -> AsyncIterator[str]:
    async with chat_signals(request).subscription(QUEUE) as wake:
        yield "retry: 2000\n\n"
        while True:
            wake.clear()
            if await _waited(request, wake):
                yield ": keep-alive\n\n"
            else:
                yield "event: queue\ndata: {}\n\n"
            if await request.is_disconnected():
                return


# --- the bookings' back office ------------------------------------------------------------------------


def _desk_page(request: Request, actor: Actor, status_code: int = 200, **extra: Any) -> Response:
    directory = default_support_centers()
    query = request.query_params
    channel = "visit" if query.get("channel") == "visit" else "callback"
    group = query.get("group") if directory.group(query.get("group") or "") else directory.groups[0].code
    try:
        day = date.fromisoformat(query.get("day") or "")
    except ValueError:
        day = platform_of(request).today()
    slots = cc.worklist(
        platform_of(request), directory, actor, day, channel, group if channel == "visit" else None
    )
    context = {
        **_common(actor),
        "directory": directory,
        "slots": slots,
        "day": day,
        "channel": channel,
        "group": group,
        "outcome_words": {"done": ("상담 완료", "Done"), "no_show": ("노쇼", "No-show")},
        "may_handle": actor.role in cc.HANDLER_ROLES,
        "here": f"/staff/bookings?day={day.isoformat()}&channel={channel}&group={group}",
        **extra,
    }
    return render(request, "staff/bookings.html", context, status_code=status_code)


@router.get("/staff/bookings")
def bookings_desk(request: Request) -> Response:
    return _desk_page(request, require_staff(request, *STAFF_ROLES))


async def _desk_act(request: Request, booking_id: int, action: str) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    reader = FormReader(await request.form())
    platform = platform_of(request)
    back = safe_next(reader.raw("back"), "/staff/bookings")
    try:
        if action == "assign":
            await run_in_threadpool(
                cc.assign_booking,
                platform,
                default_support_centers(),
                actor,
                booking_id,
                to_username=reader.raw("to"),
                center=reader.raw("center") or None,
            )
        else:
            linked = reader.integer("application_id", required=False, minimum=1, maximum=2**62)
            if not reader.ok:
                return _desk_page(request, actor, 422, errors=reader.errors)
            await run_in_threadpool(
                cc.record_outcome,
                platform,
                actor,
                booking_id,
                outcome=reader.raw("outcome"),
                note=reader.raw("note"),
                application_id=linked,
            )
    except InputError as exc:
        errors = {exc.field: Message("입력값을 확인해 주세요: " + exc.message, exc.message)}
        return _desk_page(request, actor, 422, errors=errors)
    except (Conflict, Forbidden) as exc:
        code, alert = _service_error_alert(exc)
        return _desk_page(request, actor, code, alert=alert)
    return RedirectResponse(back, status_code=303)


@router.post("/staff/bookings/{booking_id}/assign")
async def booking_assign(request: Request, booking_id: Id) -> Response:
    return await _desk_act(request, booking_id, "assign")


@router.post("/staff/bookings/{booking_id}/outcome")
async def booking_outcome(request: Request, booking_id: Id) -> Response:
    return await _desk_act(request, booking_id, "outcome")


# --- quality ------------------------------------------------------------------------------------------

QUALITY_READERS = ("supervisor", "auditor")


def _quality_page(request: Request, actor: Actor, status_code: int = 200, **extra: Any) -> Response:
    today = platform_of(request).today()
    query = request.query_params
    try:
        start = date.fromisoformat(query.get("start") or "")
    except ValueError:
        start = today.replace(day=1)
    try:
        end = date.fromisoformat(query.get("end") or "")
    except ValueError:
        end = today
    if start > end:
        start, end = end, start
    context = {
        **_common(actor),
        "figures": cc.quality_figures(platform_of(request), actor, start, end),
        "rubric": default_rubric(),
        "start": start,
        "end": end,
        "may_import": actor.role == "supervisor",
        "done": query.get("done"),
        **extra,
    }
    return render(request, "staff/quality.html", context, status_code=status_code)


@router.get("/staff/quality")
def quality_page(request: Request) -> Response:
    return _quality_page(request, require_staff(request, *QUALITY_READERS))


@router.post("/staff/quality/import")
async def quality_import(request: Request) -> Response:
    """The STT system's calls as a JSON file (a list of calls, or ``{"calls": [...]}``)."""
    actor = require_staff(request, *QUALITY_READERS)
    form = await request.form()
    upload = form.get("calls")
    content = await upload.read(MAX_IMPORT_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        data = json.loads(content.decode("utf-8")) if content and len(content) <= MAX_IMPORT_BYTES else None
    except (UnicodeDecodeError, ValueError):
        data = None
    calls = data.get("calls") if isinstance(data, dict) else data
    if calls is None:
        errors = {"calls": Message("통화 기록 JSON 파일을 올려 주세요.", "Upload the calls as a JSON file.")}
        return _quality_page(request, actor, 422, errors=errors)
    try:
        added, skipped = await run_in_threadpool(
            cc.import_calls, platform_of(request), default_rubric(), actor, calls
        )
    except InputError as exc:
        errors = {"calls": Message(f"파일의 {exc.field}: {exc.message}", f"{exc.field}: {exc.message}")}
        return _quality_page(request, actor, 422, errors=errors)
    except Forbidden as exc:
        code, alert = _service_error_alert(exc)
        return _quality_page(request, actor, code, alert=alert)
    return RedirectResponse(f"/staff/quality?done={added}-{skipped}", status_code=303)


MAX_IMPORT_BYTES = 4 << 20
