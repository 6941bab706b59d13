"""The lifecycle API through its real HTTP layer on SQLite and PostgreSQL: the whole guarantee-first flow
from identity verification to close of business, and the applicant's own endpoints (401, 404, 409, 422).

The helpers here are shared by the staff, bank and concurrency tests."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from identity_steps import api_session
from response_docs import documented
from seomin.adapters.db.models import Loan
from seomin.adapters.http.applicant import ApplicationListItemOut, ApplicationOut, CompletionOut
from seomin.adapters.jobs import cob_command
from seomin.services.identity import create_staff_user, issue_bank_api_key
from seomin.services.platform import Platform
from seomin.services.verification import CONSENT_VERSION

TODAY = date(2025, 5, 15)  # the platform fixture's clock
RRN, PHONE, NAME = "850301-1234567", "010-1234-5678", "홍길동"
PASSWORD = "a long enough secret"
PROFILE: dict[str, Any] = {
    "annual_income": 31_234_567,
    "kcb_score": 600,
    "nice_score": 700,
    "occupation": "employee",
    "employed_months": 24,
    "haessal15": "rejected",
    "region": "서울",
}
DOCUMENTS = [
    ("employment_certificate", "2025-05-02", "재직증명서.pdf", b"%PDF employment\r\n\x00\xff"),
    ("income_amount_certificate", "2025-04-15", "소득금액증명원.pdf", b"%PDF income"),
]
COURSE = "policy-finance-basics"

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def applicant_token(client: TestClient, rrn: str = RRN, name: str = NAME) -> str:
    token: str = api_session(client, name, rrn, PHONE)["token"]
    return token


def staff_token(client: TestClient, platform: Platform, username: str, role: str) -> str:
    create_staff_user(platform, username, username.title(), PASSWORD, role)
    answer = client.post("/api/v1/staff/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def bank_key(platform: Platform, bank: str = "kwangju") -> dict[str, str]:
    return {"X-Api-Key": issue_bank_api_key(platform, bank)}


def apply(
    client: TestClient,
    token: str,
    amount: int = 3_000_000,
    documents: list[tuple[str, str, str, bytes]] = DOCUMENTS,
    **form: Any,
) -> Any:
    application = {
        "product_id": "lowest-credit-special",
        "requested_amount": amount,
        "term_months": 60,
        "grace_months": 12,
        "profile": PROFILE,
        "documents": [{"type": t, "issued_on": d} for t, d, _, _ in documents],
        **form,
    }
    files = [("documents", (name, content, "application/pdf")) for _, _, name, content in documents]
    return client.post(
        "/api/v1/applicant/applications",
        data={"application": json.dumps(application, ensure_ascii=False)},
        files=files,
        headers=bearer(token),
    )


def approved_certificate(
    client: TestClient, platform: Platform, amount: int = 3_000_000, rrn: str = RRN, reviewer: str = "rev"
) -> dict[str, Any]:
    """An applicant applies, is approved (at or below the second-review threshold) and agrees."""
    token = applicant_token(client, rrn)
    created = apply(client, token, amount)
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    staff = staff_token(client, platform, reviewer, "reviewer")
    decided = client.post(
        f"/api/v1/staff/applications/{application_id}/decision",
        json={"approve": True},
        headers=bearer(staff),
    )
    assert decided.json()["status"] == "approved", decided.text
    assert client.post(
        "/api/v1/applicant/education", json={"course": COURSE}, headers=bearer(token)
    ).is_success
    agreed = client.post(
        f"/api/v1/applicant/applications/{application_id}/agreement",
        json={"bank_code": "kwangju"},
        headers=bearer(token),
    )
    assert agreed.status_code == 200, agreed.text
    certificate: dict[str, Any] = agreed.json()
    return certificate


def loan_count(platform: Platform) -> int:
    with platform.sessions() as session:
        return session.scalar(select(func.count()).select_from(Loan)) or 0


# --- the whole flow ---------------------------------------------------------------------------------


def test_guarantee_first_then_loan_end_to_end(client: TestClient, platform: Platform) -> None:
    body = api_session(client, NAME, RRN, PHONE)
    assert body["applicant"]["name"] == "홍*동" and body["applicant"]["rrn"] == "850301-1******"
    assert body["applicant"]["phone"] == "010-****-5678"
    token = body["token"]

    created = apply(client, token, 4_000_000)
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    assert created.headers["location"].endswith(f"/applications/{application_id}")
    mine = client.get(f"/api/v1/applicant/applications/{application_id}", headers=bearer(token)).json()
    assert mine["screening"]["status"] == "eligible"
    assert [d["type"] for d in mine["documents"]] == ["employment_certificate", "income_amount_certificate"]
    assert mine["documents"][0]["original_name"] == "재직증명서.pdf"
    assert mine["documents"][0]["size_bytes"] == len(DOCUMENTS[0][3])
    listed = client.get("/api/v1/applicant/applications", headers=bearer(token)).json()
    assert [a["id"] for a in listed] == [application_id]

    educated = client.post("/api/v1/applicant/education", json={"course": COURSE}, headers=bearer(token))
    assert educated.status_code == 200

    maker = staff_token(client, platform, "maker", "reviewer")
    checker = staff_token(client, platform, "checker", "reviewer")
    queue = client.get("/api/v1/staff/applications?status=submitted", headers=bearer(maker)).json()
    assert [a["id"] for a in queue] == [application_id]
    proposed = client.post(
        f"/api/v1/staff/applications/{application_id}/decision",
        json={"approve": True},
        headers=bearer(maker),
    )
    assert proposed.json() == {"id": application_id, "status": "pending_second_review"}
    same = client.post(
        f"/api/v1/staff/applications/{application_id}/second-review",
        json={"approve": True},
        headers=bearer(maker),
    )
    assert same.status_code == 409 and same.json()["code"] == "SECOND_REVIEWER_SAME"
    confirmed = client.post(
        f"/api/v1/staff/applications/{application_id}/second-review",
        json={"approve": True, "note": "소득 확인"},
        headers=bearer(checker),
    )
    assert confirmed.json() == {"id": application_id, "status": "approved"}

    agreed = client.post(
        f"/api/v1/applicant/applications/{application_id}/agreement",
        json={"bank_code": "kwangju"},
        headers=bearer(token),
    )
    assert agreed.status_code == 200, agreed.text
    certificate = agreed.json()
    assert certificate["amount"] == 4_000_000 and len(certificate["verification_code"]) == 6
    guarantees = client.get("/api/v1/applicant/guarantees", headers=bearer(token)).json()
    assert [g["certificate_no"] for g in guarantees] == [certificate["certificate_no"]]
    assert "verification_code" not in guarantees[0]

    bank = bank_key(platform)
    credentials = {
        "certificate_no": certificate["certificate_no"],
        "verification_code": certificate["verification_code"],
    }
    verified = client.post("/api/v1/bank/certificates/verification", json=credentials, headers=bank)
    assert verified.status_code == 200 and verified.json()["executable"] is True

    executed = client.post(
        "/api/v1/bank/loans", json=credentials, headers={**bank, "Idempotency-Key": "exec-1"}
    )
    assert executed.status_code == 200, executed.text
    again = client.post("/api/v1/bank/loans", json=credentials, headers={**bank, "Idempotency-Key": "exec-1"})
    assert again.status_code == 200 and again.json() == executed.json()
    assert loan_count(platform) == 1
    twice = client.post("/api/v1/bank/loans", json=credentials, headers={**bank, "Idempotency-Key": "exec-2"})
    assert twice.status_code == 409 and twice.json()["code"] == "GUARANTEE_ALREADY_EXECUTED"

    loan_id = executed.json()["loan_id"]
    loan = client.get(f"/api/v1/bank/loans/{loan_id}", headers=bank).json()
    first = loan["schedule"][0]
    platform.today = lambda: date.fromisoformat(first["due_date"])
    paid = client.post(
        f"/api/v1/bank/loans/{loan_id}/payments",
        json={"amount": first["payment"]},
        headers={**bank, "Idempotency-Key": "pay-1"},
    )
    assert paid.status_code == 200, paid.text
    quote = client.get(f"/api/v1/bank/loans/{loan_id}/payoff", headers=bank)
    assert quote.status_code == 200 and quote.json()["total"] > 0
    assert [row["loan_id"] for row in client.get("/api/v1/bank/loans", headers=bank).json()] == [loan_id]

    day_after = date.fromisoformat(first["due_date"]) + timedelta(days=1)
    platform.today = lambda: day_after
    line = cob_command(platform, day_after)
    assert line.startswith("COB ") and "1 open loans" in line
    assert client.get(f"/api/v1/bank/loans/{loan_id}", headers=bank).json()["status"] == "active"


# --- the applicant's own endpoints ------------------------------------------------------------------


def test_applicant_routes_need_a_session(client: TestClient) -> None:
    for method, path in [
        ("GET", "/api/v1/applicant/applications"),
        ("GET", "/api/v1/applicant/guarantees"),
        ("POST", "/api/v1/applicant/education"),
    ]:
        answer = client.request(method, path)
        assert answer.status_code == 401, path
        assert answer.json()["detail"][0]["type"] == "unauthorized"
        assert answer.headers["www-authenticate"] == "Bearer"
    wrong = client.get("/api/v1/applicant/applications", headers=bearer("not-a-session"))
    assert wrong.status_code == 401


def test_a_staff_token_is_not_an_applicant_session(client: TestClient, platform: Platform) -> None:
    staff = staff_token(client, platform, "rev", "reviewer")
    assert client.get("/api/v1/applicant/applications", headers=bearer(staff)).status_code == 401
    token = applicant_token(client)
    assert client.get("/api/v1/staff/applications", headers=bearer(token)).status_code == 401


def test_identity_refused_names_the_field(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/applicant/identity",
        json={"name": NAME, "rrn": "850399-1234567", "phone": PHONE, "consent_version": CONSENT_VERSION},
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "rrn"
    missing = client.post("/api/v1/applicant/identity", json={"name": NAME})
    assert missing.status_code == 422


def test_another_applicants_application_is_not_found(client: TestClient) -> None:
    mine = applicant_token(client)
    application_id = apply(client, mine).json()["id"]
    other = applicant_token(client, "900101-2234567", "김영희")
    assert (
        client.get(f"/api/v1/applicant/applications/{application_id}", headers=bearer(other)).status_code
        == 404
    )
    refused = client.post(
        f"/api/v1/applicant/applications/{application_id}/withdrawal", headers=bearer(other)
    )
    assert refused.status_code == 404
    assert (
        client.get(f"/api/v1/applicant/applications/{application_id}", headers=bearer(mine)).status_code
        == 200
    )


def test_withdraw_then_withdraw_again_is_a_conflict(client: TestClient) -> None:
    token = applicant_token(client)
    application_id = apply(client, token).json()["id"]
    path = f"/api/v1/applicant/applications/{application_id}/withdrawal"
    assert client.post(path, headers=bearer(token)).json()["status"] == "withdrawn"
    again = client.post(path, headers=bearer(token))
    assert again.status_code == 409 and again.json()["code"] == "APPLICATION_WITHDRAWN"


def test_agreement_before_education_is_a_conflict(client: TestClient, platform: Platform) -> None:
    token = applicant_token(client)
    application_id = apply(client, token).json()["id"]
    staff = staff_token(client, platform, "rev", "reviewer")
    client.post(
        f"/api/v1/staff/applications/{application_id}/decision", json={"approve": True}, headers=bearer(staff)
    )
    answer = client.post(
        f"/api/v1/applicant/applications/{application_id}/agreement",
        json={"bank_code": "kwangju"},
        headers=bearer(token),
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "EDUCATION_REQUIRED" == answer.json()["detail"][0]["type"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requested_amount": -1}, "application.requested_amount"),
        ({"product_id": "nope"}, "product_id"),
        ({"term_months": 7}, "term_months"),
        ({"unknown": 1}, "application.unknown"),
        ({"profile": {**PROFILE, "annual_income": "many"}}, "profile.annual_income"),
    ],
)
def test_bad_applications_are_422_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    token = applicant_token(client)
    answer = apply(client, token, **change)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["field"] == field


def test_upload_shape_is_checked(client: TestClient) -> None:
    token = applicant_token(client)
    stale = apply(client, token, documents=[("employment_certificate", "2024-01-02", "old.pdf", b"%PDF")])
    assert stale.status_code == 422 and stale.json()["detail"][0]["field"] == "documents.0.issued_on"
    mismatched = client.post(
        "/api/v1/applicant/applications",
        data={"application": json.dumps({"product_id": "lowest-credit-special", "requested_amount": 1,
                                          "term_months": 60, "profile": PROFILE})},
        files=[("documents", ("a.pdf", b"x", "application/pdf"))],
        headers=bearer(token),
    )  # fmt: skip
    assert mismatched.status_code == 422 and mismatched.json()["detail"][0]["field"] == "documents"
    not_multipart = client.post("/api/v1/applicant/applications", json={"a": 1}, headers=bearer(token))
    assert not_multipart.status_code == 422 and not_multipart.json()["detail"][0]["field"] == "body"
    no_json = client.post(
        "/api/v1/applicant/applications",
        files=[("application", (None, b"{not json", "application/json"))],
        headers=bearer(token),
    )
    assert no_json.status_code == 422 and no_json.json()["detail"][0]["field"] == "application"


def test_identity_takes_a_code_from_the_phone_and_limits_guessing(client: TestClient) -> None:
    body = {"name": NAME, "rrn": RRN, "phone": PHONE, "consent_version": CONSENT_VERSION}
    started = client.post("/api/v1/applicant/identity", json=body)
    assert started.status_code == 202 and started.json()["phone"] == "010-****-5678"
    assert "token" not in started.json()  # no session before the code
    challenge = started.json()["challenge"]
    for left in (4, 3, 2, 1):
        wrong = client.post(
            "/api/v1/applicant/identity/confirm", json={"challenge": challenge, "code": "000000"}
        )
        assert wrong.status_code == 422 and wrong.json()["detail"][0]["type"] == "CODE_MISMATCH"
        assert f"{left} tries left" in wrong.json()["detail"][0]["message"]
    locked = client.post(
        "/api/v1/applicant/identity/confirm", json={"challenge": challenge, "code": "000000"}
    )
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1
    no_consent = client.post("/api/v1/applicant/identity", json={**body, "consent_version": "1999"})
    assert no_consent.status_code == 422 and no_consent.json()["detail"][0]["field"] == "consent"
    for _ in range(4):  # five codes to one phone within the window, then the phone waits
        assert client.post("/api/v1/applicant/identity", json=body).status_code == 202
    flooded = client.post("/api/v1/applicant/identity", json=body)
    assert flooded.status_code == 429 and int(flooded.headers["Retry-After"]) > 60


def test_someone_elses_number_with_another_name_opens_nothing(client: TestClient) -> None:
    api_session(client, NAME, RRN, PHONE)
    body = {"name": "김침입", "rrn": RRN, "phone": "010-9999-0000", "consent_version": CONSENT_VERSION}
    refused = client.post("/api/v1/applicant/identity", json=body)
    assert refused.status_code == 422 and refused.json()["detail"][0]["type"] == "IDENTITY_MISMATCH"


def test_application_answers_are_what_their_response_models_document(
    client: TestClient, platform: Platform
) -> None:
    certificate = approved_certificate(client, platform)
    token = applicant_token(client)
    educated = client.post("/api/v1/applicant/education", json={"course": COURSE}, headers=bearer(token))
    assert documented(CompletionOut, educated.json()), educated.text
    mine = client.get("/api/v1/applicant/applications", headers=bearer(token))
    assert len(mine.json()) == 1 and documented(list[ApplicationListItemOut], mine.json()), mine.text
    path = f"/api/v1/applicant/applications/{certificate['application_id']}"
    detail = client.get(path, headers=bearer(token))
    assert detail.json()["guarantee"] and detail.json()["decisions"], detail.text
    assert documented(ApplicationOut, detail.json()), detail.text
    counselor = staff_token(client, platform, "coun", "counselor")
    masked = client.get(path.replace("applicant", "staff", 1), headers=bearer(counselor))
    assert masked.json()["personal_data"] == "masked" and "annual_income" not in masked.json()["profile"]
    assert documented(ApplicationOut, masked.json()), masked.text
    queue = client.get("/api/v1/staff/applications", headers=bearer(counselor))
    assert documented(list[ApplicationListItemOut], queue.json()), queue.text
