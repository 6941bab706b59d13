"""도움받기: book a callback from the 1397 call center or a visit to an integrated support center, for people
who cannot finish online. No account needed (a signed-in applicant's booking is linked to them).

The rules and the seat-per-booking capacity live in ``services.help_bookings``; the region groups, their
seed-004 center counts and the slots in ``data/support_centers.toml``. With HTMX, changing the day or the
region refreshes the time list with the seats left; without it the page works the same.

A booking's page (``/help/booked/{reference}``) offers to cancel it: the person confirms with the last four
digits of the phone they booked with; a wrong answer is a field error (422) that never shows the phone, a
past or already cancelled booking a page message (409). The freed seat is bookable again at once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.support_centers import default_support_centers
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import viewer_of
from seomin.services import help
from seomin.services.errors import Conflict, InputError
from seomin.services.help import HelpDirectory, HelpInputError, SlotAvailability
from seomin.services.platform import Platform

router = APIRouter()
WEEKDAYS_KO = "월화수목금토일"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _day_options(platform: Platform, directory: HelpDirectory) -> list[tuple[str, str, str]]:
    """(value, Korean label, English label) of each bookable day."""
    return [
        (
            d.isoformat(),
            f"{d:%Y.%m.%d} ({WEEKDAYS_KO[d.weekday()]})",
            f"{d:%Y.%m.%d} ({WEEKDAYS_EN[d.weekday()]})",
        )
        for d in help.bookable_days(platform, directory)
    ]


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _availability(
    platform: Platform, directory: HelpDirectory, channel: str, group: str | None, day: date | None
) -> list[SlotAvailability] | None:
    if day is None or (channel == "visit" and directory.group(group or "") is None):
        return None
    try:
        return help.slot_availability(platform, directory, channel, group, day)
    except InputError:
        return None


def _context(request: Request, forms: dict[str, dict[str, str]], **extra: Any) -> dict[str, Any]:
    platform = platform_of(request)
    directory = default_support_centers()
    days = _day_options(platform, directory)
    first = days[0][0] if days else ""
    callback = {"day": first, **forms.get("callback", {})}
    visit = {"day": first, **forms.get("visit", {})}
    return {
        "directory": directory,
        "days": days,
        "callback": callback,
        "visit": visit,
        "callback_slots": _availability(platform, directory, "callback", None, _parse_day(callback["day"])),
        "visit_slots": _availability(
            platform, directory, "visit", visit.get("region_group"), _parse_day(visit["day"])
        ),
        "errors": {},
        "active": None,
        "alert": None,
        "signed_in": viewer_of(request).applicant is not None,
        **extra,
    }


@router.get("/help")
def help_page(request: Request) -> Response:
    region = request.query_params.get("region") or ""
    directory = default_support_centers()
    group = directory.group_of_region(region) if region else None
    forms = {"visit": {"region_group": group.code}} if group else {}
    return render(request, "help/index.html", _context(request, forms))


@router.get("/help/slots")
def help_slots(request: Request) -> Response:
    """The time field of one form, with the seats left (an HTMX fragment; a full page without HTMX)."""
    channel = "visit" if request.query_params.get("channel") == "visit" else "callback"
    values = {k: v for k, v in request.query_params.items() if k in ("day", "region_group", "slot")}
    if request.headers.get("HX-Request") != "true":
        return RedirectResponse("/help", status_code=303)
    platform = platform_of(request)
    directory = default_support_centers()
    slots = _availability(
        platform, directory, channel, values.get("region_group"), _parse_day(values.get("day"))
    )
    return render(
        request,
        "help/_slot_field.html",
        {"channel": channel, "form": values, "slots": slots, "directory": directory, "errors": {}},
    )


@router.post("/help")
async def help_book(request: Request) -> Response:
    platform = platform_of(request)
    directory = default_support_centers()
    form = await request.form()
    reader = FormReader(form)
    channel = "visit" if reader.raw("channel") == "visit" else "callback"
    values = {
        k: reader.raw(k) for k in ("day", "region_group", "slot", "name", "topic") if reader.raw(k)
    }  # the phone number is never sent back to the browser
    errors: dict[str, Message] = {}
    day = _parse_day(reader.raw("day"))
    if day is None:
        errors["day"] = Message("날짜를 골라 주세요.", "Choose a day.")
    for name in ("slot", "name", "phone", "topic") + (("region_group",) if channel == "visit" else ()):
        if not reader.raw(name):
            errors.setdefault(name, Message("입력해 주세요.", "Please fill this in."))
    alert: Message | None = None
    status = 422
    if not errors and day is not None:
        try:
            receipt = await run_in_threadpool(
                lambda: help.book_help(
                    platform,
                    directory,
                    viewer_of(request).applicant,
                    channel=channel,
                    region_group=reader.raw("region_group") or None,
                    day=day,
                    slot=reader.raw("slot"),
                    name=reader.raw("name"),
                    phone=reader.raw("phone"),
                    topic=reader.raw("topic"),
                )
            )
        except HelpInputError as exc:
            errors[exc.field] = Message(exc.message_ko, exc.message_en)
        except Conflict as exc:
            status = 409
            alert = Message(
                "고른 시간은 방금 예약이 다 찼습니다. 다른 시간을 골라 주세요.",
                f"That time has just filled up ({exc.message}). Please choose another.",
            )
            errors["slot"] = Message("이 시간은 예약이 다 찼습니다.", "This time is fully booked.")
        else:
            return RedirectResponse(f"/help/booked/{receipt.reference_no}", status_code=303)
    context = _context(request, {channel: values}, errors=errors, active=channel, alert=alert)
    return render(request, "help/index.html", context, status_code=status)


def _booked_page(request: Request, reference_no: str, status_code: int = 200, **extra: Any) -> Response:
    platform = platform_of(request)
    directory = default_support_centers()
    receipt = help.get_booking(platform, directory, reference_no)
    weekday = (WEEKDAYS_KO[receipt.day.weekday()], WEEKDAYS_EN[receipt.day.weekday()])
    context = {
        "b": receipt,
        "directory": directory,
        "weekday": weekday,
        "cancellable": receipt.status == help.ACTIVE and receipt.day >= platform.today(),
        "just_cancelled": request.query_params.get("cancelled") == "1",
        "errors": {},
        "alert": None,
        **extra,
    }
    return render(
        request, "help/booked.html", context, status_code=status_code, headers={"Cache-Control": "no-store"}
    )


@router.get("/help/booked/{reference_no}")
def help_booked(request: Request, reference_no: str) -> Response:
    return _booked_page(request, reference_no)


@router.post("/help/booked/{reference_no}/cancel")
async def help_cancel(request: Request, reference_no: str) -> Response:
    platform = platform_of(request)
    directory = default_support_centers()
    reader = FormReader(await request.form())
    answer = reader.raw("phone_last4")
    if not answer:
        errors = {"phone_last4": Message("입력해 주세요.", "Please fill this in.")}
        return _booked_page(request, reference_no, 422, errors=errors)
    try:
        await run_in_threadpool(
            help.cancel_booking,
            platform,
            directory,
            viewer_of(request).applicant,
            reference_no,
            answer,
        )
    except HelpInputError as exc:
        errors = {exc.field: Message(exc.message_ko, exc.message_en)}
        return _booked_page(request, reference_no, 422, errors=errors)
    except Conflict as exc:
        if exc.code == "HELP_CANCEL_LOCKED":
            alert = Message(
                "전화번호 뒷자리를 여러 번 잘못 입력해 온라인 취소가 잠겼습니다. "
                "1397에 전화해 취소해 주세요.",
                "Online cancellation is locked after several wrong answers. Please call 1397 to cancel.",
            )
        else:
            alert = Message(
                "이 예약은 취소할 수 없습니다 (이미 지난 예약이거나 취소·완료된 예약입니다). "
                "1397에 문의해 주세요.",
                f"This booking cannot be cancelled ({exc.message}). Please call 1397.",
            )
        return _booked_page(request, reference_no, 409, alert=alert)
    return RedirectResponse(f"/help/booked/{reference_no}?cancelled=1", status_code=303)
