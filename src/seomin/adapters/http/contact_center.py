"""Contact-center API for staff: find a person and read their timeline, note on them; the day's booking
worklist; and the STT system's interface to the quality checks (supervisor token), with the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field, StrictStr

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import errors, staff_with
from seomin.adapters.http.public import SafeJSONResponse, _Body, plain
from seomin.adapters.quality_rubric import default_rubric
from seomin.adapters.support_centers import default_support_centers
from seomin.services import contact_center as cc
from seomin.services.errors import InputError
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor

router = APIRouter(tags=["contact center"])
Id = Annotated[int, Path(ge=1, le=2**62)]
AnyStaff = Annotated[Actor, Depends(staff_with(*STAFF_ROLES))]
Writer = Annotated[Actor, Depends(staff_with(*sorted(cc.WRITER_ROLES)))]
Supervisor = Annotated[Actor, Depends(staff_with("supervisor"))]
QualityReader = Annotated[Actor, Depends(staff_with("supervisor", "auditor"))]


class PeopleSearchBody(_Body):
    by: Literal["name", "rrn", "phone"]
    name: StrictStr = Field(default="", max_length=50)
    birth_date: date | None = None
    rrn: StrictStr = Field(default="", max_length=20, description="Never put in a URL: this is a POST")
    phone: StrictStr = Field(default="", max_length=20)


class NoteBody(_Body):
    body: StrictStr = Field(min_length=1, max_length=cc.MAX_NOTE_CHARS)


class NoteOut(BaseModel):
    id: int


class Segment(_Body):
    speaker: Literal["agent", "customer"]
    text: StrictStr = Field(max_length=500)


class CallIn(_Body):
    call_id: StrictStr = Field(
        min_length=1, max_length=64, description="Unique per call: a re-import is skipped"
    )
    counselor: StrictStr = Field(min_length=1, max_length=64, description="The staff username")
    topic: StrictStr = Field(max_length=32)
    held_on: date
    segments: list[Segment] = Field(min_length=1, max_length=1000)


class ImportOut(BaseModel):
    reviewed: int
    skipped: int


@dataclass(frozen=True, slots=True)
class SlotOut:
    slot: str
    bookings: list[cc.WorkItem]


@router.post(
    "/staff/people/search",
    response_model=list[cc.PersonHit],
    responses=errors(401, 403, 422),
    summary="고객 찾기: by name and birth date, resident number or phone (audited, masked by role)",
)
def people_search(request: Request, actor: AnyStaff, body: PeopleSearchBody) -> SafeJSONResponse:
    hits = cc.find_people(
        platform_of(request),
        actor,
        body.by,
        name=body.name,
        birth_date=body.birth_date,
        rrn=body.rrn,
        phone=body.phone,
    )
    return SafeJSONResponse([plain(h) for h in hits])


@router.get(
    "/staff/people/{applicant_id}",
    response_model=cc.PersonView,
    responses=errors(401, 403, 404, 422),
    summary="고객 이력: the person and one timeline of everything on record, newest first",
)
def person(request: Request, actor: AnyStaff, applicant_id: Id) -> SafeJSONResponse:
    return SafeJSONResponse(plain(cc.person_view(platform_of(request), actor, applicant_id)))


@router.post(
    "/staff/people/{applicant_id}/notes",
    response_model=NoteOut,
    status_code=201,
    responses=errors(401, 403, 404, 422),
    summary="상담 메모: a note on the person (encrypted, never edited)",
)
def note(request: Request, actor: Writer, applicant_id: Id, body: NoteBody) -> SafeJSONResponse:
    note_id = cc.add_person_note(platform_of(request), actor, applicant_id, body.body)
    return SafeJSONResponse({"id": note_id}, status_code=201)


@router.get(
    "/staff/bookings",
    response_model=list[SlotOut],
    responses=errors(401, 403, 422),
    summary="상담 예약 업무: a day's callbacks or a region's visits, slot by slot",
)
def bookings(
    request: Request,
    actor: AnyStaff,
    day: date,
    channel: Annotated[Literal["callback", "visit"], Query()] = "callback",
    group: Annotated[str | None, Query(max_length=32, description="The region group of visits")] = None,
) -> SafeJSONResponse:
    slots = cc.worklist(platform_of(request), default_support_centers(), actor, day, channel, group)
    return SafeJSONResponse([{"slot": s, "bookings": [plain(b) for b in items]} for s, items in slots])


@router.post(
    "/staff/quality/calls",
    response_model=ImportOut,
    responses=errors(401, 403, 422),
    summary="통화 녹취 가져오기 (STT): one call's transcript, checked against the quality rubric",
)
def import_call(request: Request, actor: Supervisor, body: CallIn) -> SafeJSONResponse:
    """The STT system posts each call as it ends; a call posted again (same ``call_id``) is skipped."""
    calls: list[dict[str, Any]] = [body.model_dump(mode="json")]
    try:
        reviewed, skipped = cc.import_calls(platform_of(request), default_rubric(), actor, calls)
    except InputError as exc:  # the batch's field path, for the one call of this request
        raise InputError(exc.field.removeprefix("calls.0."), exc.message, exc.code) from None
    return SafeJSONResponse({"reviewed": reviewed, "skipped": skipped})


@router.get(
    "/staff/quality",
    response_model=cc.QualityFigures,
    responses=errors(401, 403, 422),
    summary="상담 품질 현황: per counselor and per topic, and the latest reviews",
)
def quality(request: Request, actor: QualityReader, start: date, end: date) -> SafeJSONResponse:
    return SafeJSONResponse(plain(cc.quality_figures(platform_of(request), actor, start, end)))
