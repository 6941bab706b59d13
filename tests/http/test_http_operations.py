"""Operations through the real HTTP layer on SQLite and PostgreSQL: request ids, JSON logs without
personal data, Prometheus metrics, readiness, and long work on the job queue (huey on a SQLite file, a
consumer in threads of this process) with its progress, retries and once-per-date enqueue."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_http_applicant import NAME, PHONE, RRN, staff_token

from identity_steps import api_session
from seomin.adapters.http.app import create_app
from seomin.adapters.job_queue import JobQueue, build_queue, make_huey
from seomin.adapters.observability import JsonLogFormatter, configure_logging, scrub
from seomin.services import jobs
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.fixture()
def json_logs() -> Iterator[io.StringIO]:
    """Every log line of the test as JSON in a buffer (the root logger as ``seomin serve`` sets it)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    buffer = io.StringIO()
    configure_logging("INFO", buffer)
    try:
        yield buffer
    finally:
        root.handlers[:], root.level = saved


@pytest.fixture()
def queue(platform: Platform, tmp_path: Path) -> JobQueue:
    return build_queue(make_huey(f"sqlite:///{tmp_path / 'jobs.db'}"), platform, retry_delay_seconds=0)


def wait_for(platform: Platform, job_id: str, states: set[str], seconds: float = 60.0) -> jobs.Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = jobs.get_job(platform, job_id)
        if job.state in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {jobs.get_job(platform, job_id).state}")


def test_every_answer_carries_a_request_id(client: TestClient) -> None:
    fresh = client.get("/api/v1/health")
    assert len(fresh.headers["X-Request-Id"]) == 32
    assert client.get("/api/v1/health", headers={"X-Request-Id": "lb-42.a_b"}).headers["X-Request-Id"] == (
        "lb-42.a_b"
    )
    forged = client.get("/api/v1/health", headers={"X-Request-Id": '"}, {"injected": 1'})
    assert len(forged.headers["X-Request-Id"]) == 32  # not a plain token: replaced


def test_log_lines_are_json_with_the_request_id_and_no_personal_data(
    client: TestClient, json_logs: io.StringIO
) -> None:
    session = api_session(client, NAME, RRN, PHONE)  # the resident number and phone travel in bodies
    assert session["token"]
    answer = client.get(f"/api/v1/products?on=2025-05-01&phone={PHONE}&rrn={RRN}&mail=kim@example.com")
    assert answer.status_code == 200
    logging.getLogger("seomin.test").warning("caller %s said %s, mail kim@example.com", RRN, PHONE)
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "seomin.access"]
    products = [line for line in access if line["route"] == "/api/v1/products"]
    assert products and products[0]["request_id"] == answer.headers["X-Request-Id"]
    assert products[0]["status"] == 200 and products[0]["method"] == "GET" and products[0]["ms"] >= 0
    assert {"ts", "level", "logger", "message"} <= set(products[0])
    text = json_logs.getvalue()
    digits = RRN.replace("-", "")
    for secret in (RRN, digits, PHONE, PHONE.replace("-", ""), "kim@example.com", NAME):
        assert secret not in text, secret
    assert "[rrn]" in text and "[phone]" in text and "[email]" in text


def test_scrub_masks_numbers_people_can_be_found_by() -> None:
    assert scrub("rrn 900101-1234567 / 9001011234567") == "rrn [rrn] / [rrn]"
    assert scrub("call 010-1234-5678 or 01012345678 or 010 1234 5678") == "call [phone] or [phone] or [phone]"
    assert scrub("order 12345678901234 amount 5,000,000") == "order 12345678901234 amount 5,000,000"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "rrn %s", ("900101-1234567",), None)
    record.fields = {"phone": "010-1234-5678", "nested": {"list": ["kim@example.com"]}}
    line = json.loads(JsonLogFormatter().format(record))
    assert (
        line["message"] == "rrn [rrn]"
        and line["phone"] == "[phone]"
        and line["nested"]["list"] == ["[email]"]
    )


