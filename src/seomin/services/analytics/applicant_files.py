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
accepts too, with the same meaning."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, NoReturn

import numpy as np
import polars as pl
from pydantic import ValidationError

from seomin.adapters.catalog_files import default_catalog
from seomin.domain.batch_eligibility import PREFERENTIAL_CODES, PREFERENTIAL_DTYPE
from seomin.domain.catalog import DebtAdjustmentKind, Haessal15Status, Occupation
from seomin.domain.profile import ApplicantProfile
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
_BOOL_COLUMNS: Final = ("public_record", "vulnerable", "basic_livelihood")
_SCALAR_COLUMNS: Final = tuple(
    c
    for c in COLUMNS
    if c
    not in ("applicant_id", "requested_bank", "preferential", "existing_loans", "documents", *_BOOL_COLUMNS)
    and not c.startswith("debt_adjustment_")
)
"""The columns copied into the profile as they are (the others are parsed: flags, lists, the adjustment)."""
OCCUPATION_DTYPE: Final = pl.Enum([o.value for o in Occupation])
HAESSAL15_DTYPE: Final = pl.Enum([s.value for s in Haessal15Status])
ADJUSTMENT_DTYPE: Final = pl.Enum([k.value for k in DebtAdjustmentKind])
REGION_DTYPE: Final = pl.Enum(list(REGIONS))

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
    for name in _SCALAR_COLUMNS:
        value = get(name)
        if value is not None:
            data[name] = value
    for name in _BOOL_COLUMNS:
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
