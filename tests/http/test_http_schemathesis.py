"""Schemathesis against the app's own OpenAPI document: generated requests for every operation, public and
authenticated (with valid credentials of each audience), never produce a 5xx, and answers conform to the
documented status codes, content types and schemas.

The app runs over a SQLite database of this module's own (schemathesis builds its test cases from the
schema at collection time, before any fixture exists); the adapter is the same on PostgreSQL.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import schemathesis
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from identity_steps import api_session
from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.adapters.crypto import DataVault
from seomin.adapters.db.engine import make_engine, session_factory
from seomin.adapters.db.migrate import upgrade
from seomin.adapters.http import create_app
from seomin.services import identity
from seomin.services.identity import create_staff_user, issue_bank_api_key
from seomin.services.platform import Platform

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _platform() -> Platform:
    folder = Path(tempfile.mkdtemp(prefix="seomin-schemathesis-"))
    engine = make_engine(f"sqlite:///{folder / 'seomin.db'}")
    # The database lives as long as the module's schema does: removed when the test run ends.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    atexit.register(engine.dispose)
    upgrade(engine)
    return Platform(
        engine=engine,
        sessions=session_factory(engine),
        catalog=default_catalog(),
        calendar=korean_calendar(),
        vault=DataVault(Fernet.generate_key().decode("ascii")),
        storage_dir=folder / "documents",
        today=lambda: date(2025, 5, 15),
    )


def _credentials(platform: Platform, app: Any) -> dict[str, dict[str, str]]:
    hasher = identity.PASSWORD_HASHER
    identity.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        create_staff_user(platform, "fuzz", "Fuzz", "a long enough secret", "supervisor")
        client = TestClient(app)
        staff = client.post(
            "/api/v1/staff/login", json={"username": "fuzz", "password": "a long enough secret"}
        )
    finally:
        identity.PASSWORD_HASHER = hasher
    person = api_session(client, "홍길동", "850301-1234567", "01012345678")
    return {
        "/api/v1/applicant/": {"Authorization": f"Bearer {person['token']}"},
        "/api/v1/staff/": {"Authorization": f"Bearer {staff.json()['token']}"},
        "/api/v1/bank/": {"X-Api-Key": issue_bank_api_key(platform, "kwangju")},
    }


PLATFORM = _platform()
APP = create_app(PLATFORM)
CREDENTIALS = _credentials(PLATFORM, APP)
UNAUTHENTICATED = frozenset(
    {"/api/v1/applicant/identity", "/api/v1/applicant/identity/confirm", "/api/v1/staff/login"}
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_and_never_fails(case: Any) -> None:
    headers = next((h for prefix, h in CREDENTIALS.items() if case.path.startswith(prefix)), {})
    if case.path in UNAUTHENTICATED:
        headers = {}
    case.call_and_validate(headers={**(case.headers or {}), **headers}, checks=CHECKS)
