"""Long work as people see it (긴 작업): the state and progress of each job run on the job queue.

The queue (``adapters.job_queue``, huey) carries only ``(job id, parameters)``; this package keeps the row
the staff and management pages read. A job is enqueued once per ``dedupe_key`` (a second enqueue of the
same close of business or the same upload answers the first job), runs under at-least-once delivery and
retries, and every use case it runs is idempotent itself (close of business per date, notices each sent
once), so a retry after a crash cannot do the work twice. A job already done is not run again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from seomin.adapters.db.models import JobRecord, utcnow
from seomin.services.errors import NotFound
from seomin.services.platform import Platform

STATES = ("queued", "running", "done", "failed")


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: str
    state: str
    params: dict[str, Any]
    progress_done: int
    progress_total: int
    attempts: int
    result: dict[str, Any] | None
    error: str | None
    requested_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def percent(self) -> int | None:
        """Whole percent done, None while the total is unknown."""
        if self.progress_total <= 0:
            return 100 if self.state == "done" else None
        return min(100, self.progress_done * 100 // self.progress_total)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "params": self.params,
            "progress": {"done": self.progress_done, "total": self.progress_total, "percent": self.percent},
            "attempts": self.attempts,
            "result": self.result,
            "error": self.error,
            "requested_by": self.requested_by,
            "created_at": self.created_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


def _job(row: JobRecord) -> Job:
    return Job(
        row.id,
        row.kind,
        row.state,
        dict(row.params),
        row.progress_done,
        row.progress_total,
        row.attempts,
        row.result,
        row.error,
        row.requested_by,
        row.created_at,
        row.started_at,
        row.finished_at,
    )


def create_job(
    platform: Platform,
    kind: str,
    params: Mapping[str, Any],
    requested_by: str,
    dedupe_key: str | None = None,
) -> tuple[Job, bool]:
    """A queued job, or the existing job of ``dedupe_key``; True when it was created now."""
    if dedupe_key is not None:
        existing = find_by_key(platform, dedupe_key)
        if existing is not None:
            return existing, False
    row = JobRecord(
        id=uuid.uuid4().hex,
        kind=kind,
        dedupe_key=dedupe_key,
        state="queued",
        params=dict(params),
        progress_done=0,
        progress_total=0,
        attempts=0,
        requested_by=requested_by,
    )
    try:
        with platform.sessions.begin() as session:
            session.add(row)
            session.flush()
            job = _job(row)
    except IntegrityError:  # a concurrent enqueue of the same key won
        if dedupe_key is None:
            raise
        existing = find_by_key(platform, dedupe_key)
        assert existing is not None
        return existing, False
    return job, True


def find_by_key(platform: Platform, dedupe_key: str) -> Job | None:
    with platform.sessions() as session:
        row = session.scalars(select(JobRecord).where(JobRecord.dedupe_key == dedupe_key)).one_or_none()
        return _job(row) if row is not None else None


def get_job(platform: Platform, job_id: str) -> Job:
    with platform.sessions() as session:
        row = session.get(JobRecord, job_id)
        if row is None:
            raise NotFound("job", job_id)
        return _job(row)


def list_jobs(platform: Platform, limit: int = 50) -> list[Job]:
    with platform.sessions() as session:
        rows = session.scalars(
            select(JobRecord).order_by(JobRecord.created_at.desc(), JobRecord.id).limit(limit)
        ).all()
        return [_job(r) for r in rows]


def start(platform: Platform, job_id: str) -> bool:
    """Mark a run as started (one more attempt); False when the job is already done (skip it)."""
    with platform.sessions.begin() as session:
        row = session.get(JobRecord, job_id, with_for_update=True)
        if row is None:
            raise NotFound("job", job_id)
        if row.state == "done":
            return False
        row.state, row.attempts, row.started_at, row.error = "running", row.attempts + 1, utcnow(), None
        return True


def progress(platform: Platform, job_id: str, done: int, total: int) -> None:
    with platform.sessions.begin() as session:
        session.execute(
            update(JobRecord)
            .where(JobRecord.id == job_id)
            .values(progress_done=max(0, done), progress_total=max(0, total))
        )


def finish(platform: Platform, job_id: str, result: Mapping[str, Any]) -> None:
    with platform.sessions.begin() as session:
        session.execute(
            update(JobRecord)
            .where(JobRecord.id == job_id)
            .values(state="done", result=dict(result), error=None, finished_at=utcnow())
        )


def fail(platform: Platform, job_id: str, error: str, *, retrying: bool) -> None:
    """Record a failed attempt: back to queued while the queue will retry, failed when it will not."""
    with platform.sessions.begin() as session:
        session.execute(
            update(JobRecord)
            .where(JobRecord.id == job_id)
            .values(
                state="queued" if retrying else "failed",
                error=error[:2000],
                finished_at=None if retrying else utcnow(),
            )
        )


def queue_depth(platform: Platform) -> dict[str, int]:
    """Jobs by state (every state present, 0 when none)."""
    with platform.sessions() as session:
        counts = dict(session.execute(select(JobRecord.state, func.count()).group_by(JobRecord.state)).all())
    return {state: int(counts.get(state, 0)) for state in STATES}
