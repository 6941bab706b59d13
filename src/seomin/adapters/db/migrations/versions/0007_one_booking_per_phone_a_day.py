"""one active help booking per phone, and per signed-in person, a day

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 13:30:00

One anonymous caller could book every seat of every slot. Bookings now keep a keyed hash of the phone, and
partial unique indexes allow one active booking per phone and per applicant for a day, under races too.
Bookings from before keep no hash (their phones are encrypted with a random IV and cannot be hashed here).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BOOKED = "status = 'booked'"
_BOOKED_BY_APPLICANT = "status = 'booked' AND applicant_id IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("help_bookings") as batch:
        batch.add_column(sa.Column("phone_hash", sa.String(64), nullable=True))
    op.create_index(
        "uq_help_bookings_phone_day",
        "help_bookings",
        ["phone_hash", "day"],
        unique=True,
        sqlite_where=sa.text(_BOOKED),
        postgresql_where=sa.text(_BOOKED),
    )
    op.create_index(
        "uq_help_bookings_applicant_day",
        "help_bookings",
        ["applicant_id", "day"],
        unique=True,
        sqlite_where=sa.text(_BOOKED_BY_APPLICANT),
        postgresql_where=sa.text(_BOOKED_BY_APPLICANT),
    )


def downgrade() -> None:
    op.drop_index("uq_help_bookings_applicant_day", table_name="help_bookings")
    op.drop_index("uq_help_bookings_phone_day", table_name="help_bookings")
    with op.batch_alter_table("help_bookings") as batch:
        batch.drop_column("phone_hash")
