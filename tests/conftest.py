"""Shared fixtures. Database tests run against SQLite (embedded default) and PostgreSQL (production).

PostgreSQL is the one on 127.0.0.1:5432 (database ``test``), or SEOMIN_TEST_POSTGRES_URL. Each test session
migrates into a schema of its own, so concurrent runs never see each other's rows. Where PostgreSQL is
unreachable the PostgreSQL cases are skipped, except under CI=true, where that fails the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from databases import KINDS, migrated
from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.adapters.crypto import DataVault
from seomin.adapters.db.engine import session_factory
from seomin.adapters.db.models import Base
from seomin.adapters.http.app import create_app
from seomin.services.platform import Platform


@pytest.fixture(scope="session", params=KINDS)
def migrated_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database of each kind, for the whole session."""
    with migrated(request.param, tmp_path_factory.mktemp("db")) as engine:
        yield engine


@pytest.fixture()
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """A migrated, empty database; rows a test leaves are removed after it."""
    yield migrated_engine
    with migrated_engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture()
def platform(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Platform:
    """The services' context on a fresh database; ``platform.today`` may be replaced to move time."""
    return Platform(
        engine=engine,
        sessions=session_factory(engine),
        catalog=default_catalog(),
        calendar=korean_calendar(),
        vault=DataVault(Fernet.generate_key().decode("ascii")),
        storage_dir=tmp_path_factory.mktemp("documents"),
        today=lambda: date(2025, 5, 15),
    )


@pytest.fixture()
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its cheapest for tests that sign many staff in (verification reads a hash's own cost)."""
    from argon2 import PasswordHasher

    from seomin.services import identity

    monkeypatch.setattr(
        identity, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture()
def client(platform: Platform) -> Iterator[TestClient]:
    """The whole app (API and pages) over the test platform, through its real HTTP layer."""
    with TestClient(create_app(platform)) as c:
        yield c
