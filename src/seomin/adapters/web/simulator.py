"""상환 계산 (the repayment simulator): amount, term, grace and preferential rate in; the schedule, its
charts and the key figures out.

One GET form (``/simulate?product=…&amount=…``), so a result can be bookmarked and the page works without
JavaScript. With HTMX, changing any input fetches the same URL and swaps only the simulator panel (form
and result together, so an error shows beside its field). Bad input is a 422 with the field errors; the
page's script lets HTMX swap that 422 in too.

Two schedules are built through the simulation service: the on-time payer's (the yearly step-down) and
the contract rate kept throughout, so the page can show what paying on time is worth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.schedule_charts import balance_chart, payment_chart
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render, request_lang
from seomin.domain.catalog import ProductVersion
from seomin.domain.money import format_manwon, format_rate
from seomin.domain.schedule import Installment, Schedule
from seomin.services.errors import InputError
from seomin.services.simulation import Simulation, SimulationRequest, simulate

router = APIRouter()

DEFAULT_PRODUCT = "lowest-credit-special"
FIELDS = ("product", "amount", "term_months", "grace_months", "preferential", "vulnerable", "method")
METHOD_NAMES: dict[str, tuple[str, str]] = {
    "equal_installment": ("원리금균등 분할상환 (매달 같은 금액)", "Equal installments (same amount monthly)"),
    "equal_principal": ("원금균등 분할상환", "Equal principal"),
    "bullet": ("만기일시상환 (이자만 내다가 마지막에 원금)", "Bullet (interest only, principal at the end)"),
}


@dataclass(frozen=True, slots=True)
class Stretch:
    """Installments in a row with the same rate and kind (interest only, or principal too): what a person
    pays every month for a while."""

    first_no: int
    last_no: int
    rate: str
    payment: int
    grace: bool


@dataclass(frozen=True, slots=True)
class Result:
    on_time: Schedule
    contract: Schedule
    stretches: tuple[Stretch, ...]
    first_payment: int
    typical_payment: int
    saving: int
    step_down: bool
    payback: int
    """Interest paid back at full repayment (불법사금융예방대출 from 2026: half of it); 0 where none."""
    payback_pct: Decimal | None
    balance_svg: str
    payment_svg: str
    notes: tuple[str, ...]


def _products(request: Request) -> list[ProductVersion]:
    platform = platform_of(request)
    return sorted(platform.catalog.in_force(platform.today()), key=lambda v: v.id)


def _option(raw: str, options: Sequence[str], default: str) -> str:
    """A select's value; one the product does not offer (it was chosen for another product before the
    product changed) falls back to the product's first option."""
    return raw if raw in options else default


def _stretches(schedule: Schedule) -> tuple[Stretch, ...]:
    grace = schedule.terms.grace_months
    found: list[Stretch] = []
    for i in schedule.installments:
        in_grace = i.no <= grace
        rate = format_rate(i.annual_rate)
        last = found[-1] if found else None
        if last is not None and last.rate == rate and last.grace == in_grace:
            found[-1] = Stretch(last.first_no, i.no, rate, last.payment, in_grace)
        else:
            found.append(Stretch(i.no, i.no, rate, i.payment, in_grace))
    return tuple(found)


def _typical(schedule: Schedule) -> Installment:
    """The first installment that repays principal (the first after any grace period)."""
    grace = schedule.terms.grace_months
    return schedule.installments[min(grace, len(schedule.installments) - 1)]


_ANY_AMOUNT = 10**18
"""Parsed as a number only to be compared with the product's limit just after."""


