"""What people actually got: k-anonymous aggregates of executed loans and partner lenders' approvals, for
matching and open data.

``refresh_outcomes`` rebuilds ``matching_outcomes`` from the executed loans (profiles decrypted in memory
by the open-data loader, never written) and the partner lenders' approvals (``decisions``: bands only):
per product, lender sector, KCB score band and income band, the number of loans, the quartiles of the
amount and the minimum, median and maximum contract rate. Only groups of at least ``MIN_K`` loans are
kept, so the table itself, the matching answers and the open data built on it never describe fewer than
``MIN_K`` people.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Final

import polars as pl
from sqlalchemy import delete, insert, select

from seomin.adapters.db.models import MatchingOutcome, PartnerDecision
from seomin.domain.matching import OutcomeStats
from seomin.services.analytics.open_data import SECTOR_KO, SECTORS, _loan_rows
from seomin.services.analytics.policy import (
    INCOME_BANDS,
    INCOME_EDGES,
    SCORE_BANDS,
    SCORE_EDGES,
    income_band,
    score_band,
)
from seomin.services.errors import InputError
from seomin.services.matching.partners import default_partner_products
from seomin.services.platform import Actor, Platform, audit

MIN_K: Final = 5
ALL: Final = "전체"
"""The band (or sector) of a row that aggregates every value of it."""


def score_band_of(score: int | None) -> str:
    """The KCB score band of one score, as ``policy.score_band`` bands a column."""
    return SCORE_BANDS[0] if score is None else SCORE_BANDS[1 + bisect_right(SCORE_EDGES, score)]


def income_band_of(income: int) -> str:
    """The income band of one annual income, as ``policy.income_band`` bands a column."""
    return INCOME_BANDS[0] if income <= 0 else INCOME_BANDS[1 + bisect_right(INCOME_EDGES, income)]


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    loans: int
    groups: int
    refreshed_on: str


def refresh_outcomes(platform: Platform, actor: Actor) -> RefreshSummary:
    """Rebuild the outcome aggregates in one transaction (one audit event)."""
    raw = _loan_rows(platform, None)
    banded = raw.select(
        pl.col("product").alias("product_id"),
        pl.col("sector"),
        score_band(pl.col("kcb_score")).cast(pl.String).alias("score_band"),
        income_band(pl.col("annual_income")).cast(pl.String).fill_null("미상").alias("income_band"),
        pl.col("amount"),
        pl.col("rate_bp"),
    )
    banded = pl.concat([banded.with_columns(pl.col("rate_bp").cast(pl.Int64)), _approved_decisions(platform)])
    everyone = pl.lit(ALL)
    levels = (
        banded,  # the open data's rows
        banded.with_columns(everyone.alias("sector")),  # similar people, any lender
        banded.with_columns(
            everyone.alias("sector"), everyone.alias("score_band"), everyone.alias("income_band")
        ),
    )
    keys = ["product_id", "sector", "score_band", "income_band"]
    amount = pl.col("amount")
    stats = (
        pl.concat(levels)
        .group_by(keys)
        .agg(
            pl.len().alias("loans"),
            amount.quantile(0.25, "nearest").cast(pl.Int64).alias("amount_p25"),
            amount.quantile(0.5, "nearest").cast(pl.Int64).alias("amount_median"),
            amount.quantile(0.75, "nearest").cast(pl.Int64).alias("amount_p75"),
            pl.col("rate_bp").min().alias("rate_min_bp"),
            pl.col("rate_bp").quantile(0.5, "nearest").cast(pl.Int64).alias("rate_median_bp"),
            pl.col("rate_bp").max().alias("rate_max_bp"),
        )
        .filter(pl.col("loans") >= MIN_K)
        .sort(keys)
    )
    today = platform.today()
    rows: list[dict[str, Any]] = [{**r, "refreshed_on": today} for r in stats.iter_rows(named=True)]
    with platform.sessions.begin() as session:
        session.execute(delete(MatchingOutcome))
        if rows:
            session.execute(insert(MatchingOutcome), rows)
        audit(
            session,
            actor,
            "matching.outcomes_refreshed",
            "matching_outcomes",
            today.isoformat(),
            after={"loans": banded.height, "groups": len(rows), "k": MIN_K},
        )
    return RefreshSummary(loans=banded.height, groups=len(rows), refreshed_on=today.isoformat())


def _approved_decisions(platform: Platform) -> pl.DataFrame:
    """The partner lenders' approvals, in the columns of the banded loans (sector from the product data)."""
    sectors = {p.id: p.sector for p in default_partner_products()}
    query = select(
        PartnerDecision.product_id,
        PartnerDecision.score_band,
        PartnerDecision.income_band,
        PartnerDecision.amount,
        PartnerDecision.rate_bp,
    ).where(PartnerDecision.approved.is_(True))
    with platform.sessions() as session:
        rows = session.execute(query).all()
    return pl.DataFrame(
        {
            "product_id": [r.product_id for r in rows],
            "sector": [sectors.get(r.product_id, "unknown") for r in rows],
            "score_band": [r.score_band for r in rows],
            "income_band": [r.income_band for r in rows],
            "amount": [r.amount for r in rows],
            "rate_bp": [r.rate_bp for r in rows],
        },
        schema={
            "product_id": pl.String,
            "sector": pl.String,
            "score_band": pl.String,
            "income_band": pl.String,
            "amount": pl.Int64,
            "rate_bp": pl.Int64,
        },
    )


