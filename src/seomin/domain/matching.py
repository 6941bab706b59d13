"""맞춤대출 (loan matching): rank the policy products and partner lenders' products that fit a profile.

Policy products are judged by the eligibility engine itself (``evaluate``), so a match never contradicts
자격조회. Partner lenders' products (``PartnerProduct``: data, versioned by ``effective_from`` like the
catalog) are judged here by their published conditions. Each option carries stable reason codes with
Korean and English messages saying why it fits (or what to confirm), the limit and rate it offers, and
what people with a similar profile actually got (``OutcomeStats``, from the platform's own executed
loans, supplied by the caller).

The ranking is explainable and total: eligible before to-be-confirmed, then the lower expected rate (what
similar people got, else the product's rate), then the higher limit, then the product id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from seomin.domain.catalog import Catalog, Confidence, Occupation
from seomin.domain.eligibility import Status, evaluate
from seomin.domain.money import format_rate
from seomin.domain.profile import ApplicantProfile
from seomin.domain.reasons import FigureValue, Outcome, Reason, Template

Rate = Decimal
Sector = Literal["bank", "savings_bank", "foundation", "operator", "card", "capital"]


class PartnerProduct(BaseModel):
    """A partner lender's own product (not guaranteed by the agency), as published terms."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None
    lender_ko: str = Field(min_length=1)
    lender_en: str = Field(min_length=1)
    sector: Sector
    tier: Literal["mainstream", "bridge"]
    """제도권 (mainstream) or 징검다리 (bridge: for graduates of policy products)."""
    name_ko: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    min_amount: int = Field(ge=0)
    max_amount: int = Field(gt=0)
    rate_min: Decimal = Field(ge=0, le=20, decimal_places=2)
    rate_max: Decimal = Field(ge=0, le=20, decimal_places=2)
    kcb_min: int | None = Field(default=None, ge=0, le=1000)
    kcb_max: int | None = Field(default=None, ge=0, le=1000)
    min_income: int = Field(default=0, ge=0)
    occupations: tuple[Occupation, ...] | None = None
    min_employed_months: int = Field(default=0, ge=0)
    min_age: int = Field(default=19, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    public_record_excluded: bool = True
    min_policy_repayment_months: int | None = Field(default=None, ge=1)
    """징검다리: months of on-time repayment of a policy loan (open or repaid) the product requires."""
    confidence: Confidence
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _coherent(self) -> PartnerProduct:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        if self.min_amount > self.max_amount:
            raise ValueError("min_amount exceeds max_amount")
        if self.rate_min > self.rate_max:
            raise ValueError("rate_min exceeds rate_max")
        if self.kcb_min is not None and self.kcb_max is not None and self.kcb_min > self.kcb_max:
            raise ValueError("kcb_min exceeds kcb_max")
        return self

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class PartnerCatalog:
    """Partner products by id, each with its versions in order; answers which version is in force."""

    def __init__(self, products: Iterable[PartnerProduct]) -> None:
        versions: dict[str, list[PartnerProduct]] = {}
        for p in products:
            versions.setdefault(p.id, []).append(p)
        for pid, found in versions.items():
            found.sort(key=lambda p: p.effective_from)
            for a, b in pairwise(found):
                if a.effective_from == b.effective_from:
                    raise ValueError(f"{pid}: two versions start on {a.effective_from.isoformat()}")
        self._versions = versions

    def in_force(self, on: date) -> list[PartnerProduct]:
        """The version of each product in force on ``on`` (the latest that started), by id."""
        chosen = []
        for pid in sorted(self._versions):
            started = [p for p in self._versions[pid] if p.in_force(on)]
            if started:
                chosen.append(started[-1])
        return chosen

    def __iter__(self) -> Iterator[PartnerProduct]:
        return iter([p for pid in sorted(self._versions) for p in self._versions[pid]])


@dataclass(frozen=True, slots=True)
class OutcomeStats:
    """What similar people actually got for a product: executed loans (at least k of them)."""

    scope: Literal["similar", "product"]  # the profile's score and income bands, or all users of it
    loans: int
    amount_p25: int
    amount_median: int
    amount_p75: int
    rate_min_bp: int
    rate_median_bp: int
    rate_max_bp: int


class Source(StrEnum):
    POLICY = "policy"  # 정책서민금융상품 (agency-guaranteed)
    PARTNER = "partner"  # a partner lender's own product


@dataclass(frozen=True, slots=True)
class MatchOption:
    source: Source
    product_id: str
    version: str
    name_ko: str
    name_en: str
    sectors: tuple[str, ...]
    lenders: tuple[str, ...]
    status: Status
    max_amount: int
    rate_min: Decimal
    rate_max: Decimal
    start_rate: Decimal
    """The rate the ranking assumes without outcomes: a policy offer's contract rate, the middle of a
    partner product's published range (its lender prices by its own scoring)."""
    similar: OutcomeStats | None
    reasons: tuple[Reason, ...]
    rank: int = 0

    @property
    def expected_rate(self) -> Decimal:
        """What the ranking compares: the median rate similar people got, else ``start_rate``."""
        if self.similar is not None:
            return Decimal(self.similar.rate_median_bp) / 100
        return self.start_rate

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


@dataclass(frozen=True, slots=True)
class MatchResult:
    as_of: date
    options: tuple[MatchOption, ...]  # ranked: the ones that fit or need confirming
    excluded: tuple[MatchOption, ...]  # ineligible, with the reasons that exclude them
    estimate_note_ko: str = (
        "비슷한 조건 이용자의 실제 한도·금리는 이 플랫폼에서 실행된 대출의 통계이며, "
        "심사 결과를 보장하지 않습니다."
    )
    estimate_note_en: str = (
        "Figures of similar users are statistics of loans executed through this platform, "
        "not a promise of any lender's decision."
    )


MATCH_TEMPLATES: Final[dict[str, Template]] = {
    "MATCH_POLICY_ELIGIBLE": Template(
        "{product_ko}: 자격 요건을 충족합니다. 최대 {max_amount:,}원, 연 {rate}%.",
        "{product_en}: you meet its conditions. Up to {max_amount:,} won at {rate}% a year.",
    ),
    "MATCH_POLICY_TO_CONFIRM": Template(
        "{product_ko}: 확인이 필요한 조건이 있습니다 ({codes}).",
        "{product_en}: some conditions need confirming ({codes}).",
        "자격조회에서 확인할 항목을 보세요.",
        "See the eligibility check for what to confirm.",
    ),
    "MATCH_POLICY_INELIGIBLE": Template(
        "{product_ko}: 지금은 요건을 충족하지 않습니다 ({codes}).",
        "{product_en}: not eligible now ({codes}).",
    ),
    "MATCH_PARTNER_FITS": Template(
        "{product_ko}({lender_ko}): 공시된 조건(신용평점·소득·직업·나이)에 맞습니다. "
        "{min_amount:,}~{max_amount:,}원, 연 {rate_min}~{rate_max}%.",
        "{product_en} ({lender_en}): your profile meets its published conditions. "
        "{min_amount:,}–{max_amount:,} won at {rate_min}–{rate_max}% a year.",
    ),
    "MATCH_PARTNER_BRIDGE": Template(
        "징검다리 상품입니다: 정책서민금융을 성실히 상환한 분이 제도권 대출로 옮겨가는 상품입니다.",
        "A bridge product: for faithful repayers of policy loans moving to mainstream credit.",
    ),
    "MATCH_BRIDGE_NEEDS_REPAYMENT": Template(
        "정책서민금융 대출을 {min_months}개월 이상 연체 없이 상환한 분이 대상입니다 (현재 {months}개월).",
        "For those who repaid a policy loan on time for {min_months}+ months (now {months}).",
        "정책서민금융 대출을 성실히 상환하면 이 상품으로 옮겨갈 수 있습니다.",
        "Repaying a policy loan on time opens this product to you.",
    ),
    "MATCH_SCORE_BELOW_MIN": Template(
        "KCB 신용평점 {kcb}점이 이 상품 기준 {kcb_min}점보다 낮습니다.",
        "KCB score {kcb} is below this product's minimum of {kcb_min}.",
        "신용시뮬레이터로 평점을 올리는 방법을 확인해 보세요.",
        "The credit simulator shows actions that raise the score.",
    ),
    "MATCH_SCORE_ABOVE_MAX": Template(
        "KCB 신용평점 {kcb}점이 이 상품 대상({kcb_max}점 이하)보다 높습니다.",
        "KCB score {kcb} is above this product's maximum of {kcb_max}.",
    ),
    "MATCH_SCORE_UNKNOWN": Template(
        "신용평점을 알 수 없어 이 상품의 평점 기준을 확인해야 합니다.",
        "Credit score unknown: this product's score condition must be confirmed.",
    ),
    "MATCH_INCOME_BELOW_MIN": Template(
        "연소득 {income:,}원이 이 상품 기준 {min_income:,}원보다 낮습니다.",
        "Annual income {income:,} won is below this product's minimum of {min_income:,} won.",
    ),
    "MATCH_OCCUPATION": Template(
        "직업 구분 '{occupation}'은(는) 이 상품의 대상이 아닙니다.",
        "Occupation '{occupation}' is not covered by this product.",
    ),
    "MATCH_TENURE": Template(
        "재직·사업 {employed_months}개월: {min_employed_months}개월 이상이 필요합니다.",
        "{employed_months} months of work: needs {min_employed_months}+.",
    ),
    "MATCH_AGE": Template(
        "만 나이 {age}세는 이 상품의 대상 연령이 아닙니다.",
        "Age {age} is outside this product's age range.",
    ),
    "MATCH_PUBLIC_RECORD": Template(
        "공공정보 보유자는 이 상품을 이용할 수 없습니다.",
        "Applicants with public records are excluded from this product.",
    ),
    "MATCH_SIMILAR_OUTCOMES": Template(
        "{scope_ko} {loans}명이 실제로 {amount_p25:,}~{amount_p75:,}원(중앙값 {amount_median:,}원), "
        "연 {rate_low}~{rate_high}%(중앙값 {rate_median}%)에 이용했습니다.",
        "{loans} {scope_en} actually got {amount_p25:,}–{amount_p75:,} won (median {amount_median:,}) "
        "at {rate_low}–{rate_high}% (median {rate_median}%).",
    ),
    "MATCH_NO_OUTCOMES": Template(
        "비슷한 조건 이용자의 실행 실적이 아직 충분하지 않습니다.",
        "Not enough executed loans of similar users yet to show what they got.",
    ),
}


def match_reason(code: str, outcome: Outcome, figures: Mapping[str, FigureValue], **labels: str) -> Reason:
    template = MATCH_TEMPLATES[code]
    values = {**figures, **labels}
    return Reason(
        code=code,
        outcome=outcome,
        rule=f"matching.{code.lower()}",
        figures=dict(figures),
        message_ko=template.ko.format(**values),
        message_en=template.en.format(**values),
        remedy_ko=template.remedy_ko.format(**values),
        remedy_en=template.remedy_en.format(**values),
    )


def policy_repayment_months(profile: ApplicantProfile, as_of: date) -> int:
    """Months of on-time use of the person's policy loans: the longest run since an execution, counted
    to ``as_of`` (or to nothing while one is in arrears, which breaks the record)."""
    if any(loan.in_arrears for loan in profile.existing_loans):
        return 0
    return max(
        (
            (as_of.year - loan.executed_on.year) * 12 + as_of.month - loan.executed_on.month
            for loan in profile.existing_loans
        ),
        default=0,
    )


def judge_partner(product: PartnerProduct, profile: ApplicantProfile, as_of: date) -> MatchOption:
    """Judge ``profile`` against a partner product's published conditions."""
    reasons: list[Reason] = []
    status = Status.ELIGIBLE

    def fail(code: str, figures: Mapping[str, FigureValue], **labels: str) -> None:
        nonlocal status
        status = Status.INELIGIBLE
        reasons.append(match_reason(code, Outcome.FAIL, figures, **labels))

    kcb = profile.kcb_score
    if product.kcb_min is not None or product.kcb_max is not None:
        if kcb is None:
            status = Status.NEEDS_CONFIRMATION
            reasons.append(match_reason("MATCH_SCORE_UNKNOWN", Outcome.CONFIRM, {}))
        elif product.kcb_min is not None and kcb < product.kcb_min:
            fail("MATCH_SCORE_BELOW_MIN", {"kcb": kcb, "kcb_min": product.kcb_min})
        elif product.kcb_max is not None and kcb > product.kcb_max:
            fail("MATCH_SCORE_ABOVE_MAX", {"kcb": kcb, "kcb_max": product.kcb_max})
    if profile.annual_income < product.min_income:
        fail("MATCH_INCOME_BELOW_MIN", {"income": profile.annual_income, "min_income": product.min_income})
    if product.occupations is not None and profile.occupation not in product.occupations:
        fail("MATCH_OCCUPATION", {"occupation": profile.occupation.value})
    if profile.employed_months < product.min_employed_months:
        fail(
            "MATCH_TENURE",
            {"employed_months": profile.employed_months, "min_employed_months": product.min_employed_months},
        )
    age = profile.age_on(as_of)
    if age < product.min_age or (product.max_age is not None and age > product.max_age):
        fail("MATCH_AGE", {"age": age})
    if product.public_record_excluded and profile.public_record:
        fail("MATCH_PUBLIC_RECORD", {})
    if product.min_policy_repayment_months is not None:
        months = policy_repayment_months(profile, as_of)
        if months < product.min_policy_repayment_months:
            fail(
                "MATCH_BRIDGE_NEEDS_REPAYMENT",
                {"months": months, "min_months": product.min_policy_repayment_months},
            )
    if status is Status.ELIGIBLE:
        figures: dict[str, FigureValue] = {
            "min_amount": product.min_amount,
            "max_amount": product.max_amount,
            "rate_min": format_rate(product.rate_min),
            "rate_max": format_rate(product.rate_max),
        }
        names = {
            "product_ko": product.name_ko,
            "product_en": product.name_en,
            "lender_ko": product.lender_ko,
            "lender_en": product.lender_en,
        }
        reasons.insert(0, match_reason("MATCH_PARTNER_FITS", Outcome.PASS, figures, **names))
        if product.tier == "bridge":
            reasons.append(match_reason("MATCH_PARTNER_BRIDGE", Outcome.NOTE, {}))
    return MatchOption(
        source=Source.PARTNER,
        product_id=product.id,
        version=product.version,
        name_ko=product.name_ko,
        name_en=product.name_en,
        sectors=(product.sector,),
        lenders=(product.lender_ko,),
        status=status,
        max_amount=product.max_amount,
        rate_min=product.rate_min,
        rate_max=product.rate_max,
        start_rate=(product.rate_min + product.rate_max) / 2,
        similar=None,
        reasons=tuple(reasons),
    )


def judge_policy(catalog: Catalog, product_id: str, profile: ApplicantProfile, as_of: date) -> MatchOption:
    """A policy product judged by the eligibility engine, summarized as a match option."""
    product = catalog.get(product_id, as_of)
    decision = evaluate(product, profile, as_of)
    names = {"product_ko": product.name_ko, "product_en": product.name_en}
    offer = decision.offer
    rate = offer.annual_rate if offer is not None else product.base_rate(profile.vulnerable)
    floor = product.rate.vulnerable_floor if profile.vulnerable and product.rate.vulnerable_floor else None
    not_passed = ", ".join(r.code for r in decision.reasons if r.outcome in (Outcome.FAIL, Outcome.CONFIRM))
    if decision.status is Status.ELIGIBLE and offer is not None:
        head = match_reason(
            "MATCH_POLICY_ELIGIBLE",
            Outcome.PASS,
            {"max_amount": offer.max_amount, "rate": format_rate(rate)},
            **names,
        )
    elif decision.status is Status.NEEDS_CONFIRMATION:
        head = match_reason("MATCH_POLICY_TO_CONFIRM", Outcome.CONFIRM, {"codes": not_passed}, **names)
    else:
        head = match_reason("MATCH_POLICY_INELIGIBLE", Outcome.FAIL, {"codes": not_passed}, **names)
    detail = tuple(r for r in decision.shown_reasons if r.code != "ELIGIBLE")
    lenders = tuple(o.name_ko for o in offer.lenders) if offer is not None else ()
    sectors = tuple(
        sorted({catalog.banks[b.bank].kind for b in product.partner_banks if b.bank in catalog.banks})
    ) or (("agency",) if product.agency_loan else ())
    return MatchOption(
        source=Source.POLICY,
        product_id=product.id,
        version=product.version,
        name_ko=product.name_ko,
        name_en=product.name_en,
        sectors=sectors,
        lenders=lenders,
        status=decision.status,
        max_amount=offer.max_amount if offer is not None else 0,
        rate_min=min(rate, floor or product.rate.floor),
        rate_max=rate,
        start_rate=rate,
        similar=None,
        reasons=(head, *detail),
    )


def with_outcomes(option: MatchOption, stats: OutcomeStats | None) -> MatchOption:
    """The option with what similar people got (or a note that there are too few to show)."""
    if stats is None:
        note = match_reason("MATCH_NO_OUTCOMES", Outcome.NOTE, {})
    else:
        scope = {
            "scope_ko": "비슷한 신용평점·소득의 이용자" if stats.scope == "similar" else "이 상품 이용자",
            "scope_en": "users with a similar score and income" if stats.scope == "similar" else "users",
        }
        note = match_reason(
            "MATCH_SIMILAR_OUTCOMES",
            Outcome.NOTE,
            {
                "loans": stats.loans,
                "amount_p25": stats.amount_p25,
                "amount_median": stats.amount_median,
                "amount_p75": stats.amount_p75,
                "rate_low": format_rate(Decimal(stats.rate_min_bp) / 100),
                "rate_median": format_rate(Decimal(stats.rate_median_bp) / 100),
                "rate_high": format_rate(Decimal(stats.rate_max_bp) / 100),
            },
            **scope,
        )
    return replace(option, similar=stats, reasons=(*option.reasons, note))


_STATUS_ORDER: Final = {Status.ELIGIBLE: 0, Status.NEEDS_CONFIRMATION: 1, Status.INELIGIBLE: 2}


def rank(options: Iterable[MatchOption], as_of: date) -> MatchResult:
    """Order the options (see the module doc) and number the ones that fit from 1."""
    ordered = sorted(
        options,
        key=lambda o: (_STATUS_ORDER[o.status], o.expected_rate, -o.max_amount, o.product_id),
    )
    fit = [o for o in ordered if o.status is not Status.INELIGIBLE]
    numbered = tuple(replace(o, rank=i) for i, o in enumerate(fit, start=1))
    excluded = tuple(o for o in ordered if o.status is Status.INELIGIBLE)
    return MatchResult(as_of=as_of, options=numbered, excluded=excluded)
