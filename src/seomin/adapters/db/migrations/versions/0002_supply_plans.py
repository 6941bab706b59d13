"""supply plans (seed 000): item rows of annual plans and estimated results

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supply_plan_rows",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("product_group", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("amount_centi_eok", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('plan', 'estimate')", name=op.f("ck_supply_plan_rows_kind")),
        sa.CheckConstraint("level = 'item'", name=op.f("ck_supply_plan_rows_level")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_plan_rows")),
        sa.UniqueConstraint(
            "year", "kind", "product_group", "channel", name=op.f("uq_supply_plan_rows_year")
        ),
    )


def downgrade() -> None:
    op.drop_table("supply_plan_rows")
