"""Use cases: who is acting. Applicants prove who they are through an identity-verification provider
(본인인증) and get a short session; agency staff sign in with a password; partner banks use API keys.

Secrets are never stored: a session token and a bank key's secret are kept as SHA-256 hashes (they are
random with 256 bits of entropy, so a fast hash suffices and keeps every request cheap), staff passwords
as argon2id hashes. Resident numbers, names and phone numbers are stored encrypted, with a keyed hash of
the resident number for lookup and masked forms for screens.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import NoReturn, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Applicant, ApplicantSession, BankApiKey, StaffUser
from seomin.domain.identity import ResidentNumber, mask_phone, normalize_phone, parse_resident_number
from seomin.services import attempts
from seomin.services.clock import as_utc
from seomin.services.errors import (
    Conflict,
    Forbidden,
    InputError,
    InputErrorCode,
    NotFound,
    TooManyAttempts,
)
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row

SESSION_TTL = timedelta(minutes=30)
"""How long an applicant session lasts after identity verification (no sliding renewal)."""

STAFF_ROLES = ("counselor", "reviewer", "supervisor", "auditor")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
ADMIN = Actor(ActorType.SYSTEM, "admin")
"""The default actor of set-up operations (creating staff accounts, issuing bank keys) run by an operator."""

PASSWORD_HASHER = PasswordHasher()
"""argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4)."""

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_AUTH_FAILED = "invalid username or password"
STAFF_PASSWORD_POLICY = attempts.AttemptPolicy(
    max_failures=5,
    window=timedelta(minutes=15),
    lockout=timedelta(minutes=15),
    message="too many failed sign-ins for this user; try again later or ask a supervisor",
)
"""Five wrong passwords for a username within 15 minutes lock it for 15 minutes (429 with Retry-After)."""
BANK_KEY_POLICY = attempts.AttemptPolicy(
    max_failures=10,
    window=timedelta(minutes=15),
    lockout=timedelta(minutes=15),
    message="too many requests with a wrong secret for this API key; try again later",
)
"""Ten wrong secrets for one key prefix within 15 minutes: further wrong secrets are answered 429."""


# --- applicants: identity verification and sessions -------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    """What a provider vouches for: the person's name, resident number and their own mobile phone."""

    name: str = field(repr=False)
    rrn: ResidentNumber
    phone: str = field(repr=False)  # normalized, 01012345678


@dataclass(frozen=True, slots=True)
class IdentityFailure:
    """Why verification failed: the input field at fault (``name``, ``rrn``, ``phone``) and a message."""

    field: str
    message: str


class IdentityProvider(Protocol):
    """An identity-verification service (PASS, 공동인증서, 카카오 인증서 …) behind one call."""

    def verify(self, name: str, rrn: str, phone: str) -> VerifiedIdentity | IdentityFailure: ...


@dataclass(frozen=True, slots=True)
class LocalIdentityProvider:
    """For development and tests: accepts any well-formed name, valid resident number and Korean mobile
    number, deterministically and without calling anyone. Never use it in production."""

    today: Callable[[], date] = date.today

    def verify(self, name: str, rrn: str, phone: str) -> VerifiedIdentity | IdentityFailure:
        cleaned = name.strip()
        if not cleaned or len(cleaned) > 50 or any(ch.isdigit() for ch in cleaned):
            return IdentityFailure("name", "name must be 1 to 50 characters without digits")
        try:
            number = parse_resident_number(rrn, self.today())
        except ValueError as exc:
            return IdentityFailure("rrn", str(exc))
        try:
            mobile = normalize_phone(phone)
        except ValueError as exc:
            return IdentityFailure("phone", str(exc))
        return VerifiedIdentity(cleaned, number, mobile)


