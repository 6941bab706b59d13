"""The supervisor overview's charts, drawn with matplotlib through ``seomin.adapters.charts`` as accessible
inline SVG: the last days' applications against approvals, and delinquent loans by days past due.

Korean by default; ``lang="en"`` gives the English page its English titles, labels and descriptions."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from seomin.adapters.charts import figure_svg, korean_chart, new_figure, unit_label
from seomin.services.operations import Overview

APPLICATIONS_COLOR = "#9db4d3"
APPROVALS_COLOR = "#1f4e8c"
BUCKET_COLORS = ("#f0b429", "#e07b39", "#c8553d", "#8e2c2c")


def _t(lang: str, ko: str, en: str) -> str:
    return en if lang == "en" else ko


def daily_title(view: Overview, lang: str = "ko") -> str:
    days, applied, approved = len(view.daily), view.applications_in_period, view.approvals_in_period
    return _t(
        lang,
        f"최근 {days}일 신청 {applied:,}건, 승인 {approved:,}건",
        f"Last {days} days: {applied:,} applications, {approved:,} approvals",
    )


def daily_figure(view: Overview, lang: str = "ko") -> Figure:
    """Bars per day: applications received and final approvals, the last ``len(view.daily)`` days."""
    with korean_chart():
        figure = new_figure(8, 3.2)
        axes = figure.add_subplot()
        positions = list(range(len(view.daily)))
        width = 0.42
        axes.bar(
            [p - width / 2 for p in positions],
            [d.applications for d in view.daily],
            width,
            color=APPLICATIONS_COLOR,
            label=_t(lang, "신청", "Applications"),
        )
        axes.bar(
            [p + width / 2 for p in positions],
            [d.approvals for d in view.daily],
            width,
            color=APPROVALS_COLOR,
            label=_t(lang, "승인", "Approvals"),
        )
        step = max(1, len(view.daily) // 6)
        ticks = positions[::-1][::step][::-1]
        axes.set_xticks(ticks, [f"{view.daily[i].day:%m.%d}" for i in ticks])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        unit_label(axes, _t(lang, "건", "count"))
        axes.set_title(
            _t(
                lang,
                f"최근 {len(view.daily)}일 신청과 승인 ({view.today:%Y.%m.%d} 기준)",
                f"Applications and approvals, last {len(view.daily)} days (to {view.today:%Y.%m.%d})",
            )
        )
        axes.legend(loc="upper left")
        axes.spines[["top", "right"]].set_visible(False)
    return figure


def delinquency_figure(view: Overview, lang: str = "ko") -> Figure:
    """Horizontal bars: loans at least one day past due by bucket, with each bucket's balance."""
    with korean_chart():
        figure = new_figure(8, 2.8)
        axes = figure.add_subplot()
        labels = [_t(lang, b.label_ko, b.label_en) for b in view.buckets]
        counts = [b.loans for b in view.buckets]
        bars = axes.barh(labels, counts, color=BUCKET_COLORS[: len(labels)])
        for bar, bucket in zip(bars, view.buckets, strict=True):
            axes.annotate(
                _t(
                    lang,
                    f" {bucket.loans:,}건 · {bucket.balance:,}원",
                    f" {bucket.loans:,} · {bucket.balance:,} won",
                ),
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                va="center",
                fontsize=9,
            )
        axes.invert_yaxis()
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(0, max([*counts, 1]) * 1.6)
        axes.set_xlabel(_t(lang, "대출 건수", "loans"))
        axes.set_title(_t(lang, "연체 일수별 대출 (잔액)", "Loans by days past due (balance)"))
        axes.spines[["top", "right"]].set_visible(False)
    return figure


def daily_svg(view: Overview, lang: str = "ko") -> str:
    summary = ", ".join(
        _t(
            lang,
            f"{d.day:%m.%d} 신청 {d.applications} 승인 {d.approvals}",
            f"{d.day:%m.%d}: {d.applications} applied, {d.approvals} approved",
        )
        for d in view.daily
        if d.applications or d.approvals
    )
    return figure_svg(
        daily_figure(view, lang),
        daily_title(view, lang),
        summary
        or _t(lang, "이 기간에 신청과 승인이 없습니다.", "No applications or approvals in the period."),
    )


def delinquency_svg(view: Overview, lang: str = "ko") -> str:
    return figure_svg(
        delinquency_figure(view, lang),
        _t(lang, "연체 일수별 대출", "Loans by days past due"),
        ", ".join(
            _t(
                lang,
                f"{b.label_ko} {b.loans:,}건 {b.balance:,}원",
                f"{b.label_en}: {b.loans:,} loans, {b.balance:,} won",
            )
            for b in view.buckets
        ),
    )
