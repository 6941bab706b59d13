"""Observability: structured JSON logs with a request id, Prometheus metrics, readiness.

- Every request gets an id: the caller's ``X-Request-Id`` when it is a plain token (letters, digits,
  ``-``, ``_``, ``.``, at most 64), else a fresh one; it is answered in the ``X-Request-Id`` header and is
  on every log line written while the request runs (a context variable, so it follows ``await``).
- ``JsonLogFormatter`` writes one JSON object per line: ``ts``, ``level``, ``logger``, ``message``,
  ``request_id`` and the structured fields a caller passes as ``extra={"fields": {...}}``. Personal data
  never reaches a line: the message, the fields and any traceback are scrubbed of resident registration
  numbers, mobile numbers and e-mail addresses (``scrub``), and the access line carries the route
  template (``/api/v1/loans/{loan_id}``), never the query string or the body.
- Metrics (``prometheus_client``, served at ``GET /metrics`` in the text format): request latency by
  method, route template and status class; job durations by job and outcome; queue depth by state; the
  seconds of each close-of-business step. Served by each process; with ``seomin serve --workers N`` each
  worker answers for itself (docs/scale.md: scrape each, or run one process per container).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from prometheus_client.registry import REGISTRY
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-Id"
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("seomin_request_id", default=None)
_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")

access_log = logging.getLogger("seomin.access")

# --- personal data out of every line -----------------------------------------------------------------

_RRN = re.compile(r"(?<!\d)\d{6}-?[1-8]\d{6}(?!\d)")
_PHONE = re.compile(r"(?<!\d)01[016789][- .]?\d{3,4}[- .]?\d{4}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def scrub(text: str) -> str:
    """``text`` with resident registration numbers, mobile numbers and e-mail addresses masked."""
    text = _RRN.sub("[rrn]", text)
    text = _PHONE.sub("[phone]", text)
    return _EMAIL.sub("[email]", text)


def _scrub_value(value: object) -> object:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return scrub(str(value))


def current_request_id() -> str | None:
    """The id of the request being served, None outside a request."""
    return _request_id.get()


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, scrubbed of personal data."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        request_id = _request_id.get()
        if request_id is not None:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            entry.update({str(k): _scrub_value(v) for k, v in fields.items() if k not in entry})
        if record.exc_info:
            entry["exception"] = scrub("".join(traceback.format_exception(*record.exc_info)))
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def configure_logging(level: str = "INFO", stream: Any = None) -> None:
    """JSON lines on stderr (or ``stream``) for the root logger and uvicorn's loggers."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True


# --- metrics ------------------------------------------------------------------------------------------

HTTP_SECONDS = Histogram(
    "seomin_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOB_SECONDS = Histogram(
    "seomin_job_duration_seconds",
    "Background job run time by job and outcome",
    ["job", "outcome"],
    buckets=(0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900, 3600),
)
JOB_RUNS = Counter("seomin_job_runs", "Background job runs by job and outcome", ["job", "outcome"])
QUEUE_DEPTH = Gauge("seomin_job_queue_depth", "Jobs by state in the job table", ["state"])
COB_STEP_SECONDS = Gauge(
    "seomin_cob_step_seconds",
    "Seconds of each step of the latest close of business run, summed over its chunks",
    ["step"],
)
COB_SECONDS = Histogram(
    "seomin_cob_duration_seconds",
    "Close of business run time",
    buckets=(0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 900),
)

QueueDepth = Callable[[], Mapping[str, int]]
_queue_depth: list[QueueDepth] = []


def watch_queue(depth: QueueDepth) -> None:
    """Have ``depth`` (jobs by state) read at every scrape into ``seomin_job_queue_depth``."""
    _queue_depth[:] = [depth]


def observe_cob(timings: Mapping[str, float]) -> None:
    for step, seconds in timings.items():
        COB_STEP_SECONDS.labels(step=step).set(seconds)
    if timings:
        COB_SECONDS.observe(sum(timings.values()))


def metrics_text() -> bytes:
    for depth in _queue_depth:
        try:
            counts = depth()
        except Exception:  # a scrape must answer even when the database does not
            logging.getLogger("seomin.metrics").warning("queue depth unavailable", exc_info=True)
            continue
        for state, count in counts.items():
            QUEUE_DEPTH.labels(state=state).set(count)
    return generate_latest(REGISTRY)


METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST


# --- the request middleware -----------------------------------------------------------------------------


def _route_of(scope: Scope) -> str:
    """The matched route's template with its router prefix (``/api/v1/staff/jobs/{job_id}``): FastAPI
    keeps it on its effective route context; a plain Starlette route has it on ``scope["route"]``."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path", None)
    if not path:
        route = scope.get("route")
        path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else "unmatched"


def _incoming_id(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _TOKEN.fullmatch(text) else None
    return None


class RequestObservability:
    """Outermost ASGI middleware: request id, latency metric and one JSON access line per request."""

    def __init__(self, app: ASGIApp, *, skip: Iterable[str] = ("/metrics",)) -> None:
        self.app = app
        self.skip = frozenset(skip)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope["headers"]) or uuid.uuid4().hex
        token = _request_id.set(request_id)
        status = 500
        header = (REQUEST_ID_HEADER.lower().encode(), request_id.encode())

        async def tagged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, tagged_send)
        finally:
            seconds = time.perf_counter() - started
            path = scope.get("path", "")
            if path not in self.skip:
                route = _route_of(scope)
                method = scope.get("method", "")
                HTTP_SECONDS.labels(method=method, route=route, status=f"{status // 100}xx").observe(seconds)
                if access_log.isEnabledFor(logging.INFO):
                    access_log.info(
                        "%s %s %d",
                        method,
                        route,
                        status,
                        extra={
                            "fields": {
                                "method": method,
                                "route": route,
                                "status": status,
                                "ms": round(seconds * 1000, 2),
                            }
                        },
                    )
            _request_id.reset(token)
