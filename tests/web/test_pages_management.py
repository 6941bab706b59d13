"""The management pages (issue 5) through the real app on both databases: supply against the plan with
its charts and downloads, the plan upload's check, and the policy-change simulation."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from builders import make_loan
from seomin.adapters.http.auth import issue_staff_token
from seomin.adapters.plan_files import SEED_PLAN, seed_plan, write_report_csv
from seomin.adapters.web.session_cookies import STAFF_COOKIE
from seomin.domain.supply import Level, check_table
from seomin.services.analytics import synthetic_applicants
from seomin.services.analytics.policy import PolicyChanges, simulate_policy
from seomin.services.analytics.supply import import_plan, supply_report
from seomin.services.identity import ADMIN, create_staff_user
from seomin.services.platform import Actor, ActorType, Platform

SEED_CSV = Path(__file__).parents[1] / "data" / "supply_plan_2020_2021.csv"


def sign_in(client: TestClient, platform: Platform, role: str) -> None:
    staff_id = create_staff_user(platform, f"{role}-{id(client)}", f"테스트 {role}", "pw-long-enough-1", role)
    token = issue_staff_token(platform, Actor(ActorType.STAFF, str(staff_id), role=role)).token
    client.cookies.set(STAFF_COOKIE, token)


def test_only_supervisors_and_auditors_see_management(client: TestClient, platform: Platform) -> None:
    anonymous = client.get("/manage", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/staff/login?next=/manage"
    sign_in(client, platform, "counselor")
    refused = client.get("/manage")
    assert refused.status_code == 403
    assert "권한이 없습니다" in refused.text


def test_the_seed_table_reads_as_printed_with_computed_sums(client: TestClient, platform: Platform) -> None:
    import_plan(platform.engine, seed_plan(), source=SEED_PLAN, actor=ADMIN)
    sign_in(client, platform, "auditor")
    page = client.get("/manage", params={"year": 2020, "basis": "estimate"})
    assert page.status_code == 200
    report = supply_report(platform.engine, 2020, platform.today(), basis="estimate")
    total = next(r for r in report.rows if r.level is Level.TOTAL)
    assert total.plan is not None and total.actual is not None
    assert f"{total.plan:,.2f}" in page.text  # the computed total, in 억 원
    assert f"{total.actual:,.2f}" in page.text
    assert page.text.count('role="img"') == 1  # plan vs estimate; no monthly line without actual loans
    assert "계획표 가져오기" not in page.text  # auditors read only


def test_actual_supply_is_computed_from_executed_loans(client: TestClient, platform: Platform) -> None:
    make_loan(platform, amount=7_000_000, executed_on=date(2025, 3, 10))
    make_loan(platform, amount=3_000_000, executed_on=date(2025, 4, 2))
    sign_in(client, platform, "supervisor")
    page = client.get("/manage", params={"year": 2025})
    assert page.status_code == 200
    assert "0.10" in page.text  # 10,000,000원 = 0.10억 원
    assert page.text.count('role="img"') == 2  # plan vs actual, monthly cumulative
    assert "2025년 공급계획이 아직 없습니다" in page.text


def test_downloads_are_the_cli_files(client: TestClient, platform: Platform, tmp_path: Path) -> None:
    import_plan(platform.engine, seed_plan(), source=SEED_PLAN, actor=ADMIN)
    sign_in(client, platform, "supervisor")
    csv = client.get("/manage/supply.csv", params={"year": 2020, "basis": "estimate"})
    assert csv.status_code == 200
    report = supply_report(platform.engine, 2020, platform.today(), basis="estimate")
    expected = tmp_path / "expected.csv"
    write_report_csv(expected, 2020, "estimate", report.rows)
    assert csv.content == expected.read_bytes()
    xlsx = client.get("/manage/supply.xlsx", params={"year": 2020, "basis": "estimate"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and "2020년 서민금융 공급실적" in str(sheet["A1"].value)


def test_a_plan_upload_reports_every_disagreement_and_stores_items_only(
    client: TestClient, platform: Platform
) -> None:
    sign_in(client, platform, "supervisor")
    content = SEED_CSV.read_bytes()
    checked = client.post("/manage/plans", files={"file": ("plan.csv", content, "text/csv")})
    assert checked.status_code == 200
    found = check_table(seed_plan())
    assert f"{len(found)}건" in checked.text
    assert "저장하지 않았습니다" in checked.text
    assert supply_report(platform.engine, 2020, platform.today()).rows[-1].plan is None
    stored = client.post(
        "/manage/plans", files={"file": ("plan.csv", content, "text/csv")}, data={"store": "on"}
    )
    assert "저장했습니다" in stored.text
    total = next(
        r for r in supply_report(platform.engine, 2021, platform.today()).rows if r.level is Level.TOTAL
    )
    assert total.plan == sum(r.plan_c for r in seed_plan().items if r.plan_c is not None)


def test_a_bad_plan_file_is_a_422_page_and_stores_nothing(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, "supervisor")
    bad = client.post(
        "/manage/plans", files={"file": ("x.csv", b"not,a,plan\n1,2,3\n", "text/csv")}, data={"store": "on"}
    )
    assert bad.status_code == 422
    assert "읽을 수 없는 계획표" in bad.text
    binary = client.post("/manage/plans", files={"file": ("x.csv", b"\xff\xfe\x00bad", "text/csv")})
    assert binary.status_code == 422
    assert supply_report(platform.engine, 2020, platform.today()).rows[-1].plan is None


def test_auditors_cannot_import(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, "auditor")
    response = client.post("/manage/plans", files={"file": ("plan.csv", SEED_CSV.read_bytes(), "text/csv")})
    assert response.status_code == 403


def test_the_policy_page_matches_the_simulation_service(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, "supervisor")
    page = client.get(
        "/manage/policy",
        params={
            "product": "lowest-credit-special",
            "kcb_max": "700",
            "income_cap": "5000만",
            "first_time_limit": "700만",
            "population": "10000",
            "seed": "7",
            "take_up": "0.5",
            "target_eok": "100",
        },
    )
    assert page.status_code == 200
    product = platform.catalog.get("lowest-credit-special", platform.today())
    expected = simulate_policy(
        product,
        PolicyChanges(kcb_max=700, income_cap=50_000_000, first_time_limit=7_000_000),
        synthetic_applicants(10_000, 7),
        platform.today(),
        target_eok=Decimal(100),
        take_up=Decimal("0.5"),
    )
    assert expected.proposed.eligible > expected.current.eligible
    assert f"{expected.current.eligible:,}" in page.text
    assert f"{expected.proposed.eligible:,}" in page.text
    assert f"{expected.proposed.supply_eok.quantize(Decimal('0.01')):,}" in page.text
    assert page.text.count('role="img"') == 4  # age, region, income and score bands


def test_bad_policy_input_names_the_field(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, "supervisor")
    page = client.get(
        "/manage/policy",
        params={
            "product": "lowest-credit-special",
            "kcb_max": "abc",
            "population": "10000",
            "seed": "1",
            "take_up": "2",
        },
    )
    assert page.status_code == 422
    assert 'id="kcb_max-error"' in page.text
    assert 'id="take_up-error"' in page.text
    assert 'role="img"' not in page.text


def test_management_opens_on_the_latest_year_with_a_plan(client: TestClient, platform: Platform) -> None:
    """Issue 12: /manage opened on an empty current year; it opens where a plan is (here seed 000's 2021),
    and an empty year's hint speaks of uploading, not of command-line tools."""
    sign_in(client, platform, "supervisor")
    empty = client.get("/manage").text
    assert "seomin plan import" not in empty and "공급계획이 아직 없습니다" in empty
    import_plan(platform.engine, seed_plan(), source=SEED_PLAN, actor=ADMIN)
    opened = client.get("/manage").text
    assert "2021년 서민금융 공급실적" in opened and "공급계획이 아직 없습니다" not in opened
