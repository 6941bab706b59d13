"""Run the API under uvicorn (what ``seomin serve`` calls)."""

from __future__ import annotations

from typing import Any

import uvicorn

APP_FACTORY = "seomin.adapters.http.server:serving_app"


def serving_app() -> Any:
    """The app as ``seomin serve`` runs it (in each worker process): JSON log lines with request ids."""
    from seomin.adapters.http.app import create_app
    from seomin.adapters.observability import configure_logging

    configure_logging()
    return create_app()


def serve(host: str, port: int, workers: int = 1) -> None:
    """Serve the API until interrupted; each worker process builds its own app (catalog loaded once each).

    ``workers > 1`` starts that many processes sharing the socket (uvicorn's supervisor); the access log is
    off because request paths are all a log line would add, and the app logs its own unexpected errors.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        log_level="info",
        log_config=None,  # the app's JSON lines (serving_app), not uvicorn's text format
    )
