"""The counselors' consulting pages through the real app (TestClient, both databases)."""

from __future__ import annotations

import pytest
import test_pages_staff
from test_applications import applicant
from test_pages_staff import Login

from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
app = test_pages_staff.app  # the staff pages' fixtures: the app and a signed-in staff client per role
staff_client = test_pages_staff.staff_client


def test_a_counselor_enrolls_a_person_and_records_the_session_that_completes_it(
    staff_client: Login,
    platform: Platform,
) -> None:
    person = applicant(platform)
    counselor = staff_client("counselor-kim")
    page = counselor.get("/staff/consulting")
    assert page.status_code == 200 and 'href="/staff/consulting" aria-current="page"' in page.text
    assert "진행 중인 프로그램이 없습니다" in page.text and 'id="plan"' in page.text

    missing = counselor.post("/staff/consulting", data={"applicant_id": person.id, "sessions_planned": "1"})
    assert missing.status_code == 422 and 'id="plan-error"' in missing.text
    nobody = counselor.post(
        "/staff/consulting", data={"applicant_id": "999999", "plan": "x", "sessions_planned": "1"}
    )
    assert nobody.status_code == 404
    done = counselor.post(
        "/staff/consulting",
        data={"applicant_id": person.id, "plan": "카드론 우선 상환", "sessions_planned": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    programme_url = done.headers["location"].split("?")[0]
    again = counselor.post(
        "/staff/consulting", data={"applicant_id": person.id, "plan": "x", "sessions_planned": "1"}
    )
    assert again.status_code == 409 and 'role="alert"' in again.text
    listed = counselor.get("/staff/consulting").text
    assert f'href="{programme_url}"' in listed and "0/1" in listed

    future = counselor.post(f"{programme_url}/sessions", data={"held_on": "2099-01-01", "notes": "n"})
    assert future.status_code == 422 and 'role="alert"' in future.text
    recorded = counselor.post(
        f"{programme_url}/sessions",
        data={"held_on": "2025-05-15", "notes": "계획 점검"},
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    view = counselor.get(programme_url).text
    assert 'data-session="1"' in view and "계획 점검" in view and "data-sessions>1/1<" in view
    assert 'action="' + programme_url + '/sessions"' not in view  # completed: no more sessions

    auditor = staff_client("auditor-lee")
    assert auditor.get(programme_url).status_code == 200
    assert 'id="plan"' not in auditor.get("/staff/consulting").text  # auditors read only
    refused = auditor.post(f"{programme_url}/sessions", data={"held_on": "2025-05-15", "notes": "x"})
    assert refused.status_code in (403, 409)
