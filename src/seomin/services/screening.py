"""Batch screening (일괄 심사): judge a whole applicant file against one product version, vectorized.

``screen_frame`` reaches exactly the decisions of ``seomin.domain.eligibility.evaluate`` (status, reason
codes in the engine's order, maximum amount, rate) with Polars expressions over the whole frame; the
tests prove it row by row against the engine.

Applicant file (CSV with a header row, or Parquet; one applicant per row)
--------------------------------------------------------------------------

================================  ========  ==========================================================
column                            required  values (empty = the default of ``ApplicantProfile``)
================================  ========  ==========================================================
applicant_id                      no        any text; empty or absent: the row number
birth_date                        yes       YYYY-MM-DD, 1900 or later
annual_income                     yes       whole won, 0 or more
kcb_score, nice_score             no        0..1000; empty = unknown
occupation                        yes       employee, business, freelancer, pensioner, unemployed
employed_months                   no        0..960 (default 0)
pension_payments                  no        0..1200 (default 0)
haessal15                         no        none (default), rejected, using, repaid
public_record                     no        true/false (also 1/0, yes/no, t/f, y/n, on/off); default false
debt_adjustment_kind              no        empty, workout, rehabilitation, new_start_fund
debt_adjustment_faithful_months   with kind 0..600; required with a kind, empty or 0 without one
region                            yes       시도 of the registered address: 서울 … 제주, or 서울특별시 etc.
vulnerable, basic_livelihood      no        true/false (default false)
preferential                      no        ";"-separated: consulting, employment-support
requested_bank                    no        a catalog bank code (e.g. kwangju, sbi-sb)
requested_amount                  no        whole won above 0
existing_loans                    no        JSON array of {"product", "bank", "amount", "balance",
                                            "executed_on" (YYYY-MM-DD), "in_arrears", "repaid"}
documents                         no        JSON array of {"type", "issued_on" (YYYY-MM-DD)}; empty =
                                            not an application (documents are not judged); [] = none
================================  ========  ==========================================================

Any other column is an error. Rows are numbered from 1, not counting the header. Loan fields follow
``ExistingLoan``: amount above 0, 0 ≤ balance ≤ amount, a repaid loan has balance 0 and no arrears;
in_arrears and repaid default to false.

``read_applicants`` validates every column at once and fails with one ``ScreeningInputError`` line naming
the file, the column and the first rows at fault; ``profile_from_row`` is the per-row path through the
pydantic model (the oracle side of the tests). A row ``read_applicants`` accepts, ``profile_from_row``
accepts too, with the same meaning.
"""

from __future__ import annotations

import calendar
import dataclasses
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final, NoReturn, get_args

import numpy as np
import numpy.typing as npt
import polars as pl
from pydantic import ValidationError

from seomin.adapters.catalog_files import default_catalog
from seomin.domain.catalog import DebtAdjustmentKind, Haessal15Status, LimitBasis, Occupation, ProductVersion
from seomin.domain.eligibility import WORKING_OCCUPATIONS, document_valid_from
from seomin.domain.money import format_rate
from seomin.domain.profile import ApplicantProfile, Preferential
from seomin.domain.regions import REGIONS, normalize_region

COLUMNS: Final[tuple[str, ...]] = (
    "applicant_id",
    "birth_date",
    "annual_income",
    "kcb_score",
    "nice_score",
    "occupation",
    "employed_months",
    "pension_payments",
    "haessal15",
    "public_record",
    "debt_adjustment_kind",
    "debt_adjustment_faithful_months",
    "region",
    "vulnerable",
    "basic_livelihood",
    "preferential",
    "requested_bank",
    "requested_amount",
    "existing_loans",
    "documents",
)
REQUIRED_COLUMNS: Final[tuple[str, ...]] = ("birth_date", "annual_income", "occupation", "region")

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
OCCUPATION_DTYPE: Final = pl.Enum([o.value for o in Occupation])
HAESSAL15_DTYPE: Final = pl.Enum([s.value for s in Haessal15Status])
ADJUSTMENT_DTYPE: Final = pl.Enum([k.value for k in DebtAdjustmentKind])
REGION_DTYPE: Final = pl.Enum(list(REGIONS))
PREFERENTIAL_DTYPE: Final = pl.Enum(list(PREFERENTIAL_CODES))

# JSON fields as decoded (dates still text) and as screened.
_LOAN_JSON: Final[dict[str, pl.DataType]] = {
    "product": pl.String(),
    "bank": pl.String(),
    "amount": pl.Int64(),
    "balance": pl.Int64(),
    "executed_on": pl.String(),
    "in_arrears": pl.Boolean(),
    "repaid": pl.Boolean(),
}
_DOC_JSON: Final[dict[str, pl.DataType]] = {"type": pl.String(), "issued_on": pl.String()}
LOAN_DTYPE: Final = pl.Struct({**_LOAN_JSON, "executed_on": pl.Date()})
DOC_DTYPE: Final = pl.Struct({**_DOC_JSON, "issued_on": pl.Date()})

_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_BOOL_WORDS: Final[dict[str, bool]] = {
    "true": True, "t": True, "yes": True, "y": True, "1": True, "on": True,
    "false": False, "f": False, "no": False, "n": False, "0": False, "off": False,
}  # fmt: skip
_MAX_ROWS_NAMED = 5


class ScreeningInputError(ValueError):
    """The applicant file or a row of it is malformed; the one-line message names file, row and column."""


# --- the per-row path ------------------------------------------------------------------------------


