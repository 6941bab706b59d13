"""Use case: check an applicant's eligibility for a product (자격조회), from raw input to a JSON answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from seomin.domain.advice import ProductAdvice, advise
from seomin.domain.calendar import BusinessCalendar
from seomin.domain.catalog import Catalog, ProductNotInForce, UnknownProduct
from seomin.domain.eligibility import Decision, evaluate
from seomin.domain.money import format_rate
from seomin.domain.profile import ApplicantProfile
from seomin.services.errors import InputError, InputErrorCode, input_error_from

_WHOLE_NUMBERS = ("annual_income", "kcb_score", "nice_score", "employed_months", "pension_payments")
_FLAGS = ("public_record", "vulnerable", "basic_livelihood")


def _check_json_types(data: Mapping[str, Any]) -> None:
    """JSON numbers and booleans as such: ``"640"`` or ``"no"`` would otherwise be read as 640 and False,
    silently (a typo'd ``"yes"`` too). Forms and files parse their text first and pass typed values."""

    def number(value: object, field: str) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise InputError(field, f"must be a whole number, not {type(value).__name__}")

    def flag(value: object, field: str) -> None:
        if value is not None and not isinstance(value, bool):
            raise InputError(field, f"must be true or false, not {type(value).__name__}")

    for name in (*_WHOLE_NUMBERS, "requested_amount"):
        number(data.get(name), f"profile.{name}")
    for name in _FLAGS:
        flag(data.get(name), f"profile.{name}")
    adjustment = data.get("debt_adjustment")
    if isinstance(adjustment, Mapping):
        number(adjustment.get("faithful_months"), "profile.debt_adjustment.faithful_months")
    for i, loan in enumerate(data.get("existing_loans") or ()):
        if isinstance(loan, Mapping):
            for name in ("amount", "balance"):
                number(loan.get(name), f"profile.existing_loans.{i}.{name}")
            for name in ("in_arrears", "repaid"):
                flag(loan.get(name), f"profile.existing_loans.{i}.{name}")


def parse_profile(catalog: Catalog, data: Any) -> ApplicantProfile:
    """Validate raw profile data against the schema and the catalog; bank names become codes."""
    if not isinstance(data, Mapping):
        raise InputError("profile", "must be a JSON object")
    _check_json_types(data)
    try:
        profile = ApplicantProfile.model_validate(data)
    except ValidationError as exc:
        raise input_error_from(exc, "profile") from None
    updates: dict[str, Any] = {}
    if profile.requested_bank is not None:
        updates["requested_bank"] = _bank_code(catalog, profile.requested_bank, "profile.requested_bank")
    loans = []
    for i, loan in enumerate(profile.existing_loans):
        if loan.product not in catalog.product_ids:
            raise InputError(f"profile.existing_loans.{i}.product", f"unknown product {loan.product!r}")
        bank = _bank_code(catalog, loan.bank, f"profile.existing_loans.{i}.bank")
        loans.append(loan.model_copy(update={"bank": bank}))
    if loans:
        updates["existing_loans"] = tuple(loans)
    for i, doc in enumerate(profile.documents or ()):
        if doc.type not in catalog.document_types:
            raise InputError(
                f"profile.documents.{i}.type",
                f"unknown document type {doc.type!r}; known: {', '.join(sorted(catalog.document_types))}",
            )
    return profile.model_copy(update=updates) if updates else profile


def _bank_code(catalog: Catalog, name: str, field: str) -> str:
    try:
        return catalog.resolve_bank(name)
    except LookupError as exc:
        raise InputError(field, str(exc.args[0])) from None


def check_eligibility(catalog: Catalog, product_id: str, profile_data: Any, as_of: date) -> Decision:
    """Judge raw profile data for ``product_id`` on ``as_of``, with alternatives."""
    try:
        product = catalog.get(product_id, as_of)
    except (UnknownProduct, ProductNotInForce) as exc:
        raise InputError("product", str(exc.args[0])) from None
    return evaluate(product, profile_on(catalog, profile_data, as_of), as_of, catalog=catalog)


def advise_products(
    catalog: Catalog,
    calendar: BusinessCalendar,
    profile_data: Any,
    as_of: date,
    *,
    amount: int | None = None,
    refused: Iterable[str] = (),
) -> tuple[ProductAdvice, ...]:
    """맞춤 상품 안내: every product in force on ``as_of`` that fits, priced for the person, cheapest first
    (``domain.advice``); ``refused``: products the person was just refused, not suggested again."""
    return advise(
        catalog, calendar, profile_on(catalog, profile_data, as_of), as_of, amount=amount, refused=refused
    )


def advice_to_json(advice: ProductAdvice) -> dict[str, Any]:
    return {
        "product": advice.product_id,
        "version": advice.version,
        "name_ko": advice.name_ko,
        "name_en": advice.name_en,
        "status": advice.status.value,
        "max_amount": advice.max_amount,
        "annual_rate": format_rate(advice.annual_rate),
        "amount": advice.amount,
        "term_months": advice.term_months,
        "grace_months": advice.grace_months,
        "monthly_payment": advice.monthly_payment,
        "total_interest": advice.total_interest,
        "why_ko": advice.why_ko,
        "why_en": advice.why_en,
        "to_confirm": advice.unconfirmed,
    }


def profile_on(catalog: Catalog, profile_data: Any, as_of: date) -> ApplicantProfile:
    """``parse_profile``, and the dates it holds checked against the day it is judged on."""
    profile = parse_profile(catalog, profile_data)
    if profile.birth_date > as_of:
        raise InputError(
            "profile.birth_date",
            f"is after the application date {as_of.isoformat()}",
            InputErrorCode.DATE_AFTER_APPLICATION,
        )
    for i, loan in enumerate(profile.existing_loans):
        if loan.executed_on > as_of:  # a loan cannot have been executed after the day it is judged on
            raise InputError(
                f"profile.existing_loans.{i}.executed_on",
                f"is after the application date {as_of.isoformat()}",
                InputErrorCode.DATE_AFTER_APPLICATION,
            )
    return profile


def decision_to_json(decision: Decision) -> dict[str, Any]:
    """The stable JSON shape of a decision (the CLI and API contract)."""
    offer = decision.offer
    return {
        "product": decision.product_id,
        "version": decision.version,
        "as_of": decision.as_of.isoformat(),
        "eligible": decision.eligible,
        "status": decision.status.value,
        "reasons": [
            {
                "code": r.code,
                "outcome": r.outcome.value,
                "rule": r.rule,
                "message_ko": r.message_ko,
                "message_en": r.message_en,
                "remedy_ko": r.remedy_ko,
                "remedy_en": r.remedy_en,
                "figures": {k: v.isoformat() if isinstance(v, date) else v for k, v in r.figures.items()},
            }
            for r in decision.reasons
        ],
        "offer": None
        if offer is None
        else {
            "kind": offer.kind.value,
            "max_amount": offer.max_amount,
            "annual_rate": format_rate(offer.annual_rate),
            "term_months": list(offer.term_months),
            "grace_months": list(offer.grace_months),
            "methods": [m.value for m in offer.methods],
            "lenders": [
                {"bank": o.bank, "name_ko": o.name_ko, "regions_confirmed": o.regions_confirmed}
                for o in offer.lenders
            ],
        },
        "alternatives": list(decision.alternatives),
    }
