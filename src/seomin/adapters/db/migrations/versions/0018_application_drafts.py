"""application drafts: the form kept between steps and sessions, with the documents already uploaded

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 19:10:00

An application died with its 30-minute session: people leave the documents step for 정부24 and 홈택스,
come back signed out, and every answer and file was gone. The draft keeps both.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "application_drafts",
        sa.Column("id", Id, nullable=False),
        sa.Column("applicant_id", Id, nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("values_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_application_drafts_applicant_id_applicants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_drafts")),
        sa.UniqueConstraint("applicant_id", name=op.f("uq_application_drafts_applicant_id")),
    )
    op.create_table(
        "application_draft_documents",
        sa.Column("id", Id, nullable=False),
        sa.Column("draft_id", Id, nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_path", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["application_drafts.id"],
            name=op.f("fk_application_draft_documents_draft_id_application_drafts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_draft_documents")),
        sa.UniqueConstraint("draft_id", "line", name=op.f("uq_application_draft_documents_draft_id")),
    )
    op.create_index(
        op.f("ix_application_draft_documents_draft_id"), "application_draft_documents", ["draft_id"]
    )


def downgrade() -> None:
    op.drop_table("application_draft_documents")
    op.drop_table("application_drafts")
