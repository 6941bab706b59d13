"""The product catalog (정책서민금융상품 목록): versioned product terms as validated data.

A product version holds every figure the rules need. Each figure carries its provenance (source and
confidence) so a screen can say "확인 필요" where a figure is not confirmed. The catalog answers "which
version of product X was in force on day D", and says where a product went when it is no longer offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from seomin.domain.regions import REGIONS, normalize_region
from seomin.domain.schedule import RatePolicy, RepaymentMethod

Money = Annotated[int, Field(ge=0)]
Rate = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Confidence(StrEnum):
    """How far a figure can be trusted (see shared/spec/domain.md)."""

    SEED = "seed"  # stated in a seed document
    CONFIRMED = "confirmed"  # news or regulator pages
    REPORTED = "reported"  # blogs, product sheets
    UNVERIFIED = "unverified"  # sources disagree or none found
    INTERPRETATION = "interpretation"  # our reading of a rule the sources leave open


class Provenance(Frozen):
    confidence: Confidence
    source: str = Field(min_length=1)

    @property
    def needs_confirmation(self) -> bool:
        return self.confidence in (Confidence.UNVERIFIED, Confidence.INTERPRETATION)


class ProvenanceTable(Frozen):
    """The default provenance of a version's figures and per-figure overrides keyed by dotted path."""

    default: Provenance
    figures: dict[str, Provenance] = Field(default_factory=dict)


class Occupation(StrEnum):
    """직군: how the applicant earns a living."""

    EMPLOYEE = "employee"  # 근로소득자
    BUSINESS = "business"  # 등록 사업자
    FREELANCER = "freelancer"  # 미등록 사업자 (프리랜서, 보험설계사)
    PENSIONER = "pensioner"  # 연금소득자
    UNEMPLOYED = "unemployed"  # 무직 (학생, 구직자)


class LoanPurpose(StrEnum):
    """자금 용도: what a draw is for, where a product caps each draw by purpose (햇살론유스)."""

    LIVING = "living"  # 일반생활자금
    SPECIFIC = "specific"  # 특정용도자금 (학자금, 의료비, 주거비 …)


class DebtAdjustmentKind(StrEnum):
    """채무조정: 신용회복위원회 개인워크아웃, 법원 개인회생, 새출발기금."""

    WORKOUT = "workout"
    REHABILITATION = "rehabilitation"
    NEW_START_FUND = "new_start_fund"


class Haessal15Status(StrEnum):
    """The applicant's history with 햇살론15."""

    NONE = "none"
    REJECTED = "rejected"
    USING = "using"
    REPAID = "repaid"


class LimitBasis(StrEnum):
    """What counts against the per-person total: amounts as executed, or balances still owed."""

    ORIGINAL_AMOUNT = "original_amount"
    OUTSTANDING_BALANCE = "outstanding_balance"


class CreditCutoff(Frozen):
    """A credit-score ceiling; a score at or below either bureau's cutoff suffices."""

    kcb_max: int = Field(ge=0, le=1000)
    nice_max: int = Field(ge=0, le=1000)
    label_ko: str
    label_en: str
    as_of: str = Field(description="when the bureau cutoffs were set, e.g. 2024-04; they change yearly")


class IncomeRule(Frozen):
    cap: Money
    raised_cap: Money | None = None
    raised_cap_credit: CreditCutoff | None = None

    @model_validator(mode="after")
    def _raised_pair(self) -> IncomeRule:
        if (self.raised_cap is None) != (self.raised_cap_credit is None):
            raise ValueError("raised_cap and raised_cap_credit go together")
        if self.raised_cap is not None and self.raised_cap <= self.cap:
            raise ValueError("raised_cap must exceed cap")
        return self


class DebtAdjustmentException(Frozen):
    """Public-record holders in these debt adjustments may apply after enough faithful payments."""

    kinds: tuple[DebtAdjustmentKind, ...]
    min_faithful_months: int = Field(ge=0)


class AgeRule(Frozen):
    min_age: int = Field(default=19, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)


class EligibilityRules(Frozen):
    """Which checks apply and their figures. An absent section means the check does not apply."""

    haessal15_statuses: tuple[Haessal15Status, ...] | None = None
    credit: CreditCutoff | None = None
    credit_waived_for_basic_livelihood: bool = False
    income: IncomeRule | None = None
    occupations: tuple[Occupation, ...] | None = None
    min_employed_months: int | None = Field(default=None, ge=0)
    max_employed_months: int | None = Field(default=None, ge=0)
    min_pension_payments: int | None = Field(default=None, ge=0)
    public_record_excluded: bool = False
    debt_adjustment_exception: DebtAdjustmentException | None = None
    excluded_debt_adjustments: tuple[DebtAdjustmentKind, ...] = ()
    age: AgeRule = AgeRule()


