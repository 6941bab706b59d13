"""Supply charts (matplotlib, no pyplot state): plan vs actual per product, and the monthly cumulative supply
against the year's target. PNG or SVG by the file's suffix; SVG text is drawn as paths, so it shows the same
without the font installed.

Korean labels need a Korean font: Debian's fonts-nanum (NanumGothic) when installed, else the NanumGothic
that the koreanize-matplotlib package ships. Without either, ``KoreanFontMissing`` is raised rather than
drawing boxes for Hangul.
"""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from seomin.domain.supply import Level, ReportRow
from seomin.services.analytics.policy import SEGMENTS, PolicyComparison
from seomin.services.analytics.supply import SupplyReport

DEBIAN_FONTS = (
    Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
    Path("/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
FORMATS = (".png", ".svg")


class KoreanFontMissing(RuntimeError):
    """No Korean font to draw Hangul with."""


@lru_cache(maxsize=1)
def korean_font() -> str:
    """Register a Korean font with matplotlib and return its family name."""
    candidates = [p for p in DEBIAN_FONTS if p.is_file()]
    # Located without importing the package: its import would change matplotlib's global settings.
    spec = importlib.util.find_spec("koreanize_matplotlib")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidates.append(Path(location) / "fonts" / "NanumGothic.ttf")
    for path in candidates:
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return str(font_manager.FontProperties(fname=str(path)).get_name())
    raise KoreanFontMissing("no Korean font: install fonts-nanum or the koreanize-matplotlib package")


def _korean_rc() -> Any:
    """Settings for one chart only (matplotlib's global state is left alone): the Korean font first."""
    return matplotlib.rc_context(
        {"font.family": [korean_font(), "DejaVu Sans"], "axes.unicode_minus": False, "svg.fonttype": "path"}
    )


def korean_chart() -> Any:
    """The context to build and draw one chart in: a Korean font, matplotlib's global state untouched."""
    return _korean_rc()


def new_figure(width: float = 9, height: float = 5) -> Figure:
    """An empty white figure (inches at 120 dpi) to draw one chart on, inside ``korean_chart()``."""
    figure = Figure(figsize=(width, height), dpi=120, layout="constrained")
    figure.set_facecolor("white")
    return figure


def figure_svg(figure: Figure, title: str, description: str = "") -> str:
    """The figure as inline SVG for a web page: scalable to its container, announced to screen readers
    as one image with ``title`` (and ``description``), its text drawn as paths (no font needed)."""
    import io
    from xml.sax.saxutils import escape

    buffer = io.StringIO()
    with _korean_rc():
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    head_end = svg.index(">")
    head = svg[:head_end]
    for attribute in ("width", "height"):
        start = head.find(f' {attribute}="')
        if start >= 0:
            end = head.index('"', start + len(attribute) + 3)
            head = head[:start] + head[end + 1 :]
    label = f"<title>{escape(title)}</title>" + (f"<desc>{escape(description)}</desc>" if description else "")
    aria_label = escape(title, {'"': "&quot;"})
    return f'{head} class="chart" role="img" aria-label="{aria_label}">{label}{svg[head_end + 1 :]}'


def unit_label(axes: Any, unit: str) -> None:
    """The y axis's unit written level above its top left, where it is read first: a label turned on its
    side is hard to read, on a phone most of all."""
    axes.annotate(unit, xy=(0, 1.02), xycoords="axes fraction", ha="right", va="bottom", fontsize="small")


def _figure() -> Figure:
    return new_figure()


def _save(figure: Figure, path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"{path.name}: charts are .png or .svg")
    figure.savefig(path, format=path.suffix.lower().lstrip("."))


def product_rows(report: SupplyReport) -> list[ReportRow]:
    """One bar group per product: 미소금융 as a whole (its channels' split may be unknown), every other
    item line on its own."""
    rows = []
    for row in report.rows:
        if row.key.product_group == "미소금융":
            if row.key.channel == "합계":
                rows.append(row)
        elif row.level is Level.ITEM:
            rows.append(row)
    return rows


def _label(row: ReportRow) -> str:
    if row.key.product_group == row.key.channel or row.key.channel == "합계":
        return row.key.product_group
    return f"{row.key.product_group}\n{row.key.channel}"


def plan_vs_actual_chart(report: SupplyReport, path: Path) -> None:
    """Grouped bars per product: the year's plan and the actual supply (or estimate), in 억 원."""
    _save(plan_vs_actual_figure(report), path)


def plan_vs_actual_figure(report: SupplyReport) -> Figure:
    """The figure of ``plan_vs_actual_chart``."""
    with _korean_rc():
        figure = _figure()
        axes = figure.add_subplot()
        rows = product_rows(report)
        positions = list(range(len(rows)))
        width = 0.38
        plan = [float(r.plan or 0) for r in rows]
        actual = [float(r.actual or 0) for r in rows]
        actual_label = "추정실적" if report.basis == "estimate" else f"실적 ({report.as_of:%Y.%m.%d})"
        axes.bar([p - width / 2 for p in positions], plan, width, label="공급계획", color="#9db4d3")
        bars = axes.bar(
            [p + width / 2 for p in positions], actual, width, label=actual_label, color="#1f4e8c"
        )
        for bar, row in zip(bars, rows, strict=True):
            if row.rate_pct is not None:
                axes.annotate(
                    f"{row.rate_pct}%",
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                )
        axes.set_xticks(positions, [_label(r) for r in rows])
        unit_label(axes, "억 원")
        axes.set_title(f"{report.year}년 상품별 공급계획 대비 실적")
        axes.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
        axes.legend()
    return figure


def cumulative_chart(report: SupplyReport, path: Path) -> None:
    """Monthly cumulative supply (all lines) through the as-of month against the year's target: the
    target line and the even pace that reaches it by December."""
    _save(cumulative_figure(report), path)


def cumulative_figure(report: SupplyReport) -> Figure:
    """The figure of ``cumulative_chart``."""
    if report.actual is None:
        raise ValueError("the cumulative chart needs actual supply, not the estimate")
    actual = report.actual
    with _korean_rc():
        figure = _figure()
        axes = figure.add_subplot()
        total = next(r for r in report.rows if r.level is Level.TOTAL)
        target = float(total.plan or 0)
        months = list(range(1, 13))
        last = (
            12
            if report.as_of.year > report.year
            else (report.as_of.month if report.as_of.year == report.year else 0)
        )
        running = Decimal(0)
        cumulative: list[float] = []
        for amount in actual.monthly_total()[:last]:
            running += amount
            cumulative.append(float(running))
        axes.plot(months[:last], cumulative, marker="o", color="#1f4e8c", label="누적 공급실적")
        if target:
            axes.axhline(target, color="#c0392b", linestyle="--", label=f"연간 목표 {target:,.0f}억 원")
            axes.plot(
                [0, *months],
                [target * m / 12 for m in [0, *months]],
                color="#999999",
                linestyle=":",
                label="균등 진도",
            )
        axes.set_xticks(months, [f"{m}월" for m in months])
        axes.set_xlim(0.5, 12.5)
        unit_label(axes, "억 원")
        axes.set_title(f"{report.year}년 월별 누적 공급실적과 목표 ({report.as_of:%Y.%m.%d} 기준)")
        axes.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
        axes.legend(loc="upper left")
    return figure


def policy_segment_figure(comparison: PolicyComparison, segment: str) -> Figure:
    """Eligible applicants per band of one segment (age, region, income or score band): the current
    version's bars beside the proposed version's (the band's population is in the page's table; as a bar
    it would dwarf the counts that move)."""
    rows = [r for r in comparison.segments if r.segment == segment]
    title_ko = SEGMENTS[segment][0]
    with _korean_rc():
        figure = new_figure(9, 4.2 if segment != "region" else 5)
        axes = figure.add_subplot()
        positions = list(range(len(rows)))
        width = 0.38
        axes.bar(
            [p - width / 2 for p in positions],
            [r.current for r in rows],
            width,
            color="#9db4d3",
            label="현행",
        )
        axes.bar(
            [p + width / 2 for p in positions],
            [r.proposed for r in rows],
            width,
            color="#1f4e8c",
            label="변경안",
        )
        axes.set_xticks(positions, [r.band for r in rows])
        unit_label(axes, "명")
        axes.set_title(f"{title_ko}별 대상자 수: 현행과 변경안")
        axes.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
        axes.legend()
    return figure


def policy_segment_description(comparison: PolicyComparison, segment: str) -> str:
    """What the segment chart shows, in words and figures (Korean: the page's first language), for those
    who do not see it."""
    rows = [r for r in comparison.segments if r.segment == segment]
    current, proposed = sum(r.current for r in rows), sum(r.proposed for r in rows)
    text = f"{SEGMENTS[segment][0]} {len(rows)}개 구간의 대상자는 현행 {current:,}명, 변경안 {proposed:,}명"
    text += f"({proposed - current:+,}명)입니다."
    moved = max(rows, key=lambda r: abs(r.change), default=None)
    if moved is not None and moved.change:
        text += f" 가장 크게 바뀌는 구간은 {moved.band}({moved.current:,}명 → {moved.proposed:,}명)입니다."
    return text


def plan_vs_actual_description(report: SupplyReport) -> str:
    """The plan-against-actual chart in words: each product's plan, actual and rate, in 억 원."""
    parts = []
    for row in product_rows(report):
        name = _label(row).replace("\n", " ")
        plan = f"{row.plan:,.0f}" if row.plan is not None else "-"
        actual = f"{row.actual:,.0f}" if row.actual is not None else "-"
        rate = f" ({row.rate_pct}%)" if row.rate_pct is not None else ""
        parts.append(f"{name} 계획 {plan}억 원, 실적 {actual}억 원{rate}")
    return "; ".join(parts) + "."


def write_supply_charts(report: SupplyReport, directory: Path) -> list[Path]:
    """Both charts (the cumulative one only for actual supply) as PNG and SVG in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix in FORMATS:
        path = directory / f"supply_plan_vs_actual_{report.year}{suffix}"
        plan_vs_actual_chart(report, path)
        written.append(path)
        if report.actual is not None:
            path = directory / f"supply_cumulative_{report.year}{suffix}"
            cumulative_chart(report, path)
            written.append(path)
    return written
