"""회수: an agency loan left unpaid past maturity goes to the agency's own collection as a recourse debt.

Run inside close of business, in its transaction: an active agency loan whose maturity passed more than the
product's ``guarantee.default_days_past_due`` days ago (90) without repayment or extension defaults, and
the principal with the interest accrued to that day becomes a recourse debt owed to the agency, managed
from then on like any other (installment plans, deferrals). There is no bank and no claim in between.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import AgencyLoan, RecourseDebt
from seomin.domain.agency_loan import interest_due
from seomin.domain.catalog import Catalog
from seomin.services.agency_loans.lending import ACTIVE, state_of
from seomin.services.platform import Actor, audit

DEFAULTED = "defaulted"


def default_overdue_agency_loans(
    session: Session, catalog: Catalog, business_date: date, actor: Actor
) -> int:
    """Default the agency loans overdue on ``business_date``; returns how many."""
    overdue = session.scalars(
        select(AgencyLoan)
        .where(AgencyLoan.status == ACTIVE, AgencyLoan.maturity_on < business_date)
        .order_by(AgencyLoan.id)
        .with_for_update()
    ).all()
    defaulted = 0
    for loan in overdue:
        days = (business_date - loan.maturity_on).days
        threshold = catalog.version(loan.product_id, loan.product_version).guarantee.default_days_past_due
        if days < threshold:
            continue
        interest = interest_due(state_of(loan), business_date)
        owed = loan.principal_balance + interest
        loan.status = DEFAULTED
        session.add(
            RecourseDebt(
                claim_id=None,
                agency_loan_id=loan.id,
                applicant_id=loan.applicant_id,
                principal=owed,
                balance=owed,
                status="open",
                created_on=business_date,
            )
        )
        audit(
            session,
            actor,
            "agency_loan.defaulted",
            "agency_loan",
            loan.id,
            before={"status": ACTIVE},
            after={
                "status": DEFAULTED,
                "principal": loan.principal_balance,
                "interest": interest,
                "owed": owed,
            },
            reason=f"COB {business_date}: {days} days past maturity {loan.maturity_on}",
        )
        defaulted += 1
    session.flush()
    return defaulted
