"""불법사금융예방대출 lent by the agency through the real HTTP layer (SQLite and PostgreSQL): staff disburse
and service it; the borrower sees interest due, maturity and the payback ahead; bad input refused."""

from __future__ import annotations

from datetime import date

import pytest
from test_http_applicant import COURSE, NAME, PROFILE, TestClient, applicant_token, apply, bearer, staff_token

from builders import business_day
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

ACCOUNT = {"account_bank": "농협은행", "account_no": "302-1234-5678-91", "holder_name": NAME}


def test_an_agency_loan_through_the_api(client: TestClient, platform: Platform) -> None:
    with business_day(platform, date(2026, 3, 2)):
        token = applicant_token(client)
        created = apply(
            client,
            token,
            1_000_000,
            documents=[
                ("income_amount_certificate", "2026-02-20", "소득금액증명원.pdf", b"%PDF income 2026")
            ],
            product_id="illegal-finance-prevention",
            term_months=12,
            grace_months=0,
            profile={**PROFILE, "kcb_score": 600, "annual_income": 20_000_000},
        )
        assert created.status_code == 201, created.text
        application_id = created.json()["id"]
        reviewer = staff_token(client, platform, "rev", "reviewer")
        counselor = staff_token(client, platform, "cou", "counselor")
        approved = client.post(
            f"/api/v1/staff/applications/{application_id}/decision",
            json={"approve": True},
            headers=bearer(reviewer),
        )
        assert approved.json()["status"] == "approved", approved.text
        disbursement = f"/api/v1/staff/applications/{application_id}/disbursement"
        assert client.post(disbursement, json=ACCOUNT, headers=bearer(reviewer)).status_code == 403
        untaught = client.post(disbursement, json=ACCOUNT, headers=bearer(counselor))
        assert untaught.status_code == 409 and untaught.json()["code"] == "EDUCATION_REQUIRED"
        assert client.post(
            "/api/v1/applicant/education", json={"course": COURSE}, headers=bearer(token)
        ).is_success
        other = client.post(
            disbursement, json={**ACCOUNT, "holder_name": "김철수"}, headers=bearer(counselor)
        )
        assert other.status_code == 422 and other.json()["detail"][0]["field"] == "holder_name"
        lent = client.post(disbursement, json=ACCOUNT, headers=bearer(counselor))
        assert lent.status_code == 200, lent.text
        loan = lent.json()
        assert (loan["amount"], loan["rate"], loan["maturity_on"], loan["account_no_masked"]) == (
            1_000_000,
            "12.5",
            "2027-03-02",
            "****-7891",
        )
        assert "account_no_encrypted" not in loan and "302-1234" not in lent.text
    with business_day(platform, date(2026, 4, 2)):
        mine = client.get("/api/v1/applicant/agency-loans", headers=bearer(token))
        assert mine.status_code == 200
        [seen] = mine.json()
        assert (seen["interest_due_today"], seen["payoff_today"], seen["payback_if_repaid_today"]) == (
            10_616,
            1_010_616,
            5_308,
        )
        payments = f"/api/v1/staff/agency-loans/{loan['id']}/payments"
        keyless = client.post(payments, json={"amount": 10_616}, headers=bearer(counselor))
        assert keyless.status_code == 422
        headers = {**bearer(counselor), "Idempotency-Key": "april"}
        short = client.post(payments, json={"amount": 10_000}, headers=headers)
        assert short.status_code == 422 and short.json()["detail"][0]["field"] == "amount"
        paid = client.post(payments, json={"amount": 1_010_616}, headers=headers)
        assert paid.status_code == 200, paid.text
        assert (paid.json()["status"], paid.json()["payback"]) == ("repaid", 5_308)
        assert client.post(payments, json={"amount": 1_010_616}, headers=headers).json() == paid.json()
        late = client.post(f"/api/v1/staff/agency-loans/{loan['id']}/extension", headers=bearer(counselor))
        assert late.status_code == 409 and late.json()["code"] == "AGENCY_LOAN_NOT_ACTIVE"
