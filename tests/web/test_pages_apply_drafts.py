"""The application outlives its session (issue 12): every step keeps the form as a draft, files that passed
the checks are kept for their line, signing in again offers to resume, submitting removes the draft; the
self-check's answers and the simulator's amount fill the form; the session can be extended before it ends.
Through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from test_pages_apply import EMPLOYEE_DOCS, LOAN, NAME, PHONE, PROFILE, RRN, count, files_for, sign_in

from identity_steps import page_sign_in
from seomin.adapters.db.models import (
    ApplicantSession,
    Application,
    ApplicationDocument,
    ApplicationDraft,
    ApplicationDraftDocument,
    AuditEvent,
)
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def end_every_session(platform: Platform) -> None:
    with platform.sessions.begin() as session:
        session.execute(update(ApplicantSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))


def test_a_draft_outlives_the_session_with_its_files(platform: Platform, client: TestClient) -> None:
    sign_in(client)
    assert client.post("/apply", data={**LOAN, "step": "loan"}).status_code == 200
    assert client.post("/apply", data={**LOAN, **PROFILE, "step": "profile"}).status_code == 200
    # the documents step: the first file is fine, the second paper is still being fetched from 홈택스
    first_only = client.post(
        "/apply",
        data={**LOAN, **PROFILE, **EMPLOYEE_DOCS, "step": "documents"},
        files={"doc_0_file": files_for(1)["doc_0_file"]},
    )
    assert first_only.status_code == 422 and 'id="doc_1_file-error"' in first_only.text
    assert "서류0.pdf" in first_only.text and "다시 올리지 않아도 돼요" in first_only.text
    assert count(platform, ApplicationDraftDocument) == 1

    end_every_session(platform)  # thirty minutes at 정부24 later
    assert client.get("/apply", follow_redirects=False).headers["location"].startswith("/identity")
    sign_in(client)
    offer = client.get("/apply")
    assert offer.status_code == 200 and "작성 중인 신청서가 있어요" in offer.text
    assert "최저신용자" in offer.text and "1개" in offer.text  # the product and the kept file
    resumed = client.get("/apply?resume=1")
    assert resumed.status_code == 200 and 'name="step" value="documents"' in resumed.text
    assert 'value="2800만"' in resumed.text and "서류0.pdf" in resumed.text  # answers and file are back
    assert 'value="2025-05-02"' in resumed.text  # the issue date typed before

    done = client.post(
        "/apply",
        data={**LOAN, **PROFILE, **EMPLOYEE_DOCS, "step": "documents"},
        files={"doc_1_file": files_for(2)["doc_1_file"]},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with platform.sessions() as session:
        names = set(session.scalars(select(ApplicationDocument.original_name)))
    assert names == {"서류0.pdf", "서류1.pdf"}  # the kept file went in with the new one
    assert count(platform, ApplicationDraft) == 0 and count(platform, ApplicationDraftDocument) == 0
    assert "작성 중인 신청서" not in client.get("/apply").text


def test_the_draft_keeps_income_encrypted(platform: Platform, client: TestClient) -> None:
    sign_in(client)
    client.post("/apply", data={**LOAN, **PROFILE, "annual_income": "31,415,926", "step": "profile"})
    with platform.sessions() as session:
        stored = session.scalars(select(ApplicationDraft.values_encrypted)).one()
    assert "31,415,926" not in stored and "31415926" not in stored
    assert "31,415,926" in platform.vault.decrypt(stored)


def test_starting_again_drops_the_draft_and_its_files(platform: Platform, client: TestClient) -> None:
    sign_in(client)
    client.post(
        "/apply",
        data={**LOAN, **PROFILE, **EMPLOYEE_DOCS, "step": "documents"},
        files={"doc_0_file": files_for(1)["doc_0_file"]},
    )
    assert count(platform, ApplicationDraftDocument) == 1
    answer = client.post("/apply/draft/discard", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/apply"
    assert count(platform, ApplicationDraft) == 0 and count(platform, ApplicationDraftDocument) == 0
    assert "보증 신청" in client.get("/apply").text and count(platform, Application) == 0


def test_a_file_of_the_wrong_kind_is_not_kept(platform: Platform, client: TestClient) -> None:
    sign_in(client)
    answer = client.post(
        "/apply",
        data={**LOAN, **PROFILE, **EMPLOYEE_DOCS, "step": "documents"},
        files={"doc_0_file": ("script.pdf", b"#!/bin/sh\nrm -rf /", "application/pdf")},
    )
    assert answer.status_code == 422 and "PDF 또는 사진" in answer.text
    assert count(platform, ApplicationDraftDocument) == 0


SELF_CHECK = {
    "product": "lowest-credit-special",
    "birth_date": "1985-03-01",
    "region": "부산",
    "annual_income": "2400만",
    "kcb_score": "",
    "kcb_unknown": "on",
    "nice_score": "610",
    "occupation": "employee",
    "employed_months": "14",
    "haessal15": "rejected",
    "public_record": "no",
    "debt_kind": "none",
    "preferential": "consulting",
    "loan_purpose": "living",
    "has_loans": "no",
    "requested_amount": "400만",
}


def test_the_self_checks_answers_fill_the_application(platform: Platform, client: TestClient) -> None:
    """Told once: an anonymous self-check's answers wait (encrypted, in a cookie) through 본인인증."""
    result = client.post("/check", data=SELF_CHECK)
    assert result.status_code == 200 and 'action="/apply/carry"' in result.text
    carried = client.post("/apply/carry", data=SELF_CHECK, follow_redirects=False)
    assert carried.status_code == 303 and carried.headers["location"] == "/identity?next=/apply/carried"
    assert "2400" not in carried.headers["set-cookie"]  # sealed, not readable in the browser
    back = page_sign_in(client, NAME, RRN, PHONE, next="/apply/carried")
    assert back.status_code == 303 and back.headers["location"] == "/apply/carried"
    opened = client.get("/apply/carried", follow_redirects=False)
    assert opened.headers["location"] == "/apply?resume=1"
    loan = client.get("/apply?resume=1")
    assert 'name="amount"' in loan.text and 'value="400만"' in loan.text
    assert 'name="annual_income" value="2400만"' in loan.text  # carried along, not asked on this step
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', loan.text))
    profile = client.post("/apply", data={**hidden, **LOAN, "amount": "400만", "step": "loan"})
    assert profile.status_code == 200, profile.text
    text = profile.text
    assert 'value="2400만"' in text and 'value="610"' in text and 'value="14"' in text
    assert '<option value="부산" selected' in text and 'name="pref_consulting" value="on" checked' in text
    kcb = re.search(r'<input[^>]*name="kcb_score"[^>]*>', text)
    assert kcb is not None and 'value=""' in kcb.group(0)  # "I don't know my score" stays unknown


