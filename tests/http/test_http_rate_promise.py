"""The rate the self-check and the simulator promise is the rate the executed loan pays: one loan followed
from the self-check and the simulation through application, execution and close of business at each
execution anniversary, with the preferential 0.1%p (우대금리) applied after the floor too (9.9% - 0.1%p =
9.8%, never 9.9%)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from test_close_of_business import pay_through
from test_http_applicant import (
    COURSE,
    PROFILE,
    TestClient,
    applicant_token,
    apply,
    bank_key,
    bearer,
    staff_token,
)

from builders import business_day
from seomin.adapters.db.models import Installment, Loan
from seomin.services.close_of_business import run_close_of_business
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

EXECUTED = date(2025, 5, 15)  # the fixture's business day


def yearly_rates(simulation: dict[str, Any]) -> list[str]:
    """The simulated annual rate of each year's first installment."""
    return [i["annual_rate"] for i in simulation["installments"][::12]]


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ({"preferential": ["consulting"]}, ["15.8", "12.8", "9.8"]),
        ({}, ["15.9", "12.9", "9.9"]),
    ],
    ids=["preferential-after-floor", "no-cut"],
)
def test_the_executed_loan_follows_the_simulated_rates(
    client: TestClient, platform: Platform, profile: dict[str, Any], expected: list[str]
) -> None:
    checked = client.post(
        "/api/v1/eligibility",
        json={
            "product": "lowest-credit-special",
            "as_of": EXECUTED.isoformat(),
            "profile": {**PROFILE, "birth_date": "1985-03-01", **profile},
        },
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["offer"]["annual_rate"] == expected[0]  # the self-check's promise
    simulated = client.post(
        "/api/v1/simulations",
        json={
            "product": "lowest-credit-special",
            "amount": 3_000_000,
            "term_months": 36,
            "grace_months": 0,
            "start": EXECUTED.isoformat(),
            **profile,
        },
    )
    assert simulated.status_code == 200, simulated.text
    assert yearly_rates(simulated.json()) == expected

    token = applicant_token(client)
    created = apply(client, token, 3_000_000, term_months=36, grace_months=0, profile={**PROFILE, **profile})
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    reviewer = staff_token(client, platform, "rev", "reviewer")
    decided = client.post(
        f"/api/v1/staff/applications/{application_id}/decision",
        json={"approve": True},
        headers=bearer(reviewer),
    )
    assert decided.json()["status"] == "approved", decided.text
    assert client.post(
        "/api/v1/applicant/education", json={"course": COURSE}, headers=bearer(token)
    ).is_success
    certificate = client.post(
        f"/api/v1/applicant/applications/{application_id}/agreement",
        json={"bank_code": "kwangju"},
        headers=bearer(token),
    ).json()
    assert certificate["rate_bp"] == int(expected[0].replace(".", "")) * 10
    executed = client.post(
        "/api/v1/bank/loans",
        json={k: certificate[k] for k in ("certificate_no", "verification_code")},
        headers={**bank_key(platform), "Idempotency-Key": "promise-1"},
    )
    assert executed.status_code == 200, executed.text
    loan_id = executed.json()["loan_id"]

    rates = []
    for year in (1, 2):
        anniversary = date(EXECUTED.year + year, EXECUTED.month, EXECUTED.day)
        pay_through(platform, loan_id, anniversary)
        with business_day(platform, anniversary):
            run_close_of_business(platform, anniversary)
        with platform.sessions() as session:
            loan = session.get_one(Loan, loan_id)
            rates.append(loan.current_rate_bp)
            first_of_year = session.scalars(
                select(Installment.rate_bp).where(
                    Installment.loan_id == loan_id, Installment.no == 12 * year + 1
                )
            ).one()
        assert first_of_year == loan.current_rate_bp
    assert [f"{bp / 100:.1f}" for bp in rates] == expected[1:]
    with platform.sessions() as session:
        contract = session.scalars(
            select(Installment.rate_bp).where(Installment.loan_id == loan_id).order_by(Installment.no)
        ).all()
    simulated_bp = [round(float(i["annual_rate"]) * 100) for i in simulated.json()["installments"]]
    assert list(contract) == simulated_bp  # every installment, as promised


def test_a_2026_vulnerable_borrower_steps_down_to_their_own_floor(
    client: TestClient, platform: Platform
) -> None:
    """A dated 2026 journey through the API: 햇살론 특례보증 at 9.9% for a 배려 applicant, BNK부산은행 as
    lender, stepping down 1.5%p a year to the 배려 floor of 7.0% (the general floor, 9.5%, is not theirs)."""
    day = date(2026, 3, 2)
    profile = {**PROFILE, "haessal15": "none", "vulnerable": True}
    documents = [
        ("employment_certificate", "2026-02-20", "재직증명서.pdf", b"%PDF employment 2026"),
        ("income_amount_certificate", "2026-02-20", "소득금액증명원.pdf", b"%PDF income 2026"),
    ]
    with business_day(platform, day):
        simulated = client.post(
            "/api/v1/simulations",
            json={
                "product": "haessal-special",
                "amount": 5_000_000,
                "term_months": 36,
                "start": day.isoformat(),
                "vulnerable": True,
            },
        ).json()
        assert yearly_rates(simulated) == ["9.9", "8.4", "7"]
        token = applicant_token(client)
        created = apply(
            client,
            token,
            5_000_000,
            documents=documents,
            product_id="haessal-special",
            term_months=36,
            grace_months=0,
            profile=profile,
        )
        assert created.status_code == 201, created.text
        application_id = created.json()["id"]
        mine = client.get(f"/api/v1/applicant/applications/{application_id}", headers=bearer(token)).json()
        assert mine["screening"]["status"] == "eligible", mine["screening"]
        reviewer = staff_token(client, platform, "rev", "reviewer")
        client.post(
            f"/api/v1/staff/applications/{application_id}/decision",
            json={"approve": True},
            headers=bearer(reviewer),
        )
        assert client.post(
            "/api/v1/applicant/education", json={"course": COURSE}, headers=bearer(token)
        ).is_success
        kwangju = client.post(
            f"/api/v1/applicant/applications/{application_id}/agreement",
            json={"bank_code": "kwangju"},
            headers=bearer(token),
        )
        assert kwangju.status_code == 422 and kwangju.json()["detail"][0]["field"] == "bank_code"
        certificate = client.post(
            f"/api/v1/applicant/applications/{application_id}/agreement",
            json={"bank_code": "busan"},
            headers=bearer(token),
        ).json()
        assert certificate["rate_bp"] == 990 and certificate["bank_code"] == "busan"
        executed = client.post(
            "/api/v1/bank/loans",
            json={k: certificate[k] for k in ("certificate_no", "verification_code")},
            headers={**bank_key(platform, "busan"), "Idempotency-Key": "vulnerable-1"},
        )
        assert executed.status_code == 200, executed.text
        loan_id = executed.json()["loan_id"]
    rates = []
    for anniversary in (date(2027, 3, 2), date(2028, 3, 2)):
        pay_through(platform, loan_id, anniversary)
        with business_day(platform, anniversary):
            run_close_of_business(platform, anniversary)
        with platform.sessions() as session:
            rates.append(session.get_one(Loan, loan_id).current_rate_bp)
    assert rates == [840, 700]
