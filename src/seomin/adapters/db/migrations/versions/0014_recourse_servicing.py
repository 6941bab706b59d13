"""loan and recourse servicing: corrections, repayments, charges, online requests, certificates of debt

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 18:51:04

A recourse debt's repayments (split costs → delinquency interest → interest → principal, one row per
idempotency key), the charges on top of its principal, the debtor's online requests for a plan or a
deferral with the rules' decision, each debt's standing against its plan at the latest close of business,
and the 부채증명서/완제증명서 issued on it, settlements with a reduction (maker-checker) and referrals to
employment support; and the corrections of bank loans (reversal, adjustment, waiver, reschedule)
under maker-checker, and the banks' settlement files applied once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "settlement_files",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bank_code", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_files")),
        sa.UniqueConstraint("bank_code", "sha256", name=op.f("uq_settlement_files_bank_code")),
    )
    op.create_table(
        "loan_corrections",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("loan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("part", sa.String(length=24), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("extra_months", sa.Integer(), nullable=True),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("effect", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('reversal', 'adjustment', 'waiver', 'reschedule', 'write_off')",
            name=op.f("ck_loan_corrections_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'applied', 'declined')", name=op.f("ck_loan_corrections_status")
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_loan_corrections_loan_id_loans")),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_loan_corrections_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_corrections")),
    )
    with op.batch_alter_table("loan_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_corrections_loan_id"), ["loan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_corrections_status"), ["status"], unique=False)

    op.create_table(
        "debt_certificates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("certificate_no", sa.String(length=24), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recourse_debt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("applicant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("repaid_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('debt', 'paid_in_full')", name=op.f("ck_debt_certificates_kind")),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_debt_certificates_applicant_id_applicants")
        ),
        sa.ForeignKeyConstraint(
            ["recourse_debt_id"],
            ["recourse_debts.id"],
            name=op.f("fk_debt_certificates_recourse_debt_id_recourse_debts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debt_certificates")),
        sa.UniqueConstraint("certificate_no", name=op.f("uq_debt_certificates_certificate_no")),
    )
    with op.batch_alter_table("debt_certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_debt_certificates_applicant_id"), ["applicant_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_debt_certificates_recourse_debt_id"), ["recourse_debt_id"], unique=False
        )

    op.create_table(
        "employment_referrals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recourse_debt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("applicant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("note_encrypted", sa.Text(), nullable=False),
        sa.Column("referred_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_employment_referrals_applicant_id_applicants")
        ),
        sa.ForeignKeyConstraint(
            ["recourse_debt_id"],
            ["recourse_debts.id"],
            name=op.f("fk_employment_referrals_recourse_debt_id_recourse_debts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employment_referrals")),
    )
    with op.batch_alter_table("employment_referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_employment_referrals_applicant_id"), ["applicant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_employment_referrals_recourse_debt_id"), ["recourse_debt_id"], unique=False
        )

    op.create_table(
        "recourse_charges",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recourse_debt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("charged_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('costs', 'delinquency_interest', 'interest')", name=op.f("ck_recourse_charges_kind")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_recourse_charges_amount")),
        sa.ForeignKeyConstraint(
            ["recourse_debt_id"],
            ["recourse_debts.id"],
            name=op.f("fk_recourse_charges_recourse_debt_id_recourse_debts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recourse_charges")),
    )
    with op.batch_alter_table("recourse_charges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recourse_charges_recourse_debt_id"), ["recourse_debt_id"], unique=False
        )

    op.create_table(
        "recourse_settlements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recourse_debt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reduction", sa.BigInteger(), nullable=False),
        sa.Column("balance_before", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'applied', 'declined')", name=op.f("ck_recourse_settlements_status")
        ),
        sa.CheckConstraint("reduction > 0", name=op.f("ck_recourse_settlements_reduction")),
        sa.ForeignKeyConstraint(
            ["recourse_debt_id"],
            ["recourse_debts.id"],
            name=op.f("fk_recourse_settlements_recourse_debt_id_recourse_debts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recourse_settlements")),
    )
    with op.batch_alter_table("recourse_settlements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recourse_settlements_recourse_debt_id"), ["recourse_debt_id"], unique=False
        )

    op.create_table(
        "recourse_repayments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recourse_debt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("costs", sa.BigInteger(), nullable=False),
        sa.Column("delinquency_interest", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('virtual_account', 'counter')", name=op.f("ck_recourse_repayments_channel")
        ),
        sa.CheckConstraint(
            "amount = costs + delinquency_interest + interest + principal",
            name=op.f("ck_recourse_repayments_split"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["recourse_plans.id"], name=op.f("fk_recourse_repayments_plan_id_recourse_plans")
        ),
        sa.ForeignKeyConstraint(
            ["recourse_debt_id"],
            ["recourse_debts.id"],
            name=op.f("fk_recourse_repayments_recourse_debt_id_recourse_debts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recourse_repayments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_recourse_repayments_idempotency_key")),
    )
    with op.batch_alter_table("recourse_repayments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recourse_repayments_recourse_debt_id"), ["recourse_debt_id"], unique=False
        )

    op.create_table(
        "recourse_requests",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recourse_debt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("applicant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("hardship", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("decision IN ('granted', 'declined')", name=op.f("ck_recourse_requests_decision")),
        sa.CheckConstraint(
            "kind IN ('installment_plan', 'deferral')", name=op.f("ck_recourse_requests_kind")
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_recourse_requests_applicant_id_applicants")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["recourse_plans.id"], name=op.f("fk_recourse_requests_plan_id_recourse_plans")
        ),
        sa.ForeignKeyConstraint(
            ["recourse_debt_id"],
            ["recourse_debts.id"],
            name=op.f("fk_recourse_requests_recourse_debt_id_recourse_debts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recourse_requests")),
    )
    with op.batch_alter_table("recourse_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recourse_requests_applicant_id"), ["applicant_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_recourse_requests_recourse_debt_id"), ["recourse_debt_id"], unique=False
        )

    op.create_table(
        "recourse_standings",
        sa.Column("recourse_debt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("behind", sa.Integer(), nullable=False),
        sa.Column("arrears", sa.BigInteger(), nullable=False),
        sa.Column("days_behind", sa.Integer(), nullable=False),
        sa.Column("noticed_no", sa.Integer(), nullable=False),
        sa.Column("last_lapsed_on", sa.Date(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["recourse_plans.id"], name=op.f("fk_recourse_standings_plan_id_recourse_plans")
        ),
        sa.ForeignKeyConstraint(
            ["recourse_debt_id"],
            ["recourse_debts.id"],
            name=op.f("fk_recourse_standings_recourse_debt_id_recourse_debts"),
        ),
        sa.PrimaryKeyConstraint("recourse_debt_id", name=op.f("pk_recourse_standings")),
    )
    with op.batch_alter_table("recourse_standings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recourse_standings_days_behind"), ["days_behind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recourse_standings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recourse_standings_days_behind"))

    op.drop_table("recourse_standings")
    with op.batch_alter_table("recourse_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recourse_requests_recourse_debt_id"))
        batch_op.drop_index(batch_op.f("ix_recourse_requests_applicant_id"))

    op.drop_table("recourse_requests")
    with op.batch_alter_table("recourse_repayments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recourse_repayments_recourse_debt_id"))

    op.drop_table("recourse_repayments")
    with op.batch_alter_table("recourse_settlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recourse_settlements_recourse_debt_id"))

    op.drop_table("recourse_settlements")
    with op.batch_alter_table("recourse_charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recourse_charges_recourse_debt_id"))

    op.drop_table("recourse_charges")
    with op.batch_alter_table("employment_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employment_referrals_recourse_debt_id"))
        batch_op.drop_index(batch_op.f("ix_employment_referrals_applicant_id"))

    op.drop_table("employment_referrals")
    with op.batch_alter_table("debt_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_debt_certificates_recourse_debt_id"))
        batch_op.drop_index(batch_op.f("ix_debt_certificates_applicant_id"))

    op.drop_table("debt_certificates")
    with op.batch_alter_table("loan_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_corrections_status"))
        batch_op.drop_index(batch_op.f("ix_loan_corrections_loan_id"))

    op.drop_table("loan_corrections")
    op.drop_table("settlement_files")
