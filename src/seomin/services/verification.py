"""본인확인 (identity verification) in two steps: a one-time code to the phone, then the session.

1. ``start_verification``: the person consents (the text's version and the time are recorded) and gives
   their name, resident number and mobile phone. The provider checks them (a certified provider — PASS,
   공동인증서 — vouches that the phone is the person's; the local provider accepts any well-formed values and
   is refused in production). Where a record with that resident number exists, the name must match it:
   otherwise the attempt is refused in words that do not say which part was wrong, counted and audited.
   A six-digit code goes to the phone through the notification outbox, valid ``CODE_TTL``.
2. ``confirm_verification``: the code, at most ``MAX_CODE_ATTEMPTS`` tries per challenge; then the record is
   found (or created) and a session opens. A phone number on file changes only here, after its code was
   confirmed, and the change is audited.

Starts are limited per resident number and per phone (``START_POLICY``), so one caller cannot flood a
phone with codes or try names against a number; a locked key answers HTTP 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from seomin.adapters.db.models import Applicant, IdentityChallenge, NotificationMessage
from seomin.domain.identity import mask_name, mask_phone, parse_resident_number
from seomin.services import attempts
from seomin.services.clock import as_utc
from seomin.services.errors import InputError, InputErrorCode, TooManyAttempts
from seomin.services.identity import IdentityFailure, IdentityProvider, VerifiedIdentity, open_session
from seomin.services.notifications import queue_message
from seomin.services.platform import Actor, ActorType, Platform, audit

CODE_TTL = timedelta(minutes=3)
MAX_CODE_ATTEMPTS = 5
CONSENT_VERSION = "identity-2026-01"
"""The version of the consent text the pages and the API show (개인정보 수집·이용 및 고유식별정보
처리 동의)."""

START_POLICY = attempts.AttemptPolicy(
    max_failures=5,
    window=timedelta(minutes=30),
    lockout=timedelta(minutes=30),
    message="too many verification requests for this person or phone; try again later",
)
"""Codes requested (and name mismatches) per resident number and per phone."""

_MISMATCH = "the name, resident number and phone do not match a verified person"
_VISITOR = Actor(ActorType.PUBLIC, "identity")


@dataclass(frozen=True, slots=True)
class ChallengeStarted:
    """The challenge token the person confirms the code against (shown once), and where the code went."""

    challenge: str
    phone_masked: str
    expires_at: datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _code_hash(platform: Platform, token: str, code: str) -> str:
    return platform.vault.lookup_hash(f"identity-code:{token}:{code}")


def _now() -> datetime:
    return datetime.now(UTC)


def start_verification(
    platform: Platform,
    provider: IdentityProvider,
    name: str,
    rrn: str,
    phone: str,
    *,
    consent_version: str,
) -> ChallengeStarted:
    """Step 1: check the person, record consent and send a code to their phone."""
    if consent_version != CONSENT_VERSION:
        raise InputError(
            "consent", f"agree to the current consent text ({CONSENT_VERSION}) first", InputErrorCode.REQUIRED
        )
    result = provider.verify(name, rrn, phone)
    if isinstance(result, IdentityFailure):
        raise InputError(result.field, result.message)
    vault = platform.vault
    rrn_hash = vault.lookup_hash(result.rrn.value)
    keys = (f"identity-start:{rrn_hash}", f"identity-phone:{vault.lookup_hash(result.phone)}")
    for key in keys:
        attempts.check_allowed(platform, key, START_POLICY)
    with platform.sessions() as session:
        on_file = session.scalars(select(Applicant).where(Applicant.rrn_hash == rrn_hash)).one_or_none()
        mismatch = on_file is not None and vault.decrypt(on_file.name_encrypted) != result.name
    if mismatch:
        for key in keys:
            attempts.record_failure(platform, key, START_POLICY)
        with platform.sessions.begin() as session:
            audit(
                session,
                _VISITOR,
                "identity.mismatch",
                "applicant",
                on_file.id if on_file else "",
                reason=_MISMATCH,
            )
        raise InputError("name", _MISMATCH, InputErrorCode.IDENTITY_MISMATCH)
    attempts.record_failure(platform, keys[1], START_POLICY)  # every code sent counts against the phone
    token = secrets.token_urlsafe(24)
    code = f"{secrets.randbelow(10**6):06d}"
    now = _now()
    with platform.sessions.begin() as session:
        challenge = IdentityChallenge(
            token_hash=_token_hash(token),
            rrn_hash=rrn_hash,
            rrn_encrypted=vault.encrypt(result.rrn.value),
            name_encrypted=vault.encrypt(result.name),
            phone_encrypted=vault.encrypt(result.phone),
            phone_masked=mask_phone(result.phone),
            code_hash=_code_hash(platform, token, code),
            attempts=0,
            status="pending",
            consent_version=consent_version,
            consented_at=now,
            expires_at=now + CODE_TTL,
        )
        session.add(challenge)
        session.flush()
        queue_message(
            session,
            platform,
            "identity_code",
            result.phone,
            {"code": code, "minutes": int(CODE_TTL.total_seconds() // 60)},
            dedupe_key=f"identity:{challenge.token_hash}",
        )
        audit(
            session,
            _VISITOR,
            "identity.code_sent",
            "identity_challenge",
            challenge.id,
            after={"phone": challenge.phone_masked, "consent_version": consent_version},
            reason="identity verification started with consent",
        )
        return ChallengeStarted(token, challenge.phone_masked, challenge.expires_at)


@dataclass(frozen=True, slots=True)
class Verified:
    """The session a confirmed code opened (token shown once) and the person's details, masked."""

    applicant_id: int
    token: str
    name_masked: str
    rrn_masked: str
    phone_masked: str