def profile_from_row(
    row: Mapping[str, object], *, bank_codes: Collection[str] | None = None
) -> ApplicantProfile:
    """The ``ApplicantProfile`` of one row, as read from a file (text) or from a prepared frame (typed).

    Follows the file schema of this module; ``ScreeningInputError`` names the column at fault.
    """
    unknown = [k for k in row if k not in COLUMNS]
    if unknown:
        raise ScreeningInputError(f"unknown column(s) {', '.join(map(repr, unknown))}")
    banks = _bank_vocabulary(bank_codes)

    def get(name: str) -> object:
        value = row.get(name)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        if isinstance(value, float) and value != value:  # NaN from a pandas-written file
            return None
        return value

    data: dict[str, object] = {}
    for name in (
        "birth_date",
        "annual_income",
        "kcb_score",
        "nice_score",
        "occupation",
        "employed_months",
        "pension_payments",
        "haessal15",
        "region",
        "requested_amount",
    ):
        value = get(name)
        if value is not None:
            data[name] = value
    for name in ("public_record", "vulnerable", "basic_livelihood"):
        value = get(name)
        if isinstance(value, str):
            if value.lower() not in _BOOL_WORDS:
                raise ScreeningInputError(f"column {name}: expected true or false, got {value!r}")
            value = _BOOL_WORDS[value.lower()]
        if value is not None:
            data[name] = value
    kind, months = get("debt_adjustment_kind"), get("debt_adjustment_faithful_months")
    if kind is not None:
        data["debt_adjustment"] = {"kind": kind, "faithful_months": months}
    elif months is not None and str(months).lstrip("+-").strip("0") != "":
        raise ScreeningInputError(
            "column debt_adjustment_faithful_months: must be empty or 0 without debt_adjustment_kind"
        )
    preferential = get("preferential")
    if isinstance(preferential, str):
        preferential = [p.strip() for p in preferential.split(";") if p.strip()]
    if preferential is not None:
        data["preferential"] = preferential
    bank = get("requested_bank")
    if bank is not None:
        if bank not in banks:
            raise ScreeningInputError(f"column requested_bank: unknown bank code {bank!r}")
        data["requested_bank"] = bank
    loans = _json_list(get("existing_loans"), "existing_loans")
    if loans is not None:
        data["existing_loans"] = loans
    documents = _json_list(get("documents"), "documents")
    if documents is not None:
        data["documents"] = documents
    try:
        return ApplicantProfile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(row)"
        raise ScreeningInputError(f"field {where}: {first['msg']}") from None


def _json_list(value: object, column: str) -> list[object] | None:
    """A JSON array column as a list of objects; null-valued keys are dropped (they mean "absent")."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as exc:
            raise ScreeningInputError(f"column {column}: not valid JSON: {exc.msg}") from None
        except ValueError as exc:
            raise ScreeningInputError(f"column {column}: {exc}") from None
    if not isinstance(value, list):
        raise ScreeningInputError(f"column {column}: expected a JSON array")
    return [
        {k: v for k, v in item.items() if v is not None} if isinstance(item, dict) else item for item in value
    ]


# --- reading and validating ------------------------------------------------------------------------


def _bank_vocabulary(bank_codes: Collection[str] | None) -> tuple[str, ...]:
    codes = default_catalog().banks if bank_codes is None else bank_codes
    return tuple(sorted(set(codes)))


def prepared_schema(bank_codes: Collection[str] | None = None) -> pl.Schema:
    """The column types ``prepare_applicants`` gives (and ``screen_frame`` screens without re-checking)."""
    return pl.Schema(
        {
            "applicant_id": pl.String(),
            "birth_date": pl.Date(),
            "annual_income": pl.Int64(),
            "kcb_score": pl.Int64(),
            "nice_score": pl.Int64(),
            "occupation": OCCUPATION_DTYPE,
            "employed_months": pl.Int64(),
            "pension_payments": pl.Int64(),
            "haessal15": HAESSAL15_DTYPE,
            "public_record": pl.Boolean(),
            "debt_adjustment_kind": ADJUSTMENT_DTYPE,
            "debt_adjustment_faithful_months": pl.Int64(),
            "region": REGION_DTYPE,
            "vulnerable": pl.Boolean(),
            "basic_livelihood": pl.Boolean(),
            "preferential": pl.List(PREFERENTIAL_DTYPE),
            "requested_bank": pl.Enum(list(_bank_vocabulary(bank_codes))),
            "requested_amount": pl.Int64(),
            "existing_loans": pl.List(LOAN_DTYPE),
            "documents": pl.List(DOC_DTYPE),
        }
    )


@dataclass(frozen=True, slots=True)
class _Check:
    """Rows where ``bad`` holds are wrong in ``column``: ``problem`` says what the column must hold."""

    column: str
    problem: str
    bad: pl.Expr


def _text(name: str) -> pl.Expr:
    """A column as stripped text, empty -> null."""
    s = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(s != "").then(s)


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or dtype == pl.Null or isinstance(dtype, pl.Enum | pl.Categorical)


# The parsers below read a column whose text (if text) is already stripped, empty -> null.


def _parse_int(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if dtype.is_integer():
        return col.cast(pl.Int64, strict=False)  # an unsigned value beyond Int64 becomes null: an error
    if dtype.is_float():
        exact = col.is_finite() & (col == col.round()) & (col.abs() < 1e15)
        return pl.when(exact).then(col.cast(pl.Int64))
    if _is_text(dtype):
        # Rust's integer parse: an optional sign and ASCII digits only (so "1_000" or "1e3" are errors).
        return col.str.to_integer(strict=False)
    return pl.lit(None, pl.Int64)


def _parse_bool(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if dtype == pl.Boolean:
        return col
    if dtype.is_integer():
        return pl.when(col == 1).then(True).when(col == 0).then(False)
    if _is_text(dtype):
        return col.str.to_lowercase().replace_strict(_BOOL_WORDS, default=None, return_dtype=pl.Boolean)
    return pl.lit(None, pl.Boolean)


def _parse_date(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if dtype == pl.Date:
        return col
    if isinstance(dtype, pl.Datetime):
        return col.dt.date()
    if _is_text(dtype):
        return pl.when(col.str.contains(_DATE_RE)).then(col.str.to_date("%Y-%m-%d", strict=False))
    return pl.lit(None, pl.Date)


def _parse_enum(name: str, dtype: pl.DataType, target: pl.Enum) -> pl.Expr:
    if _is_text(dtype):
        return pl.col(name).cast(target, strict=False)
    return pl.lit(None, target)


def _region_mapping(raw: pl.Series) -> dict[str, str]:
    """The 시도 of each distinct spelling, by the domain's normalize_region (so aliases match it exactly)."""
    mapping: dict[str, str] = {}
    for spelling in raw.cast(pl.String).unique().drop_nulls().to_list():
        try:
            mapping[spelling] = normalize_region(spelling)
        except ValueError:
            continue
    return mapping


