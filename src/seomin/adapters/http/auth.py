"""Who is calling: three credentials for three audiences, each its own OpenAPI security scheme.

- **Applicants** verify their identity (``POST /api/v1/applicant/identity``) and send the session token
  as ``Authorization: Bearer <token>`` (scheme ``ApplicantSession``); the services look it up by hash.
- **Staff** sign in (``POST /api/v1/staff/login``) and send the signed token they get as
  ``Authorization: Bearer <token>`` (scheme ``StaffToken``). The token is stateless:
  ``base64url(JSON {sub, role, exp}) "." base64url(HMAC-SHA256)``, keyed by a key derived from the
  platform's data key (``vault.lookup_hash`` of a fixed label), so no table is needed and a new data key
  invalidates every token. It is not revocable before ``exp`` (``STAFF_TOKEN_TTL``); the review services
  check that a reviewer is still active on every decision anyway.
- **Partner banks** send ``X-Api-Key: <prefix>.<secret>`` (scheme ``BankApiKey``) on every request.

A missing, malformed, unknown or expired credential is a 401; a valid one whose role may not use a route
is a 403.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.public import ErrorOut
from seomin.services.errors import Forbidden, NotFound
from seomin.services.identity import (
    STAFF_ROLES,
    applicant_for_token,
    authenticate_bank,
    authenticate_partner,
    staff_session_actor,
)
from seomin.services.platform import Actor, ActorType, Platform

STAFF_TOKEN_TTL = timedelta(hours=8)
"""A working day: a staff token then has to be renewed by signing in again."""

_TOKEN_LABEL = "seomin-staff-token-v1"
_MAX_TOKEN_LENGTH = 1024


class Unauthorized(Exception):
    """No valid credential for the route's audience: HTTP 401 (``scheme`` names the expected one)."""

    def __init__(self, message: str, scheme: str = "Bearer") -> None:
        super().__init__(message)
        self.message = message
        self.scheme = scheme


# --- staff tokens ------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signing_key(platform: Platform, label: str) -> bytes:
    return platform.vault.lookup_hash(label).encode("ascii")


def sign_claims(platform: Platform, label: str, claims: dict[str, Any]) -> str:
    """``base64url(JSON claims) "." base64url(HMAC-SHA256)`` under a key of its own for ``label``, so a
    token made for one purpose (staff API, bank desk cookie) is never accepted for another."""
    body = _b64(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    signature = hmac.new(_signing_key(platform, label), body.encode("ascii"), hashlib.sha256).digest()
    return f"{body}.{_b64(signature)}"


def verified_claims(platform: Platform, label: str, token: str, now: float | None = None) -> dict[str, Any]:
    """The claims of a token ``sign_claims`` made for ``label``; ``Unauthorized`` if it is forged,
    malformed or past its ``exp``."""
    body, dot, signature = token.partition(".")
    if not dot or len(token) > _MAX_TOKEN_LENGTH:
        raise Unauthorized("invalid token")
    expected = hmac.new(
        _signing_key(platform, label), body.encode("ascii", "replace"), hashlib.sha256
    ).digest()
    try:
        given = _unb64(signature)
        claims = json.loads(_unb64(body))
    except (binascii.Error, ValueError):
        raise Unauthorized("invalid token") from None
    if not hmac.compare_digest(expected, given):
        raise Unauthorized("invalid token")
    if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int):
        raise Unauthorized("invalid token")  # pragma: no cover - only we sign tokens
    if claims["exp"] <= (time.time() if now is None else now):
        raise Unauthorized("the token has expired; sign in again")
    return claims


@dataclass(frozen=True, slots=True)
class StaffToken:
    token: str
    expires_at: datetime


def issue_staff_token(platform: Platform, actor: Actor, now: float | None = None) -> StaffToken:
    """A signed token for a signed-in staff actor, valid for ``STAFF_TOKEN_TTL``."""
    issued = time.time() if now is None else now
    exp = int(issued + STAFF_TOKEN_TTL.total_seconds())
    claims = {"sub": actor.id, "role": actor.role, "exp": exp, "iat": issued}
    token = sign_claims(platform, _TOKEN_LABEL, claims)
    return StaffToken(token, datetime.fromtimestamp(exp, UTC))