def token_hash(token: str) -> str:
    """How a session token is stored: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC)


def verify_and_open_session(
    platform: Platform, provider: IdentityProvider, name: str, rrn: str, phone: str
) -> tuple[int, str]:
    """Open a session for a person the provider has verified itself (its own code to the phone): returns
    (applicant id, session token). The pages and the API go through ``services.verification`` instead, which
    sends and checks the code; this is its last step for providers that do that part themselves."""
    result = provider.verify(name, rrn, phone)
    if isinstance(result, IdentityFailure):
        raise InputError(result.field, result.message)
    with platform.sessions.begin() as session:
        return open_session(session, platform, result, reason="identity verification")


def open_session(
    session: Session, platform: Platform, identity: VerifiedIdentity, *, reason: str
) -> tuple[int, str]:
    """In the caller's transaction: find (or create) the record of a verified person and open a session.

    The record is the one of the resident number, and only when the name matches it: a different name is
    refused (``IDENTITY_MISMATCH``), never written over the record. A different phone replaces the one on
    file, audited: it was verified just now. The token is returned once; only its hash is stored, valid for
    ``SESSION_TTL``.
    """
    vault = platform.vault
    token = secrets.token_urlsafe(32)
    expires_at = _utcnow() + SESSION_TTL
    applicant = _find_or_create_applicant(session, platform, identity)
    if vault.decrypt(applicant.name_encrypted) != identity.name:
        raise InputError(
            "name",
            "the name, resident number and phone do not match a verified person",
            InputErrorCode.IDENTITY_MISMATCH,
        )
    actor = Actor(ActorType.APPLICANT, str(applicant.id))
    if vault.decrypt(applicant.phone_encrypted) != identity.phone:
        before = {"phone": applicant.phone_masked}
        applicant.phone_encrypted = vault.encrypt(identity.phone)
        applicant.phone_masked = mask_phone(identity.phone)
        audit(
            session,
            actor,
            "applicant.phone_changed",
            "applicant",
            applicant.id,
            before=before,
            after={"phone": applicant.phone_masked},
            reason=reason,
        )
    session.add(
        ApplicantSession(token_hash=token_hash(token), applicant_id=applicant.id, expires_at=expires_at)
    )
    audit(
        session,
        actor,
        "applicant.session_opened",
        "applicant",
        applicant.id,
        after={"expires_at": expires_at.isoformat()},
        reason=reason,
    )
    return applicant.id, token


def _find_or_create_applicant(session: Session, platform: Platform, identity: VerifiedIdentity) -> Applicant:
    vault = platform.vault
    rrn_hash = vault.lookup_hash(identity.rrn.value)
    found = session.scalars(select(Applicant).where(Applicant.rrn_hash == rrn_hash)).one_or_none()
    if found is not None:
        return found
    applicant = Applicant(
        rrn_hash=rrn_hash,
        rrn_encrypted=vault.encrypt(identity.rrn.value),
        rrn_masked=identity.rrn.masked,
        name_encrypted=vault.encrypt(identity.name),
        phone_encrypted=vault.encrypt(identity.phone),
        phone_masked=mask_phone(identity.phone),
        birth_date=identity.rrn.birth_date,
    )
    try:
        with session.begin_nested():  # the same person verifying twice at once: one insert wins
            session.add(applicant)
    except IntegrityError:
        return session.scalars(select(Applicant).where(Applicant.rrn_hash == rrn_hash)).one()
    audit(
        session,
        Actor(ActorType.APPLICANT, str(applicant.id)),
        "applicant.created",
        "applicant",
        applicant.id,
        after={"rrn": applicant.rrn_masked, "phone": applicant.phone_masked},
        reason="identity verification",
    )
    return applicant


def applicant_for_token(platform: Platform, token: str) -> int:
    """The applicant of a session token: NotFound if unknown, Forbidden once expired."""
    with platform.sessions() as session:
        found = session.get(ApplicantSession, token_hash(token))
        if found is None:
            raise NotFound("session", "(token)")
        if as_utc(found.expires_at) <= _utcnow():
            raise Forbidden("the session has expired; verify your identity again")
        return found.applicant_id


def applicant_session_expiry(platform: Platform, token: str) -> datetime | None:
    """When the session of ``token`` ends, or None when it is unknown or over."""
    with platform.sessions() as session:
        found = session.get(ApplicantSession, token_hash(token))
        if found is None or as_utc(found.expires_at) <= _utcnow():
            return None
        return as_utc(found.expires_at)


def extend_applicant_session(platform: Platform, token: str) -> datetime:
    """The person asked for more time (the page warned them the session was ending): the session runs
    ``SESSION_TTL`` from now. An ended session is not revived: that takes identity verification again."""
    with platform.sessions.begin() as session:
        found = session.get(ApplicantSession, token_hash(token), with_for_update=True)
        if found is None:
            raise NotFound("session", "(token)")
        if as_utc(found.expires_at) <= _utcnow():
            raise Forbidden("the session has expired; verify your identity again")
        found.expires_at = _utcnow() + SESSION_TTL
        audit(
            session,
            applicant_actor(found.applicant_id),
            "applicant.session_extended",
            "applicant",
            found.applicant_id,
            after={"expires_at": found.expires_at.isoformat()},
            reason="asked for more time",
        )
        return found.expires_at


def end_applicant_session(platform: Platform, token: str) -> None:
    """Sign-out: the session is deleted, so its token opens nothing any more."""
    with platform.sessions.begin() as session:
        found = session.get(ApplicantSession, token_hash(token))
        if found is not None:
            session.delete(found)
            audit(
                session,
                applicant_actor(found.applicant_id),
                "applicant.signed_out",
                "applicant",
                found.applicant_id,
            )


def staff_session_actor(platform: Platform, staff_id: str, role: str, issued_at: float) -> Actor:
    """The actor of a staff token, checked against the user as they are now: a deactivated user, a changed
    role or a token from before the user's last sign-out is refused (Forbidden) on the very next request."""
    try:
        user_id = int(staff_id)
    except ValueError:
        raise Forbidden("invalid staff token") from None
    with platform.sessions() as session:
        user = session.get(StaffUser, user_id)
    if user is None or not user.active:
        raise Forbidden("this staff account is no longer active")
    if user.role != role:
        raise Forbidden("your role has changed; sign in again")
    if user.tokens_valid_after is not None and issued_at <= as_utc(user.tokens_valid_after).timestamp():
        raise Forbidden("signed out; sign in again")
    return Actor(ActorType.STAFF, str(user.id), role=user.role)


