"""작업 현황 (jobs): long work with its progress bar, for supervisors and auditors; supervisors upload an
applicant file for batch screening, which runs as a job (the same engine as ``seomin screen``).

The list refreshes itself every two seconds while a job is queued or running (HTMX polling of
``/manage/jobs/table``); without JavaScript the page still shows the state as of its loading.
"""

from __future__ import annotations

import hashlib
from datetime import date

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.job_queue import JobQueue
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import require_staff
from seomin.services import jobs

router = APIRouter(prefix="/manage/jobs")
READERS = ("supervisor", "auditor")
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
UPLOAD_PATH = "/manage/jobs/screening"


def _queue(request: Request) -> JobQueue | None:
    queue: JobQueue | None = getattr(request.app.state, "job_queue", None)
    return queue


def _context(request: Request) -> dict[str, object]:
    listed = jobs.list_jobs(platform_of(request), 30)
    return {
        "jobs": listed,
        "active": any(j.state in ("queued", "running") for j in listed),
        "queue_ready": _queue(request) is not None,
        "today": platform_of(request).today(),
        "problem": None,
    }


@router.get("")
def jobs_page(request: Request) -> Response:
    actor = require_staff(request, *READERS)
    return render(
        request, "manage/jobs.html", {**_context(request), "can_upload": actor.role == "supervisor"}
    )


@router.get("/table")
def jobs_table(request: Request) -> Response:
    require_staff(request, *READERS)
    return render(request, "manage/_jobs_table.html", _context(request))


@router.post("/screening")
async def screening_upload(request: Request) -> Response:
    """An applicant file (CSV, the ``seomin screen`` schema) screened as a job; once per identical file,
    product and day."""
    actor = require_staff(request, "supervisor")
    queue = _queue(request)
    form = await request.form()
    upload = form.get("file")
    product = str(form.get("product") or "lowest-credit-special")
    as_of_text = str(form.get("as_of") or "")
    problem = None
    try:
        as_of = date.fromisoformat(as_of_text) if as_of_text else platform_of(request).today()
    except ValueError:
        problem = ("기준일을 YYYY-MM-DD로 적어 주세요.", "Give the day as YYYY-MM-DD.")
        as_of = platform_of(request).today()
    if queue is None:
        problem = ("이 서버에는 작업 큐가 없습니다.", "This server runs without a job queue.")
    elif not isinstance(upload, UploadFile) or not upload.filename:
        problem = ("CSV 파일을 골라 주세요.", "Choose a CSV file.")
    if problem is None:
        assert isinstance(upload, UploadFile) and queue is not None
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            problem = ("64MB 이하의 파일만 받습니다.", "The file must be 64 MB or less.")
        else:
            try:
                platform_of(request).catalog.get(product, as_of)
            except LookupError:
                problem = ("그날 판매 중인 상품이 아닙니다.", "The product is not offered on that day.")
    if problem is not None or queue is None:
        context = {**_context(request), "can_upload": True, "problem": problem}
        return render(request, "manage/jobs.html", context, status_code=422)
    digest = hashlib.sha256(content).hexdigest()
    folder = platform_of(request).storage_dir / "screening"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest[:32]}.csv"
    path.write_bytes(content)
    queue.enqueue_screening(
        path, product, as_of, f"staff:{actor.id}", dedupe_key=f"screening:{digest}:{product}:{as_of}"
    )
    return RedirectResponse("/manage/jobs", status_code=303)
