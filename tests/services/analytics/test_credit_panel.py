"""The credit simulator's coefficients are the fit on the synthetic panel, and its validation holds."""

from __future__ import annotations

from seomin.domain import credit_simulator as sim
from seomin.services.analytics.credit_panel import credit_panel, fit_simulator


def test_the_simulator_uses_the_coefficients_a_refit_gives_and_they_validate() -> None:
    fit = fit_simulator(n=200_000, seed=7)
    fitted = (
        fit.on_time_first_year,
        fit.on_time_after,
        fit.card_loan_full,
        fit.utilization_above_30,
        fit.utilization_below_30,
        fit.consulting,
    )
    used = (
        sim.ON_TIME_FIRST_YEAR,
        sim.ON_TIME_AFTER,
        sim.CARD_LOAN_FULL,
        sim.UTILIZATION_ABOVE_30,
        sim.UTILIZATION_BELOW_30,
        sim.CONSULTING,
    )
    assert [round(x, 1) for x in fitted] == list(used)
    assert fit.people == 40_000
    assert fit.mean_abs_error < 13 and fit.within_range > 0.97 and fit.same_band > 0.8


def test_the_panel_is_seeded_and_its_fit_finds_the_direction_of_every_effect() -> None:
    rows, change = credit_panel(20_000, seed=3)
    again, change_again = credit_panel(20_000, seed=3)
    assert (rows == again).all() and (change == change_again).all()
    small = fit_simulator(n=50_000, seed=11)
    assert small.on_time_first_year > small.on_time_after > 0 and small.card_loan_full > 15
    assert small.utilization_above_30 > small.utilization_below_30 > 0 and small.consulting > 0