def confirm_verification(platform: Platform, challenge: str, code: str) -> Verified:
    """Step 2: the code; opens the session once it matches."""
    if not challenge or len(challenge) > 64:
        raise InputError("challenge", "no such verification request; start again")
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise InputError("code", "the code is the 6 digits sent to your phone", InputErrorCode.INVALID)
    failure: Exception | None = None
    opened: Verified | None = None
    with platform.sessions.begin() as session:
        row = session.scalars(
            select(IdentityChallenge)
            .where(IdentityChallenge.token_hash == _token_hash(challenge))
            .with_for_update()
        ).one_or_none()
        if row is None or row.status == "verified":
            raise InputError("challenge", "no such verification request; start again")
        if row.status == "locked" or row.attempts >= MAX_CODE_ATTEMPTS:
            raise TooManyAttempts("too many wrong codes for this request; start again", 60)
        if as_utc(row.expires_at) < _now():
            raise InputError("code", "the code has expired; ask for a new one", InputErrorCode.CODE_EXPIRED)
        if not hmac.compare_digest(row.code_hash, _code_hash(platform, challenge, code)):
            row.attempts += 1
            left = MAX_CODE_ATTEMPTS - row.attempts
            if left <= 0:
                row.status = "locked"
            audit(
                session,
                _VISITOR,
                "identity.code_failed",
                "identity_challenge",
                row.id,
                after={"attempts": row.attempts},
                reason="wrong verification code",
            )
            failure = (
                TooManyAttempts("too many wrong codes for this request; start again", 60)
                if left <= 0
                else InputError(
                    "code", f"the code does not match ({left} tries left)", InputErrorCode.CODE_MISMATCH
                )
            )
        else:
            row.status = "verified"
            vault = platform.vault
            identity = VerifiedIdentity(
                vault.decrypt(row.name_encrypted),
                parse_resident_number(vault.decrypt(row.rrn_encrypted), platform.today()),
                vault.decrypt(row.phone_encrypted),
            )
            applicant_id, token = open_session(
                session, platform, identity, reason="identity verified by one-time code"
            )
            opened = Verified(
                applicant_id, token, mask_name(identity.name), identity.rrn.masked, mask_phone(identity.phone)
            )
    if failure is not None:
        raise failure
    assert opened is not None
    return opened


def latest_code_message(platform: Platform, challenge: str) -> str | None:
    """Development only: the text the local outbox holds for this challenge's code, to show beside the form
    (the edges call it only outside production)."""
    with platform.sessions() as session:
        row = session.scalars(
            select(NotificationMessage).where(
                NotificationMessage.dedupe_key == f"identity:{_token_hash(challenge)}"
            )
        ).one_or_none()
        return None if row is None else platform.vault.decrypt(row.text_encrypted)
