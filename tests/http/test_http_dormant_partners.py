"""The fintech partner API on both databases: per-partner keys (a bank's key is refused and the reverse),
look-up and claim for a person the partner verified, retry-safe, audited with the partner's name, and
rate-limited per partner (429 with Retry-After)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_http_applicant import NAME, PHONE, RRN, bank_key
from test_http_dormant import seed

from seomin.adapters.db.models import AuditEvent
from seomin.services.dormant_deposits import PARTNER_RATE
from seomin.services.identity import issue_partner_api_key, revoke_bank_api_key
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
PERSON = {"name": NAME, "rrn": RRN, "phone": PHONE}
LOOK_UP = "/api/v1/partner/dormant-deposits/look-up"


def test_a_partner_looks_up_and_claims_for_a_verified_person(client: TestClient, platform: Platform) -> None:
    seed(platform)
    toss = {"X-Api-Key": issue_partner_api_key(platform, "toss")}
    assert client.post(LOOK_UP, json=PERSON).status_code == 401
    assert client.post(LOOK_UP, json=PERSON, headers=bank_key(platform)).status_code == 401  # a bank's key
    assert client.get("/api/v1/bank/loans/1", headers=toss).status_code == 401  # and the reverse
    found = client.post(LOOK_UP, json=PERSON, headers=toss)
    assert found.status_code == 200, found.text
    assert [(d["product"], d["interest"]) for d in found.json()] == [("보통예금", 10_000), ("정기예금", 0)]
    mismatch = client.post(LOOK_UP, json={**PERSON, "name": "김철수"}, headers=toss)
    assert mismatch.status_code == 422 and "name" in mismatch.text
    deposit = found.json()[0]["id"]
    body = {**PERSON, "account": "110-123-456789", "account_holder_name": NAME}
    path = f"/api/v1/partner/dormant-deposits/{deposit}/claim"
    first = client.post(path, json=body, headers=toss)
    again = client.post(path, json=body, headers=toss)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert first.json()["status"] == "paid" and "456789" not in first.text
    someone_else = client.post(
        path,
        json={**body, "name": "이영희", "rrn": "900101-2345678", "account_holder_name": "이영희"},
        headers=toss,
    )
    assert someone_else.status_code == 404
    with platform.sessions() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_type == "partner", AuditEvent.actor_id == "toss")
        ).all()
    assert (
        actions.count("dormant.partner_looked_up") == 1 and actions.count("dormant.partner_claim_filed") == 2
    )
    prefix = toss["X-Api-Key"].split(".")[0]
    revoke_bank_api_key(platform, prefix)
    assert client.post(LOOK_UP, json=PERSON, headers=toss).status_code == 401


def test_each_partner_is_rate_limited_on_its_own(client: TestClient, platform: Platform) -> None:
    busy = {"X-Api-Key": issue_partner_api_key(platform, "busy-app")}
    calm = {"X-Api-Key": issue_partner_api_key(platform, "calm-app")}
    codes = [
        client.post(LOOK_UP, json=PERSON, headers=busy).status_code for _ in range(PARTNER_RATE.max_failures)
    ]
    assert set(codes) == {200}
    refused = client.post(LOOK_UP, json=PERSON, headers=busy)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert client.post(LOOK_UP, json=PERSON, headers=calm).status_code == 200
