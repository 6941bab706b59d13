"""신용시뮬레이터 (credit simulator): how concrete actions move an ESTIMATED credit-score band.

This is an estimate, not a bureau's score: KCB and NICE do not publish their models. The model is a
transparent additive one, every effect written below with its reason, so a person (and a counselor) can see
why the estimate moves:

- **On-time payments** (성실상환): +2.5 points a month for the first 12 months of a clean record, +1.2 a
  month after that; nothing while an account is in arrears (the arrears must be cleared first, which the
  model counts as month 0 of a new record).
- **Repaying a card loan** (카드론 상환): up to +23.2 points, in proportion to the share of the card-loan
  balance repaid; bureaus weigh high-cost credit (카드론, 현금서비스) heavily.
- **Lower card utilization** (카드 한도 소진율): +4.4 points for every 10 percentage points cut while above
  30%, +0.6 for every 10 points below 30%.
- **Completed consulting** (신용·부채관리 컨설팅): +4.5 points, the 가점 the agency's credit-management
  education is reported to carry (an interpretation; confirm with the bureau).

The coefficients are fitted on a synthetic credit panel (``services.analytics.credit_panel``): no bureau
publishes score histories, so they are only as good as that panel's assumptions, which say so.

Effects take hold when they happen (a repayment in month 2 moves the estimate from month 2) and the total
is capped at 1000. The range around the estimate widens by 2 points a month (±5 at month 0), because
what else happens in a person's credit file is unknown. The bands are those of the platform's analytics.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final, Literal

SCORE_EDGES: Final[tuple[int, ...]] = (600, 650, 700, 750)
SCORE_BANDS: Final[tuple[str, ...]] = ("600 미만", "600–649", "650–699", "700–749", "750 이상")
MAX_MONTHS: Final = 36
# Fitted by ``services.analytics.credit_panel.fit_simulator()`` (200,000 synthetic people, seed 7, 24
# months; least squares on 80%), rounded to 0.1; validated on the other 40,000: mean absolute error 12.1
# points, 97.9% inside the stated range, 83.6% in the predicted band. tests/services/analytics checks
# that a refit still gives these.
ON_TIME_FIRST_YEAR: Final = 2.5
ON_TIME_AFTER: Final = 1.2
CARD_LOAN_FULL: Final = 23.2
UTILIZATION_ABOVE_30: Final = 4.4  # per 10 percentage points
UTILIZATION_BELOW_30: Final = 0.6
CONSULTING: Final = 4.5
BASE_SPREAD: Final = 5
SPREAD_PER_MONTH: Final = 2

ActionKind = Literal["on_time_payments", "repay_card_loan", "reduce_utilization", "complete_consulting"]


class SimulatorInputError(ValueError):
    """An impossible input; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class CreditState:
    score: int  # KCB personal credit score, 0–1000
    in_arrears: bool = False
    card_loan_balance: int = 0  # won
    utilization_pct: int = 0  # card limit used, 0–100


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    month: int = 0  # when it happens, from now (on-time payments start then and continue)
    amount: int = 0  # repay_card_loan: won repaid
    to_pct: int = 0  # reduce_utilization: the new utilization


@dataclass(frozen=True, slots=True)
class Effect:
    kind: ActionKind
    points: float
    why_ko: str
    why_en: str


@dataclass(frozen=True, slots=True)
class MonthEstimate:
    month: int
    score: int
    low: int
    high: int
    band: str


@dataclass(frozen=True, slots=True)
class CreditProjection:
    start_band: str
    months: tuple[MonthEstimate, ...]
    effects: tuple[Effect, ...]
    estimate: Literal[True] = True
    note_ko: str = (
        "추정치입니다: 신용평가회사의 실제 평점이 아니며, 공개된 요인으로 만든 단순 모형의 예상입니다."
    )
    note_en: str = "An estimate: not a credit bureau's score, but a simple model of published factors."


def band_of(score: int) -> str:
    return SCORE_BANDS[bisect_right(SCORE_EDGES, score)]


