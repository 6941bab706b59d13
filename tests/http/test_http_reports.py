"""The fraud report center API through the real HTTP layer on SQLite and PostgreSQL: a report with no
account, staff triage of the group, the public confirmed list, 422s naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from test_http_applicant import staff_token

from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_report_triage_and_publish(client: TestClient, platform: Platform) -> None:
    body = {
        "kind": "phone",
        "target": "070-9999-0000",
        "description": "진흥원 직원이라며 선입금 요구",
        "lost_money": True,
        "phone": "010-1111-2222",
    }
    first = client.post("/api/v1/fraud-reports", json=body)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["target_key"] == "07099990000" and receipt["callback_phone_masked"] == "010-****-2222"
    assert len(receipt["steps_ko"]) == len(receipt["steps_en"]) >= 3
    again = client.post("/api/v1/fraud-reports", json=body | {"target": "07099990000", "phone": None})
    assert again.json()["reports_of_target"] == 2

    counselor = _auth(staff_token(client, platform, "cou", "counselor"))
    auditor = _auth(staff_token(client, platform, "aud", "auditor"))
    assert client.get("/api/v1/staff/fraud-reports").status_code == 401
    groups = client.get("/api/v1/staff/fraud-reports", headers=auditor).json()
    assert [(g["target_key"], g["reports"], g["status"]) for g in groups] == [("07099990000", 2, "received")]
    step = {"target_key": "07099990000", "status": "confirmed", "reason": "사칭 확인"}
    assert client.post("/api/v1/staff/fraud-reports/triage", json=step, headers=auditor).status_code == 403
    assert client.post("/api/v1/staff/fraud-reports/triage", json=step, headers=counselor).status_code == 200
    assert client.post("/api/v1/staff/fraud-reports/triage", json=step, headers=counselor).status_code == 409
    missing = step | {"target_key": "nothing"}
    assert (
        client.post("/api/v1/staff/fraud-reports/triage", json=missing, headers=counselor).status_code == 404
    )

    assert client.get("/api/v1/fraud-reports/confirmed").json() == [
        {"kind": "phone", "target_key": "07099990000", "status": "confirmed"}
    ]
    year = datetime.now(UTC).year
    figures = client.get("/api/v1/staff/fraud-reports/monthly", params={"year": year}, headers=auditor)
    assert [(f["kind"], f["status"], f["reports"]) for f in figures.json()] == [("phone", "confirmed", 2)]


def test_bad_reports_are_a_422_naming_the_field(client: TestClient) -> None:
    for body, field in [
        ({"kind": "fax", "target": "02-123-4567"}, "kind"),
        ({"kind": "site", "target": "not a site"}, "target"),
        ({"kind": "phone", "target": "010-1234-5678", "phone": "12"}, "phone"),
    ]:
        answer = client.post("/api/v1/fraud-reports", json=body)
        assert answer.status_code == 422 and field in answer.text, answer.text
    assert client.post("/api/v1/fraud-reports", json={"kind": "site"}).status_code == 422
