"""The shipped product catalog: it loads, answers by date, keeps seed 004's figures, fails loudly on bad data.

Real files only: the shipped data directory, or a copy of it under tmp_path with one file broken.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from seomin.adapters.catalog_files import default_catalog, load_catalog_dir
from seomin.domain.catalog import (
    Catalog,
    CatalogError,
    Confidence,
    DebtAdjustmentKind,
    Haessal15Status,
    Occupation,
    ProductNotInForce,
    ProductVersion,
    UnknownProduct,
)
from seomin.domain.regions import REGIONS
from seomin.domain.schedule import RatePolicy, RepaymentMethod

ISSUE_PRODUCTS = (
    "lowest-credit-special",
    "haessal-15",
    "haessal-17",
    "worker-haessal",
    "haessal-youth",
    "miso",
    "haessal-special",
    "haessal-general",
    "illegal-finance-prevention",
)
LOWEST = "lowest-credit-special"
LOWEST_FILE = "lowest-credit-special@2024-04.toml"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture(scope="module")
def lowest(catalog: Catalog) -> ProductVersion:
    """Seed 004's product, the 2024-04 version."""
    version = catalog.get(LOWEST, date(2025, 5, 1))
    assert version.version == "2024-04"
    return version


# --- the shipped catalog -------------------------------------------------------------------------------


def test_shipped_catalog_loads_with_every_product_of_the_issue(catalog: Catalog) -> None:
    assert set(ISSUE_PRODUCTS) <= set(catalog.product_ids)


def test_every_version_speaks_korean_and_english(catalog: Catalog) -> None:
    for v in catalog:
        for text in (v.name_ko, v.name_en, v.summary_ko, v.summary_en, v.audience_ko, v.audience_en):
            assert text.strip(), f"{v.id}@{v.version} has an empty name, summary or audience"


def test_every_override_of_the_default_confidence_has_a_source(catalog: Catalog) -> None:
    for v in catalog:
        for path, provenance in v.provenance.figures.items():
            assert provenance.source.strip(), f"{v.id}@{v.version} {path}"


def test_the_2026_line_up_is_what_is_offered_on_2026_01_02(catalog: Catalog) -> None:
    offered = {v.id for v in catalog.in_force(date(2026, 1, 2))}
    assert {"haessal-special", "haessal-general", "illegal-finance-prevention"} <= offered
    assert not offered & {"lowest-credit-special", "haessal-15", "worker-haessal"}


def test_the_2026_special_guarantee_shares_its_limit_with_what_it_merged(catalog: Catalog) -> None:
    special = catalog.latest("haessal-special")
    assert set(special.lineage.predecessors) == {"haessal-15", "lowest-credit-special"}
    assert special.limit_family == {"haessal-special", "haessal-15", "lowest-credit-special"}


@pytest.mark.parametrize(
    ("product_id", "limit", "ratio", "rate", "vulnerable", "floor", "vulnerable_floor"),
    [
        # Asiae EN 2026-01-05 / neighbornews.kr 2026-02-06 (limit), domain.md (rates and end rates)
        ("haessal-special", 10_000_000, "100", "12.5", "9.9", "9.5", "7.0"),
        # Asiae EN 2026-01-05: 15,000,000, 90% guarantee; 11.5% interest with the fee quoted separately
        ("haessal-general", 15_000_000, "90", "11.5", "11.5", "11.5", "11.5"),
    ],
)
def test_the_2026_guarantees_carry_the_published_figures(
    catalog: Catalog,
    product_id: str,
    limit: int,
    ratio: str,
    rate: str,
    vulnerable: str,
    floor: str,
    vulnerable_floor: str,
) -> None:
    product = catalog.get(product_id, date(2026, 3, 2))
    assert product.limits.total_per_person == limit
    assert product.limits.first_time == limit
    assert product.guarantee.ratio_pct == Decimal(ratio)
    assert product.base_rate(vulnerable=False) == Decimal(rate)
    assert product.base_rate(vulnerable=True) == Decimal(vulnerable)
    assert (product.rate.vulnerable_floor or product.rate.floor) == Decimal(vulnerable_floor)
    assert product.rate.floor == Decimal(floor)
    assert product.provenance_of("limits.total_per_person").confidence is Confidence.REPORTED