def prepare_applicants(
    frame: pl.DataFrame,
    *,
    source: str = "<frame>",
    first_row: int = 1,
    bank_codes: Collection[str] | None = None,
) -> pl.DataFrame:
    """Validate a frame in the applicant-file schema and give it the types ``screen_frame`` works on.

    ``first_row`` is the number of the frame's first row in ``source`` (for chunks of a larger file).
    Raises ``ScreeningInputError`` naming ``source``, the column and the first rows at fault.
    """
    unknown = [c for c in frame.columns if c not in COLUMNS]
    if unknown:
        raise ScreeningInputError(
            f"{source}: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"expected columns: {', '.join(COLUMNS)}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ScreeningInputError(f"{source}: missing required column(s) {', '.join(missing)}")
    banks = _bank_vocabulary(bank_codes)
    schema = prepared_schema(banks)
    frame = frame.with_columns(pl.lit(None, pl.String).alias(c) for c in COLUMNS if c not in frame.columns)
    dtypes = frame.schema
    scalar = [c for c in COLUMNS if c not in ("existing_loans", "documents", "region", "preferential")]

    # Stage 1: text stripped once per column, empty -> null.
    text_columns = [c for c in scalar if _is_text(dtypes[c]) or c == "applicant_id"]
    plan = frame.lazy().with_columns(_text(c).alias(c) for c in text_columns)

    def present(name: str) -> pl.Expr:
        col = pl.col(name)
        return col.is_not_nan().fill_null(False) if dtypes[name].is_float() else col.is_not_null()

    # Stage 2: parsed values, next to the text they came from (for the checks).
    parsed = {
        "birth_date": _parse_date("birth_date", dtypes["birth_date"]),
        **{
            c: _parse_int(c, dtypes[c])
            for c in (
                "annual_income",
                "kcb_score",
                "nice_score",
                "employed_months",
                "pension_payments",
                "debt_adjustment_faithful_months",
                "requested_amount",
            )
        },
        **{c: _parse_bool(c, dtypes[c]) for c in ("public_record", "vulnerable", "basic_livelihood")},
        "occupation": _parse_enum("occupation", dtypes["occupation"], OCCUPATION_DTYPE),
        "haessal15": _parse_enum("haessal15", dtypes["haessal15"], HAESSAL15_DTYPE),
        "debt_adjustment_kind": _parse_enum(
            "debt_adjustment_kind", dtypes["debt_adjustment_kind"], ADJUSTMENT_DTYPE
        ),
        "region": pl.col("region")
        .cast(pl.String)
        .replace_strict(_region_mapping(frame["region"]), default=None, return_dtype=REGION_DTYPE),
        "requested_bank": _parse_enum("requested_bank", dtypes["requested_bank"], pl.Enum(list(banks))),
        "preferential": _preferential_items(dtypes["preferential"]),
    }
    plan = plan.with_columns(expr.alias(f"__v_{name}") for name, expr in parsed.items())

    def v(name: str) -> pl.Expr:
        return pl.col(f"__v_{name}")

    def unparsed(name: str) -> pl.Expr:
        return present(name) & v(name).is_null()

    def int_check(name: str, low: int, high: int | None, problem: str) -> _Check:
        out_of_range = v(name) < low if high is None else (v(name) < low) | (v(name) > high)
        return _Check(name, problem, unparsed(name) | out_of_range)

    kind = v("debt_adjustment_kind")
    months = v("debt_adjustment_faithful_months")
    occupations = ", ".join(o.value for o in Occupation)
    statuses = ", ".join(s.value for s in Haessal15Status)
    kinds = ", ".join(k.value for k in DebtAdjustmentKind)
    boolean = "must be true or false (or empty)"
    checks = [
        _Check(
            "birth_date",
            "must be a date YYYY-MM-DD in 1900 or later",
            ~(v("birth_date").dt.year() >= 1900).fill_null(False),
        ),
        _Check("annual_income", "must be whole won, 0 or more", ~(v("annual_income") >= 0).fill_null(False)),
        int_check("kcb_score", 0, 1000, "must be a score 0..1000, or empty if unknown"),
        int_check("nice_score", 0, 1000, "must be a score 0..1000, or empty if unknown"),
        _Check("occupation", f"must be one of {occupations}", v("occupation").is_null()),
        int_check("employed_months", 0, 960, "must be 0..960 (or empty for 0)"),
        int_check("pension_payments", 0, 1200, "must be 0..1200 (or empty for 0)"),
        _Check("haessal15", f"must be one of {statuses} (or empty for none)", unparsed("haessal15")),
        _Check("public_record", boolean, unparsed("public_record")),
        _Check("debt_adjustment_kind", f"must be empty or one of {kinds}", unparsed("debt_adjustment_kind")),
        int_check("debt_adjustment_faithful_months", 0, 600, "must be 0..600"),
        _Check(
            "debt_adjustment_faithful_months",
            "is required with a debt_adjustment_kind",
            kind.is_not_null() & months.is_null(),
        ),
        _Check(
            "debt_adjustment_faithful_months",
            "must be empty or 0 without a debt_adjustment_kind",
            kind.is_null() & (months != 0),
        ),
        _Check("region", f"must be a 시도 ({', '.join(REGIONS)}) or its full name", v("region").is_null()),
        _Check("vulnerable", boolean, unparsed("vulnerable")),
        _Check("basic_livelihood", boolean, unparsed("basic_livelihood")),
        _Check(
            "preferential",
            f"must be empty or ';'-separated codes among {', '.join(PREFERENTIAL_CODES)}",
            v("preferential").list.eval(~pl.element().is_in(PREFERENTIAL_CODES)).list.any(),
        ),
        _Check(
            "requested_bank",
            f"must be empty or a catalog bank code ({', '.join(banks)})",
            unparsed("requested_bank"),
        ),
        int_check("requested_amount", 1, None, "must be whole won above 0"),
    ]
    no_preferential = pl.lit([], pl.List(PREFERENTIAL_DTYPE))
    values = {
        "applicant_id": pl.col("applicant_id").fill_null(
            pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64).cast(pl.String)
        ),
        "birth_date": v("birth_date"),
        "annual_income": v("annual_income"),
        "kcb_score": v("kcb_score"),
        "nice_score": v("nice_score"),
        "occupation": v("occupation"),
        "employed_months": v("employed_months").fill_null(0),
        "pension_payments": v("pension_payments").fill_null(0),
        "haessal15": v("haessal15").fill_null(Haessal15Status.NONE.value),
        "public_record": v("public_record").fill_null(False),
        "debt_adjustment_kind": kind,
        "debt_adjustment_faithful_months": pl.when(kind.is_not_null()).then(months),
        "region": v("region"),
        "vulnerable": v("vulnerable").fill_null(False),
        "basic_livelihood": v("basic_livelihood").fill_null(False),
        "preferential": v("preferential")
        .list.eval(pl.element().cast(PREFERENTIAL_DTYPE, strict=False))
        .list.unique(maintain_order=True)
        .fill_null(no_preferential),
        "requested_bank": v("requested_bank"),
        "requested_amount": v("requested_amount"),
    }
    bad_names = [f"__bad{i}" for i in range(len(checks))]
    result = plan.select(
        *(value.alias(name) for name, value in values.items()),
        *(check.bad.fill_null(False).alias(n) for check, n in zip(checks, bad_names, strict=True)),
    ).collect()
    _raise_first(result, checks, bad_names, frame, source, first_row)
    loans = _json_column(frame, "existing_loans", _LOAN_JSON, LOAN_DTYPE, source, first_row)
    documents = _json_column(frame, "documents", _DOC_JSON, DOC_DTYPE, source, first_row)
    return result.with_columns(existing_loans=loans, documents=documents).select(schema.names())


