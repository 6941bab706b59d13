"""The partner-bank desk through the real app (TestClient, both databases): sign-in with an API key,
certificate verification with masked personal data, the bank's loans, and a payment posted exactly once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from builders import business_day, make_guarantee
from seomin.adapters.db.models import BankApiKey, Payment
from seomin.services.identity import issue_bank_api_key
from seomin.services.loans import execute_loan, payoff_quote
from seomin.services.platform import Actor, ActorType, Platform

KWANGJU = Actor(ActorType.BANK, "kwangju")


@pytest.fixture()
def desk(client: TestClient, platform: Platform) -> TestClient:
    """The client signed in as 광주은행."""
    key = issue_bank_api_key(platform, "kwangju")
    response = client.post("/bank/login", data={"api_key": key, "next": "/bank"}, follow_redirects=False)
    assert response.status_code == 303
    return client


def executed_loan(platform: Platform, amount: int = 5_000_000) -> int:
    """A loan of 광주은행 made through the service on 2025-04-10 (first installment due 2025-05-12)."""
    _, certificate = make_guarantee(platform, amount=amount, issued_on=date(2025, 4, 10))
    with business_day(platform, date(2025, 4, 10)):
        loan = execute_loan(platform, KWANGJU, certificate, "123456", date(2025, 4, 10), "exec-1")
    return int(loan["loan_id"])


def payment_count(platform: Platform) -> int:
    with platform.sessions() as session:
        return session.execute(select(func.count()).select_from(Payment)).scalar_one()


def test_the_desk_needs_a_signed_in_bank(client: TestClient) -> None:
    for path in ("/bank", "/bank/verify", "/bank/loans", "/bank/loans/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/bank/login?next=")


def test_a_wrong_key_is_a_401_with_a_message_never_a_traceback(
    client: TestClient, platform: Platform
) -> None:
    issue_bank_api_key(platform, "kwangju")
    for key in ("nope", "abc.def", "demo-kwangju.wrong"):
        response = client.post("/bank/login", data={"api_key": key})
        assert response.status_code == 401
        assert 'id="login-failed"' in response.text
        assert "API 키가 올바르지 않거나" in response.text
        assert "seomin_bank" not in response.cookies
    empty = client.post("/bank/login", data={"api_key": ""})
    assert empty.status_code == 422 and 'id="api_key-error"' in empty.text


def test_sign_in_goes_back_where_it_was_asked_and_sign_out_ends_it(
    client: TestClient, platform: Platform
) -> None:
    key = issue_bank_api_key(platform, "kwangju")
    response = client.post(
        "/bank/login", data={"api_key": key, "next": "/bank/loans"}, follow_redirects=False
    )
    assert response.headers["location"] == "/bank/loans"
    assert key not in response.headers.get("set-cookie", "")
    home = client.get("/bank")
    assert home.status_code == 200 and "광주은행 창구" in home.text
    outside = client.post(
        "/bank/login", data={"api_key": key, "next": "https://evil.example/"}, follow_redirects=False
    )
    assert outside.headers["location"] == "/bank"
    copied = client.cookies.get("seomin_bank")
    client.post("/bank/logout")
    assert client.get("/bank", follow_redirects=False).status_code == 303
    assert copied is not None
    client.cookies.set("seomin_bank", copied)  # a copy of the cookie kept from before the sign-out
    assert client.get("/bank", follow_redirects=False).status_code == 303  # ended server-side


def test_a_revoked_key_ends_the_desk_session_on_the_next_request(
    desk: TestClient, platform: Platform
) -> None:
    assert desk.get("/bank").status_code == 200
    with platform.sessions.begin() as session:
        session.execute(update(BankApiKey).values(revoked_at=datetime.now(UTC)))
    assert desk.get("/bank", follow_redirects=False).status_code == 303


def test_a_certificate_shows_its_terms_with_the_applicant_masked(
    desk: TestClient, platform: Platform
) -> None:
    _, certificate = make_guarantee(platform, amount=3_000_000, term_months=36, grace_months=12)
    response = desk.post("/bank/verify", data={"certificate_no": certificate, "verification_code": "123456"})
    assert response.status_code == 200
    html = response.text
    assert 'data-field="amount">3,000,000원<' in html
    assert 'data-field="rate">연 15.9%<' in html
    assert "12개월 거치 + 36개월" in html
    assert 'data-field="expires">2025.05.31<' in html
    assert re.search(r'data-field="name">테\*+\d<', html)  # 테스트N, masked
    assert "******" in html and "010-****-5678" in html
    assert 'id="verify-ok"' in html


def test_a_wrong_code_or_number_is_a_clear_error(desk: TestClient, platform: Platform) -> None:
    _, certificate = make_guarantee(platform)
    wrong = desk.post("/bank/verify", data={"certificate_no": certificate, "verification_code": "000000"})
    assert wrong.status_code == 409
    assert "보증서 번호와 확인 코드가 맞지 않습니다" in wrong.text
    assert 'data-field="amount"' not in wrong.text
    unknown = desk.post(
        "/bank/verify", data={"certificate_no": "G20990101999999", "verification_code": "123456"}
    )
    assert unknown.status_code == 404 and "찾을 수 없습니다" in unknown.text
    other_bank = make_guarantee(platform, bank_code="jeonbuk")[1]
    hidden = desk.post("/bank/verify", data={"certificate_no": other_bank, "verification_code": "123456"})
    assert hidden.status_code == 404
    empty = desk.post("/bank/verify", data={"certificate_no": "", "verification_code": ""})
    assert empty.status_code == 422
    assert 'id="certificate_no-error"' in empty.text and 'id="verification_code-error"' in empty.text


def test_the_loans_list_and_a_loan_with_its_schedule(desk: TestClient, platform: Platform) -> None:
    loan_id = executed_loan(platform)
    listing = desk.get("/bank/loans").text
    assert f'data-loan="{loan_id}"' in listing
    assert "5,000,000원" in listing and "2025.04.10" in listing
    assert f'data-loan="{loan_id}"' not in desk.get("/bank/loans", params={"status": "repaid"}).text
    bad = desk.get("/bank/loans", params={"status": "nope"})
    assert bad.status_code == 422 and 'id="status-error"' in bad.text
    page = desk.get(f"/bank/loans/{loan_id}")
    assert page.status_code == 200
    assert page.text.count("data-installment=") == 60
    assert "2025.05.12" in page.text  # 2025-05-10 is a Saturday
    assert re.search(r'name="idempotency_key" value="[0-9a-f-]{36}"', page.text)
    # the first installment (2025-05-12) is 3 days late on 2025-05-15: the overdue total and the payoff
    quote = payoff_quote(platform, KWANGJU, loan_id, platform.today())
    assert quote["amount_due"] > 0
    assert f'data-field="overdue">{quote["amount_due"]:,}원<' in page.text
    assert f'data-field="payoff">{quote["total"]:,}원<' in page.text
    assert desk.get("/bank/loans/999999").status_code == 404
    assert desk.get("/bank/loans/abc").status_code == 404


def test_another_banks_loan_is_not_found(desk: TestClient, platform: Platform) -> None:
    _, certificate = make_guarantee(platform, bank_code="jeonbuk", issued_on=date(2025, 4, 10))
    with business_day(platform, date(2025, 4, 10)):
        other = execute_loan(
            platform, Actor(ActorType.BANK, "jeonbuk"), certificate, "123456", date(2025, 4, 10), "k"
        )
    assert desk.get(f"/bank/loans/{other['loan_id']}").status_code == 404
    response = desk.post(
        f"/bank/loans/{other['loan_id']}/payments",
        data={"amount": "100000", "paid_on": "2025-05-15", "idempotency_key": "x-1"},
    )
    assert response.status_code == 404
    assert payment_count(platform) == 0


def test_a_double_submitted_payment_is_posted_once(desk: TestClient, platform: Platform) -> None:
    loan_id = executed_loan(platform)
    form = {"amount": "200,000", "paid_on": "2025-05-15", "idempotency_key": "3f2b7c1e-desk-double"}
    first = desk.post(f"/bank/loans/{loan_id}/payments", data=form)
    second = desk.post(f"/bank/loans/{loan_id}/payments", data=form)
    assert first.status_code == second.status_code == 200
    assert payment_count(platform) == 1
    ids = [re.search(r"입금 번호 (\d+)", r.text) for r in (first, second)]
    assert ids[0] and ids[1] and ids[0].group(1) == ids[1].group(1)
    html = first.text
    assert 'id="allocation"' in html
    assert "200,000원" in html
    parts = {
        name: int(value.replace(",", ""))
        for name, value in re.findall(r'data-part="(\w+)">([\d,]+)원<', html)
    }
    paid = sum(parts[p] for p in ("delinquency_interest", "interest", "principal", "prepaid_principal"))
    assert paid + parts["prepayment_interest"] == 200_000
    assert parts["delinquency_interest"] > 0  # the installment of 2025-05-12 was three days late
    assert 'data-payment="' in desk.get(f"/bank/loans/{loan_id}").text


def test_the_same_form_with_another_amount_is_refused_and_a_fresh_form_given(
    desk: TestClient, platform: Platform
) -> None:
    loan_id = executed_loan(platform)
    form = {"amount": "200000", "paid_on": "2025-05-15", "idempotency_key": "k-reused"}
    desk.post(f"/bank/loans/{loan_id}/payments", data=form)
    again = desk.post(f"/bank/loans/{loan_id}/payments", data={**form, "amount": "300000"})
    assert again.status_code == 409
    assert "이미 다른 입금을 처리했습니다" in again.text
    assert 'value="k-reused"' not in again.text
    assert payment_count(platform) == 1


@pytest.mark.parametrize(
    ("amount", "paid_on", "field"),
    [("", "2025-05-15", "amount"), ("많이", "2025-05-15", "amount"), ("0", "2025-05-15", "amount"),
     ("100000", "", "paid_on"), ("100000", "2025-13-01", "paid_on"), ("100000", "2025-06-01", "paid_on"),
     ("100000", "2025-03-01", "paid_on")],
)  # fmt: skip
def test_bad_payment_input_is_a_422_beside_the_field_and_writes_nothing(
    desk: TestClient, platform: Platform, amount: str, paid_on: str, field: str
) -> None:
    loan_id = executed_loan(platform)
    response = desk.post(
        f"/bank/loans/{loan_id}/payments",
        data={"amount": amount, "paid_on": paid_on, "idempotency_key": "k-bad"},
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert 'value="k-bad"' in response.text  # nothing was posted: the same form may be sent again
    assert payment_count(platform) == 0


def test_more_than_the_payoff_is_a_409_with_the_reason(desk: TestClient, platform: Platform) -> None:
    loan_id = executed_loan(platform, amount=1_000_000)
    response = desk.post(
        f"/bank/loans/{loan_id}/payments",
        data={"amount": "5000000", "paid_on": "2025-05-15", "idempotency_key": "k-big"},
    )
    assert response.status_code == 409
    assert "완제 금액보다 많습니다" in response.text
    assert payment_count(platform) == 0


def test_a_form_without_its_key_posts_nothing(desk: TestClient, platform: Platform) -> None:
    loan_id = executed_loan(platform)
    response = desk.post(
        f"/bank/loans/{loan_id}/payments", data={"amount": "100000", "paid_on": "2025-05-15"}
    )
    assert response.status_code == 422
    assert "입력 화면이 만료되었습니다" in response.text
    assert payment_count(platform) == 0


def test_english(desk: TestClient, platform: Platform) -> None:
    _, certificate = make_guarantee(platform)
    desk.get("/bank?lang=en")
    html = desk.post("/bank/verify", data={"certificate_no": certificate, "verification_code": "1"}).text
    assert "do not match" in html


def test_a_verified_certificate_is_executed_from_the_desk_exactly_once(
    desk: TestClient, platform: Platform
) -> None:
    """Issue 12: after verifying a certificate the desk can make the loan, today, once however often the
    button is pressed."""
    from seomin.adapters.db.models import Loan

    _, certificate = make_guarantee(platform, amount=3_000_000, issued_on=date(2025, 5, 15))
    verified = desk.post("/bank/verify", data={"certificate_no": certificate, "verification_code": "123456"})
    assert 'id="execute-form"' in verified.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', verified.text)
    assert key is not None
    form = {"certificate_no": certificate, "verification_code": "123456", "idempotency_key": key.group(1)}
    first = desk.post("/bank/execute", data=form, follow_redirects=False)
    again = desk.post("/bank/execute", data=form, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/bank/loans/")
    assert again.headers["location"] == first.headers["location"]
    with platform.sessions() as session:
        assert session.execute(select(func.count()).select_from(Loan)).scalar_one() == 1
    shown = desk.get(first.headers["location"])
    assert shown.status_code == 200 and "3,000,000원" in shown.text
    after = desk.post("/bank/verify", data={"certificate_no": certificate, "verification_code": "123456"})
    assert 'id="execute-form"' not in after.text  # executed: no second button
    wrong = desk.post("/bank/execute", data={**form, "verification_code": "000000", "idempotency_key": "x"})
    assert wrong.status_code in (409, 422) and "Traceback" not in wrong.text


def test_the_desk_asks_for_a_write_off_that_a_supervisor_then_applies(
    desk: TestClient, platform: Platform
) -> None:
    from seomin.services.identity import create_staff_user
    from seomin.services.loan_servicing import decide_correction, list_corrections

    loan_id = executed_loan(platform)
    page = desk.get(f"/bank/loans/{loan_id}").text
    assert f'action="/bank/loans/{loan_id}/corrections"' in page and "상각" in page
    missing = desk.post(f"/bank/loans/{loan_id}/corrections", data={"kind": "adjustment", "reason": "x"})
    assert missing.status_code == 422
    assert 'id="c_payment_id-error"' in missing.text and 'id="c_amount-error"' in missing.text
    asked = desk.post(f"/bank/loans/{loan_id}/corrections", data={"kind": "write_off", "reason": "회수 불능"})
    assert asked.status_code == 200 and "승인하면 반영됩니다" in asked.text
    twice = desk.post(f"/bank/loans/{loan_id}/corrections", data={"kind": "write_off", "reason": "again"})
    assert twice.status_code == 409  # one request waits at a time
    supervisor_id = create_staff_user(platform, "desk-sup", "팀장", "a long enough secret", "supervisor")
    supervisor = Actor(ActorType.STAFF, str(supervisor_id), role="supervisor")
    [pending] = list_corrections(platform, supervisor)
    assert pending.kind == "write_off" and pending.loan_id == loan_id
    decide_correction(platform, supervisor, pending.id, approve=True)
    closed = desk.get(f"/bank/loans/{loan_id}").text
    assert "상각" in closed and f'action="/bank/loans/{loan_id}/corrections"' not in closed
