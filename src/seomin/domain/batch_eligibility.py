"""The vectorized twin of ``domain.eligibility.evaluate`` (일괄 심사): the same decisions (status, reason
codes in the engine's order, maximum amount, rate) for a whole prepared applicant frame at once, as Polars
expressions. Pure: the product version, the day and the frame come in as parameters; no catalog is loaded
and nothing is read or written."""

from __future__ import annotations

import calendar
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, get_args

import polars as pl

from seomin.domain.catalog import LimitBasis, LoanPurpose, Occupation, ProductVersion
from seomin.domain.eligibility import WORKING_OCCUPATIONS, document_valid_from
from seomin.domain.money import format_rate
from seomin.domain.profile import Preferential
from seomin.domain.regions import REGIONS

RESULT_SCHEMA: Final[pl.Schema] = pl.Schema(
    {
        "applicant_id": pl.String(),
        "status": pl.String(),
        "eligible": pl.Boolean(),
        "codes": pl.String(),
        "max_amount": pl.Int64(),
        "annual_rate": pl.String(),
    }
)

PREFERENTIAL_CODES: Final[tuple[str, ...]] = get_args(Preferential)
PREFERENTIAL_DTYPE: Final = pl.Enum(list(PREFERENTIAL_CODES))


# --- the vectorized engine -------------------------------------------------------------------------


def _field(name: str) -> pl.Expr:
    return pl.element().struct.field(name)


def _birth_limit(as_of: date, years: int) -> date:
    """The latest birth date of someone aged ``years`` or more (만 나이) on ``as_of``."""
    year = as_of.year - years
    return date(year, as_of.month, min(as_of.day, calendar.monthrange(year, as_of.month)[1]))


def _within(kcb_max: int, nice_max: int) -> pl.Expr:
    kcb = (pl.col("kcb_score") <= kcb_max).fill_null(False)
    return kcb | (pl.col("nice_score") <= nice_max).fill_null(False)


@dataclass(slots=True)
class _Plan:
    """The reason codes a product can give, in the engine's order, as conditions over the frame."""

    parts: list[pl.Expr] = dataclasses.field(default_factory=list)
    fails: list[pl.Expr] = dataclasses.field(default_factory=list)
    flags: list[pl.Expr] = dataclasses.field(default_factory=list)

    def flag(self, condition: pl.Expr) -> pl.Expr:
        """A condition computed once into a column (Polars does not share it between expressions)."""
        name = f"__flag{len(self.flags)}"
        self.flags.append(condition.fill_null(False).alias(name))
        return pl.col(name)

    def fail(self, code: str, condition: pl.Expr) -> None:
        self.note(code, condition, fails=True)

    def note(self, code: str, condition: pl.Expr, *, fails: bool = False) -> pl.Expr:
        flag = self.flag(condition)
        self.parts.append(pl.when(flag).then(pl.lit(code)))
        if fails:
            self.fails.append(flag)
        return flag