def _preferential_items(dtype: pl.DataType) -> pl.Expr:
    """The preferential codes as a list of stripped, non-empty texts (checked against the codes later)."""
    name = "preferential"
    if _is_text(dtype):
        items = _text(name).str.split(";")
    elif isinstance(dtype, pl.List):
        items = pl.col(name).cast(pl.List(pl.String))
    else:
        items = pl.lit(None, pl.List(pl.String))
    return items.list.eval(pl.element().str.strip_chars().filter(pl.element().str.strip_chars() != ""))


def _raise_first(
    result: pl.DataFrame,
    checks: Sequence[_Check],
    bad_names: Sequence[str],
    frame: pl.DataFrame,
    source: str,
    first_row: int,
) -> None:
    """Raise for the problem found first in the file (lowest row, then column order)."""
    if not bad_names:
        return
    flags = result.select(bad_names).sum()
    found = [(i, int(flags[name][0])) for i, name in enumerate(bad_names) if flags[name][0]]
    if not found:
        return
    firsts = {i: result[bad_names[i]].arg_true() for i, _ in found}
    index = min(firsts, key=lambda i: (int(firsts[i][0]), i))
    positions = firsts[index]
    check = checks[index]
    position = int(positions[0])
    raw = frame[check.column][position]
    _raise_rows(source, check.column, check.problem, [int(p) + first_row for p in positions], raw)


def _raise_rows(source: str, column: str, problem: str, rows: Sequence[int], raw: object) -> NoReturn:
    got = "empty" if raw is None or raw == "" else repr(raw)
    if len(rows) == 1:
        raise ScreeningInputError(f"{source}: row {rows[0]}, column {column}: {problem}; got {got}")
    shown = ", ".join(str(r) for r in rows[:_MAX_ROWS_NAMED])
    more = f" and {len(rows) - _MAX_ROWS_NAMED} more" if len(rows) > _MAX_ROWS_NAMED else ""
    raise ScreeningInputError(
        f"{source}: rows {shown}{more}, column {column}: {problem}; row {rows[0]} has {got}"
    )


