"""Long work on a job queue: huey, on Redis in production or on a SQLite file with no server.

``build_queue(url, platform)`` returns a ``JobQueue`` whose huey instance has the seomin tasks:

- ``close_of_business`` (daily at 23:30 KST, scheduled by the consumer; also enqueued by hand), retried
  twice (a retry resumes at the chunk the failed attempt was in); close of business is idempotent per
  date, and its job is enqueued once per date; its progress (chunks done) is on the job row;
- ``notices`` (every 10 minutes): turns audited events into messages, queues the day's reminders (once a
  day) and sends what is queued, each message exactly once;
- ``screening``: an uploaded applicant file screened in chunks, its progress on the job row (the progress
  bar of the management pages), the decisions written next to the upload.

Each task records its run on the ``jobs`` table (``services.jobs``) and in the metrics (duration by job
and outcome, close-of-business step times). ``start_in_process`` runs a consumer inside the current
process in threads (the embedded default: ``seomin serve`` on SQLite); ``seomin jobs worker`` runs one
on its own (production: as many as needed, on Redis).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Huey, Task, TaskWrapper
from huey.consumer import Consumer

from seomin.adapters.observability import JOB_RUNS, JOB_SECONDS, observe_cob, watch_queue
from seomin.services import jobs
from seomin.services.platform import Platform

log = logging.getLogger("seomin.jobs")

COB_RETRIES = 2
COB_RETRY_DELAY_SECONDS = 60
SCREENING_RETRIES = 1
SCREENING_RETRY_DELAY_SECONDS = 10


def make_huey(url: str, name: str = "seomin") -> Huey:
    """A huey instance for ``url``: ``sqlite:///path``, ``redis://...`` or ``memory:`` (tests)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), utc=True)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey(name, url=url, utc=True)
    if url == "memory:":
        return MemoryHuey(name, utc=True)
    raise ValueError(
        f"SEOMIN_JOB_QUEUE_URL {url!r}: expected sqlite:///PATH, redis://HOST:PORT/DB or memory:"
    )


@dataclass
class JobQueue:
    huey: Huey
    platform: Platform
    close_of_business: TaskWrapper
    notices: TaskWrapper
    screening: TaskWrapper

    def enqueue_close_of_business(self, business_date: date, requested_by: str) -> jobs.Job:
        """The close of business of ``business_date`` as a job, once per date (a second call answers the
        first job, done or not)."""
        job, created = jobs.create_job(
            self.platform,
            "close_of_business",
            {"business_date": business_date.isoformat()},
            requested_by,
            dedupe_key=f"cob:{business_date.isoformat()}",
        )
        if created:
            self.close_of_business(job.id)
        return job

    def enqueue_screening(
        self, upload: Path, product: str, as_of: date, requested_by: str, dedupe_key: str | None = None
    ) -> jobs.Job:
        job, created = jobs.create_job(
            self.platform,
            "screening",
            {"upload": str(upload), "product": product, "as_of": as_of.isoformat()},
            requested_by,
            dedupe_key=dedupe_key,
        )
        if created:
            self.screening(job.id)
        return job

    def consumer(self, workers: int = 2, *, periodic: bool = True, max_delay: float = 2.0) -> Consumer:
        """A consumer in threads; ``max_delay``: the longest pause between polls of an idle queue."""
        return self.huey.create_consumer(
            workers=workers, worker_type="thread", periodic=periodic, initial_delay=0.05, max_delay=max_delay
        )

    def start_in_process(self, workers: int = 1, **options: Any) -> Consumer:
        """Run a consumer in threads of this process, leaving the process's signal handlers alone (huey's
        ``Consumer.start`` would take SIGINT and SIGTERM from the server); stop it with ``stop``."""
        consumer = self.consumer(workers, **options)
        consumer.scheduler.start()
        for _, worker in consumer.worker_threads:
            worker.start()
        return consumer