def test_metrics_are_served_in_the_prometheus_format(client: TestClient) -> None:
    client.get("/api/v1/health")
    client.get("/api/v1/staff/jobs/nope")  # 401: counted under its route template, not the raw path
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert (
        'seomin_http_request_duration_seconds_count{method="GET",route="/api/v1/health",status="2xx"}' in text
    )
    assert 'route="/api/v1/staff/jobs/{job_id}",status="4xx"' in text
    assert "/metrics" not in [
        line.split('route="')[-1].split('"')[0] for line in text.splitlines() if "route=" in line
    ]
    assert "nope" not in text


def test_readiness_reports_the_database_and_the_queue(platform: Platform, queue: JobQueue) -> None:
    with TestClient(create_app(platform)) as plain:
        answer = plain.get("/api/v1/health/ready")
        assert answer.status_code == 200, answer.text
        assert answer.json()["database"]["status"] == "ok"
        assert answer.json()["queue"]["status"] == "not configured"
    with TestClient(create_app(platform, job_queue=queue)) as client:
        body = client.get("/api/v1/health/ready").json()
        assert body["status"] == "ok" and body["queue"]["status"] == "ok"
        assert body["queue"]["detail"]["jobs"] == {"queued": 0, "running": 0, "done": 0, "failed": 0}


def test_close_of_business_runs_on_the_queue_once_per_date_with_its_progress_and_metrics(
    platform: Platform, queue: JobQueue
) -> None:
    with TestClient(create_app(platform, job_queue=queue)) as client:
        supervisor = {"Authorization": f"Bearer {staff_token(client, platform, 'sup', 'supervisor')}"}
        counselor = {"Authorization": f"Bearer {staff_token(client, platform, 'cou', 'counselor')}"}
        body = {"business_date": "2025-05-14"}
        assert (
            client.post("/api/v1/staff/jobs/close-of-business", json=body, headers=counselor).status_code
            == 403
        )
        assert (
            client.post(
                "/api/v1/staff/jobs/close-of-business",
                json={"business_date": "2025-05-16"},
                headers=supervisor,
            ).status_code
            == 422
        )
        first = client.post("/api/v1/staff/jobs/close-of-business", json=body, headers=supervisor)
        assert first.status_code == 202, first.text
        again = client.post("/api/v1/staff/jobs/close-of-business", json=body, headers=supervisor)
        assert again.json()["id"] == first.json()["id"]  # once per date
        assert client.get("/metrics").text.count('seomin_job_queue_depth{state="queued"} 1.0') == 1

        consumer = queue.start_in_process(periodic=False, max_delay=0.1)
        try:
            done = wait_for(platform, first.json()["id"], {"done", "failed"})
        finally:
            consumer.stop(graceful=True)
        assert done.state == "done", done.error
        assert done.attempts == 1 and done.result is not None and done.result["already_run"] is False
        assert set(done.result["timings"]) >= {"aging", "step_down"}
        assert done.progress_total > 0 and done.progress_done == done.progress_total  # chunks done / all
        shown = client.get(f"/api/v1/staff/jobs/{done.id}", headers=counselor).json()
        assert shown["state"] == "done" and shown["progress"]["percent"] == 100
        assert [j["id"] for j in client.get("/api/v1/staff/jobs", headers=counselor).json()] == [done.id]
        metrics = client.get("/metrics").text
        assert 'seomin_job_duration_seconds_count{job="close_of_business",outcome="done"}' in metrics
        assert 'seomin_cob_step_seconds{step="aging"}' in metrics
        assert client.get("/api/v1/staff/jobs/unknown", headers=counselor).status_code == 404

    # A job already done is not run again, even if its message is delivered twice.
    queue.close_of_business(done.id)
    consumer = queue.start_in_process(periodic=False, max_delay=0.1)
    try:
        deadline = time.monotonic() + 10
        while queue.huey.pending_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        consumer.stop(graceful=True)
    assert jobs.get_job(platform, done.id).attempts == 1