def test_the_general_guarantee_stays_within_its_all_in_cap_with_the_fee_quoted_separately(
    catalog: Catalog,
) -> None:
    general = catalog.get("haessal-general", date(2026, 3, 2))
    assert not general.rate.fee_included
    fee = general.guarantee.annual_fee_pct
    assert fee is not None and fee > 0
    assert general.rate.annual + fee <= Decimal("12.5")  # published all-in cap (Asiae EN 2026-01-05)
    # the split is ours, and says so
    assert general.provenance_of("rate.annual").confidence is Confidence.INTERPRETATION
    assert general.provenance_of("guarantee.annual_fee_pct").confidence is Confidence.INTERPRETATION


# --- lookups by date -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product_id", "on", "version"),
    [
        (LOWEST, date(2022, 9, 1), "2022-09"),
        (LOWEST, date(2023, 1, 1), "2022-09"),
        (LOWEST, date(2024, 3, 31), "2022-09"),
        (LOWEST, date(2024, 4, 1), "2024-04"),
        (LOWEST, date(2025, 5, 1), "2024-04"),
        (LOWEST, date(2026, 1, 1), "2024-04"),
        ("haessal-17", date(2021, 7, 6), "2019-09"),
        ("haessal-15", date(2021, 7, 7), "2021-07"),
        ("haessal-15", date(2026, 1, 1), "2021-07"),
        ("haessal-special", date(2026, 1, 2), "2026-01"),
        ("haessal-youth", date(2024, 10, 30), "2019-01"),
        ("haessal-youth", date(2024, 10, 31), "2024-10"),
        ("haessal-youth", date(2025, 6, 8), "2024-10"),
        ("haessal-youth", date(2025, 6, 9), "2025-06"),
        ("haessal-youth", date(2030, 1, 1), "2025-06"),
    ],
)
def test_lookup_picks_the_version_in_force_with_inclusive_boundaries(
    catalog: Catalog, product_id: str, on: date, version: str
) -> None:
    assert catalog.get(product_id, on).version == version


def test_vulnerable_youth_rate_only_from_2025_06_09(catalog: Catalog) -> None:
    before = catalog.get("haessal-youth", date(2025, 6, 8))
    after = catalog.get("haessal-youth", date(2025, 6, 9))
    assert before.base_rate(vulnerable=True) == Decimal("3.6")
    assert after.base_rate(vulnerable=True) == Decimal("2.0")
    assert after.base_rate(vulnerable=False) == Decimal("4.5")  # SME workers and founders
    assert after.base_rate(vulnerable=False, occupation=Occupation.UNEMPLOYED) == Decimal("4.0")
    assert after.base_rate(vulnerable=True, occupation=Occupation.UNEMPLOYED) == Decimal("2.0")


def test_lowest_credit_special_after_its_end_points_to_haessal_special(catalog: Catalog) -> None:
    with pytest.raises(ProductNotInForce) as caught:
        catalog.get(LOWEST, date(2026, 1, 2))
    assert "haessal-special" in str(caught.value)
    assert "2026-01-01" in str(caught.value)
    assert caught.value.successor == "haessal-special"


def test_haessal_17_in_2022_points_to_haessal_15(catalog: Catalog) -> None:
    with pytest.raises(ProductNotInForce) as caught:
        catalog.get("haessal-17", date(2022, 3, 1))
    assert "haessal-15" in str(caught.value)
    assert caught.value.successor == "haessal-15"


def test_haessal_special_before_its_start_says_when_and_what_it_replaced(catalog: Catalog) -> None:
    with pytest.raises(ProductNotInForce) as caught:
        catalog.get("haessal-special", date(2025, 12, 31))
    message = str(caught.value)
    assert "2026-01-02" in message
    assert "haessal-15" in message
    assert "lowest-credit-special" in message


def test_unknown_product_lists_the_known_ones(catalog: Catalog) -> None:
    with pytest.raises(UnknownProduct) as caught:
        catalog.get("haessal-99", date(2025, 1, 1))
    message = str(caught.value)
    assert "haessal-99" in message
    for product_id in ISSUE_PRODUCTS:
        assert product_id in message


# --- seed 004 golden figures ---------------------------------------------------------------------------


