"""The my-page rate-path chart: accessible inline SVG in both languages, the rates of the path in its
description, the contract rate beside them."""

from __future__ import annotations

from datetime import date

import pytest

from seomin.adapters.mypage_charts import rate_path_chart
from seomin.services.my_page import RateStep

PATH = tuple(
    RateStep(year, (year - 1) * 12 + 1, date(2023 + year, 3, 4), bp, now=year == 2)
    for year, bp in enumerate((1590, 1440, 1290, 1140, 990), start=1)
)


def test_the_rate_path_chart_is_an_accessible_svg_in_korean_and_english() -> None:
    korean = rate_path_chart(PATH, 1590)
    assert korean.startswith("<svg") and 'role="img"' in korean and 'class="chart"' in korean
    assert "<title>성실상환 시 연차별 금리와 약정금리</title>" in korean
    assert "15.9% → 14.4% → 12.9% → 11.4% → 9.9%" in korean and "지금은 2년차입니다" in korean
    assert "<script" not in korean and ' width="' not in korean.split(">", 1)[0]  # scales to its box
    english = rate_path_chart(PATH, 1590, "en")
    assert "Your rate by year if you pay on time" in english and "stays at 15.9%" in english
    assert "This is year 2." in english


def test_a_single_year_or_an_empty_path() -> None:
    assert "15.9%" in rate_path_chart(PATH[:1], 1590)
    with pytest.raises(ValueError):
        rate_path_chart((), 1590)
