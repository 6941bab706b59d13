"""Run the API under uvicorn (what ``seomin serve`` calls)."""

from __future__ import annotations

import uvicorn

APP_FACTORY = "seomin.adapters.http.app:create_app"


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
    )