def outcomes_for(platform: Platform, score: str, income: str) -> dict[str, OutcomeStats]:
    """Per product: what people in these bands got, else what all its users got (groups of ``MIN_K``+)."""
    query = select(MatchingOutcome).where(
        MatchingOutcome.sector == ALL,
        ((MatchingOutcome.score_band == score) & (MatchingOutcome.income_band == income))
        | ((MatchingOutcome.score_band == ALL) & (MatchingOutcome.income_band == ALL)),
    )
    found: dict[str, OutcomeStats] = {}
    with platform.sessions() as session:
        for row in session.scalars(query):
            similar = row.score_band != ALL
            if row.product_id in found and not similar:
                continue  # the similar people's figures win over the product-wide ones
            found[row.product_id] = OutcomeStats(
                scope="similar" if similar else "product",
                loans=row.loans,
                amount_p25=row.amount_p25,
                amount_median=row.amount_median,
                amount_p75=row.amount_p75,
                rate_min_bp=row.rate_min_bp,
                rate_median_bp=row.rate_median_bp,
                rate_max_bp=row.rate_max_bp,
            )
    return found


OPEN_DATA_COLUMNS: Final[tuple[tuple[str, str, str], ...]] = (
    ("sector", f"업권 ({', '.join(f'{k}={v}' for k, v in SECTOR_KO.items())})", "lender sector"),
    ("product", "상품 코드", "product code"),
    ("score_band", f"KCB 신용평점 구간 ({', '.join(SCORE_BANDS)})", "KCB score band"),
    ("income_band", f"연소득 구간 ({', '.join(INCOME_BANDS)})", "annual income band, won"),
    ("loans", f"실행 대출 수 ({MIN_K}건 이상인 구간만 공개)", f"executed loans (groups of {MIN_K}+ only)"),
    ("amount_p25", "대출금액 하위 25% (원)", "loan amount, 25th percentile (won)"),
    ("amount_median", "대출금액 중앙값 (원)", "loan amount, median (won)"),
    ("amount_p75", "대출금액 상위 25% (원)", "loan amount, 75th percentile (won)"),
    ("rate_min_pct", "최저 약정 연 금리 (%)", "lowest contract annual rate, %"),
    ("rate_median_pct", "약정 연 금리 중앙값 (%)", "median contract annual rate, %"),
    ("rate_max_pct", "최고 약정 연 금리 (%)", "highest contract annual rate, %"),
)


def matching_open_data(platform: Platform, sector: str | None, k: int = MIN_K) -> dict[str, Any]:
    """The matching outcomes by sector: aggregates only, every row describing ``k`` (≥ ``MIN_K``) loans
    or more, with the data dictionary in Korean and English."""
    if sector is not None and sector not in SECTORS:
        raise InputError("sector", f"unknown sector {sector!r}; sectors: {', '.join(SECTORS)}")
    if k < MIN_K:
        raise InputError("k", f"must be {MIN_K} or more")
    query = select(MatchingOutcome).where(
        MatchingOutcome.sector != ALL,
        MatchingOutcome.score_band != ALL,
        MatchingOutcome.loans >= k,
    )
    if sector is not None:
        query = query.where(MatchingOutcome.sector == sector)
    query = query.order_by(
        MatchingOutcome.sector,
        MatchingOutcome.product_id,
        MatchingOutcome.score_band,
        MatchingOutcome.income_band,
    )
    with platform.sessions() as session:
        rows = [
            {
                "sector": r.sector,
                "product": r.product_id,
                "score_band": r.score_band,
                "income_band": r.income_band,
                "loans": r.loans,
                "amount_p25": r.amount_p25,
                "amount_median": r.amount_median,
                "amount_p75": r.amount_p75,
                "rate_min_pct": _pct(r.rate_min_bp),
                "rate_median_pct": _pct(r.rate_median_bp),
                "rate_max_pct": _pct(r.rate_max_bp),
            }
            for r in session.scalars(query)
        ]
    return {
        "k": k,
        "sector": sector,
        "rows": rows,
        "dictionary": [{"name": n, "ko": ko, "en": en} for n, ko, en in OPEN_DATA_COLUMNS],
        "anonymization_ko": f"개인 단위 자료는 없고, {k}건 이상의 대출을 묶은 통계만 공개합니다(k-익명성).",
        "anonymization_en": (
            f"No person-level data: only statistics of groups of {k} or more loans (k-anonymity)."
        ),
    }


def _pct(bp: int) -> str:
    return f"{bp // 100}.{bp % 100:02d}"
