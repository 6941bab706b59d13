"""Use case: simulate a loan's repayment schedule under a product's terms (상환 시뮬레이션)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from seomin.domain.calendar import BusinessCalendar, CalendarRangeError
from seomin.domain.catalog import Catalog, Occupation, ProductNotInForce, ProductVersion, UnknownProduct
from seomin.domain.money import format_rate, format_won, interest_payback
from seomin.domain.schedule import LoanTerms, RepaymentMethod, Schedule, build_schedule
from seomin.services.errors import InputError

PREFERENTIAL_CODES = ("consulting", "employment-support")


@dataclass(frozen=True, slots=True)
class SimulationRequest:
    product: str
    amount: int
    term_months: int
    start: date
    grace_months: int = 0
    preferential: Sequence[str] = ()
    step_down: bool = True
    vulnerable: bool = False
    method: str | None = None
    occupation: str | None = None
    """The applicant's group where a product prices by it (햇살론유스); None: the general rate."""


@dataclass(frozen=True, slots=True)
class Simulation:
    product: ProductVersion
    schedule: Schedule
    notes: tuple[str, ...] = field(default=())

    @property
    def interest_payback(self) -> int:
        """What comes back at full repayment of this schedule (완제 시 이자 환급); 0 where none."""
        pct = self.product.rate.interest_payback_pct
        return 0 if pct is None else interest_payback(self.schedule.total_interest, pct)


def resolve_version(catalog: Catalog, product_id: str, on: date) -> tuple[ProductVersion, tuple[str, ...]]:
    """The version in force on ``on``; outside its life, the nearest version with a note saying so."""
    try:
        return catalog.get(product_id, on), ()
    except UnknownProduct as exc:
        raise InputError("product", str(exc.args[0])) from None
    except ProductNotInForce as exc:
        versions = catalog.versions(product_id)
        nearest = versions[0] if on < versions[0].effective_from else versions[-1]
        return nearest, (f"{exc.args[0]} Simulated with the terms of version {nearest.version}.",)


def simulate(catalog: Catalog, calendar: BusinessCalendar, request: SimulationRequest) -> Simulation:
    """Build the schedule a borrower would follow; bad input raises InputError naming the field."""
    product, notes = resolve_version(catalog, request.product, request.start)
    terms = product.terms
    if request.amount <= 0:
        raise InputError("amount", f"must be a positive number of won, got {request.amount}")
    if request.amount > product.limits.total_per_person:
        raise InputError(
            "amount",
            f"{format_won(request.amount)} exceeds {product.id}'s limit of "
            f"{format_won(product.limits.total_per_person)} per person",
        )
    if request.term_months not in terms.repayment_months:
        allowed = ", ".join(map(str, terms.repayment_months))
        raise InputError(
            "term_months", f"{product.id} repays over {allowed} months, not {request.term_months}"
        )
    if request.grace_months not in terms.grace_months:
        allowed = ", ".join(map(str, terms.grace_months))
        raise InputError(
            "grace_months", f"{product.id} allows grace of {allowed} months, not {request.grace_months}"
        )
    for code in request.preferential:
        if code not in PREFERENTIAL_CODES:
            raise InputError(
                "preferential", f"unknown preferential {code!r}; use {' or '.join(PREFERENTIAL_CODES)}"
            )
    method = _method(product, request.method)
    occupation = _occupation(request.occupation)
    policy = product.rate_policy(request.term_months, request.vulnerable, request.preferential, occupation)
    loan = LoanTerms(
        amount=request.amount,
        repayment_months=request.term_months,
        grace_months=request.grace_months,
        method=method,
        executed_on=request.start,
        rate_policy=policy,
        apply_step_down=request.step_down,
    )
    try:
        schedule = build_schedule(loan, calendar)
    except CalendarRangeError as exc:
        raise InputError("start", str(exc)) from None
    return Simulation(product, schedule, notes)


def _occupation(requested: str | None) -> Occupation | None:
    if requested is None:
        return None
    try:
        return Occupation(requested)
    except ValueError:
        allowed = ", ".join(o.value for o in Occupation)
        raise InputError("occupation", f"unknown occupation {requested!r}; use {allowed}") from None


def _method(product: ProductVersion, requested: str | None) -> RepaymentMethod:
    if requested is None:
        return product.terms.methods[0]
    try:
        method = RepaymentMethod(requested)
    except ValueError:
        raise InputError("method", f"unknown method {requested!r}") from None
    if method not in product.terms.methods:
        allowed = ", ".join(m.value for m in product.terms.methods)
        raise InputError("method", f"{product.id} repays by {allowed}, not {method.value}")
    return method


def simulation_to_json(simulation: Simulation) -> dict[str, Any]:
    """The stable JSON of a simulation (the CLI ``simulate --json`` and API contract)."""
    schedule = simulation.schedule
    return {
        "product": simulation.product.id,
        "amount": schedule.terms.amount,
        "installments": [
            {
                "no": i.no,
                "due_date": i.due_date.isoformat(),
                "annual_rate": format_rate(i.annual_rate),
                "payment": i.payment,
                "principal": i.principal,
                "interest": i.interest,
                "balance": i.balance,
            }
            for i in schedule.installments
        ],
        "total_interest": schedule.total_interest,
        "total_payment": schedule.total_payment,
        "interest_payback": simulation.interest_payback,
    }
