"""보증료 환급 견적 over HTTP on both databases: own quote, staff quote, 404 for another's, 409, 422."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_http_applicant import RRN, applicant_token, bearer, staff_token

from builders import make_guarantee
from seomin.adapters.db.models import Applicant, Guarantee
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_quotes_for_the_person_and_for_staff(client: TestClient, platform: Platform) -> None:
    me = bearer(applicant_token(client))
    with platform.sessions() as session:
        applicant_id = session.scalars(
            select(Applicant.id).where(Applicant.rrn_hash == platform.vault.lookup_hash(RRN))
        ).one()
    mine, _ = make_guarantee(platform, applicant_id, term_months=12, issued_on=date(2025, 5, 1))
    included, _ = make_guarantee(platform, applicant_id)
    others, _ = make_guarantee(platform)
    with platform.sessions.begin() as session:
        for guarantee_id in (mine, others):
            row = session.get_one(Guarantee, guarantee_id)
            row.product_id, row.product_version, row.ratio_bp = "haessal-general", "2026-01", 9_000
    path = "/api/v1/applicant/guarantees/{}/fee-refund"
    answer = client.get(path.format(mine), headers=me, params={"repaid_on": "2025-08-09"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["fee"], answer.json()["refund"]) == (45_000, 32_672)
    assert client.get(path.format(others), headers=me, params={"repaid_on": "2025-08-09"}).status_code == 404
    assert (
        client.get(path.format(included), headers=me, params={"repaid_on": "2025-08-09"}).status_code == 409
    )
    late = client.get(path.format(mine), headers=me, params={"repaid_on": "2030-01-01"})
    assert late.status_code == 422 and "repaid_on" in late.text
    assert client.get(path.format(mine), params={"repaid_on": "2025-08-09"}).status_code == 401
    counselor = bearer(staff_token(client, platform, "counselor3", "counselor"))
    staff = client.get(
        f"/api/v1/staff/guarantees/{mine}/fee-refund",
        headers=counselor,
        params={"repaid_on": "2025-08-09", "repaid_amount": 2_500_000},
    )
    assert staff.status_code == 200 and staff.json()["refund"] == 16_336
