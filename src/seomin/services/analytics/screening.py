"""Batch screening of applicant files: a prepared frame or a whole file judged in chunks by the vectorized
engine (``domain.batch_eligibility``)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path

import polars as pl

from seomin.domain.batch_eligibility import RESULT_SCHEMA, screen_prepared
from seomin.domain.catalog import ProductVersion
from seomin.services.analytics.applicant_files import (
    ScreeningInputError,
    _scan,
    prepare_applicants,
    prepared_schema,
)


def screen_frame(
    product: ProductVersion,
    applicants: pl.DataFrame,
    as_of: date,
    *,
    bank_codes: Collection[str] | None = None,
) -> pl.DataFrame:
    """Screen every applicant for ``product`` on ``as_of``: the decisions of ``evaluate``, vectorized.

    ``applicants`` is a prepared frame (``read_applicants``, ``prepare_applicants``) or any frame in the
    file schema, which is validated first. ``bank_codes`` are the known bank codes (default: the
    catalog's). Returns applicant_id, status, eligible, codes, max_amount, annual_rate (see RESULT_SCHEMA).
    """
    if not product.in_force(as_of):
        raise ValueError(f"{product.id}@{product.version} is not in force on {as_of.isoformat()}")
    if applicants.schema != prepared_schema(bank_codes):
        applicants = prepare_applicants(applicants, bank_codes=bank_codes)
    if applicants.height == 0:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    return screen_prepared(product, applicants, as_of).select(RESULT_SCHEMA.names())


# --- files in chunks -------------------------------------------------------------------------------


def screen_file(
    product: ProductVersion,
    path: str | Path,
    as_of: date,
    *,
    progress: Callable[[int, int], None] | None = None,
    chunk_rows: int = 200_000,
    bank_codes: Collection[str] | None = None,
) -> pl.DataFrame:
    """Read, validate and screen an applicant file (.csv or .parquet) in chunks of about ``chunk_rows``.

    Calls ``progress(done, total)`` with the rows screened so far (first with 0). Column errors come
    before any row is read; a bad value stops at its chunk with ``ScreeningInputError`` naming the row.
    """
    path = Path(path)
    if not product.in_force(as_of):
        raise ValueError(f"{product.id}@{product.version} is not in force on {as_of.isoformat()}")
    scan = _scan(path)
    try:
        columns = scan.collect_schema().names()
        total = int(scan.select(pl.len()).collect().item())
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ScreeningInputError(f"{path.name}: cannot read: {str(exc).splitlines()[0]}") from None
    # Column errors come before any row is screened.
    prepare_applicants(pl.DataFrame(schema=dict.fromkeys(columns, pl.String)), source=path.name)
    if progress is not None:
        progress(0, total)
    results: list[pl.DataFrame] = []
    done = 0
    try:
        for chunk in scan.collect_batches(chunk_size=chunk_rows):
            if chunk.height == 0:
                continue
            prepared = prepare_applicants(chunk, source=path.name, first_row=done + 1, bank_codes=bank_codes)
            results.append(screen_prepared(product, prepared, as_of).select(RESULT_SCHEMA.names()))
            done += chunk.height
            if progress is not None:
                progress(done, total)
    except pl.exceptions.PolarsError as exc:
        raise ScreeningInputError(f"{path.name}: cannot read: {str(exc).splitlines()[0]}") from None
    if not results:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    return pl.concat(results)
