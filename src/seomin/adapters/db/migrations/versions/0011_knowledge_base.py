"""knowledge base: staff Q&A entries with versions

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-05 16:55:00

Counselors answer the same questions every day; entries they write (with owner and every version) are
searched by similar question during counseling and, when marked public, by applicants as an FAQ.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0008"
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


def downgrade() -> None:
    op.drop_table("knowledge_entry_versions")
    op.drop_table("knowledge_entries")