def _json_column(
    frame: pl.DataFrame,
    name: str,
    fields: Mapping[str, pl.DataType],
    target: pl.Struct,
    source: str,
    first_row: int,
) -> pl.Series:
    """Decode a JSON-array column, check every element, and give it its screening type."""
    height = frame.height
    column = frame[name]
    if column.null_count() == height:
        return pl.Series(name, [None] * height, dtype=pl.List(target))
    if not _is_text(column.dtype):
        position = int(column.is_not_null().arg_true()[0])
        _raise_rows(source, name, "must be a JSON array in text", [position + first_row], column[position])
    text = column.cast(pl.String).str.strip_chars()
    present = text.is_not_null() & (text != "")
    positions = present.arg_true()
    # Only the rows that carry a list are decoded; the rest stay null (the common case costs nothing).
    values = text.filter(present)
    rows = positions.cast(pl.Int64) + first_row
    not_array = ~(values.str.starts_with("[") & values.str.ends_with("]"))
    if not_array.any():
        bad_rows = rows.filter(not_array).to_list()
        _raise_rows(source, name, "must be a JSON array [...]", bad_rows, values.filter(not_array)[0])
    try:
        decoded = values.str.json_decode(pl.List(pl.Struct(dict(fields))))
    except pl.exceptions.PolarsError:
        _diagnose_json(values, rows, name, fields, source)
        raise ScreeningInputError(f"{source}: column {name}: not readable as JSON arrays") from None
    # Decoding to a fixed type ignores unknown keys, keeps the first of a repeated key and coerces some
    # JSON types (true -> "true", 1.5 -> 1). Texts of the plain shape cannot hide the first two; in them
    # every ':' ends a key, so a repeated key shows as more ':' than decoded fields. Any other text is
    # checked strictly, one by one (rare: explicit nulls, escapes, ':' inside a value).
    plain = values.str.contains(_plain_json_pattern(fields))
    decoded_fields = decoded.list.eval(
        pl.sum_horizontal(pl.element().struct.field(f).is_not_null().cast(pl.Int32) for f in fields)
    ).list.sum()
    repeated = plain & (values.str.count_matches(":", literal=True) != decoded_fields)
    strict = ~plain | repeated
    if strict.any():
        _diagnose_json(values.filter(strict), rows.filter(strict), name, fields, source)
    _check_elements(decoded, rows, name, source)
    dates = {"existing_loans": "executed_on", "documents": "issued_on"}[name]
    converted = decoded.list.eval(
        pl.element().struct.with_fields(pl.field(dates).str.to_date("%Y-%m-%d", strict=False))
    )
    if name == "existing_loans":
        converted = converted.list.eval(
            pl.element().struct.with_fields(
                pl.field("in_arrears").fill_null(False), pl.field("repaid").fill_null(False)
            )
        )
    converted = converted.cast(pl.List(target))
    index = pl.select(pl.when(present).then(present.cast(pl.Int64).cum_sum() - 1)).to_series()
    return converted.gather(index).alias(name)


def _plain_json_pattern(fields: Mapping[str, pl.DataType]) -> str:
    """A JSON array of flat objects with known keys, each value of its field's JSON type and not null,
    strings free of escapes, ':' and brackets: what ordinary writers produce for this schema."""
    values = {pl.String(): r'"[^"\\:{}\[\]]*"', pl.Int64(): r"-?[0-9]+", pl.Boolean(): r"(?:true|false)"}
    members = []
    for dtype, value in values.items():
        keys = "|".join(k for k, t in fields.items() if t == dtype)
        if keys:
            members.append(rf'"(?:{keys})"\s*:\s*{value}')
    member = f"(?:{'|'.join(members)})"
    obj = rf"\{{\s*{member}(?:\s*,\s*{member})*\s*\}}"
    return rf"^\[\s*(?:{obj}(?:\s*,\s*{obj})*)?\s*\]$"


def _check_elements(decoded: pl.Series, rows: pl.Series, name: str, source: str) -> None:
    """Element rules of ExistingLoan / SubmittedDocument, over all elements at once."""
    lengths = decoded.list.len().to_numpy()
    flat = decoded.explode(empty_as_null=False)
    if flat.len() == 0:
        return
    # A null element ([null]) has every field null, so it fails the required-field rules.
    long = pl.DataFrame({"v": flat}).unnest("v")

    def blank(field: str) -> pl.Expr:
        return pl.col(field).is_null() | (pl.col(field).str.strip_chars() == "")

    def bad_date(field: str) -> pl.Expr:
        text = pl.col(field)
        return (
            ~text.str.contains(_DATE_RE).fill_null(False)
            | text.str.to_date("%Y-%m-%d", strict=False).is_null()
        )

    rules: list[tuple[str, str, pl.Expr]]
    if name == "existing_loans":
        repaid = pl.col("repaid").fill_null(False)
        amount, balance = pl.col("amount"), pl.col("balance")
        rules = [
            ("product", "must be a product id", blank("product")),
            ("bank", "must be a bank code", blank("bank")),
            ("amount", "must be whole won above 0", amount.is_null() | (amount <= 0)),
            ("balance", "must be whole won, 0 or more", balance.is_null() | (balance < 0)),
            ("balance", "exceeds amount", balance > amount),
            ("executed_on", "must be a date YYYY-MM-DD", bad_date("executed_on")),
            ("balance", "of a repaid loan must be 0", repaid & (balance != 0)),
            (
                "in_arrears",
                "cannot be true for a repaid loan",
                repaid & pl.col("in_arrears").fill_null(False),
            ),
        ]
    else:
        rules = [
            ("type", "must be a document type code", blank("type")),
            ("issued_on", "must be a date YYYY-MM-DD", bad_date("issued_on")),
        ]
    flags = long.select(bad.fill_null(False).alias(f"__bad{i}") for i, (_, _, bad) in enumerate(rules))
    if not flags.select(pl.any_horizontal(pl.all()).any()).item():
        return
    # The error path: number the elements and name the earliest.
    element_row = np.repeat(rows.to_numpy(), lengths)
    element_item = np.arange(flat.len()) - np.repeat(np.cumsum(lengths) - lengths, lengths).astype(np.int64)
    hits = []
    for i, (field, problem, _) in enumerate(rules):
        positions = flags[f"__bad{i}"].arg_true().to_numpy()
        if positions.size:
            hits.append((int(element_row[positions[0]]), i, positions, field, problem))
    _, _, positions, field, problem = min(hits, key=lambda h: (h[0], h[1]))
    first = int(positions[0])
    bad_rows = list(dict.fromkeys(int(r) for r in element_row[positions]))
    raw = long[field][first]
    _raise_rows(source, name, f"element {int(element_item[first]) + 1}: {field} {problem}", bad_rows, raw)


def _diagnose_json(
    values: pl.Series, rows: pl.Series, name: str, fields: Mapping[str, pl.DataType], source: str
) -> None:
    """Check JSON texts strictly, one by one (only rows already suspected); raise for those at fault."""
    kinds: dict[str, type] = {}
    for field, dtype in fields.items():
        kinds[field] = bool if dtype == pl.Boolean else int if dtype == pl.Int64 else str
    problems: list[tuple[int, str, str]] = []
    for row, value in zip(rows.to_list(), values.to_list(), strict=True):
        problem = _json_problem(value, kinds)
        if problem is not None:
            problems.append((row, problem, value))
            if len(problems) > _MAX_ROWS_NAMED:
                break
    if problems:
        _, problem, value = problems[0]
        shown = value if len(value) < 80 else value[:77] + "..."
        _raise_rows(source, name, problem, [p[0] for p in problems], shown)


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate key {next(k for k in keys if keys.count(k) > 1)!r}")
    return dict(pairs)


