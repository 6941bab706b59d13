"""The supervisor's administration page through the real app (SQLite and PostgreSQL): accounts with a
temporary password shown once and replaced at first sign-in, roles, deactivation, resets, and bank keys
issued, rotated and revoked; other roles are refused and every change is audited."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_pages_staff import PASSWORD, Login, app, staff_client  # noqa: F401 (fixtures)

from seomin.adapters.db.models import AuditEvent, StaffUser
from seomin.services.identity import authenticate_bank
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def shown_secret(html: str) -> str:
    found = re.search(r'<code class="secret">([^<]+)</code>', html)
    assert found, html
    return found.group(1)


def test_only_supervisors_administer(staff_client: Login) -> None:  # noqa: F811
    reviewer = staff_client("reviewer-ahn")
    assert reviewer.get("/staff/admin").status_code == 403
    assert reviewer.post("/staff/admin/keys", data={"bank_code": "kwangju"}).status_code == 403
    supervisor = staff_client("supervisor-oh")
    page = supervisor.get("/staff/admin")
    assert page.status_code == 200 and "reviewer-ahn" in page.text and 'href="/staff/admin"' in page.text


def test_a_new_account_gets_a_temporary_password_it_must_replace(
    app: FastAPI,  # noqa: F811
    staff_client: Login,  # noqa: F811
    platform: Platform,
) -> None:
    supervisor = staff_client("supervisor-oh")
    bad = supervisor.post("/staff/admin/staff", data={"username": "X!", "display_name": "", "role": "boss"})
    assert bad.status_code == 422 and 'id="display_name-error"' in bad.text and 'id="role-error"' in bad.text
    made = supervisor.post(
        "/staff/admin/staff", data={"username": "counselor-yu", "display_name": "유상담", "role": "counselor"}
    )
    assert made.status_code == 200 and "counselor-yu 계정을 만들었습니다." in made.text
    temporary = shown_secret(made.text)
    assert temporary not in supervisor.get("/staff/admin").text  # shown once
    taken = supervisor.post(
        "/staff/admin/staff", data={"username": "counselor-yu", "display_name": "또", "role": "counselor"}
    )
    assert taken.status_code == 409 and "이미 있는 아이디입니다." in taken.text

    with TestClient(app) as newcomer:
        first = newcomer.post("/staff/login", data={"username": "counselor-yu", "password": temporary})
        assert first.status_code == 409 and 'id="password-change-required"' in first.text
        assert 'name="new_password"' in first.text
        mismatch = newcomer.post(
            "/staff/login",
            data={
                "username": "counselor-yu",
                "password": temporary,
                "new_password": "my own secret 1",
                "new_password_confirm": "my own secret 2",
            },
        )
        assert mismatch.status_code == 422 and "새 비밀번호가 서로 다릅니다." in mismatch.text
        done = newcomer.post(
            "/staff/login",
            data={
                "username": "counselor-yu",
                "password": temporary,
                "new_password": "my own secret 1",
                "new_password_confirm": "my own secret 1",
            },
            follow_redirects=False,
        )
        assert done.status_code == 303 and newcomer.get("/staff").status_code == 200


def test_roles_deactivation_and_resets_end_sessions_and_are_audited(
    staff_client: Login,  # noqa: F811
    platform: Platform,
) -> None:
    reviewer = staff_client("reviewer-ahn")
    supervisor = staff_client("supervisor-oh")
    assert reviewer.get("/staff").status_code == 200
    promoted = supervisor.post("/staff/admin/staff/reviewer-ahn/role", data={"role": "auditor"})
    assert promoted.status_code == 200 and "reviewer-ahn is now" not in promoted.text  # Korean first
    assert reviewer.get("/staff", follow_redirects=False).status_code in (303, 403)
    off = supervisor.post("/staff/admin/staff/reviewer-ahn/active", data={"active": "false"})
    assert off.status_code == 200 and "계정을 정지했습니다" in off.text
    reset = supervisor.post("/staff/admin/staff/reviewer-ahn/password")
    assert reset.status_code == 200 and len(shown_secret(reset.text)) == 16
    myself = supervisor.post("/staff/admin/staff/supervisor-oh/active", data={"active": "false"})
    assert myself.status_code == 409 and "다른 관리자가" in myself.text
    assert supervisor.post("/staff/admin/staff/nobody/password").status_code == 404
    with platform.sessions() as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == "reviewer-ahn")).one()
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_id == str(user.id), AuditEvent.actor_type == "staff"
            )
        ).all()
    assert (user.role, user.active, user.password_change_required) == ("auditor", False, True)
    assert {"staff.role_changed", "staff.deactivated", "staff.password_reset"} <= set(actions)


def test_bank_keys_are_issued_rotated_and_revoked_once_shown(
    staff_client: Login,  # noqa: F811
    platform: Platform,
) -> None:
    supervisor = staff_client("supervisor-oh")
    issued = supervisor.post("/staff/admin/keys", data={"bank_code": "kwangju"})
    key = shown_secret(issued.text)
    prefix = key.split(".")[0]
    assert authenticate_bank(platform, key).id == "kwangju"
    assert key not in supervisor.get("/staff/admin").text and prefix in supervisor.get("/staff/admin").text
    assert supervisor.post("/staff/admin/keys", data={"bank_code": "nowhere"}).status_code == 422
    rotated = supervisor.post(f"/staff/admin/keys/{prefix}/rotate")
    new_key = shown_secret(rotated.text)
    assert new_key != key and authenticate_bank(platform, new_key).id == "kwangju"
    with pytest.raises(PermissionError):
        authenticate_bank(platform, key)
    revoked = supervisor.post(f"/staff/admin/keys/{new_key.split('.')[0]}/revoke")
    assert revoked.status_code == 200 and "폐기했습니다" in revoked.text
    with pytest.raises(PermissionError):
        authenticate_bank(platform, new_key)
