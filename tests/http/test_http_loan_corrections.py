"""Bank-loan corrections through HTTP on both databases (issue 15): a reversed payment re-allocates every
later payment exactly (the next payment then pays the older installment and its delinquency interest), an
adjustment and a waiver, all under maker-checker; the ledger stays exact (a new payment loads it strictly)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from test_http_applicant import TestClient, approved_certificate, bank_key, bearer, staff_token

from response_docs import documented
from seomin.services.loan_servicing import CorrectionView
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def executed(client: TestClient, platform: Platform, key: dict[str, str]) -> tuple[int, list[date]]:
    certificate = approved_certificate(client, platform)
    body = {k: certificate[k] for k in ("certificate_no", "verification_code")}
    loan = client.post("/api/v1/bank/loans", json=body, headers={**key, "Idempotency-Key": "exec"}).json()
    detail = client.get(f"/api/v1/bank/loans/{loan['loan_id']}", headers=key).json()
    return loan["loan_id"], [date.fromisoformat(line["due_date"]) for line in detail["schedule"]]


def pay_due(
    client: TestClient, platform: Platform, key: dict[str, str], loan_id: int, on: date, idem: str
) -> Any:
    platform.today = lambda: on
    due = client.get(f"/api/v1/bank/loans/{loan_id}/payoff?on={on}", headers=key).json()["amount_due"]
    answer = client.post(
        f"/api/v1/bank/loans/{loan_id}/payments",
        json={"amount": due, "paid_on": on.isoformat()},
        headers={**key, "Idempotency-Key": idem},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def payments(client: TestClient, key: dict[str, str], loan_id: int) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = client.get(f"/api/v1/bank/loans/{loan_id}", headers=key).json()["payments"]
    return result


def test_a_reversal_re_allocates_the_later_payments_under_maker_checker(
    client: TestClient, platform: Platform
) -> None:
    key = bank_key(platform)
    loan_id, dues = executed(client, platform, key)
    first = pay_due(client, platform, key, loan_id, dues[0], "p1")
    second = pay_due(client, platform, key, loan_id, dues[1], "p2")
    platform.today = lambda: dues[1]
    supervisor = bearer(staff_token(client, platform, "sup", "supervisor"))
    other_supervisor = bearer(staff_token(client, platform, "sup2", "supervisor"))
    counselor = bearer(staff_token(client, platform, "coun", "counselor"))

    url = f"/api/v1/bank/loans/{loan_id}/corrections"
    proposed = client.post(
        url,
        json={"kind": "reversal", "payment_id": first["payment_id"], "reason": "타인 입금 오처리"},
        headers=key,
    )
    assert proposed.status_code == 201, proposed.text
    view = proposed.json()
    assert documented(CorrectionView, view)
    assert (view["status"], view["splits_changed"]) == ("proposed", 2)
    assert payments(client, key, loan_id)[0]["amount"] == first["amount"]  # nothing changed yet
    twice = client.post(
        url, json={"kind": "reversal", "payment_id": second["payment_id"], "reason": "x"}, headers=key
    )
    assert twice.status_code == 409 and twice.json()["code"] == "CORRECTION_PENDING"
    assert client.post(url, json={"kind": "reversal", "reason": "x"}, headers=key).status_code == 422
    elsewhere = client.post(
        url, json={"kind": "reversal", "payment_id": 1, "reason": "x"}, headers=bank_key(platform, "jeonbuk")
    )
    assert elsewhere.status_code == 404

    decide = f"/api/v1/staff/loan-corrections/{view['id']}/decision"
    assert client.post(decide, json={"approve": True}, headers=counselor).status_code == 403
    listed = client.get("/api/v1/staff/loan-corrections", headers=counselor).json()
    assert [c["id"] for c in listed] == [view["id"]]
    applied = client.post(decide, json={"approve": True, "note": "입금 전표 확인"}, headers=supervisor)
    assert applied.status_code == 200 and applied.json()["status"] == "applied", applied.text
    assert (
        client.post(decide, json={"approve": True}, headers=other_supervisor).json()["code"]
        == "CORRECTION_DECIDED"
    )

    after = payments(client, key, loan_id)
    assert after[0]["amount"] == 0 and after[0]["interest"] == after[0]["principal"] == 0
    later = after[1]
    assert later["amount"] == second["amount"]
    assert later["delinquency_interest"] > 0  # it now pays installment 1, a month late, first
    assert later["delinquency_interest"] + later["interest"] + later["principal"] == second["amount"]
    detail = client.get(f"/api/v1/bank/loans/{loan_id}", headers=key).json()["schedule"]
    assert detail[1]["paid_on"] is None  # installment 2 is now behind instead

    # The ledger is exact: a payment loads it strictly and closes the arrears.
    third = pay_due(client, platform, key, loan_id, dues[2], "p3")
    assert third["loan"]["days_past_due"] >= 0

    # A staff-proposed waiver by the same supervisor cannot be approved by them; another can.
    platform.today = lambda: dues[2]
    waiver = client.post(
        f"/api/v1/staff/loans/{loan_id}/corrections",
        json={"kind": "waiver", "part": "interest", "amount": 10**9, "reason": "재난 감면"},
        headers=supervisor,
    )
    assert waiver.status_code == 422 and waiver.json()["detail"][0]["field"] == "amount"
    adjustment = client.post(
        f"/api/v1/staff/loans/{loan_id}/corrections",
        json={
            "kind": "adjustment",
            "payment_id": third["payment_id"],
            "amount": third["amount"] - 1000,
            "reason": "금액 오기",
        },
        headers=supervisor,
    )
    assert adjustment.status_code == 201, adjustment.text
    same = client.post(
        f"/api/v1/staff/loan-corrections/{adjustment.json()['id']}/decision",
        json={"approve": True},
        headers=supervisor,
    )
    assert same.status_code == 409 and same.json()["code"] == "SECOND_APPROVER_SAME"
    done = client.post(
        f"/api/v1/staff/loan-corrections/{adjustment.json()['id']}/decision",
        json={"approve": True},
        headers=other_supervisor,
    )
    assert done.status_code == 200 and done.json()["status"] == "applied"
    assert payments(client, key, loan_id)[2]["amount"] == third["amount"] - 1000
    declined = client.post(
        f"/api/v1/staff/loans/{loan_id}/corrections",
        json={"kind": "reversal", "payment_id": second["payment_id"], "reason": "검토"},
        headers=supervisor,
    ).json()
    no = client.post(
        f"/api/v1/staff/loan-corrections/{declined['id']}/decision",
        json={"approve": False},
        headers=other_supervisor,
    )
    assert no.json()["status"] == "declined"
    assert payments(client, key, loan_id)[1]["amount"] == second["amount"]


def test_the_bank_declines_a_verified_certificate_and_the_limit_is_free(
    client: TestClient, platform: Platform
) -> None:
    certificate = approved_certificate(client, platform)
    key = bank_key(platform)
    body = {k: certificate[k] for k in ("certificate_no", "verification_code")}
    wrong = client.post(
        "/api/v1/bank/certificates/decline",
        json={**body, "verification_code": "0000000", "reason": "credit_review"},
        headers=key,
    )
    assert wrong.status_code == 409
    elsewhere = client.post(
        "/api/v1/bank/certificates/decline",
        json={**body, "reason": "credit_review"},
        headers=bank_key(platform, "jeonbuk"),
    )
    assert elsewhere.status_code == 404
    declined = client.post(
        "/api/v1/bank/certificates/decline",
        json={**body, "reason": "credit_review", "note": "DSR 초과"},
        headers=key,
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined", declined.text
    again = client.post("/api/v1/bank/certificates/decline", json={**body, "reason": "other"}, headers=key)
    assert again.status_code == 409 and again.json()["code"] == "GUARANTEE_DECLINED"
    execute = client.post("/api/v1/bank/loans", json=body, headers={**key, "Idempotency-Key": "late"})
    assert execute.status_code == 409
    # the limit is free again: a new application of the full first-time amount is approved
    second = approved_certificate(client, platform, amount=3_000_000, reviewer="rev2")
    assert second["certificate_no"] != certificate["certificate_no"]


def test_a_settlement_file_is_applied_once_with_its_rejects(client: TestClient, platform: Platform) -> None:
    key = bank_key(platform)
    loan_id, dues = executed(client, platform, key)
    platform.today = lambda: dues[1]
    due = client.get(f"/api/v1/bank/loans/{loan_id}/payoff?on={dues[0]}", headers=key).json()["amount_due"]
    lines = [
        "loan_id,paid_on,amount,reference",
        f"{loan_id},{dues[0]},{due},KJ-1",
        f"{loan_id},{dues[0]},{due},KJ-1",  # the same reference twice
        f"999999,{dues[0]},1000,KJ-2",  # no such loan
        f"{loan_id},2025-13-01,1000,KJ-3",  # malformed day
        f"{loan_id},{dues[0]},10000000000,KJ-4",  # above the payoff
    ]
    content = ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")
    url = f"/api/v1/bank/settlement-files?business_date={dues[1]}"
    first = client.post(url, content=content, headers={**key, "Content-Type": "text/csv"})
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["lines"], report["applied"], report["already_applied"], report["replayed"]) == (
        5,
        1,
        0,
        False,
    )
    assert [(r["line"], r["code"]) for r in report["rejected"]] == [
        (3, "DUPLICATE_REFERENCE"),
        (4, "NOT_FOUND"),
        (5, "LINE_MALFORMED"),
        (6, "AMOUNT_EXCEEDS_PAYOFF"),
    ]
    again = client.post(url, content=content, headers={**key, "Content-Type": "text/csv"}).json()
    assert again["replayed"] is True and again["applied"] == 1
    assert len(payments(client, key, loan_id)) == 1
    # a corrected file carrying the same line again: that line is recognised, not posted twice
    fixed = "\n".join([lines[0], lines[1], f"{loan_id},{dues[1]},1,KJ-5"]).encode()
    third = client.post(url, content=fixed, headers={**key, "Content-Type": "text/csv"}).json()
    assert (third["applied"], third["already_applied"], third["rejected"]) == (1, 1, [])
    assert len(payments(client, key, loan_id)) == 2
    bad = client.post(url, content=b"a,b\n1,2\n", headers={**key, "Content-Type": "text/csv"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "file"
    assert client.post(url, content=b"\xff\xfe", headers=key).status_code == 422


def test_a_reschedule_extends_the_term_and_changes_the_rate_under_maker_checker(
    client: TestClient, platform: Platform
) -> None:
    key = bank_key(platform)
    loan_id, dues = executed(client, platform, key)
    pay_due(client, platform, key, loan_id, dues[0], "p1")
    platform.today = lambda: dues[0]
    supervisor = bearer(staff_token(client, platform, "sup", "supervisor"))
    before = client.get(f"/api/v1/bank/loans/{loan_id}", headers=key).json()["schedule"]
    nothing = client.post(
        f"/api/v1/bank/loans/{loan_id}/corrections", json={"kind": "reschedule", "reason": "x"}, headers=key
    )
    assert nothing.status_code == 422
    proposed = client.post(
        f"/api/v1/bank/loans/{loan_id}/corrections",
        json={"kind": "reschedule", "extra_months": 12, "rate_bp": 1290, "reason": "실직으로 기간 연장"},
        headers=key,
    )
    assert proposed.status_code == 201, proposed.text
    view = proposed.json()
    assert documented(CorrectionView, view) and view["term_months_after"] == 72 and view["next_payment"] > 0
    applied = client.post(
        f"/api/v1/staff/loan-corrections/{view['id']}/decision", json={"approve": True}, headers=supervisor
    )
    assert applied.status_code == 200 and applied.json()["status"] == "applied", applied.text
    after = client.get(f"/api/v1/bank/loans/{loan_id}", headers=key).json()["schedule"]
    assert len(after) == len(before) + 12
    assert after[0] == before[0]  # the installment already paid is untouched
    assert {line["rate"] for line in after[1:]} == {"12.9"}
    assert sum(line["principal_due"] for line in after[1:]) == sum(
        line["principal_due"] for line in before[1:]
    )
    # the ledger still loads strictly: the next payment posts
    pay_due(client, platform, key, loan_id, dues[1], "p2")


def test_a_write_off_closes_the_loan_under_maker_checker_and_nothing_ages_it_again(
    client: TestClient, platform: Platform
) -> None:
    from seomin.services.close_of_business import close_of_business

    key = bank_key(platform)
    loan_id, dues = executed(client, platform, key)
    platform.today = lambda: dues[3]  # three installments unpaid
    supervisor = bearer(staff_token(client, platform, "sup", "supervisor"))
    balance = client.get(f"/api/v1/bank/loans/{loan_id}", headers=key).json()["principal_balance"]
    url = f"/api/v1/bank/loans/{loan_id}/corrections"
    proposed = client.post(url, json={"kind": "write_off", "reason": "회수 불능 소액 잔액 상각"}, headers=key)
    assert proposed.status_code == 201, proposed.text
    view = proposed.json()
    assert documented(CorrectionView, view) and view["status"] == "proposed"
    assert view["written_off"] == balance
    assert client.get(f"/api/v1/bank/loans/{loan_id}", headers=key).json()["status"] != "written_off"
    decided = client.post(
        f"/api/v1/staff/loan-corrections/{view['id']}/decision", json={"approve": True}, headers=supervisor
    )
    assert decided.status_code == 200 and decided.json()["status"] == "applied", decided.text
    assert client.get(f"/api/v1/bank/loans/{loan_id}", headers=key).json()["status"] == "written_off"
    refused = client.post(
        f"/api/v1/bank/loans/{loan_id}/payments",
        json={"amount": 10_000, "paid_on": dues[3].isoformat()},
        headers={**key, "Idempotency-Key": "late"},
    )
    assert refused.status_code == 409 and "LOAN_WRITTEN_OFF" in refused.text
    again = client.post(url, json={"kind": "write_off", "reason": "again"}, headers=key)
    assert again.status_code == 409
    platform.today = lambda: dues[6]
    close_of_business(platform, dues[6])  # months later: the loan is not aged into default or claimed
    assert client.get(f"/api/v1/bank/loans/{loan_id}", headers=key).json()["status"] == "written_off"