def staff_actor_for_token(platform: Platform, token: str, now: float | None = None) -> Actor:
    """The staff actor a token was issued to; ``Unauthorized`` if it is forged, malformed or expired."""
    try:
        claims = verified_claims(platform, _TOKEN_LABEL, token, now)
    except Unauthorized as exc:
        raise Unauthorized(exc.message.replace("token", "staff token", 1)) from None
    sub, role, issued = claims.get("sub"), claims.get("role"), claims.get("iat")
    if not isinstance(sub, str) or role not in STAFF_ROLES or not isinstance(issued, int | float):
        raise Unauthorized("invalid staff token")
    try:  # the user as they are now: deactivation, a new role or a sign-out end the token at once
        return staff_session_actor(platform, sub, str(role), float(issued))
    except Forbidden as exc:
        raise Unauthorized(str(exc)) from None


# --- FastAPI dependencies --------------------------------------------------------------------------

_applicant_scheme = HTTPBearer(
    scheme_name="ApplicantSession",
    description="The session token from POST /api/v1/applicant/identity (30 minutes)",
    auto_error=False,
)
_staff_scheme = HTTPBearer(
    scheme_name="StaffToken",
    description="The signed token from POST /api/v1/staff/login (8 hours)",
    auto_error=False,
)
_bank_scheme = APIKeyHeader(
    name="X-Api-Key",
    scheme_name="BankApiKey",
    description="A partner bank's API key, <prefix>.<secret>",
    auto_error=False,
)


def _bearer(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials.strip():
        raise Unauthorized("an Authorization: Bearer token is required")
    return credentials.credentials.strip()


def current_applicant(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_applicant_scheme)],
) -> Actor:
    """The applicant of the bearer session token."""
    token = _bearer(credentials)
    if len(token) > _MAX_TOKEN_LENGTH:
        raise Unauthorized("invalid session token")
    try:
        applicant_id = applicant_for_token(platform_of(request), token)
    except NotFound:
        raise Unauthorized("invalid session token") from None
    except Forbidden as exc:  # expired
        raise Unauthorized(str(exc)) from None
    return Actor(ActorType.APPLICANT, str(applicant_id))


def staff_with(*roles: str) -> Callable[..., Actor]:
    """A dependency: the signed-in staff actor, 403 unless their role is one of ``roles``."""
    allowed = frozenset(roles)

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_staff_scheme)],
    ) -> Actor:
        actor = staff_actor_for_token(platform_of(request), _bearer(credentials))
        if actor.role not in allowed:
            raise Forbidden(f"only {', '.join(sorted(allowed))} staff may do this")
        return actor

    return dependency


def current_bank(request: Request, api_key: Annotated[str | None, Depends(_bank_scheme)]) -> Actor:
    """The bank of the ``X-Api-Key`` header."""
    if not api_key or len(api_key) > _MAX_TOKEN_LENGTH:
        raise Unauthorized("an X-Api-Key header with the bank's API key is required", scheme="ApiKey")
    try:
        return authenticate_bank(platform_of(request), api_key)
    except Forbidden:
        raise Unauthorized("invalid API key", scheme="ApiKey") from None


def current_partner(request: Request, api_key: Annotated[str | None, Depends(_bank_scheme)]) -> Actor:
    """The fintech partner of the ``X-Api-Key`` header (a partner key, never a bank's)."""
    if not api_key or len(api_key) > _MAX_TOKEN_LENGTH:
        raise Unauthorized("an X-Api-Key header with the partner's API key is required", scheme="ApiKey")
    try:
        return authenticate_partner(platform_of(request), api_key)
    except Forbidden:
        raise Unauthorized("invalid API key", scheme="ApiKey") from None


ApplicantActor = Annotated[Actor, Depends(current_applicant)]
PartnerActor = Annotated[Actor, Depends(current_partner)]
BankActor = Annotated[Actor, Depends(current_bank)]


# --- OpenAPI documentation of the error answers --------------------------------------------------------


class ConflictOut(ErrorOut):
    code: str = Field(description="The stable reason code, as in detail[0].type")


_ERROR_DOCS: dict[int, tuple[type[BaseModel], str]] = {
    401: (ErrorOut, "No credential, or an invalid or expired one"),
    403: (ErrorOut, "The caller's role may not do this"),
    404: (ErrorOut, "Unknown, or not the caller's to see"),
    409: (ConflictOut, "Not allowed in the current state: `code` says why"),
    422: (ErrorOut, "Bad input: every item names the field"),
    429: (ErrorOut, "Too many attempts: wait the seconds in the Retry-After header"),
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error status codes."""
    return {code: {"model": _ERROR_DOCS[code][0], "description": _ERROR_DOCS[code][1]} for code in codes}
