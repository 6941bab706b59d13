"""The web pages (Korean first): applicant self-service, the staff console, the bank desk and the
management pages, server-rendered on the API's FastAPI app.

Pages work without JavaScript; HTMX (installed from npm at set-up, served from ``/vendor``) only swaps
parts of a page in place. Each feature has its module of routes and its folder of templates.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from seomin.adapters.web.session_cookies import LoginRequired

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_FILES = {
    "htmx.min.js": Path("htmx.org/dist/htmx.min.js"),
}
"""What ``/vendor/<name>`` serves, relative to the npm ``node_modules`` folder."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def node_modules() -> Path | None:
    """``SEOMIN_NODE_MODULES``, else the ``node_modules`` of the working directory or of the checkout this
    package runs from (an editable install), whichever has the packages."""
    configured = os.environ.get("SEOMIN_NODE_MODULES")
    candidates = [Path(configured)] if configured else []
    candidates += [Path.cwd() / "node_modules", Path(__file__).resolve().parents[4] / "node_modules"]
    return next((c for c in candidates if (c / "htmx.org").is_dir()), None)


class WebGuard:
    """For every answer, the pages' and the API's alike: the security headers (CSP, nosniff, referrer policy,
    and HSTS in production or over HTTPS); for the pages, refuse a form posted from another site.

    A browser sends ``Origin`` on every POST; one that names another host, or ``null`` (a sandboxed frame, a
    ``data:`` page, a redirect chain: never our own form), is refused (403) before the page runs, and so is
    a POST without ``Origin`` whose ``Referer`` names another host. With SameSite=Lax cookies this is the
    cross-site request forgery defence, no token needed. The API takes no cookies (bearer tokens and API
    keys), so its requests are not origin-checked.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        is_api = scope.get("path", "").startswith("/api/")
        if not is_api and scope["method"] not in ("GET", "HEAD", "OPTIONS") and _cross_site(headers):
            await Response("다른 사이트에서 보낸 요청은 받지 않습니다. (cross-site request refused)", 403)(
                scope, receive, send
            )
            return
        strict_transport = scope.get("scheme") == "https" or _production(scope)

        async def with_headers(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if strict_transport:
                    extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = [*message.get("headers", []), *extra]  # type: ignore[misc]
            await send(message)

        await self.app(scope, receive, with_headers)  # type: ignore[arg-type]


def _cross_site(headers: dict[bytes, bytes]) -> bool:
    host = headers.get(b"host", b"").decode("latin-1")
    origin = headers.get(b"origin")
    if origin is not None:
        value = origin.decode("latin-1")
        return value == "null" or urlsplit(value).netloc != host
    referer = headers.get(b"referer")
    return referer is not None and urlsplit(referer.decode("latin-1")).netloc != host


def _production(scope: Scope) -> bool:
    platform = getattr(getattr(scope.get("app"), "state", None), "platform", None)
    return getattr(platform, "environment", "") == "production"


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if request.headers.get("HX-Request") == "true":  # HTMX swaps would put the sign-in page in a fragment
        return Response(status_code=204, headers={"HX-Redirect": exc.location})
    return RedirectResponse(exc.location, status_code=303)


def install_web(app: FastAPI) -> None:
    """Add the pages, their static files and their guard to the app."""
    from seomin.adapters.web import (
        apply,
        apply_drafts,
        bank_desk,
        consulting_console,
        contact_center,
        dormant,
        help,
        home,
        jobs_console,
        knowledge_pages,
        management,
        matching,
        mypage,
        report_pages,
        selfcheck,
        servicing_console,
        simulator,
        staff_admin,
        staff_console,
    )

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/vendor/{name}", include_in_schema=False)
    async def vendor(name: str) -> Response:
        found = node_modules()
        relative = VENDOR_FILES.get(name)
        if found is None or relative is None or not (found / relative).is_file():
            return Response("not installed: run `npm ci` (the pages work without it)", 404)
        return FileResponse(found / relative, headers={"Cache-Control": "public, max-age=86400"})

    app.add_exception_handler(LoginRequired, _login_required)
    app.add_middleware(WebGuard)
    for module in (
        home,
        selfcheck,
        matching,
        simulator,
        apply,
        apply_drafts,
        mypage,
        help,
        staff_console,
        staff_admin,
        consulting_console,
        servicing_console,
        bank_desk,
        management,
        dormant,
        jobs_console,
        contact_center,
        report_pages,
        knowledge_pages,
    ):
        app.include_router(module.router, include_in_schema=False)
