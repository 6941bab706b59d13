"""맞춤대출 in batch: the ranked matches of a whole applicant file, vectorized.

Policy products are screened by the vectorized eligibility engine (``screen_frame``, row for row the
decisions of ``evaluate``); partner products' conditions are the same expressions as ``judge_partner``'s,
in Polars. The ranking is ``domain.matching.rank``'s (eligible first, the lower rate, the higher limit,
the product id) on the products' own rates: the batch does not look up what similar users got, so it
agrees with a single match made before any outcome statistics exist. One row per applicant: how many
options fit and the best one.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

from seomin.domain.catalog import Catalog
from seomin.domain.matching import PartnerCatalog, PartnerProduct
from seomin.services.analytics.applicant_files import prepare_applicants, prepared_schema
from seomin.services.analytics.screening import screen_frame

_STATUS_ORDER: Final = {"eligible": 0, "needs_confirmation": 1}
RESULT_COLUMNS: Final = ("applicant_id", "options", "top_product", "top_status", "top_max_amount", "top_rate")


def _age_on(as_of: date) -> pl.Expr:
    birth = pl.col("birth_date")
    years = as_of.year - birth.dt.year()
    before_birthday = (birth.dt.month() > as_of.month) | (
        (birth.dt.month() == as_of.month) & (birth.dt.day() > as_of.day)
    )
    return years - before_birthday.cast(pl.Int32)


def _repayment_months(as_of: date) -> pl.Expr:
    """``policy_repayment_months``: 0 with any loan in arrears, else the longest run since an execution."""
    loans = pl.col("existing_loans")
    months = loans.list.eval(
        (as_of.year - pl.element().struct.field("executed_on").dt.year()) * 12
        + as_of.month
        - pl.element().struct.field("executed_on").dt.month()
    ).list.max()
    arrears = loans.list.eval(pl.element().struct.field("in_arrears")).list.any()
    return pl.when(arrears.fill_null(False)).then(0).otherwise(months.fill_null(0))


def _partner_status(product: PartnerProduct, as_of: date) -> pl.Expr:
    kcb = pl.col("kcb_score")
    fails: list[pl.Expr] = []
    if product.kcb_min is not None:
        fails.append(kcb.is_not_null() & (kcb < product.kcb_min))
    if product.kcb_max is not None:
        fails.append(kcb.is_not_null() & (kcb > product.kcb_max))
    fails.append(pl.col("annual_income") < product.min_income)
    if product.occupations is not None:
        fails.append(~pl.col("occupation").cast(pl.String).is_in([o.value for o in product.occupations]))
    fails.append(pl.col("employed_months") < product.min_employed_months)
    age = _age_on(as_of)
    fails.append(age < product.min_age)
    if product.max_age is not None:
        fails.append(age > product.max_age)
    if product.public_record_excluded:
        fails.append(pl.col("public_record"))
    if product.min_policy_repayment_months is not None:
        fails.append(_repayment_months(as_of) < product.min_policy_repayment_months)
    unknown = kcb.is_null() & pl.lit(product.kcb_min is not None or product.kcb_max is not None)
    return (
        pl.when(pl.any_horizontal(fails))
        .then(pl.lit("ineligible"))
        .when(unknown)
        .then(pl.lit("needs_confirmation"))
        .otherwise(pl.lit("eligible"))
    )


def match_frame(
    catalog: Catalog, partners: PartnerCatalog, applicants: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """One row per applicant (``RESULT_COLUMNS``); ``applicants`` in the applicant-file schema or prepared."""
    if applicants.schema != prepared_schema():
        applicants = prepare_applicants(applicants)
    parts = []
    for version in catalog.in_force(as_of):
        screened = screen_frame(version, applicants, as_of)
        parts.append(
            screened.filter(pl.col("status") != "ineligible").select(
                "applicant_id",
                pl.lit(version.id).alias("product"),
                "status",
                pl.col("max_amount").cast(pl.Int64),
                pl.col("annual_rate").cast(pl.Decimal(6, 3)).alias("rate"),
            )
        )
    for product in partners.in_force(as_of):
        middle = (product.rate_min + product.rate_max) / 2
        parts.append(
            applicants.select(
                "applicant_id",
                pl.lit(product.id).alias("product"),
                _partner_status(product, as_of).alias("status"),
                pl.lit(product.max_amount, pl.Int64).alias("max_amount"),
                pl.lit(middle).cast(pl.Decimal(6, 3)).alias("rate"),
            ).filter(pl.col("status") != "ineligible")
        )
    options = pl.concat(parts).with_columns(
        pl.col("status").replace_strict(_STATUS_ORDER, return_dtype=pl.Int8).alias("order")
    )
    best = (
        options.sort(
            ["applicant_id", "order", "rate", "max_amount", "product"],
            descending=[False, False, False, True, False],
        )
        .group_by("applicant_id", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("options"),
            pl.col("product").first().alias("top_product"),
            pl.col("status").first().alias("top_status"),
            pl.col("max_amount").first().alias("top_max_amount"),
            pl.col("rate").first().alias("top_rate"),
        )
    )
    everyone = applicants.select("applicant_id")
    return (
        everyone.join(best, on="applicant_id", how="left", maintain_order="left")
        .with_columns(pl.col("options").fill_null(0))
        .select(RESULT_COLUMNS)
    )
