"""counselor workspace notes and the 1397 chat

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 19:00:00

A counselor keeps notes on a person (not only on one application), encrypted: they may speak of debts,
family or health. A 1397 chat is opened by anyone (signed in or not; the browser holds a token whose hash
is kept), waits in the queue, is taken by one counselor at a time, may be handed over, and closes with an
outcome; its messages are encrypted and join the person's history when the person was signed in.
A callback or visit booking is handled in the back office: assigned to a counselor (and, for a visit, to a
named center), then done or no-show with an outcome note (encrypted) and, for a pre-application
counseling, the application it led to.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "person_notes",
        sa.Column("id", Id, nullable=False),
        sa.Column("applicant_id", Id, nullable=False),
        sa.Column("staff_id", Id, nullable=False),
        sa.Column("body_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_person_notes_applicant_id_applicants")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name=op.f("fk_person_notes_staff_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_notes")),
    )
    op.create_index(op.f("ix_person_notes_applicant_id"), "person_notes", ["applicant_id"])
    op.create_table(
        "chats",
        sa.Column("id", Id, nullable=False),
        sa.Column("applicant_id", Id, nullable=True),
        sa.Column("visitor_hash", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("counselor_id", Id, nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'active', 'closed')", name=op.f("ck_chats_status")),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_chats_applicant_id_applicants")
        ),
        sa.ForeignKeyConstraint(
            ["counselor_id"], ["staff_users.id"], name=op.f("fk_chats_counselor_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chats")),
        sa.UniqueConstraint("visitor_hash", name=op.f("uq_chats_visitor_hash")),
    )
    op.create_index(op.f("ix_chats_applicant_id"), "chats", ["applicant_id"])
    op.create_index(op.f("ix_chats_status"), "chats", ["status"])
    op.create_table(
        "chat_messages",
        sa.Column("id", Id, nullable=False),
        sa.Column("chat_id", Id, nullable=False),
        sa.Column("sender", sa.String(length=16), nullable=False),
        sa.Column("staff_id", Id, nullable=True),
        sa.Column("body_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "sender IN ('visitor', 'counselor', 'system')", name=op.f("ck_chat_messages_sender")
        ),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], name=op.f("fk_chat_messages_chat_id_chats")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name=op.f("fk_chat_messages_staff_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
    )
    op.create_index(op.f("ix_chat_messages_chat_id"), "chat_messages", ["chat_id"])
    op.create_table(
        "booking_handlings",
        sa.Column("id", Id, nullable=False),
        sa.Column("booking_id", Id, nullable=False),
        sa.Column("center_code", sa.String(length=32), nullable=True),
        sa.Column("assigned_to", Id, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("note_encrypted", sa.Text(), nullable=True),
        sa.Column("application_id", Id, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('done', 'no_show')", name=op.f("ck_booking_handlings_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["help_bookings.id"], name=op.f("fk_booking_handlings_booking_id_help_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to"], ["staff_users.id"], name=op.f("fk_booking_handlings_assigned_to_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_booking_handlings_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_handlings")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_booking_handlings_booking_id")),
    )

    op.create_table(
        "fraud_report_screenshots",
        sa.Column("id", Id, nullable=False),
        sa.Column("report_id", Id, nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_path", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["fraud_reports.id"],
            name=op.f("fk_fraud_report_screenshots_report_id_fraud_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_report_screenshots")),
    )
    op.create_index(op.f("ix_fraud_report_screenshots_report_id"), "fraud_report_screenshots", ["report_id"])

    op.create_table(
        "quality_reviews",
        sa.Column("id", Id, nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("source_ref", sa.String(length=64), nullable=False),
        sa.Column("counselor_id", Id, nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("transcript_encrypted", sa.Text(), nullable=False),
        sa.Column("rubric_version", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("failed", sa.String(length=300), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('chat', 'call')", name=op.f("ck_quality_reviews_source")),
        sa.ForeignKeyConstraint(
            ["counselor_id"], ["staff_users.id"], name=op.f("fk_quality_reviews_counselor_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_reviews")),
        sa.UniqueConstraint("source", "source_ref", name=op.f("uq_quality_reviews_source")),
    )
    op.create_index(op.f("ix_quality_reviews_held_on"), "quality_reviews", ["held_on"])


def downgrade() -> None:
    op.drop_table("quality_reviews")
    op.drop_table("fraud_report_screenshots")
    op.drop_table("booking_handlings")
    op.drop_table("chat_messages")
    op.drop_table("chats")
    op.drop_table("person_notes")
