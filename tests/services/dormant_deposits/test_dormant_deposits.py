"""휴면예금 찾아줌 on SQLite and PostgreSQL: files, look-ups, claims paid once, audit and notices."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from test_bank_loans import race

from builders import make_applicant
from seomin.adapters.db.models import Applicant, AuditEvent, DormantClaim, DormantDeposit, NotificationMessage
from seomin.services.dormant_deposits import (
    FILE_COLUMNS,
    approve_payout,
    claim_deposit,
    disclosure_figures,
    import_file,
    look_up_for_walk_in,
    my_dormant_deposits,
)
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.platform import SYSTEM, Actor, ActorType, Platform

RRN = "850301-1234567"
OTHER_RRN = "900101-2345678"
HEADER = ",".join(FILE_COLUMNS)
COUNSELOR = Actor(ActorType.STAFF, "2", role="counselor")
SUPERVISOR = Actor(ActorType.STAFF, "1", role="supervisor")
ACCOUNT = "110-123-456789"


def csv_file(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


def holder(platform: Platform, rrn: str = RRN) -> tuple[Actor, str]:
    applicant_id = make_applicant(platform, rrn=rrn)
    with platform.sessions() as session:
        name = platform.vault.decrypt(session.get_one(Applicant, applicant_id).name_encrypted)
    return Actor(ActorType.APPLICANT, str(applicant_id)), name


def seed(platform: Platform, amount: int = 1_000_000, ref: str = "A-1", rrn: str = RRN) -> int:
    report = import_file(
        platform, SYSTEM, "kb", "bank", csv_file(f"{ref},{rrn},보통예금,{amount},100,2024-05-15"), amount
    )
    assert report.added == 1
    with platform.sessions() as session:
        return session.scalars(select(DormantDeposit.id).where(DormantDeposit.source_ref == ref)).one()


def test_import_reports_rejects_by_line_and_a_reupload_adds_nothing(platform: Platform) -> None:
    text = csv_file(
        f"A-1,{RRN},보통예금,1000000,100,2024-05-15",
        "A-2,not-a-number,정기예금,500,100,2024-05-15",
        f"A-3,{OTHER_RRN},정기예금,-5,100,2024-05-15",
        f"A-4,{OTHER_RRN},저축보험,250000,0,2023-01-02",
    )
    report = import_file(platform, SYSTEM, "kb", "bank", text, 1_250_000)
    assert (report.added, report.already_held, report.total_added) == (2, 0, 1_250_000)
    assert [r.line for r in report.rejects] == [3, 4]
    assert all("234" not in r.problem for r in report.rejects)  # numbers never echoed
    again = import_file(platform, SYSTEM, "kb", "bank", text, 1_250_000)
    assert (again.added, again.already_held) == (0, 2)
    with platform.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DormantDeposit)) == 2


def test_import_with_a_wrong_declared_total_writes_nothing(platform: Platform) -> None:
    with pytest.raises(InputError) as caught:
        import_file(platform, SYSTEM, "kb", "bank", csv_file(f"A-1,{RRN},보통예금,1000,100,2024-05-15"), 999)
    assert caught.value.field == "declared_total"
    with pytest.raises(InputError, match="header"):
        import_file(platform, SYSTEM, "kb", "bank", "a,b\n1,2\n", 0)
    with pytest.raises(InputError, match="sector"):
        import_file(platform, SYSTEM, "kb", "casino", csv_file(), 0)
    with pytest.raises(Forbidden):
        import_file(platform, Actor(ActorType.APPLICANT, "1"), "kb", "bank", csv_file(), 0)
    with platform.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DormantDeposit)) == 0


def test_a_verified_person_sees_only_their_own_deposits_with_interest_to_today(platform: Platform) -> None:
    seed(platform)  # 1,000,000 won at 1.00% since 2024-05-15; today 2025-05-15 = 365 days
    seed(platform, ref="B-1", rrn=OTHER_RRN)
    me, _ = holder(platform)
    [held] = my_dormant_deposits(platform, me)
    assert (held.institution_code, held.product, held.amount, held.interest) == (
        "kb",
        "보통예금",
        1_000_000,
        10_000,
    )
    with pytest.raises(Forbidden):
        my_dormant_deposits(platform, COUNSELOR)


def test_a_counselor_look_up_for_a_walk_in_is_audited_with_a_masked_number(platform: Platform) -> None:
    seed(platform)
    [held] = look_up_for_walk_in(platform, COUNSELOR, RRN, "센터 방문 상담")
    assert held.amount == 1_000_000
    with platform.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "dormant.looked_up")).one()
    assert (event.entity_id, event.reason) == ("850301-1******", "센터 방문 상담")
    with pytest.raises(InputError) as caught:
        look_up_for_walk_in(platform, COUNSELOR, RRN, " ")
    assert caught.value.field == "reason"
    with pytest.raises(Forbidden):
        look_up_for_walk_in(platform, Actor(ActorType.STAFF, "4", role="auditor"), RRN, "why")


def test_an_online_claim_pays_to_an_own_name_account_and_sends_one_fraud_safe_sms(platform: Platform) -> None:
    deposit = seed(platform)
    me, name = holder(platform)
    with pytest.raises(InputError) as caught:
        claim_deposit(platform, me, deposit, account=ACCOUNT, account_holder_name="김타인")
    assert caught.value.field == "account_holder_name"
    paid = claim_deposit(platform, me, deposit, account=ACCOUNT, account_holder_name=name)
    assert (paid.status, paid.principal, paid.interest, paid.account_masked) == (
        "paid",
        1_000_000,
        10_000,
        "********6789",
    )
    again = claim_deposit(platform, me, deposit, account=ACCOUNT, account_holder_name=name)
    assert again == paid  # a retry answers the same claim
    with platform.sessions() as session:
        assert session.get_one(DormantDeposit, deposit).status == "paid"
        [message] = session.scalars(select(NotificationMessage)).all()
        text = platform.vault.decrypt(message.text_encrypted)
        assert session.scalar(select(func.count()).select_from(DormantClaim)) == 1
    assert "1,010,000원" in text and "http" not in text and message.template_id == "dormant_payout"


def test_another_persons_deposit_is_not_found_and_bad_accounts_are_refused(platform: Platform) -> None:
    theirs = seed(platform, rrn=OTHER_RRN)
    me, name = holder(platform)
    with pytest.raises(NotFound):
        claim_deposit(platform, me, theirs, account=ACCOUNT, account_holder_name=name)
    with pytest.raises(InputError) as caught:
        claim_deposit(platform, me, theirs, account="12ab", account_holder_name=name)
    assert caught.value.field == "account"


def test_a_donation_is_recorded_as_such_and_blocks_a_later_payout(platform: Platform) -> None:
    deposit = seed(platform)
    me, name = holder(platform)
    donated = claim_deposit(platform, me, deposit, donate=True)
    assert (donated.kind, donated.status, donated.account_masked) == ("donation", "donated", None)
    with pytest.raises(Conflict):
        claim_deposit(platform, me, deposit, account=ACCOUNT, account_holder_name=name)


def test_a_large_claim_waits_for_a_supervisor_and_an_over_cap_one_goes_to_a_center(
    platform: Platform,
) -> None:
    large = seed(platform, amount=6_000_000)
    huge = seed(platform, amount=20_000_000, ref="A-2")
    me, name = holder(platform)
    waiting = claim_deposit(platform, me, large, account=ACCOUNT, account_holder_name=name)
    assert (waiting.status, waiting.reason_code) == ("awaiting_approval", "dormant.second_approval")
    with pytest.raises(Forbidden):
        approve_payout(platform, COUNSELOR, waiting.id)
    paid = approve_payout(platform, SUPERVISOR, waiting.id)
    assert paid.status == "paid" and approve_payout(platform, SUPERVISOR, waiting.id) == paid
    center = claim_deposit(platform, me, huge, account=ACCOUNT, account_holder_name=name)
    assert (center.status, center.reason_code) == ("center", "dormant.over_online_cap")
    with pytest.raises(Conflict):
        approve_payout(platform, SUPERVISOR, center.id)
    with platform.sessions() as session:
        assert session.scalar(select(func.count()).select_from(NotificationMessage)) == 1


def test_racing_claims_pay_exactly_once(platform: Platform) -> None:
    deposit = seed(platform)
    me, name = holder(platform)
    results = race(
        6, lambda _: claim_deposit(platform, me, deposit, account=ACCOUNT, account_holder_name=name)
    )
    assert len({r.id for r in results if not isinstance(r, Exception)}) == 1, results
    with platform.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DormantClaim)) == 1
        assert session.scalar(select(func.count()).select_from(NotificationMessage)) == 1
        paid = session.scalars(select(AuditEvent).where(AuditEvent.action == "dormant_claim.paid")).all()
    assert len(paid) == 1
    assert date(2025, 5, 15) == platform.today()


def test_disclosure_figures_reconcile_by_sector(platform: Platform) -> None:
    paid = seed(platform)  # 1,000,000 + 10,000 interest, paid
    donated = seed(platform, amount=300_000, ref="A-2")
    seed(platform, amount=200_000, ref="A-3")  # outstanding
    report = import_file(
        platform,
        SYSTEM,
        "samsung-life",
        "insurance",
        csv_file(f"I-1,{OTHER_RRN},저축보험,50000,0,2024-05-15"),
        50_000,
    )
    assert report.added == 1
    me, name = holder(platform)
    claim_deposit(platform, me, paid, account=ACCOUNT, account_holder_name=name)
    claim_deposit(platform, me, donated, donate=True)
    with pytest.raises(Forbidden):
        disclosure_figures(platform, COUNSELOR)
    bank, insurance = disclosure_figures(platform, Actor(ActorType.STAFF, "4", role="auditor"))
    assert (bank.sector, bank.contributed, bank.paid, bank.donated, bank.outstanding, bank.interest_paid) == (
        "bank",
        1_500_000,
        1_000_000,
        300_000,
        200_000,
        10_000,
    )
    assert bank.contributed == bank.paid + bank.donated + bank.outstanding
    assert (insurance.sector, insurance.outstanding) == ("insurance", 50_000)


def test_racing_approvals_release_the_payout_once(platform: Platform) -> None:
    deposit = seed(platform, amount=6_000_000)
    me, name = holder(platform)
    waiting = claim_deposit(platform, me, deposit, account=ACCOUNT, account_holder_name=name)
    results = race(4, lambda _: approve_payout(platform, SUPERVISOR, waiting.id))
    assert {r.status for r in results} == {"paid"}, results
    with platform.sessions() as session:
        assert session.scalar(select(func.count()).select_from(NotificationMessage)) == 1
        paid = session.scalars(select(AuditEvent).where(AuditEvent.action == "dormant_claim.paid")).all()
    assert len(paid) == 1


def test_notices_go_to_every_holder_and_by_sms_once_a_month_to_those_we_know(platform: Platform) -> None:
    from seomin.services.dormant_deposits import rights_holder_notices

    seed(platform)
    seed(platform, amount=500, ref="B-1", rrn=OTHER_RRN)
    _, name = holder(platform)
    with pytest.raises(Forbidden):
        rights_holder_notices(platform, COUNSELOR, date(2025, 5, 15))
    known, unknown = sorted(
        rights_holder_notices(platform, SYSTEM, date(2025, 5, 15)), key=lambda n: n.name == ""
    )
    assert (known.name, known.total_won, known.sms) == (name, 1_000_000, True)
    assert (unknown.name, unknown.rrn_masked, unknown.sms) == ("", "900101-2******", False)
    rights_holder_notices(platform, SYSTEM, date(2025, 5, 20))  # a rerun in the month: no second SMS
    rights_holder_notices(platform, SYSTEM, date(2025, 6, 1))
    with platform.sessions() as session:
        sent = session.scalars(
            select(NotificationMessage.dedupe_key).where(NotificationMessage.template_id == "dormant_notice")
        ).all()
    assert len(sent) == 2  # May and June


def test_a_reference_repeated_within_a_file_is_refused_by_line(platform: Platform) -> None:
    text = csv_file(f"D-1,{RRN},보통예금,100,0,2024-05-15", f"D-1,{RRN},보통예금,200,0,2024-05-15")
    report = import_file(platform, SYSTEM, "kb", "bank", text, 100)
    assert (report.added, [(r.line, r.problem) for r in report.rejects]) == (
        1,
        [(3, "source_ref repeats an earlier row of the file")],
    )
