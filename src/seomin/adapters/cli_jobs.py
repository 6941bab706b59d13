"""``seomin jobs``: the job queue from the command line (a Typer sub-app, registered by cli.py).

``seomin jobs worker`` runs a huey consumer on ``SEOMIN_JOB_QUEUE_URL`` (production: Redis, as many
workers as needed; it also runs the schedule: close of business at 23:30 KST, notices every 10 minutes);
``seomin jobs cob --date D`` enqueues a close of business (once per date); ``seomin jobs list`` shows the
latest jobs and their progress.
"""

from __future__ import annotations

from typing import Annotated

import typer

jobs_app = typer.Typer(help="작업: long work on the job queue (close of business, notices, screening)")


def _queue() -> object:
    from seomin.adapters.cli import settings_platform
    from seomin.adapters.job_queue import build_queue, make_huey
    from seomin.settings import load_settings

    try:
        huey = make_huey(load_settings().job_queue_url)
    except ValueError as exc:
        from seomin.adapters.cli import fail

        fail(str(exc))
    return build_queue(huey, settings_platform())


@jobs_app.command("worker")
def worker(
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker threads")] = 2,
    periodic: Annotated[bool, typer.Option(help="Also run the schedule (one worker process should)")] = True,
) -> None:
    """Run jobs until interrupted (Ctrl-C finishes the running ones first)."""
    from seomin.adapters.job_queue import JobQueue
    from seomin.adapters.observability import configure_logging

    configure_logging()
    queue = _queue()
    assert isinstance(queue, JobQueue)
    queue.consumer(workers, periodic=periodic, max_delay=10.0).run()


@jobs_app.command("cob")
def enqueue_cob(date: Annotated[str, typer.Option("--date", help="Business date, YYYY-MM-DD")]) -> None:
    """Enqueue the close of business of a date (once per date); prints the job id."""
    from seomin.adapters.cli import out, parse_date
    from seomin.adapters.job_queue import JobQueue

    queue = _queue()
    assert isinstance(queue, JobQueue)
    job = queue.enqueue_close_of_business(parse_date(date, "--date"), "cli")
    out.print(f"job {job.id}: close of business {job.params['business_date']} {job.state}")


@jobs_app.command("list")
def list_jobs(limit: Annotated[int, typer.Option(min=1, max=500)] = 20) -> None:
    """The latest jobs: kind, state, progress, attempts."""
    from seomin.adapters.cli import out, settings_platform
    from seomin.services import jobs

    for job in jobs.list_jobs(settings_platform(), limit):
        percent = "" if job.percent is None else f" {job.percent}%"
        out.print(
            f"{job.id}  {job.kind:<18} {job.state:<8}{percent}  attempts {job.attempts}  "
            f"{job.created_at:%Y-%m-%d %H:%M}",
            highlight=False,
        )
