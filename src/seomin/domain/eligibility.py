"""The eligibility engine (자격 심사): judge a profile against a product version on a day.

``evaluate`` applies every rule the version's data switches on and returns a ``Decision``: its status,
the reasons that decided it (stable codes, figures, Korean and English messages, what would change the
outcome), the offer (maximum amount now, rate, terms, lenders) and the other products that fit.
The batch screener (``seomin.services.analytics``) must reach exactly the same decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from seomin.domain.calendar import add_months
from seomin.domain.catalog import (
    Catalog,
    CreditCutoff,
    DebtAdjustmentKind,
    LenderOption,
    LimitBasis,
    LoanPurpose,
    Occupation,
    ProductVersion,
)
from seomin.domain.money import format_rate
from seomin.domain.profile import ApplicantProfile, ExistingLoan
from seomin.domain.reasons import FigureValue, Outcome, Reason, make_reason
from seomin.domain.schedule import RepaymentMethod

WORKING_OCCUPATIONS = frozenset({Occupation.EMPLOYEE, Occupation.BUSINESS, Occupation.FREELANCER})

DEBT_ADJUSTMENT_NAMES: dict[DebtAdjustmentKind, tuple[str, str]] = {
    DebtAdjustmentKind.WORKOUT: ("신용회복위원회 개인워크아웃", "a CCRS personal workout"),
    DebtAdjustmentKind.REHABILITATION: ("법원 개인회생", "court rehabilitation"),
    DebtAdjustmentKind.NEW_START_FUND: ("새출발기금 채무조정", "a New Start Fund adjustment"),
}

LOAN_PURPOSE_NAMES: dict[LoanPurpose, tuple[str, str]] = {
    LoanPurpose.LIVING: ("일반생활자금", "general living"),
    LoanPurpose.SPECIFIC: ("특정용도자금", "specific-purpose"),
}

HAESSAL15_NAMES_KO = {
    "none": "이용·신청 이력 없음",
    "rejected": "거절",
    "using": "이용 중",
    "repaid": "상환 완료",
}

PURPOSE_NAMES: dict[str, tuple[str, str]] = {
    "employment": ("재직", "employment"),
    "business": ("사업", "business"),
    "income": ("소득", "income"),
    "pension": ("연금 수령", "pension"),
    "debt_adjustment": ("성실상환", "faithful-repayment"),
}


class Status(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_CONFIRMATION = "needs_confirmation"


class OfferKind(StrEnum):
    FIRST = "first"  # 최초 이용
    ADDITIONAL = "additional"  # 추가대출
    REPEAT = "repeat"  # 완제 후 재이용


@dataclass(frozen=True, slots=True)
class Offer:
    kind: OfferKind
    max_amount: int
    annual_rate: Decimal
    term_months: tuple[int, ...]
    grace_months: tuple[int, ...]
    methods: tuple[RepaymentMethod, ...]
    lenders: tuple[LenderOption, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    product_id: str
    version: str
    as_of: date
    status: Status
    reasons: tuple[Reason, ...]
    offer: Offer | None
    alternatives: tuple[str, ...] = field(default=())

    @property
    def eligible(self) -> bool:
        return self.status is Status.ELIGIBLE

    @property
    def shown_reasons(self) -> tuple[Reason, ...]:
        """What a person reads: every reason that did not simply pass, and the eligible summary."""
        return tuple(r for r in self.reasons if r.outcome is not Outcome.PASS or r.code == "ELIGIBLE")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


@dataclass(slots=True)
class _Judgement:
    """Reasons gathered while judging; the limit logic also leaves the amount and kind of the offer."""

    product: ProductVersion
    profile: ApplicantProfile
    as_of: date
    reasons: list[Reason] = field(default_factory=list)
    cap: int = 0
    kind: OfferKind = OfferKind.FIRST
    holding_bank: str | None = None
    explain: bool = True
    lenders: tuple[LenderOption, ...] = ()
    failed: bool = False
    unsure: bool = False

    def add(
        self,
        code: str,
        outcome: Outcome,
        rule: str,
        figures: dict[str, FigureValue],
        labels: dict[str, str] | None = None,
    ) -> None:
        if outcome is Outcome.FAIL:
            self.failed = True
        elif outcome is Outcome.CONFIRM:
            self.unsure = True
        if self.explain:  # a verdict only needs the two flags: the reasons would be thrown away
            self.reasons.append(make_reason(code, outcome, rule, figures, labels))


def evaluate(
    product: ProductVersion,
    profile: ApplicantProfile,
    as_of: date,
    *,
    catalog: Catalog | None = None,
) -> Decision:
    """Judge ``profile`` for ``product`` on ``as_of``; with a ``catalog``, also list the alternatives.

    ``profile.requested_bank`` and the banks of ``existing_loans`` are catalog bank codes (the edges
    resolve names). Documents are judged only when the profile carries them (an application, not a
    self-check).
    """
    if not product.in_force(as_of):
        raise ValueError(f"{product.id}@{product.version} is not in force on {as_of.isoformat()}")
    j = _judge(product, profile, as_of, explain=True)
    lenders = j.lenders
    status = _status(j.reasons)
    offer = None
    if status is not Status.INELIGIBLE:
        offer = Offer(
            kind=j.kind,
            max_amount=j.cap,
            annual_rate=product.base_rate(profile.vulnerable, profile.occupation)
            - product.preferential_cut(profile.preferential),
            term_months=product.terms.repayment_months,
            grace_months=product.terms.grace_months,
            methods=product.terms.methods,
            lenders=lenders,
        )
    reasons = tuple(j.reasons)
    if offer is not None and status is Status.ELIGIBLE:
        summary = make_reason(
            "ELIGIBLE",
            Outcome.PASS,
            "product",
            {"max_amount": offer.max_amount, "rate": format_rate(offer.annual_rate)},
            {"product_ko": product.name_ko, "product_en": product.name_en},
        )
        reasons = (summary, *reasons)
    alternatives = _alternatives(catalog, product, profile, as_of) if catalog is not None else ()
    return Decision(product.id, product.version, as_of, status, reasons, offer, alternatives)


_CHECKS: tuple[Callable[[_Judgement], None], ...] = ()  # filled below, once every check is defined


def _judge(product: ProductVersion, profile: ApplicantProfile, as_of: date, *, explain: bool) -> _Judgement:
    j = _Judgement(product, profile, as_of, explain=explain)
    if explain:
        for check in _CHECKS:
            check(j)
    else:
        for check in _CHECKS:
            check(j)
            if j.failed or j.unsure:  # a verdict is over at the first failure or open question
                return j
    j.lenders = _check_lenders(j)
    return j


def _status(reasons: Sequence[Reason]) -> Status:
    outcomes = {r.outcome for r in reasons}
    if Outcome.FAIL in outcomes:
        return Status.INELIGIBLE
    if Outcome.CONFIRM in outcomes:
        return Status.NEEDS_CONFIRMATION
    return Status.ELIGIBLE


def is_eligible(product: ProductVersion, profile: ApplicantProfile, as_of: date) -> bool:
    """The verdict of ``evaluate`` without its messages (for listing alternatives): ELIGIBLE or not."""
    j = _judge(product, profile, as_of, explain=False)
    return not (j.failed or j.unsure)


def _alternatives(
    catalog: Catalog, product: ProductVersion, profile: ApplicantProfile, as_of: date
) -> tuple[str, ...]:
    """Other products in force that the same person qualifies for, judged as a self-check."""
    general = profile
    if profile.documents is not None or profile.requested_bank is not None or profile.requested_amount:
        cleared = {"documents": None, "requested_bank": None, "requested_amount": None}
        general = profile.model_copy(update=cleared)
    return tuple(
        other.id
        for other in catalog.in_force(as_of)
        if other.id != product.id and is_eligible(other, general, as_of)
    )


def _check_haessal15(j: _Judgement) -> None:
    allowed = j.product.eligibility.haessal15_statuses
    if allowed is not None and j.profile.haessal15 not in allowed:
        j.add(
            "HAESSAL15_NOT_REJECTED",
            Outcome.FAIL,
            "eligibility.haessal15_statuses",
            {"haessal15": j.profile.haessal15.value},
            {"haessal15_ko": HAESSAL15_NAMES_KO[j.profile.haessal15.value]},
        )


def _check_age(j: _Judgement) -> None:
    rule = j.product.eligibility.age
    age = j.profile.age_on(j.as_of)
    too_old = rule.max_age is not None and age > rule.max_age
    if age < rule.min_age or too_old:
        max_text = str(rule.max_age) if rule.max_age is not None else ""
        j.add(
            "AGE_OUT_OF_RANGE",
            Outcome.FAIL,
            "eligibility.age",
            {"age": age, "min_age": rule.min_age, "max_age": rule.max_age},
            {"max_age_ko": f"{max_text}세" if max_text else "", "max_age_en": max_text},
        )


def _check_occupation(j: _Judgement) -> None:
    allowed = j.product.eligibility.occupations
    if allowed is not None and j.profile.occupation not in allowed:
        j.add(
            "OCCUPATION_NOT_ELIGIBLE",
            Outcome.FAIL,
            "eligibility.occupations",
            {"occupation": j.profile.occupation.value},
            {"allowed": ", ".join(o.value for o in allowed)} if j.explain else {},
        )


def within_cutoff(cutoff: CreditCutoff, kcb: int | None, nice: int | None) -> bool:
    """True where either bureau's score is at or below its cutoff."""
    return (kcb is not None and kcb <= cutoff.kcb_max) or (nice is not None and nice <= cutoff.nice_max)


