"""Charts of the applicant's own page (마이페이지), drawn like every web chart through
``seomin.adapters.charts`` (a Korean font, accessible inline SVG).

``rate_path_chart``: a loan's rate by year for an on-time payer (the yearly step-down down to the floor,
from ``services.applicant_overview``'s rate path) against the contract rate kept throughout, in the
simulator's colours. The page keeps the table beside it, so the figures stay readable as text.
"""

from __future__ import annotations

from collections.abc import Sequence

from seomin.adapters.charts import figure_svg, korean_chart, new_figure
from seomin.adapters.schedule_charts import CONTRACT_COLOR, ON_TIME_COLOR
from seomin.domain.money import bp_to_rate, format_rate
from seomin.services.my_page import RateStep


def _pct(bp: int) -> str:
    return f"{format_rate(bp_to_rate(bp))}%"


def rate_path_chart(path: Sequence[RateStep], contract_bp: int, lang: str = "ko") -> str:
    """The on-time rate of each loan year as steps, the contract rate as a dashed line, this year marked."""
    if not path:
        raise ValueError("a rate path has at least one year")
    en = lang == "en"
    years = [s.year for s in path]
    rates = [s.rate_bp / 100 for s in path]
    with korean_chart():
        figure = new_figure(4.6, 3.0)
        axes = figure.add_subplot()
        last = years[-1] + 1
        axes.hlines(
            contract_bp / 100,
            years[0],
            last,
            colors=CONTRACT_COLOR,
            linestyles="--",
            zorder=3,  # over the first year's step, which it equals
            label="Contract rate kept" if en else "약정금리 유지 시",
        )
        axes.step(
            [*years, last],
            [*rates, rates[-1]],
            where="post",
            color=ON_TIME_COLOR,
            linewidth=2,
            label="On-time payer" if en else "성실상환 시",
        )
        for step in path:
            axes.annotate(
                _pct(step.rate_bp),
                (step.year + 0.5, step.rate_bp / 100),
                textcoords="offset points",
                xytext=(0, 5),
                ha="center",
                fontsize=9,
                color=ON_TIME_COLOR,
                fontweight="bold" if step.now else "normal",
            )
        now = next((s for s in path if s.now), None)
        if now is not None:
            axes.plot(
                [now.year + 0.5],
                [now.rate_bp / 100],
                marker="o",
                color=ON_TIME_COLOR,
                linestyle="none",
                label="This year" if en else "올해",
            )
        axes.set_xticks(
            [y + 0.5 for y in years], [f"Year {y}" if en else f"{y}년차" for y in years], fontsize=9
        )
        axes.set_xlim(years[0], last)
        high = max(max(rates), contract_bp / 100)
        axes.set_ylim(0, high + 3)  # from zero, so a cut looks as big as it is
        axes.yaxis.set_major_formatter(lambda value, _: f"{value:g}%")
        axes.grid(True, axis="y", color="#dddddd", linewidth=0.6)
        axes.legend(loc="lower left", fontsize=9)
        steps = " → ".join(_pct(s.rate_bp) for s in path)
        if en:
            title = "Your rate by year if you pay on time, against the contract rate"
            description = (
                f"Paying on time, the rate goes {steps} over {len(path)} years; "
                f"without the yearly cuts it stays at {_pct(contract_bp)}."
            )
            if now is not None:
                description += f" This is year {now.year}."
        else:
            title = "성실상환 시 연차별 금리와 약정금리"
            description = (
                f"연체 없이 갚으면 {len(path)}년 동안 금리가 {steps}로 내려갑니다. "
                f"인하가 없으면 {_pct(contract_bp)} 그대로입니다."
            )
            if now is not None:
                description += f" 지금은 {now.year}년차입니다."
        return figure_svg(figure, title, description)