def test_seed_004_limits_and_additional_loan(lowest: ProductVersion) -> None:
    assert lowest.limits.total_per_person == 10_000_000
    assert lowest.limits.first_time == 5_000_000
    assert lowest.limits.max_open_accounts == 2
    extra = lowest.additional_loan
    assert extra is not None
    assert (extra.max_times, extra.min_months_on_time, extra.max_amount) == (1, 6, 5_000_000)
    assert extra.same_bank_while_open
    assert lowest.repeat_use_after_repayment


def test_seed_004_rate_and_terms(lowest: ProductVersion) -> None:
    assert lowest.rate.annual == Decimal("15.9")
    assert lowest.rate.fee_included
    assert lowest.rate.step_down_by_term == {36: Decimal("3.0"), 60: Decimal("1.5")}
    assert {p.code: p.cut for p in lowest.rate.preferential} == {
        "consulting": Decimal("0.1"),
        "employment-support": Decimal("0.1"),
    }
    assert lowest.terms.repayment_months == (36, 60)
    assert lowest.terms.grace_months == (0, 12)
    assert lowest.terms.methods == (RepaymentMethod.EQUAL_INSTALLMENT,)
    assert lowest.guarantee.ratio_pct == Decimal("100")


def test_seed_004_eligibility(lowest: ProductVersion) -> None:
    rules = lowest.eligibility
    assert rules.haessal15_statuses == (Haessal15Status.REJECTED,)
    assert rules.credit is not None
    assert (rules.credit.kcb_max, rules.credit.nice_max, rules.credit.as_of) == (675, 724, "2024-04")
    assert rules.income is not None
    assert rules.income.cap == 45_000_000
    assert (rules.min_employed_months, rules.min_pension_payments) == (3, 1)
    assert rules.public_record_excluded
    assert rules.debt_adjustment_exception is not None
    assert set(rules.debt_adjustment_exception.kinds) == set(DebtAdjustmentKind)
    assert rules.debt_adjustment_exception.min_faithful_months == 6


def test_seed_004_has_fourteen_partner_banks(lowest: ProductVersion) -> None:
    assert len(lowest.partner_banks) == 14
    assert len({b.bank for b in lowest.partner_banks}) == 14


def _bank(version: ProductVersion, code: str) -> Callable[[str], bool | None]:
    terms = version.bank(code)
    assert terms is not None, code
    return terms.regions.lends_in


def test_seed_004_bank_regions(lowest: ProductVersion) -> None:
    db = _bank(lowest, "db-sb")
    assert db("서울") is True
    assert [r for r in REGIONS if db(r)] == ["서울"]
    sbi = _bank(lowest, "sbi-sb")
    assert {r for r in REGIONS if not sbi(r)} == {"부산", "울산", "경북"}
    for nationwide in ("kwangju", "jeonbuk"):
        assert all(_bank(lowest, nationwide)(r) for r in REGIONS)
    assert {r for r in REGIONS if _bank(lowest, "woori-sb")(r)} == {
        "서울",
        "경기",
        "인천",
        "충북",
        "충남",
        "세종",
    }
    for south_east in ("ibk-sb", "bnk-sb"):
        assert {r for r in REGIONS if _bank(lowest, south_east)(r)} == {"부산", "울산", "경남"}
    for capital in ("hana-sb", "shinhan-sb", "yuchang-sb"):
        assert {r for r in REGIONS if _bank(lowest, capital)(r)} == {"서울", "경기", "인천"}
    for unpublished in ("welcome-sb", "nh-sb", "kb-sb", "jinju-sb"):
        assert _bank(lowest, unpublished)("서울") is None