def _tracked(
    platform: Platform, name: str, job_id: str, task: Task | None, run: Callable[[jobs.Job], dict[str, Any]]
) -> None:
    """Run ``run`` for job ``job_id`` with its row and metrics kept; re-raise for huey to retry."""
    if not jobs.start(platform, job_id):
        log.info("job %s (%s) already done; not run again", job_id, name)
        return
    started = time.perf_counter()
    try:
        result = run(jobs.get_job(platform, job_id))
    except Exception as exc:
        retrying = task is not None and task.retries > 0
        jobs.fail(platform, job_id, f"{type(exc).__name__}: {exc}", retrying=retrying)
        outcome = "retry" if retrying else "failed"
        JOB_SECONDS.labels(job=name, outcome=outcome).observe(time.perf_counter() - started)
        JOB_RUNS.labels(job=name, outcome=outcome).inc()
        log.warning("job %s (%s) failed: %s", job_id, name, type(exc).__name__, exc_info=True)
        raise
    jobs.finish(platform, job_id, result)
    JOB_SECONDS.labels(job=name, outcome="done").observe(time.perf_counter() - started)
    JOB_RUNS.labels(job=name, outcome="done").inc()


def build_queue(
    huey: Huey, platform: Platform, sender: Any = None, *, retry_delay_seconds: int | None = None
) -> JobQueue:
    """Register the seomin tasks on ``huey`` for ``platform``; ``sender`` sends the notices (default: the
    local outbox, development); ``retry_delay_seconds`` overrides the retry delays (tests)."""
    from seomin.services.close_of_business import close_of_business
    from seomin.services.notifications import LocalOutbox, dispatch, notify_events, queue_reminders

    cob_delay = COB_RETRY_DELAY_SECONDS if retry_delay_seconds is None else retry_delay_seconds
    screening_delay = SCREENING_RETRY_DELAY_SECONDS if retry_delay_seconds is None else retry_delay_seconds

    @huey.task(retries=COB_RETRIES, retry_delay=cob_delay, context=True, name="close_of_business")
    def cob_task(job_id: str, task: Task | None = None) -> None:
        def run(job: jobs.Job) -> dict[str, Any]:
            def advance(done: int, total: int) -> None:
                jobs.progress(platform, job.id, done, total)

            outcome = close_of_business(
                platform, date.fromisoformat(job.params["business_date"]), progress=advance
            )
            observe_cob(outcome.timings)
            return {"already_run": outcome.already_run, "stats": outcome.stats, "timings": outcome.timings}

        _tracked(platform, "close_of_business", job_id, task, run)

    @huey.task(retries=SCREENING_RETRIES, retry_delay=screening_delay, context=True, name="screening")
    def screening_task(job_id: str, task: Task | None = None) -> None:
        def run(job: jobs.Job) -> dict[str, Any]:
            from seomin.services.analytics import applicant_files, screening

            day = date.fromisoformat(job.params["as_of"])
            version = platform.catalog.get(job.params["product"], day)
            upload = Path(job.params["upload"])

            def advance(done: int, total: int) -> None:
                jobs.progress(platform, job.id, done, total)

            results = screening.screen_file(version, upload, day, progress=advance)
            out = upload.with_name(f"{upload.stem}.decisions.csv")
            applicant_files.write_results(results, out)
            counts = results["status"].value_counts()
            return {
                "rows": results.height,
                "decisions": str(out),
                "by_status": {str(s): int(n) for s, n in counts.iter_rows()},
            }

        _tracked(platform, "screening", job_id, task, run)

    @huey.task(name="notices")
    def notices_task(job_id: str) -> None:
        outbox = sender if sender is not None else LocalOutbox()

        def run(job: jobs.Job) -> dict[str, Any]:
            # the audited events of the last minutes become messages, today's reminders are queued (once a
            # day: a rerun queues none), then everything queued is sent, each message exactly once
            events = notify_events(platform)
            reminders = queue_reminders(platform, platform.today())
            return {"events": events, "reminders": reminders, "sent": dispatch(platform, outbox)}

        _tracked(platform, "notices", job_id, None, run)

    @huey.periodic_task(crontab(hour="14", minute="30"), name="close_of_business_nightly")  # 23:30 KST
    def nightly_cob() -> None:
        queue.enqueue_close_of_business(platform.today(), "scheduler")

    @huey.periodic_task(crontab(minute="*/10"), name="notices_every_10_minutes")
    def every_ten_minutes() -> None:
        job, _ = jobs.create_job(platform, "notices", {}, "scheduler")
        notices_task(job.id)

    queue = JobQueue(huey, platform, cob_task, notices_task, screening_task)
    watch_queue(lambda: jobs.queue_depth(platform))
    return queue
