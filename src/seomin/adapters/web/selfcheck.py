"""자격조회 (self-check): a short form in five steps for someone under stress, then the decision in plain
words: the status, each reason with its figures (the engine's own messages), what would change the
outcome, the offer, the lenders of the region and the other products that fit.

The steps are fieldsets on one page, so the form works without JavaScript and reads top to bottom on a
phone. Answers travel by POST (income and scores never sit in a URL). Bad input re-renders the form with
422, each error beside its field and a summary on top. Nothing is stored: a self-check writes nothing.

An optional last step asks for the policy loans the person has now or has repaid (up to three) and the
amount and bank they would like. Its loan fields are read only when the answer is "yes", so the form works
the same without JavaScript (the script only hides the fields while the answer is "no"). The limits and
the additional-loan rules are the engine's: this page passes the loans on and shows what it decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render
from seomin.domain.catalog import (
    Catalog,
    DebtAdjustmentKind,
    Haessal15Status,
    LoanPurpose,
    Occupation,
    ProductVersion,
)
from seomin.domain.eligibility import WORKING_OCCUPATIONS, Decision, OfferKind
from seomin.domain.money import format_rate
from seomin.domain.regions import REGIONS
from seomin.services.eligibility_check import advise_products, check_eligibility
from seomin.services.errors import InputError, InputErrorCode

router = APIRouter()

DEFAULT_PRODUCT = "lowest-credit-special"

REGION_NAMES_EN: dict[str, str] = {
    "서울": "Seoul", "부산": "Busan", "대구": "Daegu", "인천": "Incheon", "광주": "Gwangju",
    "대전": "Daejeon", "울산": "Ulsan", "세종": "Sejong", "경기": "Gyeonggi", "강원": "Gangwon",
    "충북": "Chungbuk", "충남": "Chungnam", "전북": "Jeonbuk", "전남": "Jeonnam", "경북": "Gyeongbuk",
    "경남": "Gyeongnam", "제주": "Jeju",
}  # fmt: skip

OCCUPATIONS: dict[str, tuple[str, str]] = {
    Occupation.EMPLOYEE: ("직장에 다녀요 (근로소득자)", "I have a job (employee)"),
    Occupation.BUSINESS: ("사업자등록을 한 사업을 해요", "I run a registered business"),
    Occupation.FREELANCER: (
        "프리랜서·보험설계사 등 (사업자등록 없음)",
        "Freelancer (no business registration)",
    ),
    Occupation.PENSIONER: ("연금을 받아요", "I receive a pension"),
    Occupation.UNEMPLOYED: ("지금은 일하지 않아요 (학생·구직자 등)", "Not working now (student, job seeker)"),
}
HAESSAL15: dict[str, tuple[str, str]] = {
    Haessal15Status.NONE: ("신청한 적 없어요", "Never applied"),
    Haessal15Status.REJECTED: ("신청했는데 보증이 거절됐어요", "Applied and was turned down"),
    Haessal15Status.USING: ("지금 이용하고 있어요", "Using it now"),
    Haessal15Status.REPAID: ("이용했고 다 갚았어요", "Used it and repaid it"),
}
DEBT_ADJUSTMENTS: dict[str, tuple[str, str]] = {
    "none": ("없어요", "None"),
    DebtAdjustmentKind.WORKOUT: ("신용회복위원회 개인워크아웃", "CCRS personal workout"),
    DebtAdjustmentKind.REHABILITATION: ("법원 개인회생", "Court rehabilitation"),
    DebtAdjustmentKind.NEW_START_FUND: ("새출발기금 채무조정", "New Start Fund adjustment"),
}
LOAN_PURPOSES: dict[str, tuple[str, str]] = {
    LoanPurpose.LIVING.value: ("일반 생활비", "General living costs"),
    LoanPurpose.SPECIFIC.value: (
        "학자금·의료비·주거비 같은 특정 용도",
        "A specific purpose: tuition, medical, housing",
    ),
}
PREFERENTIAL: dict[str, tuple[str, str]] = {
    "": ("해당 없어요", "None"),
    "consulting": ("신용부채컨설팅을 이수했어요", "Completed credit and debt consulting"),
    "employment-support": (
        "국민취업지원제도에 참여해 취업했어요",
        "Succeeded in the employment support programme",
    ),
}
STEPS: tuple[tuple[str, str, str], ...] = (
    ("step-1", "기본 정보", "About you"),
    ("step-2", "소득·신용점수", "Income and score"),
    ("step-3", "하는 일", "Work"),
    ("step-4", "이용 이력", "History"),
    ("step-5", "해당 사항", "Extras"),
    ("step-loans", "이미 받은 대출 (선택)", "Loans you have (optional)"),
)
MAX_LOANS = 3
"""At most three loans: the limits of every product allow fewer open accounts than that."""
LOAN_FIELDS = ("product", "bank", "amount", "balance", "executed_on", "in_arrears", "repaid")
OFFER_KINDS: dict[str, tuple[str, str]] = {
    OfferKind.FIRST: ("처음 이용", "First loan"),
    OfferKind.ADDITIONAL: ("추가대출", "Additional loan"),
    OfferKind.REPEAT: ("다 갚은 뒤 다시 이용", "Again after full repayment"),
}
FIELD_OF_PROFILE_ERROR = {
    "birth_date": "birth_date",
    "annual_income": "annual_income",
    "kcb_score": "kcb_score",
    "nice_score": "nice_score",
    "occupation": "occupation",
    "employed_months": "employed_months",
    "pension_payments": "pension_payments",
    "haessal15": "haessal15",
    "public_record": "public_record",
    "debt_adjustment": "faithful_months",
    "region": "region",
    "preferential": "preferential",
    "loan_purpose": "loan_purpose",
    "requested_amount": "requested_amount",
    "requested_bank": "requested_bank",
}
LOAN_MESSAGES: dict[str, tuple[str, Message]] = {
    InputErrorCode.LOAN_BALANCE_ABOVE_AMOUNT: (
        "balance",
        Message("남은 돈이 빌린 돈보다 많을 수 없어요.", "The balance cannot exceed the amount borrowed."),
    ),
    InputErrorCode.LOAN_REPAID_WITH_BALANCE: (
        "balance",
        Message(
            "다 갚은 대출은 남은 돈이 0원이에요. 남은 돈을 지우거나 0으로 적어 주세요.",
            "A repaid loan has a balance of 0; clear it or enter 0.",
        ),
    ),
    InputErrorCode.LOAN_REPAID_IN_ARREARS: (
        "in_arrears",
        Message(
            "다 갚은 대출은 연체 중일 수 없어요. 둘 중 하나만 표시해 주세요.",
            "A repaid loan cannot be in arrears; tick only one of the two.",
        ),
    ),
}
"""The profile model's checks of one loan (reported on the loan, not a field), by code: the field and the
words."""


@dataclass(frozen=True, slots=True)
class Lenders:
    """The product's partner banks for a region: those that lend there, and those that do not publish
    their regions (to be confirmed with the bank)."""

    serving: tuple[str, ...]
    unconfirmed: tuple[str, ...]


def _lenders(decision: Decision, product: ProductVersion, region: str) -> Lenders:
    """The engine's lenders when it made an offer (an additional loan only at the bank of the open
    loan); otherwise the region's partner banks, for someone who may apply later."""
    if decision.offer is None:
        return lenders_for(product, region)
    lenders = decision.offer.lenders
    return Lenders(
        tuple(o.bank for o in lenders if o.regions_confirmed),
        tuple(o.bank for o in lenders if not o.regions_confirmed),
    )