def end_staff_sessions(platform: Platform, actor: Actor) -> None:
    """Sign-out: every token the user holds stops working (tokens carry no id to end one alone)."""
    with platform.sessions.begin() as session:
        user = session.get(StaffUser, int(actor.id))
        if user is not None:
            user.tokens_valid_after = _utcnow()
            audit(session, actor, "staff.signed_out", "staff_user", user.id)


def bank_desk_actor(platform: Platform, key_prefix: str, issued_at: float) -> Actor:
    """The bank of a bank-desk session, checked against its API key now: a revoked key or a session from
    before the desk's last sign-out is refused (Forbidden)."""
    with platform.sessions() as session:
        key = session.scalars(select(BankApiKey).where(BankApiKey.key_prefix == key_prefix)).one_or_none()
    if key is None or key.revoked_at is not None or key.bank_code not in platform.catalog.banks:
        raise Forbidden("the bank's API key is no longer valid")
    if key.desk_valid_after is not None and issued_at <= as_utc(key.desk_valid_after).timestamp():
        raise Forbidden("signed out; sign in again")
    return Actor(ActorType.BANK, key.bank_code)


def end_bank_desk_sessions(platform: Platform, key_prefix: str) -> None:
    """Sign-out of the bank desk: every desk session opened with that key stops working."""
    with platform.sessions.begin() as session:
        key = session.scalars(select(BankApiKey).where(BankApiKey.key_prefix == key_prefix)).one_or_none()
        if key is not None:
            key.desk_valid_after = _utcnow()
            audit(
                session, Actor(ActorType.BANK, key.bank_code), "bank_desk.signed_out", "bank_api_key", key.id
            )


def applicant_actor(applicant_id: int) -> Actor:
    return Actor(ActorType.APPLICANT, str(applicant_id))


# --- staff ------------------------------------------------------------------------------------------


