"""The partner-bank side on the real databases (SQLite and PostgreSQL): certificates, execution, payments."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import OperationalError

from builders import make_applicant, make_guarantee
from seomin.adapters.db.models import (
    AuditEvent,
    Guarantee,
    IdempotencyRecord,
    Installment,
    Loan,
    Payment,
)
from seomin.domain.schedule import LoanTerms, RatePolicy, RepaymentMethod, build_schedule
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.loans import (
    execute_loan,
    get_loan,
    list_loans,
    payoff_quote,
    post_payment,
    prepay,
    verify_certificate,
)
from seomin.services.loans import execution as loan_execution
from seomin.services.platform import Actor, ActorType, Platform

BANK = Actor(ActorType.BANK, "kwangju")
OTHER_BANK = Actor(ActorType.BANK, "jeonbuk")
CODE = "123456"
TODAY = date(2025, 5, 15)


def count(platform: Platform, model: type[Any], *where: Any) -> int:
    with platform.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def audit_actions(platform: Platform, entity_type: str, entity_id: object) -> list[str]:
    with platform.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
                .order_by(AuditEvent.id)
            )
        )


def execute(platform: Platform, certificate_no: str, key: str = "exec-1", on: date = TODAY) -> dict[str, Any]:
    return execute_loan(platform, BANK, certificate_no, CODE, on, key)


def new_loan(platform: Platform, **kwargs: Any) -> dict[str, Any]:
    _, certificate_no = make_guarantee(platform, **kwargs)
    return execute(platform, certificate_no, key=f"exec-{certificate_no}")


def at(platform: Platform, day: date) -> None:
    platform.today = lambda: day


def race(n: int, call: Callable[[int], Any]) -> list[Any]:
    """Run ``call(i)`` in ``n`` threads released together; each result or raised exception, in order."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except Exception as exc:  # collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


# --- certificates -----------------------------------------------------------------------------------------


def test_verify_certificate_shows_the_terms_and_a_masked_applicant(platform: Platform) -> None:
    applicant = make_applicant(platform, rrn="850301-1234567")
    _, certificate_no = make_guarantee(platform, applicant)
    answer = verify_certificate(platform, BANK, certificate_no, CODE)
    assert answer["status"] == "issued" and answer["executable"] is True
    assert (answer["amount"], answer["rate"], answer["term_months"], answer["grace_months"]) == (
        5_000_000,
        "15.9",
        60,
        0,
    )
    assert answer["expires_on"] == "2025-05-31"
    assert answer["applicant"]["rrn_masked"] == "850301-1******"
    assert "1234567" not in repr(answer)
    assert answer["applicant"]["name_masked"].startswith("테") and "*" in answer["applicant"]["name_masked"]


def test_a_wrong_code_or_another_banks_certificate_is_refused(platform: Platform) -> None:
    _, certificate_no = make_guarantee(platform)
    with pytest.raises(Conflict) as wrong:
        verify_certificate(platform, BANK, certificate_no, "654321")
    assert wrong.value.code == "CERTIFICATE_VERIFICATION_FAILED"
    assert "654321" not in str(wrong.value)
    with pytest.raises(NotFound):
        verify_certificate(platform, OTHER_BANK, certificate_no, CODE)
    with pytest.raises(NotFound):
        verify_certificate(platform, BANK, "G-NO-SUCH", CODE)
    with pytest.raises(Forbidden):
        verify_certificate(platform, Actor(ActorType.APPLICANT, "1"), certificate_no, CODE)
    with pytest.raises(InputError) as empty:
        verify_certificate(platform, BANK, certificate_no, " ")
    assert empty.value.field == "verification_code"


# --- execution --------------------------------------------------------------------------------------------


def test_execution_stores_the_contract_schedule(platform: Platform) -> None:
    guarantee_id, certificate_no = make_guarantee(platform)
    answer = execute(platform, certificate_no)
    expected = build_schedule(
        LoanTerms(
            5_000_000,
            60,
            0,
            RepaymentMethod.EQUAL_INSTALLMENT,
            TODAY,
            RatePolicy(Decimal("15.9")),
            apply_step_down=False,
        ),
        platform.calendar,
    )
    assert answer["first_payment"] == expected.installments[0].payment == 121_325
    assert answer["installments"] == 60 and answer["status"] == "active"
    loan = get_loan(platform, BANK, answer["loan_id"])
    schedule = loan["schedule"]
    assert sum(r["principal_due"] for r in schedule) == 5_000_000
    assert [(r["due_date"], r["principal_due"], r["interest_due"]) for r in schedule] == [
        (i.due_date.isoformat(), i.principal, i.interest) for i in expected.installments
    ]
    assert {r["rate"] for r in schedule} == {"15.9"}  # step-downs are applied later, when earned
    with platform.sessions() as session:
        assert session.get_one(Guarantee, guarantee_id).status == "executed"
        stored = session.get_one(Loan, answer["loan_id"])
        assert (stored.step_bp, stored.floor_bp, stored.base_rate_bp) == (150, 990, 1590)
    assert audit_actions(platform, "guarantee", guarantee_id) == ["guarantee.execute"]
    assert audit_actions(platform, "loan", answer["loan_id"]) == ["loan.create"]


