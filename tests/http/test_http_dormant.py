"""휴면예금 찾아줌 over HTTP on both databases: look-up, claim (retry-safe, 404/409/422), walk-in."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_http_applicant import NAME, RRN, applicant_token, bearer, staff_token

from seomin.services.dormant_deposits import FILE_COLUMNS, import_file
from seomin.services.platform import SYSTEM, Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
OTHER_RRN = "900101-2345678"


def seed(platform: Platform) -> None:
    rows = [
        f"A-1,{RRN},보통예금,1000000,100,2024-05-15",
        f"A-2,{RRN},정기예금,6000000,0,2024-05-15",
        f"B-1,{OTHER_RRN},보통예금,1000,0,2024-05-15",
    ]
    import_file(platform, SYSTEM, "kb", "bank", "\n".join((",".join(FILE_COLUMNS), *rows)), 7_001_000)


def test_a_person_looks_up_and_claims_once_and_a_supervisor_releases_a_large_one(
    client: TestClient, platform: Platform
) -> None:
    seed(platform)
    me = bearer(applicant_token(client))
    assert client.get("/api/v1/applicant/dormant-deposits").status_code == 401
    held = client.get("/api/v1/applicant/dormant-deposits", headers=me).json()
    assert [(d["product"], d["amount"], d["interest"]) for d in held] == [
        ("보통예금", 1_000_000, 10_000),
        ("정기예금", 6_000_000, 0),
    ]
    small, large = held[0]["id"], held[1]["id"]
    body = {"account": "110-123-456789", "account_holder_name": NAME}
    bad = client.post(f"/api/v1/applicant/dormant-deposits/{small}/claim", headers=me, json={"account": "x"})
    assert bad.status_code == 422 and "account" in bad.text
    first = client.post(f"/api/v1/applicant/dormant-deposits/{small}/claim", headers=me, json=body)
    again = client.post(f"/api/v1/applicant/dormant-deposits/{small}/claim", headers=me, json=body)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json() and first.json()["status"] == "paid"
    assert "456789" not in first.text  # the account shows masked
    donate = client.post(
        f"/api/v1/applicant/dormant-deposits/{small}/claim", headers=me, json={"donate": True}
    )
    assert donate.status_code == 409
    waiting = client.post(f"/api/v1/applicant/dormant-deposits/{large}/claim", headers=me, json=body).json()
    assert waiting["status"] == "awaiting_approval"
    counselor = bearer(staff_token(client, platform, "counselor1", "counselor"))
    supervisor = bearer(staff_token(client, platform, "super1", "supervisor"))
    path = f"/api/v1/staff/dormant-claims/{waiting['id']}/approval"
    assert client.post(path, headers=counselor).status_code == 403
    released = client.post(path, headers=supervisor)
    assert released.status_code == 200 and released.json()["status"] == "paid"
    figures = client.get("/api/v1/staff/dormant-deposits/figures", headers=supervisor)
    assert [(f["sector"], f["paid"], f["outstanding"]) for f in figures.json()] == [
        ("bank", 7_000_000, 1_000)
    ]
    assert client.get("/api/v1/staff/dormant-deposits/figures", headers=counselor).status_code == 403


def test_another_persons_deposit_is_not_found_and_walk_in_look_ups_need_a_reason(
    client: TestClient, platform: Platform
) -> None:
    seed(platform)
    me = bearer(applicant_token(client))
    held = client.get("/api/v1/applicant/dormant-deposits", headers=me).json()
    theirs = max(d["id"] for d in held) + 1
    answer = client.post(
        f"/api/v1/applicant/dormant-deposits/{theirs}/claim", headers=me, json={"donate": True}
    )
    assert answer.status_code == 404
    counselor = bearer(staff_token(client, platform, "counselor2", "counselor"))
    found = client.post(
        "/api/v1/staff/dormant-deposits/look-up", headers=counselor, json={"rrn": OTHER_RRN, "reason": "방문"}
    )
    assert found.status_code == 200 and [d["amount"] for d in found.json()] == [1000]
    blank = client.post(
        "/api/v1/staff/dormant-deposits/look-up", headers=counselor, json={"rrn": OTHER_RRN, "reason": " "}
    )
    assert blank.status_code == 422
    auditor = bearer(staff_token(client, platform, "auditor2", "auditor"))
    denied = client.post(
        "/api/v1/staff/dormant-deposits/look-up", headers=auditor, json={"rrn": OTHER_RRN, "reason": "x"}
    )
    assert denied.status_code == 403


def xlsx(rows: list[list[object]]) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(FILE_COLUMNS))
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_institution_file_uploads_as_xlsx_or_csv_reconciled_to_its_total(
    client: TestClient, platform: Platform
) -> None:
    from datetime import date

    supervisor = bearer(staff_token(client, platform, "super5", "supervisor"))
    counselor = bearer(staff_token(client, platform, "couns5", "counselor"))
    book = xlsx(
        [
            ["L-1", RRN, "저축보험", 250_000, 150, date(2024, 5, 15)],
            ["L-2", "not a number", "저축보험", 1, 0, date(2024, 5, 15)],
            ["L-3", OTHER_RRN, "연금보험", 50_000.0, 0, "2024-06-01"],
        ]
    )
    path = "/api/v1/staff/dormant-deposits/files"
    params = {"institution_code": "samsung-life", "sector": "insurance", "declared_total": 300_000}
    xlsx_type = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert (
        client.post(path, params=params, content=book, headers={**counselor, **xlsx_type}).status_code == 403
    )
    first = client.post(path, params=params, content=book, headers={**supervisor, **xlsx_type})
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["added"], report["total_added"], [r["line"] for r in report["rejects"]]) == (
        2,
        300_000,
        [3],
    )
    assert "not a number" not in first.text
    again = client.post(path, params=params, content=book, headers={**supervisor, **xlsx_type}).json()
    assert (again["added"], again["already_held"]) == (0, 2)
    wrong_total = client.post(
        path, params={**params, "declared_total": 1}, content=book, headers={**supervisor, **xlsx_type}
    )
    assert wrong_total.status_code == 422 and "declared_total" in wrong_total.text
    junk = client.post(
        path, params=params, content=b"PK\x03\x04junk", headers={**supervisor, "Content-Type": "text/csv"}
    )
    assert junk.status_code == 422 and "file" in junk.text
    csv_text = "\n".join((",".join(FILE_COLUMNS), f"C-1,{RRN},보통예금,700,0,2024-05-15"))
    posted = client.post(
        path,
        params={**params, "institution_code": "kb", "sector": "bank", "declared_total": 700},
        content=csv_text.encode(),
        headers={**supervisor, "Content-Type": "text/csv"},
    )
    assert posted.status_code == 200 and posted.json()["total_added"] == 700
    figures = client.get("/api/v1/staff/dormant-deposits/figures", headers=supervisor).json()
    assert {f["sector"]: f["contributed"] for f in figures} == {"bank": 700, "insurance": 300_000}
