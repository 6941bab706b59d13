"""Recourse servicing through the real HTTP layer on SQLite and PostgreSQL (issue 15): repayments by
virtual-account deposit and at the counter (split costs → delinquency interest → interest → principal,
exactly once per key, also when the same deposit races itself on a live server), the plan's progress
moving only when money comes in, the debtor's and staff's views, and the staff worklists."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from test_close_of_business import due, make_loan, pay_through
from test_http_applicant import RRN, TestClient, applicant_token, bank_key, bearer, staff_token
from test_http_concurrency import race

from builders import debtor_of, make_recourse_debt
from live_server import served
from response_docs import documented
from seomin.adapters.db.models import Applicant, RecourseDebt, RecourseRepayment
from seomin.adapters.http import create_app
from seomin.domain.recourse_servicing import format_account, virtual_account
from seomin.services.close_of_business import run_close_of_business
from seomin.services.platform import Platform
from seomin.services.recourse.certificates import CertificateView, VerifiedCertificate
from seomin.services.recourse.repayments import RecourseDebtDetail, RepaymentReceipt
from seomin.services.recourse.reports import RecourseReport
from seomin.services.recourse.requests import RequestDecision
from seomin.services.recourse.settlements import ReferralView, SettlementView
from seomin.services.recourse.worklists import ClaimToPay, DebtLine

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
TODAY = date(2025, 5, 15)


def applicant_id_of(platform: Platform, rrn: str = RRN) -> int:
    with platform.sessions() as session:
        return session.scalars(
            select(Applicant.id).where(Applicant.rrn_hash == platform.vault.lookup_hash(rrn))
        ).one()


def repayment_count(platform: Platform) -> int:
    with platform.sessions() as session:
        return session.scalar(select(func.count()).select_from(RecourseRepayment)) or 0


def reference(platform: Platform, debt_id: int) -> str:
    """The debtor's virtual account (one per person), as a bank's deposit notice writes it."""
    return format_account(virtual_account(debtor_of(platform, debt_id)))


def deposit(
    client: TestClient | httpx.Client, key: dict[str, str], account: str, amount: int, idem: str, **more: Any
) -> httpx.Response:
    body = {"reference": account, "amount": amount, **more}
    return client.post("/api/v1/bank/recourse-deposits", json=body, headers={**key, "Idempotency-Key": idem})


def test_repayments_split_in_the_stated_order_once_per_key(client: TestClient, platform: Platform) -> None:
    debt_id = make_recourse_debt(platform, amount=1_000_000)
    supervisor = bearer(staff_token(client, platform, "sup", "supervisor"))
    counselor = bearer(staff_token(client, platform, "coun", "counselor"))
    reviewer = bearer(staff_token(client, platform, "rev", "reviewer"))
    for kind, amount in (("costs", 30_000), ("interest", 12_000), ("delinquency_interest", 8_000)):
        charged = client.post(
            f"/api/v1/staff/recourse-debts/{debt_id}/charges",
            json={"kind": kind, "amount": amount, "reason": "지급명령 신청 비용"},
            headers=supervisor,
        )
        assert charged.status_code == 200, charged.text
    assert charged.json()["balance"] == 1_050_000
    assert documented(RecourseDebtDetail, charged.json())
    assert (
        client.post(
            f"/api/v1/staff/recourse-debts/{debt_id}/charges",
            json={"kind": "costs", "amount": 1, "reason": "x"},
            headers=counselor,
        ).status_code
        == 403
    )

    bank = bank_key(platform)
    first = deposit(client, bank, reference(platform, debt_id), 45_000, "dep-1")
    assert first.status_code == 200, first.text
    receipt = first.json()
    assert documented(RepaymentReceipt, receipt)
    split = {k: receipt["repayment"][k] for k in ("costs", "delinquency_interest", "interest", "principal")}
    assert split == {"costs": 30_000, "delinquency_interest": 8_000, "interest": 7_000, "principal": 0}
    assert (receipt["balance"], receipt["status"], receipt["repayment"]["channel"]) == (
        1_005_000,
        "open",
        "virtual_account",
    )
    again = deposit(client, bank, reference(platform, debt_id), 45_000, "dep-1")
    assert again.json() == receipt  # a retry: the same answer
    reused = deposit(client, bank, reference(platform, debt_id), 46_000, "dep-1")
    assert reused.status_code == 409 and reused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert repayment_count(platform) == 1

    digits = reference(platform, debt_id).replace("-", "")
    wrong_digit = {"reference": digits[:-1] + ("1" if digits.endswith("0") else "0"), "amount": 1000}
    mistyped = client.post(
        "/api/v1/bank/recourse-deposits", json=wrong_digit, headers={**bank, "Idempotency-Key": "m"}
    )
    assert mistyped.status_code == 422 and mistyped.json()["detail"][0]["field"] == "reference"
    too_much = deposit(client, bank, reference(platform, debt_id), 1_005_001, "dep-2")
    assert too_much.status_code == 422 and too_much.json()["detail"][0]["field"] == "amount"
    future = deposit(client, bank, reference(platform, debt_id), 1000, "dep-3", paid_on="2999-01-01")
    assert future.status_code == 422
    unknown = deposit(client, bank, format_account(virtual_account(999_999)), 1000, "dep-4")
    assert unknown.status_code == 404

    counter = client.post(
        f"/api/v1/staff/recourse-debts/{debt_id}/repayments",
        json={"amount": 5_000},
        headers={**counselor, "Idempotency-Key": "c-1"},
    )
    assert counter.status_code == 200, counter.text
    assert counter.json()["repayment"]["interest"] == 5_000 and counter.json()["balance"] == 1_000_000
    assert (
        client.post(
            f"/api/v1/staff/recourse-debts/{debt_id}/repayments",
            json={"amount": 5_000},
            headers={**reviewer, "Idempotency-Key": "c-2"},
        ).status_code
        == 403
    )
    paid_off = client.post(
        f"/api/v1/staff/recourse-debts/{debt_id}/repayments",
        json={"amount": 1_000_000},
        headers={**counselor, "Idempotency-Key": "c-3"},
    )
    assert paid_off.json()["status"] == "repaid" and paid_off.json()["balance"] == 0
    after = deposit(client, bank, reference(platform, debt_id), 1, "dep-5")
    assert after.status_code == 409 and after.json()["code"] == "RECOURSE_DEBT_REPAID"

    detail = client.get(f"/api/v1/staff/recourse-debts/{debt_id}", headers=reviewer)
    assert detail.status_code == 200 and documented(RecourseDebtDetail, detail.json())
    body = detail.json()
    assert [r["amount"] for r in body["repayments"]] == [1_000_000, 5_000, 45_000]
    assert (body["repaid_total"], body["owed_principal"], body["owed_costs"]) == (1_050_000, 0, 0)
    assert body["virtual_account"] == reference(platform, debt_id)


def test_the_plan_advances_only_when_money_comes_in(client: TestClient, platform: Platform) -> None:
    """The bug this issue names: after subrogation the balance never fell while '5/24회' advanced."""
    token = applicant_token(client)
    debt_id = make_recourse_debt(platform, applicant_id_of(platform), amount=2_400_000)
    counselor = bearer(staff_token(client, platform, "coun", "counselor"))
    plan = client.post(
        f"/api/v1/staff/recourse-debts/{debt_id}/installment-plan",
        json={"months": 24, "starts_on": "2025-04-10"},
        headers=counselor,
    )
    assert plan.status_code == 200, plan.text
    platform.today = lambda: date(2025, 8, 20)  # five payments due: 04-10 … 08-10
    mine = client.get("/api/v1/applicant/recourse-debts", headers=bearer(token))
    assert mine.status_code == 200 and documented(list[RecourseDebtDetail], mine.json())
    standing = mine.json()[0]["plan"]
    assert (standing["covered"], standing["behind"], standing["arrears"]) == (0, 5, 500_000)
    assert (standing["next_no"], standing["next_on"], standing["days_behind"]) == (1, "2025-04-10", 132)
    assert mine.json()[0]["balance"] == 2_400_000

    bank = bank_key(platform)
    assert deposit(client, bank, reference(platform, debt_id), 250_000, "p1").status_code == 200
    standing = client.get("/api/v1/applicant/recourse-debts", headers=bearer(token)).json()[0]["plan"]
    assert (standing["covered"], standing["behind"], standing["arrears"]) == (2, 3, 250_000)
    assert (standing["next_no"], standing["next_on"], standing["next_amount"]) == (3, "2025-06-10", 50_000)
    page = client.get("/my", headers=bearer(token))
    assert page.status_code in (200, 303)

    lagging = client.get("/api/v1/staff/recourse-debts?min_days_behind=60", headers=counselor)
    assert lagging.status_code == 200 and documented(list[DebtLine], lagging.json())
    assert [(d["id"], d["behind"], d["days_behind"]) for d in lagging.json()] == [(debt_id, 3, 71)]
    assert client.get("/api/v1/staff/recourse-debts?min_days_behind=72", headers=counselor).json() == []
    by_state = client.get("/api/v1/staff/recourse-debts?status=open", headers=counselor).json()
    assert by_state == []
    assert client.get("/api/v1/staff/recourse-debts?status=nope", headers=counselor).status_code == 422

    other = applicant_token(client, "900101-2345678")
    assert client.get("/api/v1/applicant/recourse-debts", headers=bearer(other)).json() == []
    assert client.get(f"/api/v1/staff/recourse-debts/{debt_id}", headers=bearer(other)).status_code == 401


def test_claims_to_pay_show_the_recomputed_amount_and_checks(client: TestClient, platform: Platform) -> None:
    platform.today = lambda: date(2045, 12, 31)
    made = make_loan(platform, executed_on=date(2024, 6, 3))
    pay_through(platform, made.id, due(made, 6))
    default_day = due(made, 7) + timedelta(days=90)
    run_close_of_business(platform, default_day)
    claim = client.post(
        f"/api/v1/bank/loans/{made.id}/subrogation-claim",
        json={"filed_on": default_day.isoformat()},
        headers=bank_key(platform),
    ).json()
    reviewer = bearer(staff_token(client, platform, "rev", "reviewer"))
    listed = client.get("/api/v1/staff/subrogation-claims", headers=reviewer)
    assert listed.status_code == 200 and documented(list[ClaimToPay], listed.json())
    (line,) = listed.json()
    assert (line["id"], line["recomputed_amount"], line["payable"]) == (
        claim["id"],
        claim["guaranteed_amount"],
        True,
    )
    assert [c["code"] for c in line["checks"] if c["passed"]] == [
        "AMOUNT_MATCHES_LEDGER",
        "DEFAULT_THRESHOLD_MET",
        "GUARANTEE_CLAIMED",
    ]
    supervisor = bearer(staff_token(client, platform, "sup", "supervisor"))
    pay = f"/api/v1/staff/subrogation-claims/{claim['id']}/payment"
    assert client.post(pay, json={}, headers=supervisor).status_code == 200
    again = client.post(pay, json={}, headers=supervisor)
    assert again.status_code == 409 and again.json()["code"] == "SUBROGATION_CLAIM_PAID"
    assert client.get("/api/v1/staff/subrogation-claims", headers=reviewer).json() == []


@pytest.fixture()
def live(platform: Platform) -> Any:
    with served(create_app(platform)) as url:
        yield url


def test_a_deposit_racing_itself_is_recorded_once(live: str, platform: Platform) -> None:
    """The same deposit reported twice at once (a bank's retry) and two deposits that together exceed the
    balance: one repayment each time, on both databases."""
    debt_id = make_recourse_debt(platform, amount=100_000)
    key = bank_key(platform)
    account = reference(platform, debt_id)

    def send(amount: int, idem: str) -> Any:
        def call() -> httpx.Response:
            with httpx.Client(base_url=live, timeout=60) as c:
                return deposit(c, key, account, amount, idem)

        return call

    for n in range(3):
        answers = race(send(10_000, f"same-{n}"), send(10_000, f"same-{n}"))
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        assert answers[0].json() == answers[1].json()
        assert repayment_count(platform) == n + 1
    answers = race(send(60_000, "big-a"), send(60_000, "big-b"))  # 70,000 owed
    assert sorted(a.status_code for a in answers) == [200, 422], [a.text for a in answers]
    assert repayment_count(platform) == 4


def test_certificates_of_debt_and_of_full_repayment(client: TestClient, platform: Platform) -> None:
    token = bearer(applicant_token(client))
    debt_id = make_recourse_debt(platform, applicant_id_of(platform), amount=300_000)
    issued = client.post(
        f"/api/v1/applicant/recourse-debts/{debt_id}/certificates", json={"kind": "debt"}, headers=token
    )
    assert issued.status_code == 201, issued.text
    certificate = issued.json()
    assert documented(CertificateView, certificate) and certificate["balance"] == 300_000
    early = client.post(
        f"/api/v1/applicant/recourse-debts/{debt_id}/certificates",
        json={"kind": "paid_in_full"},
        headers=token,
    )
    assert early.status_code == 409 and early.json()["code"] == "RECOURSE_DEBT_NOT_REPAID"

    pdf = client.get(f"/api/v1/applicant/debt-certificates/{certificate['id']}/pdf", headers=token)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"/FontFile2" in pdf.content and b"NanumGothic" in pdf.content
    again = client.get(f"/api/v1/applicant/debt-certificates/{certificate['id']}/pdf", headers=token)
    assert again.content == pdf.content  # downloaded again: the same document

    check = client.get(
        "/api/v1/debt-certificates/verification",
        params={"certificate_no": certificate["certificate_no"], "code": certificate["verification_code"]},
    )
    assert check.status_code == 200 and documented(VerifiedCertificate, check.json())
    assert check.json()["balance"] == 300_000 and "*" in check.json()["debtor_name_masked"]
    wrong = client.get(
        "/api/v1/debt-certificates/verification",
        params={"certificate_no": certificate["certificate_no"], "code": "WRONGCODE1"},
    )
    assert wrong.status_code == 404
    for n in range(4):  # five wrong codes for one number lock its check: the code cannot be guessed
        client.get(
            "/api/v1/debt-certificates/verification",
            params={"certificate_no": certificate["certificate_no"], "code": f"GUESS{n}"},
        )
    locked = client.get(
        "/api/v1/debt-certificates/verification",
        params={"certificate_no": certificate["certificate_no"], "code": certificate["verification_code"]},
    )
    assert locked.status_code == 429 and "Retry-After" in locked.headers

    deposit(client, bank_key(platform), reference(platform, debt_id), 300_000, "all")
    paid = client.post(
        f"/api/v1/applicant/recourse-debts/{debt_id}/certificates",
        json={"kind": "paid_in_full"},
        headers=token,
    )
    assert paid.status_code == 201 and paid.json()["repaid_on"] == TODAY.isoformat()
    listed = client.get("/api/v1/applicant/debt-certificates", headers=token).json()
    assert [c["kind"] for c in listed] == ["paid_in_full", "debt"]
    stranger = bearer(applicant_token(client, "900101-2345678"))
    assert (
        client.get(
            f"/api/v1/applicant/debt-certificates/{certificate['id']}/pdf", headers=stranger
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/applicant/recourse-debts/{debt_id}/certificates",
            json={"kind": "debt"},
            headers=stranger,
        ).status_code
        == 404
    )


def test_the_debtor_asks_for_a_plan_online(client: TestClient, platform: Platform) -> None:
    token = bearer(applicant_token(client))
    debt_id = make_recourse_debt(platform, applicant_id_of(platform), amount=1_200_000)
    asked = client.post(
        f"/api/v1/applicant/recourse-debts/{debt_id}/requests",
        json={"kind": "installment_plan", "months": 12},
        headers=token,
    )
    assert asked.status_code == 200, asked.text
    assert documented(RequestDecision, asked.json())
    assert asked.json()["decision"] == "granted" and asked.json()["plan"]["monthly_amount"] == 100_000
    deferral = client.post(
        f"/api/v1/applicant/recourse-debts/{debt_id}/requests",
        json={"kind": "deferral", "months": 24, "hardship": "illness"},
        headers=token,
    )
    assert deferral.status_code == 200 and deferral.json()["decision"] == "declined"
    assert [r["code"] for r in deferral.json()["reasons"]] == ["RECOURSE_DEFERRAL_TOO_LONG_ONLINE"]
    bad = client.post(
        f"/api/v1/applicant/recourse-debts/{debt_id}/requests",
        json={"kind": "nope", "months": 1},
        headers=token,
    )
    assert bad.status_code == 422


def test_a_settlement_with_a_reduction_needs_a_second_supervisor(
    client: TestClient, platform: Platform
) -> None:
    debt_id = make_recourse_debt(platform, amount=1_000_000)
    counselor = bearer(staff_token(client, platform, "coun", "counselor"))
    supervisor = bearer(staff_token(client, platform, "sup", "supervisor"))
    too_much = client.post(
        f"/api/v1/staff/recourse-debts/{debt_id}/settlements",
        json={"reduction": 700_001, "reason": "x"},
        headers=counselor,
    )
    assert too_much.status_code == 422 and too_much.json()["detail"][0]["field"] == "reduction"
    proposed = client.post(
        f"/api/v1/staff/recourse-debts/{debt_id}/settlements",
        json={"reduction": 600_000, "reason": "기초생활수급자 특별채무조정"},
        headers=counselor,
    )
    assert proposed.status_code == 201 and documented(SettlementView, proposed.json())
    assert proposed.json()["balance_after"] == 400_000
    decide = f"/api/v1/staff/recourse-settlements/{proposed.json()['id']}/decision"
    assert client.post(decide, json={"approve": True}, headers=counselor).status_code == 403
    applied = client.post(decide, json={"approve": True}, headers=supervisor)
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    detail = client.get(f"/api/v1/staff/recourse-debts/{debt_id}", headers=counselor).json()
    assert (detail["balance"], detail["owed_principal"]) == (400_000, 400_000)
    assert (
        client.post(decide, json={"approve": True}, headers=supervisor).json()["code"] == "SETTLEMENT_DECIDED"
    )
    own = client.post(
        f"/api/v1/staff/recourse-debts/{debt_id}/settlements",
        json={"reduction": 1000, "reason": "x"},
        headers=supervisor,
    ).json()
    same = client.post(
        f"/api/v1/staff/recourse-settlements/{own['id']}/decision", json={"approve": True}, headers=supervisor
    )
    assert same.status_code == 409 and same.json()["code"] == "SECOND_APPROVER_SAME"

    referred = client.post(
        f"/api/v1/staff/recourse-debts/{debt_id}/employment-referral",
        json={"note": "구직 중, 고용센터 연계"},
        headers=counselor,
    )
    assert referred.status_code == 201 and documented(ReferralView, referred.json())


def test_the_management_report(client: TestClient, platform: Platform) -> None:
    debt_id = make_recourse_debt(platform, amount=500_000)
    make_recourse_debt(platform, amount=200_000)
    deposit(client, bank_key(platform), reference(platform, debt_id), 120_000, "r1")
    auditor = bearer(staff_token(client, platform, "aud", "auditor"))
    counselor = bearer(staff_token(client, platform, "coun", "counselor"))
    assert client.get("/api/v1/staff/reports/recourse", headers=counselor).status_code == 403
    answer = client.get("/api/v1/staff/reports/recourse", headers=auditor)
    assert answer.status_code == 200 and documented(RecourseReport, answer.json())
    report = answer.json()
    (rate,) = report["subrogation_rates"]
    assert (rate["loans"], rate["subrogated"], rate["rate_by_count"], rate["subrogated_amount"]) == (
        2,
        2,
        "100.00",
        700_000,
    )
    assert report["recoveries_by_month"] == [
        {"month": "2025-05", "repayments": 1, "amount": 120_000, "principal": 120_000}
    ]
    assert report["balance_by_state"] == [
        {"status": "open", "debts": 2, "principal": 700_000, "balance": 580_000}
    ]


def test_a_claim_paid_twice_at_once_opens_one_recourse_debt(live: str, platform: Platform) -> None:
    """Two supervisors paying the same claim at once: one 200, one 409, one debt (both databases)."""
    platform.today = lambda: date(2045, 12, 31)
    made = make_loan(platform, executed_on=date(2024, 6, 3))
    pay_through(platform, made.id, due(made, 6))
    default_day = due(made, 7) + timedelta(days=90)
    run_close_of_business(platform, default_day)
    setup = TestClient(create_app(platform))
    claim = setup.post(
        f"/api/v1/bank/loans/{made.id}/subrogation-claim",
        json={"filed_on": default_day.isoformat()},
        headers=bank_key(platform),
    ).json()
    tokens = [staff_token(setup, platform, name, "supervisor") for name in ("sup-a", "sup-b")]

    def pay(token: str) -> Any:
        def call() -> httpx.Response:
            with httpx.Client(base_url=live, timeout=60) as c:
                return c.post(
                    f"/api/v1/staff/subrogation-claims/{claim['id']}/payment", json={}, headers=bearer(token)
                )

        return call

    answers = race(*(pay(t) for t in tokens))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    with platform.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RecourseDebt)) == 1


def test_one_virtual_account_per_debtor_pays_their_debts_oldest_first(
    client: TestClient, platform: Platform
) -> None:
    """Two recourse debts of one person share one reference: a deposit clears the older one and the rest
    goes to the newer; more than both owe is refused whole; a retry answers the first receipt."""
    older = make_recourse_debt(platform, amount=100_000, created_on=date(2025, 2, 3))
    person = debtor_of(platform, older)
    newer = make_recourse_debt(platform, person, amount=300_000, created_on=date(2025, 3, 3))
    account = reference(platform, older)
    assert account == reference(platform, newer)
    bank = bank_key(platform)
    supervisor = bearer(staff_token(client, platform, "sup-one", "supervisor"))
    older_owes = client.get(f"/api/v1/staff/recourse-debts/{older}", headers=supervisor).json()["balance"]
    too_much = deposit(client, bank, account, older_owes + 300_001, "x")
    assert too_much.status_code == 422 and repayment_count(platform) == 0  # nothing written
    paid = deposit(client, bank, account, older_owes + 50_000, "both")
    assert paid.status_code == 200, paid.text
    assert paid.json()["repayment"]["recourse_debt_id"] == older and paid.json()["status"] == "repaid"
    assert deposit(client, bank, account, older_owes + 50_000, "both").json() == paid.json()
    assert repayment_count(platform) == 2
    with platform.sessions() as session:
        assert session.get_one(RecourseDebt, newer).balance == 250_000
