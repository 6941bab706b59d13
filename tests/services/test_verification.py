"""본인확인 in two steps on both databases: consent, a code to the phone, the code; the record opens only
for the name it holds, wrong codes and floods are limited, and every refusal leaves an audit trace."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from seomin.adapters.db.models import Applicant, AuditEvent, IdentityChallenge, NotificationMessage
from seomin.services.errors import InputError, InputErrorCode, TooManyAttempts
from seomin.services.identity import LocalIdentityProvider, applicant_for_token
from seomin.services.notifications import LocalOutbox, dispatch, messages_to
from seomin.services.platform import Platform
from seomin.services.verification import (
    CONSENT_VERSION,
    MAX_CODE_ATTEMPTS,
    confirm_verification,
    latest_code_message,
    start_verification,
)

NAME, RRN, PHONE = "홍길동", "850301-1234567", "010-2468-1357"


def start(platform: Platform, name: str = NAME, rrn: str = RRN, phone: str = PHONE) -> str:
    started = start_verification(
        platform, LocalIdentityProvider(platform.today), name, rrn, phone, consent_version=CONSENT_VERSION
    )
    return started.challenge


def code_of(platform: Platform, challenge: str) -> str:
    message = latest_code_message(platform, challenge)
    assert message is not None
    found = re.search(r"\b(\d{6})\b", message)
    assert found is not None
    return found.group(1)


def actions(platform: Platform, prefix: str) -> list[str]:
    with platform.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.id)
            )
        )


def test_the_code_sent_to_the_phone_opens_a_session(platform: Platform) -> None:
    challenge = start(platform)
    verified = confirm_verification(platform, challenge, code_of(platform, challenge))
    assert applicant_for_token(platform, verified.token) == verified.applicant_id
    assert (verified.name_masked, verified.rrn_masked, verified.phone_masked) == (
        "홍*동",
        "850301-1******",
        "010-****-1357",
    )
    sent = messages_to(platform, "01024681357")
    assert (
        len(sent) == 1 and sent[0].template_id == "identity_code" and sent[0].phone_masked == "010-****-1357"
    )
    assert dispatch(platform, LocalOutbox()) == 1 and dispatch(platform, LocalOutbox()) == 0  # once
    code = code_of(platform, challenge)
    with platform.sessions() as session:
        challenge_row = session.scalars(select(IdentityChallenge)).one()
        assert challenge_row.status == "verified" and challenge_row.consent_version == CONSENT_VERSION
        stored = session.scalars(select(NotificationMessage.text_encrypted)).one()
        assert code not in stored  # the text is encrypted at rest
    with pytest.raises(InputError):  # a challenge opens one session
        confirm_verification(platform, challenge, code)


def test_consent_comes_first(platform: Platform) -> None:
    with pytest.raises(InputError) as refused:
        start_verification(
            platform, LocalIdentityProvider(platform.today), NAME, RRN, PHONE, consent_version="old"
        )
    assert refused.value.field == "consent"
    with platform.sessions() as session:
        assert session.scalar(select(func.count()).select_from(NotificationMessage)) == 0


def test_another_name_for_a_known_number_is_refused_and_the_record_is_untouched(platform: Platform) -> None:
    challenge = start(platform)
    confirm_verification(platform, challenge, code_of(platform, challenge))
    with pytest.raises(InputError) as refused:
        start(platform, name="김침입", phone="010-9999-0000")
    assert refused.value.code == InputErrorCode.IDENTITY_MISMATCH and refused.value.field == "name"
    assert "김침입" not in str(refused.value) and "1357" not in str(refused.value)
    with platform.sessions() as session:
        person = session.scalars(select(Applicant)).one()
        assert platform.vault.decrypt(person.name_encrypted) == NAME
        assert person.phone_masked == "010-****-1357"
        assert session.scalar(select(func.count()).select_from(NotificationMessage)) == 1  # no code sent
    assert actions(platform, "identity.") == ["identity.code_sent", "identity.mismatch"]


def test_a_new_phone_replaces_the_old_one_only_after_its_code(platform: Platform) -> None:
    first = start(platform)
    confirm_verification(platform, first, code_of(platform, first))
    second = start(platform, phone="010-1111-2222")
    with platform.sessions() as session:
        assert session.scalars(select(Applicant.phone_masked)).one() == "010-****-1357"  # not yet
    confirm_verification(platform, second, code_of(platform, second))
    with platform.sessions() as session:
        assert session.scalars(select(Applicant.phone_masked)).one() == "010-****-2222"
    assert "applicant.phone_changed" in actions(platform, "applicant.")


def test_wrong_codes_lock_the_request_and_each_is_audited(platform: Platform) -> None:
    challenge = start(platform)
    right = code_of(platform, challenge)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for tries_left in range(MAX_CODE_ATTEMPTS - 1, 0, -1):
        with pytest.raises(InputError, match=f"{tries_left} tries left") as refused:
            confirm_verification(platform, challenge, wrong)
        assert refused.value.code == InputErrorCode.CODE_MISMATCH
    with pytest.raises(TooManyAttempts):
        confirm_verification(platform, challenge, wrong)
    with pytest.raises(TooManyAttempts):  # locked: even the right code no longer opens it
        confirm_verification(platform, challenge, right)
    assert actions(platform, "identity.code_failed") == ["identity.code_failed"] * MAX_CODE_ATTEMPTS


def test_an_expired_code_is_refused(platform: Platform) -> None:
    challenge = start(platform)
    with platform.sessions.begin() as session:
        session.execute(update(IdentityChallenge).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    with pytest.raises(InputError) as refused:
        confirm_verification(platform, challenge, code_of(platform, challenge))
    assert refused.value.code == InputErrorCode.CODE_EXPIRED


def test_one_phone_cannot_be_flooded_with_codes(platform: Platform) -> None:
    for _ in range(5):
        start(platform)
    with pytest.raises(TooManyAttempts) as limited:
        start(platform)
    assert limited.value.retry_after_seconds > 60
