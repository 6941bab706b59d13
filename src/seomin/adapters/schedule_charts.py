"""Repayment-schedule charts for the simulator page (matplotlib through ``seomin.adapters.charts``, so
every web chart is drawn one way: a Korean font, accessible inline SVG).

Each chart compares two paths of the same loan: the on-time payer's, whose rate steps down every year,
and the contract rate kept throughout. Amounts are drawn in 만 원 (the unit people read them in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes

from seomin.adapters.charts import figure_svg, korean_chart, new_figure
from seomin.domain.money import format_rate
from seomin.domain.schedule import Installment, Schedule

ON_TIME_COLOR = "#1b6e2e"
CONTRACT_COLOR = "#a4161a"
MANWON = 10_000


@dataclass(frozen=True, slots=True)
class ChartText:
    """The words of a chart in the page's language."""

    on_time: str
    contract: str
    month: str
    unit: str
    """After each y tick: amounts are drawn in 만 원 (10,000 won)."""


def chart_text(lang: str) -> ChartText:
    if lang == "en":
        return ChartText("On-time payer (yearly step-down)", "Contract rate kept", "Month", "×10k won")
    return ChartText("성실상환 시 (매년 금리 인하)", "약정금리 유지 시", "회차 (개월)", "만")


def _manwon(installments: Sequence[Installment], attribute: str) -> list[float]:
    return [getattr(i, attribute) / MANWON for i in installments]


def _series(schedule: Schedule) -> tuple[list[int], Sequence[Installment]]:
    rows = schedule.installments
    return [i.no for i in rows], rows


def _tick(value: float) -> str:
    """A y tick in 만 원: whole where it is whole, else to two decimals (a small range needs them)."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _axes_style(axes: Axes, text: ChartText) -> None:
    axes.set_xlabel(text.month)
    unit = text.unit
    axes.yaxis.set_major_formatter(lambda value, _: _tick(value) + unit)
    axes.grid(True, color="#dddddd", linewidth=0.6)
    axes.legend(loc="best")


def balance_chart(on_time: Schedule, contract: Schedule, lang: str = "ko") -> str:
    """The balance left after each installment, on both paths (they differ only slightly: a lower rate
    leaves more of the payment for principal)."""
    text = chart_text(lang)
    with korean_chart():
        figure = new_figure(4.6, 3.2)
        axes = figure.add_subplot()
        months, rows = _series(contract)
        axes.plot(
            [0, *months],
            [contract.terms.amount / MANWON, *_manwon(rows, "balance")],
            color=CONTRACT_COLOR,
            linestyle="--",
            label=text.contract,
        )
        months, rows = _series(on_time)
        axes.plot(
            [0, *months],
            [on_time.terms.amount / MANWON, *_manwon(rows, "balance")],
            color=ON_TIME_COLOR,
            label=text.on_time,
        )
        axes.set_ylim(bottom=0)
        _axes_style(axes, text)
        if lang == "en":
            title = "Balance left after each payment"
            description = (
                f"{on_time.terms.amount:,} won repaid over {len(rows)} payments; "
                "the balance reaches 0 at the last payment on both paths."
            )
        else:
            title = "회차별 남은 원금"
            description = (
                f"{on_time.terms.amount:,}원을 {len(rows)}회에 걸쳐 갚으면 두 경우 모두 마지막 회차에 "
                "남은 원금이 0원이 됩니다."
            )
        return figure_svg(figure, title, description)


def payment_chart(on_time: Schedule, contract: Schedule, lang: str = "ko") -> str:
    """The monthly payment on both paths: level at the contract rate, a step down every year for the
    on-time payer (the rate of each year is written on its step)."""
    text = chart_text(lang)
    with korean_chart():
        figure = new_figure(4.6, 3.2)
        axes = figure.add_subplot()
        for schedule, color, style, label in (
            (contract, CONTRACT_COLOR, "--", text.contract),
            (on_time, ON_TIME_COLOR, "-", text.on_time),
        ):
            months, rows = _series(schedule)
            axes.step(
                months, _manwon(rows, "payment"), where="mid", color=color, linestyle=style, label=label
            )
        previous = None
        for row in on_time.installments:
            if row.annual_rate != previous:
                axes.annotate(
                    f"{format_rate(row.annual_rate)}%",
                    (row.no, row.payment / MANWON),
                    textcoords="offset points",
                    xytext=(2, 6),
                    fontsize=9,
                    color=ON_TIME_COLOR,
                )
                previous = row.annual_rate
        axes.margins(y=0.15)
        # From zero: a 7% lower payment must look like 7%, not like a collapse.
        axes.set_ylim(bottom=0, top=max(r.payment for r in contract.installments) / MANWON * 1.25)
        _axes_style(axes, text)
        first_on, last_on = on_time.installments[0], on_time.installments[-1]
        rates = " → ".join(dict.fromkeys(f"{format_rate(i.annual_rate)}%" for i in on_time.installments))
        if lang == "en":
            title = "Monthly payment: on-time step-down vs the contract rate"
            description = (
                f"On time the rate goes {rates}; total interest {on_time.total_interest:,} won against "
                f"{contract.total_interest:,} won at the contract rate. First payment {first_on.payment:,} "
                f"won, last {last_on.payment:,} won."
            )
        else:
            title = "매달 갚을 돈: 성실상환 시 금리 인하와 약정금리 비교"
            description = (
                f"성실상환하면 금리가 {rates}로 내려갑니다. 총이자 {on_time.total_interest:,}원 "
                f"(약정금리 유지 시 {contract.total_interest:,}원). 첫 회 {first_on.payment:,}원, "
                f"마지막 회 {last_on.payment:,}원."
            )
        return figure_svg(figure, title, description)
