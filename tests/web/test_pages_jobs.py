"""The jobs page (issue 17) through the real app on both databases: the progress bar of a screening
upload that runs on the job queue (huey on a SQLite file, a consumer in threads of this process)."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from test_pages_management import sign_in

from seomin.adapters.http.app import create_app
from seomin.adapters.job_queue import build_queue, make_huey
from seomin.services import jobs
from seomin.services.platform import Platform

APPLICANTS = Path(__file__).parents[2] / "examples" / "applicants.csv"


def test_a_screening_upload_shows_its_progress_bar(platform: Platform, tmp_path: Path) -> None:
    queue = build_queue(make_huey(f"sqlite:///{tmp_path / 'jobs.db'}"), platform, retry_delay_seconds=0)
    with TestClient(create_app(platform, job_queue=queue)) as client:
        sign_in(client, platform, "auditor")
        page = client.get("/manage/jobs")
        assert page.status_code == 200 and "아직 작업이 없습니다" in page.text
        assert "심사 시작" not in page.text  # auditors read only
        assert client.post("/manage/jobs/screening", files={"file": ("a.csv", b"x")}).status_code == 403

        sign_in(client, platform, "supervisor")
        upload = {"file": ("applicants.csv", APPLICANTS.read_bytes(), "text/csv")}
        form = {"product": "lowest-credit-special", "as_of": "2025-05-01"}
        sent = client.post("/manage/jobs/screening", files=upload, data=form, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"] == "/manage/jobs"
        again = client.post("/manage/jobs/screening", files=upload, data=form, follow_redirects=False)
        assert again.status_code == 303
        [job] = jobs.list_jobs(platform)  # the same file, product and day: one job
        queued = client.get("/manage/jobs")
        assert 'hx-trigger="every 2s"' in queued.text and "<progress" in queued.text and "대기" in queued.text

        consumer = queue.start_in_process(periodic=False, max_delay=0.1)
        try:
            deadline = time.monotonic() + 60
            while (
                jobs.get_job(platform, job.id).state not in ("done", "failed") and time.monotonic() < deadline
            ):
                time.sleep(0.05)
        finally:
            consumer.stop(graceful=True)
        table = client.get("/manage/jobs/table")
        assert table.status_code == 200
        assert 'value="100"' in table.text and "완료" in table.text
        assert "every 2s" not in table.text  # nothing left to watch: the polling stops
        english = client.get("/manage/jobs", params={"lang": "en"})
        assert "Batch screening" in english.text or "Done" in english.text
        client.get("/manage/jobs", params={"lang": "ko"})  # back to Korean for the rest

        bad = client.post("/manage/jobs/screening", files=upload, data={"as_of": "05/01/2025"})
        assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
