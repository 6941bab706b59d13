"""agency loans: the agency's own small loan, paid to the borrower's account, interest only

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 16:40:00

불법사금융예방대출 is lent by the agency itself: no bank, no guarantee certificate. An approved application
is disbursed the same day to an account in the borrower's own name (kept encrypted, shown masked); the
borrower pays interest only and the principal at a yearly maturity that may be extended to five years; the
2026 version pays half the interest back at full repayment (``payback``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agency_loans",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("application_id", _ID, sa.ForeignKey("applications.id"), nullable=False, unique=True),
        sa.Column("applicant_id", _ID, sa.ForeignKey("applicants.id"), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("product_version", sa.String(32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("principal_balance", sa.BigInteger(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("disbursed_on", sa.Date(), nullable=False),
        sa.Column("maturity_on", sa.Date(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("interest_paid_through", sa.Date(), nullable=False),
        sa.Column("interest_paid", sa.BigInteger(), nullable=False),
        sa.Column("account_bank", sa.String(64), nullable=False),
        sa.Column("account_no_encrypted", sa.Text(), nullable=False),
        sa.Column("account_no_masked", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("repaid_on", sa.Date(), nullable=True),
        sa.Column("payback", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'repaid', 'defaulted')", name=op.f("ck_agency_loans_status")
        ),
    )
    op.create_index(op.f("ix_agency_loans_applicant_id"), "agency_loans", ["applicant_id"])
    op.create_index(op.f("ix_agency_loans_status"), "agency_loans", ["status"])
    op.create_table(
        "agency_loan_payments",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("loan_id", _ID, sa.ForeignKey("agency_loans.id"), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(op.f("ix_agency_loan_payments_loan_id"), "agency_loan_payments", ["loan_id"])
    # a defaulted agency loan goes to the agency's own collection: a recourse debt without a claim
    with op.batch_alter_table("recourse_debts") as batch:
        batch.alter_column("claim_id", existing_type=_ID, nullable=True)
        batch.add_column(sa.Column("agency_loan_id", _ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_recourse_debts_agency_loan_id_agency_loans"), "agency_loans", ["agency_loan_id"], ["id"]
        )
        batch.create_unique_constraint(op.f("uq_recourse_debts_agency_loan_id"), ["agency_loan_id"])
        batch.create_check_constraint(
            op.f("ck_recourse_debts_one_origin"), "(claim_id IS NULL) <> (agency_loan_id IS NULL)"
        )


def downgrade() -> None:
    op.execute("DELETE FROM recourse_debts WHERE agency_loan_id IS NOT NULL")
    with op.batch_alter_table("recourse_debts") as batch:
        batch.drop_constraint(op.f("ck_recourse_debts_one_origin"), type_="check")
        batch.drop_constraint(op.f("uq_recourse_debts_agency_loan_id"), type_="unique")
        batch.drop_constraint(op.f("fk_recourse_debts_agency_loan_id_agency_loans"), type_="foreignkey")
        batch.drop_column("agency_loan_id")
        batch.alter_column("claim_id", existing_type=_ID, nullable=False)
    op.drop_index(op.f("ix_agency_loan_payments_loan_id"), table_name="agency_loan_payments")
    op.drop_table("agency_loan_payments")
    op.drop_index(op.f("ix_agency_loans_status"), table_name="agency_loans")
    op.drop_index(op.f("ix_agency_loans_applicant_id"), table_name="agency_loans")
    op.drop_table("agency_loans")