def _scores_text(kcb: int | None, nice: int | None, cutoff: CreditCutoff) -> tuple[str, str]:
    parts_ko, parts_en = [], []
    for name, score, limit in (("KCB", kcb, cutoff.kcb_max), ("NICE", nice, cutoff.nice_max)):
        if score is None:
            parts_ko.append(f"{name} 모름")
            parts_en.append(f"{name} unknown")
        else:
            parts_ko.append(f"{name} {score}점 > {limit}점")
            parts_en.append(f"{name} {score} > {limit}")
    return ", ".join(parts_ko), ", ".join(parts_en)


def _check_credit(j: _Judgement) -> None:
    rules = j.product.eligibility
    cutoff = rules.credit
    if cutoff is None or (rules.credit_waived_for_basic_livelihood and j.profile.basic_livelihood):
        return
    kcb, nice = j.profile.kcb_score, j.profile.nice_score
    if within_cutoff(cutoff, kcb, nice):
        return
    figures: dict[str, FigureValue] = {
        "kcb_score": kcb,
        "nice_score": nice,
        "kcb_max": cutoff.kcb_max,
        "nice_max": cutoff.nice_max,
    }
    labels = {"as_of": cutoff.as_of, "label_ko": cutoff.label_ko, "label_en": cutoff.label_en}
    if kcb is None and nice is None:
        j.add("CREDIT_SCORE_UNKNOWN", Outcome.CONFIRM, "eligibility.credit", figures, labels)
        return
    scores_ko, scores_en = _scores_text(kcb, nice, cutoff)
    j.add(
        "CREDIT_SCORE_ABOVE_CUTOFF",
        Outcome.FAIL,
        "eligibility.credit",
        figures,
        {**labels, "scores_ko": scores_ko, "scores_en": scores_en},
    )


