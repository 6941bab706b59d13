"""신용시뮬레이터: the documented additive estimate, golden figures and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seomin.domain.credit_simulator import (
    Action,
    CreditState,
    SimulatorInputError,
    band_of,
    simulate_credit,
)


def test_a_year_of_on_time_payments_and_a_repaid_card_loan_golden() -> None:
    state = CreditState(score=640, card_loan_balance=4_000_000, utilization_pct=80)
    actions = (
        Action("on_time_payments"),
        Action("repay_card_loan", month=2, amount=2_000_000),
        Action("reduce_utilization", month=3, to_pct=20),
        Action("complete_consulting", month=6),
    )
    projection = simulate_credit(state, actions, months=12)
    assert projection.estimate is True and "추정치" in projection.note_ko
    assert projection.start_band == "600–649"
    by_month = {m.month: m for m in projection.months}
    assert by_month[0].score == 640 and (by_month[0].low, by_month[0].high) == (635, 645)
    assert by_month[1].score == 643  # 642.5 after the first clean month (+2.5), half up
    assert by_month[2].score == 657  # 640 + 5 on time + 11.6 for half the card loan = 656.6
    # month 12: 30 on time + 11.6 card loan + 22 (80%→30%) + 0.6 (30%→20%) + 4.5 consulting = 68.7
    assert by_month[12].score == 709 and by_month[12].band == "700–749"
    assert (by_month[12].low, by_month[12].high) == (709 - 29, 709 + 29)
    assert [e.kind for e in projection.effects] == [
        "repay_card_loan", "reduce_utilization", "complete_consulting", "on_time_payments",
    ]  # fmt: skip
    assert projection.effects[-1].points == 30 and "+30.0점" in projection.effects[-1].why_ko


def test_arrears_must_be_cleared_before_the_record_counts() -> None:
    clean = simulate_credit(CreditState(600), (Action("on_time_payments"),), months=6)
    late = simulate_credit(CreditState(600, in_arrears=True), (Action("on_time_payments"),), months=6)
    # six clean months give 615; cleared in month 1, five give 612.5, rounded half up to 613
    assert (clean.months[-1].score, late.months[-1].score) == (615, 613)
    assert "연체를 먼저 해소" in late.effects[0].why_ko


@pytest.mark.parametrize(
    ("state", "actions", "months", "field"),
    [
        (CreditState(1200), (), 12, "score"),
        (CreditState(600), (), 0, "months"),
        (CreditState(600), (Action("repay_card_loan", amount=1),), 12, "actions.0.amount"),
        (
            CreditState(600, utilization_pct=20),
            (Action("reduce_utilization", to_pct=40),),
            12,
            "actions.0.to_pct",
        ),
        (CreditState(600), (Action("on_time_payments", month=12),), 12, "actions.0.month"),
        (CreditState(600), (Action("complete_consulting"), Action("complete_consulting")), 12, "actions"),
    ],
)
def test_impossible_inputs_name_their_field(
    state: CreditState, actions: tuple[Action, ...], months: int, field: str
) -> None:
    with pytest.raises(SimulatorInputError) as bad:
        simulate_credit(state, actions, months)
    assert bad.value.field == field


@settings(max_examples=80, deadline=None)
@given(
    score=st.integers(0, 1000),
    months=st.integers(1, 36),
    start=st.integers(0, 35),
    arrears=st.booleans(),
)
def test_the_estimate_never_falls_stays_in_range_and_its_band_matches(
    score: int, months: int, start: int, arrears: bool
) -> None:
    actions = (Action("on_time_payments", month=min(start, months - 1)),)
    projection = simulate_credit(CreditState(score, in_arrears=arrears), actions, months)
    scores = [m.score for m in projection.months]
    assert scores == sorted(scores) and all(0 <= s <= 1000 for s in scores)
    assert all(m.low <= m.score <= m.high and m.band == band_of(m.score) for m in projection.months)
    assert len(projection.months) == months + 1
