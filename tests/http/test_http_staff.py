"""The staff API through the real HTTP layer on SQLite and PostgreSQL: sign-in and its signed token, roles
per route (403), the queue's filters, subrogation payment and plans, and the audit trail."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import select, update
from test_http_applicant import (
    PASSWORD,
    TestClient,
    applicant_token,
    apply,
    bearer,
    staff_token,
)

from seomin.adapters.db.models import AuditEvent, StaffUser
from seomin.adapters.http.auth import issue_staff_token, staff_actor_for_token
from seomin.services.identity import create_staff_user, end_staff_sessions, reset_staff_password
from seomin.services.platform import Actor, ActorType, Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_login_gives_a_token_and_refuses_wrong_passwords_with_401(
    client: TestClient, platform: Platform
) -> None:
    staff_token(client, platform, "rev", "reviewer")
    wrong = client.post("/api/v1/staff/login", json={"username": "rev", "password": "not the password"})
    assert wrong.status_code == 401 and wrong.json()["detail"][0]["field"] == "authorization"
    unknown = client.post("/api/v1/staff/login", json={"username": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401
    assert client.post("/api/v1/staff/login", json={"username": "rev"}).status_code == 422


def test_staff_tokens_are_signed_and_expire(platform: Platform) -> None:
    user_id = create_staff_user(platform, "aud", "감사인", PASSWORD, "auditor")
    actor = Actor(ActorType.STAFF, str(user_id), role="auditor")
    issued = issue_staff_token(platform, actor, now=time.time())
    assert staff_actor_for_token(platform, issued.token) == actor
    body, _, signature = issued.token.partition(".")
    forged = issue_staff_token(platform, Actor(ActorType.STAFF, str(user_id), role="supervisor")).token.split(
        "."
    )[0]
    for bad in (f"{forged}.{signature}", f"{body}.AAAA", "garbage", f"{body}.", ".x"):
        answer = None
        try:
            staff_actor_for_token(platform, bad)
        except Exception as exc:
            answer = exc
        assert type(answer).__name__ == "Unauthorized", bad
    old = issue_staff_token(platform, actor, now=time.time() - 9 * 3600)
    try:
        staff_actor_for_token(platform, old.token)
    except Exception as exc:
        assert "expired" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an expired token was accepted")


def test_roles_are_enforced_per_route(client: TestClient, platform: Platform) -> None:
    application_id = apply(client, applicant_token(client)).json()["id"]
    counselor = staff_token(client, platform, "coun", "counselor")
    auditor = staff_token(client, platform, "aud", "auditor")
    decision = f"/api/v1/staff/applications/{application_id}/decision"
    refused = client.post(decision, json={"approve": True}, headers=bearer(counselor))
    assert refused.status_code == 403 and refused.json()["detail"][0]["type"] == "forbidden"
    assert client.post(decision, json={"approve": True}, headers=bearer(auditor)).status_code == 403
    assert client.post(decision, json={"approve": True}).status_code == 401
    detail = client.get(f"/api/v1/staff/applications/{application_id}", headers=bearer(counselor)).json()
    assert detail["personal_data"] == "masked" and "annual_income" not in detail["profile"]
    trail = client.get(
        f"/api/v1/staff/audit-events?entity_type=application&entity_id={application_id}",
        headers=bearer(auditor),
    )
    assert trail.status_code == 200 and [e["action"] for e in trail.json()] == ["application.submitted"]
    assert (
        client.get(
            f"/api/v1/staff/audit-events?entity_type=application&entity_id={application_id}",
            headers=bearer(counselor),
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/staff/subrogation-claims/1/payment", json={}, headers=bearer(counselor)
        ).status_code
        == 403
    )
    assert client.get("/api/v1/staff/applications/999999", headers=bearer(auditor)).status_code == 404


def test_a_deactivated_reviewer_cannot_decide_with_an_old_token(
    client: TestClient, platform: Platform
) -> None:
    application_id = apply(client, applicant_token(client)).json()["id"]
    reviewer = staff_token(client, platform, "rev", "reviewer")
    with platform.sessions.begin() as session:
        session.execute(update(StaffUser).values(active=False))
    answer = client.post(
        f"/api/v1/staff/applications/{application_id}/decision",
        json={"approve": True},
        headers=bearer(reviewer),
    )
    assert answer.status_code == 401  # the token ends with the account, on the very next request


def test_a_changed_role_or_a_sign_out_ends_a_staff_token_at_once(
    client: TestClient, platform: Platform
) -> None:
    supervisor = staff_token(client, platform, "sup", "supervisor")
    assert client.get("/api/v1/staff/applications", headers=bearer(supervisor)).status_code == 200
    with platform.sessions.begin() as session:
        session.execute(update(StaffUser).where(StaffUser.username == "sup").values(role="counselor"))
    assert client.get("/api/v1/staff/applications", headers=bearer(supervisor)).status_code == 401
    login = {"username": "sup", "password": PASSWORD}
    counselor = client.post("/api/v1/staff/login", json=login).json()["token"]
    assert client.get("/api/v1/staff/applications", headers=bearer(counselor)).status_code == 200
    with platform.sessions() as session:
        user_id = session.scalars(select(StaffUser.id).where(StaffUser.username == "sup")).one()
    end_staff_sessions(platform, Actor(ActorType.STAFF, str(user_id), role="counselor"))
    assert client.get("/api/v1/staff/applications", headers=bearer(counselor)).status_code == 401
    again = client.post("/api/v1/staff/login", json=login).json()["token"]
    assert client.get("/api/v1/staff/applications", headers=bearer(again)).status_code == 200


def test_queue_filters_and_decisions(client: TestClient, platform: Platform) -> None:
    first = apply(client, applicant_token(client)).json()["id"]
    second = apply(client, applicant_token(client, "900101-2234567", "김영희"), 2_000_000).json()["id"]
    reviewer = staff_token(client, platform, "rev", "reviewer")
    rejected = client.post(
        f"/api/v1/staff/applications/{second}/decision",
        json={"approve": False, "reason_codes": ["STAFF_INCOME_UNVERIFIED"]},
        headers=bearer(reviewer),
    )
    assert rejected.json() == {"id": second, "status": "rejected"}
    no_reason = client.post(
        f"/api/v1/staff/applications/{first}/decision", json={"approve": False}, headers=bearer(reviewer)
    )
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["field"] == "reason_codes"
    queue = "/api/v1/staff/applications"
    assert [a["id"] for a in client.get(f"{queue}?status=submitted", headers=bearer(reviewer)).json()] == [
        first
    ]
    assert [a["id"] for a in client.get(f"{queue}?after_id={first}", headers=bearer(reviewer)).json()] == [
        second
    ]
    assert [a["id"] for a in client.get(f"{queue}?limit=1", headers=bearer(reviewer)).json()] == [first]
    on = date(2025, 5, 15).isoformat()
    assert (
        len(
            client.get(
                f"{queue}?submitted_from={on}&product_id=lowest-credit-special", headers=bearer(reviewer)
            ).json()
        )
        == 2
    )
    bad = client.get(f"{queue}?status=nope", headers=bearer(reviewer))
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "filters.status"
    assert client.get(f"{queue}?limit=0", headers=bearer(reviewer)).status_code == 422
    again = client.post(
        f"/api/v1/staff/applications/{second}/decision", json={"approve": True}, headers=bearer(reviewer)
    )
    assert again.status_code == 409 and again.json()["code"] == "APPLICATION_REJECTED"


def test_staff_sign_in_locks_after_five_wrong_passwords_and_each_is_audited(
    client: TestClient, platform: Platform
) -> None:
    staff_token(client, platform, "lock", "reviewer")
    for _ in range(5):
        wrong = client.post("/api/v1/staff/login", json={"username": "lock", "password": "not the password"})
        assert wrong.status_code == 401
    locked = client.post("/api/v1/staff/login", json={"username": "lock", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 60
    with platform.sessions() as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.action == "staff.sign_in_failed")).all()
    assert len(failed) == 5 and all(e.after and e.after["username"] == "lock" for e in failed)
    assert all("not the password" not in str(e.after) for e in failed)  # never the password itself


def test_a_reset_password_must_be_replaced_at_the_next_sign_in(
    client: TestClient, platform: Platform
) -> None:
    old_token = staff_token(client, platform, "reset", "counselor")
    reset_staff_password(platform, "reset", "temporary password 1")
    assert client.get("/api/v1/staff/applications", headers=bearer(old_token)).status_code == 401

    temporary = {"username": "reset", "password": "temporary password 1"}
    refused = client.post("/api/v1/staff/login", json=temporary)
    assert refused.status_code == 409 and refused.json()["code"] == "PASSWORD_CHANGE_REQUIRED"
    same = client.post("/api/v1/staff/login", json={**temporary, "new_password": "temporary password 1"})
    assert same.status_code == 422 and same.json()["detail"][0]["field"] == "new_password"
    short = client.post("/api/v1/staff/login", json={**temporary, "new_password": "short"})
    assert short.status_code == 422 and short.json()["detail"][0]["field"] == "new_password"

    changed = client.post("/api/v1/staff/login", json={**temporary, "new_password": "my own choice 2026"})
    assert changed.status_code == 200, changed.text
    token = changed.json()["token"]
    assert client.get("/api/v1/staff/applications", headers=bearer(token)).status_code == 200
    assert client.post("/api/v1/staff/login", json=temporary).status_code == 401
    again = client.post("/api/v1/staff/login", json={"username": "reset", "password": "my own choice 2026"})
    assert again.status_code == 200
    with platform.sessions() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "staff_user").order_by(AuditEvent.id)
        ).all()
        user = session.scalars(select(StaffUser).where(StaffUser.username == "reset")).one()
    assert [a for a in actions if a.startswith("staff.password")] == [
        "staff.password_reset",
        "staff.password_changed",
    ]
    assert user.password_change_required is False


def test_staff_change_their_own_password_and_other_sessions_end(
    client: TestClient, platform: Platform
) -> None:
    token = staff_token(client, platform, "owner", "reviewer")
    body = {"current_password": "not it at all", "new_password": "brand new secret"}
    assert client.post("/api/v1/staff/password", json=body, headers=bearer(token)).status_code == 401
    body["current_password"] = PASSWORD
    answer = client.post("/api/v1/staff/password", json=body, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert client.get("/api/v1/staff/applications", headers=bearer(token)).status_code == 401
    fresh = answer.json()["token"]
    assert client.get("/api/v1/staff/applications", headers=bearer(fresh)).status_code == 200
    old = client.post("/api/v1/staff/login", json={"username": "owner", "password": PASSWORD})
    assert old.status_code == 401
