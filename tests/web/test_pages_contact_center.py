"""The counselor workspace and the 1397 chat through the real app (TestClient, SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from datetime import date

import httpx
import pytest
import test_pages_staff
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from test_applications import NAME, PHONE, RRN, applicant, apply
from test_pages_staff import Login

from builders import make_applicant, make_loan
from identity_steps import page_sign_in
from seomin.adapters.db.models import AuditEvent, HelpBooking, Loan, PersonNote
from seomin.adapters.support_centers import default_support_centers
from seomin.services.help import book_help
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
app = test_pages_staff.app
staff_client = test_pages_staff.staff_client
BIRTH = "1985-03-01"


def _search(client: TestClient, **form: str) -> str:
    answer = client.post("/staff/people", data=form)
    assert answer.status_code == 200, answer.text
    return answer.text.split('id="h-hits"')[1]  # the results, not the form that echoes the search


def test_a_counselor_finds_a_person_three_ways_and_sees_one_masked_timeline(
    staff_client: Login, platform: Platform
) -> None:
    person = applicant(platform)
    application_id = apply(platform, person)
    loan_id = make_loan(platform, int(person.id), amount=3_000_000, executed_on=date(2025, 1, 10))
    with platform.sessions.begin() as session:
        session.execute(update(Loan).where(Loan.id == loan_id).values(status="delinquent", days_past_due=12))
    counselor = staff_client("counselor-kim")
    assert counselor.get("/staff/people").status_code == 200

    found = _search(counselor, by="name", name=NAME, birth_date=BIRTH)
    assert f'data-person="{person.id}"' in found and "홍*동" in found and NAME not in found
    assert "850301-1******" in found and "010-****-5678" in found
    assert f'data-person="{person.id}"' in _search(counselor, by="rrn", rrn=RRN)
    assert f'data-person="{person.id}"' in _search(counselor, by="phone", phone=PHONE)
    assert "조건에 맞는 사람이 없습니다" in _search(counselor, by="name", name=NAME, birth_date="1985-03-02")
    assert "조건에 맞는 사람이 없습니다" in _search(counselor, by="phone", phone="010-9999-5678")
    missing = counselor.post("/staff/people", data={"by": "name", "name": NAME})
    assert missing.status_code == 422 and 'id="birth_date-error"' in missing.text
    bad = counselor.post("/staff/people", data={"by": "rrn", "rrn": "850301-12345"})
    assert bad.status_code == 422 and 'id="rrn-error"' in bad.text and "850301-12345" not in bad.text

    page = counselor.get(f"/staff/people/{person.id}").text
    for kind, ref in (("application", application_id), ("loan", loan_id)):
        assert f'data-kind="{kind}" data-ref="{ref}"' in page
    assert 'data-kind="certificate"' in page and "data-arrears>있음<" in page and "홍*동" in page

    empty = counselor.post(f"/staff/people/{person.id}/notes", data={"body": "  "})
    assert empty.status_code == 422 and 'id="body-error"' in empty.text
    noted = counselor.post(
        f"/staff/people/{person.id}/notes", data={"body": "내일 센터 방문 예정"}, follow_redirects=False
    )
    assert noted.status_code == 303
    assert 'data-kind="note"' in counselor.get(f"/staff/people/{person.id}").text
    with platform.sessions() as session:
        stored = session.scalars(select(PersonNote)).one()
        assert "센터" not in stored.body_encrypted  # encrypted at rest
        searches = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.searched")).all()
        assert {e.after["by"] for e in searches if e.after} == {"name", "rrn", "phone"}
        assert all(RRN not in str(e.after) and "1234" not in str(e.after) for e in searches)
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "person.viewed")).first()

    reviewer = staff_client("reviewer-lee")
    assert NAME in reviewer.get(f"/staff/people/{person.id}").text  # reviewers see the name in full
    auditor = staff_client("auditor-park")
    assert auditor.get(f"/staff/people/{person.id}").status_code == 200
    refused = auditor.post(f"/staff/people/{person.id}/notes", data={"body": "x"})
    assert refused.status_code == 403
    assert counselor.get("/staff/people/999999").status_code == 404


def _chat_id(answer: httpx.Response) -> int:
    location = answer.headers["location"]
    found = re.fullmatch(r"/chat/(\d+)", location)
    assert found, location
    return int(found.group(1))


def test_a_visitor_chats_with_a_counselor_who_hands_over_and_closes(
    app: FastAPI, staff_client: Login, platform: Platform
) -> None:
    with TestClient(app) as visitor, TestClient(app) as stranger:
        assert visitor.get("/chat").status_code == 200
        empty = visitor.post("/chat", data={"topic": "products", "body": ""})
        assert empty.status_code == 422 and 'id="body-error"' in empty.text
        opened = visitor.post(
            "/chat", data={"topic": "products", "body": "햇살론 금리가 궁금해요"}, follow_redirects=False
        )
        assert opened.status_code == 303
        chat_id = _chat_id(opened)
        room = visitor.get(f"/chat/{chat_id}").text
        assert "햇살론 금리가 궁금해요" in room and "대기 중" in room
        assert stranger.get(f"/chat/{chat_id}").status_code == 404  # no token, no chat
        assert stranger.post(f"/chat/{chat_id}/messages", data={"body": "x"}).status_code == 404

        kim, lee = staff_client("counselor-kim"), staff_client("counselor-lee")
        assert f'data-chat-row="{chat_id}"' in kim.get("/staff/chats").text
        assert kim.post(f"/staff/chats/{chat_id}/take", follow_redirects=False).status_code == 303
        late = lee.post(f"/staff/chats/{chat_id}/take")
        assert late.status_code == 409 and "이미 맡은" in late.text
        assert f'data-chat-row="{chat_id}"' not in lee.get("/staff/chats").text
        assert lee.post(f"/staff/chats/{chat_id}/messages", data={"body": "x"}).status_code == 403

        answered = kim.post(
            f"/staff/chats/{chat_id}/messages",
            data={"body": "현재 연 15.9%입니다"},
            headers={"X-Requested-With": "fetch"},
        )
        assert answered.status_code == 204
        assert "현재 연 15.9%입니다" in visitor.get(f"/chat/{chat_id}").text
        assert (
            visitor.post(
                f"/chat/{chat_id}/messages", data={"body": "감사합니다"}, follow_redirects=False
            ).status_code
            == 303
        )

        nobody = kim.post(f"/staff/chats/{chat_id}/handover", data={"to": "nobody"})
        assert nobody.status_code == 422 and 'id="to-error"' in nobody.text
        assert (
            kim.post(
                f"/staff/chats/{chat_id}/handover", data={"to": "counselor-lee"}, follow_redirects=False
            ).status_code
            == 303
        )
        assert kim.post(f"/staff/chats/{chat_id}/messages", data={"body": "x"}).status_code == 403
        bad = lee.post(f"/staff/chats/{chat_id}/close", data={"outcome": "whatever"})
        assert bad.status_code == 422 and 'id="outcome-error"' in bad.text
        assert (
            lee.post(
                f"/staff/chats/{chat_id}/close", data={"outcome": "answered"}, follow_redirects=False
            ).status_code
            == 303
        )

        transcript = staff_client("auditor-park").get(f"/staff/chats/{chat_id}")
        assert (
            transcript.status_code == 200
            and "감사합니다" in transcript.text
            and "/take" not in transcript.text
        )
        after = visitor.get(f"/chat/{chat_id}").text
        assert "상담이 종료되었습니다" in after and "감사합니다" in after
        closed = visitor.post(f"/chat/{chat_id}/messages", data={"body": "하나 더"})
        assert closed.status_code == 409
        with platform.sessions() as session:
            actions = [
                e.action
                for e in session.scalars(
                    select(AuditEvent).where(AuditEvent.entity_type == "chat").order_by(AuditEvent.id)
                )
            ]
        assert actions == ["chat.opened", "chat.taken", "chat.handed_over", "chat.closed", "quality.reviewed"]


def test_a_signed_in_persons_chat_joins_their_timeline(
    app: FastAPI, staff_client: Login, platform: Platform
) -> None:
    with TestClient(app) as person:
        assert page_sign_in(person, NAME, RRN, PHONE).status_code == 303
        chat_id = _chat_id(
            person.post(
                "/chat", data={"topic": "repayment", "body": "상환일을 바꾸고 싶어요"}, follow_redirects=False
            )
        )
    counselor = staff_client("counselor-kim")
    counselor.post(f"/staff/chats/{chat_id}/take")
    desk = counselor.get(f"/staff/chats/{chat_id}").text
    assert 'class="chat-person"' in desk and "850301-1******" in desk  # the workspace beside the chat
    assert f'data-kind="chat" data-ref="{chat_id}"' in desk


def test_bookings_are_worked_slot_by_slot_assigned_to_a_named_center_and_closed_with_an_outcome(
    staff_client: Login, platform: Platform
) -> None:
    directory = default_support_centers()
    person = applicant(platform)
    application_id = apply(platform, person)
    visit = book_help(
        platform,
        directory,
        person,
        channel="visit",
        region_group="busan-gyeongnam",
        day=date(2025, 5, 16),
        slot="10:30",
        name=NAME,
        phone=PHONE,
        topic="apply",
    )
    kim = staff_client("counselor-kim")
    desk = "/staff/bookings?day=2025-05-16&channel=visit&group=busan-gyeongnam"
    page = kim.get(desk).text
    assert 'data-slot="10:30"' in page and visit.reference_no in page and "홍*동" in page
    assert 'data-center="jinju"' in page and 'data-center="geoje"' in page and "010-****-5678" in page

    wrong = kim.post(f"/staff/bookings/{_booking_id(platform)}/assign", data={"center": "gangnam"})
    assert wrong.status_code == 422 and 'id="center-error"' not in wrong.text and "center" in wrong.text
    assigned = kim.post(
        f"/staff/bookings/{_booking_id(platform)}/assign",
        data={"center": "jinju", "to": "", "back": desk},
        follow_redirects=False,
    )
    assert assigned.status_code == 303 and assigned.headers["location"] == desk
    page = kim.get(desk).text
    assert (
        "010-1234-5678" in page and "진주 서민금융통합지원센터" in page
    )  # the assignee sees the phone to call

    early = kim.post(f"/staff/bookings/{_booking_id(platform)}/outcome", data={"outcome": "done"})
    assert early.status_code == 409 and "예약일이 되기 전" in early.text
    theirs = apply(platform, applicant(platform, rrn="900101-1000001", name="김부산"))
    platform.today = lambda: date(2025, 5, 16)
    foreign = kim.post(
        f"/staff/bookings/{_booking_id(platform)}/outcome",
        data={"outcome": "done", "application_id": str(theirs)},
    )
    assert foreign.status_code == 422
    done = kim.post(
        f"/staff/bookings/{_booking_id(platform)}/outcome",
        data={"outcome": "done", "note": "서류 안내", "application_id": str(application_id), "back": desk},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = kim.get(desk).text
    assert "data-outcome>상담 완료<" in page and f"/staff/applications/{application_id}" in page
    timeline = kim.get(f"/staff/people/{person.id}").text.split(
        f'data-kind="booking" data-ref="{_booking_id(platform)}"'
    )[1]
    assert "badge-done" in timeline.split("</li>")[0] and "jinju" in timeline.split("</li>")[0]
    again = kim.post(f"/staff/bookings/{_booking_id(platform)}/outcome", data={"outcome": "no_show"})
    assert again.status_code == 409
    assert (
        staff_client("auditor-lee").post(f"/staff/bookings/{_booking_id(platform)}/assign").status_code == 403
    )
    with platform.sessions() as session:
        linked = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "application.pre_counseling_linked")
        ).one()
        assert linked.entity_id == str(application_id)


def _booking_id(platform: Platform) -> int:
    with platform.sessions() as session:
        return session.scalars(select(HelpBooking.id)).one()


def test_closed_chats_and_imported_calls_are_checked_and_supervisors_see_the_figures(
    app: FastAPI, staff_client: Login, platform: Platform
) -> None:
    kim = staff_client("counselor-kim")
    with TestClient(app) as visitor:
        chat_id = _chat_id(
            visitor.post(
                "/chat", data={"topic": "products", "body": "금리가 궁금해요"}, follow_redirects=False
            )
        )
    kim.post(f"/staff/chats/{chat_id}/take")
    kim.post(f"/staff/chats/{chat_id}/messages", data={"body": "무조건 승인 됩니다"})
    kim.post(f"/staff/chats/{chat_id}/close", data={"outcome": "answered"})

    boss = staff_client("supervisor-choi")
    calls = [
        {
            "call_id": "STT-1",
            "counselor": "counselor-kim",
            "topic": "repayment",
            "held_on": "2025-05-15",
            "segments": [
                {"speaker": "agent", "text": "안녕하세요 서민금융진흥원입니다"},
                {"speaker": "customer", "text": "상환일 바꾸고 싶어요"},
                {
                    "speaker": "agent",
                    "text": "본인 확인 후 상환일 변경 도와드릴게요. 연체 시 연체이자가 붙습니다.",
                },
            ],
        }
    ]
    files = {"calls": ("calls.json", json.dumps(calls).encode(), "application/json")}
    imported = boss.post("/staff/quality/import", files=files, follow_redirects=False)
    assert imported.status_code == 303 and imported.headers["location"] == "/staff/quality?done=1-0"
    again = boss.post("/staff/quality/import", files=files, follow_redirects=True)
    assert "data-imported>" in again.text and "1건 제외" in again.text  # the same call is not counted twice
    bad = [{**calls[0], "call_id": "STT-2", "segments": [{"speaker": "robot", "text": "x"}]}]
    refused = boss.post(
        "/staff/quality/import", files={"calls": ("c.json", json.dumps(bad).encode(), "application/json")}
    )
    assert refused.status_code == 422 and "calls.0.segments.0" in refused.text
    garbage = boss.post(
        "/staff/quality/import", files={"calls": ("c.json", b"{not json", "application/json")}
    )
    assert garbage.status_code == 422 and 'id="calls-error"' in garbage.text

    page = boss.get("/staff/quality").text
    assert f'data-review="chat-{chat_id}"' in page and 'data-review="call-STT-1"' in page
    assert 'data-figure="products"' in page and 'data-figure="repayment"' in page
    counselor_row = page.split('data-figure="counselor counselor-kim (counselor-kim)"')[1].split("</tr>")[0]
    # the chat: greeting, prohibited and the disclosure failed (identity 30 of 100); the call: 100
    assert "<td data-average>65</td>" in counselor_row and "prohibited 1" in counselor_row
    assert kim.get("/staff/quality").status_code == 403
    assert staff_client("auditor-lee").post("/staff/quality/import", files=files).status_code == 403


def test_one_place_opens_at_most_five_chats_an_hour(client: TestClient) -> None:
    for n in range(5):
        opened = client.post("/chat", data={"topic": "other", "body": f"문의 {n}"}, follow_redirects=False)
        assert opened.status_code == 303
    flood = client.post("/chat", data={"topic": "other", "body": "또 문의"})
    assert flood.status_code == 429 and int(flood.headers["Retry-After"]) > 0


def test_a_search_matching_many_finds_the_first_twenty_and_audits_each_on_its_person(
    staff_client: Login, platform: Platform
) -> None:
    made = [make_applicant(platform) for _ in range(22)]  # the builder gives everyone 010-1234-5678
    found = _search(staff_client("counselor-kim"), by="phone", phone="010-1234-5678")
    assert found.count("data-person=") == 20 and f'data-person="{made[0]}"' in found
    with platform.sessions() as session:
        audited = session.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "person.searched")
        ).all()
    assert sorted(map(int, audited)) == made[:20]


def test_a_counselor_opens_the_application_pages_for_a_walk_in_after_the_id_and_consent(
    staff_client: Login, platform: Platform
) -> None:
    desk = staff_client("counselor-kim")
    form = {"walk_name": NAME, "walk_rrn": RRN, "walk_phone": PHONE, "id_checked": "on"}
    no_consent = desk.post("/staff/people/walk-in", data=form)
    assert (
        no_consent.status_code == 422
        and 'id="consent-error"' in no_consent.text
        and RRN not in no_consent.text
    )
    opened = desk.post("/staff/people/walk-in", data={**form, "consent": "on"}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/apply"
    assert desk.get("/apply").status_code == 200  # the person's own application pages, on the desk's browser
    with platform.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "applicant.desk_session_opened")
        ).one()
    assert event.actor_type == "staff" and event.after
    assert event.after["id_checked"] is True

    other = staff_client("counselor-lee")
    wrong_name = other.post("/staff/people/walk-in", data={**form, "walk_name": "김철수", "consent": "on"})
    assert wrong_name.status_code == 422 and 'id="walk_name-error"' in wrong_name.text
    refused = staff_client("auditor-park").post("/staff/people/walk-in", data={**form, "consent": "on"})
    assert refused.status_code == 403