def lenders_for(product: ProductVersion, region: str) -> Lenders:
    serving, unconfirmed = [], []
    for bank in product.partner_banks:
        lends = bank.regions.lends_in(region)
        if lends is True:
            serving.append(bank.bank)
        elif lends is None:
            unconfirmed.append(bank.bank)
    return Lenders(tuple(serving), tuple(unconfirmed))


def _products(request: Request) -> list[ProductVersion]:
    platform = platform_of(request)
    return sorted(platform.catalog.in_force(platform.today()), key=lambda v: v.id)


def loan_field(index: int, name: str) -> str:
    """The form field of one loan's answer: ``loan0_balance``."""
    return f"loan{index}_{name}"


def _form_context(
    request: Request, values: Mapping[str, Any], errors: Mapping[str, Message]
) -> dict[str, Any]:
    products = _products(request)
    catalog = platform_of(request).catalog
    loan_errors = [any(loan_field(i, f) in errors for f in LOAN_FIELDS) for i in range(MAX_LOANS)]
    loan_filled = [any(values.get(loan_field(i, f)) for f in LOAN_FIELDS) for i in range(MAX_LOANS)]
    return {
        "products": products,
        "values": values,
        "errors": errors,
        "regions": REGIONS,
        "region_names_en": REGION_NAMES_EN,
        "occupations": OCCUPATIONS,
        "haessal15": HAESSAL15,
        "debt_adjustments": DEBT_ADJUSTMENTS,
        "preferential": PREFERENTIAL,
        "loan_purposes": LOAN_PURPOSES,
        "steps": STEPS,
        "today": platform_of(request).today(),
        "loan_products": catalog.product_ids,
        "banks": list(catalog.banks),
        "max_loans": MAX_LOANS,
        "loan_open": [filled or error for filled, error in zip(loan_filled, loan_errors, strict=True)],
    }