def test_a_failing_job_is_retried_then_marked_failed(
    platform: Platform, queue: JobQueue, tmp_path: Path
) -> None:
    job = queue.enqueue_screening(tmp_path / "missing.csv", "lowest-credit-special", date(2025, 5, 1), "test")
    consumer = queue.start_in_process(periodic=False, max_delay=0.1)
    try:
        failed = wait_for(platform, job.id, {"failed", "done"})
    finally:
        consumer.stop(graceful=True)
    assert failed.state == "failed" and failed.attempts == 2  # the first run and its one retry
    assert failed.error is not None and "missing.csv" in failed.error


def test_a_screening_upload_reports_its_progress(platform: Platform, queue: JobQueue, tmp_path: Path) -> None:
    upload = tmp_path / "applicants.csv"
    upload.write_bytes(Path("examples/applicants.csv").read_bytes())
    job = queue.enqueue_screening(upload, "lowest-credit-special", date(2025, 5, 1), "test", dedupe_key="u1")
    assert (
        queue.enqueue_screening(upload, "lowest-credit-special", date(2025, 5, 1), "test", "u1").id == job.id
    )
    consumer = queue.start_in_process(periodic=False, max_delay=0.1)
    try:
        done = wait_for(platform, job.id, {"failed", "done"})
    finally:
        consumer.stop(graceful=True)
    assert done.state == "done", done.error
    assert done.progress_total > 0 and done.progress_done == done.progress_total == done.result["rows"]
    assert Path(done.result["decisions"]).is_file()
    assert sum(done.result["by_status"].values()) == done.progress_total


def test_the_schedule_closes_each_business_day_once_and_sends_notices(
    platform: Platform, queue: JobQueue
) -> None:
    from datetime import datetime

    def due(at: datetime) -> set[str]:
        return {task.name for task in queue.huey.read_periodic(at)}

    assert due(datetime(2025, 5, 14, 14, 30)) == {"close_of_business_nightly", "notices_every_10_minutes"}
    assert due(datetime(2025, 5, 14, 15, 30)) == {"notices_every_10_minutes"}  # 23:30 KST only
    assert due(datetime(2025, 5, 14, 15, 31)) == set()
    [nightly] = [t for t in queue.huey.read_periodic(datetime(2025, 5, 14, 14, 30)) if "business" in t.name]
    for _ in range(2):  # the scheduler firing twice (two consumers, a restart) enqueues one close of business
        queue.huey.execute(nightly)
    [job] = [j for j in jobs.list_jobs(platform) if j.kind == "close_of_business"]
    assert job.params == {"business_date": platform.today().isoformat()} and job.requested_by == "scheduler"


def test_the_notices_job_turns_audited_events_into_sent_messages(platform: Platform, queue: JobQueue) -> None:
    """The scheduled notices job is the one that tells a person their application arrived: the audit
    event becomes a message (once), and the message is sent (once), however often the job runs."""
    from test_applications import PHONE as APPLICANT_PHONE
    from test_applications import applicant, apply

    from seomin.domain.identity import normalize_phone
    from seomin.services.notifications import messages_to

    apply(platform, applicant(platform))
    for _ in range(2):
        job, _created = jobs.create_job(platform, "notices", {}, "test")
        queue.notices(job.id)
        consumer = queue.start_in_process(periodic=False, max_delay=0.1)
        try:
            done = wait_for(platform, job.id, {"done", "failed"})
        finally:
            consumer.stop(graceful=True)
        assert done.state == "done", done.error
    phone = normalize_phone(APPLICANT_PHONE)
    received = [m for m in messages_to(platform, phone) if m.template_id == "application_received"]
    assert len(received) == 1 and received[0].status == "sent"
