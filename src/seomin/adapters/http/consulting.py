"""신용·부채관리 컨설팅 endpoints: counselors enroll people and record monthly sessions; staff read a
programme; the person reads their own."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field, StrictInt, StrictStr

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import ApplicantActor, errors, staff_with
from seomin.adapters.http.public import IsoDate, SafeJSONResponse, _Body
from seomin.domain.consulting import MAX_SESSIONS, MAX_TEXT
from seomin.services.consulting import (
    WRITER_ROLES,
    ProgrammeView,
    SessionReceipt,
    enroll,
    get_programme,
    programmes_of,
    record_session,
)
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor

router = APIRouter(tags=["consulting"])
Id = Annotated[int, Path(ge=1, le=2**62)]
Writer = Annotated[Actor, Depends(staff_with(*WRITER_ROLES))]
AnyStaff = Annotated[Actor, Depends(staff_with(*STAFF_ROLES))]
STAFF_PATH = "/staff/consulting-programmes"


class EnrollBody(_Body):
    applicant_id: StrictInt = Field(ge=1, le=2**62)
    plan: StrictStr = Field(min_length=1, max_length=MAX_TEXT, description="The agreed plan (encrypted)")
    sessions_planned: StrictInt = Field(default=MAX_SESSIONS, ge=1, le=MAX_SESSIONS)


class SessionBody(_Body):
    held_on: IsoDate
    notes: StrictStr = Field(min_length=1, max_length=MAX_TEXT, description="What was done and the progress")


class CreatedOut(BaseModel):
    id: int


def _programme_json(view: ProgrammeView) -> dict[str, Any]:
    data = asdict(view)
    data["enrolled_on"] = view.enrolled_on.isoformat()
    data["completed_on"] = view.completed_on.isoformat() if view.completed_on else None
    data["sessions"] = [{**asdict(s), "held_on": s.held_on.isoformat()} for s in view.sessions]
    return data


@router.post(
    STAFF_PATH,
    status_code=201,
    response_model=CreatedOut,
    responses=errors(401, 403, 404, 409, 422),
    summary="Enroll a person in credit-debt consulting (counselor, supervisor)",
)
def enroll_person(request: Request, actor: Writer, body: EnrollBody) -> SafeJSONResponse:
    programme_id = enroll(platform_of(request), actor, body.applicant_id, body.plan, body.sessions_planned)
    return SafeJSONResponse(
        {"id": programme_id}, status_code=201, headers={"Location": f"/api/v1{STAFF_PATH}/{programme_id}"}
    )


@router.post(
    STAFF_PATH + "/{programme_id}/sessions",
    response_model=SessionReceipt,
    responses=errors(401, 403, 404, 409, 422),
    summary="Record the next monthly session; the last planned one completes the programme",
)
def add_session(request: Request, actor: Writer, programme_id: Id, body: SessionBody) -> SafeJSONResponse:
    receipt = record_session(platform_of(request), actor, programme_id, body.held_on, body.notes)
    return SafeJSONResponse(asdict(receipt))


@router.get(
    STAFF_PATH + "/{programme_id}",
    response_model=ProgrammeView,
    responses=errors(401, 403, 404, 422),
    summary="A consulting programme with its plan and sessions (any staff role)",
)
def staff_programme(request: Request, actor: AnyStaff, programme_id: Id) -> SafeJSONResponse:
    return SafeJSONResponse(_programme_json(get_programme(platform_of(request), actor, programme_id)))


@router.get(
    "/applicant/consulting-programmes",
    response_model=list[ProgrammeView],
    responses=errors(401),
    summary="My consulting programmes, with the plan and sessions",
)
def my_programmes(request: Request, actor: ApplicantActor) -> SafeJSONResponse:
    return SafeJSONResponse([_programme_json(v) for v in programmes_of(platform_of(request), actor)])
