"""offline help bookings (1397 callbacks, center visits) and counseling notes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "help_bookings",
        sa.Column("id", _ID, nullable=False),
        sa.Column("reference_no", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("center_code", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot", sa.String(length=16), nullable=False),
        sa.Column("seat_no", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("applicant_id", _ID, nullable=True),
        sa.Column("name_encrypted", sa.Text(), nullable=False),
        sa.Column("phone_encrypted", sa.Text(), nullable=False),
        sa.Column("phone_masked", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('callback', 'visit')", name=op.f("ck_help_bookings_channel")),
        sa.CheckConstraint("status IN ('booked', 'done', 'cancelled')", name=op.f("ck_help_bookings_status")),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_help_bookings_applicant_id_applicants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_bookings")),
        sa.UniqueConstraint(
            "channel", "center_code", "day", "slot", "seat_no", name=op.f("uq_help_bookings_channel")
        ),
        sa.UniqueConstraint("reference_no", name=op.f("uq_help_bookings_reference_no")),
    )
    op.create_index(op.f("ix_help_bookings_applicant_id"), "help_bookings", ["applicant_id"])
    op.create_index(op.f("ix_help_bookings_status"), "help_bookings", ["status"])
    op.create_table(
        "counseling_notes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("application_id", _ID, nullable=False),
        sa.Column("staff_id", _ID, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_counseling_notes_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name=op.f("fk_counseling_notes_staff_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counseling_notes")),
    )
    op.create_index(op.f("ix_counseling_notes_application_id"), "counseling_notes", ["application_id"])


def downgrade() -> None:
    op.drop_table("counseling_notes")
    op.drop_table("help_bookings")
