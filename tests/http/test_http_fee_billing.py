"""보증료 billing, collection reports, reconciliation and automatic refunds through HTTP on both databases:
a fee-separate guarantee is billed from the catalog at execution, a partial prepayment refunds the unearned
share (REFUND_CEIL_WON of SHARE_FLOOR_BP), the full repayment the rest, a bank's over-collection comes back
too, and the person is paid once to an own-name account and told by SMS; the ledger totals zero."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from test_http_applicant import (
    COURSE,
    NAME,
    PHONE,
    applicant_token,
    approved_certificate,
    bank_key,
    bearer,
    staff_token,
)
from test_http_bank import credentials
from test_http_concurrency import race

from live_server import served
from seomin.adapters.db.models import Guarantee
from seomin.adapters.http import create_app
from seomin.domain.guarantee_fees import prepaid_fee, repaid_share_bp, unearned_refund
from seomin.services.guarantee_fees import bill_fees
from seomin.services.ledger import trial_balance
from seomin.services.notifications import messages_to
from seomin.services.platform import SYSTEM, Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def fee_separate_loan(
    client: TestClient, platform: Platform, product: tuple[str, str]
) -> tuple[int, int, dict[str, str]]:
    """A 3,000,000 loan of a fee-separate product (90% guaranteed) executed at 광주은행 on 2025-05-15."""
    certificate = approved_certificate(client, platform)
    with platform.sessions.begin() as session:
        row = session.query(Guarantee).filter_by(certificate_no=certificate["certificate_no"]).one()
        row.product_id, row.product_version, row.ratio_bp = *product, 9_000
        guarantee_id = row.id
    key = bank_key(platform)
    executed = client.post(
        "/api/v1/bank/loans", json=credentials(certificate), headers={**key, "Idempotency-Key": "e"}
    )
    assert executed.status_code == 200, executed.text
    return guarantee_id, executed.json()["loan_id"], key


def test_prepaid_fee_refunded_on_partial_then_full_repayment_and_paid_once(
    client: TestClient, platform: Platform
) -> None:
    guarantee_id, loan_id, key = fee_separate_loan(client, platform, ("haessal-general", "2026-01"))
    with platform.sessions() as session:
        g = session.get_one(Guarantee, guarantee_id)
        start, months, number = g.issued_on, g.term_months + g.grace_months, g.certificate_no
    assert bill_fees(platform, SYSTEM, date(2025, 5, 15)) == 1
    assert bill_fees(platform, SYSTEM, date(2025, 5, 16)) == 0  # billed once
    end = date(start.year + months // 12, start.month, start.day)
    fee = prepaid_fee(2_700_000, 100, start, end)  # 1.0% on the 90% share; no education before applying
    platform.today = lambda: date(2025, 8, 11)
    part = client.post(
        f"/api/v1/bank/loans/{loan_id}/prepayments",
        json={"amount": 1_000_000},
        headers={**key, "Idempotency-Key": "p1"},
    )
    assert part.status_code in (200, 201), part.text
    prepaid = part.json()["prepaid_principal"]
    first = unearned_refund(fee, start, end, date(2025, 8, 11), repaid_share_bp(prepaid, 3_000_000))
    me = bearer(applicant_token(client))
    owed = client.get("/api/v1/applicant/guarantee-fee-refunds", headers=me).json()
    assert [(r["certificate_no"], r["reason"], r["amount"], r["status"]) for r in owed] == [
        (number, "unearned", first, "unpaid")
    ]
    platform.today = lambda: date(2025, 9, 1)
    full = client.post(
        f"/api/v1/bank/loans/{loan_id}/prepayments", json={}, headers={**key, "Idempotency-Key": "p2"}
    )
    assert full.status_code in (200, 201), full.text
    second = unearned_refund(fee, start, end, date(2025, 9, 1), 10_000 - repaid_share_bp(prepaid, 3_000_000))
    again = client.post(
        f"/api/v1/bank/loans/{loan_id}/prepayments", json={}, headers={**key, "Idempotency-Key": "p2"}
    )
    assert again.status_code == full.status_code  # a retried payment refunds nothing twice
    # the bank collected the fee and 5,000 won too much: the excess comes back as well
    report = {"month": "2025-05", "rows": [{"certificate_no": number, "amount": fee + 5_000}]}
    reported = client.post("/api/v1/bank/guarantee-fee-reports", json=report, headers=key)
    assert reported.status_code == 200 and reported.json()["overpaid_refunds"] == 5_000, reported.text
    assert client.post("/api/v1/bank/guarantee-fee-reports", json=report, headers=key).json()["added"] == 0
    changed = {"month": "2025-05", "rows": [{"certificate_no": number, "amount": fee}]}
    assert client.post("/api/v1/bank/guarantee-fee-reports", json=changed, headers=key).status_code == 409
    unknown = {"month": "2025-05", "rows": [{"certificate_no": "nope", "amount": 1}]}
    bad = client.post("/api/v1/bank/guarantee-fee-reports", json=unknown, headers=key)
    assert bad.status_code == 422 and "rows.0.certificate_no" in bad.text
    auditor = bearer(staff_token(client, platform, "aud9", "auditor"))
    diff = client.get(
        "/api/v1/staff/guarantee-fees/reconciliation",
        params={"bank_code": "kwangju", "month": "2025-05"},
        headers=auditor,
    ).json()
    assert (diff["billed"], diff["reported"]) == (fee, fee + 5_000)
    assert diff["differences"] == [
        {"certificate_no": number, "billed": fee, "reported": fee + 5_000, "difference": 5_000}
    ]
    owed = client.get("/api/v1/applicant/guarantee-fee-refunds", headers=me).json()
    assert [(r["reason"], r["amount"]) for r in owed] == [
        ("unearned", first),
        ("unearned", second),
        ("overpaid", 5_000),
    ]
    assert first + second <= fee
    wrong = client.post(
        "/api/v1/applicant/guarantee-fee-refunds/claim",
        headers=me,
        json={"account": "110123456789", "account_holder_name": "김철수"},
    )
    assert wrong.status_code == 422 and "account_holder_name" in wrong.text
    body = {"account": "110-123-456789", "account_holder_name": NAME}
    paid = client.post("/api/v1/applicant/guarantee-fee-refunds/claim", headers=me, json=body)
    assert paid.status_code == 200 and [r["status"] for r in paid.json()] == ["paid"] * 3, paid.text
    assert "456789" not in paid.text
    assert client.post("/api/v1/applicant/guarantee-fee-refunds/claim", headers=me, json=body).json() == []
    texts = [
        m.text for m in messages_to(platform, PHONE.replace("-", "")) if m.template_id == "fee_refund_paid"
    ]
    assert len(texts) == 3 and f"{5_000:,}원" in " ".join(texts)
    book = trial_balance(platform, SYSTEM)
    assert book.total == 0
    balances = {(b.account, b.party): b.balance for b in book.balances}
    assert balances[("fee.refund_payable", "")] == 0  # every refund owed was paid
    assert balances[("fee.bank_receivable", "kwangju")] == -5_000  # the bank collected more than billed
    assert balances[("fee.income", "kwangju")] == -(fee - first - second - 5_000)


def test_fee_included_products_bill_and_refund_nothing(client: TestClient, platform: Platform) -> None:
    certificate = approved_certificate(client, platform)
    key = bank_key(platform)
    loan_id = client.post(
        "/api/v1/bank/loans", json=credentials(certificate), headers={**key, "Idempotency-Key": "e"}
    ).json()["loan_id"]
    platform.today = lambda: date(2025, 6, 1)
    client.post(
        f"/api/v1/bank/loans/{loan_id}/prepayments", json={}, headers={**key, "Idempotency-Key": "pp"}
    )
    assert bill_fees(platform, SYSTEM, date(2025, 6, 1)) == 0
    assert (
        client.get("/api/v1/applicant/guarantee-fee-refunds", headers=bearer(applicant_token(client))).json()
        == []
    )
    assert trial_balance(platform, SYSTEM).entries == 0


def test_a_periodic_fee_with_the_education_cut_bills_yearly_on_the_balance(
    client: TestClient, platform: Platform
) -> None:
    """근로자햇살론: 1.0% a year less 0.1%p for education taken before applying, on the guaranteed balance
    at each anniversary; a partial prepayment refunds nothing (next year's base falls), the full repayment
    refunds the unearned part of the current year."""
    platform.today = lambda: date(2025, 5, 1)
    early = client.post(
        "/api/v1/applicant/education", json={"course": COURSE}, headers=bearer(applicant_token(client))
    )
    assert early.is_success, early.text
    platform.today = lambda: date(2025, 5, 15)
    _, loan_id, key = fee_separate_loan(client, platform, ("worker-haessal", "2019-01"))
    assert bill_fees(platform, SYSTEM, date(2025, 5, 15)) == 1
    platform.today = lambda: date(2025, 9, 1)
    part = client.post(
        f"/api/v1/bank/loans/{loan_id}/prepayments",
        json={"amount": 1_000_000},
        headers={**key, "Idempotency-Key": "p"},
    )
    assert part.status_code == 200, part.text
    me = bearer(applicant_token(client))
    assert client.get("/api/v1/applicant/guarantee-fee-refunds", headers=me).json() == []
    balance = client.get(f"/api/v1/bank/loans/{loan_id}", headers=key).json()["principal_balance"]
    assert bill_fees(platform, SYSTEM, date(2026, 5, 15)) == 1
    platform.today = lambda: date(2026, 8, 1)
    assert (
        client.post(
            f"/api/v1/bank/loans/{loan_id}/prepayments", json={}, headers={**key, "Idempotency-Key": "f"}
        ).status_code
        == 200
    )
    assert bill_fees(platform, SYSTEM, date(2027, 5, 15)) == 0  # a repaid loan is billed no more
    first = prepaid_fee(2_700_000, 90, date(2025, 5, 15), date(2026, 5, 15))
    second = prepaid_fee(balance * 9_000 // 10_000, 90, date(2026, 5, 15), date(2027, 5, 15))
    refund = unearned_refund(second, date(2026, 5, 15), date(2027, 5, 15), date(2026, 8, 1))
    owed = client.get("/api/v1/applicant/guarantee-fee-refunds", headers=me).json()
    assert [(r["reason"], r["amount"]) for r in owed] == [("unearned", refund)]
    book = trial_balance(platform, SYSTEM)
    balances = {(b.account, b.party): b.balance for b in book.balances}
    assert balances[("fee.income", "kwangju")] == -(first + second - refund) and book.total == 0


def test_racing_refund_claims_pay_once(platform: Platform) -> None:
    client = TestClient(create_app(platform))
    _, loan_id, key = fee_separate_loan(client, platform, ("haessal-general", "2026-01"))
    platform.today = lambda: date(2025, 9, 1)
    client.post(f"/api/v1/bank/loans/{loan_id}/prepayments", json={}, headers={**key, "Idempotency-Key": "f"})
    me = bearer(applicant_token(client))
    body = {"account": "110-123-456789", "account_holder_name": NAME}
    with served(create_app(platform)) as live:

        def claim() -> httpx.Response:
            with httpx.Client(base_url=live, timeout=60) as c:
                return c.post("/api/v1/applicant/guarantee-fee-refunds/claim", headers=me, json=body)

        answers = race(*(claim for _ in range(4)))
    assert [r.status_code for r in answers] == [200] * 4, [r.text for r in answers]
    assert sorted(len(r.json()) for r in answers) == [0, 0, 0, 1]
    assert (
        len([m for m in messages_to(platform, PHONE.replace("-", "")) if m.template_id == "fee_refund_paid"])
        == 1
    )
    assert trial_balance(platform, SYSTEM).total == 0


def test_pre_application_counseling_linked_to_the_application_earns_the_fee_cut(
    client: TestClient, platform: Platform
) -> None:
    """Seed 000 2-(3): a 맞춤대출 pre-application counseling earns the same fee cut as the education, once
    the counselor closes the booking as done and links it to the application it led to."""
    from sqlalchemy import select

    from builders import book_callback
    from seomin.adapters.db.models import HelpBooking
    from seomin.services.contact_center import record_outcome
    from seomin.services.identity import create_staff_user
    from seomin.services.platform import Actor, ActorType

    platform.today = lambda: date(2025, 5, 13)
    receipt = book_callback(platform, day=date(2025, 5, 14))
    platform.today = lambda: date(2025, 5, 15)
    guarantee_id, _, _ = fee_separate_loan(client, platform, ("worker-haessal", "2019-01"))
    with platform.sessions() as session:
        application_id = session.get_one(Guarantee, guarantee_id).application_id
        booking_id = session.scalars(
            select(HelpBooking.id).where(HelpBooking.reference_no == receipt.reference_no)
        ).one()
    counselor = Actor(
        ActorType.STAFF,
        str(create_staff_user(platform, "desk", "상담사", "a long enough secret", "counselor")),
        role="counselor",
    )
    note = "맞춤대출 사전상담"
    record_outcome(platform, counselor, booking_id, outcome="done", note=note, application_id=application_id)
    assert bill_fees(platform, SYSTEM, date(2025, 5, 15)) == 1
    cut = prepaid_fee(2_700_000, 90, date(2025, 5, 15), date(2026, 5, 15))  # 1.0% less 0.1%p
    book = trial_balance(platform, SYSTEM)
    balances = {(b.account, b.party): b.balance for b in book.balances}
    assert balances[("fee.income", "kwangju")] == -cut and cut < prepaid_fee(
        2_700_000, 100, date(2025, 5, 15), date(2026, 5, 15)
    )
