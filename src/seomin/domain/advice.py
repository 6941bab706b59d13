"""Best-product advice (맞춤 상품 안내): every product in force that fits a person, cheapest first.

A self-check asks about one product; the person wants to know which one to take. Each product in force is
judged as a self-check (no bank, no documents); those the person qualifies for (or may, once something is
confirmed) are priced for their group and their amount: the limit, the rate, the first full monthly
payment over the product's longest term, and the interest over that term, then ordered by rate and
interest. A product the person has just been refused (햇살론15 after its rejection) is not suggested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from seomin.domain.calendar import BusinessCalendar
from seomin.domain.catalog import Catalog, Haessal15Status, ProductVersion
from seomin.domain.eligibility import Status, evaluate
from seomin.domain.profile import ApplicantProfile
from seomin.domain.schedule import LoanTerms, build_schedule

HAESSAL15 = "haessal-15"


@dataclass(frozen=True, slots=True)
class ProductAdvice:
    product_id: str
    version: str
    name_ko: str
    name_en: str
    status: Status
    """eligible, or needs_confirmation (a figure to confirm decides it)."""
    max_amount: int
    annual_rate: Decimal
    """The person's rate: their group's (배려, occupation) less their preferential cuts."""
    amount: int
    """The amount priced: theirs, within the limit; the limit where they gave none."""
    term_months: int
    grace_months: int
    monthly_payment: int
    """The first payment that repays principal (interest only for a bullet loan)."""
    total_interest: int
    why_ko: str
    why_en: str
    unconfirmed: bool
    """Some terms of the product are reported or read by us, not confirmed: shown as 확인 필요."""


def advise(
    catalog: Catalog,
    calendar: BusinessCalendar,
    profile: ApplicantProfile,
    as_of: date,
    *,
    amount: int | None = None,
    refused: Iterable[str] = (),
) -> tuple[ProductAdvice, ...]:
    """The products in force on ``as_of`` that fit ``profile``, cheapest first; ``refused`` product ids
    (and 햇살론15 when the person says it refused them) are left out."""
    left_out = set(refused)
    if profile.haessal15 is Haessal15Status.REJECTED:
        left_out.add(HAESSAL15)
    general = profile.model_copy(update={"documents": None, "requested_bank": None, "requested_amount": None})
    found = []
    for product in catalog.in_force(as_of):
        if product.id in left_out:
            continue
        decision = evaluate(product, general, as_of)
        if decision.offer is None or decision.offer.max_amount <= 0:
            continue
        found.append(
            _priced(product, profile, decision.status, decision.offer.max_amount, amount, calendar, as_of)
        )
    return tuple(sorted(found, key=lambda a: (a.annual_rate, a.total_interest, a.product_id)))


def _priced(
    product: ProductVersion,
    profile: ApplicantProfile,
    status: Status,
    max_amount: int,
    wanted: int | None,
    calendar: BusinessCalendar,
    as_of: date,
) -> ProductAdvice:
    amount = min(wanted, max_amount) if wanted else max_amount
    term = max(product.terms.repayment_months)
    grace = min(product.terms.grace_months)
    policy = product.rate_policy(term, profile.vulnerable, profile.preferential, profile.occupation)
    schedule = build_schedule(
        LoanTerms(
            amount=amount,
            repayment_months=term,
            grace_months=grace,
            method=product.terms.methods[0],
            executed_on=as_of,
            rate_policy=policy,
            apply_step_down=False,  # the contract's payments: a step-down is earned, not promised
        ),
        calendar,
    )
    first_repaying = schedule.installments[min(grace, len(schedule.installments) - 1)]
    rate = max(Decimal(0), policy.base_rate - policy.preferential_cut)
    why_ko, why_en = _why(product, profile)
    return ProductAdvice(
        product_id=product.id,
        version=product.version,
        name_ko=product.name_ko,
        name_en=product.name_en,
        status=status,
        max_amount=max_amount,
        annual_rate=rate,
        amount=amount,
        term_months=term,
        grace_months=grace,
        monthly_payment=first_repaying.payment,
        total_interest=schedule.total_interest,
        why_ko=why_ko,
        why_en=why_en,
        unconfirmed=bool(product.unconfirmed_figures()),
    )


def _why(product: ProductVersion, profile: ApplicantProfile) -> tuple[str, str]:
    """Who the product is for, and which of its rates is the person's."""
    group_ko, group_en = "", ""
    if profile.vulnerable and product.rate.vulnerable_annual is not None:
        group_ko, group_en = (
            " 사회적배려대상 금리를 적용했습니다.",
            " The rate for vulnerable applicants applies.",
        )
    elif profile.occupation in product.rate.by_occupation:
        group_ko = " 말씀하신 직업의 금리를 적용했습니다."
        group_en = " The rate for your occupation applies."
    return f"{product.audience_ko}.{group_ko}", f"{product.audience_en}.{group_en}"
