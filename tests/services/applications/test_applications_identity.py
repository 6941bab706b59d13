"""Who acts: identity verification and applicant sessions, staff passwords, bank API keys.

Through the services on the real databases (SQLite and PostgreSQL).
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, text, update

from seomin.adapters.db.models import Applicant, ApplicantSession, AuditEvent, BankApiKey, StaffUser
from seomin.domain.identity import parse_resident_number
from seomin.services import identity
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.identity import (
    IdentityFailure,
    LocalIdentityProvider,
    VerifiedIdentity,
    applicant_for_token,
    authenticate_bank,
    authenticate_staff,
    create_staff_user,
    issue_bank_api_key,
    verify_and_open_session,
)
from seomin.services.platform import Actor, ActorType, Platform

RRN = "850301-1234567"


pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def provider(platform: Platform) -> LocalIdentityProvider:
    return LocalIdentityProvider(platform.today)


def count(platform: Platform, model: type[object]) -> int:
    with platform.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# --- applicants -------------------------------------------------------------------------------------


def test_verification_creates_the_applicant_once_and_opens_sessions(platform: Platform) -> None:
    first_id, first_token = verify_and_open_session(
        platform, provider(platform), "홍길동", RRN, "010-1234-5678"
    )
    again_id, again_token = verify_and_open_session(
        platform, provider(platform), "홍길동", "8503011234567", "01012345678"
    )
    assert again_id == first_id and again_token != first_token
    assert applicant_for_token(platform, first_token) == first_id
    assert applicant_for_token(platform, again_token) == first_id
    with platform.sessions() as session:
        applicant = session.get_one(Applicant, first_id)
        assert applicant.rrn_masked == "850301-1******"
        assert applicant.phone_masked == "010-****-5678"
        assert applicant.birth_date == date(1985, 3, 1)
        assert applicant.rrn_hash == platform.vault.lookup_hash(RRN)
        assert platform.vault.decrypt(applicant.rrn_encrypted) == RRN
        assert RRN not in applicant.rrn_encrypted
        stored = session.scalars(select(ApplicantSession.token_hash)).all()
        assert sorted(stored) == sorted(
            hashlib.sha256(t.encode()).hexdigest() for t in (first_token, again_token)
        )
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["applicant.created", "applicant.session_opened", "applicant.session_opened"]
    assert count(platform, Applicant) == 1


def test_a_new_phone_is_updated_and_audited_masked(platform: Platform) -> None:
    applicant_id, _ = verify_and_open_session(platform, provider(platform), "홍길동", RRN, "010-1234-5678")
    verify_and_open_session(platform, provider(platform), "홍길동", RRN, "010-9876-4321")
    with platform.sessions() as session:
        applicant = session.get_one(Applicant, applicant_id)
        assert applicant.phone_masked == "010-****-4321"
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "applicant.phone_changed")
        ).one()
    assert (event.before, event.after) == ({"phone": "010-****-5678"}, {"phone": "010-****-4321"})
    assert event.actor_type == "applicant" and event.actor_id == str(applicant_id)


@pytest.mark.parametrize(
    ("name", "rrn", "phone", "field"),
    [
        ("홍길동", "851301-1234567", "010-1234-5678", "rrn"),
        ("홍길동", "990101-1234567-0", "010-1234-5678", "rrn"),
        ("홍길동", RRN, "02-123-4567", "phone"),
        ("", RRN, "010-1234-5678", "name"),
    ],
)
def test_failed_verification_names_the_field_and_writes_nothing(
    platform: Platform, name: str, rrn: str, phone: str, field: str
) -> None:
    with pytest.raises(InputError) as info:
        verify_and_open_session(platform, provider(platform), name, rrn, phone)
    assert info.value.field == field
    assert "1234567" not in str(info.value)
    assert count(platform, Applicant) == count(platform, ApplicantSession) == count(platform, AuditEvent) == 0


def test_any_provider_plugs_in(platform: Platform) -> None:
    class Refusing:
        def verify(self, name: str, rrn: str, phone: str) -> VerifiedIdentity | IdentityFailure:
            return IdentityFailure("phone", "the phone is not in the applicant's name")

    class Vouching:
        def verify(self, name: str, rrn: str, phone: str) -> VerifiedIdentity | IdentityFailure:
            return VerifiedIdentity(
                "김철수", parse_resident_number("900101-2000000", date(2025, 1, 1)), "01055556666"
            )

    with pytest.raises(InputError, match="phone: the phone is not in the applicant's name"):
        verify_and_open_session(platform, Refusing(), "x", "y", "z")
    applicant_id, token = verify_and_open_session(platform, Vouching(), "x", "y", "z")
    assert applicant_for_token(platform, token) == applicant_id


def test_unknown_and_expired_tokens(platform: Platform) -> None:
    _, token = verify_and_open_session(platform, provider(platform), "홍길동", RRN, "010-1234-5678")
    with pytest.raises(NotFound):
        applicant_for_token(platform, token + "x")
    with platform.sessions.begin() as session:
        session.execute(update(ApplicantSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    with pytest.raises(Forbidden, match="expired"):
        applicant_for_token(platform, token)


def test_a_session_lasts_thirty_minutes(platform: Platform) -> None:
    verify_and_open_session(platform, provider(platform), "홍길동", RRN, "010-1234-5678")
    with platform.sessions() as session:
        expires_at = session.scalars(select(ApplicantSession.expires_at)).one()
    left = expires_at.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)


def test_the_same_person_verifying_twice_at_once_is_one_applicant(platform: Platform) -> None:
    barrier = threading.Barrier(2)
    ids: list[int] = []

    def verify() -> None:
        barrier.wait()
        ids.append(verify_and_open_session(platform, provider(platform), "홍길동", RRN, "010-1234-5678")[0])

    threads = [threading.Thread(target=verify) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 2 and ids[0] == ids[1]
    assert count(platform, Applicant) == 1 and count(platform, ApplicantSession) == 2


# --- staff ------------------------------------------------------------------------------------------


def test_staff_passwords_are_argon2_and_bad_ones_are_refused(platform: Platform) -> None:
    staff_id = create_staff_user(platform, "kim.reviewer", "김심사", "correct horse battery", "reviewer")
    with platform.sessions() as session:
        stored = session.get_one(StaffUser, staff_id).password_hash
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    actor = authenticate_staff(platform, "kim.reviewer", "correct horse battery")
    assert actor == Actor(ActorType.STAFF, str(staff_id), role="reviewer")
    for username, password in (("kim.reviewer", "wrong horse battery"), ("nobody", "correct horse battery")):
        with pytest.raises(Forbidden) as info:
            authenticate_staff(platform, username, password)
        assert str(info.value) == "invalid username or password"
    with platform.sessions.begin() as session:
        session.execute(update(StaffUser).values(active=False))
    with pytest.raises(Forbidden, match="invalid username or password"):
        authenticate_staff(platform, "kim.reviewer", "correct horse battery")


def test_production_hashing_parameters_and_rehash_on_login(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_id = create_staff_user(platform, "lee", "이상담", "a long enough secret", "counselor")  # cheap hash
    monkeypatch.setattr(identity, "PASSWORD_HASHER", PasswordHasher())
    authenticate_staff(platform, "lee", "a long enough secret")
    with platform.sessions() as session:
        stored = session.get_one(StaffUser, staff_id).password_hash
        rehashed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.password_rehashed")
        ).one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert rehashed.entity_id == str(staff_id)


def test_staff_accounts_are_validated(platform: Platform) -> None:
    create_staff_user(platform, "park", "박감사", "a long enough secret", "auditor")
    with pytest.raises(Conflict) as taken:
        create_staff_user(platform, "park", "박감사2", "a long enough secret", "auditor")
    assert taken.value.code == "STAFF_USERNAME_TAKEN"
    for args, field in (
        (("Park!", "x", "a long enough secret", "auditor"), "username"),
        (("choi", " ", "a long enough secret", "auditor"), "display_name"),
        (("choi", "최", "short", "auditor"), "password"),
        (("choi", "최", "a long enough secret", "admin"), "role"),
    ):
        with pytest.raises(InputError) as info:
            create_staff_user(platform, *args)
        assert info.value.field == field
    counselor = Actor(ActorType.STAFF, "1", role="counselor")
    with pytest.raises(Forbidden):
        create_staff_user(platform, "choi", "최", "a long enough secret", "reviewer", by=counselor)
    supervisor = Actor(ActorType.STAFF, "1", role="supervisor")
    create_staff_user(platform, "choi", "최", "a long enough secret", "reviewer", by=supervisor)
    assert count(platform, StaffUser) == 2


# --- banks ------------------------------------------------------------------------------------------


def test_bank_api_keys(platform: Platform) -> None:
    key = issue_bank_api_key(platform, "kwangju")
    prefix, secret = key.split(".")
    assert authenticate_bank(platform, key) == Actor(ActorType.BANK, "kwangju")
    with platform.sessions() as session:
        row = session.scalars(select(BankApiKey)).one()
        raw = " ".join(str(v) for v in session.execute(text("SELECT * FROM bank_api_keys")).one())
    assert row.key_prefix == prefix and row.bank_code == "kwangju"
    assert secret not in raw and row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    for bad in (f"{prefix}.{secret}x", f"000000000000.{secret}", secret, "", f"{prefix}."):
        with pytest.raises(Forbidden):
            authenticate_bank(platform, bad)
    with platform.sessions.begin() as session:
        session.execute(update(BankApiKey).values(revoked_at=datetime.now(UTC)))
    with pytest.raises(Forbidden):
        authenticate_bank(platform, key)


def test_bank_keys_only_for_catalog_banks(platform: Platform) -> None:
    with pytest.raises(InputError) as info:
        issue_bank_api_key(platform, "no-such-bank")
    assert info.value.field == "bank_code" and "kwangju" in info.value.message
    with pytest.raises(Forbidden):
        issue_bank_api_key(platform, "kwangju", by=Actor(ActorType.BANK, "kwangju"))
    assert count(platform, BankApiKey) == 0