def screen_prepared(product: ProductVersion, df: pl.DataFrame, as_of: date) -> pl.DataFrame:
    rules = product.eligibility
    plan = _Plan()
    col = pl.col

    if rules.haessal15_statuses is not None:
        allowed = [s.value for s in rules.haessal15_statuses]
        plan.fail("HAESSAL15_NOT_REJECTED", ~col("haessal15").is_in(allowed))

    age = rules.age
    out_of_range = col("birth_date") > _birth_limit(as_of, age.min_age)
    if age.max_age is not None:
        out_of_range = out_of_range | (col("birth_date") <= _birth_limit(as_of, age.max_age + 1))
    plan.fail("AGE_OUT_OF_RANGE", out_of_range)

    if rules.occupations is not None:
        plan.fail("OCCUPATION_NOT_ELIGIBLE", ~col("occupation").is_in([o.value for o in rules.occupations]))

    confirm: pl.Expr = pl.lit(False)
    if rules.credit is not None:
        applies = ~col("basic_livelihood") if rules.credit_waived_for_basic_livelihood else pl.lit(True)
        unknown = applies & col("kcb_score").is_null() & col("nice_score").is_null()
        confirm = plan.note("CREDIT_SCORE_UNKNOWN", unknown)
        plan.fail(
            "CREDIT_SCORE_ABOVE_CUTOFF",
            applies & ~unknown & ~_within(rules.credit.kcb_max, rules.credit.nice_max),
        )

    income = rules.income
    if income is not None:
        over = col("annual_income") > income.cap
        if income.raised_cap is not None and income.raised_cap_credit is not None:
            credit = income.raised_cap_credit
            raised_ok = (col("annual_income") <= income.raised_cap) & _within(credit.kcb_max, credit.nice_max)
            over = over & ~raised_ok
        plan.fail("INCOME_ABOVE_CAP", over)

    working = col("occupation").is_in([o.value for o in WORKING_OCCUPATIONS])
    months = pl.when(working).then(col("employed_months")).otherwise(0)
    if rules.max_employed_months is not None:
        plan.fail("TENURE_TOO_LONG", working & (months >= rules.max_employed_months))
    if rules.min_employed_months is not None or rules.min_pension_payments is not None:
        enough: pl.Expr = pl.lit(False)
        if rules.min_employed_months is not None:
            enough = enough | (working & (months >= rules.min_employed_months))
        if rules.min_pension_payments is not None:
            enough = enough | (col("pension_payments") >= rules.min_pension_payments)
        plan.fail("TENURE_TOO_SHORT", ~enough)

    kind = col("debt_adjustment_kind")
    excluded: pl.Expr = pl.lit(False)
    if rules.excluded_debt_adjustments:
        excluded = kind.is_in([k.value for k in rules.excluded_debt_adjustments]).fill_null(False)
        plan.fail("DEBT_ADJUSTMENT_EXCLUDED", excluded)
    if rules.public_record_excluded:
        exception = rules.debt_adjustment_exception
        excepted: pl.Expr = pl.lit(False)
        if exception is not None:
            excepted = ~excluded & kind.is_in([k.value for k in exception.kinds]).fill_null(False)
            short = col("debt_adjustment_faithful_months") < exception.min_faithful_months
            plan.fail("DEBT_ADJUSTMENT_TOO_SHORT", excepted & short)
        plan.fail("PUBLIC_RECORD", ~excluded & ~excepted & col("public_record"))

    staged = df.lazy()
    if product.documents is not None and df["documents"].null_count() < df.height:
        with_documents = pl.col("documents").is_not_null()
        staged = staged.with_columns(
            _per_row(
                df,
                with_documents,
                ["occupation", "debt_adjustment_kind", "documents"],
                lambda part: _document_codes(product, as_of, part),
            )
        )
        documents = col("__documents")
        plan.parts.append(documents)
        plan.fails.append(documents.is_not_null())

    limits, additional = product.limits, product.additional_loan
    has_open: pl.Expr = pl.lit(False)
    if (df["existing_loans"].list.len() > 0).any():
        with_loans = pl.col("existing_loans").list.len() > 0
        staged = staged.with_columns(
            _per_row(
                df,
                with_loans,
                ["existing_loans", "requested_bank"],
                lambda part: _loan_outcome(product, as_of, part),
            )
        )
        has_open = col("__has_open").fill_null(False)
        plan.parts.append(col("__loan_codes"))
        plan.fails.append(col("__loan_fail").fill_null(False))
        cap = col("__cap").fill_null(limits.first_time)
    else:
        cap = pl.lit(limits.first_time, pl.Int64)

    requested_amount = col("requested_amount")
    above = requested_amount.is_not_null() & (cap > 0)
    draw_cap = product.draw_cap(LoanPurpose.LIVING)  # files carry no purpose: a living-cost draw
    if draw_cap is not None and draw_cap > 0:
        by_draw = cap > draw_cap
        cap = pl.when(by_draw).then(pl.lit(draw_cap, pl.Int64)).otherwise(cap)
        plan.fail("AMOUNT_ABOVE_DRAW_CAP", above & by_draw & (requested_amount > cap))
        plan.fail("AMOUNT_ABOVE_LIMIT", above & ~by_draw & (requested_amount > cap))
    else:
        plan.fail("AMOUNT_ABOVE_LIMIT", above & (requested_amount > cap))

    if product.agency_loan or not product.partner_banks:
        # No lender to judge: a requested bank fails (agency loan / none on file), a self-check is told.
        refused = "AGENCY_LOAN_NO_BANK" if product.agency_loan else "NO_LENDER_ON_FILE"
        without = None if product.agency_loan else "LENDERS_TO_CONFIRM"
        staged = staged.with_columns(
            pl.when(pl.col("requested_bank").is_not_null())
            .then(pl.lit(refused))
            .otherwise(pl.lit(without, dtype=pl.String))
            .alias("__lender")
        )
        plan.parts.append(col("__lender"))
        plan.fails.append((col("__lender") == refused).fill_null(False))
    else:
        held: pl.Expr = pl.lit(False)
        if additional is not None and additional.same_bank_while_open:
            held = has_open
        staged = staged.with_columns(
            pl.when(~held.fill_null(False))
            .then(_lender_code(product, df.schema["requested_bank"]))
            .alias("__lender")
        )
        plan.parts.append(col("__lender"))
        plan.fails.append(col("__lender").is_in(["BANK_NOT_PARTNER", "NO_BANK_IN_REGION"]).fill_null(False))

    # Materialized once: each is used by several output columns.
    staged = staged.with_columns(plan.flags).with_columns(
        (pl.any_horizontal(plan.fails) if plan.fails else pl.lit(False)).alias("__failed"),
        confirm.fill_null(False).alias("__confirm"),
        (pl.concat_str(plan.parts, separator=";", ignore_nulls=True) if plan.parts else pl.lit("")).alias(
            "__reasons"
        ),
    )
    failed, confirm, reasons = col("__failed"), col("__confirm"), col("__reasons")
    eligible = ~failed & ~confirm
    codes = (
        pl.when(~eligible)
        .then(reasons)
        .when(reasons == "")
        .then(pl.lit("ELIGIBLE"))
        .otherwise(pl.concat_str(pl.lit("ELIGIBLE;"), reasons))
    )
    return staged.select(
        col("applicant_id"),
        pl.when(failed)
        .then(pl.lit("ineligible"))
        .when(confirm)
        .then(pl.lit("needs_confirmation"))
        .otherwise(pl.lit("eligible"))
        .alias("status"),
        eligible.alias("eligible"),
        codes.alias("codes"),
        pl.when(~failed).then(cap).alias("max_amount"),
        pl.when(~failed).then(_rate(product)).alias("annual_rate"),
    ).collect()