def _json_problem(value: str, kinds: Mapping[str, type]) -> str | None:
    try:
        items = json.loads(value, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg})"
    except ValueError as exc:
        return str(exc)
    if not isinstance(items, list):
        return "must be a JSON array"
    names = {bool: "true/false", int: "whole number", str: "string"}
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            return f"element {n} must be an object"
        for key, field_value in item.items():
            if key not in kinds:
                return f"element {n}: unknown key {key!r} (expected {', '.join(kinds)})"
            kind = kinds[key]
            if field_value is None:
                continue
            wrong = not isinstance(field_value, kind) or (kind is int and isinstance(field_value, bool))
            if wrong or (kind is int and not -(2**62) < field_value < 2**62):
                return f"element {n}: {key} must be a JSON {names[kind]}"
    return None


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ScreeningInputError(
            f"{path.name}: unsupported file type {suffix or '(none)'}; use .csv or .parquet"
        )
    return suffix


def _strip_bom(names: list[str]) -> list[str]:
    return [n.lstrip("\ufeff").strip() for n in names]


def _scan(path: Path) -> pl.LazyFrame:
    if _suffix(path) == ".csv":
        # Every column as text: the checks here give better errors than type inference would.
        return pl.scan_csv(path, infer_schema=False, with_column_names=_strip_bom)
    return pl.scan_parquet(path)


def read_applicants(path: str | Path, *, bank_codes: Collection[str] | None = None) -> pl.DataFrame:
    """Read and validate an applicant file (.csv or .parquet); the frame ``screen_frame`` screens."""
    path = Path(path)
    try:
        frame = _scan(path).collect()
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ScreeningInputError(f"{path.name}: cannot read: {str(exc).splitlines()[0]}") from None
    return prepare_applicants(frame, source=path.name, bank_codes=bank_codes)


def write_results(df: pl.DataFrame, path: str | Path) -> None:
    """Write screening results as .csv or .parquet (by suffix)."""
    path = Path(path)
    if _suffix(path) == ".csv":
        df.write_csv(path)
    else:
        df.write_parquet(path)


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
    return _screen(product, applicants, as_of).select(RESULT_SCHEMA.names())


def _screen(product: ProductVersion, df: pl.DataFrame, as_of: date) -> pl.DataFrame:
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
    plan.fail("AMOUNT_ABOVE_LIMIT", requested_amount.is_not_null() & (cap > 0) & (requested_amount > cap))

    if product.partner_banks:
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
    df: pl.DataFrame,
    where: pl.Expr,
    columns: Sequence[str],
    build: Callable[[pl.DataFrame], pl.DataFrame],
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
    """The offered rate text by (vulnerable, preferential codes), from the product's own arithmetic."""
    table: list[str] = []
    for vulnerable in (False, True):
        for mask in range(2 ** len(PREFERENTIAL_CODES)):
            codes = [c for i, c in enumerate(PREFERENTIAL_CODES) if mask >> i & 1]
            table.append(format_rate(product.base_rate(vulnerable) - product.preferential_cut(codes)))
    key: pl.Expr = pl.col("vulnerable").cast(pl.Int64) * 2 ** len(PREFERENTIAL_CODES)
    for i, code in enumerate(PREFERENTIAL_CODES):
        key = (
            key + pl.col("preferential").list.contains(pl.lit(code, PREFERENTIAL_DTYPE)).cast(pl.Int64) * 2**i
        )
    return pl.lit(pl.Series(table, dtype=pl.String)).gather(key)


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
            results.append(_screen(product, prepared, as_of).select(RESULT_SCHEMA.names()))
            done += chunk.height
            if progress is not None:
                progress(done, total)
    except pl.exceptions.PolarsError as exc:
        raise ScreeningInputError(f"{path.name}: cannot read: {str(exc).splitlines()[0]}") from None
    if not results:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    return pl.concat(results)


# --- synthetic applicants --------------------------------------------------------------------------

# Population shares (documented in synthetic_applicants).
_OCCUPATION_SHARES: Final = {
    "employee": 0.50,
    "business": 0.18,
    "freelancer": 0.12,
    "pensioner": 0.10,
    "unemployed": 0.10,
}
_REGION_SHARES: Final = dict(
    zip(REGIONS, (0.18, 0.06, 0.045, 0.06, 0.028, 0.028, 0.02, 0.008, 0.26, 0.03, 0.032, 0.042, 0.034,
                  0.035, 0.05, 0.064, 0.014), strict=True)
)  # fmt: skip
_REGION_LONG: Final = {
    "서울": "서울특별시",
    "부산": "부산광역시",
    "경기": "경기도",
    "전북": "전북특별자치도",
    "강원": "강원특별자치도",
    "제주": "제주특별자치도",
    "세종": "세종특별자치시",
}
_HAESSAL15_SHARES: Final = {"none": 0.50, "rejected": 0.35, "using": 0.10, "repaid": 0.05}
_ADJUSTMENT_SHARES: Final = {"": 0.93, "workout": 0.04, "rehabilitation": 0.02, "new_start_fund": 0.01}
_PREFERENTIAL_SHARES: Final = {
    "": 0.85,
    "consulting": 0.08,
    "employment-support": 0.05,
    "consulting;employment-support": 0.02,
}
_LOAN_PRODUCTS: Final = {
    "lowest-credit-special": 0.70,
    "haessal-15": 0.10,
    "worker-haessal": 0.06,
    "haessal-youth": 0.04,
    "miso": 0.04,
    "haessal-special": 0.03,
    "illegal-finance-prevention": 0.03,
}
_LENDERS: Final = (
    "kwangju", "jeonbuk", "welcome-sb", "db-sb", "nh-sb", "woori-sb", "ibk-sb", "hana-sb", "shinhan-sb",
    "bnk-sb", "kb-sb", "yuchang-sb", "jinju-sb", "sbi-sb",
)  # fmt: skip
_OTHER_BANKS: Final = ("miso-foundations", "miso-operators")
_DOCUMENTS_BY_OCCUPATION: Final = {
    "employee": (
        "employment_certificate",
        "health_insurance_eligibility",
        "earned_income_withholding_receipt",
        "payslips_3_months",
    ),
    "business": ("business_registration", "income_amount_certificate", "comprehensive_income_tax_return"),
    "freelancer": (
        "engagement_certificate",
        "business_income_withholding_receipt",
        "salary_deposits_3_months",
    ),
    "pensioner": ("pension_receipt_certificate", "pension_payment_statement", "pension_account_copy"),
    "unemployed": ("health_insurance_payment",),
}
_ADJUSTMENT_DOCUMENTS: Final = (
    "ccrs_repayment_record",
    "rehabilitation_payment_certificate",
    "new_start_fund_repayment_record",
)
SYNTHETIC_DOCUMENTS_AS_OF: Final = date(2025, 5, 1)


