"""The money ledger through HTTP on both databases: dormant contributions, payouts and donations are
balanced entries whose trial balance is zero, and a payout happens exactly once when the same claim is
retried or races (real concurrent requests against a live server)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from test_http_applicant import NAME, applicant_token, bearer, staff_token
from test_http_concurrency import race
from test_http_dormant import seed

from live_server import served
from seomin.adapters.http import create_app
from seomin.services.ledger import trial_balance
from seomin.services.platform import SYSTEM, Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
BODY = {"account": "110-123-456789", "account_holder_name": NAME}


@pytest.fixture()
def live(platform: Platform) -> Iterator[str]:
    with served(create_app(platform)) as url:
        yield url


def kinds(platform: Platform) -> list[str]:
    with platform.engine.connect() as conn:
        return [k for (k,) in conn.exec_driver_sql("SELECT kind FROM ledger_entries ORDER BY id")]


def test_dormant_money_moves_through_balanced_entries_whose_balances_reconcile_to_zero(
    client: TestClient, platform: Platform
) -> None:
    seed(platform)
    seed(platform)  # a re-upload adds nothing, in the rows or the ledger
    me = bearer(applicant_token(client))
    small, large = (d["id"] for d in client.get("/api/v1/applicant/dormant-deposits", headers=me).json())
    client.post(f"/api/v1/applicant/dormant-deposits/{small}/claim", headers=me, json={"donate": True})
    waiting = client.post(f"/api/v1/applicant/dormant-deposits/{large}/claim", headers=me, json=BODY).json()
    supervisor = bearer(staff_token(client, platform, "super1", "supervisor"))
    for _ in range(2):  # a retried approval pays once
        client.post(f"/api/v1/staff/dormant-claims/{waiting['id']}/approval", headers=supervisor)
    assert kinds(platform) == ["dormant_contribution", "dormant_donation", "dormant_payout"]
    book = client.get("/api/v1/staff/ledger/balances", headers=supervisor).json()
    assert book["total"] == 0 and book["entries"] == 3
    by_account = {(b["account"], b["party"]): b["balance"] for b in book["balances"]}
    assert by_account == {
        ("dormant.cash", ""): 7_001_000 - 6_000_000,
        ("dormant.owed", "bank"): -1_000,
        ("dormant.interest", "bank"): 10_000,
        ("miso.donations", "bank"): -1_010_000,
    }
    figures = client.get("/api/v1/staff/dormant-deposits/figures", headers=supervisor).json()
    assert figures == [
        {
            "sector": "bank",
            "contributed": 7_001_000,
            "paid": 6_000_000,
            "donated": 1_000_000,
            "outstanding": 1_000,
            "interest_paid": 0,
            "interest_donated": 10_000,
        }
    ]
    month = client.get("/api/v1/staff/dormant-deposits/figures?month=2025-04", headers=supervisor).json()
    assert month == []  # nothing was booked before May 2025
    bad = client.get("/api/v1/staff/dormant-deposits/figures?month=2025-13", headers=supervisor)
    assert bad.status_code == 422 and "month" in bad.text
    auditor = bearer(staff_token(client, platform, "aud1", "auditor"))
    counselor = bearer(staff_token(client, platform, "cou1", "counselor"))
    assert client.get("/api/v1/staff/ledger/balances", headers=auditor).status_code == 200
    assert client.get("/api/v1/staff/ledger/balances", headers=counselor).status_code == 403


def test_racing_claims_and_approvals_pay_exactly_once(live: str, platform: Platform) -> None:
    seed(platform)
    setup = TestClient(create_app(platform))
    me = bearer(applicant_token(setup))
    small, large = (d["id"] for d in setup.get("/api/v1/applicant/dormant-deposits", headers=me).json())

    def claim(deposit: int) -> httpx.Response:
        with httpx.Client(base_url=live, timeout=60) as c:
            return c.post(f"/api/v1/applicant/dormant-deposits/{deposit}/claim", headers=me, json=BODY)

    answers = race(*(lambda: claim(small) for _ in range(4)))
    assert {r.status_code for r in answers} == {200}, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    waiting = claim(large).json()
    supervisors = [bearer(staff_token(setup, platform, f"sup{n}", "supervisor")) for n in range(3)]

    def approve(headers: dict[str, str]) -> httpx.Response:
        with httpx.Client(base_url=live, timeout=60) as c:
            return c.post(f"/api/v1/staff/dormant-claims/{waiting['id']}/approval", headers=headers)

    approvals = race(*(lambda h=h: approve(h) for h in supervisors))
    assert [r.status_code for r in approvals] == [200, 200, 200], [r.text for r in approvals]
    assert kinds(platform) == ["dormant_contribution", "dormant_payout", "dormant_payout"]
    book = trial_balance(platform, SYSTEM)
    assert book.total == 0 and book.entries == 3
    with platform.engine.connect() as conn:
        sms = conn.exec_driver_sql(
            "SELECT count(*) FROM notification_messages WHERE template_id = 'dormant_payout'"
        ).scalar()
    assert sms == 2  # one per payout, never per request