def _read(
    request: Request, products: list[ProductVersion]
) -> tuple[dict[str, Any], dict[str, Message], SimulationRequest | None, ProductVersion]:
    """The form's values (as typed), its errors, and the request to simulate when there are none."""
    query = request.query_params
    by_id = {p.id: p for p in products}
    default_id = DEFAULT_PRODUCT if DEFAULT_PRODUCT in by_id else products[0].id
    reader = FormReader(query)
    product_id = reader.choice("product", list(by_id), required=False) or default_id
    product = by_id.get(product_id, by_id[default_id])
    terms = product.terms
    months = [str(m) for m in terms.repayment_months]
    graces = [str(g) for g in terms.grace_months]
    methods = [m.value for m in terms.methods]
    preferential_codes = [p.code for p in product.rate.preferential]
    values: dict[str, Any] = {
        "product": product.id,
        "amount": reader.raw("amount") if "amount" in query else f"{product.limits.first_time:,}",
        "term_months": _option(reader.raw("term_months"), months, months[-1]),
        "grace_months": _option(reader.raw("grace_months"), graces, graces[0]),
        "method": _option(reader.raw("method"), methods, methods[0]),
        "preferential": _option(reader.raw("preferential"), preferential_codes, ""),
        "vulnerable": reader.flag("vulnerable") and product.rate.vulnerable_annual is not None,
    }
    # any figure above the product's limit gets the limit's words below, never the parser's 1조 bound
    amount = (
        reader.won("amount", minimum=10_000, maximum=_ANY_AMOUNT)
        if "amount" in query
        else product.limits.first_time
    )
    limit = product.limits.total_per_person
    if amount is not None and amount > limit:
        reader.fail(
            "amount",
            f"이 상품의 1인 한도는 {format_manwon(limit)}입니다. "
            f"{format_manwon(limit)} 이하로 입력해 주세요.",
            f"This product lends at most {limit:,} won per person. Enter {limit:,} won or less.",
        )
    if not reader.ok or amount is None:
        return values, reader.errors, None, product
    wanted = SimulationRequest(
        product=product.id,
        amount=amount,
        term_months=int(values["term_months"]),
        start=platform_of(request).today(),
        grace_months=int(values["grace_months"]),
        preferential=(values["preferential"],) if values["preferential"] else (),
        vulnerable=bool(values["vulnerable"]),
        method=str(values["method"]),
    )
    return values, reader.errors, wanted, product


def _result(request: Request, wanted: SimulationRequest) -> Result:
    platform = platform_of(request)
    lang = request_lang(request)
    on_time: Simulation = simulate(platform.catalog, platform.calendar, wanted)
    contract = simulate(platform.catalog, platform.calendar, replace(wanted, step_down=False))
    a, b = on_time.schedule, contract.schedule
    return Result(
        on_time=a,
        contract=b,
        stretches=_stretches(a),
        first_payment=a.installments[0].payment,
        typical_payment=_typical(a).payment,
        saving=b.total_interest - a.total_interest,
        step_down=a.rates != b.rates,
        payback=on_time.interest_payback,
        payback_pct=on_time.product.rate.interest_payback_pct,
        balance_svg=balance_chart(a, b, lang),
        payment_svg=payment_chart(a, b, lang),
        notes=on_time.notes,
    )


def _options(lang: str, products: list[ProductVersion], product: ProductVersion) -> dict[str, Any]:
    """The choices of each select, in the page's language."""
    en = lang == "en"
    terms = product.terms
    return {
        "product": [(p.id, p.name_en if en else p.name_ko) for p in products],
        "term_months": [
            (str(n), f"{n} months ({n // 12} years)" if en else f"{n}개월 ({n // 12}년)")
            if n % 12 == 0
            else (str(n), f"{n} months" if en else f"{n}개월")
            for n in terms.repayment_months
        ],
        "grace_months": [
            (str(n), ("none" if en else "없음") if n == 0 else (f"{n} months" if en else f"{n}개월"))
            for n in terms.grace_months
        ],
        "method": [(m.value, METHOD_NAMES[m.value][1 if en else 0]) for m in terms.methods],
    }


@router.get("/simulate")
def simulator(request: Request) -> Response:
    products = _products(request)
    values, errors, wanted, product = _read(request, products)
    result = None
    if wanted is not None:
        try:
            result = _result(request, wanted)
        except InputError as exc:  # the service's own checks (e.g. a term the product does not offer)
            name = exc.field if exc.field in FIELDS else "amount"
            errors = {name: Message(f"입력값을 확인해 주세요: {exc.message}", exc.message)}
    htmx = request.headers.get("HX-Request") == "true"
    context = {
        "product": product,
        "options": _options(request_lang(request), products, product),
        "values": values,
        "errors": errors,
        "result": result,
        "unconfirmed": product.unconfirmed_figures(),
    }
    template = "simulator/_panel.html" if htmx else "simulator/page.html"
    return render(request, template, context, status_code=422 if errors else 200)
