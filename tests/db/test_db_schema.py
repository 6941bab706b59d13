"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, inspect

from seomin.adapters.db.migrate import alembic_config
from seomin.adapters.db.models import Base
from seomin.services.platform import Platform


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


def test_dormant_money_from_before_the_ledger_is_backfilled_into_it(platform: Platform) -> None:
    """Deposits and claims made under revision 0012 become balanced entries when 0015 runs, so the figures
    read from the ledger include them (contribution, payout and donation, by sector)."""
    from alembic.script import ScriptDirectory

    from seomin.adapters.db.migrate import downgrade, upgrade
    from seomin.services.dormant_deposits import disclosure_figures
    from seomin.services.ledger import trial_balance
    from seomin.services.platform import SYSTEM

    engine = platform.engine

    before = ScriptDirectory.from_config(alembic_config(engine)).get_revision("0015").down_revision
    assert isinstance(before, str)
    downgrade(engine, before)
    try:
        tables = Base.metadata.tables
        made = {"created_at": datetime(2025, 1, 1, tzinfo=UTC)}
        with engine.begin() as conn:
            person = {"rrn_hash": "h", "rrn_masked": "x", "birth_date": date(1985, 3, 1), **made}
            secrets = {
                "rrn_encrypted": "x",
                "name_encrypted": "x",
                "phone_encrypted": "x",
                "phone_masked": "x",
            }
            conn.execute(tables["applicants"].insert().values(id=1, **person, **secrets))
            for n, (status, amount) in enumerate((("paid", 1_000), ("donated", 2_000), ("held", 4_000)), 1):
                conn.execute(
                    tables["dormant_deposits"]
                    .insert()
                    .values(
                        id=n,
                        institution_code="kb",
                        sector="bank",
                        source_ref=f"R{n}",
                        holder_rrn_hash="h",
                        holder_rrn_encrypted="x",
                        product="p",
                        amount=amount,
                        rate_bp=0,
                        contributed_on=date(2024, 5, 15),
                        status=status,
                        **made,
                    )
                )
                if status != "held":
                    conn.execute(
                        tables["dormant_claims"]
                        .insert()
                        .values(
                            id=n,
                            deposit_id=n,
                            applicant_id=1,
                            principal=amount,
                            interest=10,
                            status=status,
                            kind="payout" if status == "paid" else "donation",
                            reason_code="x",
                            filed_on=date(2025, 5, 1),
                            **made,
                        )
                    )
    finally:
        upgrade(engine)
    book = trial_balance(platform, SYSTEM)
    assert (book.entries, book.total) == (3, 0)
    (bank,) = disclosure_figures(platform, SYSTEM)
    assert (bank.contributed, bank.paid, bank.donated, bank.outstanding) == (7_000, 1_000, 2_000, 4_000)
    assert (bank.interest_paid, bank.interest_donated) == (10, 10)