def _check_income(j: _Judgement) -> None:
    rule = j.product.eligibility.income
    if rule is None:
        return
    income = j.profile.annual_income
    if income <= rule.cap:
        return
    raised_ko = raised_en = ""
    if rule.raised_cap is not None and rule.raised_cap_credit is not None:
        credit = rule.raised_cap_credit
        if income <= rule.raised_cap and within_cutoff(credit, j.profile.kcb_score, j.profile.nice_score):
            return
        raised_ko = (
            f" 신용평점이 {credit.label_ko}(KCB {credit.kcb_max}점 또는 NICE {credit.nice_max}점 이하)이면 "
            f"{rule.raised_cap:,}원까지 가능합니다."
        )
        raised_en = (
            f" Up to {rule.raised_cap:,} won with a score in the {credit.label_en} "
            f"(KCB ≤ {credit.kcb_max} or NICE ≤ {credit.nice_max})."
        )
    j.add(
        "INCOME_ABOVE_CAP",
        Outcome.FAIL,
        "eligibility.income",
        {"income": income, "cap": rule.cap},
        {"raised_ko": raised_ko, "raised_en": raised_en},
    )


def _check_tenure(j: _Judgement) -> None:
    rules = j.product.eligibility
    profile = j.profile
    working = profile.occupation in WORKING_OCCUPATIONS
    months = profile.employed_months if working else 0
    if rules.max_employed_months is not None and working and months >= rules.max_employed_months:
        j.add(
            "TENURE_TOO_LONG",
            Outcome.FAIL,
            "eligibility.max_employed_months",
            {"employed_months": months, "max_employed_months": rules.max_employed_months},
        )
    min_months, min_pension = rules.min_employed_months, rules.min_pension_payments
    if min_months is None and min_pension is None:
        return
    works_long_enough = min_months is not None and working and months >= min_months
    has_pension = min_pension is not None and profile.pension_payments >= min_pension
    if works_long_enough or has_pension:
        return
    required = min_months or 0
    if not j.explain:  # a verdict only: no sentences to build
        when_ko = when_en = ""
    elif working:  # waiting helps only someone already at work
        ready_on = add_months(j.as_of, required - months, j.as_of.day)
        day = ready_on.isoformat()  # not strftime: several times slower, on every self-check that fails here
        when_ko = f"재직·사업 기간이 {required}개월이 되는 {day.replace('-', '.')} 이후 신청할 수 있습니다."
        when_en = f"You can apply once you reach {required} months of work, on {day}."
    else:
        when_ko = (
            f"{required}개월 이상 재직·사업 중이거나 연금을 {min_pension or 0}회 이상 받으면 "
            "신청할 수 있습니다."
        )
        when_en = f"You can apply after {required}+ months of work or business, or a pension payment."
    j.add(
        "TENURE_TOO_SHORT",
        Outcome.FAIL,
        "eligibility.min_employed_months",
        {
            "employed_months": months,
            "min_employed_months": required,
            "pension_payments": profile.pension_payments,
            "min_pension_payments": min_pension or 0,
        },
        {"when_ko": when_ko, "when_en": when_en},
    )


