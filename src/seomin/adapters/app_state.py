"""The platform an ASGI app was built with, shared by the API routes and the web pages on that app."""

from __future__ import annotations

from starlette.requests import Request

from seomin.services.platform import Platform


def platform_of(request: Request) -> Platform:
    """The platform the app was built with (or built at startup from the settings by the bootstrap)."""
    found: Platform | None = getattr(request.app.state, "platform", None)
    if found is None:  # pragma: no cover - the lifespan sets it before any request is served
        raise RuntimeError("the platform is not ready")
    return found
