"""close of business in chunks: each chunk of loans its own short transaction, recorded when it commits

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 21:30:00

Close of business ran in one transaction holding EXCLUSIVE locks on loans, installments and guarantees,
so a bank's payment waited for the whole run (15 s at 100,000 loans). Now the loan steps go through the
book in chunks of loan ids, one short transaction each. ``cob_chunks`` records each step of every
committed chunk with its counts, so a run that crashed resumes at the next undone chunk instead of
applying a step twice;
``cob_runs.chunk_size`` keeps the chunk size the run started with, so a resumed run cuts the same chunks.
A ``cob_runs`` row with ``finished_at`` NULL is a run in progress (or crashed); its ``stats`` are the
chunks' counts summed when the last chunk commits.

``ix_installments_unpaid`` (partial: unpaid installments only, by loan and due date) lets a chunk's aging
find each loan's oldest unpaid installment due with one index probe instead of reading all 53
installments of each loan (at 1,000,000 loans: 53 M rows a run). Only future and overdue installments
are in it; a payment that settles an installment leaves it. Building it blocks writes to installments
for its duration (~1 minute at 53 M rows here); on a large production table build it beforehand with
``CREATE INDEX CONCURRENTLY`` under the same name and definition, which this migration then keeps (IF NOT
EXISTS).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cob_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chunk_size", sa.Integer(), nullable=True))
    op.create_table(
        "cob_chunks",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_date"], ["cob_runs.business_date"], name=op.f("fk_cob_chunks_business_date_cob_runs")
        ),
        sa.PrimaryKeyConstraint("business_date", "step", "chunk", name=op.f("pk_cob_chunks")),
    )
    unpaid = sa.text("principal_paid < principal_due OR interest_paid < interest_due")
    op.create_index(
        "ix_installments_unpaid",
        "installments",
        ["loan_id", "due_date"],
        postgresql_where=unpaid,
        sqlite_where=unpaid,
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_index("ix_installments_unpaid", table_name="installments")
    op.drop_table("cob_chunks")
    with op.batch_alter_table("cob_runs", schema=None) as batch_op:
        batch_op.drop_column("chunk_size")