def _per_row(
    df: pl.DataFrame, where: pl.Expr, columns: Sequence[str], build: Callable[[pl.DataFrame], pl.DataFrame]
) -> list[pl.Series]:
    """Columns ``build`` makes from the rows where ``where`` holds (few: those with loans or documents),
    one row per such row in order; null on the other rows. List work over the whole, mostly-null column
    would cost time on every row."""
    selected = df.select(where.fill_null(False)).to_series()
    part = build(df.select(columns).filter(selected).with_row_index("__i"))
    index = pl.select(pl.when(selected).then(selected.cast(pl.Int64).cum_sum() - 1)).to_series()
    return [column.gather(index) for column in part.get_columns()]


def _document_codes(product: ProductVersion, as_of: date, part: pl.DataFrame) -> pl.DataFrame:
    """DOCUMENT_DATE_INVALID / _EXPIRED per document in submission order, then DOCUMENT_MISSING per
    unmet group, for applicants who carry documents."""
    rules = product.documents
    valid_from = document_valid_from(product, as_of)
    assert rules is not None and valid_from is not None
    issued = pl.col("issued_on")
    code = (
        pl.when(issued > as_of)
        .then(pl.lit("DOCUMENT_DATE_INVALID"))
        .when(issued < valid_from)
        .then(pl.lit("DOCUMENT_EXPIRED"))
    )
    # The proofs asked of each applicant: by debt adjustment where the product says so, else by occupation.
    required: list[tuple[pl.Expr, tuple[str, ...]]] = []
    kind = pl.col("debt_adjustment_kind")
    by_adjustment = kind.is_in([k.value for k in rules.debt_adjustment]).fill_null(False)
    for adjustment, accepted in rules.debt_adjustment.items():
        required.append(((kind == adjustment.value).fill_null(False), accepted))
    for occupation, groups in rules.by_occupation.items():
        applies = ~by_adjustment & (pl.col("occupation") == occupation.value)
        required.extend((applies, group.types) for group in groups)
    # A group is met by any document of its types, even one reported above as expired or misdated.
    accepted_sets = list(dict.fromkeys(accepted for _, accepted in required))
    per_applicant = (
        part.select("__i", "occupation", "debt_adjustment_kind", "documents")
        .explode("documents", empty_as_null=True)  # [] keeps its applicant: every group is missing
        .unnest("documents")
        .group_by("__i", maintain_order=True)
        .agg(
            pl.col("occupation").first(),
            pl.col("debt_adjustment_kind").first(),
            code.drop_nulls().str.join(";").alias("per_document"),
            *(pl.col("type").is_in(list(t)).any().alias(f"__met{i}") for i, t in enumerate(accepted_sets)),
        )
    )
    missing: pl.Expr = pl.lit(0, pl.Int32)
    for applies, accepted in required:
        met = pl.col(f"__met{accepted_sets.index(accepted)}")
        missing = missing + (applies & ~met).cast(pl.Int32)
    most = max([1, *(len(groups) for groups in rules.by_occupation.values())])
    parts = [pl.when(pl.col("per_document") != "").then(pl.col("per_document"))]
    parts += [pl.when(missing > i).then(pl.lit("DOCUMENT_MISSING")) for i in range(most)]
    joined = pl.concat_str(parts, separator=";", ignore_nulls=True)
    return per_applicant.select(pl.when(joined != "").then(joined).alias("__documents"))


