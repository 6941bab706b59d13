"""Scheduled jobs behind the command line: ``seomin cob --date D`` runs close of business for one day."""

from __future__ import annotations

from datetime import date

from seomin.services.close_of_business import CobOutcome, close_of_business
from seomin.services.platform import Platform


def cob_command(platform: Platform, business_date: date) -> str:
    """Run close of business for ``business_date``; the one-line summary for the caller to print.

    A date that already ran changes nothing; the line then says so and shows that run's figures.
    """
    return cob_summary(close_of_business(platform, business_date))


def cob_summary(outcome: CobOutcome) -> str:
    """One line: what close of business changed (or had changed, when it had already run)."""
    s = outcome.stats
    agency = s.get("agency_loans_defaulted", 0)  # runs recorded before the step have no count
    collected = f"{agency:,} agency loans to collection; " if agency else ""
    if s.get("recourse_on_plan", 0):  # recourse debts on a plan (runs before the step have none)
        collected += (
            f"{s['recourse_on_plan']:,} recourse debts on a plan, {s.get('recourse_behind', 0):,} behind, "
            f"{s.get('recourse_notices', 0):,} notices, {s.get('recourse_plans_lapsed', 0):,} plans lapsed; "
        )
    line = (
        f"COB {outcome.business_date.isoformat()}: {s['open_loans']:,} open loans; "
        f"{s['became_delinquent']:,} delinquent, {s['became_defaulted']:,} defaulted, {s['cured']:,} cured "
        f"({s['days_past_due_updated']:,} days-past-due updates); "
        f"{s['stepped_down']:,} of {s['step_down_eligible']:,} on-time anniversaries stepped down "
        f"({s['installments_reamortized']:,} installments re-amortized); "
        f"additional-loan dates {s['additional_loan_set']:,} set, {s['additional_loan_cleared']:,} cleared; "
        f"{s['guarantees_expired']:,} guarantees expired; {collected}{s['audit_events']:,} audit events"
    )
    if outcome.already_run:
        return line + " (already run: nothing changed, figures of the first run)"
    return line
