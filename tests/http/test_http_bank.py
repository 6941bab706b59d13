"""The bank API through the real HTTP layer on SQLite and PostgreSQL: API keys (401), another bank's loan
(404), the Idempotency-Key (422 without it, 409 reused), and the subrogation path across bank and staff."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from test_close_of_business import due, make_loan, pay_through
from test_http_applicant import (
    TestClient,
    approved_certificate,
    bank_key,
    bearer,
    loan_count,
    staff_token,
)

from response_docs import documented
from seomin.adapters.db.models import AuditEvent
from seomin.adapters.http.bank import (
    CertificateCheckOut,
    ExecutionOut,
    LoanOut,
    LoanSummaryOut,
    PaymentOut,
    PayoffOut,
)
from seomin.services.close_of_business import run_close_of_business
from seomin.services.platform import Platform
from seomin.services.recourse import RecourseDebtView, RecoursePlanView

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def credentials(certificate: dict[str, str]) -> dict[str, str]:
    return {
        "certificate_no": certificate["certificate_no"],
        "verification_code": certificate["verification_code"],
    }


def test_bank_routes_need_a_valid_key(client: TestClient, platform: Platform) -> None:
    for headers in ({}, {"X-Api-Key": "nodot"}, {"X-Api-Key": "abc.def"}):
        answer = client.get("/api/v1/bank/loans", headers=headers)
        assert answer.status_code == 401 and answer.json()["detail"][0]["type"] == "unauthorized"
    assert client.get("/api/v1/bank/loans", headers=bank_key(platform)).json() == []


def test_execution_needs_an_idempotency_key_and_the_right_bank(
    client: TestClient, platform: Platform
) -> None:
    certificate = approved_certificate(client, platform)
    mine, other = bank_key(platform), bank_key(platform, "jeonbuk")
    missing = client.post("/api/v1/bank/loans", json=credentials(certificate), headers=mine)
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "Idempotency-Key"
    elsewhere = client.post(
        "/api/v1/bank/loans", json=credentials(certificate), headers={**other, "Idempotency-Key": "k"}
    )
    assert elsewhere.status_code == 404
    wrong_code = client.post(
        "/api/v1/bank/certificates/verification",
        json={**credentials(certificate), "verification_code": "000000x"},
        headers=mine,
    )
    assert wrong_code.status_code == 409 and wrong_code.json()["code"] == "CERTIFICATE_VERIFICATION_FAILED"
    executed = client.post(
        "/api/v1/bank/loans", json=credentials(certificate), headers={**mine, "Idempotency-Key": "k"}
    )
    assert executed.status_code == 200
    loan_id = executed.json()["loan_id"]
    assert client.get(f"/api/v1/bank/loans/{loan_id}", headers=other).status_code == 404
    assert client.get(f"/api/v1/bank/loans/{loan_id}/payoff", headers=other).status_code == 404
    reused = client.post(
        f"/api/v1/bank/loans/{loan_id}/payments",
        json={"amount": 1000},
        headers={**mine, "Idempotency-Key": "k"},
    )
    assert reused.status_code == 409 and reused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    future = client.post(
        f"/api/v1/bank/loans/{loan_id}/payments",
        json={"amount": 1000, "paid_on": "2999-01-01"},
        headers={**mine, "Idempotency-Key": "p"},
    )
    assert future.status_code == 422
    bad_status = client.get("/api/v1/bank/loans?status=nope", headers=mine)
    assert bad_status.status_code == 422 and bad_status.json()["detail"][0]["field"] == "status"
    assert loan_count(platform) == 1


def test_prepaying_everything_repays_the_loan(client: TestClient, platform: Platform) -> None:
    certificate = approved_certificate(client, platform)
    mine = bank_key(platform)
    loan_id = client.post(
        "/api/v1/bank/loans", json=credentials(certificate), headers={**mine, "Idempotency-Key": "e"}
    ).json()["loan_id"]
    platform.today = lambda: date(2025, 6, 1)
    done = client.post(
        f"/api/v1/bank/loans/{loan_id}/prepayments", json={}, headers={**mine, "Idempotency-Key": "pp"}
    )
    assert done.status_code == 200, done.text
    assert client.get(f"/api/v1/bank/loans/{loan_id}", headers=mine).json()["status"] == "repaid"
    closed = client.get(f"/api/v1/bank/loans/{loan_id}/payoff", headers=mine)
    assert closed.status_code == 409


def test_subrogation_from_claim_to_plan(client: TestClient, platform: Platform) -> None:
    platform.today = lambda: date(2045, 12, 31)
    made = make_loan(platform, executed_on=date(2024, 6, 3))
    pay_through(platform, made.id, due(made, 6))
    default_day = due(made, 7) + timedelta(days=90)
    run_close_of_business(platform, default_day)
    bank = bank_key(platform)
    assert (
        client.post(
            f"/api/v1/bank/loans/{made.id}/subrogation-claim", json={}, headers=bank_key(platform, "jeonbuk")
        ).status_code
        == 404
    )
    claim = client.post(
        f"/api/v1/bank/loans/{made.id}/subrogation-claim",
        json={"filed_on": default_day.isoformat()},
        headers=bank,
    )
    assert claim.status_code == 200, claim.text
    assert claim.json()["status"] == "filed"
    again = client.post(f"/api/v1/bank/loans/{made.id}/subrogation-claim", json={}, headers=bank)
    assert again.status_code == 409 and again.json()["code"] == "LOAN_SUBROGATED"

    supervisor = staff_token(client, platform, "sup", "supervisor")
    counselor = staff_token(client, platform, "coun", "counselor")
    paid = client.post(
        f"/api/v1/staff/subrogation-claims/{claim.json()['id']}/payment",
        json={"paid_on": default_day.isoformat()},
        headers=bearer(supervisor),
    )
    assert paid.status_code == 200, paid.text
    debt = paid.json()
    assert debt["status"] == "open" and debt["balance"] == claim.json()["guaranteed_amount"]
    assert documented(RecourseDebtView, debt)
    plan = client.post(
        f"/api/v1/staff/recourse-debts/{debt['id']}/installment-plan",
        json={"months": 24, "starts_on": default_day.isoformat()},
        headers=bearer(counselor),
    )
    assert plan.status_code == 200 and plan.json()["kind"] == "installment_plan"
    assert documented(RecoursePlanView, plan.json())
    deferral = client.post(
        f"/api/v1/staff/recourse-debts/{debt['id']}/deferral",
        json={"months": 6, "starts_on": default_day.isoformat()},
        headers=bearer(counselor),
    )
    assert deferral.status_code == 200 and deferral.json()["kind"] == "deferral"
    assert documented(RecoursePlanView, deferral.json())
    too_long = client.post(
        f"/api/v1/staff/recourse-debts/{debt['id']}/deferral", json={"months": 999}, headers=bearer(counselor)
    )
    assert too_long.status_code in (409, 422)
    long_plan = client.post(
        f"/api/v1/staff/recourse-debts/{debt['id']}/installment-plan",
        json={"months": 72, "starts_on": deferral.json()["ends_on"]},
        headers=bearer(counselor),
    )
    assert long_plan.status_code == 200 and long_plan.json()["status"] == "proposed", long_plan.text
    second = staff_token(client, platform, "sup2", "supervisor")
    approved = client.post(
        f"/api/v1/staff/recourse-plans/{long_plan.json()['id']}/approval", headers=bearer(second)
    )
    assert approved.status_code == 200 and approved.json()["status"] == "in_force", approved.text
    assert documented(RecoursePlanView, approved.json())


def test_a_certificate_code_cannot_be_guessed(client: TestClient, platform: Platform) -> None:
    """Five wrong codes lock the certificate (429 with Retry-After), even for the right code; each wrong
    code is audited; another bank's guesses never touch it (it is not found for them)."""
    certificate = approved_certificate(client, platform)
    mine = bank_key(platform)
    right = credentials(certificate)
    wrong = {**right, "verification_code": "999999" if right["verification_code"] != "999999" else "888888"}
    for _ in range(5):
        guessed = client.post("/api/v1/bank/certificates/verification", json=wrong, headers=mine)
        assert guessed.status_code == 409 and guessed.json()["code"] == "CERTIFICATE_VERIFICATION_FAILED"
    locked = client.post("/api/v1/bank/certificates/verification", json=right, headers=mine)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 60
    executed = client.post("/api/v1/bank/loans", json=right, headers={**mine, "Idempotency-Key": "k"})
    assert executed.status_code == 429 and loan_count(platform) == 0
    with platform.sessions() as session:
        failed = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "certificate.code_failed")
        ).all()
    assert len(failed) == 5


