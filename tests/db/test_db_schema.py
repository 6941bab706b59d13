"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from seomin.adapters.db.migrate import alembic_config
from seomin.adapters.db.models import Base


def test_migrations_match_the_models(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert alembic_config(engine).get_main_option("script_location") == "seomin.adapters.db:migrations"


def test_every_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
