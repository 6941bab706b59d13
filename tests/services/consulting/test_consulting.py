"""신용·부채관리 컨설팅 through the real database: enrollment, monthly sessions, completion, the automatic
preferential rate at the next guarantee, encryption and the audit trail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from test_applications import COURSE, applicant, apply, staff

from seomin.adapters.db.models import AuditEvent, ConsultingProgramme, ConsultingSession
from seomin.services.applications import agree_and_issue_guarantee, complete_education, decide
from seomin.services.consulting import enroll, get_programme, programmes_of, record_session
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.platform import Actor, ActorType, Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
PLAN = "카드론 1,200만 원 우선 상환, 한도 소진율 50% 이하로"


def test_a_programme_runs_monthly_sessions_to_completion(platform: Platform) -> None:
    person = applicant(platform)
    counselor = staff(platform, "cou", "counselor")
    programme_id = enroll(platform, counselor, int(person.id), PLAN, 3)
    with pytest.raises(Conflict) as twice:
        enroll(platform, counselor, int(person.id), PLAN, 3)
    assert twice.value.code == "CONSULTING_UNDER_WAY"

    first = record_session(platform, counselor, programme_id, date(2025, 5, 15), "상환 계획 수립")
    assert (first.no, first.status) == (1, "enrolled")
    with pytest.raises(InputError) as same_month:
        record_session(platform, counselor, programme_id, date(2025, 5, 15), "again")
    assert same_month.value.field == "held_on" and "monthly" in same_month.value.message
    platform.today = lambda: date(2025, 7, 20)
    for day in (date(2025, 6, 16), date(2025, 7, 20)):
        receipt = record_session(platform, counselor, programme_id, day, f"{day:%m}월 점검: 카드론 상환 중")
    assert (receipt.no, receipt.status) == (3, "completed")
    with pytest.raises(Conflict):
        record_session(platform, counselor, programme_id, date(2025, 7, 20), "after completion")

    view = get_programme(platform, person, programme_id)
    assert view.plan == PLAN and view.completed_on == date(2025, 7, 20)
    assert [s.no for s in view.sessions] == [1, 2, 3] and "카드론" in view.sessions[2].notes
    assert [p.id for p in programmes_of(platform, person)] == [programme_id]
    with platform.sessions() as session:
        stored = session.get_one(ConsultingProgramme, programme_id)
        notes = session.scalars(select(ConsultingSession.notes_encrypted)).all()
        trail = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "consulting_programme").order_by(AuditEvent.id)
        ).all()
    assert PLAN not in stored.plan_encrypted and all("카드론" not in n for n in notes)
    assert [e.action for e in trail] == ["consulting.enrolled"] + ["consulting.session_recorded"] * 3
    assert trail[-1].after == {"status": "completed", "sessions": 3, "held_on": "2025-07-20"}
    assert all(PLAN not in str(e.after) for e in trail)


def test_bad_input_and_the_wrong_people_are_refused_without_writing(platform: Platform) -> None:
    person = applicant(platform)
    counselor = staff(platform, "cou", "counselor")
    auditor = staff(platform, "aud", "auditor")
    for plan, planned, field in (
        ("  ", 3, "plan"),
        (PLAN, 7, "sessions_planned"),
        (PLAN, 0, "sessions_planned"),
    ):
        with pytest.raises(InputError) as bad:
            enroll(platform, counselor, int(person.id), plan, planned)
        assert bad.value.field == field
    with pytest.raises(Forbidden):
        enroll(platform, auditor, int(person.id), PLAN, 3)
    with pytest.raises(NotFound):
        enroll(platform, counselor, 999_999, PLAN, 3)
    programme_id = enroll(platform, counselor, int(person.id), PLAN, 2)
    for day in (date(2025, 5, 16), date(2025, 5, 14)):  # the future; before the enrollment
        with pytest.raises(InputError):
            record_session(platform, counselor, programme_id, day, "notes")
    stranger = Actor(ActorType.APPLICANT, str(int(person.id) + 1000))
    with pytest.raises(NotFound):
        get_programme(platform, stranger, programme_id)
    assert get_programme(platform, auditor, programme_id).sessions == ()  # staff read


def test_completing_consulting_applies_the_catalogs_preferential_rate_by_itself(platform: Platform) -> None:
    person = applicant(platform)
    counselor = staff(platform, "cou", "counselor")
    programme_id = enroll(platform, counselor, int(person.id), PLAN, 1)
    record_session(platform, counselor, programme_id, date(2025, 5, 15), "완료")
    application_id = apply(platform, person, 2_000_000)  # the person did not say "consulting"
    decide(platform, staff(platform, "reviewer"), application_id, approve=True)
    complete_education(platform, person, COURSE)
    guarantee = agree_and_issue_guarantee(platform, person, application_id, "kwangju")
    assert guarantee.rate_bp == 1580  # 15.9 - 0.1 (lowest-credit-special's consulting cut)
