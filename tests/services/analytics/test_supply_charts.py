"""Supply charts: PNG and SVG files, drawn with a Korean font (Hangul glyphs, never boxes)."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from matplotlib import font_manager
from test_supply_service import DATA, seed_loans, wrapper
from typer.testing import CliRunner

from seomin.adapters.charts import cumulative_chart, korean_font, plan_vs_actual_chart, write_supply_charts
from seomin.adapters.plan_files import read_plan_csv
from seomin.services.analytics.supply import import_plan, supply_report
from seomin.services.platform import Platform

LABELS = "공급계획실적추정누적연간목표균등진도억원월년상품별대비기준미소금융햇살론근로자"


def test_the_font_is_korean() -> None:
    family = korean_font()
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert "Nanum" in Path(path).name or "CJK" in Path(path).name
    cmap = TTFont(path, fontNumber=0).getBestCmap()
    assert all(ord(ch) in cmap for ch in LABELS)


def test_charts_as_png_and_svg(platform: Platform, tmp_path: Path) -> None:
    import_plan(platform.engine, read_plan_csv(DATA))
    seed_loans(platform)
    report = supply_report(platform.engine, 2021, date(2021, 3, 31))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font" for boxes
        written = write_supply_charts(report, tmp_path / "charts")
    assert sorted(p.name for p in written) == [
        "supply_cumulative_2021.png",
        "supply_cumulative_2021.svg",
        "supply_plan_vs_actual_2021.png",
        "supply_plan_vs_actual_2021.svg",
    ]
    for path in written:
        data = path.read_bytes()
        if path.suffix == ".png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
        else:
            assert b"<svg" in data and b"<path" in data


def test_estimate_has_no_cumulative_chart(platform: Platform, tmp_path: Path) -> None:
    import_plan(platform.engine, read_plan_csv(DATA))
    report = supply_report(platform.engine, 2020, date(2021, 1, 1), basis="estimate")
    written = write_supply_charts(report, tmp_path)
    assert [p.name for p in written] == ["supply_plan_vs_actual_2020.png", "supply_plan_vs_actual_2020.svg"]
    with pytest.raises(ValueError, match="needs actual supply"):
        cumulative_chart(report, tmp_path / "c.png")
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plan_vs_actual_chart(report, tmp_path / "c.pdf")


def test_cli_report_writes_charts(tmp_path: Path) -> None:
    runner = CliRunner(env={"SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"})
    assert runner.invoke(wrapper, ["plan", "import", str(DATA)]).exit_code == 0
    args = ["report", "supply", "--year", "2021", "--as-of", "2021-05-01", "--charts", str(tmp_path / "c")]
    result = runner.invoke(wrapper, args)
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "c").iterdir())) == 4
