"""맞춤대출: outcome aggregates of executed loans and consented match requests

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-05 16:30:00

Loan matching shows what people with a similar score and income actually got. Those figures are
aggregates (no person, no loan id) rebuilt from executed loans; each consented match keeps only the bands
and what was shown, for the sector-level open data.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "matching_outcomes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("sector", sa.String(length=16), nullable=False),
        sa.Column("score_band", sa.String(length=16), nullable=False),
        sa.Column("income_band", sa.String(length=24), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("amount_p25", sa.BigInteger(), nullable=False),
        sa.Column("amount_median", sa.BigInteger(), nullable=False),
        sa.Column("amount_p75", sa.BigInteger(), nullable=False),
        sa.Column("rate_min_bp", sa.Integer(), nullable=False),
        sa.Column("rate_median_bp", sa.Integer(), nullable=False),
        sa.Column("rate_max_bp", sa.Integer(), nullable=False),
        sa.Column("refreshed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_outcomes")),
        sa.UniqueConstraint(
            "product_id", "sector", "score_band", "income_band", name=op.f("uq_matching_outcomes_product_id")
        ),
    )
    op.create_table(
        "matching_requests",
        sa.Column("id", _ID, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("score_band", sa.String(length=16), nullable=False),
        sa.Column("income_band", sa.String(length=24), nullable=False),
        sa.Column("options", sa.Integer(), nullable=False),
        sa.Column("top_product", sa.String(length=64), nullable=True),
        sa.Column("top_sector", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_requests")),
    )
    op.create_index(op.f("ix_matching_requests_as_of"), "matching_requests", ["as_of"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_matching_requests_as_of"), table_name="matching_requests")
    op.drop_table("matching_requests")
    op.drop_table("matching_outcomes")