def _check_public_record(j: _Judgement) -> None:
    rules = j.product.eligibility
    adjustment = j.profile.debt_adjustment
    if adjustment is not None and adjustment.kind in rules.excluded_debt_adjustments:
        name_ko, name_en = DEBT_ADJUSTMENT_NAMES[adjustment.kind]
        j.add(
            "DEBT_ADJUSTMENT_EXCLUDED",
            Outcome.FAIL,
            "eligibility.excluded_debt_adjustments",
            {"kind": adjustment.kind.value},
            {"kind_ko": name_ko, "kind_en": name_en},
        )
        return
    if not rules.public_record_excluded:
        return
    exception = rules.debt_adjustment_exception
    if adjustment is not None and exception is not None and adjustment.kind in exception.kinds:
        # Being in a debt adjustment is itself a public record; the exception needs enough payments.
        if adjustment.faithful_months < exception.min_faithful_months:
            name_ko, name_en = DEBT_ADJUSTMENT_NAMES[adjustment.kind]
            j.add(
                "DEBT_ADJUSTMENT_TOO_SHORT",
                Outcome.FAIL,
                "eligibility.debt_adjustment_exception.min_faithful_months",
                {
                    "kind": adjustment.kind.value,
                    "faithful_months": adjustment.faithful_months,
                    "min_faithful_months": exception.min_faithful_months,
                    "missing": exception.min_faithful_months - adjustment.faithful_months,
                },
                {"kind_ko": name_ko, "kind_en": name_en},
            )
        return
    if j.profile.public_record:
        j.add(
            "PUBLIC_RECORD",
            Outcome.FAIL,
            "eligibility.public_record_excluded",
            {
                "public_record": "yes",
                "min_faithful_months": exception.min_faithful_months if exception else 0,
            },
        )


