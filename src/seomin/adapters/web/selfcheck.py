"""자격조회 (self-check): a short form in five steps for someone under stress, then the decision in plain
words: the status, each reason with its figures (the engine's own messages), what would change the
outcome, the offer, the lenders of the region and the other products that fit.

The steps are fieldsets on one page, so the form works without JavaScript and reads top to bottom on a
phone. Answers travel by POST (income and scores never sit in a URL). Bad input re-renders the form with
422, each error beside its field and a summary on top. Nothing is stored: a self-check writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from seomin.adapters.http.auth import platform_of
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render
from seomin.domain.catalog import DebtAdjustmentKind, Haessal15Status, Occupation, ProductVersion
from seomin.domain.eligibility import WORKING_OCCUPATIONS, Decision
from seomin.domain.money import format_rate
from seomin.domain.regions import REGIONS
from seomin.services.eligibility_check import check_eligibility
from seomin.services.errors import InputError

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
)
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
}


@dataclass(frozen=True, slots=True)
class Lenders:
    """The product's partner banks for a region: those that lend there, and those that do not publish
    their regions (to be confirmed with the bank)."""

    serving: tuple[str, ...]
    unconfirmed: tuple[str, ...]


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


def _form_context(
    request: Request, values: Mapping[str, Any], errors: Mapping[str, Message]
) -> dict[str, Any]:
    products = _products(request)
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
        "steps": STEPS,
        "today": platform_of(request).today(),
    }


@router.get("/check")
def check_form(request: Request) -> Response:
    ids = [p.id for p in _products(request)]
    asked = request.query_params.get("product", "")
    product = asked if asked in ids else (DEFAULT_PRODUCT if DEFAULT_PRODUCT in ids else ids[0])
    values = {"product": product, "public_record": "no", "debt_kind": "none", "preferential": ""}
    return render(request, "selfcheck/form.html", _form_context(request, values, {}))


def read_profile(reader: FormReader, product_ids: list[str]) -> tuple[str | None, dict[str, Any]]:
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
    }
    return product, profile


def _error_field(exc: InputError) -> str:
    if exc.field == "product":
        return "product"
    parts = exc.field.split(".")
    if parts[0] == "profile" and len(parts) > 1:
        return FIELD_OF_PROFILE_ERROR.get(parts[1], "birth_date")
    return "product"


def _service_message(name: str, exc: InputError) -> Message:
    if name == "birth_date" and "after the application date" in exc.message:
        return Message("생년월일이 오늘보다 늦습니다. 다시 확인해 주세요.", "The birth date is after today.")
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
    product_id, profile = read_profile(reader, [p.id for p in _products(request)])
    if not reader.ok or product_id is None:
        return render(
            request, "selfcheck/form.html", _form_context(request, values, reader.errors), status_code=422
        )
    today = platform.today()
    try:
        decision = check_eligibility(platform.catalog, product_id, profile, today)
    except InputError as exc:
        name = _error_field(exc)
        errors = {name: _service_message(name, exc)}
        return render(request, "selfcheck/form.html", _form_context(request, values, errors), status_code=422)
    product = platform.catalog.get(product_id, today)
    return render(request, "selfcheck/result.html", _result_context(decision, product, profile, values))


def _result_context(
    decision: Decision, product: ProductVersion, profile: Mapping[str, Any], values: Mapping[str, Any]
) -> dict[str, Any]:
    offer = decision.offer
    shown = [r for r in decision.reasons if r.code != "ELIGIBLE"]
    return {
        "decision": decision,
        "product": product,
        "reasons": shown,
        "remedies": [r for r in shown if r.remedy_ko],
        "offer": offer,
        "rate": format_rate(offer.annual_rate) if offer is not None else None,
        "lenders": lenders_for(product, str(profile["region"])),
        "region": profile["region"],
        "region_names_en": REGION_NAMES_EN,
        "values": values,
    }
