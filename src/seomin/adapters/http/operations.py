"""What operations watch: ``GET /metrics`` (Prometheus), ``GET /api/v1/health/ready`` (database and job
queue), and the embedded job consumer of a server on the default SQLite queue."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from sqlalchemy import text
from starlette.responses import Response

from seomin.adapters.http.public import SafeJSONResponse
from seomin.adapters.job_queue import JobQueue, build_queue, make_huey
from seomin.adapters.observability import METRICS_CONTENT_TYPE, metrics_text
from seomin.services import jobs
from seomin.services.platform import Platform
from seomin.settings import Settings, load_settings

log = logging.getLogger("seomin.operations")


class DatabaseDetail(BaseModel):
    dialect: str | None = None
    error: str | None = None


class QueueDetail(BaseModel):
    pending_messages: int | None = Field(default=None, description="Messages waiting in the queue")
    jobs: dict[str, int] | None = Field(default=None, description="Jobs by state")
    error: str | None = None


class DatabaseCheck(BaseModel):
    status: str = Field(description="ok or unavailable")
    detail: DatabaseDetail | None = None


class QueueCheck(BaseModel):
    status: str = Field(description="ok, unavailable or not configured")
    detail: QueueDetail | None = None


class Readiness(BaseModel):
    status: str
    database: DatabaseCheck
    queue: QueueCheck


def _database(platform: Platform | None) -> dict[str, Any]:
    if platform is None:
        return {"status": "unavailable", "detail": {"error": "not started"}}
    try:
        with platform.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "detail": {"dialect": platform.engine.dialect.name}}
    except Exception as exc:  # reported, not raised: this is the check
        return {"status": "unavailable", "detail": {"error": type(exc).__name__}}


def _queue(queue: JobQueue | None, platform: Platform | None) -> dict[str, Any]:
    if queue is None or platform is None:
        return {"status": "not configured", "detail": None}
    try:
        pending = int(queue.huey.pending_count())
        depth = jobs.queue_depth(platform)
        return {"status": "ok", "detail": {"pending_messages": pending, "jobs": depth}}
    except Exception as exc:
        return {"status": "unavailable", "detail": {"error": type(exc).__name__}}


def install_observability_routes(app: FastAPI, api_prefix: str) -> None:
    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(metrics_text(), media_type=METRICS_CONTENT_TYPE)

    @app.get(
        f"{api_prefix}/health/ready",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "The database or the job queue is unavailable"}},
        tags=["system"],
        summary="Readiness: the database and the job queue answer",
    )
    def ready(request: Request) -> Response:
        platform: Platform | None = request.app.state.platform
        queue: JobQueue | None = getattr(request.app.state, "job_queue", None)
        database, queue_check = _database(platform), _queue(queue, platform)
        ok = database["status"] == "ok" and queue_check["status"] in ("ok", "not configured")
        body = {"status": "ok" if ok else "unavailable", "database": database, "queue": queue_check}
        return SafeJSONResponse(body, status_code=200 if ok else 503)


def start_embedded_queue(app: FastAPI, platform: Platform, settings: Settings | None) -> Any:
    """The job queue of the settings on ``app.state.job_queue``; on the default SQLite queue (no server)
    a consumer runs in this process, in threads. Returns that consumer (to stop), else None."""
    if getattr(app.state, "job_queue", None) is not None:
        return None
    settings = settings or load_settings()
    queue = build_queue(make_huey(settings.job_queue_url), platform)
    app.state.job_queue = queue
    if not settings.job_queue_url.startswith("sqlite:///"):
        return None  # Redis: ``seomin jobs worker`` processes run the jobs
    consumer = queue.start_in_process(workers=1)
    log.info("job queue: embedded consumer on %s", settings.job_queue_url)
    return consumer