def test_execution_is_idempotent_per_key(platform: Platform) -> None:
    _, certificate_no = make_guarantee(platform)
    first = execute(platform, certificate_no, key="k-1")
    again = execute(platform, certificate_no, key="k-1")
    assert again == first
    assert count(platform, Loan) == 1 and count(platform, IdempotencyRecord) == 1
    with pytest.raises(Conflict) as reused:
        execute(platform, certificate_no, key="k-1", on=TODAY - timedelta(days=1))
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(Conflict) as twice:
        execute(platform, certificate_no, key="k-2")
    assert twice.value.code == "GUARANTEE_ALREADY_EXECUTED"
    assert count(platform, Loan) == 1
    assert count(platform, AuditEvent) == 2


def test_expired_or_misdated_executions_are_refused(platform: Platform) -> None:
    _, certificate_no = make_guarantee(platform)  # issued 2025-05-01, expires 2025-05-31
    at(platform, date(2025, 6, 2))
    with pytest.raises(Conflict) as expired:
        execute(platform, certificate_no, on=date(2025, 6, 1))
    assert expired.value.code == "GUARANTEE_EXPIRED"
    with pytest.raises(InputError) as future:
        execute(platform, certificate_no, on=date(2025, 6, 3))
    assert future.value.field == "executed_on"
    with pytest.raises(InputError) as early:
        execute(platform, certificate_no, on=date(2025, 4, 30))
    assert early.value.field == "executed_on"
    with pytest.raises(NotFound):
        execute_loan(platform, OTHER_BANK, certificate_no, CODE, date(2025, 5, 31), "k")
    with pytest.raises(Conflict) as backdated:  # an expired certificate is not revived by an old date
        execute(platform, certificate_no, on=date(2025, 5, 20))
    assert backdated.value.code == "GUARANTEE_EXPIRED"
    assert count(platform, Loan) == 0
    with pytest.raises(Conflict) as posted_late:  # executed on the last day, posted days later: refused
        execute(platform, certificate_no, on=date(2025, 5, 31))
    assert posted_late.value.code == "GUARANTEE_EXPIRED"
    at(platform, date(2025, 5, 31))  # on its last valid day the certificate executes
    assert execute(platform, certificate_no, on=date(2025, 5, 31))["executed_on"] == "2025-05-31"
    assert count(platform, Loan) == 1


def test_the_per_person_limit_and_open_accounts_hold_at_execution(platform: Platform) -> None:
    applicant = make_applicant(platform)
    certificates = [make_guarantee(platform, applicant)[1] for _ in range(3)]
    execute(platform, certificates[0], key="a")
    execute(platform, certificates[1], key="b")  # 5,000,000 + 5,000,000 = the 10,000,000 limit
    with pytest.raises(Conflict) as third:
        execute(platform, certificates[2], key="c")
    assert third.value.code == "TOO_MANY_OPEN_LOANS"
    _, large = make_guarantee(platform, amount=6_000_000)
    with pytest.raises(Conflict) as first_use:
        execute(platform, large, key="d")  # a first use is at most 5,000,000
    assert first_use.value.code == "LIMIT_EXCEEDED"
    assert count(platform, Loan) == 2


@pytest.mark.parametrize("same_key", [False, True], ids=["different-keys", "same-key"])
def test_concurrent_executions_of_one_guarantee_make_exactly_one_loan(
    platform: Platform, same_key: bool
) -> None:
    _, certificate_no = make_guarantee(platform)
    results = race(8, lambda i: execute(platform, certificate_no, key="same" if same_key else f"k-{i}"))
    answers = [r for r in results if isinstance(r, dict)]
    errors = [r for r in results if not isinstance(r, dict)]
    if same_key:
        assert len(answers) == 8 and all(a == answers[0] for a in answers)
    else:
        assert len(answers) == 1
        assert [e.code for e in errors if isinstance(e, Conflict)] == ["GUARANTEE_ALREADY_EXECUTED"] * 7
    assert count(platform, Loan) == 1
    assert count(platform, Installment) == 60