def _pick(rng: np.random.Generator, shares: Mapping[str, float], n: int) -> npt.NDArray[np.str_]:
    keys = list(shares)
    weights = np.array([shares[k] for k in keys])
    return np.array(keys)[rng.choice(len(keys), size=n, p=weights / weights.sum())]


def _days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def synthetic_applicants(n: int, seed: int) -> pl.DataFrame:
    """``n`` seeded synthetic applicants in the file schema (typed columns, JSON text for the lists).

    Distributions, meant to look like people who ask about policy microfinance:

    - birth dates uniform 1950-01-01..2007-12-31 (ages about 17-75; a few are under 19);
    - occupation: employee 50%, business 18%, freelancer 12%, pensioner 10%, unemployed 10%;
      employed_months for workers exponential with mean 40 (cap 480), 15% exactly 2, 3, 6, 11 or 12;
      pensioners receive 0-240 payments (10% none); 5% of non-workers still report months;
    - annual_income log-normal around 30,000,000 (σ 0.45, in 10,000-won steps), so mostly 15-50 M won;
      3% sit exactly on a cap (35,000,000 or 45,000,000), 2% have no income;
    - applicant_id A0000001, A0000002, ...;
    - kcb_score normal(690, 90) clipped 300..1000; nice_score = kcb + normal(35, 30), clipped; 6% give
      only NICE, 6% only KCB, 2% neither; 3% sit exactly on a cutoff (KCB 675 or 700, NICE 724 or 749);
    - haessal15: none 50%, rejected 35%, using 10%, repaid 5%; public_record 8%;
    - debt adjustment 7% (workout 4%, rehabilitation 2%, New Start Fund 1%), faithful months 0..24;
    - region by population (경기 26%, 서울 18%, ...), 5% spelled in full (서울특별시);
    - vulnerable 15%, basic_livelihood 8%; preferential: consulting 8%, employment-support 5%, both 2%;
    - requested_bank: 45% none, else a lowest-credit-special lender (10% a Miso channel);
      requested_amount: 50% none, else 500,000..10,000,000 in 500,000 steps;
    - existing_loans for 10%: 1-3 loans (mostly lowest-credit-special), 30% repaid, 8% of open ones in
      arrears, executed 2023-01..2026-02 (10% on a month's last day);
    - documents for 5%: 0-3 documents (70% fitting the occupation, some debt-adjustment proofs, the
      rest any type), issued up to 45 days before 2025-05-01 or up to 3 days after (so on 2025-05-01
      some are expired and some misdated).
    """
    rng = np.random.default_rng(seed)
    birth = np.datetime64("1950-01-01") + rng.integers(
        0, _days(date(2008, 1, 1)) - _days(date(1950, 1, 1)), n
    )

    occupation = _pick(rng, _OCCUPATION_SHARES, n)
    working = np.isin(occupation, ["employee", "business", "freelancer"])
    months = np.minimum(rng.exponential(40, n).astype(np.int64), 480)
    months = np.where(rng.random(n) < 0.15, rng.choice(np.array([2, 3, 6, 11, 12]), n), months)
    months = np.where(working | (rng.random(n) < 0.05), months, 0)
    pension = np.where((occupation == "pensioner") & (rng.random(n) < 0.9), rng.integers(1, 241, n), 0)

    income = np.round(np.exp(rng.normal(np.log(30_000_000), 0.45, n)) / 10_000).astype(np.int64) * 10_000
    edge = rng.random(n)
    income = np.where(edge < 0.03, rng.choice(np.array([35_000_000, 45_000_000]), n), income)
    income = np.where((edge >= 0.03) & (edge < 0.05), 0, income)

    kcb = np.clip(rng.normal(690, 90, n), 300, 1000).astype(np.int64)
    nice = np.clip(kcb + rng.normal(35, 30, n), 300, 1000).astype(np.int64)
    on_cutoff = rng.random(n) < 0.03
    kcb = np.where(on_cutoff, rng.choice(np.array([675, 700]), n), kcb)
    nice = np.where(on_cutoff, rng.choice(np.array([724, 749]), n), nice)
    unknown = rng.random(n)
    kcb_known = ~((unknown < 0.06) | (unknown >= 0.98))
    nice_known = ~(((unknown >= 0.06) & (unknown < 0.12)) | (unknown >= 0.98))

    kind = _pick(rng, _ADJUSTMENT_SHARES, n)
    faithful = rng.integers(0, 25, n)

    region = _pick(rng, _REGION_SHARES, n)
    long_name = pl.Series(region).replace(_REGION_LONG).to_numpy()
    region = np.where(rng.random(n) < 0.05, long_name, region)

    preferential = _pick(rng, _PREFERENTIAL_SHARES, n)
    banks = np.array(_LENDERS + _OTHER_BANKS)
    bank_weights = np.array([0.9 / len(_LENDERS)] * len(_LENDERS) + [0.05, 0.05])
    requested_bank = banks[rng.choice(len(banks), n, p=bank_weights)]
    bank_given = rng.random(n) >= 0.45
    amount = rng.integers(1, 21, n) * 500_000
    amount_given = rng.random(n) < 0.5

    frame = pl.DataFrame(
        {
            "applicant_id": pl.select(
                pl.format("A{}", pl.int_range(1, n + 1).cast(pl.String).str.zfill(7))
            ).to_series(),
            "birth_date": pl.Series(birth).cast(pl.Date),
            "annual_income": income,
            "kcb_score": pl.Series(kcb).set(pl.Series(~kcb_known), None),
            "nice_score": pl.Series(nice).set(pl.Series(~nice_known), None),
            "occupation": occupation,
            "employed_months": months,
            "pension_payments": pension,
            "haessal15": _pick(rng, _HAESSAL15_SHARES, n),
            "public_record": rng.random(n) < 0.08,
            "debt_adjustment_kind": pl.Series(kind).replace("", None),
            "debt_adjustment_faithful_months": pl.Series(faithful).set(pl.Series(kind == ""), None),
            "region": region,
            "vulnerable": rng.random(n) < 0.15,
            "basic_livelihood": rng.random(n) < 0.08,
            "preferential": preferential,
            "requested_bank": pl.Series(requested_bank).set(pl.Series(~bank_given), None),
            "requested_amount": pl.Series(amount).set(pl.Series(~amount_given), None),
        }
    )
    loans = _synthetic_loans(rng, n)
    documents = _synthetic_documents(rng, occupation, kind)
    return frame.with_columns(existing_loans=loans, documents=documents).select(COLUMNS)