def create_staff_user(
    platform: Platform,
    username: str,
    display_name: str,
    password: str,
    role: str,
    *,
    by: Actor = ADMIN,
    password_change_required: bool = False,
) -> int:
    """Create a staff account (password hashed with argon2id); ``by`` is an operator or a supervisor.
    ``password_change_required``: the password was chosen for the user, who replaces it at first sign-in."""
    _require_operator(by, "creates staff accounts")
    if not _USERNAME.match(username):
        raise InputError("username", "3 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit")
    shown = display_name.strip()
    if not shown or len(shown) > 100:
        raise InputError("display_name", "must be 1 to 100 characters")
    _check_password(password)
    if role not in STAFF_ROLES:
        raise InputError("role", f"must be one of {', '.join(STAFF_ROLES)}")
    user = StaffUser(
        username=username,
        display_name=shown,
        password_hash=PASSWORD_HASHER.hash(password),
        role=role,
        active=True,
        password_change_required=password_change_required,
    )
    with platform.sessions.begin() as session:
        taken = session.scalars(select(StaffUser.id).where(StaffUser.username == username)).first()
        if taken is not None:
            raise Conflict("STAFF_USERNAME_TAKEN", f"username {username!r} is taken")
        try:
            with session.begin_nested():
                session.add(user)
        except IntegrityError:
            raise Conflict("STAFF_USERNAME_TAKEN", f"username {username!r} is taken") from None
        audit(
            session,
            by,
            "staff.created",
            "staff_user",
            user.id,
            after={"username": username, "role": role, "active": True},
        )
        return user.id


def _check_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InputError("password", f"must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")


def _staff_for_update(session: Session, username: str, by: Actor | None = None) -> StaffUser:
    """The account, locked; with ``by``, refused when it is the supervisor's own (no one demotes or
    deactivates themselves by a slip and leaves the agency without a supervisor)."""
    user = locked_row(session, StaffUser, StaffUser.username, username, "staff user")
    if by is not None and by.type is ActorType.STAFF and by.id == str(user.id):
        raise Conflict("STAFF_SELF_CHANGE", "another supervisor changes your own role or access")
    return user


def set_staff_role(platform: Platform, username: str, role: str, *, by: Actor = ADMIN) -> None:
    """A new role; the user's tokens issued under the old one stop working at once."""
    _require_operator(by, "changes staff roles")
    if role not in STAFF_ROLES:
        raise InputError("role", f"must be one of {', '.join(STAFF_ROLES)}")
    with platform.sessions.begin() as session:
        user = _staff_for_update(session, username, by)
        before = user.role
        user.role = role
        audit(
            session,
            by,
            "staff.role_changed",
            "staff_user",
            user.id,
            before={"role": before},
            after={"role": role},
        )


def set_staff_active(platform: Platform, username: str, active: bool, *, by: Actor = ADMIN) -> None:
    """Deactivate (or reactivate) an account; a deactivated user's tokens stop working at once."""
    _require_operator(by, "deactivates staff accounts")
    with platform.sessions.begin() as session:
        user = _staff_for_update(session, username, by)
        before = user.active
        user.active = active
        user.tokens_valid_after = _utcnow()
        action = "staff.reactivated" if active else "staff.deactivated"
        audit(session, by, action, "staff_user", user.id, before={"active": before}, after={"active": active})


def reset_staff_password(platform: Platform, username: str, password: str, *, by: Actor = ADMIN) -> None:
    """A temporary password set by an operator or supervisor: every session of the user ends, and the next
    sign-in must choose a new password (``PASSWORD_CHANGE_REQUIRED``), since the one set here is known to
    whoever set it."""
    _require_operator(by, "resets staff passwords")
    _check_password(password)
    hashed = PASSWORD_HASHER.hash(password)
    with platform.sessions.begin() as session:
        user = _staff_for_update(session, username)
        user.password_hash = hashed
        user.tokens_valid_after = _utcnow()
        user.password_change_required = True
        audit(
            session,
            by,
            "staff.password_reset",
            "staff_user",
            user.id,
            after={"password_change_required": True},
            reason="reset by an operator",
        )
    attempts.clear(platform, f"staff-password:{username.strip().lower()[:64]}")