def test_the_unique_loan_per_guarantee_holds_even_without_row_locks(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: with the locks taken away, the unique constraint still decides."""

    def no_lock(conn: Connection, guarantee_id: int) -> Any:
        unlocked = select(*loan_execution._LOCKED_COLUMNS).where(Guarantee.id == guarantee_id)
        return loan_execution._Certificate._make(conn.execute(unlocked).one())

    monkeypatch.setattr(loan_execution, "_lock_rows", no_lock)
    _, certificate_no = make_guarantee(platform)
    results = race(8, lambda i: execute(platform, certificate_no, key=f"k-{i}"))
    assert sum(isinstance(r, dict) for r in results) == 1
    assert all(isinstance(r, dict) or r.code == "GUARANTEE_ALREADY_EXECUTED" for r in results)
    assert count(platform, Loan) == 1


def test_a_deadlock_victim_is_run_again_whole(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    class Deadlock(Exception):
        sqlstate = "40P01"

    real = loan_execution._execute
    calls: list[int] = []

    def flaky(*args: Any) -> dict[str, Any]:
        calls.append(1)
        answer = real(*args)
        if len(calls) == 1:  # after the writes: they must all be rolled back
            raise OperationalError("INSERT INTO loans ...", {}, Deadlock("deadlock detected"))
        return answer

    monkeypatch.setattr(loan_execution, "_execute", flaky)
    _, certificate_no = make_guarantee(platform)
    answer = execute(platform, certificate_no)
    assert len(calls) == 2
    assert count(platform, Loan) == 1 and count(platform, Installment) == 60
    assert audit_actions(platform, "loan", answer["loan_id"]) == ["loan.create"]


def test_concurrent_executions_for_one_applicant_keep_the_limit(platform: Platform) -> None:
    applicant = make_applicant(platform)
    certificates = [make_guarantee(platform, applicant)[1] for _ in range(4)]
    results = race(4, lambda i: execute(platform, certificates[i], key=f"k-{i}"))
    assert sum(isinstance(r, dict) for r in results) == 2
    assert sorted(r.code for r in results if isinstance(r, Conflict)) == ["TOO_MANY_OPEN_LOANS"] * 2
    with platform.sessions() as session:
        assert (
            session.scalar(select(func.sum(Loan.amount)).where(Loan.applicant_id == applicant)) == 10_000_000
        )


# --- payments ---------------------------------------------------------------------------------------------


def test_an_on_time_payment_pays_the_first_installment(platform: Platform) -> None:
    loan = new_loan(platform)
    first = get_loan(platform, BANK, loan["loan_id"])["schedule"][0]
    due = date.fromisoformat(first["due_date"])
    at(platform, due)
    answer = post_payment(platform, BANK, loan["loan_id"], first["payment"], due, "pay-1")
    assert (answer["delinquency_interest"], answer["interest"], answer["principal"]) == (
        0,
        first["interest_due"],
        first["principal_due"],
    )
    assert answer["prepaid_principal"] == 0 and not answer["reamortized"]
    assert answer["loan"]["principal_balance"] == 5_000_000 - first["principal_due"]
    after = get_loan(platform, BANK, loan["loan_id"])
    assert after["schedule"][0]["paid_on"] == due.isoformat()
    assert after["payments"][0]["amount"] == first["payment"]
    assert audit_actions(platform, "loan", loan["loan_id"]) == ["loan.create", "loan.pay"]


def test_a_late_payment_pays_delinquency_interest_first_and_clears_the_arrears(platform: Platform) -> None:
    loan = new_loan(platform)
    loan_id = loan["loan_id"]
    with platform.sessions.begin() as session:  # what the close-of-business job would have done
        session.execute(update(Loan).where(Loan.id == loan_id).values(status="delinquent", days_past_due=15))
    at(platform, date(2025, 7, 1))  # installment 1 (121,325) fell due 2025-06-16: 15 days late
    quote = payoff_quote(platform, BANK, loan_id, date(2025, 7, 1))
    # 121,325 × (15.9% + 3%p) × 15/365 = 942.35 -> 942.
    assert quote["delinquency_interest"] == 942
    assert quote["overdue"] == [
        {
            "no": 1,
            "due_date": "2025-06-16",
            "principal": 55_075,
            "interest": 66_250,
            "delinquency_interest": 942,
            "days_overdue": 15,
        }
    ]
    partial = post_payment(platform, BANK, loan_id, 50_000, date(2025, 7, 1), "late-1")
    assert (partial["delinquency_interest"], partial["interest"], partial["principal"]) == (942, 49_058, 0)
    assert partial["loan"]["status"] == "delinquent"
    rest = post_payment(platform, BANK, loan_id, 121_325 - 49_058, date(2025, 7, 1), "late-2")
    assert (rest["delinquency_interest"], rest["interest"], rest["principal"]) == (0, 17_192, 55_075)
    assert rest["loan"]["status"] == "active" and rest["loan"]["days_past_due"] == 0
    assert audit_actions(platform, "loan", loan_id)[-2:] == ["loan.pay", "loan.pay"]


def test_a_partial_prepayment_reamortizes_and_the_payoff_repays(platform: Platform) -> None:
    loan = new_loan(platform)
    loan_id = loan["loan_id"]
    at(platform, date(2025, 6, 16))
    answer = prepay(platform, BANK, loan_id, 121_325 + 1_000_000, date(2025, 6, 16), "pre-1")
    assert answer["prepaid_principal"] == 1_000_000 and answer["prepayment_interest"] == 0
    assert answer["reamortized"]
    schedule = get_loan(platform, BANK, loan_id)["schedule"]
    balance = 5_000_000 - 55_075 - 1_000_000
    assert len(schedule) == 60 and sum(r["principal_due"] for r in schedule[1:]) == balance
    assert schedule[1]["interest_due"] == balance * 1590 // 120_000
    assert schedule[1]["payment"] < 121_325
    assert audit_actions(platform, "loan", loan_id)[-1] == "loan.prepay"

    at(platform, date(2025, 7, 1))
    quote = payoff_quote(platform, BANK, loan_id, date(2025, 7, 1))
    assert quote["principal_balance"] == balance
    assert quote["accrued_interest"] == balance * 1590 * 15 // (10_000 * 365)
    closed = prepay(platform, BANK, loan_id, None, date(2025, 7, 1), "pre-2")
    assert closed["amount"] == quote["total"] and closed["full_repayment"]
    assert closed["loan"] == {
        "status": "repaid",
        "principal_balance": 0,
        "days_past_due": 0,
        "repaid_on": "2025-07-01",
    }
    after = get_loan(platform, BANK, loan_id)
    assert len(after["schedule"]) == 2 and after["schedule"][-1]["due_date"] == "2025-07-01"
    assert sum(p["principal"] for p in after["payments"]) == 5_000_000
    with pytest.raises(Conflict) as repaid:
        post_payment(platform, BANK, loan_id, 1_000, date(2025, 7, 1), "pre-3")
    assert repaid.value.code == "LOAN_REPAID"
    assert audit_actions(platform, "loan", loan_id)[-1] == "loan.repay"
    assert [x["loan_id"] for x in list_loans(platform, BANK, status="repaid")] == [loan_id]


def test_payment_retries_do_not_move_money_twice(platform: Platform) -> None:
    loan_id = new_loan(platform)["loan_id"]
    at(platform, date(2025, 6, 16))
    first = post_payment(platform, BANK, loan_id, 121_325, date(2025, 6, 16), "p-1")
    assert post_payment(platform, BANK, loan_id, 121_325, date(2025, 6, 16), "p-1") == first
    assert count(platform, Payment) == 1
    assert get_loan(platform, BANK, loan_id)["principal_balance"] == 5_000_000 - 55_075
    with pytest.raises(Conflict) as reused:
        post_payment(platform, BANK, loan_id, 121_326, date(2025, 6, 16), "p-1")
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(Conflict) as reused_for_prepay:
        prepay(platform, BANK, loan_id, 121_325, date(2025, 6, 16), "p-1")
    assert reused_for_prepay.value.code == "IDEMPOTENCY_KEY_REUSED"


def test_concurrent_payments_are_each_applied_once(platform: Platform) -> None:
    loan_id = new_loan(platform)["loan_id"]
    day = date(2025, 6, 20)  # installment 1 is 4 days late
    at(platform, day)
    quote = payoff_quote(platform, BANK, loan_id, day)
    results = race(8, lambda i: post_payment(platform, BANK, loan_id, 20_000, day, f"c-{i}"))
    assert all(isinstance(r, dict) for r in results), results
    assert len({r["payment_id"] for r in results}) == 8
    loan = get_loan(platform, BANK, loan_id)
    payments = loan["payments"]
    assert sum(p["amount"] for p in payments) == 160_000
    # 121,325 × 18.9% × 4/365 = 251.3 -> 251 of delinquency interest, then installment 1, then prepayment.
    assert quote["delinquency_interest"] == 251
    assert sum(p["delinquency_interest"] for p in payments) == 251
    paid_principal = sum(p["principal"] for p in payments)
    assert loan["principal_balance"] == 5_000_000 - paid_principal
    assert loan["schedule"][0]["principal_paid"] == 55_075 and loan["status"] == "active"
    # The ledger replays to the stored rows: the next quote would refuse otherwise (LEDGER_MISMATCH).
    assert payoff_quote(platform, BANK, loan_id, day)["principal_balance"] == loan["principal_balance"]


def test_payments_are_refused_without_a_partial_write(platform: Platform) -> None:
    loan_id = new_loan(platform)["loan_id"]
    at(platform, date(2025, 6, 20))
    quote = payoff_quote(platform, BANK, loan_id, date(2025, 6, 20))
    audits = count(platform, AuditEvent)
    with pytest.raises(Conflict) as too_much:
        post_payment(platform, BANK, loan_id, quote["total"] + 1, date(2025, 6, 20), "x-1")
    assert too_much.value.code == "AMOUNT_EXCEEDS_PAYOFF"
    with pytest.raises(Conflict) as nothing:
        prepay(platform, BANK, loan_id, quote["amount_due"], date(2025, 6, 20), "x-2")
    assert nothing.value.code == "NOTHING_TO_PREPAY"
    with pytest.raises(InputError) as future:
        post_payment(platform, BANK, loan_id, 1_000, date(2025, 6, 21), "x-3")
    assert future.value.field == "paid_on"
    with pytest.raises(InputError) as zero:
        post_payment(platform, BANK, loan_id, 0, date(2025, 6, 20), "x-4")
    assert zero.value.field == "amount"
    with pytest.raises(NotFound):
        post_payment(platform, OTHER_BANK, loan_id, 1_000, date(2025, 6, 20), "x-5")
    assert count(platform, Payment) == 0 and count(platform, AuditEvent) == audits
    assert count(platform, IdempotencyRecord) == 1  # the execution's

    post_payment(platform, BANK, loan_id, 1_000, date(2025, 6, 20), "x-6")
    with pytest.raises(Conflict) as back_dated:
        post_payment(platform, BANK, loan_id, 1_000, date(2025, 6, 19), "x-7")
    assert back_dated.value.code == "PAYMENT_OUT_OF_ORDER"


def test_a_bank_sees_only_its_own_loans(platform: Platform) -> None:
    mine = new_loan(platform)["loan_id"]
    _, theirs_certificate = make_guarantee(platform, bank_code="jeonbuk")
    theirs = execute_loan(platform, OTHER_BANK, theirs_certificate, CODE, TODAY, "exec-1")["loan_id"]
    assert [x["loan_id"] for x in list_loans(platform, BANK)] == [mine]
    assert [x["loan_id"] for x in list_loans(platform, OTHER_BANK, status="active")] == [theirs]
    with pytest.raises(NotFound):
        get_loan(platform, BANK, theirs)
    with pytest.raises(NotFound):
        payoff_quote(platform, BANK, theirs, TODAY)
    with pytest.raises(NotFound):
        prepay(platform, BANK, theirs, None, TODAY, "y-1")
    with pytest.raises(InputError) as bad_status:
        list_loans(platform, BANK, status="open")
    assert bad_status.value.field == "status"


def test_a_full_prepayment_after_maturity_pays_everything_owed(platform: Platform) -> None:
    loan_id = new_loan(platform, term_months=1)["loan_id"]  # one installment, due 2025-06-16
    day = date(2025, 6, 26)
    at(platform, day)
    quote = payoff_quote(platform, BANK, loan_id, day)
    assert quote["principal_balance"] == 0 and quote["accrued_interest"] == 0
    # 5,066,250 × 18.9% × 10/365 = 26,233.2 -> 26,233.
    assert quote["delinquency_interest"] == 26_233
    closed = prepay(platform, BANK, loan_id, None, day, "full")
    assert closed["amount"] == 5_000_000 + 66_250 + 26_233 and closed["full_repayment"]
    with platform.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "loan.repay").order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None and event.actor_id == "kwangju" and event.actor_type == "bank"
        assert event.before is not None and event.before["principal_balance"] == 5_000_000
        assert event.after is not None and event.after["status"] == "repaid"
        assert event.after["lines"] == [
            {"no": 1, "delinquency_interest": 26_233, "interest": 66_250, "principal": 5_000_000}
        ]
