"""long recourse arrangements wait for a second approver

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 13:35:00

A single counselor could defer recourse debt for two years or spread it over ten with no second look.
Arrangements above the thresholds of ``domain.recourse`` are now proposed first and take effect when a
supervisor other than the proposer approves them. Existing arrangements are in force.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recourse_plans") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="in_force"))
        batch.add_column(sa.Column("proposed_by", sa.String(32), nullable=True))
        batch.add_column(sa.Column("approved_by", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recourse_plans") as batch:
        batch.drop_column("approved_by")
        batch.drop_column("proposed_by")
        batch.drop_column("status")
