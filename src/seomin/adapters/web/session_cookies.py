"""Who is signed in on the web pages: the same credentials as the API, carried in cookies.

- applicant: the 30-minute session token of 본인인증 (``seomin_applicant``);
- staff: the signed 8-hour staff token of the API (``seomin_staff``);
- bank desk: a signed 8-hour token for the bank whose API key signed in (``seomin_bank``); the key itself
  is never kept in the browser.

Cookies are HttpOnly and SameSite=Lax (Secure when served over HTTPS). Together with the Origin check in
``seomin.adapters.web`` that keeps other sites from posting forms as the signed-in person.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Literal
from urllib.parse import quote

from fastapi import Request
from starlette.responses import Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import (
    STAFF_TOKEN_TTL,
    Unauthorized,
    sign_claims,
    staff_actor_for_token,
    verified_claims,
)
from seomin.services.errors import Forbidden, NotFound
from seomin.services.identity import (
    SESSION_TTL,
    applicant_for_token,
    applicant_session_expiry,
    bank_desk_actor,
    end_applicant_session,
    end_bank_desk_sessions,
    end_staff_sessions,
)
from seomin.services.platform import Actor, ActorType

APPLICANT_COOKIE = "seomin_applicant"
STAFF_COOKIE = "seomin_staff"
BANK_COOKIE = "seomin_bank"
BANK_DESK_TTL = STAFF_TOKEN_TTL
_BANK_LABEL = "seomin-bank-desk-v1"

ViewerKind = Literal["applicant", "staff", "bank"]
LOGIN_PATHS: dict[ViewerKind, str] = {
    "applicant": "/identity",
    "staff": "/staff/login",
    "bank": "/bank/login",
}


class LoginRequired(Exception):
    """The page needs a signed-in viewer of ``kind``: answered with a redirect to its sign-in page."""

    def __init__(self, kind: ViewerKind, next_path: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.next_path = next_path

    @property
    def location(self) -> str:
        return f"{LOGIN_PATHS[self.kind]}?next={quote(self.next_path, safe='/')}"


class Viewer:
    """Everyone signed in on this browser (an applicant may also be staff on a shared demo machine).

    Each credential is checked the first time it is asked for, so a page that needs only one (or, like
    most, none) does not look up the others: the applicant's session is a database read."""

    def __init__(self, request: Request) -> None:
        self._request = request

    @cached_property
    def applicant(self) -> Actor | None:
        return _applicant(self._request)

    @cached_property
    def staff(self) -> Actor | None:
        return _staff(self._request)

    @cached_property
    def bank(self) -> Actor | None:
        return _bank(self._request)


def _set(response: Response, request: Request, name: str, value: str, ttl: timedelta) -> None:
    response.set_cookie(
        name,
        value,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or platform_of(request).environment == "production",
        path="/",
    )


def sign_in_applicant(response: Response, request: Request, token: str) -> None:
    _set(response, request, APPLICANT_COOKIE, token, SESSION_TTL)


def sign_in_staff(response: Response, request: Request, token: str) -> None:
    _set(response, request, STAFF_COOKIE, token, STAFF_TOKEN_TTL)


def sign_in_bank(response: Response, request: Request, bank: Actor, key_prefix: str) -> None:
    """The desk session names the API key it was opened with (its prefix, never the secret), so revoking
    the key or signing out ends it on the next request."""
    issued = time.time()
    exp = int(issued + BANK_DESK_TTL.total_seconds())
    claims = {"sub": bank.id, "key": key_prefix, "exp": exp, "iat": issued}
    _set(
        response, request, BANK_COOKIE, sign_claims(platform_of(request), _BANK_LABEL, claims), BANK_DESK_TTL
    )


def sign_out(response: Response, request: Request, kind: ViewerKind) -> None:
    """End the session server-side (the cookie alone would keep working if copied), then drop the cookie."""
    platform = platform_of(request)
    viewer = viewer_of(request)
    if kind == "applicant" and (token := request.cookies.get(APPLICANT_COOKIE)):
        end_applicant_session(platform, token[:1024])
    elif kind == "staff" and (staff := viewer.staff) is not None:
        end_staff_sessions(platform, staff)
    elif kind == "bank" and (claims := _bank_claims(request)) is not None:
        end_bank_desk_sessions(platform, str(claims.get("key", "")))
    name = {"applicant": APPLICANT_COOKIE, "staff": STAFF_COOKIE, "bank": BANK_COOKIE}[kind]
    response.delete_cookie(name, path="/")


def _applicant(request: Request) -> Actor | None:
    token = request.cookies.get(APPLICANT_COOKIE)
    if not token or len(token) > 1024:
        return None
    try:
        return Actor(ActorType.APPLICANT, str(applicant_for_token(platform_of(request), token)))
    except (NotFound, Forbidden):  # unknown or expired session
        return None


def _staff(request: Request) -> Actor | None:
    token = request.cookies.get(STAFF_COOKIE)
    if not token:
        return None
    try:
        return staff_actor_for_token(platform_of(request), token)
    except Unauthorized:
        return None


def _bank_claims(request: Request) -> dict[str, Any] | None:
    token = request.cookies.get(BANK_COOKIE)
    if not token:
        return None
    try:
        return verified_claims(platform_of(request), _BANK_LABEL, token)
    except Unauthorized:
        return None


def _bank(request: Request) -> Actor | None:
    claims = _bank_claims(request)
    if claims is None:
        return None
    key, issued = claims.get("key"), claims.get("iat")
    if not isinstance(key, str) or not isinstance(issued, int | float):
        return None
    try:
        return bank_desk_actor(platform_of(request), key, float(issued))
    except Forbidden:  # a revoked key or a signed-out desk
        return None


def viewer_of(request: Request) -> Viewer:
    """Who is signed in, each credential read at most once per request (cached on the request)."""
    cached = getattr(request.state, "viewer", None)
    if isinstance(cached, Viewer):
        return cached
    viewer = Viewer(request)
    request.state.viewer = viewer
    return viewer


def _next_path(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def require_applicant(request: Request) -> Actor:
    """The signed-in applicant, or ``LoginRequired`` (to 본인인증, coming back here afterwards)."""
    actor = viewer_of(request).applicant
    if actor is None:
        raise LoginRequired("applicant", _next_path(request))
    return actor


def require_staff(request: Request, *roles: str) -> Actor:
    """The signed-in staff member; ``Forbidden`` if ``roles`` are given and theirs is not one of them."""
    actor = viewer_of(request).staff
    if actor is None:
        raise LoginRequired("staff", _next_path(request))
    if roles and actor.role not in roles:
        raise Forbidden(f"only {', '.join(sorted(roles))} staff may do this")
    return actor


def require_bank(request: Request) -> Actor:
    actor = viewer_of(request).bank
    if actor is None:
        raise LoginRequired("bank", _next_path(request))
    return actor


def safe_next(value: str | None, default: str) -> str:
    """A same-site path to return to after sign-in; anything else (another host, a scheme) is ignored."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def applicant_seconds_left(request: Request) -> int | None:
    """Seconds until the signed-in applicant's session ends (the pages warn before it does), or None."""
    token = request.cookies.get(APPLICANT_COOKIE)
    if not token:
        return None
    ends = applicant_session_expiry(platform_of(request), token)
    return None if ends is None else max(0, int((ends - datetime.now(UTC)).total_seconds()))
