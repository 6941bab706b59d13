"""The credit simulator's fit and validation on a synthetic credit panel (신용시뮬레이터 적합·검증).

No bureau publishes score histories, so the simulator's coefficients are fitted on the synthetic
population the platform already generates (``synthetic_applicants``): each person starts from their KCB
score and, over ``HORIZON`` months, pays on time from some month (or not at all; 15% start in arrears,
whose month of clearing counts for nothing), repays some share of a card loan, cuts card utilization and
completes consulting, each at random. Their score at the end comes from the data-generating process
below, which is deliberately NOT the simulator's own form, so the fit has something to miss:

- on-time gains of 3.2 points a month in the first year and 1.4 after, shrinking near the top of the
  scale (× clip((1000 − start) / 350, 0.3, 1));
- 24 points for a card loan repaid in full, in proportion to the share repaid;
- 4.5 points per 10 utilization points cut above 30%, 0.8 below;
- 5 points for consulting;
- noise N(0, 10), and for 5% an unrelated shock of −20 to −80 points (a new delinquency elsewhere).

``fit_simulator`` fits the simulator's additive form (least squares, no intercept) on 80% of the panel and
validates it on the other 20%: mean absolute error in points, the share of outcomes inside the simulator's
stated range (±(5 + 2 × months)), and the share in the predicted score band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from seomin.domain.credit_simulator import BASE_SPREAD, SCORE_EDGES, SPREAD_PER_MONTH
from seomin.services.analytics.synthetic import synthetic_applicants

HORIZON = 24
"""Months each synthetic person is followed: long enough to see the second-year on-time rate."""


@dataclass(frozen=True, slots=True)
class SimulatorFit:
    on_time_first_year: float
    on_time_after: float
    card_loan_full: float
    utilization_above_30: float
    utilization_below_30: float
    consulting: float
    people: int
    """Validation people (20% of the panel)."""
    mean_abs_error: float
    """Points, at month ``HORIZON``."""
    within_range: float
    """Share of outcomes inside the simulator's stated range at month ``HORIZON``."""
    same_band: float
    """Share whose outcome falls in the predicted band."""


def credit_panel(n: int, seed: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``n`` synthetic people: the simulator's features (one row each) and their score change."""
    start = synthetic_applicants(n, seed)["kcb_score"].fill_null(650).to_numpy().astype(np.float64)
    rng = np.random.default_rng(seed + 1)
    in_arrears = rng.random(n) < 0.15
    pays = rng.random(n) < 0.8
    begins = rng.integers(0, 12, n)
    record = np.where(pays, HORIZON - begins - in_arrears.astype(np.int64), 0).clip(0)
    first_year = np.minimum(record, 12).astype(np.float64)
    after = np.maximum(record - 12, 0).astype(np.float64)
    card_share = np.where(rng.random(n) < 0.4, rng.choice([0.25, 0.5, 1.0], n), 0.0)
    utilization = rng.integers(10, 101, n)
    cut_to = np.where(rng.random(n) < 0.5, rng.integers(0, 101, n), utilization).clip(0, utilization)
    above = np.maximum(0, utilization - np.maximum(cut_to, 30)) / 10
    below = np.maximum(0, np.minimum(utilization, 30) - cut_to) / 10
    consulting = (rng.random(n) < 0.2).astype(np.float64)

    headroom = np.clip((1000 - start) / 350, 0.3, 1.0)
    change = (3.2 * first_year + 1.4 * after) * headroom
    change += 24 * card_share + 4.5 * above + 0.8 * below + 5 * consulting
    change += rng.normal(0, 10, n)
    change -= np.where(rng.random(n) < 0.05, rng.uniform(20, 80, n), 0)
    features = np.column_stack([first_year, after, card_share, above, below, consulting])
    return np.column_stack([features, start]), change


def fit_simulator(n: int = 200_000, seed: int = 7) -> SimulatorFit:
    """Fit the simulator's coefficients on 80% of an ``n``-person panel; validate on the rest."""
    rows, change = credit_panel(n, seed)
    features, start = rows[:, :6], rows[:, 6]
    cut = int(n * 0.8)
    coefficients, *_ = np.linalg.lstsq(features[:cut], change[:cut], rcond=None)
    predicted = np.minimum(1000, np.floor(start[cut:] + features[cut:] @ coefficients + 0.5))
    actual = np.clip(start[cut:] + change[cut:], 0, 1000)
    spread = BASE_SPREAD + SPREAD_PER_MONTH * HORIZON
    edges = np.array(SCORE_EDGES)
    same_band = np.searchsorted(edges, predicted, side="right") == np.searchsorted(
        edges, actual, side="right"
    )
    c = [round(float(x), 2) for x in coefficients]
    return SimulatorFit(
        on_time_first_year=c[0],
        on_time_after=c[1],
        card_loan_full=c[2],
        utilization_above_30=c[3],
        utilization_below_30=c[4],
        consulting=c[5],
        people=n - cut,
        mean_abs_error=round(float(np.mean(np.abs(predicted - actual))), 2),
        within_range=round(float(np.mean(np.abs(predicted - actual) <= spread)), 4),
        same_band=round(float(np.mean(same_band)), 4),
    )
