"""Partner lenders' decisions (제휴 금융회사 심사 결과), reported through the bank API so that matching can
show what people with a similar profile actually got on partner products too.

The bank sends the person's KCB score and annual income; only their bands are kept (the same bands as
the outcome statistics), with the decision, and the amount and rate when approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from seomin.adapters.db.models import PartnerDecision
from seomin.domain.matching import PartnerCatalog
from seomin.services.errors import Forbidden, InputError
from seomin.services.matching.outcomes import income_band_of, score_band_of
from seomin.services.matching.partners import default_partner_products
from seomin.services.platform import Actor, ActorType, Platform, audit


@dataclass(frozen=True, slots=True)
class DecisionReport:
    """What a bank reports; ``amount`` and ``rate_bp`` only with an approval."""

    product: str
    decided_on: date
    approved: bool
    kcb_score: int | None
    annual_income: int
    amount: int | None = None
    rate_bp: int | None = None


@dataclass(frozen=True, slots=True)
class DecisionReceipt:
    id: int
    product: str
    score_band: str
    income_band: str


def record_partner_decision(
    platform: Platform, actor: Actor, report: DecisionReport, partners: PartnerCatalog | None = None
) -> DecisionReceipt:
    """Keep one decision (bands only) in one transaction with one audit event."""
    if actor.type is not ActorType.BANK:
        raise Forbidden("only a partner bank reports its decisions")
    if report.decided_on > platform.today():
        raise InputError("decided_on", "is after today")
    in_force = {p.id: p for p in (partners or default_partner_products()).in_force(report.decided_on)}
    product = in_force.get(report.product)
    if product is None:
        known = ", ".join(sorted(in_force))
        raise InputError("product", f"no partner product {report.product!r} on that day; known: {known}")
    if report.approved:
        if report.amount is None or not product.min_amount <= report.amount <= product.max_amount:
            raise InputError(
                "amount", f"an approval needs the amount, {product.min_amount:,}–{product.max_amount:,} won"
            )
        low, high = int(product.rate_min * 100), int(product.rate_max * 100)
        if report.rate_bp is None or not low <= report.rate_bp <= high:
            raise InputError("rate_bp", f"an approval needs the rate, {low}–{high} basis points")
    elif report.amount is not None or report.rate_bp is not None:
        raise InputError("amount", "a refusal has no amount or rate")
    score, income = score_band_of(report.kcb_score), income_band_of(report.annual_income)
    with platform.sessions.begin() as session:
        row = PartnerDecision(
            bank_code=actor.id,
            product_id=product.id,
            decided_on=report.decided_on,
            approved=report.approved,
            amount=report.amount,
            rate_bp=report.rate_bp,
            score_band=score,
            income_band=income,
        )
        session.add(row)
        session.flush()
        audit(
            session,
            actor,
            "matching.partner_decision",
            "partner_decision",
            row.id,
            after={
                "product": product.id,
                "approved": report.approved,
                "score_band": score,
                "income_band": income,
            },
        )
        return DecisionReceipt(row.id, product.id, score, income)
