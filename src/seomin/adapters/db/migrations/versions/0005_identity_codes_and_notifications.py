"""identity verification by one-time code, the notification outbox, attempt counters

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 13:00:00

Identity verification becomes two steps (a code sent to the phone, then confirmed), so an applicant's
record opens only for the person who holds the phone and whose name matches. Messages go through one
outbox; attempt counters lock out repeated guessing of codes and passwords.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "notification_messages",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("dedupe_key", sa.String(128), nullable=False, unique=True),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("phone_hash", sa.String(64), nullable=False),
        sa.Column("phone_encrypted", sa.Text(), nullable=False),
        sa.Column("phone_masked", sa.String(16), nullable=False),
        sa.Column("text_encrypted", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'failed')", name=op.f("ck_notification_messages_status")
        ),
    )
    op.create_index(op.f("ix_notification_messages_phone_hash"), "notification_messages", ["phone_hash"])
    op.create_index(op.f("ix_notification_messages_status"), "notification_messages", ["status"])
    op.create_table(
        "identity_challenges",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("rrn_hash", sa.String(64), nullable=False),
        sa.Column("rrn_encrypted", sa.Text(), nullable=False),
        sa.Column("name_encrypted", sa.Text(), nullable=False),
        sa.Column("phone_encrypted", sa.Text(), nullable=False),
        sa.Column("phone_masked", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("consent_version", sa.String(32), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'verified', 'locked')", name=op.f("ck_identity_challenges_status")
        ),
    )
    op.create_index(op.f("ix_identity_challenges_rrn_hash"), "identity_challenges", ["rrn_hash"])
    op.create_table(
        "attempt_counters",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("attempt_counters")
    op.drop_index(op.f("ix_identity_challenges_rrn_hash"), table_name="identity_challenges")
    op.drop_table("identity_challenges")
    op.drop_index(op.f("ix_notification_messages_status"), table_name="notification_messages")
    op.drop_index(op.f("ix_notification_messages_phone_hash"), table_name="notification_messages")
    op.drop_table("notification_messages")