@router.get("/check")
def check_form(request: Request) -> Response:
    ids = [p.id for p in _products(request)]
    asked = request.query_params.get("product", "")
    product = asked if asked in ids else (DEFAULT_PRODUCT if DEFAULT_PRODUCT in ids else ids[0])
    values = {
        "product": product,
        "public_record": "no",
        "debt_kind": "none",
        "preferential": "",
        "loan_purpose": "living",
        "has_loans": "no",
    }
    return render(request, "selfcheck/form.html", _form_context(request, values, {}))


def read_profile(
    reader: FormReader, product_ids: list[str], catalog: Catalog, today: date
) -> tuple[str | None, dict[str, Any]]:
    """The product and the profile (as the engine takes it) from the form; problems go to ``reader``."""
    product = reader.choice("product", product_ids)
    birth_date = reader.day("birth_date")
    income = reader.won("annual_income")
    scores: dict[str, int | None] = {}
    for bureau in ("kcb", "nice"):
        name = f"{bureau}_score"
        if reader.flag(f"{bureau}_unknown"):
            scores[name] = None
        elif not reader.raw(name):
            reader.fail(
                name,
                "점수를 입력하거나 '점수를 몰라요'에 표시해 주세요.",
                "Enter the score or tick 'I don't know my score'.",
            )
        else:
            scores[name] = reader.integer(name, maximum=1000)
    occupation = reader.choice("occupation", [o.value for o in Occupation])
    working = occupation is not None and Occupation(occupation) in WORKING_OCCUPATIONS
    employed = reader.integer("employed_months", required=working, maximum=960)
    pension = reader.integer(
        "pension_payments", required=occupation == Occupation.PENSIONER.value, maximum=1200
    )
    haessal15 = reader.choice("haessal15", [h.value for h in Haessal15Status])
    public_record = reader.choice("public_record", ["yes", "no"])
    debt_kind = reader.choice("debt_kind", list(DEBT_ADJUSTMENTS))
    faithful = reader.integer("faithful_months", required=debt_kind not in (None, "none"), maximum=600)
    region = reader.choice("region", REGIONS)
    preferential = reader.choice("preferential", list(PREFERENTIAL), required=False)
    purpose = reader.choice("loan_purpose", list(LOAN_PURPOSES), required=False)
    profile: dict[str, Any] = {
        "birth_date": birth_date.isoformat() if birth_date else None,
        "annual_income": income,
        **scores,
        "occupation": occupation,
        "employed_months": (employed or 0) if working else 0,
        "pension_payments": pension or 0,
        "haessal15": haessal15,
        "public_record": public_record == "yes",
        "debt_adjustment": None
        if debt_kind in (None, "none")
        else {"kind": debt_kind, "faithful_months": faithful or 0},
        "region": region,
        "vulnerable": reader.flag("vulnerable"),
        "basic_livelihood": reader.flag("basic_livelihood"),
        "preferential": [preferential] if preferential else [],
        "loan_purpose": purpose or LoanPurpose.LIVING.value,
        **read_loans(reader, catalog, today),
    }
    return product, profile


def read_loans(reader: FormReader, catalog: Catalog, today: date) -> dict[str, Any]:
    """The optional step: the loans (only when the answer is "yes": the first one then, the others when
    anything of them was filled in), the requested amount and the preferred bank."""
    loans = []
    if reader.choice("has_loans", ["no", "yes"], required=False) == "yes":
        for i in range(MAX_LOANS):
            if i == 0 or any(reader.raw(loan_field(i, f)) for f in LOAN_FIELDS):
                loans.append(_read_loan(reader, i, catalog, today))
    return {
        "existing_loans": loans,
        "requested_amount": reader.won("requested_amount", required=False, minimum=1),
        "requested_bank": reader.choice("requested_bank", list(catalog.banks), required=False),
    }


