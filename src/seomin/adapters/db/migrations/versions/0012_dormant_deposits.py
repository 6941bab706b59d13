"""dormant deposits (휴면예금 찾아줌) and their claims

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 16:50:00

Contributing institutions' dormant deposits, keyed by the holder's hashed resident number, and at most one
claim (payout or donation) per deposit so that a payout happens exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dormant_deposits",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("institution_code", sa.String(32), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(64), nullable=False),
        sa.Column("holder_rrn_hash", sa.String(64), nullable=False),
        sa.Column("holder_rrn_encrypted", sa.Text(), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("contributed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('held', 'claimed', 'paid', 'donated')", name=op.f("ck_dormant_deposits_status")
        ),
        sa.UniqueConstraint(
            "institution_code", "source_ref", name=op.f("uq_dormant_deposits_institution_code")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dormant_deposits")),
    )
    op.create_index(op.f("ix_dormant_deposits_holder_rrn_hash"), "dormant_deposits", ["holder_rrn_hash"])
    op.create_table(
        "dormant_claims",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("deposit_id", _ID, sa.ForeignKey("dormant_deposits.id"), nullable=False),
        sa.Column("applicant_id", _ID, sa.ForeignKey("applicants.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("account_encrypted", sa.Text(), nullable=True),
        sa.Column("account_masked", sa.String(32), nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("reason_code", sa.String(48), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("approved_by", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('payout', 'donation')", name=op.f("ck_dormant_claims_kind")),
        sa.CheckConstraint(
            "status IN ('awaiting_approval', 'paid', 'donated', 'center')",
            name=op.f("ck_dormant_claims_status"),
        ),
        sa.UniqueConstraint("deposit_id", name=op.f("uq_dormant_claims_deposit_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dormant_claims")),
    )
    op.create_index(op.f("ix_dormant_claims_applicant_id"), "dormant_claims", ["applicant_id"])


def downgrade() -> None:
    op.drop_table("dormant_claims")
    op.drop_table("dormant_deposits")
