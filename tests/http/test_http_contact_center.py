"""The contact center's API (TestClient, both databases): person search and timeline, notes, the bookings
worklist, and the STT import with the quality figures."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_http_applicant import NAME, PHONE, RRN, staff_token

from builders import book_callback
from identity_steps import api_session
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
CALL = {
    "call_id": "STT-9",
    "counselor": "cou",
    "topic": "fraud",
    "held_on": "2025-05-15",
    "segments": [
        {"speaker": "agent", "text": "안녕하세요, 1397입니다"},
        {"speaker": "customer", "text": "사칭 문자를 받았어요"},
        {"speaker": "agent", "text": "진흥원 공식 번호는 1397뿐입니다"},
    ],
}


def test_staff_find_a_person_read_the_timeline_and_note(client: TestClient, platform: Platform) -> None:
    applicant_id = api_session(client, NAME, RRN, PHONE)["applicant"]["id"]
    counselor = {"Authorization": f"Bearer {staff_token(client, platform, 'cou', 'counselor')}"}
    reviewer = {"Authorization": f"Bearer {staff_token(client, platform, 'rev', 'reviewer')}"}
    search = "/api/v1/staff/people/search"
    assert client.post(search, json={"by": "rrn", "rrn": RRN}).status_code == 401
    found = client.post(search, json={"by": "rrn", "rrn": RRN}, headers=counselor)
    assert found.status_code == 200 and found.json()[0]["applicant_id"] == applicant_id
    assert found.json()[0]["name"] == "홍*동" and found.json()[0]["rrn_masked"].endswith("******")
    full = client.post(search, json={"by": "phone", "phone": PHONE}, headers=reviewer).json()
    assert full[0]["name"] == NAME and full[0]["phone"] == "010-1234-5678"
    missing = client.post(search, json={"by": "name", "name": NAME}, headers=counselor)
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "birth_date"
    extra = client.post(search, json={"by": "rrn", "rrn": RRN, "x": 1}, headers=counselor)
    assert extra.status_code == 422

    noted = client.post(
        f"/api/v1/staff/people/{applicant_id}/notes", json={"body": "전화 상담 완료"}, headers=counselor
    )
    assert noted.status_code == 201
    view = client.get(f"/api/v1/staff/people/{applicant_id}", headers=counselor).json()
    assert view["person"]["applicant_id"] == applicant_id and view["full"] is False
    assert [i["kind"] for i in view["timeline"]] == ["note"] and view["timeline"][0][
        "detail"
    ] == "전화 상담 완료"
    assert client.get("/api/v1/staff/people/999999", headers=counselor).status_code == 404


def test_the_worklist_and_the_stt_import_with_its_figures(client: TestClient, platform: Platform) -> None:
    counselor = {"Authorization": f"Bearer {staff_token(client, platform, 'cou', 'counselor')}"}
    boss = {"Authorization": f"Bearer {staff_token(client, platform, 'boss', 'supervisor')}"}
    book_callback(platform)
    slots = client.get("/api/v1/staff/bookings", params={"day": "2025-05-16"}, headers=counselor).json()
    ten = next(s for s in slots if s["slot"] == "10:00")
    assert ten["bookings"][0]["name"] == "김*움" and ten["bookings"][0]["phone"] == "010-****-2468"
    visit = client.get(
        "/api/v1/staff/bookings", params={"day": "2025-05-16", "channel": "visit"}, headers=counselor
    )
    assert visit.status_code == 422 and visit.json()["detail"][0]["field"] == "group"

    calls = "/api/v1/staff/quality/calls"
    assert client.post(calls, json=CALL, headers=counselor).status_code == 403
    first = client.post(calls, json=CALL, headers=boss)
    assert first.status_code == 200 and first.json() == {"reviewed": 1, "skipped": 0}
    assert client.post(calls, json=CALL, headers=boss).json() == {"reviewed": 0, "skipped": 1}
    stranger = {**CALL, "call_id": "STT-10", "counselor": "nobody"}
    refused = client.post(calls, json=stranger, headers=boss)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "counselor"
    figures = client.get(
        "/api/v1/staff/quality", params={"start": "2025-05-01", "end": "2025-05-31"}, headers=boss
    ).json()
    assert figures["by_topic"][0]["key"] == "fraud" and figures["by_topic"][0]["average"] == 100
    assert figures["recent"][0]["source_ref"] == "STT-9"