def required_document_groups(
    product: ProductVersion, profile: ApplicantProfile
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The proofs (purpose, accepted types) this applicant must give: one document of each."""
    rules = product.documents
    if rules is None:
        return ()
    adjustment = profile.debt_adjustment
    if adjustment is not None and adjustment.kind in rules.debt_adjustment:
        # Seed 004 §6: those in debt adjustment prove faithful repayment instead of work and income.
        return (("debt_adjustment", rules.debt_adjustment[adjustment.kind]),)
    groups = rules.by_occupation.get(profile.occupation, ())
    return tuple((g.purpose, g.types) for g in groups)


def document_valid_from(product: ProductVersion, as_of: date) -> date | None:
    """The earliest issue date a document may carry for an application on ``as_of``."""
    if product.documents is None:
        return None
    return add_months(as_of, -product.documents.validity_months, as_of.day)


def _check_documents(j: _Judgement) -> None:
    submitted = j.profile.documents
    rules = j.product.documents
    if submitted is None or rules is None:  # a self-check carries no documents
        return
    valid_from = document_valid_from(j.product, j.as_of)
    if valid_from is None:
        return
    valid_types: set[str] = set()
    for doc in submitted:
        figures: dict[str, FigureValue] = {"document": doc.type, "issued_on": doc.issued_on}
        labels = {"document_ko": j.product.display_ko(doc.type)}
        if doc.issued_on > j.as_of:
            j.add("DOCUMENT_DATE_INVALID", Outcome.FAIL, "documents", {**figures, "as_of": j.as_of}, labels)
        elif doc.issued_on < valid_from:
            j.add(
                "DOCUMENT_EXPIRED",
                Outcome.FAIL,
                "documents.validity_months",
                {**figures, "valid_from": valid_from, "validity_months": rules.validity_months},
                labels,
            )
        else:
            valid_types.add(doc.type)
    submitted_types = {d.type for d in submitted}
    for purpose, types in required_document_groups(j.product, j.profile):
        if valid_types.intersection(types) or submitted_types.intersection(types):
            continue  # met, or already reported as expired or misdated
        name_ko, name_en = PURPOSE_NAMES[purpose]
        j.add(
            "DOCUMENT_MISSING",
            Outcome.FAIL,
            f"documents.by_occupation.{j.profile.occupation.value}",
            {"purpose": purpose},
            {
                "purpose_ko": name_ko,
                "purpose_en": name_en,
                "types": ", ".join(types),
                "types_ko": ", ".join(j.product.display_ko(t) for t in types),
            },
        )


def _family_loans(j: _Judgement) -> list[ExistingLoan]:
    family = j.product.limit_family
    return [loan for loan in j.profile.existing_loans if loan.product in family]


def _check_existing_loans(j: _Judgement) -> None:
    product, limits = j.product, j.product.limits
    if not j.profile.existing_loans:  # most people: a first loan, up to the first-time limit
        j.kind, j.cap = OfferKind.FIRST, limits.first_time
        return
    family = _family_loans(j)
    open_loans = sorted((loan for loan in family if loan.is_open), key=lambda x: x.executed_on)
    in_arrears = [loan for loan in open_loans if loan.in_arrears]
    if in_arrears:
        j.add("DELINQUENT", Outcome.FAIL, "loans.arrears", {"count": len(in_arrears)})
    if not open_loans:
        j.kind = OfferKind.REPEAT if family else OfferKind.FIRST
        if family and not product.repeat_use_after_repayment:
            j.add("REPEAT_USE_NOT_ALLOWED", Outcome.FAIL, "repeat_use_after_repayment", {})
        j.cap = limits.first_time
        return

    j.kind = OfferKind.ADDITIONAL
    first = open_loans[0]
    j.holding_bank = first.bank
    if len(open_loans) >= limits.max_open_accounts:
        j.add(
            "TOO_MANY_ACCOUNTS",
            Outcome.FAIL,
            "limits.max_open_accounts",
            {"open_count": len(open_loans), "max_open": limits.max_open_accounts},
        )
    rules = product.additional_loan
    if rules is None or rules.max_times == 0:
        if limits.max_open_accounts > 1:
            j.add("ADDITIONAL_LOAN_NOT_OFFERED", Outcome.FAIL, "additional_loan", {})
        j.cap = 0
        return
    additional_taken = sum(1 for loan in family if loan.executed_on >= first.executed_on) - 1
    if additional_taken >= rules.max_times:
        j.add(
            "ADDITIONAL_LOAN_ALREADY_USED",
            Outcome.FAIL,
            "additional_loan.max_times",
            {"max_times": rules.max_times, "taken": additional_taken},
        )
    opens_on = add_months(first.executed_on, rules.min_months_on_time, first.executed_on.day)
    if j.as_of < opens_on:
        j.add(
            "ADDITIONAL_LOAN_TOO_EARLY",
            Outcome.FAIL,
            "additional_loan.min_months_on_time",
            {"executed_on": first.executed_on, "opens_on": opens_on, "min_months": rules.min_months_on_time},
        )
    requested = j.profile.requested_bank
    if rules.same_bank_while_open and requested is not None and requested != first.bank:
        j.add(
            "ADDITIONAL_LOAN_OTHER_BANK",
            Outcome.FAIL,
            "additional_loan.same_bank_while_open",
            {"bank": first.bank, "requested": requested},
            {"bank_ko": j.product.display_ko(first.bank), "requested_ko": j.product.display_ko(requested)},
        )
    if limits.basis is LimitBasis.ORIGINAL_AMOUNT:
        used = sum(loan.amount for loan in open_loans)
    else:
        used = sum(loan.balance for loan in open_loans)
    remaining = max(0, limits.total_per_person - used)
    j.cap = min(remaining, rules.max_amount)
    if remaining == 0:
        j.add(
            "LIMIT_EXHAUSTED",
            Outcome.FAIL,
            "limits.total_per_person",
            {"total": limits.total_per_person, "used": used},
        )


def _check_requested_amount(j: _Judgement) -> None:
    purpose = j.profile.loan_purpose
    draw_cap = j.product.draw_cap(purpose)
    capped_by_draw = draw_cap is not None and 0 < draw_cap < j.cap
    if draw_cap is not None and capped_by_draw:
        j.cap = draw_cap
    requested = j.profile.requested_amount
    if requested is not None and j.cap > 0 and requested > j.cap and capped_by_draw:
        j.add(
            "AMOUNT_ABOVE_DRAW_CAP",
            Outcome.FAIL,
            "limits.per_draw",
            {"requested": requested, "max_amount": j.cap, "purpose": purpose.value},
            {"purpose_ko": LOAN_PURPOSE_NAMES[purpose][0], "purpose_en": LOAN_PURPOSE_NAMES[purpose][1]},
        )
    elif requested is not None and j.cap > 0 and requested > j.cap:
        j.add(
            "AMOUNT_ABOVE_LIMIT",
            Outcome.FAIL,
            "limits",
            {"requested": requested, "max_amount": j.cap},
        )


def _check_lenders(j: _Judgement) -> tuple[LenderOption, ...]:
    """The lenders open to this applicant; judges the requested bank against the registered address.

    An agency loan takes no bank. A product that goes through lenders but has none on file issues no
    certificate: asking for a bank fails, and a self-check is told to call the call centre first.
    """
    banks = j.product.partner_banks
    requested = j.profile.requested_bank
    call_center = {"call_center": j.product.offline.call_center}
    if j.product.agency_loan:
        if requested is not None:
            bank = {"bank_ko": j.product.display_ko(requested), "bank_en": j.product.display_en(requested)}
            figures: dict[str, FigureValue] = {"bank": requested}
            j.add("AGENCY_LOAN_NO_BANK", Outcome.FAIL, "agency_loan", figures, bank | call_center)
        return ()
    if not banks:
        if requested is not None:
            j.add("NO_LENDER_ON_FILE", Outcome.FAIL, "partner_banks", {"bank": requested}, call_center)
        else:
            j.add("LENDERS_TO_CONFIRM", Outcome.NOTE, "partner_banks", {}, call_center)
        return ()
    region = j.profile.region
    if (
        j.holding_bank is not None
        and j.product.additional_loan
        and j.product.additional_loan.same_bank_while_open
    ):
        held = j.product.bank(j.holding_bank)
        confirmed = held is not None and held.regions.lends_in(region) is not None
        return (LenderOption(j.holding_bank, j.product.display_ko(j.holding_bank), confirmed),)
    lenders = j.product.lenders_in(region)
    name = j.product.display_ko
    options = lenders.options
    labels = {"available_ko": lenders.serving_ko, "available_en": lenders.serving_en}
    if requested is not None:
        terms = j.product.bank(requested)
        if terms is None:
            j.add(
                "BANK_NOT_PARTNER",
                Outcome.FAIL,
                "partner_banks",
                {"bank": requested},
                {**labels, "bank_ko": name(requested), "bank_en": j.product.display_en(requested)},
            )
            return options
        lends = terms.regions.lends_in(region)
        if lends is False:
            j.add(
                "NO_BANK_IN_REGION",
                Outcome.FAIL,
                "partner_banks.regions",
                {"bank": requested, "region": region},
                {**labels, "bank_ko": name(requested), "bank_en": j.product.display_en(requested)},
            )
        elif lends is None:
            j.add(
                "BANK_REGION_UNCONFIRMED",
                Outcome.NOTE,
                "partner_banks.regions",
                {"bank": requested},
                {"banks_ko": name(requested), "banks_en": j.product.display_en(requested)},
            )
        return options
    if not lenders.serving:
        if lenders.unconfirmed:
            j.add(
                "BANK_REGION_UNCONFIRMED",
                Outcome.NOTE,
                "partner_banks.regions",
                {"region": region},
                {"banks_ko": lenders.unconfirmed_ko, "banks_en": lenders.unconfirmed_en},
            )
        else:
            j.add(
                "NO_BANK_IN_REGION",
                Outcome.FAIL,
                "partner_banks.regions",
                {"bank": None, "region": region},
                {**labels, "bank_ko": "협약 금융회사", "bank_en": "No partner lender"},
            )
    return options


_CHECKS = (
    _check_haessal15,
    _check_age,
    _check_occupation,
    _check_credit,
    _check_income,
    _check_tenure,
    _check_public_record,
    _check_documents,
    _check_existing_loans,
    _check_requested_amount,
)
"""In the order the reasons are listed; the lenders come last, from what the checks found."""


def screen_sequence(
    product: ProductVersion, profiles: Sequence[ApplicantProfile], as_of: date
) -> list[Decision]:
    """The per-profile reference: one ``evaluate`` per profile (the batch screener's oracle)."""
    return [evaluate(product, p, as_of) for p in profiles]