def _loan_outcome(product: ProductVersion, as_of: date, part: pl.DataFrame) -> pl.DataFrame:
    """The existing-loan rules for applicants with loans: their codes in order, whether one fails, the
    cap of the offer (first, additional or repeat) and whether a family loan is still open."""
    limits, additional = product.limits, product.additional_loan
    loans = _loan_aggregates(product, part)
    plan = _Plan()
    col = pl.col
    has_open = col("__open") > 0
    plan.fail("DELINQUENT", col("__arrears") > 0)
    if not product.repeat_use_after_repayment:
        plan.fail("REPEAT_USE_NOT_ALLOWED", ~has_open & (col("__family") > 0))
    plan.fail("TOO_MANY_ACCOUNTS", has_open & (col("__open") >= limits.max_open_accounts))
    cap: pl.Expr = pl.lit(limits.first_time, pl.Int64)
    if additional is None or additional.max_times == 0:
        if limits.max_open_accounts > 1:
            plan.fail("ADDITIONAL_LOAN_NOT_OFFERED", has_open)
        cap = pl.when(has_open).then(pl.lit(0, pl.Int64)).otherwise(cap)
    else:
        plan.fail("ADDITIONAL_LOAN_ALREADY_USED", has_open & (col("__taken") >= additional.max_times))
        # add_months(first, n, first.day): the same day n months on, clamped to the month's end.
        opens_on = col("__first_on").dt.offset_by(f"{additional.min_months_on_time}mo")
        plan.fail("ADDITIONAL_LOAN_TOO_EARLY", has_open & (pl.lit(as_of) < opens_on))
        if additional.same_bank_while_open:
            requested = col("requested_bank").cast(pl.String)
            other = requested.is_not_null() & (requested != col("__first_bank"))
            plan.fail("ADDITIONAL_LOAN_OTHER_BANK", has_open & other)
        remaining = pl.max_horizontal(pl.lit(0, pl.Int64), limits.total_per_person - col("__used"))
        plan.fail("LIMIT_EXHAUSTED", has_open & (remaining == 0))
        cap = pl.when(has_open).then(pl.min_horizontal(remaining, additional.max_amount)).otherwise(cap)
    codes = pl.concat_str(plan.parts, separator=";", ignore_nulls=True)
    return (
        loans.with_columns(part["requested_bank"])
        .with_columns(plan.flags)
        .select(
            pl.when(codes != "").then(codes).alias("__loan_codes"),
            pl.any_horizontal(plan.fails).alias("__loan_fail"),
            cap.alias("__cap"),
            has_open.alias("__has_open"),
        )
    )


