"""불법사금융예방대출 lent by the agency itself, on 2026 dates, through the services and the database (SQLite
and PostgreSQL): counseling first, the same day into the borrower's own account, interest only by the day,
yearly extensions up to five years, and half the interest paid back exactly at full repayment."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from test_applications import NAME, PHONE, PROFILE, RRN, applicant, apply, staff

from builders import business_day
from seomin.adapters.db.models import AgencyLoan, AgencyLoanPayment, Application, AuditEvent
from seomin.services.agency_loans import (
    agency_loans_of,
    disburse_agency_loan,
    extend_agency_loan,
    record_agency_payment,
)
from seomin.services.applications import complete_education, decide, submit_application
from seomin.services.errors import Conflict, Forbidden, InputError
from seomin.services.platform import Actor, Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

LENT = date(2026, 3, 2)
ACCOUNT = {"account_bank": "농협은행", "account_no": "302-1234-5678-91", "holder_name": NAME}


def approved_prevention_loan(platform: Platform) -> tuple[Actor, int]:
    person = applicant(platform)
    application_id = submit_application(
        platform,
        person,
        product_id="illegal-finance-prevention",
        requested_amount=1_000_000,
        term_months=12,
        grace_months=0,
        profile={**PROFILE, "kcb_score": 600, "annual_income": 20_000_000},
        documents=[],
    )
    assert decide(platform, staff(platform, "reviewer"), application_id, approve=True).value == "approved"
    return person, application_id


def test_the_agency_lends_after_counseling_into_the_borrowers_own_account(platform: Platform) -> None:
    with business_day(platform, LENT):
        person, application_id = approved_prevention_loan(platform)
        counselor = staff(platform, "counselor", "counselor")
        with pytest.raises(Forbidden):
            disburse_agency_loan(platform, staff(platform, "auditor", "auditor"), application_id, **ACCOUNT)
        with pytest.raises(Conflict) as untaught:
            disburse_agency_loan(platform, counselor, application_id, **ACCOUNT)
        assert untaught.value.code == "EDUCATION_REQUIRED"
        complete_education(platform, person, "policy-finance-basics")
        with pytest.raises(InputError) as someone_else:
            disburse_agency_loan(platform, counselor, application_id, **{**ACCOUNT, "holder_name": "김철수"})
        assert someone_else.value.field == "holder_name"
        with pytest.raises(InputError) as bad_number:
            disburse_agency_loan(platform, counselor, application_id, **{**ACCOUNT, "account_no": "12ab"})
        assert bad_number.value.field == "account_no"
        loan = disburse_agency_loan(platform, counselor, application_id, **ACCOUNT)
        with pytest.raises(Conflict) as twice:
            disburse_agency_loan(platform, counselor, application_id, **ACCOUNT)
        assert twice.value.code == "APPLICATION_DISBURSED"
        mine = agency_loans_of(platform, person)
    assert (loan.amount, loan.rate, loan.disbursed_on, loan.maturity_on) == (
        1_000_000,
        "12.5",
        LENT,
        date(2027, 3, 2),
    )
    assert (loan.latest_maturity_on, loan.payback_pct, loan.account_no_masked) == (
        date(2031, 3, 2),
        "50",
        "****-7891",
    )
    assert [m.id for m in mine] == [loan.id]
    with platform.sessions() as session:
        status = session.get_one(Application, application_id).status
        stored = session.get_one(AgencyLoan, loan.id)
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "agency_loan.disbursed")
        ).all()
    assert status == "disbursed" and "302-1234-5678-91" not in stored.account_no_encrypted
    assert (
        event.after is not None
        and event.after["account"] == "농협은행 ****-7891"
        and event.after["holder"] == "홍*동"
    )


def test_interest_only_by_the_day_extensions_to_five_years_and_half_the_interest_back(
    platform: Platform,
) -> None:
    with business_day(platform, LENT):
        person, application_id = approved_prevention_loan(platform)
        complete_education(platform, person, "policy-finance-basics")
        counselor = staff(platform, "counselor", "counselor")
        loan_id = disburse_agency_loan(platform, counselor, application_id, **ACCOUNT).id

    paid_interest = 0
    with business_day(platform, date(2026, 4, 2)):
        with pytest.raises(InputError) as short:
            record_agency_payment(platform, counselor, loan_id, 10_000, date(2026, 4, 2), "p-1")
        assert short.value.field == "amount" and "10,616" in short.value.message  # 31 days at 12.5%
        first = record_agency_payment(platform, counselor, loan_id, 10_616, date(2026, 4, 2), "p-1")
        again = record_agency_payment(platform, counselor, loan_id, 10_616, date(2026, 4, 2), "p-1")
        assert again == first and first.interest_paid_through == date(2026, 4, 2)
        with pytest.raises(Conflict) as reused:
            record_agency_payment(platform, counselor, loan_id, 20_000, date(2026, 4, 2), "p-1")
        assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
        paid_interest += 10_616

    maturity = date(2027, 3, 2)
    for year in range(4):  # four extensions: 2028, 2029, 2030, 2031 (five years from 2026-03-02)
        with business_day(platform, maturity):
            with pytest.raises(Conflict) as unpaid:
                extend_agency_loan(platform, counselor, loan_id)
            assert unpaid.value.code == "INTEREST_UNPAID"
            due = agency_loans_of(platform, person)[0].interest_due_today
            record_agency_payment(platform, counselor, loan_id, due, maturity, f"y-{year}")
            paid_interest += due
            maturity = extend_agency_loan(platform, counselor, loan_id).maturity_on
    assert maturity == date(2031, 3, 2)
    with business_day(platform, maturity):
        due = agency_loans_of(platform, person)[0].interest_due_today
        record_agency_payment(platform, counselor, loan_id, due, maturity, "y-last")
        with pytest.raises(Conflict) as limit:
            extend_agency_loan(platform, counselor, loan_id)
        assert limit.value.code == "EXTENSION_LIMIT"
        paid_interest += due
        shown = agency_loans_of(platform, person)[0]
        assert shown.payback_if_repaid_today == paid_interest // 2  # told before repaying
        done = record_agency_payment(platform, counselor, loan_id, 1_000_000, maturity, "payoff")
    assert (done.status, done.principal_balance, done.repaid_on) == ("repaid", 0, maturity)
    assert done.interest_paid == paid_interest and done.payback == paid_interest // 2
    with platform.sessions() as session:
        payments = session.scalar(select(func.count()).select_from(AgencyLoanPayment))
    assert payments == 1 + 4 + 1 + 1


def test_a_bank_product_is_not_lent_by_the_agency(platform: Platform) -> None:
    person = applicant(platform)
    application_id = apply(platform, person)
    decide(platform, staff(platform, "reviewer"), application_id, approve=True)
    with pytest.raises(Conflict) as refused:
        disburse_agency_loan(platform, staff(platform, "counselor", "counselor"), application_id, **ACCOUNT)
    assert refused.value.code == "NOT_AN_AGENCY_LOAN"


def test_agency_loans_count_toward_their_own_supply_line(platform: Platform) -> None:
    from decimal import Decimal

    from seomin.services.analytics.supply import LineKey, actual_supply

    with business_day(platform, LENT):
        person, application_id = approved_prevention_loan(platform)
        complete_education(platform, person, "policy-finance-basics")
        disburse_agency_loan(platform, staff(platform, "counselor", "counselor"), application_id, **ACCOUNT)
    supply = actual_supply(platform.engine, 2026, date(2026, 12, 31))
    line = LineKey("불법사금융예방대출", "불법사금융예방대출")
    assert supply.by_line == {line: Decimal("0.01")}  # 1,000,000 won = 0.01억 원
    assert supply.monthly[line][2] == Decimal("0.01")  # March


def test_my_page_shows_the_agency_loan_with_the_payback_ahead(platform: Platform) -> None:
    from fastapi.testclient import TestClient

    from identity_steps import page_sign_in
    from seomin.adapters.http.app import create_app

    with business_day(platform, LENT):
        person, application_id = approved_prevention_loan(platform)
        complete_education(platform, person, "policy-finance-basics")
        disburse_agency_loan(platform, staff(platform, "counselor", "counselor"), application_id, **ACCOUNT)
    with business_day(platform, date(2026, 4, 2)), TestClient(create_app(platform)) as client:
        assert page_sign_in(client, NAME, RRN, PHONE).status_code == 303
        html = client.get("/my").text
    assert 'data-agency-loan="' in html and "서민금융진흥원에서 직접 받은 대출" in html
    assert 'data-agency="interest">10,616원<' in html
    assert "5,308원" in html and "농협은행 ****-7891" in html and "302-1234" not in html
    assert "진흥원 직접대출 지급" in html  # the application's state in words
    assert "data-unconfirmed" in html  # the 2026 version's unverified terms are said to be so


def test_an_unpaid_agency_loan_goes_to_the_agencys_own_collection(platform: Platform) -> None:
    """90 days past maturity, close of business moves the principal and the interest to that day into a
    recourse debt owed to the agency (no bank, no claim), which then takes an installment plan."""
    from fastapi.testclient import TestClient

    from identity_steps import page_sign_in
    from seomin.adapters.db.models import RecourseDebt
    from seomin.adapters.http.app import create_app
    from seomin.services.close_of_business import run_close_of_business
    from seomin.services.recourse import grant_installment_plan

    with business_day(platform, LENT):
        person, application_id = approved_prevention_loan(platform)
        complete_education(platform, person, "policy-finance-basics")
        counselor = staff(platform, "counselor", "counselor")
        loan_id = disburse_agency_loan(platform, counselor, application_id, **ACCOUNT).id
    with business_day(platform, date(2027, 5, 30)):  # 89 days past the 2027-03-02 maturity
        assert run_close_of_business(platform, date(2027, 5, 30))["agency_loans_defaulted"] == 0
    with business_day(platform, date(2027, 5, 31)):
        stats = run_close_of_business(platform, date(2027, 5, 31))
        assert stats["agency_loans_defaulted"] == 1
        with pytest.raises(Conflict) as late:
            record_agency_payment(platform, counselor, loan_id, 10_000, date(2027, 5, 31), "late")
        assert late.value.code == "AGENCY_LOAN_NOT_ACTIVE"
    with platform.sessions() as session:
        debt = session.scalars(select(RecourseDebt).where(RecourseDebt.agency_loan_id == loan_id)).one()
        loan = session.get_one(AgencyLoan, loan_id)
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "agency_loan.defaulted")
        ).all()
    interest = 1_000_000 * 1250 * 455 // 3_650_000  # 455 days at 12.5%, actual/365, truncated
    assert (loan.status, debt.claim_id, debt.principal, debt.balance) == (
        "defaulted",
        None,
        1_000_000 + interest,
        1_000_000 + interest,
    )
    assert event.after is not None and event.after["interest"] == interest
    with business_day(platform, date(2027, 6, 1)):
        plan = grant_installment_plan(platform, counselor, debt.id, 24, date(2027, 7, 1))
        assert plan.monthly_amount == (1_000_000 + interest) // 24
        with TestClient(create_app(platform)) as client:
            assert page_sign_in(client, NAME, RRN, PHONE).status_code == 303
            html = client.get("/my").text
    assert 'data-recourse-origin="agency"' in html and "진흥원 직접대출" in html