class PreferentialRate(Frozen):
    """우대금리: a cut for a completed programme."""

    code: Literal["consulting", "employment-support"]
    cut: Rate
    name_ko: str
    name_en: str


class RateTerms(Frozen):
    annual: Rate
    """The rate of everyone not in a group below."""
    by_occupation: dict[Occupation, Rate] = Field(default_factory=dict)
    """Group rates (햇살론유스: job seekers and students pay less than new SME workers)."""
    vulnerable_annual: Rate | None = None
    floor: Rate
    vulnerable_floor: Rate | None = None
    step_down_by_term: dict[int, Rate] = Field(default_factory=dict)
    preferential: tuple[PreferentialRate, ...] = ()
    max_preferential_cut: Rate = Decimal("0")
    interest_payback_pct: Rate | None = None
    """완제 시 이자 환급: the share of the interest paid that comes back when the loan is repaid in full."""
    fee_included: bool
    note_ko: str = ""
    note_en: str = ""


class LoanTermOptions(Frozen):
    repayment_months: tuple[int, ...] = Field(min_length=1)
    grace_months: tuple[int, ...] = (0,)
    methods: tuple[RepaymentMethod, ...] = Field(min_length=1)
    prepayment_fee: bool = False


class Limits(Frozen):
    total_per_person: Money
    first_time: Money
    basis: LimitBasis = LimitBasis.ORIGINAL_AMOUNT
    max_open_accounts: int = Field(default=1, ge=1)
    shared_with: tuple[str, ...] = ()
    per_draw: dict[LoanPurpose, Money] = Field(default_factory=dict)
    """The most one loan (draw) may be, by its purpose, within the per-person total."""

    @model_validator(mode="after")
    def _first_within_total(self) -> Limits:
        if self.first_time > self.total_per_person:
            raise ValueError("first_time exceeds total_per_person")
        if any(cap > self.total_per_person for cap in self.per_draw.values()):
            raise ValueError("a per_draw cap exceeds total_per_person")
        return self


class AdditionalLoanRules(Frozen):
    """추가대출: a further loan within the remaining limit while the first is still open."""

    max_times: int = Field(ge=0)
    min_months_on_time: int = Field(ge=0)
    max_amount: Money
    same_bank_while_open: bool = True


class AgencyLoanTerms(Frozen):
    """직접대출 terms of an agency loan: interest only, principal at a yearly maturity that may be extended
    a year at a time up to ``max_months`` from disbursement, to an account in the borrower's own name."""

    maturity_months: int = Field(default=12, ge=1)
    max_months: int = Field(default=60, ge=1)

    @model_validator(mode="after")
    def _within(self) -> AgencyLoanTerms:
        if self.max_months < self.maturity_months:
            raise ValueError("agency.max_months is below agency.maturity_months")
        return self


class ReviewRules(Frozen):
    """Maker-checker: approvals above this amount need a second reviewer who is not the first."""

    second_review_above: Money | None = None


class Guarantee(Frozen):
    ratio_pct: Rate
    annual_fee_pct: Rate | None = None
    """A separate guarantee fee (fee-separate products); None when the rate includes it."""
    fee_base: Literal["guaranteed", "loan"] = "guaranteed"
    """What the fee rate applies to: the agency's guaranteed share or the whole loan."""
    fee_payment: Literal["prepaid", "periodic"] = "prepaid"
    """Prepaid for the whole term at execution, or yearly on the balance at each anniversary."""
    fee_cut_pct_educated: Rate = Decimal("0")
    """Points off the fee rate for people who completed counseling or education before applying."""
    default_days_past_due: int = Field(default=90, ge=1)


class DocumentGroup(Frozen):
    """One proof the applicant must give, by one of several documents ("택1")."""

    purpose: Literal["employment", "business", "income", "pension", "debt_adjustment"]
    types: tuple[str, ...] = Field(min_length=1)


