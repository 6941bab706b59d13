"""forced password change after a reset; documents purged after their retention

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 16:00:00

A password an operator or supervisor sets is known to them: the user must choose their own at the next
sign-in (``staff_users.password_change_required``). Submitted documents carry resident numbers and
income: the retention job deletes their files when the retention of ``domain.retention`` ends and
records when (``application_documents.purged_at``), keeping the row as the record of what was submitted.
A certificate keeps its preferential cut and its group's floor (``guarantees.preferential_bp``,
``floor_bp``): the executed loan then steps down exactly as the simulator promised (the cut after the
floor; a 배려 borrower to their own floor). Earlier certificates get 0 and NULL (the version's floor).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(
            sa.Column("password_change_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("application_documents") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("guarantees") as batch:
        batch.add_column(sa.Column("preferential_bp", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("floor_bp", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guarantees") as batch:
        batch.drop_column("floor_bp")
        batch.drop_column("preferential_bp")
    with op.batch_alter_table("application_documents") as batch:
        batch.drop_column("purged_at")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("password_change_required")