def _synthetic_loans(rng: np.random.Generator, n: int) -> pl.Series:
    holders = np.flatnonzero(rng.random(n) < 0.10)
    row = np.repeat(holders, rng.choice(np.array([1, 2, 3]), holders.size, p=[0.6, 0.3, 0.1]))
    m = row.size
    amount = rng.integers(2, 11, m) * 500_000
    repaid = rng.random(m) < 0.30
    balance = np.where(repaid, 0, (amount * rng.random(m) / 10_000).astype(np.int64) * 10_000)
    arrears = ~repaid & (rng.random(m) < 0.08)
    start, end = _days(date(2023, 1, 1)), _days(date(2026, 3, 1))
    executed = np.datetime64("1970-01-01", "D") + rng.integers(start, end, m)
    month_end = (executed.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    executed = np.where(rng.random(m) < 0.10, month_end, executed)
    banks = np.array(_LENDERS + _OTHER_BANKS)
    long = pl.DataFrame(
        {
            "row": row,
            "product": _pick(rng, _LOAN_PRODUCTS, m),
            "bank": banks[rng.integers(0, banks.size, m)],
            "amount": amount,
            "balance": balance,
            "executed_on": pl.Series(executed).cast(pl.Date),
            "in_arrears": arrears,
            "repaid": repaid,
        }
    )
    template = (
        '{{"product":"{}","bank":"{}","amount":{},"balance":{},'
        '"executed_on":"{}","in_arrears":{},"repaid":{}}}'
    )
    objects = pl.format(template, *(pl.col(c) for c in long.columns[1:]))
    return _json_arrays(long.select("row", objects.alias("object")), holders, n)


def _synthetic_documents(
    rng: np.random.Generator, occupation: npt.NDArray[np.str_], kind: npt.NDArray[np.str_]
) -> pl.Series:
    n = occupation.size
    holders = np.flatnonzero(rng.random(n) < 0.05)
    row = np.repeat(holders, rng.choice(np.array([0, 1, 2, 3]), holders.size, p=[0.05, 0.25, 0.45, 0.25]))
    m = row.size
    fitting = np.empty(m, dtype=object)
    for name, choices in _DOCUMENTS_BY_OCCUPATION.items():
        where = occupation[row] == name
        fitting[where] = np.array(choices)[rng.integers(0, len(choices), int(where.sum()))]
    every = np.array(
        sorted({d for ds in _DOCUMENTS_BY_OCCUPATION.values() for d in ds} | set(_ADJUSTMENT_DOCUMENTS))
    )
    adjustment_doc = np.array(_ADJUSTMENT_DOCUMENTS)[rng.integers(0, len(_ADJUSTMENT_DOCUMENTS), m)]
    draw = rng.random(m)
    doc_type = np.where(
        draw < 0.7,
        fitting,
        np.where((kind[row] != "") & (draw < 0.9), adjustment_doc, every[rng.integers(0, every.size, m)]),
    )
    issued = np.datetime64(SYNTHETIC_DOCUMENTS_AS_OF, "D") - rng.integers(-3, 46, m)
    long = pl.DataFrame(
        {"row": row, "type": doc_type.astype(str), "issued_on": pl.Series(issued).cast(pl.Date)}
    )
    objects = pl.format('{{"type":"{}","issued_on":"{}"}}', pl.col("type"), pl.col("issued_on"))
    return _json_arrays(long.select("row", objects.alias("object")), holders, n)


def _json_arrays(objects: pl.DataFrame, holders: npt.NDArray[np.int64], n: int) -> pl.Series:
    """One JSON array per holder row (``[]`` for a holder without objects); other rows stay null."""
    joined = objects.group_by("row", maintain_order=True).agg(pl.col("object").str.join(","))
    arrays = (
        pl.DataFrame({"row": holders})
        .join(joined, on="row", how="left", maintain_order="left")
        .select("row", pl.format("[{}]", pl.col("object").fill_null("")).alias("text"))
    )
    full = pl.Series([None] * n, dtype=pl.String)
    return full.scatter(arrays["row"], arrays["text"])