def test_a_signed_in_self_check_goes_straight_to_the_form(client: TestClient) -> None:
    sign_in(client)
    carried = client.post("/apply/carry", data=SELF_CHECK, follow_redirects=False)
    assert carried.headers["location"] == "/apply?resume=1"
    assert 'value="400만"' in client.get("/apply?resume=1").text


def test_the_simulators_amount_and_term_fill_the_amount_step(client: TestClient) -> None:
    query = "product=lowest-credit-special&amount=4000000&term_months=36&grace_months=12"
    panel = client.get(f"/simulate?{query}")
    assert "amount=4000000" in panel.text and "term_months=36" in panel.text
    sign_in(client)
    loan = client.get(f"/apply?{query}")
    assert 'value="4000000"' in loan.text
    assert '<option value="36" selected' in loan.text and '<option value="12" selected' in loan.text


def test_the_session_warns_and_can_be_extended(platform: Platform, client: TestClient) -> None:
    sign_in(client)
    page = client.get("/apply?product=lowest-credit-special")
    assert 'id="session-warning"' in page.text and 'data-seconds-left="' in page.text
    with platform.sessions.begin() as session:
        session.execute(update(ApplicantSession).values(expires_at=datetime.now(UTC) + timedelta(minutes=4)))
    extended = client.post("/session/extend")
    assert extended.status_code == 200 and extended.json()["seconds_left"] == 1800
    assert "seomin_applicant=" in extended.headers["set-cookie"]  # the cookie runs again too
    with platform.sessions() as session:
        ends = session.scalars(select(ApplicantSession.expires_at)).one()
        extended_events = select(AuditEvent.id).where(AuditEvent.action == "applicant.session_extended")
        assert len(list(session.scalars(extended_events))) == 1
    assert (ends if ends.tzinfo else ends.replace(tzinfo=UTC)) > datetime.now(UTC) + timedelta(minutes=29)
    end_every_session(platform)
    assert client.post("/session/extend").status_code == 401  # an ended session is not revived
    assert TestClient(client.app).post("/session/extend").status_code == 401
