"""맞춤대출 through the HTTP layer: the consented match, the staff refresh and the matching open data."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_http_applicant import NAME, PHONE, RRN, bank_key, staff_token

from identity_steps import api_session
from matching_profile import PROFILE
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_a_consented_match_answers_ranked_options_with_reasons(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/matching", json={"profile": PROFILE, "consent": True, "as_of": "2025-05-01"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["as_of"] == "2025-05-01" and body["note_ko"] and body["note_en"]
    ranks = [o["rank"] for o in body["options"]]
    assert ranks == list(range(1, len(ranks) + 1)) and len(ranks) >= 4
    first = body["options"][0]
    assert first["status"] == "eligible" and first["reasons"][0]["message_ko"]
    assert {o["source"] for o in body["options"]} == {"policy", "partner"}
    assert all(o["rank"] == 0 and o["status"] == "ineligible" for o in body["excluded"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"profile": PROFILE, "consent": False}, "consent"),
        ({"profile": PROFILE}, "consent"),
        ({"profile": PROFILE, "consent": "yes"}, "consent"),
        ({"profile": {**PROFILE, "annual_income": -1}, "consent": True}, "profile.annual_income"),
        (
            {"profile": {**PROFILE, "birth_date": "2030-01-01"}, "consent": True, "as_of": "2025-05-01"},
            "profile.birth_date",
        ),
        ({"profile": PROFILE, "consent": True, "as_of": "2025-13-01"}, "as_of"),
    ],
)
def test_bad_match_input_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    answer = client.post("/api/v1/matching", json=body)
    assert answer.status_code == 422, answer.text
    assert any(item["field"] == field for item in answer.json()["detail"]), answer.json()


def test_only_a_supervisor_refreshes_outcomes_and_anyone_reads_the_open_data(
    client: TestClient, platform: Platform
) -> None:
    assert client.post("/api/v1/staff/matching/outcomes").status_code == 401
    counselor = staff_token(client, platform, "cou", "counselor")
    refused = client.post("/api/v1/staff/matching/outcomes", headers={"Authorization": f"Bearer {counselor}"})
    assert refused.status_code == 403
    supervisor = staff_token(client, platform, "sup", "supervisor")
    done = client.post("/api/v1/staff/matching/outcomes", headers={"Authorization": f"Bearer {supervisor}"})
    assert done.status_code == 200 and done.json() == {"loans": 0, "groups": 0, "refreshed_on": "2025-05-15"}
    data = client.get("/api/v1/open-data/matching", params={"sector": "bank"})
    assert data.status_code == 200 and data.json()["rows"] == [] and data.json()["k"] == 5
    assert client.get("/api/v1/open-data/matching", params={"k": 2}).status_code == 422
    assert client.get("/api/v1/open-data/matching", params={"sector": "casino"}).status_code == 422


def test_the_credit_simulator_answers_an_estimate_month_by_month(client: TestClient) -> None:
    body = {
        "score": 640,
        "card_loan_balance": 4_000_000,
        "utilization_pct": 80,
        "months": 12,
        "actions": [
            {"kind": "on_time_payments"},
            {"kind": "repay_card_loan", "month": 2, "amount": 2_000_000},
            {"kind": "reduce_utilization", "month": 3, "to_pct": 20},
            {"kind": "complete_consulting", "month": 6},
        ],
    }
    answer = client.post("/api/v1/credit-simulations", json=body)
    assert answer.status_code == 200, answer.text
    projection = answer.json()
    assert projection["estimate"] is True and projection["start_band"] == "600–649"
    assert len(projection["months"]) == 13 and projection["months"][-1]["score"] == 709
    assert projection["months"][-1]["band"] == "700–749"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"score": 1001}, "score"),
        ({"score": 600, "actions": [{"kind": "win_lottery"}]}, "actions.0.kind"),
        ({"score": 600, "actions": [{"kind": "repay_card_loan", "amount": 5}]}, "actions.0.amount"),
        (
            {"score": 600, "months": 12, "actions": [{"kind": "on_time_payments", "month": 20}]},
            "actions.0.month",
        ),
    ],
)
def test_bad_simulator_input_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    answer = client.post("/api/v1/credit-simulations", json=body)
    assert answer.status_code == 422, answer.text
    assert any(item["field"] == field for item in answer.json()["detail"]), answer.json()


def test_graduation_options_are_mine_and_notices_are_a_supervisors_job(
    client: TestClient, platform: Platform
) -> None:
    assert client.get("/api/v1/applicant/graduation-options").status_code == 401
    session = api_session(client, NAME, RRN, PHONE)
    mine = client.get(
        "/api/v1/applicant/graduation-options", headers={"Authorization": f"Bearer {session['token']}"}
    )
    assert mine.status_code == 200 and mine.json() == []  # no loan repaid for a year yet
    counselor = staff_token(client, platform, "cou", "counselor")
    path = "/api/v1/staff/matching/graduation-notices"
    assert client.post(path, headers={"Authorization": f"Bearer {counselor}"}).status_code == 403
    supervisor = staff_token(client, platform, "sup", "supervisor")
    run = client.post(path, headers={"Authorization": f"Bearer {supervisor}"})
    assert run.status_code == 200 and run.json() == {"looked_at": 0, "notified": 0}


def test_a_bank_reports_a_decision_on_its_own_product(client: TestClient, platform: Platform) -> None:
    body = {
        "product": "sainddol-bank",
        "decided_on": "2025-05-01",
        "approved": True,
        "kcb_score": 640,
        "annual_income": 28_000_000,
        "amount": 10_000_000,
        "rate_bp": 800,
    }
    assert client.post("/api/v1/bank/partner-decisions", json=body).status_code == 401
    headers = bank_key(platform)
    done = client.post("/api/v1/bank/partner-decisions", json=body, headers=headers)
    assert done.status_code == 201, done.text
    assert done.json()["score_band"] == "600–649" and done.json()["product"] == "sainddol-bank"
    bad = client.post("/api/v1/bank/partner-decisions", json={**body, "rate_bp": 1990}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "rate_bp"
