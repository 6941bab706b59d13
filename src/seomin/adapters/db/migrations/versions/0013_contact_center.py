"""contact center: knowledge base entries with versions, fraud reports

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 16:55:00

Counselors answer the same questions every day; entries they write (with owner and every version) are
searched by similar question during counseling and, when marked public, by applicants as an FAQ.
Anyone reports an impersonation of the agency or an illegal lender without an account;
staff triage the reports grouped by the site, number or handle they name.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "knowledge_entries",
        sa.Column("id", Id, nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("owner_id", Id, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff_users.id"], name=op.f("fk_knowledge_entries_owner_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_entries")),
    )
    op.create_index(op.f("ix_knowledge_entries_topic"), "knowledge_entries", ["topic"])
    op.create_table(
        "knowledge_entry_versions",
        sa.Column("id", Id, nullable=False),
        sa.Column("entry_id", Id, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("edited_by", Id, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["knowledge_entries.id"],
            name=op.f("fk_knowledge_entry_versions_entry_id_knowledge_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["edited_by"], ["staff_users.id"], name=op.f("fk_knowledge_entry_versions_edited_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_entry_versions")),
        sa.UniqueConstraint("entry_id", "version", name=op.f("uq_knowledge_entry_versions_entry_id")),
    )
    op.create_index(op.f("ix_knowledge_entry_versions_entry_id"), "knowledge_entry_versions", ["entry_id"])
    op.create_table(
        "fraud_reports",
        sa.Column("id", Id, nullable=False),
        sa.Column("reference_no", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("target_key", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lost_money", sa.Boolean(), nullable=False),
        sa.Column("phone_encrypted", sa.Text(), nullable=True),
        sa.Column("phone_masked", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("referred_to", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('site', 'sns', 'phone', 'app')", name=op.f("ck_fraud_reports_kind")),
        sa.CheckConstraint(
            "status IN ('received', 'confirmed', 'referred', 'dismissed')",
            name=op.f("ck_fraud_reports_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_reports")),
        sa.UniqueConstraint("reference_no", name=op.f("uq_fraud_reports_reference_no")),
    )
    op.create_index(op.f("ix_fraud_reports_target_key"), "fraud_reports", ["target_key"])
    op.create_index(op.f("ix_fraud_reports_status"), "fraud_reports", ["status"])


def downgrade() -> None:
    op.drop_table("fraud_reports")
    op.drop_table("knowledge_entry_versions")
    op.drop_table("knowledge_entries")
