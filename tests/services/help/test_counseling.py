"""Counseling notes through the service on SQLite and PostgreSQL: who may write and read, the checks on
the text, the audit event on the application's trail."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from test_applications import applicant, apply, staff

from seomin.adapters.db.models import StaffUser
from seomin.services.audit_trail import application_trail
from seomin.services.errors import Forbidden, InputError, NotFound
from seomin.services.help import MAX_NOTE_CHARS, add_note, list_notes
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_counselors_reviewers_and_supervisors_write_and_everyone_reads(platform: Platform) -> None:
    application_id = apply(platform, applicant(platform))
    counselor = staff(platform, "cou", "counselor")
    reviewer = staff(platform, "rev", "reviewer")
    supervisor = staff(platform, "sup", "supervisor")
    auditor = staff(platform, "aud", "auditor")
    first = add_note(platform, counselor, application_id, "  재직증명서 재발급 안내, 다음 주 재방문 예정  ")
    add_note(platform, reviewer, application_id, "소득 서류 확인 완료")
    add_note(platform, supervisor, application_id, "우선 심사 요청")
    with pytest.raises(Forbidden):
        add_note(platform, auditor, application_id, "감사인은 쓸 수 없습니다")
    notes = list_notes(platform, auditor, application_id)
    assert [n.body for n in notes] == [
        "재직증명서 재발급 안내, 다음 주 재방문 예정",
        "소득 서류 확인 완료",
        "우선 심사 요청",
    ]
    assert notes[0].id == first and notes[0].staff_name == "Cou (cou)"
    assert notes[0].created_at.tzinfo is not None

    trail = [
        e for e in application_trail(platform, auditor, application_id) if e.action == "counseling_note.added"
    ]
    assert [(e.actor_id, e.after) for e in trail] == [
        (counselor.id, {"note_id": first, "chars": len("재직증명서 재발급 안내, 다음 주 재방문 예정")}),
        (reviewer.id, {"note_id": notes[1].id, "chars": len("소득 서류 확인 완료")}),
        (supervisor.id, {"note_id": notes[2].id, "chars": len("우선 심사 요청")}),
    ]
    assert all("재직" not in str(e.after) for e in trail)  # the text stays out of the trail


def test_bad_notes_are_refused_and_nothing_is_written(platform: Platform) -> None:
    application_id = apply(platform, applicant(platform))
    counselor = staff(platform, "cou", "counselor")
    for body in ("", "   \n ", "가" * (MAX_NOTE_CHARS + 1)):
        with pytest.raises(InputError) as refused:
            add_note(platform, counselor, application_id, body)
        assert refused.value.field == "body"
    with pytest.raises(NotFound):
        add_note(platform, counselor, application_id + 999, "없는 신청")
    with pytest.raises(NotFound):
        list_notes(platform, counselor, application_id + 999)
    assert list_notes(platform, counselor, application_id) == []
    assert add_note(platform, counselor, application_id, "가" * MAX_NOTE_CHARS) > 0


def test_applicants_and_deactivated_staff_may_not_write(platform: Platform) -> None:
    person = applicant(platform)
    application_id = apply(platform, person)
    with pytest.raises(Forbidden):
        add_note(platform, person, application_id, "신청인은 상담 기록을 쓰지 않습니다")
    with pytest.raises(Forbidden):
        list_notes(platform, person, application_id)
    counselor = staff(platform, "cou", "counselor")
    with platform.sessions.begin() as session:
        session.execute(update(StaffUser).where(StaffUser.username == "cou").values(active=False))
    with pytest.raises(Forbidden):
        add_note(platform, counselor, application_id, "퇴사한 직원")
