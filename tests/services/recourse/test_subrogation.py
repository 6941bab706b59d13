"""Subrogation and recourse on SQLite and PostgreSQL: claim, payment, recourse debt, installment plans and
deferrals, with role checks and illegal transitions refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from test_close_of_business import MadeLoan, due, make_loan, pay_through

from seomin.adapters.db.models import AuditEvent, Guarantee, Loan, RecourseDebt, RecoursePlan
from seomin.services.close_of_business import run_close_of_business
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.platform import Actor, ActorType, Platform
from seomin.services.recourse import (
    approve_arrangement,
    file_subrogation_claim,
    grant_deferral,
    grant_installment_plan,
    pay_subrogation_claim,
)

BANK = Actor(ActorType.BANK, "kwangju")
OTHER_BANK = Actor(ActorType.BANK, "jeonbuk")
SUPERVISOR = Actor(ActorType.STAFF, "1", role="supervisor")
COUNSELOR = Actor(ActorType.STAFF, "2", role="counselor")
REVIEWER = Actor(ActorType.STAFF, "3", role="reviewer")
AUDITOR = Actor(ActorType.STAFF, "4", role="auditor")
APPLICANT = Actor(ActorType.APPLICANT, "1")


@pytest.fixture()
def platform(platform: Platform) -> Platform:
    """The shared fixture with a clock late enough for every date used here."""
    platform.today = lambda: date(2045, 12, 31)
    return platform


def defaulted_loan(platform: Platform, ratio_bp: int = 10_000) -> tuple[MadeLoan, date]:
    """A loan paid for six months, then defaulted by close of business; returns it and its default day."""
    made = make_loan(platform, executed_on=date(2024, 6, 3), ratio_bp=ratio_bp)
    pay_through(platform, made.id, due(made, 6))
    default_day = due(made, 7) + timedelta(days=90)
    run_close_of_business(platform, default_day)
    assert loan_status(platform, made.id) == "defaulted"
    return made, default_day


def loan_status(platform: Platform, loan_id: int) -> str:
    with platform.sessions() as session:
        return session.get_one(Loan, loan_id).status


def expected_claim(made: MadeLoan, filed_on: date) -> tuple[int, int]:
    rows = made.schedule.installments
    principal = rows[5].balance  # after the six installments paid
    interest = sum(r.interest for r in rows[6:] if r.due_date <= filed_on)
    return principal, interest


def events(platform: Platform, entity_type: str, entity_id: object) -> list[tuple[str, str, str]]:
    with platform.sessions() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
        return [(e.action, e.actor_type, e.actor_id) for e in rows]


def test_claim_payment_recourse_deferral_and_installment_plan(platform: Platform) -> None:
    made, default_day = defaulted_loan(platform)
    filed_on = default_day + timedelta(days=5)
    claim = file_subrogation_claim(platform, BANK, made.id, filed_on)
    principal, interest = expected_claim(made, filed_on)
    assert interest > 0
    assert (claim.principal, claim.interest, claim.guaranteed_amount) == (
        principal,
        interest,
        principal + interest,
    )
    assert (claim.status, claim.bank_code, claim.filed_on, claim.paid_on) == (
        "filed",
        "kwangju",
        filed_on,
        None,
    )
    assert loan_status(platform, made.id) == "subrogated"
    with platform.sessions() as session:
        assert session.get_one(Guarantee, made.guarantee_id).status == "claimed"
    assert events(platform, "subrogation_claim", claim.id) == [("subrogation_claim.filed", "bank", "kwangju")]
    assert events(platform, "loan", made.id)[-1] == ("loan.subrogated", "bank", "kwangju")
    assert events(platform, "guarantee", made.guarantee_id) == [("guarantee.claimed", "bank", "kwangju")]

    paid_on = filed_on + timedelta(days=20)
    debt = pay_subrogation_claim(platform, SUPERVISOR, claim.id, paid_on)
    assert (debt.claim_id, debt.principal, debt.balance, debt.status, debt.created_on) == (
        claim.id,
        claim.guaranteed_amount,
        claim.guaranteed_amount,
        "open",
        paid_on,
    )
    with platform.sessions() as session:
        assert debt.applicant_id == session.get_one(Loan, made.id).applicant_id
    assert events(platform, "subrogation_claim", claim.id)[-1] == ("subrogation_claim.paid", "staff", "1")
    assert events(platform, "recourse_debt", debt.id) == [("recourse_debt.created", "staff", "1")]

    starts = date(2025, 7, 31)
    deferral = grant_deferral(platform, COUNSELOR, debt.id, 6, starts)
    assert (deferral.kind, deferral.months, deferral.monthly_amount, deferral.ends_on) == (
        "deferral",
        6,
        0,
        date(2026, 1, 31),
    )
    with pytest.raises(InputError) as within:
        grant_installment_plan(platform, COUNSELOR, debt.id, 12, date(2026, 1, 30))
    assert within.value.field == "starts_on"

    plan = grant_installment_plan(platform, SUPERVISOR, debt.id, 12, date(2026, 1, 31))
    balance = debt.balance
    assert plan.monthly_amount == balance // 12
    assert plan.last_amount == balance - 11 * (balance // 12)
    assert 11 * plan.monthly_amount + plan.last_amount == balance
    assert (plan.kind, plan.ends_on) == ("installment_plan", date(2026, 12, 31))
    with platform.sessions() as session:
        assert session.get_one(RecourseDebt, debt.id).status == "installment_plan"
        kinds = [p.kind for p in session.scalars(select(RecoursePlan).order_by(RecoursePlan.id))]
        assert kinds == ["deferral", "installment_plan"]
    assert [e[0] for e in events(platform, "recourse_debt", debt.id)] == [
        "recourse_debt.created",
        "recourse_debt.deferral_granted",
        "recourse_debt.installment_plan_granted",
    ]
    with platform.sessions() as session:
        granted = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "recourse_debt.installment_plan_granted")
        ).one()
    assert granted.before == {"status": "deferred"}
    assert granted.after is not None
    assert (granted.after["monthly_amount"], granted.after["last_amount"]) == (
        plan.monthly_amount,
        plan.last_amount,
    )

    # A plan may be suspended by a deferral, but not doubled.
    with pytest.raises(Conflict) as doubled:
        grant_installment_plan(platform, COUNSELOR, debt.id, 24, date(2026, 2, 1))
    assert doubled.value.code == "RECOURSE_DEBT_INSTALLMENT_PLAN"
    grant_deferral(platform, COUNSELOR, debt.id, 3, date(2026, 3, 1))
    with pytest.raises(Conflict) as deferred_twice:
        grant_deferral(platform, COUNSELOR, debt.id, 3, date(2026, 6, 1))
    assert deferred_twice.value.code == "RECOURSE_DEBT_DEFERRED"


def test_installment_plan_remainder_goes_to_the_last_payment(platform: Platform) -> None:
    made, default_day = defaulted_loan(platform)
    claim = file_subrogation_claim(platform, BANK, made.id, default_day)
    debt = pay_subrogation_claim(platform, SUPERVISOR, claim.id, default_day + timedelta(days=1))
    with platform.sessions.begin() as session:
        session.get_one(RecourseDebt, debt.id).balance = 1_000_003
    plan = grant_installment_plan(platform, COUNSELOR, debt.id, 12, default_day + timedelta(days=1))
    assert (plan.monthly_amount, plan.last_amount) == (83_333, 83_340)
    with pytest.raises(NotFound):
        grant_installment_plan(platform, COUNSELOR, 10**9, 12, default_day)


def test_guaranteed_amount_follows_the_guarantee_ratio(platform: Platform) -> None:
    made, default_day = defaulted_loan(platform, ratio_bp=9_000)
    claim = file_subrogation_claim(platform, BANK, made.id, default_day)
    assert claim.guaranteed_amount == (claim.principal + claim.interest) * 9 // 10
    debt = pay_subrogation_claim(platform, SUPERVISOR, claim.id, default_day)
    assert debt.principal == claim.guaranteed_amount


def test_roles_and_banks_are_checked(platform: Platform) -> None:
    made, default_day = defaulted_loan(platform)
    for actor in (SUPERVISOR, APPLICANT):
        with pytest.raises(Forbidden):
            file_subrogation_claim(platform, actor, made.id, default_day)
    with pytest.raises(NotFound):
        file_subrogation_claim(platform, OTHER_BANK, made.id, default_day)
    with pytest.raises(NotFound):
        file_subrogation_claim(platform, BANK, 10**9, default_day)
    assert loan_status(platform, made.id) == "defaulted"

    claim = file_subrogation_claim(platform, BANK, made.id, default_day)
    for actor in (COUNSELOR, REVIEWER, AUDITOR, BANK):
        with pytest.raises(Forbidden):
            pay_subrogation_claim(platform, actor, claim.id, default_day)
    with pytest.raises(NotFound):
        pay_subrogation_claim(platform, SUPERVISOR, 10**9, default_day)
    debt = pay_subrogation_claim(platform, SUPERVISOR, claim.id, default_day)
    for actor in (REVIEWER, AUDITOR, BANK, APPLICANT):
        with pytest.raises(Forbidden):
            grant_installment_plan(platform, actor, debt.id, 12, default_day)
        with pytest.raises(Forbidden):
            grant_deferral(platform, actor, debt.id, 6, default_day)
    with pytest.raises(NotFound):
        grant_deferral(platform, COUNSELOR, 10**9, 6, default_day)
    with platform.sessions() as session:
        assert session.get_one(RecourseDebt, debt.id).status == "open"


def test_illegal_transitions_and_bad_input_are_refused(platform: Platform) -> None:
    active = make_loan(platform, executed_on=date(2025, 1, 6))
    with pytest.raises(Conflict) as not_defaulted:
        file_subrogation_claim(platform, BANK, active.id, date(2025, 1, 20))
    assert not_defaulted.value.code == "LOAN_ACTIVE"
    run_close_of_business(platform, due(active, 1) + timedelta(days=10))
    with pytest.raises(Conflict) as delinquent:
        file_subrogation_claim(platform, BANK, active.id, due(active, 1) + timedelta(days=10))
    assert delinquent.value.code == "LOAN_DELINQUENT"

    made, default_day = defaulted_loan(platform)
    platform.today = lambda: default_day
    with pytest.raises(InputError) as tomorrow:
        file_subrogation_claim(platform, BANK, made.id, default_day + timedelta(days=1))
    assert tomorrow.value.field == "filed_on"
    with pytest.raises(InputError) as too_early:
        file_subrogation_claim(platform, BANK, made.id, date(2024, 6, 2))
    assert too_early.value.field == "filed_on"
    claim = file_subrogation_claim(platform, BANK, made.id, default_day)
    with pytest.raises(Conflict) as twice:
        file_subrogation_claim(platform, BANK, made.id, default_day)
    assert twice.value.code == "LOAN_SUBROGATED"

    platform.today = lambda: default_day
    with pytest.raises(InputError) as future:
        pay_subrogation_claim(platform, SUPERVISOR, claim.id, default_day + timedelta(days=1))
    assert future.value.field == "paid_on"
    with pytest.raises(InputError) as before_filing:
        pay_subrogation_claim(platform, SUPERVISOR, claim.id, default_day - timedelta(days=1))
    assert before_filing.value.field == "paid_on"
    debt = pay_subrogation_claim(platform, SUPERVISOR, claim.id, default_day)
    with pytest.raises(Conflict) as paid_twice:
        pay_subrogation_claim(platform, SUPERVISOR, claim.id, default_day)
    assert paid_twice.value.code == "SUBROGATION_CLAIM_PAID"

    for months in (0, -1, 121):
        with pytest.raises(InputError) as bad_months:
            grant_installment_plan(platform, COUNSELOR, debt.id, months, default_day)
        assert bad_months.value.field == "months"
    with pytest.raises(InputError):
        grant_deferral(platform, COUNSELOR, debt.id, 25, default_day)
    with pytest.raises(InputError) as before_debt:
        grant_deferral(platform, COUNSELOR, debt.id, 6, default_day - timedelta(days=1))
    assert before_debt.value.field == "starts_on"
    with platform.sessions() as session:
        assert session.scalars(select(RecoursePlan)).all() == []


def test_a_long_arrangement_waits_for_a_second_supervisor(platform: Platform) -> None:
    """Maker-checker: a plan above 60 months or a deferral above 12 is proposed, not in force; the debt
    keeps its state until a supervisor other than the proposer approves it."""
    made, filed_on = defaulted_loan(platform)
    claim = file_subrogation_claim(platform, BANK, made.id, filed_on)
    debt = pay_subrogation_claim(platform, SUPERVISOR, claim.id, filed_on + timedelta(days=20))
    starts = filed_on + timedelta(days=40)
    proposed = grant_installment_plan(platform, COUNSELOR, debt.id, 72, starts)
    assert proposed.status == "proposed"
    with platform.sessions() as session:
        assert session.get_one(RecourseDebt, debt.id).status == "open"
    with pytest.raises(Conflict) as another:  # one proposal at a time
        grant_deferral(platform, COUNSELOR, debt.id, 3, starts)
    assert another.value.code == "RECOURSE_ARRANGEMENT_PENDING"
    with pytest.raises(Forbidden):  # a counselor proposes, never approves
        approve_arrangement(platform, COUNSELOR, proposed.id)
    maker = Actor(ActorType.STAFF, "3", role="supervisor")
    long_deferral_debt = debt.id
    approved = approve_arrangement(platform, SUPERVISOR, proposed.id)
    assert (approved.status, approved.months) == ("in_force", 72)
    with platform.sessions() as session:
        assert session.get_one(RecourseDebt, long_deferral_debt).status == "installment_plan"
    deferral = grant_deferral(platform, maker, debt.id, 18, starts + timedelta(days=60))
    assert deferral.status == "proposed"
    with pytest.raises(Conflict) as same:
        approve_arrangement(platform, maker, deferral.id)
    assert same.value.code == "SECOND_APPROVER_SAME"
    assert events(platform, "recourse_debt", debt.id)[-1] == ("recourse_debt.deferral_proposed", "staff", "3")
