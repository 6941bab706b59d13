"""review decisions carry their business day and the status they left; indexes for the queue and overview

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 01:15:00

Decisions were stamped with the clock time only, so "approvals today" could not follow the platform's
business day. Rows from before this revision get the calendar day of their timestamp (UTC) and a status
where the decision itself tells it (confirm: approved, reject: rejected); an earlier approval leaves it
unknown (NULL) because it may have been a proposal.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_decisions") as batch:
        batch.add_column(sa.Column("decided_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("status_after", sa.String(length=24), nullable=True))
    day = "date(created_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(created_at AS DATE)"
    op.execute(f"UPDATE review_decisions SET decided_on = {day}")
    op.execute("UPDATE review_decisions SET status_after = 'approved' WHERE decision = 'confirm'")
    op.execute("UPDATE review_decisions SET status_after = 'rejected' WHERE decision = 'reject'")
    op.create_index(op.f("ix_review_decisions_decided_on"), "review_decisions", ["decided_on"])
    op.create_index(op.f("ix_applicants_birth_date"), "applicants", ["birth_date"])


def downgrade() -> None:
    op.drop_index(op.f("ix_applicants_birth_date"), table_name="applicants")
    op.drop_index(op.f("ix_review_decisions_decided_on"), table_name="review_decisions")
    with op.batch_alter_table("review_decisions") as batch:
        batch.drop_column("status_after")
        batch.drop_column("decided_on")
