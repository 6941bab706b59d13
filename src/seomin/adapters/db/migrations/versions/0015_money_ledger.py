"""money owed back: one double-entry ledger, guarantee-fee reports and refunds

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 19:05:00

Payouts, donations, contributions, guarantee fees and their refunds become balanced ledger entries (a
unique key per movement, so a retried or racing posting is one entry); banks report the fees they collect
per guarantee and month; unearned and overpaid fees are owed back and paid once to an own-name
account; a job cursor lets the notifier read only the audit events it has not turned into messages yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("key", name=op.f("uq_ledger_entries_key")),
    )
    op.create_index(op.f("ix_ledger_entries_kind"), "ledger_entries", ["kind"])
    op.create_index(op.f("ix_ledger_entries_reference"), "ledger_entries", ["reference"])
    op.create_index(op.f("ix_ledger_entries_booked_on"), "ledger_entries", ["booked_on"])
    op.create_table(
        "ledger_lines",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("entry_id", Id, nullable=False),
        sa.Column("account", sa.String(32), nullable=False),
        sa.Column("party", sa.String(32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_lines_amount")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entries.id"], name=op.f("fk_ledger_lines_entry_id_ledger_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_lines")),
    )
    op.create_index(op.f("ix_ledger_lines_entry_id"), "ledger_lines", ["entry_id"])
    op.create_index("ix_ledger_lines_account_party", "ledger_lines", ["account", "party"])
    op.create_table(
        "guarantee_fee_reports",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("bank_code", sa.String(32), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("guarantee_id", Id, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["guarantee_id"], ["guarantees.id"], name=op.f("fk_guarantee_fee_reports_guarantee_id_guarantees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantee_fee_reports")),
        sa.UniqueConstraint(
            "bank_code", "month", "guarantee_id", name=op.f("uq_guarantee_fee_reports_bank_code")
        ),
    )
    op.create_index(op.f("ix_guarantee_fee_reports_guarantee_id"), "guarantee_fee_reports", ["guarantee_id"])
    op.create_table(
        "guarantee_fee_refunds",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("guarantee_id", Id, nullable=False),
        sa.Column("applicant_id", Id, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("account_encrypted", sa.Text(), nullable=True),
        sa.Column("account_masked", sa.String(32), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN ('unearned', 'overpaid')", name=op.f("ck_guarantee_fee_refunds_reason")
        ),
        sa.CheckConstraint("status IN ('unpaid', 'paid')", name=op.f("ck_guarantee_fee_refunds_status")),
        sa.ForeignKeyConstraint(
            ["guarantee_id"], ["guarantees.id"], name=op.f("fk_guarantee_fee_refunds_guarantee_id_guarantees")
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_guarantee_fee_refunds_applicant_id_applicants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantee_fee_refunds")),
        sa.UniqueConstraint("key", name=op.f("uq_guarantee_fee_refunds_key")),
    )
    op.create_index(op.f("ix_guarantee_fee_refunds_guarantee_id"), "guarantee_fee_refunds", ["guarantee_id"])
    op.create_index(op.f("ix_guarantee_fee_refunds_applicant_id"), "guarantee_fee_refunds", ["applicant_id"])

    op.create_table(
        "job_cursors",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_cursors")),
    )

    _backfill_dormant_ledger()


def _backfill_dormant_ledger() -> None:
    """Dormant deposits and claims from before the ledger (revision 0012) become its entries, posted as
    ``domain.ledger`` would have: one contribution per institution and sector, one entry per payout or
    donation; so the figures read from the ledger include them."""
    conn = op.get_bind()
    entries = sa.table(
        "ledger_entries",
        sa.column("id", Id),
        sa.column("key", sa.String),
        sa.column("kind", sa.String),
        sa.column("reference", sa.String),
        sa.column("booked_on", sa.Date),
        sa.column("actor", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    lines = sa.table(
        "ledger_lines",
        sa.column("entry_id", Id),
        sa.column("account", sa.String),
        sa.column("party", sa.String),
        sa.column("amount", sa.BigInteger),
    )
    now = datetime.now(UTC)

    def book(key: str, kind: str, reference: str, on: date, legs: list[tuple[str, str, int]]) -> None:
        entry_id = conn.execute(
            entries.insert()
            .values(
                key=key, kind=kind, reference=reference, booked_on=on, actor="system:0015", created_at=now
            )
            .returning(entries.c.id)
        ).scalar_one()
        conn.execute(
            lines.insert(),
            [{"entry_id": entry_id, "account": a, "party": p, "amount": w} for a, p, w in legs if w],
        )

    contributed = conn.execute(
        sa.text(
            "SELECT institution_code, sector, SUM(amount), MIN(contributed_on) FROM dormant_deposits "
            "GROUP BY institution_code, sector ORDER BY institution_code, sector"
        )
    ).all()
    for institution, sector, won, first in contributed:
        book(
            f"dormant_import:{institution}:before-ledger:{sector}",
            "dormant_contribution",
            f"institution:{institution}",
            _day(first),
            [("dormant.cash", "", int(won)), ("dormant.owed", sector, -int(won))],
        )
    claims = conn.execute(
        sa.text(
            "SELECT c.id, c.status, c.principal, c.interest, c.filed_on, d.sector FROM dormant_claims c "
            "JOIN dormant_deposits d ON d.id = c.deposit_id WHERE c.status IN ('paid', 'donated') "
            "ORDER BY c.id"
        )
    ).all()
    for claim_id, status, principal, interest, filed_on, sector in claims:
        paid = status == "paid"
        total = int(principal) + int(interest)
        book(
            f"dormant_{'payout' if paid else 'donation'}:{claim_id}",
            "dormant_payout" if paid else "dormant_donation",
            f"dormant_claim:{claim_id}",
            _day(filed_on),
            [
                ("dormant.owed", sector, int(principal)),
                ("dormant.interest", sector, int(interest)),
                ("dormant.cash", "", -total) if paid else ("miso.donations", sector, -total),
            ],
        )


def _day(value: object) -> date:
    """A DATE as SQLite (text) or PostgreSQL (date) returns it."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def downgrade() -> None:
    op.drop_table("job_cursors")
    op.drop_table("guarantee_fee_refunds")
    op.drop_table("guarantee_fee_reports")
    op.drop_table("ledger_lines")
    op.drop_table("ledger_entries")
