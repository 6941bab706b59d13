"""The staff console through the real app (TestClient, SQLite and PostgreSQL): sign-in, roles, the queue's
filters, the application page with masking, documents and screening, decisions with maker-checker,
counseling notes and the supervisor's overview."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from test_applications import applicant, apply

from builders import make_loan
from seomin.adapters.db.models import Application, CounselingNote, Loan
from seomin.adapters.http.app import create_app
from seomin.adapters.web import staff_console
from seomin.domain.reasons import TEMPLATES
from seomin.services.identity import create_staff_user
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

PASSWORD = "a long enough secret"
Login = Callable[[str], TestClient]


@pytest.fixture()
def app(platform: Platform) -> FastAPI:
    return create_app(platform)


@pytest.fixture()
def staff_client(app: FastAPI, platform: Platform) -> Iterator[Login]:
    """Make a staff user of the role named by the username's first part and sign in through the form."""
    clients: list[TestClient] = []

    def sign_in(username: str) -> TestClient:
        role = username.split("-")[0]
        create_staff_user(platform, username, f"{role} {username}", PASSWORD, role)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        answer = client.post(
            "/staff/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
        return client

    yield sign_in
    for client in clients:
        client.__exit__(None, None, None)


def status_of(platform: Platform, application_id: int) -> str:
    with platform.sessions() as session:
        return session.get_one(Application, application_id).status


def queue_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/staff/applications/(\d+)"', html)}


# --- sign-in and roles ------------------------------------------------------------------------------


def test_a_failed_sign_in_is_one_generic_message(app: FastAPI, platform: Platform) -> None:
    create_staff_user(platform, "reviewer-kim", "김심사", PASSWORD, "reviewer")
    with TestClient(app) as client:
        wrong = client.post("/staff/login", data={"username": "reviewer-kim", "password": "not it"})
        unknown = client.post("/staff/login", data={"username": "nobody", "password": PASSWORD})
        for answer in (wrong, unknown):
            assert answer.status_code == 401
            assert "아이디 또는 비밀번호가 맞지 않습니다." in answer.text
            assert "seomin_staff" not in answer.cookies
        assert wrong.text.replace("reviewer-kim", "nobody") == unknown.text  # nothing tells them apart
        assert PASSWORD not in unknown.text

        empty = client.post("/staff/login", data={"username": "", "password": ""})
        assert empty.status_code == 422 and 'id="username-error"' in empty.text

        sent_away = client.post(
            "/staff/login",
            data={"username": "reviewer-kim", "password": PASSWORD, "next": "//evil.example/x"},
            follow_redirects=False,
        )
        assert sent_away.status_code == 303 and sent_away.headers["location"] == "/staff"
        assert client.get("/staff").status_code == 200
        assert client.get("/staff/login").status_code == 200  # signed in: the menu shows who
        english = client.get("/staff?lang=en")
        assert '<html lang="en">' in english.text and "Work queue" in english.text
        out = client.post("/staff/logout", follow_redirects=False)
        assert out.status_code == 303
        assert client.get("/staff", follow_redirects=False).status_code == 303


def test_pages_ask_for_sign_in_and_refuse_other_roles(
    app: FastAPI, platform: Platform, staff_client: Login
) -> None:
    with TestClient(app) as anonymous:
        answer = anonymous.get("/staff/applications/1?x=1", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/staff/login?next=/staff/applications/1%3Fx%3D1"
        swap = anonymous.get("/staff?status=submitted", headers={"HX-Request": "true"})
        assert swap.status_code == 204 and swap.headers["HX-Redirect"].startswith("/staff/login?next=")
        page = anonymous.get("/staff/login?next=/staff/overview")
        assert 'name="next" value="/staff/overview"' in page.text
    for role in ("counselor", "reviewer", "auditor"):
        refused = staff_client(f"{role}-x").get("/staff/overview")
        assert refused.status_code == 403
        assert "이 화면을 볼 권한이 없습니다" in refused.text
        assert refused.headers["content-type"].startswith("text/html")
    assert staff_client("supervisor-x").get("/staff/overview").status_code == 200


# --- the queue --------------------------------------------------------------------------------------


@pytest.fixture()
def people(platform: Platform) -> dict[str, int]:
    """Applications by region and age on 2025-05-15."""
    made = {}
    for key, name, rrn, region in (
        ("busan_35", "김부산", "900101-1000001", "부산"),
        ("busan_55", "박부산", "700101-2000002", "부산"),
        ("seoul_35", "이서울", "891231-1000003", "서울"),
        ("seoul_25", "최서울", "000301-4000004", "서울"),
    ):
        made[key] = apply(platform, applicant(platform, rrn=rrn, name=name), region=region)
    return made


def test_the_queue_filters_by_region_and_age_band(people: dict[str, int], staff_client: Login) -> None:
    client = staff_client("counselor-lee")
    assert queue_ids(client.get("/staff").text) == set(people.values())
    assert queue_ids(client.get("/staff?region=부산").text) == {people["busan_35"], people["busan_55"]}
    assert queue_ids(client.get("/staff?age=30-39").text) == {people["busan_35"], people["seoul_35"]}
    page = client.get("/staff?region=부산&age=30-39&status=submitted")
    assert page.status_code == 200 and queue_ids(page.text) == {people["busan_35"]}
    assert 'value="부산" selected' in page.text  # the form keeps the filters
    assert "900101-1******" in page.text and "김부산" not in page.text  # masked
    assert queue_ids(client.get("/staff?age=-29").text) == {people["seoul_25"]}
    assert queue_ids(client.get("/staff?region=제주").text) == set()
    assert queue_ids(client.get("/staff?from=2025-05-16").text) == set()

    bad = client.get("/staff?region=Atlantis&from=2025-05-20&to=2025-05-01")
    assert bad.status_code == 422 and "목록에서 골라 주세요." in bad.text
    assert "끝 날짜가 시작 날짜보다 앞섭니다." in bad.text

    fragment = client.get("/staff?region=서울", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="queue-results"')
    assert queue_ids(fragment.text) == {people["seoul_35"], people["seoul_25"]}
    bad_fragment = client.get("/staff?region=Atlantis", headers={"HX-Request": "true"})
    assert bad_fragment.status_code == 422 and "<html" not in bad_fragment.text
    assert "목록에서 골라 주세요." in bad_fragment.text


def test_the_queue_pages_by_keyset(
    people: dict[str, int], staff_client: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staff_console, "PAGE_SIZE", 3)
    client = staff_client("reviewer-page")
    first = client.get("/staff?status=submitted")
    ordered = sorted(people.values())
    assert queue_ids(first.text) == set(ordered[:3])
    found = re.search(r'href="(/staff\?status=submitted&amp;after=\d+)"', first.text)
    assert found is not None
    second = client.get(found.group(1).replace("&amp;", "&"))
    assert queue_ids(second.text) == {ordered[3]}
    assert "다음 페이지" not in second.text and "처음 페이지" in second.text


# --- one application --------------------------------------------------------------------------------


def test_the_application_page_masks_by_role_and_explains(platform: Platform, staff_client: Login) -> None:
    application_id = apply(platform, applicant(platform))  # 홍길동, income 31,234,567
    counselor = staff_client("counselor-park").get(f"/staff/applications/{application_id}")
    assert counselor.status_code == 200
    assert "홍*동" in counselor.text and "홍길동" not in counselor.text
    assert "31,234,567원" not in counselor.text and "010-1234-5678" not in counselor.text
    assert (
        "재직증명서" in counselor.text and "2025.05.02" in counselor.text and "2025.06.02" in counselor.text
    )
    assert "기록 남기기" in counselor.text and "승인하기" not in counselor.text

    reviewer = staff_client("reviewer-choi").get(f"/staff/applications/{application_id}")
    assert "홍길동" in reviewer.text and "31,234,567원" in reviewer.text
    assert "010-1234-5678" in reviewer.text
    assert "신청 가능합니다" in reviewer.text  # the screening's own message (ELIGIBLE)
    assert "승인하기" in reviewer.text and "거절하기" in reviewer.text
    assert 'value="3000000"' in reviewer.text  # the amount defaults to the amount requested
    assert "신청 접수" in reviewer.text  # the audit trail

    platform.today = lambda: date(2025, 6, 1)  # the income certificate of 2025-04-15 is out of date now
    later = staff_client("auditor-jung").get(f"/staff/applications/{application_id}")
    assert "유효기한 지남" in later.text
    assert "기록 남기기" not in later.text and "읽기만" in later.text
    assert staff_client("counselor-z").get("/staff/applications/999999").status_code == 404


def test_a_rejection_needs_reason_codes(platform: Platform, staff_client: Login) -> None:
    application_id = apply(platform, applicant(platform))
    reviewer = staff_client("reviewer-han")
    url = f"/staff/applications/{application_id}/decision"
    refused = reviewer.post(url, data={"decision": "reject", "reject_note": "소득 확인 불가"})
    assert refused.status_code == 422
    assert 'id="reason_codes-error"' in refused.text and "거절 사유를 하나 이상 골라 주세요." in refused.text
    assert "소득 확인 불가" in refused.text  # what was typed stays
    assert status_of(platform, application_id) == "submitted"
    unknown = reviewer.post(url, data={"decision": "reject", "reason_codes": "NOT_A_CODE"})
    assert unknown.status_code == 422 and status_of(platform, application_id) == "submitted"

    done = reviewer.post(
        url,
        data={"decision": "reject", "reason_codes": ["STAFF_INCOME_UNVERIFIED", "PUBLIC_RECORD"]},
        follow_redirects=False,
    )
    assert done.status_code == 303 and status_of(platform, application_id) == "rejected"
    page = reviewer.get(done.headers["location"])
    assert (
        "거절했습니다." in page.text
        and "소득을 확인할 수 없습니다." in page.text
        and "공공정보 보유" in page.text
    )


def test_approval_amount_and_roles_are_checked_on_the_page(platform: Platform, staff_client: Login) -> None:
    application_id = apply(platform, applicant(platform))
    url = f"/staff/applications/{application_id}/decision"
    too_much = staff_client("reviewer-oh").post(url, data={"decision": "approve", "amount": "3,000,001"})
    assert too_much.status_code == 422 and 'id="amount-error"' in too_much.text
    not_a_number = staff_client("reviewer-yu").post(url, data={"decision": "approve", "amount": "많이"})
    assert not_a_number.status_code == 422 and 'id="amount-error"' in not_a_number.text
    counselor = staff_client("counselor-kang").post(url, data={"decision": "approve"})
    assert counselor.status_code == 403 and "이 일을 할 권한이 없습니다." in counselor.text
    assert status_of(platform, application_id) == "submitted"


def test_maker_checker_the_maker_cannot_confirm_a_second_reviewer_can(
    platform: Platform, staff_client: Login
) -> None:
    application_id = apply(platform, applicant(platform), amount=4_000_000)
    maker, checker = staff_client("reviewer-maker"), staff_client("reviewer-checker")
    proposed = maker.post(
        f"/staff/applications/{application_id}/decision",
        data={"decision": "approve", "amount": "400만"},
        follow_redirects=False,
    )
    assert proposed.status_code == 303 and status_of(platform, application_id) == "pending_second_review"
    page = maker.get(proposed.headers["location"])
    assert "2차 심사 대기" in page.text and "4,000,000원" in page.text
    assert "이 승인은 내가 제안했습니다" in page.text

    url = f"/staff/applications/{application_id}/second-review"
    own = maker.post(url, data={"decision": "confirm"})
    assert own.status_code == 409
    assert "승인을 제안한 심사자는 2차 심사를 할 수 없습니다." in own.text
    assert "SECOND_REVIEWER_SAME" not in own.text  # plain words, no code (issue 12)
    assert 'value="confirm"' not in page.text  # the maker is not offered the button at all
    assert status_of(platform, application_id) == "pending_second_review"
    again = maker.post(f"/staff/applications/{application_id}/decision", data={"decision": "approve"})
    assert again.status_code == 409 and "2차 심사를 기다리는 신청입니다." in again.text

    confirmed = checker.post(
        url, data={"decision": "confirm", "review_note": "재직 확인"}, follow_redirects=False
    )
    assert confirmed.status_code == 303 and status_of(platform, application_id) == "approved"
    page = checker.get(confirmed.headers["location"])
    assert "승인했습니다." in page.text and "2차 심사 확정" in page.text and "재직 확인" in page.text
    late = checker.post(url, data={"decision": "confirm"})
    assert late.status_code == 409  # nothing awaits a second review any more


def test_a_limit_conflict_is_shown_in_the_engines_words(platform: Platform, staff_client: Login) -> None:
    person = applicant(platform)
    first, second = apply(platform, person), apply(platform, person)
    reviewer = staff_client("reviewer-limit")
    reviewer.post(f"/staff/applications/{first}/decision", data={"decision": "approve"})
    assert status_of(platform, first) == "approved"
    refused = reviewer.post(f"/staff/applications/{second}/decision", data={"decision": "approve"})
    assert refused.status_code == 409
    alert = re.search(r'id="page-alert">(.*?)</div>', refused.text, re.S)
    assert alert is not None and "ADDITIONAL_LOAN_TOO_EARLY" not in alert.group(1)  # words, not a code
    assert "추가대출은 최초 대출(2025.05.15) 후 6개월 이상 연체 없이 이용해야 합니다." in alert.group(1)
    assert status_of(platform, second) == "submitted"


def test_counseling_notes_on_the_page(platform: Platform, staff_client: Login) -> None:
    application_id = apply(platform, applicant(platform))
    url = f"/staff/applications/{application_id}/notes"
    counselor = staff_client("counselor-note")
    empty = counselor.post(url, data={"body": "   "})
    assert empty.status_code == 422 and 'id="body-error"' in empty.text
    added = counselor.post(url, data={"body": "서류 재발급 안내함\n다음 주 방문"}, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"].endswith("#notes")
    page = counselor.get(added.headers["location"])
    assert "서류 재발급 안내함\n다음 주 방문" in page.text and "counselor counselor-note" in page.text
    assert "상담 기록 작성" in page.text  # on the audit trail

    auditor = staff_client("auditor-note").post(url, data={"body": "감사인 메모"})
    assert auditor.status_code == 403 and "이 일을 할 권한이 없습니다." in auditor.text
    with platform.sessions() as session:
        assert [n.body for n in session.query(CounselingNote).all()] == ["서류 재발급 안내함\n다음 주 방문"]


def test_every_engine_reason_code_has_a_label_for_the_reviewer() -> None:
    assert set(staff_console.REASON_LABELS) == set(TEMPLATES)
    codes = [code for code, _, _ in staff_console.rejection_codes()]
    assert "ELIGIBLE" not in codes and "STAFF_DOCUMENT_FORGED" in codes and "DELINQUENT" in codes


# --- the supervisor's overview ------------------------------------------------------------------------


def kpi(html: str, name: str) -> str:
    found = re.search(rf'<li id="kpi-{name}">(.*?)</li>', html, re.S)
    assert found is not None, name
    return re.sub(r"<[^>]+>", " ", found.group(1))


def test_the_supervisor_overview_shows_the_seeded_day(platform: Platform, staff_client: Login) -> None:
    reviewer = staff_client("reviewer-ops")
    first = apply(platform, applicant(platform, rrn="900101-1000001"))
    apply(platform, applicant(platform, rrn="910101-1000002"))
    reviewer.post(f"/staff/applications/{first}/decision", data={"decision": "approve"})
    assert status_of(platform, first) == "approved"
    make_loan(platform, amount=5_000_000, executed_on=date(2025, 5, 15))
    late = make_loan(platform, amount=3_000_000, executed_on=date(2024, 6, 3))
    with platform.sessions.begin() as session:
        session.execute(update(Loan).where(Loan.id == late).values(status="delinquent", days_past_due=40))

    page = staff_client("supervisor-ops").get("/staff/overview")
    assert page.status_code == 200
    assert "3건" in kpi(page.text, "applications")  # two applied, one behind the staged loan of today
    assert "1건" in kpi(page.text, "approvals")
    assert "1건" in kpi(page.text, "executions") and "5,000,000원" in kpi(page.text, "executions")
    assert "1건" in kpi(page.text, "delinquent") and "3,000,000원" in kpi(page.text, "delinquent")
    assert "37.5%" in kpi(page.text, "rate")  # 3,000,000 / 8,000,000
    assert page.text.count('role="img"') == 2 and "<svg" in page.text
    assert "최근 30일 신청 3건, 승인 1건" in page.text
    assert "2025.05.15" in page.text
    english = staff_client("supervisor-en").get("/staff/overview?lang=en")
    assert "Last 30 days: 3 applications, 1 approvals" in english.text and "37.5%" in english.text


def test_a_reviewer_opens_a_submitted_document_and_a_counselor_cannot(
    staff_client: Login, platform: Platform
) -> None:
    application_id = apply(platform, applicant(platform))
    reviewer = staff_client("reviewer-doc")
    page = reviewer.get(f"/staff/applications/{application_id}")
    link = re.search(rf'href="(/staff/applications/{application_id}/documents/\d+)"', page.text)
    assert link is not None
    opened = reviewer.get(link.group(1))
    assert opened.status_code == 200 and opened.content.startswith(b"%PDF")
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.headers["cache-control"] == "no-store" and "inline" in opened.headers["content-disposition"]
    counselor = staff_client("counselor-doc")
    assert counselor.get(link.group(1)).status_code == 403