def _validate(state: CreditState, actions: tuple[Action, ...], months: int) -> None:
    if not 0 <= state.score <= 1000:
        raise SimulatorInputError("score", "must be between 0 and 1000")
    if state.card_loan_balance < 0:
        raise SimulatorInputError("card_loan_balance", "must not be negative")
    if not 0 <= state.utilization_pct <= 100:
        raise SimulatorInputError("utilization_pct", "must be between 0 and 100")
    if not 1 <= months <= MAX_MONTHS:
        raise SimulatorInputError("months", f"must be between 1 and {MAX_MONTHS}")
    for i, action in enumerate(actions):
        where = f"actions.{i}"
        if not 0 <= action.month < months:
            raise SimulatorInputError(f"{where}.month", f"must be between 0 and {months - 1}")
        if action.kind == "repay_card_loan" and not 0 < action.amount <= state.card_loan_balance:
            raise SimulatorInputError(
                f"{where}.amount", f"must be between 1 and the card-loan balance {state.card_loan_balance:,}"
            )
        if action.kind == "reduce_utilization" and not 0 <= action.to_pct < state.utilization_pct:
            raise SimulatorInputError(
                f"{where}.to_pct", f"must be below the current utilization of {state.utilization_pct}%"
            )
    once = [a.kind for a in actions if a.kind != "repay_card_loan"]
    if len(set(once)) != len(once):
        raise SimulatorInputError("actions", "each action other than a card-loan repayment may be given once")


def _utilization_points(before: int, after: int) -> float:
    above = max(0, before - max(after, 30))
    below = max(0, min(before, 30) - after)
    return above / 10 * UTILIZATION_ABOVE_30 + below / 10 * UTILIZATION_BELOW_30


def _on_time_points(months_of_record: int) -> float:
    first = min(months_of_record, 12)
    return first * ON_TIME_FIRST_YEAR + max(0, months_of_record - 12) * ON_TIME_AFTER


def _card_loan_effect(action: Action, share: float) -> Effect:
    points = CARD_LOAN_FULL * share
    return Effect(
        action.kind,
        points,
        f"{action.month}개월 후 카드론 {action.amount:,}원 상환 (잔액의 {share:.0%}): +{points:.1f}점",
        f"repaying {action.amount:,} won of card loan in month {action.month} ({share:.0%}): +{points:.1f}",
    )


def _utilization_effect(action: Action, before: int) -> Effect:
    points = _utilization_points(before, action.to_pct)
    change = f"{before}% → {action.to_pct}%"
    return Effect(
        action.kind,
        points,
        f"{action.month}개월 후 카드 한도 소진율 {change}: +{points:.1f}점",
        f"card utilization {change} in month {action.month}: +{points:.1f}",
    )


def simulate_credit(state: CreditState, actions: tuple[Action, ...], months: int = 12) -> CreditProjection:
    """The estimated score, its range and band for months 0..``months``, and each action's effect."""
    _validate(state, actions, months)
    repaid = 0
    timeline: list[tuple[int, Effect]] = []
    for action in sorted(actions, key=lambda a: a.month):
        if action.kind == "repay_card_loan":
            share = min(action.amount, state.card_loan_balance - repaid) / state.card_loan_balance
            repaid += action.amount
            timeline.append((action.month, _card_loan_effect(action, share)))
        elif action.kind == "reduce_utilization":
            timeline.append((action.month, _utilization_effect(action, state.utilization_pct)))
        elif action.kind == "complete_consulting":
            when = action.month
            why_ko = f"{when}개월 후 신용·부채관리 컨설팅 이수: +{CONSULTING:.0f}점 (가점, 확인 필요)"
            why_en = f"consulting completed in month {when}: +{CONSULTING:.0f} (to confirm)"
            timeline.append((when, Effect(action.kind, CONSULTING, why_ko, why_en)))
    on_time = next((a for a in actions if a.kind == "on_time_payments"), None)
    estimates = []
    for month in range(months + 1):
        points = sum(e.points for when, e in timeline if when <= month)
        if on_time is not None and month > on_time.month:
            # a record in arrears starts again once cleared: the arrears month counts for nothing
            record = month - on_time.month - (1 if state.in_arrears else 0)
            points += _on_time_points(max(0, record))
        score = min(1000, math.floor(state.score + points + 0.5))  # half up, as people round
        spread = BASE_SPREAD + SPREAD_PER_MONTH * month
        estimates.append(
            MonthEstimate(month, score, max(0, score - spread), min(1000, score + spread), band_of(score))
        )
    effects = [e for _, e in timeline]
    if on_time is not None:
        total = _on_time_points(max(0, months - on_time.month - (1 if state.in_arrears else 0)))
        effects.append(
            Effect(
                "on_time_payments",
                total,
                f"{on_time.month}개월부터 매달 연체 없이 상환: {months}개월까지 +{total:.1f}점"
                + (" (연체를 먼저 해소해야 합니다)" if state.in_arrears else ""),
                f"paying on time every month from month {on_time.month}: +{total:.1f} by month {months}"
                + (" (after clearing the arrears)" if state.in_arrears else ""),
            )
        )
    return CreditProjection(start_band=band_of(state.score), months=tuple(estimates), effects=tuple(effects))
