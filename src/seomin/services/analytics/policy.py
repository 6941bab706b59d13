"""Policy simulation (정책 변경 시뮬레이션): "what if the KCB cutoff moved from 675 to 700?"

``simulate_policy`` builds the proposed product version from the current one (``model_copy`` of the
nested models, then validated as a whole), screens one applicant population with both versions through
the batch engine (``screen_frame``) and compares them: eligible counts overall and by segment, the
projected supply in 억 원 and its gap to the year's target.

Segments (the bands are defined here, once; the open-data export uses the same ones)
------------------------------------------------------------------------------------

- age band: 만 나이 on the simulation day, as the eligibility engine counts it: under 19, 19–29, 30–39,
  40–49, 50–59, 60–69, 70 and over;
- region: the 시도 of the registered address (17 regions);
- income band (annual income, won): none (0), under 20 M, 20–30 M, 30–40 M, 40–50 M, 50 M and over;
- score band (KCB personal credit score; NICE is not banded): unknown, under 600, 600–649, 650–699,
  700–749, 750 and over.

Projected supply (공급 전망)
----------------------------

Only applicants the version finds ``eligible`` count (``needs_confirmation`` does not). Each is expected
to borrow the amount requested when the row gives one (it is within the limit, or the row would be
ineligible), else the maximum amount offered (``max_amount``: the first-time limit or what remains of the
per-person limit). The supply is the sum of those amounts times the take-up rate: the share of eligible
applicants who go on to borrow. Its default, 1, makes the projection an upper bound; pass a measured rate
to scale it. Amounts are exact: ``Decimal`` won, 억 원 = 100,000,000 won. The gap is projected − target
(negative: short of the target).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

import polars as pl
from pydantic import ValidationError

from seomin.domain.catalog import ProductVersion
from seomin.domain.regions import REGIONS
from seomin.services.analytics.applicant_files import prepare_applicants, prepared_schema
from seomin.services.analytics.screening import screen_frame

WON_PER_EOK: Final = 100_000_000
DEFAULT_TAKE_UP: Final = Decimal("1")

# --- bands (one place) -----------------------------------------------------------------------------

AGE_EDGES: Final[tuple[int, ...]] = (19, 30, 40, 50, 60, 70)
AGE_BANDS: Final[tuple[str, ...]] = ("19세 미만", "19–29", "30–39", "40–49", "50–59", "60–69", "70세 이상")
INCOME_EDGES: Final[tuple[int, ...]] = (20_000_000, 30_000_000, 40_000_000, 50_000_000)
INCOME_BANDS: Final[tuple[str, ...]] = (
    "소득 없음",
    "2,000만 미만",
    "2,000–3,000만",
    "3,000–4,000만",
    "4,000–5,000만",
    "5,000만 이상",
)
SCORE_EDGES: Final[tuple[int, ...]] = (600, 650, 700, 750)
SCORE_BANDS: Final[tuple[str, ...]] = ("미상", "600 미만", "600–649", "650–699", "700–749", "750 이상")
SEGMENTS: Final[dict[str, tuple[str, str, tuple[str, ...]]]] = {
    # column -> (Korean title, English title, bands in order)
    "age_band": ("연령대", "age band", AGE_BANDS),
    "region": ("지역(시도)", "region (province)", tuple(REGIONS)),
    "income_band": ("소득 구간", "income band", INCOME_BANDS),
    "score_band": ("KCB 신용점수대", "KCB score band", SCORE_BANDS),
}


def _banded(index: pl.Expr, bands: Sequence[str]) -> pl.Expr:
    return index.replace_strict(dict(enumerate(bands)), return_dtype=pl.Enum(list(bands)))


def age_years(birth_date: pl.Expr, on: date | pl.Expr) -> pl.Expr:
    """만 나이 on ``on`` (a day or a date column), as ``ApplicantProfile.age_on`` and the engine count it."""
    day = pl.lit(on, pl.Date) if isinstance(on, date) else on
    before_birthday = (day.dt.month().cast(pl.Int32) * 100 + day.dt.day()) < (
        birth_date.dt.month().cast(pl.Int32) * 100 + birth_date.dt.day()
    )
    return day.dt.year() - birth_date.dt.year() - before_birthday.cast(pl.Int32)


def age_band(birth_date: pl.Expr, on: date | pl.Expr) -> pl.Expr:
    """The age band of a birth-date column on ``on`` (an Enum of ``AGE_BANDS``; null stays null)."""
    age = age_years(birth_date, on)
    index = pl.sum_horizontal([(age >= edge).cast(pl.Int8) for edge in AGE_EDGES])
    return _banded(pl.when(age.is_not_null()).then(index), AGE_BANDS)


def income_band(annual_income: pl.Expr) -> pl.Expr:
    """The income band of an annual-income column in won (an Enum of ``INCOME_BANDS``; null stays null)."""
    above = pl.sum_horizontal([(annual_income >= edge).cast(pl.Int8) for edge in INCOME_EDGES])
    index = pl.when(annual_income <= 0).then(0).when(annual_income > 0).then(above + 1)
    return _banded(index, INCOME_BANDS)


def score_band(score: pl.Expr) -> pl.Expr:
    """The band of a credit-score column; null -> 미상 (an Enum of ``SCORE_BANDS``)."""
    above = pl.sum_horizontal([(score >= edge).cast(pl.Int8) for edge in SCORE_EDGES])
    return _banded(pl.when(score.is_null()).then(0).otherwise(above + 1), SCORE_BANDS)


# --- the change --------------------------------------------------------------------------------------


class PolicyInputError(ValueError):
    """The proposed change cannot apply to the product, or gives an invalid version; one line."""


@dataclass(frozen=True, slots=True)
class PolicyChanges:
    """What moves in the proposed version; ``None`` keeps the current figure."""

    kcb_max: int | None = None
    nice_max: int | None = None
    income_cap: int | None = None
    first_time_limit: int | None = None
    total_limit: int | None = None


_FIELDS: Final[dict[str, str]] = {
    "kcb_max": "eligibility.credit.kcb_max",
    "nice_max": "eligibility.credit.nice_max",
    "income_cap": "eligibility.income.cap",
    "first_time_limit": "limits.first_time",
    "total_limit": "limits.total_per_person",
}


def propose(current: ProductVersion, changes: PolicyChanges) -> ProductVersion:
    """The proposed version: ``current`` with ``changes`` applied (``model_copy``), then validated whole.

    Raises ``PolicyInputError`` when the product has no such rule or the result breaks a rule of the
    catalog model (e.g. a first-time limit above the per-person total)."""
    rules = current.eligibility
    update: dict[str, Any] = {}
    if changes.kcb_max is not None or changes.nice_max is not None:
        if rules.credit is None:
            raise PolicyInputError(f"{current.id}@{current.version} has no credit-score cutoff to move")
        credit = {"kcb_max": changes.kcb_max, "nice_max": changes.nice_max}
        update["credit"] = rules.credit.model_copy(update={k: v for k, v in credit.items() if v is not None})
    if changes.income_cap is not None:
        if rules.income is None:
            raise PolicyInputError(f"{current.id}@{current.version} has no income cap to move")
        update["income"] = rules.income.model_copy(update={"cap": changes.income_cap})
    limits = {"first_time": changes.first_time_limit, "total_per_person": changes.total_limit}
    limit_update = {k: v for k, v in limits.items() if v is not None}
    top: dict[str, Any] = {}
    if update:
        top["eligibility"] = rules.model_copy(update=update)
    if limit_update:
        top["limits"] = current.limits.model_copy(update=limit_update)
    proposed = current.model_copy(update=top)
    try:
        return ProductVersion.model_validate(proposed.model_dump(by_alias=True))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(product)"
        raise PolicyInputError(f"proposed {current.id}: field {where}: {first['msg']}") from None


def changed_figures(current: ProductVersion, proposed: ProductVersion) -> dict[str, tuple[int, int]]:
    """Dotted path -> (current, proposed) for every figure ``PolicyChanges`` can move that differs."""
    found: dict[str, tuple[int, int]] = {}
    for path in _FIELDS.values():
        before, after = _figure(current, path), _figure(proposed, path)
        if before is not None and after is not None and before != after:
            found[path] = (before, after)
    return found


def _figure(version: ProductVersion, path: str) -> int | None:
    node: Any = version
    for part in path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return int(node)


# --- the comparison ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """One version over the population."""

    eligible: int
    needs_confirmation: int
    ineligible: int
    expected_won: int  # sum of the expected amounts of the eligible, before take-up
    supply_eok: Decimal  # expected_won × take-up / 1억, exact
    gap_eok: Decimal | None  # supply − target; None without a target

    def to_json(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "needs_confirmation": self.needs_confirmation,
            "ineligible": self.ineligible,
            "expected_won": self.expected_won,
            "supply_eok": str(self.supply_eok),
            "gap_eok": None if self.gap_eok is None else str(self.gap_eok),
        }


@dataclass(frozen=True, slots=True)
class SegmentRow:
    segment: str  # a key of SEGMENTS
    band: str
    population: int
    current: int  # eligible under the current version
    proposed: int

    @property
    def change(self) -> int:
        return self.proposed - self.current


@dataclass(frozen=True, slots=True)
class PolicyComparison:
    product_id: str
    version: str
    as_of: date
    population: int
    changes: dict[str, tuple[int, int]]
    take_up: Decimal
    target_eok: Decimal | None
    current: Outcome
    proposed: Outcome
    segments: list[SegmentRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "product": self.product_id,
            "version": self.version,
            "as_of": self.as_of.isoformat(),
            "population": self.population,
            "changes": {k: {"current": a, "proposed": b} for k, (a, b) in self.changes.items()},
            "take_up": str(self.take_up),
            "target_eok": None if self.target_eok is None else str(self.target_eok),
            "current": self.current.to_json(),
            "proposed": self.proposed.to_json(),
            "segments": [
                {
                    "segment": r.segment,
                    "band": r.band,
                    "population": r.population,
                    "current": r.current,
                    "proposed": r.proposed,
                    "change": r.change,
                }
                for r in self.segments
            ],
        }


def simulate_policy(
    current: ProductVersion,
    changes: PolicyChanges,
    population: pl.DataFrame,
    as_of: date,
    *,
    target_eok: Decimal | None = None,
    take_up: Decimal = DEFAULT_TAKE_UP,
) -> PolicyComparison:
    """Screen ``population`` (file schema or prepared) with ``current`` and the proposed version.

    Raises ``PolicyInputError`` for a change that does not apply, a take-up outside 0..1 or a negative
    target, ``ScreeningInputError`` for a malformed population and ``ValueError`` when ``current`` is not
    in force on ``as_of``."""
    if not Decimal("0") <= take_up <= Decimal("1"):
        raise PolicyInputError(f"take-up rate must be between 0 and 1, got {take_up}")
    if target_eok is not None and (not target_eok.is_finite() or target_eok < 0):
        raise PolicyInputError(f"target must be 0 억 원 or more, got {target_eok}")
    if not current.in_force(as_of):
        raise ValueError(f"{current.id}@{current.version} is not in force on {as_of.isoformat()}")
    proposed = propose(current, changes)
    if population.schema != prepared_schema():
        population = prepare_applicants(population)
    outcomes = {
        name: screen_frame(version, population, as_of).select(
            pl.col("status"),
            pl.when(pl.col("status") == "eligible")
            .then(pl.min_horizontal(pl.lit(population["requested_amount"]), "max_amount"))
            .otherwise(0)
            .alias("expected"),
        )
        for name, version in (("current", current), ("proposed", proposed))
    }
    bands = population.select(
        age_band(pl.col("birth_date"), as_of).alias("age_band"),
        pl.col("region"),
        income_band(pl.col("annual_income")).alias("income_band"),
        score_band(pl.col("kcb_score")).alias("score_band"),
    ).with_columns(
        (outcomes["current"]["status"] == "eligible").alias("current"),
        (outcomes["proposed"]["status"] == "eligible").alias("proposed"),
    )
    segments: list[SegmentRow] = []
    for column, (_, _, labels) in SEGMENTS.items():
        counts = bands.group_by(column).agg(
            pl.len().alias("n"), pl.col("current").sum(), pl.col("proposed").sum()
        )
        by_band = {str(r[column]): r for r in counts.iter_rows(named=True)}
        for band in labels:
            r = by_band.get(band)
            if r is not None:
                segments.append(SegmentRow(column, band, r["n"], r["current"], r["proposed"]))
    return PolicyComparison(
        product_id=current.id,
        version=current.version,
        as_of=as_of,
        population=population.height,
        changes=changed_figures(current, proposed),
        take_up=take_up,
        target_eok=target_eok,
        current=_outcome(outcomes["current"], take_up, target_eok),
        proposed=_outcome(outcomes["proposed"], take_up, target_eok),
        segments=segments,
    )


def _outcome(result: pl.DataFrame, take_up: Decimal, target_eok: Decimal | None) -> Outcome:
    counts = dict(result.group_by("status").len().iter_rows())
    expected = int(result["expected"].sum())
    supply = Decimal(expected) * take_up / WON_PER_EOK
    return Outcome(
        eligible=int(counts.get("eligible", 0)),
        needs_confirmation=int(counts.get("needs_confirmation", 0)),
        ineligible=int(counts.get("ineligible", 0)),
        expected_won=expected,
        supply_eok=supply,
        gap_eok=None if target_eok is None else supply - target_eok,
    )
