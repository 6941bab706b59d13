"""Long work for staff (긴 작업): the jobs and their progress; management starts a close of business.

``GET /api/v1/staff/jobs`` and ``GET /api/v1/staff/jobs/{job_id}`` (any staff) show each job's state and
progress (``done`` of ``total``, ``percent``); ``POST /api/v1/staff/jobs/close-of-business``
(supervisors) enqueues the close of business of a date, once per date (202 with the job, the same job
again for a date already enqueued); 409 JOB_QUEUE_UNAVAILABLE when the app runs without a job queue.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import errors, staff_with
from seomin.adapters.http.public import IsoDate, SafeJSONResponse, _Body
from seomin.adapters.job_queue import JobQueue
from seomin.services import jobs
from seomin.services.errors import Conflict, InputError
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor

router = APIRouter(tags=["staff"])
AnyStaff = Annotated[Actor, Depends(staff_with(*STAFF_ROLES))]
Supervisor = Annotated[Actor, Depends(staff_with("supervisor"))]


class Progress(BaseModel):
    done: int
    total: int
    percent: int | None


class JobParams(BaseModel):
    """What the job was asked to do (by kind)."""

    business_date: str | None = Field(default=None, description="close_of_business: YYYY-MM-DD")
    upload: str | None = Field(default=None, description="screening: the uploaded file")
    product: str | None = Field(default=None, description="screening: the product id")
    as_of: str | None = Field(default=None, description="screening: the day judged on")


class JobResult(BaseModel):
    """What the job did (by kind)."""

    already_run: bool | None = Field(default=None, description="close_of_business: the date had run")
    stats: dict[str, int] | None = Field(default=None, description="close_of_business: its counts")
    timings: dict[str, float] | None = Field(default=None, description="close_of_business: seconds a step")
    rows: int | None = Field(default=None, description="screening: applicants screened")
    decisions: str | None = Field(default=None, description="screening: the decisions file")
    by_status: dict[str, int] | None = Field(default=None, description="screening: applicants by status")
    sent: int | None = Field(default=None, description="notices: messages sent")


class JobOut(BaseModel):
    id: str
    kind: str = Field(description="close_of_business, notices or screening")
    state: str = Field(description="queued, running, done or failed")
    params: JobParams
    progress: Progress
    attempts: int
    result: JobResult | None
    error: str | None
    requested_by: str
    created_at: str
    started_at: str | None
    finished_at: str | None


class CobBody(_Body):
    business_date: IsoDate


def queue_of(request: Request) -> JobQueue:
    queue: JobQueue | None = getattr(request.app.state, "job_queue", None)
    if queue is None:
        raise Conflict("JOB_QUEUE_UNAVAILABLE", "this server runs without a job queue (SEOMIN_JOB_QUEUE_URL)")
    return queue


@router.get(
    "/staff/jobs",
    response_model=list[JobOut],
    responses=errors(401, 403, 422),
    summary="작업 목록: the latest jobs with state and progress",
)
def list_jobs(
    request: Request, actor: AnyStaff, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> SafeJSONResponse:
    return SafeJSONResponse([j.to_json() for j in jobs.list_jobs(platform_of(request), limit)])


@router.get(
    "/staff/jobs/{job_id}",
    response_model=JobOut,
    responses=errors(401, 403, 404, 422),
    summary="작업 진행: one job's state and progress",
)
def get_job(request: Request, actor: AnyStaff, job_id: str) -> SafeJSONResponse:
    return SafeJSONResponse(jobs.get_job(platform_of(request), job_id).to_json())


@router.post(
    "/staff/jobs/close-of-business",
    response_model=JobOut,
    status_code=202,
    responses=errors(401, 403, 409, 422),
    summary="일 마감 실행: enqueue the close of business of a date (once per date)",
)
def enqueue_cob(request: Request, actor: Supervisor, body: CobBody) -> SafeJSONResponse:
    platform = platform_of(request)
    if body.business_date > platform.today():
        raise InputError("business_date", f"is after today ({platform.today().isoformat()})")
    job = queue_of(request).enqueue_close_of_business(body.business_date, f"staff:{actor.id}")
    return SafeJSONResponse(job.to_json(), status_code=202)
