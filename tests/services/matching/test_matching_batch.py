"""Batch matching agrees with the single match, row for row, on a synthetic population."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from seomin.adapters.catalog_files import default_catalog
from seomin.domain.matching import judge_partner, judge_policy, rank
from seomin.services.analytics.applicant_files import prepare_applicants, profile_from_row
from seomin.services.analytics.synthetic import synthetic_applicants
from seomin.services.matching import default_partner_products
from seomin.services.matching.batch import RESULT_COLUMNS, match_frame

CATALOG = default_catalog()
PARTNERS = default_partner_products()


@pytest.mark.parametrize("as_of", [date(2025, 5, 1), date(2026, 3, 2)])
def test_the_batch_ranks_as_the_single_match_does(as_of: date) -> None:
    raw = synthetic_applicants(600, seed=7)
    result = match_frame(CATALOG, PARTNERS, raw, as_of)
    assert result.columns == list(RESULT_COLUMNS) and result.height == raw.height
    batch = {r["applicant_id"]: r for r in result.iter_rows(named=True)}
    for row in raw.iter_rows(named=True):
        profile = profile_from_row(row)
        options = [judge_policy(CATALOG, v.id, profile, as_of) for v in CATALOG.in_force(as_of)]
        options += [judge_partner(p, profile, as_of) for p in PARTNERS.in_force(as_of)]
        single = rank(options, as_of)
        mine = batch[row["applicant_id"]]
        assert mine["options"] == len(single.options), row
        top = single.options[0] if single.options else None
        assert mine["top_product"] == (top.product_id if top else None), row
        if top is not None:
            assert (mine["top_status"], mine["top_max_amount"]) == (top.status.value, top.max_amount)


def test_an_empty_or_prepared_file_is_matched_too() -> None:
    prepared = prepare_applicants(synthetic_applicants(50, seed=3))
    assert match_frame(CATALOG, PARTNERS, prepared, date(2025, 5, 1)).height == 50
    empty = match_frame(CATALOG, PARTNERS, prepared.head(0), date(2025, 5, 1))
    assert empty.height == 0 and empty.schema["options"] == pl.Int64
