"""휴면예금 찾아줌 over HTTP on both databases: look-up, claim (retry-safe, 404/409/422), walk-in."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_http_applicant import NAME, RRN, applicant_token, bearer, staff_token

from seomin.services.dormant_deposits import FILE_COLUMNS, import_file
from seomin.services.platform import SYSTEM, Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
OTHER_RRN = "900101-2345678"


def seed(platform: Platform) -> None:
    rows = [
        f"A-1,{RRN},보통예금,1000000,100,2024-05-15",
        f"A-2,{RRN},정기예금,6000000,0,2024-05-15",
        f"B-1,{OTHER_RRN},보통예금,1000,0,2024-05-15",
    ]
    import_file(platform, SYSTEM, "kb", "bank", "\n".join((",".join(FILE_COLUMNS), *rows)), 7_001_000)


def test_a_person_looks_up_and_claims_once_and_a_supervisor_releases_a_large_one(
    client: TestClient, platform: Platform
) -> None:
    seed(platform)
    me = bearer(applicant_token(client))
    assert client.get("/api/v1/applicant/dormant-deposits").status_code == 401
    held = client.get("/api/v1/applicant/dormant-deposits", headers=me).json()
    assert [(d["product"], d["amount"], d["interest"]) for d in held] == [
        ("보통예금", 1_000_000, 10_000),
        ("정기예금", 6_000_000, 0),
    ]
    small, large = held[0]["id"], held[1]["id"]
    body = {"account": "110-123-456789", "account_holder_name": NAME}
    bad = client.post(f"/api/v1/applicant/dormant-deposits/{small}/claim", headers=me, json={"account": "x"})
    assert bad.status_code == 422 and "account" in bad.text
    first = client.post(f"/api/v1/applicant/dormant-deposits/{small}/claim", headers=me, json=body)
    again = client.post(f"/api/v1/applicant/dormant-deposits/{small}/claim", headers=me, json=body)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json() and first.json()["status"] == "paid"
    assert "456789" not in first.text  # the account shows masked
    donate = client.post(
        f"/api/v1/applicant/dormant-deposits/{small}/claim", headers=me, json={"donate": True}
    )
    assert donate.status_code == 409
    waiting = client.post(f"/api/v1/applicant/dormant-deposits/{large}/claim", headers=me, json=body).json()
    assert waiting["status"] == "awaiting_approval"
    counselor = bearer(staff_token(client, platform, "counselor1", "counselor"))
    supervisor = bearer(staff_token(client, platform, "super1", "supervisor"))
    path = f"/api/v1/staff/dormant-claims/{waiting['id']}/approval"
    assert client.post(path, headers=counselor).status_code == 403
    released = client.post(path, headers=supervisor)
    assert released.status_code == 200 and released.json()["status"] == "paid"
    figures = client.get("/api/v1/staff/dormant-deposits/figures", headers=supervisor)
    assert [(f["sector"], f["paid"], f["outstanding"]) for f in figures.json()] == [
        ("bank", 7_000_000, 1_000)
    ]
    assert client.get("/api/v1/staff/dormant-deposits/figures", headers=counselor).status_code == 403


def test_another_persons_deposit_is_not_found_and_walk_in_look_ups_need_a_reason(
    client: TestClient, platform: Platform
) -> None:
    seed(platform)
    me = bearer(applicant_token(client))
    held = client.get("/api/v1/applicant/dormant-deposits", headers=me).json()
    theirs = max(d["id"] for d in held) + 1
    answer = client.post(
        f"/api/v1/applicant/dormant-deposits/{theirs}/claim", headers=me, json={"donate": True}
    )
    assert answer.status_code == 404
    counselor = bearer(staff_token(client, platform, "counselor2", "counselor"))
    found = client.post(
        "/api/v1/staff/dormant-deposits/look-up", headers=counselor, json={"rrn": OTHER_RRN, "reason": "방문"}
    )
    assert found.status_code == 200 and [d["amount"] for d in found.json()] == [1000]
    blank = client.post(
        "/api/v1/staff/dormant-deposits/look-up", headers=counselor, json={"rrn": OTHER_RRN, "reason": " "}
    )
    assert blank.status_code == 422
    auditor = bearer(staff_token(client, platform, "auditor2", "auditor"))
    denied = client.post(
        "/api/v1/staff/dormant-deposits/look-up", headers=auditor, json={"rrn": OTHER_RRN, "reason": "x"}
    )
    assert denied.status_code == 403
