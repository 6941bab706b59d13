"""신용·부채관리 컨설팅 through the HTTP layer: counselor enrolls and records, the person reads their own."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_http_applicant import NAME, PHONE, RRN, staff_token

from identity_steps import api_session
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
BASE = "/api/v1/staff/consulting-programmes"


def test_a_counselor_runs_a_programme_and_the_person_sees_it(client: TestClient, platform: Platform) -> None:
    session = api_session(client, NAME, RRN, PHONE)
    person = {"Authorization": f"Bearer {session['token']}"}
    applicant_id = session["applicant"]["id"]
    counselor = {"Authorization": f"Bearer {staff_token(client, platform, 'cou', 'counselor')}"}
    auditor = {"Authorization": f"Bearer {staff_token(client, platform, 'aud', 'auditor')}"}
    body = {"applicant_id": applicant_id, "plan": "카드론 우선 상환", "sessions_planned": 1}

    assert client.post(BASE, json=body).status_code == 401
    assert client.post(BASE, json=body, headers=auditor).status_code == 403
    created = client.post(BASE, json=body, headers=counselor)
    assert created.status_code == 201, created.text
    programme_id = created.json()["id"]
    assert created.headers["Location"] == f"{BASE}/{programme_id}"
    again = client.post(BASE, json=body, headers=counselor)
    assert again.status_code == 409

    bad = client.post(
        f"{BASE}/{programme_id}/sessions", json={"held_on": "2099-01-01", "notes": "x"}, headers=counselor
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "held_on"
    done = client.post(
        f"{BASE}/{programme_id}/sessions",
        json={"held_on": "2025-05-15", "notes": "상환 계획 점검"},
        headers=counselor,
    )
    assert done.status_code == 200 and done.json() == {
        "programme_id": programme_id,
        "no": 1,
        "status": "completed",
    }

    read = client.get(f"{BASE}/{programme_id}", headers=auditor)
    assert read.status_code == 200 and read.json()["completed_on"] == "2025-05-15"
    assert read.json()["sessions"][0]["held_on"] == "2025-05-15"
    mine = client.get("/api/v1/applicant/consulting-programmes", headers=person)
    assert mine.status_code == 200 and [p["id"] for p in mine.json()] == [programme_id]
    assert mine.json()[0]["plan"] == "카드론 우선 상환"
    assert client.get(f"{BASE}/999999", headers=auditor).status_code == 404
    assert client.post(BASE, json={**body, "sessions_planned": 7}, headers=counselor).status_code == 422
