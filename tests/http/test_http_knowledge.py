"""The knowledge-base API through the real HTTP layer on SQLite and PostgreSQL: staff write and revise
entries, everyone searches the public FAQ, staff search all; bad input is a 422 naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_http_applicant import staff_token

from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_staff_write_and_everyone_searches(client: TestClient, platform: Platform) -> None:
    counselor = _auth(staff_token(client, platform, "cou", "counselor"))
    auditor = _auth(staff_token(client, platform, "aud", "auditor"))
    body = {
        "topic": "fraud",
        "question": "진흥원을 사칭하는 문자를 받았어요",
        "answer": "1397로 신고하세요.",
        "public": True,
    }
    created = client.post("/api/v1/staff/knowledge", json=body, headers=counselor)
    assert created.status_code == 201, created.text
    entry_id = created.json()["id"]
    hidden = {"topic": "recourse", "question": "구상채권 분할상환 기간", "answer": "최장 10년"}
    assert client.post("/api/v1/staff/knowledge", json=hidden, headers=counselor).status_code == 201
    assert client.post("/api/v1/staff/knowledge", json=body, headers=auditor).status_code == 403
    assert client.post("/api/v1/staff/knowledge", json=body).status_code == 401

    revised = client.put(
        f"/api/v1/staff/knowledge/{entry_id}",
        json={"question": body["question"], "answer": "1397 또는 사칭신고센터로 신고하세요.", "public": True},
        headers=counselor,
    )
    assert revised.status_code == 200 and revised.json()["version"] == 2
    detail = client.get(f"/api/v1/staff/knowledge/{entry_id}", headers=auditor).json()
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    assert client.get("/api/v1/staff/knowledge/999", headers=auditor).status_code == 404

    faq = client.get("/api/v1/faq", params={"q": "사칭 문자 받았는데 어디에 신고"})
    assert faq.status_code == 200
    assert [h["id"] for h in faq.json()] == [entry_id]
    assert faq.json()[0]["answer"].startswith("1397 또는")
    assert client.get("/api/v1/faq", params={"q": "구상채권 분할상환"}).json() == []
    staff_hits = client.get("/api/v1/staff/knowledge", params={"q": "구상채권 분할상환"}, headers=auditor)
    assert [h["question"] for h in staff_hits.json()] == ["구상채권 분할상환 기간"]


def test_bad_input_is_a_422_naming_the_field(client: TestClient, platform: Platform) -> None:
    counselor = _auth(staff_token(client, platform, "cou", "counselor"))
    bad_topic = {"topic": "weather", "question": "질문", "answer": "답"}
    answer = client.post("/api/v1/staff/knowledge", json=bad_topic, headers=counselor)
    assert answer.status_code == 422 and "topic" in answer.text
    assert client.get("/api/v1/faq", params={"q": ""}).status_code == 422
    assert client.get("/api/v1/faq", params={"q": "햇살론", "limit": 11}).status_code == 422
    assert client.get("/api/v1/faq").status_code == 422
