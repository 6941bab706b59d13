"""Open data (공공데이터 개방): an anonymized, loan-level export of executed loans for fintechs.

One row per executed loan, with no direct identifier: no resident number, name, phone, database id,
certificate number or exact date. The quasi-identifiers are generalized with the bands of
``services.analytics.policy`` (age band on the execution day, 시도, income band, KCB score band; income, score
and birth date come from the application profile, decrypted here with the platform's vault), and the
export is k-anonymous on them: a row whose combination of quasi-identifiers occurs fewer than ``k`` times
is suppressed (left out) and counted in the summary. Amounts are rounded to 1,000,000 won, dates to the
month, and the rows are sorted by their values (not by id or time of execution), so row order reveals
nothing either.

Files, for a ``path_prefix`` of ``out/loans``: ``out/loans.csv`` (UTF-8, header row), ``out/loans.parquet``,
and the data dictionary ``out/loans.dictionary.json`` and ``out/loans.dictionary.md`` (each column in
Korean and English).

``sector`` (업권) selects the loans of one kind of lender (``bank``, ``savings_bank``, ``foundation``,
``operator``: the partner bank's kind in the catalog); ``None`` exports every loan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal, get_args

import polars as pl
from sqlalchemy import select

from seomin.adapters.db.models import Application, Guarantee, Loan
from seomin.domain.regions import REGIONS, normalize_region
from seomin.services.analytics.policy import (
    AGE_BANDS,
    INCOME_BANDS,
    SCORE_BANDS,
    age_band,
    income_band,
    score_band,
)
from seomin.services.platform import Platform

Sector = Literal["bank", "savings_bank", "foundation", "operator"]
SECTORS: Final[tuple[str, ...]] = get_args(Sector)
SECTOR_KO: Final[dict[str, str]] = {
    "bank": "은행",
    "savings_bank": "저축은행",
    "foundation": "재단",
    "operator": "사업수행기관",
}
QUASI_IDENTIFIERS: Final[tuple[str, ...]] = ("age_band", "region", "income_band", "score_band")
AMOUNT_UNIT: Final = 1_000_000
DEFAULT_K: Final = 5


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    dtype: str
    ko: str
    en: str


COLUMNS: Final[tuple[Column, ...]] = (
    Column("sector", "string", f"업권 ({', '.join(f'{k}={v}' for k, v in SECTOR_KO.items())})",
           "lender sector: the partner bank's kind"),
    Column("product", "string", "상품 코드 (예: lowest-credit-special = 최저신용자 특례보증)",
           "product code (e.g. lowest-credit-special)"),
    Column("age_band", "string", f"대출 실행일 기준 만 나이 구간 ({', '.join(AGE_BANDS)}) · 준식별자",
           "age band on the day of execution · quasi-identifier"),
    Column("region", "string", f"주소지 시도 ({', '.join(REGIONS)}) · 준식별자",
           "province (시도) of the registered address · quasi-identifier"),
    Column("income_band", "string", f"연소득 구간, 원 ({', '.join(INCOME_BANDS)}) · 준식별자",
           "annual income band, won (만 = 10,000) · quasi-identifier"),
    Column("score_band", "string", f"KCB 개인신용평점 구간 ({', '.join(SCORE_BANDS)}) · 준식별자",
           "KCB personal credit score band (미상 = unknown) · quasi-identifier"),
    Column("amount_rounded", "integer", "대출금액, 100만 원 단위 반올림 (원)",
           "loan amount rounded to the nearest 1,000,000 won"),
    Column("annual_rate_pct", "decimal(5,2)", "약정 연 금리 (%, 실행 시점)",
           "contract annual rate at execution, %"),
    Column("term_months", "integer", "대출 기간 (개월)", "repayment term, months"),
    Column("grace_months", "integer", "거치 기간 (개월)", "grace period, months"),
    Column("status", "string",
           "대출 상태 (active 정상, delinquent 연체, defaulted 부실, subrogated 대위변제, repaid 상환 완료)",
           "loan status: active, delinquent, defaulted, subrogated, repaid"),
    Column("executed_month", "string (YYYY-MM)", "대출 실행 연월", "month of execution"),
    Column("repaid_month", "string (YYYY-MM)", "상환 완료 연월 (미상환이면 빈 값)",
           "month of full repayment (empty while open)"),
)  # fmt: skip


class OpenDataError(ValueError):
    """A bad parameter of the export; one line."""


@dataclass(frozen=True, slots=True)
class ExportSummary:
    k: int
    sector: str | None
    loans: int  # executed loans selected (in the sector)
    rows_written: int
    rows_suppressed: int  # rows in quasi-identifier groups smaller than k
    groups_written: int
    groups_suppressed: int
    csv_path: Path
    parquet_path: Path
    dictionary_paths: tuple[Path, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "sector": self.sector,
            "loans": self.loans,
            "rows_written": self.rows_written,
            "rows_suppressed": self.rows_suppressed,
            "groups_written": self.groups_written,
            "groups_suppressed": self.groups_suppressed,
            "files": [str(p) for p in (self.csv_path, self.parquet_path, *self.dictionary_paths)],
        }


def export_open_data(
    platform: Platform, path_prefix: str | Path, *, k: int = DEFAULT_K, sector: str | None = None
) -> ExportSummary:
    """Write the k-anonymous loan-level export and its data dictionary; see the module doc."""
    if k < 2:
        raise OpenDataError(f"k must be 2 or more (k = 1 protects no one), got {k}")
    if sector is not None and sector not in SECTORS:
        raise OpenDataError(f"unknown sector {sector!r}; sectors: {', '.join(SECTORS)}")
    prefix = Path(path_prefix)
    loans = _loan_rows(platform, sector)
    rows = _generalize(loans)
    sizes = pl.len().over(QUASI_IDENTIFIERS)
    kept = rows.filter(sizes >= k)
    dropped = rows.filter(sizes < k)
    kept = kept.sort(kept.columns)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    csv_path = prefix.with_name(prefix.name + ".csv")
    parquet_path = prefix.with_name(prefix.name + ".parquet")
    kept.write_csv(csv_path)
    kept.write_parquet(parquet_path)
    dictionary = _write_dictionary(prefix, k, sector)
    return ExportSummary(
        k=k,
        sector=sector,
        loans=rows.height,
        rows_written=kept.height,
        rows_suppressed=dropped.height,
        groups_written=kept.select(QUASI_IDENTIFIERS).n_unique() if kept.height else 0,
        groups_suppressed=dropped.select(QUASI_IDENTIFIERS).n_unique() if dropped.height else 0,
        csv_path=csv_path,
        parquet_path=parquet_path,
        dictionary_paths=dictionary,
    )


_RAW_SCHEMA: Final[dict[str, pl.DataType]] = {
    "sector": pl.String(),
    "product": pl.String(),
    "birth_date": pl.Date(),
    "region": pl.String(),
    "annual_income": pl.Int64(),
    "kcb_score": pl.Int64(),
    "amount": pl.Int64(),
    "rate_bp": pl.Int64(),
    "term_months": pl.Int64(),
    "grace_months": pl.Int64(),
    "status": pl.String(),
    "executed_on": pl.Date(),
    "repaid_on": pl.Date(),
}


def _loan_rows(platform: Platform, sector: str | None) -> pl.DataFrame:
    """Executed loans with the profile fields the export generalizes (decrypted here, never written)."""
    kinds = {code: bank.kind for code, bank in platform.catalog.banks.items()}
    query = (
        select(
            Loan.bank_code,
            Loan.product_id,
            Loan.amount,
            (Loan.base_rate_bp - Loan.preferential_bp).label("rate_bp"),  # the contract's first rate
            Loan.term_months,
            Loan.grace_months,
            Loan.status,
            Loan.executed_on,
            Loan.repaid_on,
            Application.region,
            Application.profile_encrypted,
        )
        .join(Guarantee, Guarantee.id == Loan.guarantee_id)
        .join(Application, Application.id == Guarantee.application_id)
    )
    records: dict[str, list[Any]] = {name: [] for name in _RAW_SCHEMA}
    with platform.sessions() as session:
        for row in session.execute(query):
            kind = kinds.get(row.bank_code, "unknown")
            if sector is not None and kind != sector:
                continue
            profile = json.loads(platform.vault.decrypt(row.profile_encrypted))
            values = {
                "sector": kind,
                "product": row.product_id,
                "birth_date": _day(profile.get("birth_date")),
                "region": _region(profile.get("region") or row.region),
                "annual_income": profile.get("annual_income"),
                "kcb_score": profile.get("kcb_score"),
                "amount": row.amount,
                "rate_bp": row.rate_bp,
                "term_months": row.term_months,
                "grace_months": row.grace_months,
                "status": row.status,
                "executed_on": row.executed_on,
                "repaid_on": row.repaid_on,
            }
            for name, value in values.items():
                records[name].append(value)
    return pl.DataFrame(records, schema=_RAW_SCHEMA)


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _region(value: object) -> str | None:
    try:
        return normalize_region(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _generalize(raw: pl.DataFrame) -> pl.DataFrame:
    """The export's columns (``COLUMNS``); an unknown quasi-identifier is its own band (미상)."""
    month = "%Y-%m"
    return raw.select(
        pl.col("sector"),
        pl.col("product"),
        age_band(pl.col("birth_date"), pl.col("executed_on"))
        .cast(pl.String)
        .fill_null("미상")
        .alias("age_band"),
        pl.col("region").fill_null("미상"),
        income_band(pl.col("annual_income")).cast(pl.String).fill_null("미상").alias("income_band"),
        score_band(pl.col("kcb_score")).cast(pl.String).alias("score_band"),
        ((pl.col("amount") + AMOUNT_UNIT // 2) // AMOUNT_UNIT * AMOUNT_UNIT).alias("amount_rounded"),
        (pl.col("rate_bp").cast(pl.Decimal(9, 2)) / 100).cast(pl.Decimal(5, 2)).alias("annual_rate_pct"),
        pl.col("term_months"),
        pl.col("grace_months"),
        pl.col("status"),
        pl.col("executed_on").dt.strftime(month).alias("executed_month"),
        pl.col("repaid_on").dt.strftime(month).alias("repaid_month"),
    )


def _write_dictionary(prefix: Path, k: int, sector: str | None) -> tuple[Path, Path]:
    scope_ko = "전체 업권" if sector is None else f"업권 {sector} ({SECTOR_KO[sector]})"
    scope_en = "all sectors" if sector is None else f"sector {sector}"
    about = {
        "title_ko": "정책서민금융 대출 단위 개방 데이터",
        "title_en": "Policy microfinance loan-level open data",
        "scope_ko": scope_ko,
        "scope_en": scope_en,
        "k": k,
        "quasi_identifiers": list(QUASI_IDENTIFIERS),
        "anonymization_ko": (
            f"준식별자({', '.join(QUASI_IDENTIFIERS)})의 모든 조합이 {k}건 이상 나타납니다(k-익명성). "
            f"{k}건 미만인 조합의 행은 삭제했습니다. 주민등록번호·이름·전화번호·식별번호·정확한 날짜는 "
            "포함하지 않으며, 금액은 100만 원 단위로 반올림, 날짜는 연월로 일반화했습니다."
        ),
        "anonymization_en": (
            f"Every combination of the quasi-identifiers occurs at least {k} times (k-anonymity); rows in "
            "smaller groups were suppressed. No resident number, name, phone, id or exact date is included; "
            "amounts are rounded to 1,000,000 won and dates generalized to the month."
        ),
        "columns": [{"name": c.name, "type": c.dtype, "ko": c.ko, "en": c.en} for c in COLUMNS],
    }
    json_path = prefix.with_name(prefix.name + ".dictionary.json")
    json_path.write_text(json.dumps(about, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# {about['title_ko']} ({about['title_en']})",
        "",
        f"- 범위 (scope): {scope_ko} ({scope_en})",
        f"- k = {k}",
        f"- {about['anonymization_ko']}",
        f"- {about['anonymization_en']}",
        "",
        "| 열 (column) | 형식 (type) | 설명 | description |",
        "|---|---|---|---|",
        *(f"| {c.name} | {c.dtype} | {c.ko} | {c.en} |" for c in COLUMNS),
        "",
    ]
    md_path = prefix.with_name(prefix.name + ".dictionary.md")
    md_path.write_text("\n".join(lines), encoding="utf-8")
    return json_path, md_path