def revoke_bank_api_key(platform: Platform, key_prefix: str, *, by: Actor = ADMIN) -> str:
    """Revoke a bank's API key (its prefix); the API and the bank desk refuse it on the next request.
    Returns the bank's code."""
    _require_operator(by, "revokes bank API keys")
    with platform.sessions.begin() as session:
        key = locked_row(session, BankApiKey, BankApiKey.key_prefix, key_prefix, "bank API key")
        if key.revoked_at is None:
            key.revoked_at = _utcnow()
            audit(session, by, "bank_api_key.revoked", "bank_api_key", key.id, after={"prefix": key_prefix})
        return key.bank_code


def rotate_bank_api_key(platform: Platform, key_prefix: str, *, by: Actor = ADMIN) -> str:
    """A new key for the same bank and the old one revoked: the new key is returned, shown once."""
    bank_code = revoke_bank_api_key(platform, key_prefix, by=by)
    return issue_bank_api_key(platform, bank_code, by=by)


@dataclass(frozen=True, slots=True)
class StaffAccount:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    password_change_required: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BankKeyView:
    """A bank API key as administrators see it: its prefix, never its secret or hash."""

    key_prefix: str
    bank_code: str
    created_at: datetime
    revoked_at: datetime | None


def staff_accounts(platform: Platform, by: Actor) -> list[StaffAccount]:
    """Every staff account, by username (supervisors and operators)."""
    _require_operator(by, "lists staff accounts")
    with platform.sessions() as session:
        users = session.scalars(select(StaffUser).order_by(StaffUser.username)).all()
        return [
            StaffAccount(
                u.id, u.username, u.display_name, u.role, u.active, u.password_change_required, u.created_at
            )
            for u in users
        ]


def bank_api_keys(platform: Platform, by: Actor) -> list[BankKeyView]:
    """Every bank API key, live ones first, newest first (supervisors and operators)."""
    _require_operator(by, "lists bank API keys")
    with platform.sessions() as session:
        keys = session.scalars(
            select(BankApiKey).order_by(BankApiKey.revoked_at.is_not(None), BankApiKey.id.desc())
        ).all()
        return [BankKeyView(k.key_prefix, k.bank_code, k.created_at, k.revoked_at) for k in keys]


def _require_operator(by: Actor, what: str) -> None:
    if not (by.type is ActorType.SYSTEM or (by.type is ActorType.STAFF and by.role == "supervisor")):
        raise Forbidden(f"only a supervisor or an operator {what}")


@cache
def _dummy_hash() -> str:
    return PASSWORD_HASHER.hash("not a password of anyone")


def authenticate_staff(
    platform: Platform, username: str, password: str, new_password: str | None = None
) -> Actor:
    """The staff actor for a username and password; Forbidden with one message whatever was wrong.

    An unknown or inactive user costs a full argon2 verification too, so timing says little. After a reset
    the right password alone is refused with ``Conflict PASSWORD_CHANGE_REQUIRED``: the user signs in again
    with ``new_password``, which replaces the temporary one. A ``new_password`` given otherwise changes the
    password the same way (every other session ends).
    """
    key = f"staff-password:{username.strip().lower()[:64]}"
    attempts.check_allowed(platform, key, STAFF_PASSWORD_POLICY)
    with platform.sessions() as session:  # short: the argon2 work below runs outside any transaction
        user = session.scalars(select(StaffUser).where(StaffUser.username == username)).one_or_none()
    stored = user.password_hash if user is not None and user.active else _dummy_hash()
    try:
        PASSWORD_HASHER.verify(stored, password)
        verified = user is not None and user.active
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified:
        failures = attempts.record_failure(platform, key, STAFF_PASSWORD_POLICY)
        with platform.sessions.begin() as session:
            audit(
                session,
                Actor(ActorType.PUBLIC, "staff-sign-in"),
                "staff.sign_in_failed",
                "staff_user",
                user.id if user is not None else "",
                after={"username": username[:64], "failures": failures},
                reason="wrong password, or an unknown or inactive user",
            )
        raise Forbidden(_AUTH_FAILED)
    assert user is not None
    attempts.clear(platform, key)
    actor = Actor(ActorType.STAFF, str(user.id), role=user.role)
    if new_password is not None:
        _change_password(platform, actor, user, password, new_password)
        return actor
    if user.password_change_required:
        raise Conflict(
            "PASSWORD_CHANGE_REQUIRED",
            "this password was reset by a supervisor or an operator; choose a new password to sign in",
            (
                "관리자가 재설정한 비밀번호입니다. 새 비밀번호를 정해야 로그인할 수 있습니다.",
                "This password was reset by an administrator. Choose a new password to sign in.",
            ),
        )
    if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        rehashed = PASSWORD_HASHER.hash(password)
        with platform.sessions.begin() as session:
            session.execute(
                update(StaffUser)
                .where(StaffUser.id == user.id, StaffUser.password_hash == user.password_hash)
                .values(password_hash=rehashed)
            )
            audit(
                session,
                actor,
                "staff.password_rehashed",
                "staff_user",
                user.id,
                reason="argon2 parameters changed",
            )
    return actor


