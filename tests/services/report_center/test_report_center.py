"""The fraud report center through the service on SQLite and PostgreSQL: anonymous reports grouped by
target, triage of a group in one audited step, the public confirmed list, monthly figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from test_applications import staff

from seomin.adapters.db.models import AuditEvent, FraudReport
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.platform import Platform
from seomin.services.report_center import (
    confirmed_fakes,
    monthly_figures,
    report_groups,
    submit_report,
    triage,
)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_reports_group_triage_and_publish(platform: Platform) -> None:
    first = submit_report(
        platform, "site", "https://www.kinfa-loan.com/a", "진흥원 로고로 대출 권유", False, None
    )
    second = submit_report(platform, "site", "KINFA-LOAN.com", "선입금 요구", True, "010-2222-3333")
    submit_report(platform, "phone", "070-1234-5678", "", False, None)
    assert first.reports_of_target == 1 and second.reports_of_target == 2
    assert second.callback_phone_masked == "010-****-3333" and second.steps_ko[0].startswith("돈을 보냈다면")
    assert first.reference_no != second.reference_no
    with platform.sessions() as session:
        stored = session.scalars(
            select(FraudReport.phone_encrypted).where(FraudReport.phone_masked.is_not(None))
        )
        assert "01022223333" not in str(list(stored))  # encrypted at rest

    counselor = staff(platform, "cou", "counselor")
    auditor = staff(platform, "aud", "auditor")
    groups = report_groups(platform, auditor)
    assert [(g.target_key, g.reports, g.lost_money, g.status) for g in groups] == [
        ("kinfa-loan.com", 2, 1, "received"),
        ("07012345678", 1, 0, "received"),
    ]
    assert confirmed_fakes(platform) == []
    with pytest.raises(Forbidden):
        triage(platform, auditor, "kinfa-loan.com", "confirmed", "확인")
    with pytest.raises(Conflict):
        triage(platform, counselor, "kinfa-loan.com", "referred", "바로 이첩", "police")
    confirmed = triage(platform, counselor, "kinfa-loan.com", "confirmed", "진흥원 사칭 확인")
    assert confirmed.status == "confirmed" and confirmed.reports == 2
    referred = triage(platform, counselor, "kinfa-loan.com", "referred", "경찰청 이첩", "police")
    assert referred.referred_to == "police"
    third = submit_report(platform, "site", "kinfa-loan.com/b", "", False, None)
    assert third.reports_of_target == 3
    assert [(f.kind, f.target_key, f.status) for f in confirmed_fakes(platform)] == [
        ("site", "kinfa-loan.com", "referred")
    ]
    with platform.sessions() as session:
        triaged = session.scalars(
            select(AuditEvent.reason)
            .where(AuditEvent.action == "fraud_report.triaged")
            .order_by(AuditEvent.id)
        ).all()
        received = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "fraud_report.received")
        )
    assert triaged == ["진흥원 사칭 확인", "경찰청 이첩"] and received == 4

    year = datetime.now(UTC).year
    figures = monthly_figures(platform, auditor, year)
    assert sum(f.reports for f in figures) == 4
    assert {(f.kind, f.status, f.reports) for f in figures} == {
        ("site", "referred", 3),
        ("phone", "received", 1),
    }
    assert monthly_figures(platform, auditor, year - 1) == []


def test_bad_reports_and_triage_are_refused_with_the_field(platform: Platform) -> None:
    for args, field in [
        (("fax", "02-123-4567", "", False, None), "kind"),
        (("site", "no site here", "", False, None), "target"),
        (("phone", "010-1234-5678", "가" * 2001, False, None), "description"),
        (("phone", "010-1234-5678", "", False, "12"), "phone"),
    ]:
        with pytest.raises(InputError) as caught:
            submit_report(platform, *args)
        assert caught.value.field == field
    counselor = staff(platform, "cou", "counselor")
    with pytest.raises(NotFound):
        triage(platform, counselor, "nothing.example", "confirmed", "확인")
    submit_report(platform, "app", "가짜대출앱", "", False, None)
    with pytest.raises(InputError) as caught:
        triage(platform, counselor, "가짜대출앱", "confirmed", "  ")
    assert caught.value.field == "reason"
    with pytest.raises(InputError) as caught:
        triage(platform, counselor, "가짜대출앱", "referred", "이첩", "nowhere")
    assert caught.value.field == "referred_to"
    with platform.sessions() as session:
        assert session.scalar(select(func.count()).select_from(FraudReport)) == 1