class DocumentRules(Frozen):
    validity_months: int = Field(ge=1)
    originals_only: bool = True
    by_occupation: dict[Occupation, tuple[DocumentGroup, ...]] = Field(default_factory=dict)
    debt_adjustment: dict[DebtAdjustmentKind, tuple[str, ...]] = Field(default_factory=dict)


class BankRegions(Frozen):
    """Where a partner bank lends, by the applicant's registered address."""

    nationwide: bool = False
    only: tuple[str, ...] = ()
    except_: tuple[str, ...] = Field(default=(), alias="except")
    unknown: bool = False
    channel_ko: str = ""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @field_validator("only", "except_")
    @classmethod
    def _known_regions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalize_region(r) for r in value)

    @model_validator(mode="after")
    def _one_kind(self) -> BankRegions:
        kinds = [self.nationwide, bool(self.only), self.unknown]
        if sum(kinds) != 1:
            raise ValueError("give exactly one of nationwide, only or unknown")
        if self.except_ and not self.nationwide:
            raise ValueError("except goes with nationwide")
        return self

    def lends_in(self, region: str) -> bool | None:
        """True or False where published; None where the bank has not published its regions."""
        if self.unknown:
            return None
        if self.nationwide:
            return region not in self.except_
        return region in self.only

    def describe_ko(self) -> str:
        if self.unknown:
            return "지역 확인 필요"
        if self.nationwide:
            return "전국" + (f" ({', '.join(self.except_)} 제외)" if self.except_ else "")
        return ", ".join(self.only)


class PartnerBankTerms(Frozen):
    bank: str
    regions: BankRegions


@dataclass(frozen=True, slots=True)
class LenderOption:
    """A partner bank an applicant may go to, and whether it has published that it lends in their region."""

    bank: str
    name_ko: str
    regions_confirmed: bool


@dataclass(frozen=True, slots=True)
class RegionalLenders:
    """The partner banks of one product version for one region (지역별 협약 금융회사), names included."""

    serving: tuple[str, ...]
    """Banks that say they lend in the region."""
    unconfirmed: tuple[str, ...]
    """Banks that have not published their regions."""
    options: tuple[LenderOption, ...]
    """``serving`` then ``unconfirmed``, as the offer lists them."""
    serving_ko: str
    serving_en: str
    unconfirmed_ko: str
    unconfirmed_en: str


@dataclass(frozen=True, slots=True)
class RegionalLenderTable:
    """``lenders_in`` by region, and what it was derived from (the very objects, not copies)."""

    banks: tuple[PartnerBankTerms, ...]
    names: dict[str, tuple[str, str]]
    by_region: dict[str, RegionalLenders]


class OfflineChannels(Frozen):
    call_center: str = "1397"
    centers: dict[str, int] = Field(default_factory=dict)
    education_course: str | None = None
    education_mandatory: bool = False


class Lineage(Frozen):
    predecessors: tuple[str, ...] = ()
    successor: str | None = None
    note_ko: str = ""
    note_en: str = ""