def test_seed_004_documents(lowest: ProductVersion) -> None:
    docs = lowest.documents
    assert docs is not None
    assert docs.validity_months == 1
    assert docs.originals_only
    assert set(docs.by_occupation) == {
        Occupation.EMPLOYEE,
        Occupation.BUSINESS,
        Occupation.FREELANCER,
        Occupation.PENSIONER,
    }
    employee = {g.purpose: g.types for g in docs.by_occupation[Occupation.EMPLOYEE]}
    assert "health_insurance_eligibility" in employee["employment"]
    assert "income_amount_certificate" in employee["income"]
    business = {g.purpose: g.types for g in docs.by_occupation[Occupation.BUSINESS]}
    assert business["business"] == ("business_registration",)
    assert "income_amount_certificate" in business["income"]
    freelancer = {g.purpose: g.types for g in docs.by_occupation[Occupation.FREELANCER]}
    assert freelancer["employment"] == ("engagement_certificate",)
    pensioner = {g.purpose: g.types for g in docs.by_occupation[Occupation.PENSIONER]}
    assert "pension_receipt_certificate" in pensioner["pension"]
    assert docs.debt_adjustment == {
        DebtAdjustmentKind.WORKOUT: ("ccrs_repayment_record",),
        DebtAdjustmentKind.REHABILITATION: ("rehabilitation_payment_certificate",),
        DebtAdjustmentKind.NEW_START_FUND: ("new_start_fund_repayment_record",),
    }


def test_seed_004_offline_channel(lowest: ProductVersion) -> None:
    assert lowest.offline.call_center == "1397"
    assert lowest.offline.education_mandatory


# --- provenance ----------------------------------------------------------------------------------------


def test_unverified_and_interpreted_figures_are_reported(lowest: ProductVersion) -> None:
    unconfirmed = lowest.unconfirmed_figures()
    assert unconfirmed["guarantee.default_days_past_due"].confidence is Confidence.UNVERIFIED
    assert unconfirmed["rate.floor"].confidence is Confidence.INTERPRETATION
    assert "offline.centers" in unconfirmed
    assert "guarantee.ratio_pct" not in unconfirmed  # confirmed
    assert "*" not in unconfirmed  # the default (seed 004) is a seed figure


def test_a_version_whose_default_is_unverified_says_so(catalog: Catalog) -> None:
    general = catalog.get("haessal-general", date(2026, 3, 1))
    assert general.unconfirmed_figures()["*"].confidence is Confidence.UNVERIFIED


def test_provenance_falls_back_to_the_default(lowest: ProductVersion) -> None:
    assert lowest.provenance_of("limits.total_per_person") == lowest.provenance.default
    assert lowest.provenance_of("limits.total_per_person").confidence is Confidence.SEED
    assert lowest.provenance_of("guarantee.ratio_pct").confidence is Confidence.CONFIRMED


def test_provenance_of_a_nested_figure_takes_the_longest_overridden_prefix(catalog: Catalog) -> None:
    first = catalog.get(LOWEST, date(2023, 1, 1))
    assert first.provenance_of("eligibility.credit.kcb_max").confidence is Confidence.UNVERIFIED
    assert "eligibility.credit" in first.unconfirmed_figures()
    assert first.provenance_of("eligibility.income.cap").confidence is Confidence.SEED


# --- rate policy ---------------------------------------------------------------------------------------


def test_rate_policy_of_sixty_months(lowest: ProductVersion) -> None:
    assert lowest.rate_policy(60) == RatePolicy(Decimal("15.9"), Decimal("1.5"), Decimal("9.9"), Decimal("0"))


def test_preferential_cuts_do_not_stack(lowest: ProductVersion) -> None:
    policy = lowest.rate_policy(36, preferential=["consulting", "employment-support"])
    assert policy.preferential_cut == Decimal("0.1")
    assert policy.step_down == Decimal("3.0")


def test_rate_policy_refuses_a_term_the_product_does_not_offer(lowest: ProductVersion) -> None:
    with pytest.raises(ValueError, match="48"):
        lowest.rate_policy(48)


# --- malformed files -----------------------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path) -> Iterator[Path]:
    with resources.as_file(resources.files("seomin") / "data") as shipped:
        shutil.copytree(shipped, tmp_path / "data")
    yield tmp_path / "data"


def _edit(root: Path, name: str, old: str, new: str) -> None:
    file = root / "products" / name
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _rename(root: Path, name: str, new_name: str) -> None:
    (root / "products" / name).rename(root / "products" / new_name)


def _append(root: Path, name: str, text: str) -> None:
    file = root / "products" / name
    file.write_text(file.read_text(encoding="utf-8") + text, encoding="utf-8")


