"""맞춤대출 and credit-debt consulting: outcome aggregates, consented match requests, consulting programmes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 16:30:00

Loan matching shows what people with a similar score and income actually got. Those figures are
aggregates (no person, no loan id) rebuilt from executed loans and the partner lenders' decisions
(reported with the person's bands only); each consented match keeps only the bands
and what was shown, for the sector-level open data. Credit-debt consulting is a programme of up to six
monthly sessions with a plan and progress notes (encrypted).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
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
    op.create_table(
        "partner_decisions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("bank_code", sa.String(length=32), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("score_band", sa.String(length=16), nullable=False),
        sa.Column("income_band", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_decisions")),
    )
    op.create_index(op.f("ix_partner_decisions_bank_code"), "partner_decisions", ["bank_code"], unique=False)
    op.create_table(
        "consulting_programmes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("applicant_id", _ID, nullable=False),
        sa.Column("counselor_id", _ID, nullable=False),
        sa.Column("plan_encrypted", sa.Text(), nullable=False),
        sa.Column("sessions_planned", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('enrolled', 'completed', 'withdrawn')", name=op.f("ck_consulting_programmes_status")
        ),
        sa.CheckConstraint(
            "sessions_planned BETWEEN 1 AND 6", name=op.f("ck_consulting_programmes_sessions_planned")
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_consulting_programmes_applicant_id_applicants")
        ),
        sa.ForeignKeyConstraint(
            ["counselor_id"],
            ["staff_users.id"],
            name=op.f("fk_consulting_programmes_counselor_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consulting_programmes")),
    )
    op.create_index(
        op.f("ix_consulting_programmes_applicant_id"), "consulting_programmes", ["applicant_id"], unique=False
    )
    op.create_table(
        "consulting_sessions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("programme_id", _ID, nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("staff_id", _ID, nullable=False),
        sa.Column("notes_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["consulting_programmes.id"],
            name=op.f("fk_consulting_sessions_programme_id_consulting_programmes"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name=op.f("fk_consulting_sessions_staff_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consulting_sessions")),
        sa.UniqueConstraint("programme_id", "no", name=op.f("uq_consulting_sessions_programme_id")),
    )
    op.create_index(
        op.f("ix_consulting_sessions_programme_id"), "consulting_sessions", ["programme_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_consulting_sessions_programme_id"), table_name="consulting_sessions")
    op.drop_table("consulting_sessions")
    op.drop_index(op.f("ix_consulting_programmes_applicant_id"), table_name="consulting_programmes")
    op.drop_table("consulting_programmes")
    op.drop_index(op.f("ix_partner_decisions_bank_code"), table_name="partner_decisions")
    op.drop_table("partner_decisions")
    op.drop_index(op.f("ix_matching_requests_as_of"), table_name="matching_requests")
    op.drop_table("matching_requests")
    op.drop_table("matching_outcomes")
