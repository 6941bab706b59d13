"""The two databases every database test runs on: SQLite (the embedded default) and PostgreSQL
(production), each migrated to the latest schema; PostgreSQL in a schema of its own per use.

PostgreSQL is the one on 127.0.0.1:5432 (database ``test``), or SEOMIN_TEST_POSTGRES_URL. Where it is
unreachable its cases are skipped, except under CI=true, where that fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from seomin.adapters.db.engine import make_engine
from seomin.adapters.db.migrate import upgrade

POSTGRES_URL = os.environ.get("SEOMIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
KINDS = ("sqlite", "postgresql")


def _postgres_engine(schema: str) -> Engine:
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable under CI: {exc.orig}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable")
    admin.dispose()
    return make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_size=40)


@contextmanager
def migrated(kind: str, directory: Path) -> Iterator[Engine]:
    """A migrated, empty database of ``kind`` (SQLite under ``directory``) for the block; dropped after."""
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{directory / 'seomin.db'}")
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    schema = f"seomin_test_{uuid.uuid4().hex[:12]}"
    engine = _postgres_engine(schema)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
