"""Demo data on SQLite and PostgreSQL: every lifecycle state, loaded once (a second run adds nothing), and
the demo accounts work through the HTTP API; `seomin demo`, `seomin cob` on the settings' database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from identity_steps import api_session
from seomin.adapters.db.models import (
    Application,
    AuditEvent,
    Base,
    Guarantee,
    Loan,
    RecourseDebt,
    RecoursePlan,
)
from seomin.adapters.http import create_app
from seomin.services.demo import BANK_KEYS, PEOPLE, STAFF, load_demo
from seomin.services.platform import Platform

SEOMIN = shutil.which("seomin") or str(Path(sys.executable).with_name("seomin"))

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def statuses(platform: Platform, model: type[Base]) -> dict[str, int]:
    column = model.status  # type: ignore[attr-defined]
    with platform.sessions() as session:
        return {s: n for s, n in session.execute(select(column, func.count()).group_by(column)).all()}


def total(platform: Platform, model: type[Base]) -> int:
    with platform.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_loads_every_state_once(platform: Platform) -> None:
    today = platform.today
    summary = load_demo(platform)
    assert summary.loaded and platform.today is today
    assert statuses(platform, Application) == {
        "submitted": 1,
        "pending_second_review": 1,
        "approved": 1,
        "rejected": 1,
        "guaranteed": 6,
    }
    assert statuses(platform, Guarantee) == {"issued": 1, "executed": 4, "claimed": 1}
    assert statuses(platform, Loan) == dict.fromkeys(
        ["active", "delinquent", "defaulted", "subrogated", "repaid"], 1
    )
    assert statuses(platform, RecourseDebt) == {"installment_plan": 1}
    assert total(platform, RecoursePlan) == 1
    before = {model: total(platform, model) for model in (Application, Loan, AuditEvent)}

    again = load_demo(platform)
    assert not again.loaded
    assert {model: total(platform, model) for model in before} == before
    assert set(summary.people) == set(PEOPLE)


def test_the_demo_accounts_work_over_http(platform: Platform) -> None:
    load_demo(platform)
    with TestClient(create_app(platform)) as client:
        for username, (role, password) in STAFF.items():
            answer = client.post("/api/v1/staff/login", json={"username": username, "password": password})
            assert answer.status_code == 200 and answer.json()["staff"]["role"] == role
        loans = client.get("/api/v1/bank/loans", headers={"X-Api-Key": BANK_KEYS["kwangju"]})
        assert loans.status_code == 200 and len(loans.json()) == 5
        others = client.get("/api/v1/bank/loans", headers={"X-Api-Key": BANK_KEYS["jeonbuk"]})
        assert others.status_code == 200 and others.json() == []
        name, rrn = PEOPLE["active"]
        token = api_session(client, name, rrn, "01000000000")["token"]
        mine = client.get("/api/v1/applicant/guarantees", headers={"Authorization": f"Bearer {token}"})
        assert [g["status"] for g in mine.json()] == ["executed"]
        # the FAQ answers on a fresh demo: the starter knowledge base is loaded with it
        faq = client.get("/api/v1/faq", params={"q": "상담 예약은 어떻게 하나요"})
        assert faq.status_code == 200 and faq.json() and "예약" in faq.json()[0]["question"]


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEOMIN_VAR_DIR": str(tmp_path / "var")}
    env.pop("SEOMIN_DATABASE_URL", None)
    return subprocess.run(
        [SEOMIN, *args], capture_output=True, text=True, timeout=300, check=False, env=env, cwd=tmp_path
    )


def test_cli_demo_then_cob_on_the_embedded_database(tmp_path: Path) -> None:
    first = run(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "demo-supervisor" in first.stdout and BANK_KEYS["kwangju"] in first.stdout
    assert "/docs" in first.stdout and "/manage" in first.stdout
    report = run(tmp_path, "report", "supply", "--year", "2020", "--estimate")
    assert report.returncode == 0, report.stderr
    assert "2020년 서민금융 공급실적 (추정실적" in report.stdout  # the demo imported seed 000's plan table
    second = run(tmp_path, "demo")
    assert second.returncode == 0 and "already present" in second.stdout
    cob = run(tmp_path, "cob", "--date", "2025-05-16")
    assert cob.returncode == 0, cob.stderr
    assert cob.stdout.startswith("COB 2025-05-16: 3 open loans")
    bad = run(tmp_path, "cob", "--date", "2025-13-01")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    future = run(tmp_path, "cob", "--date", "2999-01-01")
    assert future.returncode == 2 and "business_date" in future.stderr
    # without --date the demo database (closed to 2025-05-16) is not jumped to today by a slip
    jump = run(tmp_path, "cob")
    assert jump.returncode == 2 and "the last close of business was 2025-05-16" in jump.stderr
    assert "give --date" in jump.stderr.splitlines()[-1]
