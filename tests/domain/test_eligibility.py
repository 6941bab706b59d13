"""Eligibility engine: golden cases from every FAQ answer of seed 004, each reason code, and invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seomin.adapters.catalog_files import default_catalog
from seomin.domain.catalog import Catalog, ProductVersion
from seomin.domain.eligibility import Decision, OfferKind, Status, evaluate, is_eligible
from seomin.domain.money import format_rate
from seomin.domain.profile import ApplicantProfile
from seomin.domain.reasons import TEMPLATES, Outcome

AS_OF = date(2025, 5, 15)
LOWEST = "lowest-credit-special"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture(scope="module")
def lowest(catalog: Catalog) -> ProductVersion:
    return catalog.get(LOWEST, AS_OF)


def person(**overrides: Any) -> ApplicantProfile:
    """An applicant who meets every rule of seed 004; each test changes what it is about."""
    base: dict[str, Any] = {
        "birth_date": date(1985, 3, 1),
        "annual_income": 30_000_000,
        "kcb_score": 600,
        "nice_score": 650,
        "occupation": "employee",
        "employed_months": 24,
        "haessal15": "rejected",
        "region": "서울",
    }
    base.update(overrides)
    return ApplicantProfile.model_validate(base)


def loan(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "product": LOWEST,
        "bank": "kwangju",
        "amount": 5_000_000,
        "balance": 4_000_000,
        "executed_on": date(2024, 9, 1),
        "in_arrears": False,
        "repaid": False,
    }
    base.update(overrides)
    return base


def judge(product: ProductVersion, profile: ApplicantProfile, as_of: date = AS_OF) -> Decision:
    return evaluate(product, profile, as_of)


def fails(decision: Decision) -> list[str]:
    return [r.code for r in decision.reasons if r.outcome is Outcome.FAIL]


def test_the_base_applicant_is_eligible_for_the_first_time_limit(lowest: ProductVersion) -> None:
    decision = judge(lowest, person())
    assert decision.status is Status.ELIGIBLE
    assert decision.codes == ("ELIGIBLE",)
    assert decision.offer is not None
    assert decision.offer.kind is OfferKind.FIRST
    assert decision.offer.max_amount == 5_000_000
    assert decision.offer.annual_rate == Decimal("15.9")  # FAQ 4: single rate, fee included
    assert decision.offer.term_months == (36, 60)  # FAQ 6
    assert decision.offer.grace_months == (0, 12)
    assert "5,000,000원" in decision.reasons[0].message_ko


# --- FAQ answers of seed 004 ---------------------------------------------------------------------


@pytest.mark.parametrize("status", ["none", "using", "repaid"])
def test_faq1_only_a_rejected_haessal15_applicant_qualifies(lowest: ProductVersion, status: str) -> None:
    decision = judge(lowest, person(haessal15=status))
    assert fails(decision) == ["HAESSAL15_NOT_REJECTED"]
    assert decision.offer is None


@pytest.mark.parametrize(
    ("kcb", "nice", "eligible"),
    [
        (675, 900, True),  # KCB exactly at the cutoff
        (900, 724, True),  # NICE exactly at the cutoff: either bureau suffices
        (676, 725, False),
        (None, 724, True),
        (676, None, False),
    ],
)
def test_faq2_either_bureau_at_or_below_its_cutoff_suffices(
    lowest: ProductVersion, kcb: int | None, nice: int | None, eligible: bool
) -> None:
    decision = judge(lowest, person(kcb_score=kcb, nice_score=nice))
    assert decision.eligible is eligible
    if not eligible:
        assert fails(decision) == ["CREDIT_SCORE_ABOVE_CUTOFF"]


def test_faq2_the_message_names_the_scores_and_cutoffs(lowest: ProductVersion) -> None:
    reason = judge(lowest, person(kcb_score=690, nice_score=730)).reasons[0]
    assert reason.code == "CREDIT_SCORE_ABOVE_CUTOFF"
    assert "KCB 690 > 675" in reason.message_en
    assert "NICE 730점 > 724점" in reason.message_ko
    assert reason.figures == {"kcb_score": 690, "nice_score": 730, "kcb_max": 675, "nice_max": 724}
    assert "675점 이하" in reason.remedy_ko


def test_unknown_scores_need_confirmation_not_a_refusal(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(kcb_score=None, nice_score=None))
    assert decision.status is Status.NEEDS_CONFIRMATION
    assert decision.codes == ("CREDIT_SCORE_UNKNOWN",)
    assert not decision.eligible
    assert decision.offer is not None  # provisional: what they could get once the score is confirmed


def test_faq3_no_work_and_no_pension_is_refused(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(occupation="unemployed", employed_months=0))
    assert fails(decision) == ["TENURE_TOO_SHORT"]
    assert "연금을 1회 이상 받으면" in decision.reasons[0].remedy_ko  # no date: waiting alone won't help


@pytest.mark.parametrize(("months", "eligible"), [(2, False), (3, True)])
def test_three_months_of_work_are_needed(lowest: ProductVersion, months: int, eligible: bool) -> None:
    decision = judge(lowest, person(employed_months=months))
    assert decision.eligible is eligible
    if not eligible:
        reason = decision.reasons[0]
        assert reason.code == "TENURE_TOO_SHORT"
        assert "2025.06.15" in reason.remedy_ko


def test_one_pension_payment_is_enough(lowest: ProductVersion) -> None:
    assert judge(lowest, person(occupation="pensioner", employed_months=0, pension_payments=1)).eligible
    assert not judge(lowest, person(occupation="pensioner", employed_months=0, pension_payments=0)).eligible


def test_faq5_first_use_is_capped_at_5_million(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(requested_amount=10_000_000))
    assert fails(decision) == ["AMOUNT_ABOVE_LIMIT"]
    assert decision.reasons[0].figures == {"requested": 10_000_000, "max_amount": 5_000_000}
    assert judge(lowest, person(requested_amount=5_000_000)).eligible


def test_faq5_additional_loan_after_six_on_time_months(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(existing_loans=[loan()]))
    assert decision.eligible
    assert decision.offer is not None
    assert decision.offer.kind is OfferKind.ADDITIONAL
    assert decision.offer.max_amount == 5_000_000  # 10,000,000 total − 5,000,000 executed
    assert [o.bank for o in decision.offer.lenders] == ["kwangju"]  # only the bank holding the loan


def test_additional_loan_is_too_early_before_six_months_with_the_opening_day(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(existing_loans=[loan(executed_on=date(2024, 11, 30))]))
    assert fails(decision) == ["ADDITIONAL_LOAN_TOO_EARLY"]
    assert decision.reasons[0].figures["opens_on"] == date(2025, 5, 30)
    assert "2025.05.30" in decision.reasons[0].remedy_ko


def test_additional_loan_six_months_counts_to_a_clamped_month_end(lowest: ProductVersion) -> None:
    profile = person(existing_loans=[loan(executed_on=date(2024, 8, 31))])
    assert not judge(lowest, profile, date(2025, 2, 27)).eligible
    assert judge(lowest, profile, date(2025, 2, 28)).eligible


def test_the_additional_loan_is_granted_once(lowest: ProductVersion) -> None:
    first = loan(amount=3_000_000, balance=2_000_000)
    second = loan(amount=2_000_000, balance=0, executed_on=date(2025, 3, 1), repaid=True)
    decision = judge(lowest, person(existing_loans=[first, second]))
    assert fails(decision) == ["ADDITIONAL_LOAN_ALREADY_USED"]


def test_at_most_two_open_accounts(lowest: ProductVersion) -> None:
    loans = [
        loan(amount=3_000_000, balance=2_500_000),
        loan(amount=2_000_000, balance=2_000_000, executed_on=date(2025, 3, 1)),
    ]
    decision = judge(lowest, person(existing_loans=loans))
    assert fails(decision) == ["TOO_MANY_ACCOUNTS", "ADDITIONAL_LOAN_ALREADY_USED"]


def test_limit_exhausted_when_the_open_loans_use_the_total(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(existing_loans=[loan(amount=10_000_000, balance=9_000_000)]))
    assert fails(decision) == ["LIMIT_EXHAUSTED"]
    assert decision.reasons[0].figures == {"total": 10_000_000, "used": 10_000_000}


def test_arrears_on_an_open_loan_block_the_additional_loan(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(existing_loans=[loan(in_arrears=True)]))
    assert fails(decision) == ["DELINQUENT"]


def test_faq9_only_partner_lenders(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(requested_bank="miso-foundations"))
    assert fails(decision) == ["BANK_NOT_PARTNER"]


@pytest.mark.parametrize(
    ("bank", "region", "eligible"),
    [
        ("db-sb", "서울", True),
        ("db-sb", "부산", False),
        ("sbi-sb", "경북", False),
        ("sbi-sb", "전남", True),
        ("ibk-sb", "울산", True),
        ("kwangju", "제주", True),
        ("woori-sb", "세종", True),
    ],
)
def test_partner_bank_regions_follow_the_registered_address(
    lowest: ProductVersion, bank: str, region: str, eligible: bool
) -> None:
    decision = judge(lowest, person(requested_bank=bank, region=region))
    assert decision.eligible is eligible
    if not eligible:
        assert fails(decision) == ["NO_BANK_IN_REGION"]
        assert region in decision.reasons[0].message_ko


def test_a_lender_with_unpublished_regions_is_a_note_not_a_refusal(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(requested_bank="welcome-sb"))
    assert decision.eligible
    assert decision.codes == ("ELIGIBLE", "BANK_REGION_UNCONFIRMED")


@pytest.mark.parametrize(
    ("issued_on", "code"),
    [
        (date(2025, 4, 15), None),  # exactly one month before the application
        (date(2025, 4, 14), "DOCUMENT_EXPIRED"),
        (date(2025, 5, 16), "DOCUMENT_DATE_INVALID"),
    ],
)
def test_faq10_documents_issued_within_one_month(
    lowest: ProductVersion, issued_on: date, code: str | None
) -> None:
    documents = [
        {"type": "health_insurance_eligibility", "issued_on": issued_on},
        {"type": "income_amount_certificate", "issued_on": date(2025, 5, 1)},
    ]
    decision = judge(lowest, person(documents=documents))
    if code is None:
        assert decision.eligible
    else:
        assert fails(decision) == [code]


def test_document_window_clamps_at_month_end(lowest: ProductVersion) -> None:
    documents = [
        {"type": "health_insurance_eligibility", "issued_on": date(2025, 2, 28)},
        {"type": "payslips_3_months", "issued_on": date(2025, 3, 1)},
    ]
    assert judge(lowest, person(documents=documents), date(2025, 3, 31)).eligible
    reason = judge(lowest, person(documents=documents), date(2025, 3, 31)).reasons[0]
    assert reason.code == "ELIGIBLE"
    expired = judge(lowest, person(documents=documents), date(2025, 4, 1))
    assert fails(expired) == ["DOCUMENT_EXPIRED"]
    assert expired.reasons[0].figures["valid_from"] == date(2025, 3, 1)


def test_a_missing_proof_names_the_accepted_documents(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(documents=[{"type": "health_insurance_eligibility", "issued_on": AS_OF}]))
    assert fails(decision) == ["DOCUMENT_MISSING"]
    assert "소득금액증명원" in decision.reasons[0].message_ko


@pytest.mark.parametrize(("months", "eligible"), [(5, False), (6, True)])
@pytest.mark.parametrize("kind", ["workout", "rehabilitation", "new_start_fund"])
def test_faq11_debt_adjustment_with_six_faithful_payments(
    lowest: ProductVersion, kind: str, months: int, eligible: bool
) -> None:
    profile = person(public_record=True, debt_adjustment={"kind": kind, "faithful_months": months})
    decision = judge(lowest, profile)
    assert decision.eligible is eligible
    if not eligible:
        assert fails(decision) == ["DEBT_ADJUSTMENT_TOO_SHORT"]
        assert decision.reasons[0].figures["missing"] == 1


def test_public_records_without_debt_adjustment_are_excluded(lowest: ProductVersion) -> None:
    assert fails(judge(lowest, person(public_record=True))) == ["PUBLIC_RECORD"]


def test_debt_adjustment_applicants_prove_faithful_repayment_instead(lowest: ProductVersion) -> None:
    documents = [{"type": "rehabilitation_payment_certificate", "issued_on": AS_OF}]
    profile = person(
        public_record=True,
        debt_adjustment={"kind": "rehabilitation", "faithful_months": 8},
        documents=documents,
    )
    assert judge(lowest, profile).eligible


def test_faq12_repeat_use_after_full_repayment(lowest: ProductVersion) -> None:
    repaid = [
        loan(amount=10_000_000, balance=0, repaid=True),
        loan(executed_on=date(2025, 1, 1), balance=0, repaid=True),
    ]
    decision = judge(lowest, person(existing_loans=repaid))
    assert decision.eligible
    assert decision.offer is not None
    assert decision.offer.kind is OfferKind.REPEAT
    assert decision.offer.max_amount == 5_000_000


def test_faq13_additional_loan_only_at_the_bank_that_made_the_first(lowest: ProductVersion) -> None:
    decision = judge(lowest, person(existing_loans=[loan()], requested_bank="db-sb"))
    assert fails(decision) == ["ADDITIONAL_LOAN_OTHER_BANK"]
    assert "광주은행" in decision.reasons[0].message_ko


@pytest.mark.parametrize(
    "programmes", [["employment-support"], ["consulting"], ["consulting", "employment-support"]]
)
def test_faq15_preferential_rate_is_one_tenth_not_cumulative(
    lowest: ProductVersion, programmes: list[str]
) -> None:
    decision = judge(lowest, person(preferential=programmes))
    assert decision.offer is not None
    assert decision.offer.annual_rate == Decimal("15.8")


@pytest.mark.parametrize(("income", "eligible"), [(45_000_000, True), (45_000_001, False)])
def test_income_cap_is_inclusive(lowest: ProductVersion, income: int, eligible: bool) -> None:
    decision = judge(lowest, person(annual_income=income))
    assert decision.eligible is eligible
    if not eligible:
        assert fails(decision) == ["INCOME_ABOVE_CAP"]
        assert "45,000,001" in decision.reasons[0].message_ko


def test_every_failed_rule_is_reported_not_only_the_first(lowest: ProductVersion) -> None:
    decision = judge(
        lowest,
        person(haessal15="using", kcb_score=700, nice_score=800, annual_income=50_000_000, employed_months=1),
    )
    assert fails(decision) == [
        "HAESSAL15_NOT_REJECTED",
        "CREDIT_SCORE_ABOVE_CUTOFF",
        "INCOME_ABOVE_CAP",
        "TENURE_TOO_SHORT",
    ]


# --- other products and alternatives ----------------------------------------------------------------


def test_haessal15_allows_45_million_with_bottom_20_percent_credit(catalog: Catalog) -> None:
    product = catalog.get("haessal-15", AS_OF)
    assert evaluate(product, person(annual_income=40_000_000, kcb_score=690), AS_OF).eligible
    refused = evaluate(product, person(annual_income=40_000_000, kcb_score=800, nice_score=800), AS_OF)
    assert [r.code for r in refused.reasons] == ["INCOME_ABOVE_CAP", "LENDERS_TO_CONFIRM"]
    assert "45,000,000" in refused.reasons[0].remedy_ko


def test_youth_product_checks_age(catalog: Catalog) -> None:
    product = catalog.get("haessal-youth", AS_OF)
    young = person(birth_date=date(1995, 6, 1), occupation="unemployed", employed_months=0)
    assert evaluate(product, young, AS_OF).eligible
    old = person(birth_date=date(1990, 5, 15), occupation="unemployed", employed_months=0)
    assert fails(evaluate(product, old, AS_OF)) == ["AGE_OUT_OF_RANGE"]


def test_ineligible_applicants_are_shown_the_products_that_fit(
    catalog: Catalog, lowest: ProductVersion
) -> None:
    decision = evaluate(lowest, person(haessal15="none"), AS_OF, catalog=catalog)
    assert not decision.eligible
    assert "haessal-15" in decision.alternatives
    assert LOWEST not in decision.alternatives


def test_a_product_not_in_force_is_refused(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="not in force"):
        evaluate(catalog.get(LOWEST, AS_OF), person(), date(2026, 3, 1))


# --- invariants ------------------------------------------------------------------------------------

profiles = st.builds(
    person,
    annual_income=st.integers(0, 80_000_000),
    kcb_score=st.none() | st.integers(300, 1000),
    nice_score=st.none() | st.integers(300, 1000),
    occupation=st.sampled_from(["employee", "business", "freelancer", "pensioner", "unemployed"]),
    employed_months=st.integers(0, 60),
    pension_payments=st.integers(0, 3),
    haessal15=st.sampled_from(["none", "rejected", "using", "repaid"]),
    public_record=st.booleans(),
    region=st.sampled_from(["서울", "부산", "경북", "제주", "세종"]),
    requested_bank=st.none() | st.sampled_from(["kwangju", "db-sb", "sbi-sb", "welcome-sb"]),
)


@settings(max_examples=300, deadline=None)
@given(profile=profiles)
def test_decisions_are_consistent(profile: ApplicantProfile) -> None:
    product = default_catalog().get(LOWEST, AS_OF)
    decision = evaluate(product, profile, AS_OF)
    assert is_eligible(product, profile, AS_OF) is decision.eligible  # the verdict-only path agrees
    assert all(code in TEMPLATES for code in decision.codes)
    has_fail = any(r.outcome is Outcome.FAIL for r in decision.reasons)
    assert decision.eligible is (not has_fail and decision.status is Status.ELIGIBLE)
    assert (decision.offer is None) is has_fail
    if decision.offer is not None:
        assert 0 < decision.offer.max_amount <= product.limits.first_time
    for reason in decision.reasons:
        assert reason.message_ko and reason.message_en
        if reason.outcome is Outcome.FAIL and reason.code != "BANK_NOT_PARTNER":
            assert reason.remedy_ko or reason.code in {"AGE_OUT_OF_RANGE", "OCCUPATION_NOT_ELIGIBLE"}


@settings(max_examples=200, deadline=None)
@given(profile=profiles, less_income=st.integers(0, 80_000_000), lower_score=st.integers(0, 300))
def test_less_income_or_a_lower_score_never_hurts(
    profile: ApplicantProfile, less_income: int, lower_score: int
) -> None:
    product = default_catalog().get(LOWEST, AS_OF)
    if not evaluate(product, profile, AS_OF).eligible:
        return
    poorer = profile.model_copy(
        update={
            "annual_income": min(less_income, profile.annual_income),
            "kcb_score": None if profile.kcb_score is None else max(0, profile.kcb_score - lower_score),
        }
    )
    assert evaluate(product, poorer, AS_OF).eligible


# --- lenders: an agency loan takes no bank; no lender on file means no certificate ----------------------


def test_an_agency_loan_takes_no_bank(catalog: Catalog) -> None:
    """불법사금융예방대출 is lent by the agency: a certificate for 광주은행 is refused (issue 11)."""
    on = date(2026, 3, 2)
    product = catalog.get("illegal-finance-prevention", on)
    assert product.agency_loan and not product.partner_banks
    applicant = person(kcb_score=600, annual_income=20_000_000)
    assert evaluate(product, applicant, on).eligible
    refused = evaluate(product, applicant.model_copy(update={"requested_bank": "kwangju"}), on)
    assert fails(refused) == ["AGENCY_LOAN_NO_BANK"]
    assert "직접" in refused.reasons[0].message_ko and "1397" in refused.reasons[0].remedy_ko


def test_no_lender_on_file_issues_no_certificate_and_says_whom_to_call(catalog: Catalog) -> None:
    on = date(2026, 3, 2)
    # the rule, on a version whose lenders are not on file (haessal-youth's, for one)
    special = catalog.get("haessal-special", on).model_copy(update={"partner_banks": ()})
    assert not special.agency_loan
    applicant = person(kcb_score=600, annual_income=20_000_000)
    told = evaluate(special, applicant, on)
    assert told.eligible  # a self-check may pass, but is told to confirm the lender
    assert [r.code for r in told.reasons if r.outcome is Outcome.NOTE] == ["LENDERS_TO_CONFIRM"]
    refused = evaluate(special, applicant.model_copy(update={"requested_bank": "kwangju"}), on)
    assert fails(refused) == ["NO_LENDER_ON_FILE"]
    assert "1397" in refused.reasons[0].remedy_ko


def test_the_2026_guarantees_go_through_their_published_lender_with_regions_to_confirm(
    catalog: Catalog,
) -> None:
    on = date(2026, 3, 2)
    applicant = person(kcb_score=600, annual_income=20_000_000)
    for product_id in ("haessal-special", "haessal-general"):
        product = catalog.get(product_id, on)
        assert [b.bank for b in product.partner_banks] == ["busan"]
        assert product.display_ko("busan") == "BNK부산은행"
        told = evaluate(product, applicant, on)
        assert told.eligible and "BANK_REGION_UNCONFIRMED" in [r.code for r in told.reasons]
        chosen = evaluate(product, applicant.model_copy(update={"requested_bank": "busan"}), on)
        assert chosen.eligible and not fails(chosen)
        other = evaluate(product, applicant.model_copy(update={"requested_bank": "kwangju"}), on)
        assert fails(other) == ["BANK_NOT_PARTNER"]


def test_tax_arrears_keep_a_person_from_the_special_guarantee_unless_the_exception_holds(
    catalog: Catalog,
) -> None:
    on = date(2026, 3, 2)
    special = catalog.get("haessal-special", on)
    arrears = person(kcb_score=600, annual_income=20_000_000, public_record=True)
    assert fails(evaluate(special, arrears, on)) == ["PUBLIC_RECORD"]
    # the agency's own emergency loan is decided the other way: a public record does not exclude
    assert evaluate(catalog.get("illegal-finance-prevention", on), arrears, on).eligible


@pytest.mark.parametrize(
    ("on", "occupation", "vulnerable", "rate"),
    [
        (date(2026, 3, 2), "unemployed", False, "4"),  # students and job seekers
        (date(2026, 3, 2), "employee", False, "4.5"),  # new SME workers
        (date(2026, 3, 2), "business", False, "4.5"),  # founders, since 2024-10-31
        (date(2026, 3, 2), "unemployed", True, "2"),  # 배려 youth from 2025-06-09
        (date(2025, 6, 8), "unemployed", True, "3.6"),  # 배려 youth before
    ],
)
def test_youth_rates_by_group(
    catalog: Catalog, on: date, occupation: str, vulnerable: bool, rate: str
) -> None:
    youth = catalog.get("haessal-youth", on)
    applicant = person(
        birth_date=date(1999, 4, 1), occupation=occupation, employed_months=3, vulnerable=vulnerable
    )
    decision = evaluate(youth, applicant, on)
    assert decision.eligible and decision.offer is not None
    assert format_rate(decision.offer.annual_rate) == rate
    assert f"연 {rate}%" in decision.reasons[0].message_ko


def test_youth_founders_only_from_2024_10_31(catalog: Catalog) -> None:
    founder = person(birth_date=date(1999, 4, 1), occupation="business", employed_months=3)
    before = date(2024, 10, 30)
    assert fails(evaluate(catalog.get("haessal-youth", before), founder, before)) == [
        "OCCUPATION_NOT_ELIGIBLE"
    ]
    on = date(2024, 10, 31)
    assert evaluate(catalog.get("haessal-youth", on), founder, on).eligible


def test_youth_caps_each_draw_by_purpose_within_the_total(catalog: Catalog) -> None:
    on = date(2026, 3, 2)
    youth = catalog.get("haessal-youth", on)
    seeker = person(birth_date=date(1999, 4, 1), occupation="unemployed", employed_months=0)
    living = evaluate(youth, seeker, on)
    assert living.offer is not None and living.offer.max_amount == 3_000_000
    specific = evaluate(youth, seeker.model_copy(update={"loan_purpose": "specific"}), on)
    assert specific.offer is not None and specific.offer.max_amount == 9_000_000
    too_much = evaluate(youth, seeker.model_copy(update={"requested_amount": 5_000_000}), on)
    assert fails(too_much) == ["AMOUNT_ABOVE_DRAW_CAP"]
    [reason] = [r for r in too_much.reasons if r.code == "AMOUNT_ABOVE_DRAW_CAP"]
    assert "일반생활자금은 한 번에 3,000,000원까지" in reason.message_ko and reason.rule == "limits.per_draw"


@settings(max_examples=300, deadline=None)
@given(profile=profiles, as_of=st.sampled_from([AS_OF, date(2026, 1, 2)]))
def test_the_verdict_only_path_agrees_for_every_product_in_force(
    profile: ApplicantProfile, as_of: date
) -> None:
    """Alternatives are listed by ``is_eligible``, which stops at the first failure or open question."""
    catalog = default_catalog()
    for product in catalog.in_force(as_of):
        assert is_eligible(product, profile, as_of) is evaluate(product, profile, as_of).eligible, product.id