BREAKAGES: list[tuple[str, Callable[[Path], None], str, str]] = [
    (
        "negative limit",
        lambda r: _edit(r, LOWEST_FILE, "total_per_person = 10_000_000", "total_per_person = -1"),
        LOWEST_FILE,
        "limits.total_per_person",
    ),
    (
        "missing required field",
        lambda r: _edit(
            r, LOWEST_FILE, 'name_en = "Special guarantee for the lowest-credit borrowers"\n', ""
        ),
        LOWEST_FILE,
        "name_en",
    ),
    (
        "rate with 3 decimals",
        lambda r: _edit(r, LOWEST_FILE, 'annual = "15.9"', 'annual = "15.925"'),
        LOWEST_FILE,
        "rate.annual",
    ),
    (
        "unknown bank code",
        lambda r: _edit(r, LOWEST_FILE, 'bank = "db-sb"', 'bank = "nowhere-sb"'),
        "lowest-credit-special@2024-04",
        "partner_banks",
    ),
    (
        "unknown document code",
        lambda r: _edit(r, LOWEST_FILE, 'workout = ["ccrs_repayment_record"]', 'workout = ["napkin_note"]'),
        "lowest-credit-special@2024-04",
        "documents",
    ),
    (
        "overlapping version",
        lambda r: _edit(
            r, "lowest-credit-special@2022-09.toml", "effective_to = 2024-03-31", "effective_to = 2024-04-01"
        ),
        "lowest-credit-special@2022-09",
        "effective_to",
    ),
    (
        "unknown successor",
        lambda r: _edit(r, LOWEST_FILE, 'successor = "haessal-special"', 'successor = "haessal-99"'),
        "lowest-credit-special@2024-04",
        "lineage",
    ),
    (
        "wrong file name",
        lambda r: _rename(r, LOWEST_FILE, "lowest-credit-special@2024-05.toml"),
        "lowest-credit-special@2024-05.toml",
        "version",
    ),
    (
        "invalid TOML",
        lambda r: _append(r, LOWEST_FILE, "\n[[[limits\n"),
        LOWEST_FILE,
        "line",
    ),
    (
        "unknown region",
        lambda r: _edit(r, LOWEST_FILE, 'regions = { only = ["서울"] }', 'regions = { only = ["뉴욕"] }'),
        LOWEST_FILE,
        "regions.only",
    ),
    (
        "provenance path naming no field",
        lambda r: _append(
            r,
            LOWEST_FILE,
            '\n[provenance.figures."rate.moonbeam"]\nconfidence = "unverified"\nsource = "nowhere"\n',
        ),
        LOWEST_FILE,
        "provenance.figures names 'rate.moonbeam'",
    ),
]


def _breakage_params() -> list[object]:
    return [pytest.param(breakage, where, field, id=label) for label, breakage, where, field in BREAKAGES]


@pytest.mark.parametrize(("breakage", "where", "field"), _breakage_params())
def test_malformed_data_fails_with_one_line_naming_file_and_field(
    data_copy: Path, breakage: Callable[[Path], None], where: str, field: str
) -> None:
    load_catalog_dir(data_copy)  # the untouched copy loads
    breakage(data_copy)
    with pytest.raises(CatalogError) as caught:
        load_catalog_dir(data_copy)
    message = str(caught.value)
    assert "\n" not in message
    assert where in message
    assert field in message


def test_overlapping_versions_are_refused(data_copy: Path) -> None:
    """Whatever the message says, two versions of one product may not share a day."""
    _edit(
        data_copy,
        "lowest-credit-special@2022-09.toml",
        "effective_to = 2024-03-31",
        "effective_to = 2024-04-01",
    )
    with pytest.raises(CatalogError, match=r"lowest-credit-special.*overlap") as caught:
        load_catalog_dir(data_copy)
    assert "\n" not in str(caught.value)


def test_an_exact_version_is_found_or_refused() -> None:
    from seomin.adapters.catalog_files import default_catalog
    from seomin.domain.catalog import UnknownProduct

    catalog = default_catalog()
    assert catalog.version("lowest-credit-special", "2024-04").effective_from.year == 2024
    with pytest.raises(LookupError, match="no version '1999-01'"):
        catalog.version("lowest-credit-special", "1999-01")
    with pytest.raises(UnknownProduct):
        catalog.version("no-such-product", "2024-04")