class ProductVersion(Frozen):
    """One version of a product's terms, in force from ``effective_from`` to ``effective_to`` inclusive."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    name_ko: str
    name_en: str
    summary_ko: str
    summary_en: str
    audience_ko: str
    audience_en: str
    effective_from: date
    effective_to: date | None = None
    lineage: Lineage = Lineage()
    guarantee: Guarantee
    review: ReviewRules = ReviewRules()
    rate: RateTerms
    terms: LoanTermOptions
    limits: Limits
    additional_loan: AdditionalLoanRules | None = None
    repeat_use_after_repayment: bool = True
    eligibility: EligibilityRules
    documents: DocumentRules | None = None
    partner_banks: tuple[PartnerBankTerms, ...] = ()
    agency_loan: bool = False
    """직접대출: the agency lends itself, so no bank is chosen and no bank certificate is issued."""
    agency: AgencyLoanTerms = AgencyLoanTerms()
    """The maturity and extension terms of an agency loan (read only where ``agency_loan``)."""
    offline: OfflineChannels = OfflineChannels()
    provenance: ProvenanceTable
    display_names: dict[str, tuple[str, str]] = Field(
        default_factory=dict,
        description="Korean and English names of the banks and documents named here; filled by Catalog",
    )

    @model_validator(mode="after")
    def _coherent(self) -> ProductVersion:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        for term in self.rate.step_down_by_term:
            if term not in self.terms.repayment_months:
                raise ValueError(f"rate.step_down_by_term names term {term} not in terms.repayment_months")
        if self.rate.floor > min([self.rate.annual, *self.rate.by_occupation.values()]):
            raise ValueError("rate.floor is above rate.annual or a group's rate")
        if self.agency_loan and self.partner_banks:
            raise ValueError("an agency loan (agency_loan = true) has no partner banks")
        for path in self.provenance.figures:
            if not _has_path(self, path):
                raise ValueError(f"provenance.figures names {path!r}, which is not a field of this product")
        return self

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def provenance_of(self, path: str) -> Provenance:
        """The provenance of the figure at ``path`` (the longest overridden prefix wins)."""
        parts = path.split(".")
        for end in range(len(parts), 0, -1):
            found = self.provenance.figures.get(".".join(parts[:end]))
            if found is not None:
                return found
        return self.provenance.default

    def unconfirmed_figures(self) -> dict[str, Provenance]:
        """Figures to show as "확인 필요"; key "*" stands for every figure not overridden."""
        found = {p: v for p, v in self.provenance.figures.items() if v.needs_confirmation}
        if self.provenance.default.needs_confirmation:
            found["*"] = self.provenance.default
        return found

    def base_rate(self, vulnerable: bool, occupation: Occupation | None = None) -> Decimal:
        """The rate before any cut for the applicant's group: 배려 first, then the occupation's."""
        if vulnerable and self.rate.vulnerable_annual is not None:
            return self.rate.vulnerable_annual
        if occupation is not None:
            return self.rate.by_occupation.get(occupation, self.rate.annual)
        return self.rate.annual

    def draw_cap(self, purpose: LoanPurpose) -> int | None:
        """The most one loan for ``purpose`` may be; None where the product caps draws by total only."""
        if not self.limits.per_draw:
            return None
        return self.limits.per_draw.get(purpose, self.limits.per_draw.get(LoanPurpose.LIVING))

    def preferential_cut(self, codes: Iterable[str]) -> Decimal:
        """The cut for the programmes completed, capped at ``max_preferential_cut`` (they don't stack)."""
        wanted = set(codes)
        total = sum((p.cut for p in self.rate.preferential if p.code in wanted), Decimal("0"))
        return min(total, self.rate.max_preferential_cut)

    def rate_policy(
        self,
        repayment_months: int,
        vulnerable: bool = False,
        preferential: Iterable[str] = (),
        occupation: Occupation | None = None,
    ) -> RatePolicy:
        """The rate path of a loan of this version: base, yearly step-down for the term, floor, cut."""
        if repayment_months not in self.terms.repayment_months:
            raise ValueError(
                f"{self.id} repays over {', '.join(map(str, self.terms.repayment_months))} months, "
                f"not {repayment_months}"
            )
        floor = self.rate.floor
        if vulnerable and self.rate.vulnerable_floor is not None:
            floor = self.rate.vulnerable_floor
        return RatePolicy(
            base_rate=self.base_rate(vulnerable, occupation),
            step_down=self.rate.step_down_by_term.get(repayment_months, Decimal("0")),
            floor=floor,
            preferential_cut=self.preferential_cut(preferential),
        )

    def display_ko(self, code: str) -> str:
        """The Korean display name of a bank or document code named by this version (else the code)."""
        return self.display_names.get(code, (code, code))[0]

    def display_en(self, code: str) -> str:
        return self.display_names.get(code, (code, code))[1]

    def bank(self, code: str) -> PartnerBankTerms | None:
        return next((b for b in self.partner_banks if b.bank == code), None)

    def lenders_in(self, region: str) -> RegionalLenders:
        """The partner banks lending in ``region``, those that have not said, and their names."""
        table = self.regional_lender_table
        if table.banks is not self.partner_banks or table.names is not self.display_names:
            # A copy with other banks or names (a policy what-if, a screening variant) shares its
            # original's cached table: it gets a table of its own.
            table = RegionalLenderTable(self.partner_banks, self.display_names, {})
            self.__dict__["regional_lender_table"] = table
        found = table.by_region.get(region)
        if found is None:
            found = table.by_region[region] = self._regional_lenders(region)
        return found

    @cached_property
    def regional_lender_table(self) -> RegionalLenderTable:
        """What ``lenders_in`` has answered so far (asked on every self-check: derived once per region).
        Not a field: pydantic neither compares nor dumps it."""
        return RegionalLenderTable(self.partner_banks, self.display_names, {})

    def _regional_lenders(self, region: str) -> RegionalLenders:
        verdicts = [(b.bank, b.regions.lends_in(region)) for b in self.partner_banks]
        serving = tuple(code for code, yes in verdicts if yes is True)
        unconfirmed = tuple(code for code, yes in verdicts if yes is None)
        return RegionalLenders(
            serving=serving,
            unconfirmed=unconfirmed,
            options=tuple(LenderOption(c, self.display_ko(c), True) for c in serving)
            + tuple(LenderOption(c, self.display_ko(c), False) for c in unconfirmed),
            serving_ko=", ".join(map(self.display_ko, serving)) or "없음",
            serving_en=", ".join(map(self.display_en, serving)) or "none",
            unconfirmed_ko=", ".join(map(self.display_ko, unconfirmed)),
            unconfirmed_en=", ".join(map(self.display_en, unconfirmed)),
        )

    @property
    def limit_family(self) -> frozenset[str]:
        """Product ids whose loans count against this product's per-person limit."""
        return frozenset((self.id, *self.limits.shared_with))


def _has_path(model: BaseModel, path: str) -> bool:
    node: Any = model
    for part in path.split("."):
        if isinstance(node, BaseModel):
            if part not in type(node).model_fields:
                return False
            node = getattr(node, part)
        elif isinstance(node, Mapping):
            key: Any = int(part) if part.isdigit() and part not in node else part
            if key not in node:
                return False
            node = node[key]
        else:
            return False
    return True


Text = Annotated[str, Field(min_length=1, pattern=r"\S")]
"""A text shown to people: not empty, not only blanks."""


class DocumentType(Frozen):
    """A proof document, described in Korean and English alike: its name, who issues it and, where there
    is something to say, how to get it (``how_ko`` and ``how_en`` come together or not at all)."""

    code: str = Field(pattern=r"^[a-z0-9_]+$")
    name_ko: Text
    name_en: Text
    issuer_ko: Text
    issuer_en: Text
    how_ko: str = ""
    how_en: str = ""

    @model_validator(mode="after")
    def _both_languages(self) -> DocumentType:
        if bool(self.how_ko.strip()) != bool(self.how_en.strip()):
            missing = "how_en" if self.how_ko.strip() else "how_ko"
            raise ValueError(f"{missing} is missing: how to get the document is given in both languages")
        return self


class PartnerBank(Frozen):
    code: str = Field(pattern=r"^[a-z0-9-]+$")
    name_ko: str
    name_en: str
    kind: Literal["bank", "savings_bank", "foundation", "operator"]


class CatalogError(ValueError):
    """The catalog data is malformed; the message names the file and the field."""


class UnknownProduct(LookupError):
    def __init__(self, product_id: str, known: Iterable[str]) -> None:
        super().__init__(f"unknown product {product_id!r}; known products: {', '.join(sorted(known))}")
        self.product_id = product_id


class ProductNotInForce(LookupError):
    """The product has versions, but none on that day; the message says where it went."""

    def __init__(self, product_id: str, on: date, message: str, successor: str | None) -> None:
        super().__init__(message)
        self.product_id = product_id
        self.on = on
        self.successor = successor


class Catalog:
    """All product versions, document types and partner banks, cross-checked."""

    def __init__(
        self,
        versions: Iterable[ProductVersion],
        document_types: Iterable[DocumentType],
        banks: Iterable[PartnerBank],
    ) -> None:
        self.document_types: dict[str, DocumentType] = {d.code: d for d in document_types}
        self.banks: dict[str, PartnerBank] = {b.code: b for b in banks}
        by_id: dict[str, list[ProductVersion]] = {}
        for version in versions:
            by_id.setdefault(version.id, []).append(version)
        self._versions = {pid: sorted(vs, key=lambda v: v.effective_from) for pid, vs in by_id.items()}
        self._check()
        names = {b.code: (b.name_ko, b.name_en) for b in self.banks.values()}
        names.update({d.code: (d.name_ko, d.name_en) for d in self.document_types.values()})
        self._versions = {
            pid: [v.model_copy(update={"display_names": names}) for v in vs]
            for pid, vs in self._versions.items()
        }
        self._in_force: dict[date, tuple[ProductVersion, ...]] = {}

    def _check(self) -> None:
        for pid, versions in self._versions.items():
            for earlier, later in pairwise(versions):
                if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                    until = earlier.effective_to.isoformat() if earlier.effective_to else "(open)"
                    raise CatalogError(
                        f"{pid}@{earlier.version}: field effective_to: {until} overlaps "
                        f"{pid}@{later.version}, which starts {later.effective_from.isoformat()}"
                    )
            for v in versions:
                self._check_references(v)

    def _check_references(self, v: ProductVersion) -> None:
        where = f"{v.id}@{v.version}"
        for ref in (*v.lineage.predecessors, v.lineage.successor, *v.limits.shared_with):
            if ref is not None and ref not in self._versions:
                raise CatalogError(f"{where}: lineage/limits names unknown product {ref!r}")
        for b in v.partner_banks:
            if b.bank not in self.banks:
                raise CatalogError(f"{where}: partner_banks names unknown bank {b.bank!r}")
        if v.documents is not None:
            codes = [t for groups in v.documents.by_occupation.values() for g in groups for t in g.types]
            codes += [t for ts in v.documents.debt_adjustment.values() for t in ts]
            for code in codes:
                if code not in self.document_types:
                    raise CatalogError(f"{where}: documents names unknown document type {code!r}")

    @property
    def product_ids(self) -> list[str]:
        return sorted(self._versions)

    def versions(self, product_id: str) -> list[ProductVersion]:
        if product_id not in self._versions:
            raise UnknownProduct(product_id, self._versions)
        return list(self._versions[product_id])

    def version(self, product_id: str, version: str) -> ProductVersion:
        """One exact version, as a stored application or guarantee names it; LookupError if the catalog
        does not hold it (``UnknownProduct`` for an unknown product)."""
        for v in self.versions(product_id):
            if v.version == version:
                return v
        raise LookupError(f"the catalog holds no version {version!r} of {product_id}")

    def __iter__(self) -> Iterator[ProductVersion]:
        for pid in self.product_ids:
            yield from self._versions[pid]

    def get(self, product_id: str, on: date) -> ProductVersion:
        """The version of ``product_id`` in force on ``on``; says where the product went if none is."""
        versions = self.versions(product_id)
        for v in versions:
            if v.in_force(on):
                return v
        first, last = versions[0], versions[-1]
        if on < first.effective_from:
            before = (
                f" It replaced {', '.join(first.lineage.predecessors)}." if first.lineage.predecessors else ""
            )
            raise ProductNotInForce(
                product_id,
                on,
                f"{product_id} is not offered on {on.isoformat()}: it starts on "
                f"{first.effective_from.isoformat()}.{before}",
                None,
            )
        successor = last.lineage.successor
        if last.effective_to is not None and on > last.effective_to:
            after = f" It was succeeded by {successor}." if successor else ""
            raise ProductNotInForce(
                product_id,
                on,
                f"{product_id} is not offered on {on.isoformat()}: it ended on "
                f"{last.effective_to.isoformat()}.{after}",
                successor,
            )
        raise ProductNotInForce(
            product_id, on, f"{product_id} has no version in force on {on.isoformat()}", None
        )

    def latest(self, product_id: str) -> ProductVersion:
        return self.versions(product_id)[-1]

    def in_force(self, on: date) -> list[ProductVersion]:
        """Every version in force on ``on``, by product id (asked by every self-check: kept per day)."""
        found = self._in_force.get(on)
        if found is None:
            found = tuple(v for pid in self.product_ids for v in self._versions[pid] if v.in_force(on))
            if len(self._in_force) > 1024:  # a long-running process sees one new day a day; bound it anyway
                self._in_force.clear()
            self._in_force[on] = found
        return list(found)

    def bank_name(self, code: str) -> str:
        bank = self.banks.get(code)
        return bank.name_ko if bank else code

    def resolve_bank(self, name_or_code: str) -> str:
        """A bank code from a code or a Korean/English name; LookupError naming the known banks."""
        key = name_or_code.strip()
        if key in self.banks:
            return key
        for bank in self.banks.values():
            if key in (bank.name_ko, bank.name_en) or key.lower() == bank.name_en.lower():
                return bank.code
        raise LookupError(f"unknown bank {name_or_code!r}; known banks: {', '.join(sorted(self.banks))}")


__all__ = [
    "REGIONS",
    "AgencyLoanTerms",
    "Catalog",
    "CatalogError",
    "Confidence",
    "DebtAdjustmentKind",
    "Haessal15Status",
    "LoanPurpose",
    "Occupation",
    "ProductNotInForce",
    "ProductVersion",
    "UnknownProduct",
]
