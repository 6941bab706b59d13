"""Real concurrent requests against a live uvicorn server (in a thread, on a free 127.0.0.1 port, over the
test platform) on SQLite and PostgreSQL: the rules hold when requests really race.

- two requests executing the same guarantee at once (different idempotency keys, as from two clerks)
  give exactly one 200 and one 409, and one loan;
- two approvals racing on one person's 10,000,000 limit leave exactly one winner.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
from test_applications import executed_loan
from test_http_applicant import (
    PHONE,
    RRN,
    TestClient,
    apply,
    approved_certificate,
    bank_key,
    bearer,
    loan_count,
    staff_token,
)

from identity_steps import api_session
from live_server import served
from seomin.adapters.http import create_app
from seomin.services.applications import LIMIT_CODES
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
ROUNDS = 3


@pytest.fixture()
def live(platform: Platform) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL."""
    with served(create_app(platform)) as url:
        yield url


def race(*calls: Callable[[], httpx.Response]) -> list[httpx.Response]:
    """Run the calls at once (a barrier releases them together)."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def execute(live: str, body: dict[str, str], headers: dict[str, str]) -> Callable[[], httpx.Response]:
    def call() -> httpx.Response:
        with httpx.Client(base_url=live, timeout=60) as client:
            return client.post("/api/v1/bank/loans", json=body, headers=headers)

    return call


def test_two_executions_of_one_guarantee_leave_one_loan(live: str, platform: Platform) -> None:
    setup = TestClient(create_app(platform))
    for n in range(ROUNDS):
        certificate = approved_certificate(setup, platform, rrn=f"85030{n + 1}-1234567", reviewer=f"rev{n}")
        body = {k: certificate[k] for k in ("certificate_no", "verification_code")}
        key = bank_key(platform)
        answers = race(*(execute(live, body, {**key, "Idempotency-Key": f"{clerk}{n}"}) for clerk in "ab"))
        codes = sorted(r.status_code for r in answers)
        assert codes == [200, 409], [r.text for r in answers]
        loser = next(r for r in answers if r.status_code == 409)
        assert loser.json()["code"] == "GUARANTEE_ALREADY_EXECUTED"
        assert loan_count(platform) == n + 1


def test_two_approvals_racing_on_one_limit_leave_one_winner(live: str, platform: Platform) -> None:
    """5,000,000 lent; 4,000,000 and 3,000,000 more would pass 10,000,000."""
    setup = TestClient(create_app(platform))
    session = api_session(setup, "홍길동", RRN, PHONE)
    executed_loan(platform, session["applicant"]["id"], 5_000_000, date(2024, 10, 1))
    first = apply(setup, session["token"], 4_000_000).json()["id"]
    second = apply(setup, session["token"], 3_000_000).json()["id"]
    reviewers = [
        staff_token(setup, platform, "first", "reviewer"),
        staff_token(setup, platform, "second", "reviewer"),
    ]
    with httpx.Client(base_url=live, timeout=60) as a, httpx.Client(base_url=live, timeout=60) as b:
        answers = race(
            lambda: a.post(
                f"/api/v1/staff/applications/{first}/decision",
                json={"approve": True},
                headers=bearer(reviewers[0]),
            ),
            lambda: b.post(
                f"/api/v1/staff/applications/{second}/decision",
                json={"approve": True},
                headers=bearer(reviewers[1]),
            ),
        )
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 409], [r.text for r in answers]
    assert next(r for r in answers if r.status_code == 409).json()["code"] in LIMIT_CODES