def _change_password(platform: Platform, actor: Actor, user: StaffUser, current: str, new: str) -> None:
    """Replace a verified password with the user's own choice; sessions opened before now end."""
    try:
        _check_password(new)
    except InputError as exc:
        raise InputError("new_password", exc.message) from None
    if new == current:
        raise InputError("new_password", "must differ from the current password")
    hashed = PASSWORD_HASHER.hash(new)
    with platform.sessions.begin() as session:
        row = _staff_for_update(session, user.username)
        if row.password_hash != user.password_hash:  # changed by someone else since it was verified
            raise Forbidden(_AUTH_FAILED)
        row.password_hash = hashed
        row.password_change_required = False
        row.tokens_valid_after = _utcnow()  # the token issued next, after this commit, is valid
        audit(session, actor, "staff.password_changed", "staff_user", row.id, reason="chosen by the user")


def change_staff_password(platform: Platform, actor: Actor, current: str, new: str) -> None:
    """A signed-in staff member changes their own password (the current one is asked again)."""
    if actor.type is not ActorType.STAFF:
        raise Forbidden("only staff change a staff password")
    with platform.sessions() as session:
        user = session.get(StaffUser, int(actor.id))
    if user is None:
        raise Forbidden(_AUTH_FAILED)
    authenticate_staff(platform, user.username, current, new)


# --- partner banks ----------------------------------------------------------------------------------