def _loan_aggregates(product: ProductVersion, part: pl.DataFrame) -> pl.DataFrame:
    """Per applicant with loans, over the loans of the product's limit family."""
    family = pl.col("product").is_in(sorted(product.limit_family))
    is_open = family & ~pl.col("repaid")
    executed = pl.col("executed_on")
    basis = "amount" if product.limits.basis is LimitBasis.ORIGINAL_AMOUNT else "balance"
    # Elementwise columns and window minima first: filters inside a group-by aggregation are slow.
    loans = (
        part.select("__i", "existing_loans")
        .explode("existing_loans")
        .unnest("existing_loans")
        .with_row_index("__loan")
        .with_columns(__family=family, __is_open=is_open)
        .with_columns(__first_on=pl.when("__is_open").then(executed).min().over("__i"))
    )
    per_applicant = loans.group_by("__i", maintain_order=True).agg(
        pl.col("__family").sum(),
        pl.col("__is_open").sum().alias("__open"),
        (pl.col("__is_open") & pl.col("in_arrears")).sum().alias("__arrears"),
        pl.col("__first_on").first(),
        # The first open loan by execution date; on a tie, the one listed first (a stable sort).
        pl.when(pl.col("__is_open") & (executed == pl.col("__first_on")))
        .then("__loan")
        .min()
        .alias("__first"),
        ((pl.col("__family") & (executed >= pl.col("__first_on"))).sum() - 1).alias("__taken"),
        pl.when("__is_open").then(pl.col(basis)).sum().alias("__used"),
    )
    first_bank = loans["bank"].gather(per_applicant["__first"]).alias("__first_bank")
    return per_applicant.drop("__i", "__first").with_columns(first_bank)


def _lender_code(product: ProductVersion, bank_dtype: pl.DataType) -> pl.Expr:
    """The lender reason of each (requested bank or none, region), looked up from a small table."""
    assert isinstance(bank_dtype, pl.Enum)
    bank_codes = list(bank_dtype.categories)
    table: list[str | None] = []
    for requested in [*bank_codes, None]:
        for region in REGIONS:
            table.append(_lender_reason(product, requested, region))
    key = pl.col("requested_bank").to_physical().cast(pl.Int64).fill_null(len(bank_codes)) * len(
        REGIONS
    ) + pl.col("region").to_physical().cast(pl.Int64)
    return pl.lit(pl.Series(table, dtype=pl.String)).gather(key)


def _lender_reason(product: ProductVersion, requested: str | None, region: str) -> str | None:
    """The engine's lender rule for one requested bank (or none) and one region, without a held loan."""
    banks = product.partner_banks
    if requested is not None:
        terms = product.bank(requested)
        if terms is None:
            return "BANK_NOT_PARTNER"
        lends = terms.regions.lends_in(region)
        return "NO_BANK_IN_REGION" if lends is False else "BANK_REGION_UNCONFIRMED" if lends is None else None
    if any(b.regions.lends_in(region) is True for b in banks):
        return None
    if any(b.regions.lends_in(region) is None for b in banks):
        return "BANK_REGION_UNCONFIRMED"
    return "NO_BANK_IN_REGION"


def _rate(product: ProductVersion) -> pl.Expr:
    """The offered rate text by (vulnerable, occupation group, preferential codes), from the product's own
    arithmetic; group 0 is everyone without a group rate."""
    groups: list[Occupation | None] = [None, *product.rate.by_occupation]
    table: list[str] = []
    for vulnerable in (False, True):
        for occupation in groups:
            for mask in range(2 ** len(PREFERENTIAL_CODES)):
                codes = [c for i, c in enumerate(PREFERENTIAL_CODES) if mask >> i & 1]
                base = product.base_rate(vulnerable, occupation)
                table.append(format_rate(base - product.preferential_cut(codes)))
    group: pl.Expr = pl.lit(0, pl.Int64)
    for index, named in enumerate(product.rate.by_occupation, start=1):
        group = pl.when(pl.col("occupation") == named.value).then(pl.lit(index, pl.Int64)).otherwise(group)
    key: pl.Expr = (pl.col("vulnerable").cast(pl.Int64) * len(groups) + group) * 2 ** len(PREFERENTIAL_CODES)
    for i, code in enumerate(PREFERENTIAL_CODES):
        key = (
            key + pl.col("preferential").list.contains(pl.lit(code, PREFERENTIAL_DTYPE)).cast(pl.Int64) * 2**i
        )
    return pl.lit(pl.Series(table, dtype=pl.String)).gather(key)