def test_every_bank_answer_is_what_its_response_model_documents(
    client: TestClient, platform: Platform
) -> None:
    certificate = approved_certificate(client, platform)
    mine = bank_key(platform)
    verified = client.post(
        "/api/v1/bank/certificates/verification", json=credentials(certificate), headers=mine
    )
    assert documented(CertificateCheckOut, verified.json()), verified.text
    executed = client.post(
        "/api/v1/bank/loans", json=credentials(certificate), headers={**mine, "Idempotency-Key": "e"}
    )
    assert documented(ExecutionOut, executed.json()), executed.text
    loan_id = executed.json()["loan_id"]
    platform.today = lambda: date(2025, 9, 1)
    paid = client.post(
        f"/api/v1/bank/loans/{loan_id}/payments",
        json={"amount": 150_000, "paid_on": "2025-07-01"},
        headers={**mine, "Idempotency-Key": "p"},
    )
    assert paid.status_code == 200 and documented(PaymentOut, paid.json()), paid.text
    payoff = client.get(f"/api/v1/bank/loans/{loan_id}/payoff", headers=mine)
    assert payoff.json()["overdue"] and documented(PayoffOut, payoff.json()), payoff.text
    listed = client.get("/api/v1/bank/loans", headers=mine)
    assert documented(list[LoanSummaryOut], listed.json()), listed.text
    prepaid = client.post(
        f"/api/v1/bank/loans/{loan_id}/prepayments", json={}, headers={**mine, "Idempotency-Key": "pp"}
    )
    assert prepaid.json()["full_repayment"] and documented(PaymentOut, prepaid.json()), prepaid.text
    loan = client.get(f"/api/v1/bank/loans/{loan_id}", headers=mine)
    assert loan.json()["payments"] and documented(LoanOut, loan.json()), loan.text


def test_wrong_secrets_for_a_key_are_audited_then_slowed_but_the_right_key_still_works(
    client: TestClient, platform: Platform
) -> None:
    headers = bank_key(platform)
    prefix = headers["X-Api-Key"].split(".")[0]
    wrong = {"X-Api-Key": f"{prefix}.not-the-secret"}
    codes = [client.get("/api/v1/bank/loans", headers=wrong).status_code for _ in range(11)]
    assert codes == [401] * 9 + [429, 429]
    limited = client.get("/api/v1/bank/loans", headers=wrong)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 60
    # probing a prefix must not lock the bank's own key out
    assert client.get("/api/v1/bank/loans", headers=headers).status_code == 200
    with platform.sessions() as session:
        failed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "bank_api_key.auth_failed")
        ).all()
    assert len(failed) == 10 and all("not-the-secret" not in str(e.after) for e in failed)
    unknown = {"X-Api-Key": "000000000000.whatever"}
    assert client.get("/api/v1/bank/loans", headers=unknown).status_code == 401
