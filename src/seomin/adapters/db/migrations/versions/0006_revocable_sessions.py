"""revocable sessions: staff tokens and bank-desk sessions can be ended server-side

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 13:20:00

Signing out ended nothing: a staff token or a bank-desk cookie kept working until it expired. A staff
user's ``tokens_valid_after`` and a bank key's ``desk_valid_after`` now refuse what was issued before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("tokens_valid_after", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("bank_api_keys") as batch:
        batch.add_column(sa.Column("desk_valid_after", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_api_keys") as batch:
        batch.drop_column("desk_valid_after")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("tokens_valid_after")