@pytest.mark.parametrize(
    ("on", "version", "name_ko", "first", "total", "rate", "floor"),
    [
        (date(2023, 3, 27), "2023-03", "소액생계비대출", 500_000, 1_000_000, "15.9", "9.4"),
        (date(2025, 3, 30), "2023-03", "소액생계비대출", 500_000, 1_000_000, "15.9", "9.4"),
        (date(2025, 3, 31), "2025-03", "소액생계비대출", 1_000_000, 1_000_000, "15.9", "9.4"),
        (date(2026, 1, 1), "2025-03", "소액생계비대출", 1_000_000, 1_000_000, "15.9", "9.4"),
        (date(2026, 1, 2), "2026-01", "불법사금융예방대출", 1_000_000, 1_000_000, "12.5", "12.5"),
    ],
)
def test_every_version_of_the_agency_emergency_loan_is_one_lineage(
    catalog: Catalog, on: date, version: str, name_ko: str, first: int, total: int, rate: str, floor: str
) -> None:
    """소액생계비대출 (2023-03-27) and 불법사금융예방대출 (2026) are one product: old loans still run."""
    product = catalog.get("illegal-finance-prevention", on)
    assert (product.version, product.name_ko) == (version, name_ko)
    assert (product.limits.first_time, product.limits.total_per_person) == (first, total)
    assert (product.rate.annual, product.rate.floor) == (Decimal(rate), Decimal(floor))
    assert product.agency_loan and not product.partner_banks
    assert product.terms.methods == (RepaymentMethod.BULLET,) and product.terms.repayment_months == (12,)
    assert product.offline.education_mandatory
    assert not product.eligibility.public_record_excluded


def test_the_2023_emergency_loan_stages_its_amounts_and_cuts_for_education(catalog: Catalog) -> None:
    first = catalog.get("illegal-finance-prevention", date(2024, 6, 1))
    extra = first.additional_loan
    assert extra is not None and (extra.max_amount, extra.min_months_on_time) == (500_000, 6)
    assert first.preferential_cut(["consulting"]) == Decimal("0.5")


def test_the_lenders_kept_per_region_are_the_ones_computed_from_the_banks(catalog: Catalog) -> None:
    for version in catalog:
        for region in REGIONS:
            kept = version.lenders_in(region)
            assert kept == version._regional_lenders(region)
            assert set(kept.serving) == {b.bank for b in version.partner_banks if b.regions.lends_in(region)}
            assert set(kept.unconfirmed) == {
                b.bank for b in version.partner_banks if b.regions.lends_in(region) is None
            }
    # A region the table does not hold is computed, not refused.
    lowest = catalog.get("lowest-credit-special", date(2025, 5, 1))
    assert lowest.lenders_in("해외") == lowest._regional_lenders("해외")


def test_a_copy_with_other_banks_or_names_does_not_answer_from_the_originals_table(catalog: Catalog) -> None:
    """Policy what-ifs and screening variants copy a version with other partner banks or names."""
    lowest = catalog.get("lowest-credit-special", date(2025, 5, 1))
    assert lowest.lenders_in("서울").serving
    no_banks = lowest.model_copy(update={"partner_banks": ()})
    assert no_banks.lenders_in("서울").serving == ()
    renamed = lowest.model_copy(update={"display_names": {}})
    assert all(o.name_ko == o.bank for o in renamed.lenders_in("서울").options)
    same = lowest.model_copy(update={"name_ko": "다른 이름"})  # banks and names untouched: the table holds
    assert same.lenders_in("서울") is lowest.lenders_in("서울")
    assert lowest.lenders_in("서울").serving  # the original's answers are untouched by its copies'
    assert lowest == lowest.model_copy() and "regional_lender_table" not in lowest.model_dump()


def test_the_versions_in_force_are_kept_per_day_but_handed_out_fresh(catalog: Catalog) -> None:
    day = date(2026, 1, 2)
    first = catalog.in_force(day)
    first.clear()  # a caller's own list: emptying it must not empty the catalog's answer
    again = catalog.in_force(day)
    assert again and again == [v for v in catalog if v.in_force(day)]
    assert catalog.in_force(date(2020, 1, 1)) == [v for v in catalog if v.in_force(date(2020, 1, 1))]