def _read_loan(reader: FormReader, index: int, catalog: Catalog, today: date) -> dict[str, Any]:
    def name(field: str) -> str:
        return loan_field(index, field)

    repaid = reader.flag(name("repaid"))
    amount = reader.won(name("amount"), minimum=1)
    balance = reader.won(name("balance"), required=not repaid)  # a repaid loan's balance may be left out
    executed_on = reader.day(name("executed_on"))
    if executed_on is not None and executed_on > today:
        reader.fail(
            name("executed_on"),
            "대출받은 날이 오늘보다 늦어요. 다시 확인해 주세요.",
            "The loan date is after today.",
        )
    return {
        "product": reader.choice(name("product"), catalog.product_ids),
        "bank": reader.choice(name("bank"), list(catalog.banks)),
        "amount": amount,
        "balance": 0 if balance is None and repaid else balance,
        "executed_on": executed_on.isoformat() if executed_on else None,
        "in_arrears": reader.flag(name("in_arrears")),
        "repaid": repaid,
    }


def service_error(exc: InputError) -> tuple[str, Message]:
    """The form field a service InputError is about (``profile.existing_loans.0.balance`` ->
    ``loan0_balance``) and what to tell the person."""
    parts = exc.field.split(".")
    if parts[:2] == ["profile", "existing_loans"] and len(parts) > 2 and parts[2].isdigit():
        index = int(parts[2])
        if len(parts) > 3 and parts[3] in LOAN_FIELDS:
            return loan_field(index, parts[3]), _generic_message(exc)
        field, message = LOAN_MESSAGES.get(exc.code, ("amount", _generic_message(exc)))
        return loan_field(index, field), message
    if parts[0] == "profile" and len(parts) > 1:
        name = FIELD_OF_PROFILE_ERROR.get(parts[1], "birth_date")
        if name == "birth_date" and exc.code == InputErrorCode.DATE_AFTER_APPLICATION:
            return name, Message(
                "생년월일이 오늘보다 늦습니다. 다시 확인해 주세요.", "The birth date is after today."
            )
        return name, _generic_message(exc)
    return "product", _generic_message(exc)


def _generic_message(exc: InputError) -> Message:
    return Message(f"입력값을 확인해 주세요 ({exc.message}).", exc.message)


@router.post("/check")
async def check_submit(request: Request) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    values: dict[str, Any] = {k: v.strip() for k, v in fields.items()}
    if "edit" in fields:  # "답변 고치기" from the result page: the form again, as answered
        return render(request, "selfcheck/form.html", _form_context(request, values, {}))
    platform = platform_of(request)
    reader = FormReader(fields)
    today = platform.today()
    product_id, profile = read_profile(reader, [p.id for p in _products(request)], platform.catalog, today)
    if not reader.ok or product_id is None:
        return render(
            request, "selfcheck/form.html", _form_context(request, values, reader.errors), status_code=422
        )
    try:
        decision = check_eligibility(platform.catalog, product_id, profile, today)
    except InputError as exc:
        name, message = service_error(exc)
        errors = {name: message}
        return render(request, "selfcheck/form.html", _form_context(request, values, errors), status_code=422)
    product = platform.catalog.get(product_id, today)
    context = _result_context(decision, product, profile, values)
    context["advice"] = advise_products(
        platform.catalog,
        platform.calendar,
        profile,
        today,
        amount=profile.get("requested_amount"),
        refused=() if decision.eligible else (product_id,),
    )
    return render(request, "selfcheck/result.html", context)


def _result_context(
    decision: Decision, product: ProductVersion, profile: Mapping[str, Any], values: Mapping[str, Any]
) -> dict[str, Any]:
    offer = decision.offer
    shown = [r for r in decision.reasons if r.code != "ELIGIBLE"]
    requested = profile.get("requested_amount")
    return {
        "decision": decision,
        "product": product,
        "reasons": shown,
        "remedies": [r for r in shown if r.remedy_ko],
        "offer": offer,
        "rate": format_rate(offer.annual_rate) if offer is not None else None,
        "lenders": _lenders(decision, product, str(profile["region"])),
        "offer_kind": OFFER_KINDS[offer.kind] if offer is not None else None,
        "additional": offer is not None and offer.kind is OfferKind.ADDITIONAL,
        "simulate_amount": requested or (offer.max_amount if offer is not None else 0),
        "loans": profile["existing_loans"],
        "requested_bank": profile.get("requested_bank"),
        "region": profile["region"],
        "region_names_en": REGION_NAMES_EN,
        "values": values,
        # the answers, as the fields the self-check posts, for "이 내용으로 신청하기" (read by /apply/carry)
        "carry_fields": {k: str(v) for k, v in values.items() if str(v).strip() and k != "edit"},
    }