def issue_bank_api_key(platform: Platform, bank_code: str, *, by: Actor = ADMIN) -> str:
    """A new API key ``"{prefix}.{secret}"`` for a catalog bank, shown once; only a hash is kept."""
    _require_operator(by, "issues bank API keys")
    partner = bank_code.startswith(PARTNER_KEY_PREFIX) and _PARTNER_CODE.match(
        bank_code.removeprefix(PARTNER_KEY_PREFIX)
    )
    if bank_code not in platform.catalog.banks and not partner:
        raise InputError(
            "bank_code", f"unknown bank {bank_code!r}; known: {', '.join(sorted(platform.catalog.banks))}"
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with platform.sessions.begin() as session:
        key = BankApiKey(bank_code=bank_code, key_prefix=prefix, key_hash=_secret_hash(secret))
        session.add(key)
        session.flush()
        audit(
            session,
            by,
            "bank_api_key.issued",
            "bank_api_key",
            key.id,
            after={"bank_code": bank_code, "prefix": prefix},
        )
    return f"{prefix}.{secret}"


PARTNER_KEY_PREFIX = "fintech:"
"""Fintech partners' keys live with the banks' (same prefix, hash, revocation and wrong-secret limiter),
their owner code marked with this prefix so that a partner key never opens the bank API, nor the reverse."""
_PARTNER_CODE = re.compile(r"^[a-z0-9-]{2,24}$")


def issue_partner_api_key(platform: Platform, partner_code: str, *, by: Actor = ADMIN) -> str:
    """A new API key for a fintech partner (토스, 카카오페이 …), shown once; revoked and rotated as a
    bank's is."""
    if not _PARTNER_CODE.match(partner_code):
        raise InputError("partner_code", "2-24 lower-case letters, digits or dashes")
    return issue_bank_api_key(platform, PARTNER_KEY_PREFIX + partner_code, by=by)


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _valid_key(platform: Platform, api_key: str) -> BankApiKey:
    """The live key of ``"{prefix}.{secret}"``; Forbidden if malformed, unknown or revoked, and a wrong
    secret for a known prefix is counted (``_bank_key_failed``)."""
    prefix, dot, secret = api_key.strip().partition(".")
    if not dot or not prefix or not secret:
        raise Forbidden("invalid API key")
    with platform.sessions() as session:
        key = session.scalars(
            select(BankApiKey).where(BankApiKey.key_prefix == prefix, BankApiKey.revoked_at.is_(None))
        ).one_or_none()
    if key is None:
        raise Forbidden("invalid API key")
    if not hmac.compare_digest(key.key_hash, _secret_hash(secret)):
        _bank_key_failed(platform, key)
    return key


def authenticate_bank(platform: Platform, api_key: str) -> Actor:
    """The bank actor for an API key; Forbidden if the key is malformed, unknown, revoked or its bank is
    no longer in the catalog."""
    key = _valid_key(platform, api_key)
    if key.bank_code not in platform.catalog.banks:
        raise Forbidden("invalid API key")
    return Actor(ActorType.BANK, key.bank_code)


def authenticate_partner(platform: Platform, api_key: str) -> Actor:
    """The fintech partner actor for an API key; Forbidden for a bank's key or an invalid one."""
    key = _valid_key(platform, api_key)
    if not key.bank_code.startswith(PARTNER_KEY_PREFIX):
        raise Forbidden("invalid API key")
    return Actor(ActorType.PARTNER, key.bank_code.removeprefix(PARTNER_KEY_PREFIX))


def attested_applicant(platform: Platform, partner: Actor, name: str, rrn: str, phone: str) -> Actor:
    """The record of a person a partner verified itself (its own certified 본인인증, under contract), found
    or created as a verification here would; the name must match the record (``IDENTITY_MISMATCH``)."""
    if partner.type is not ActorType.PARTNER:
        raise Forbidden("only a fintech partner attests a person's identity")
    # the local provider's well-formedness checks only: the verification itself is the partner's
    result = LocalIdentityProvider(platform.today).verify(name, rrn, phone)
    if isinstance(result, IdentityFailure):
        raise InputError(result.field, result.message)
    with platform.sessions.begin() as session:
        applicant = _find_or_create_applicant(session, platform, result)
        if platform.vault.decrypt(applicant.name_encrypted) != result.name:
            raise InputError(
                "name",
                "the name, resident number and phone do not match a verified person",
                InputErrorCode.IDENTITY_MISMATCH,
            )
        return Actor(ActorType.APPLICANT, str(applicant.id))


def _bank_key_failed(platform: Platform, key: BankApiKey) -> NoReturn:
    """A known prefix with a wrong secret: counted and audited, and answered 429 once the prefix is locked.

    The secret has 256 bits, so the limit is not what stops guessing; it slows and records probing. It is
    checked on this failing path only: the right key is never locked out by someone else's wrong guesses,
    and a good request costs no extra read.
    """
    counter = f"bank-key:{key.key_prefix}"
    attempts.check_allowed(platform, counter, BANK_KEY_POLICY)
    failures = attempts.record_failure(platform, counter, BANK_KEY_POLICY)
    with platform.sessions.begin() as session:
        audit(
            session,
            Actor(ActorType.PUBLIC, "bank-api"),
            "bank_api_key.auth_failed",
            "bank_api_key",
            key.id,
            after={"prefix": key.key_prefix, "failures": failures},
            reason="a wrong secret for a known key prefix",
        )
    if failures >= BANK_KEY_POLICY.max_failures:  # this failure locked the prefix, for the full lockout
        raise TooManyAttempts(BANK_KEY_POLICY.message, int(BANK_KEY_POLICY.lockout.total_seconds()))
    raise Forbidden("invalid API key")
