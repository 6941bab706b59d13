"""``seomin plan check``: the printed supply table of seed 000 against what its item rows give.

Checked by hand, row by row (억 원): 기업재단 1,448/2,250 = 64.36% → 64.4; 은행재단 648/850 = 76.24 → 76.2;
지역법인 1,227/1,300 = 94.38 → 94.4; 지점 소계 4,400 / 3,323 / 4,400 are the sums, 3,323/4,400 = 75.52 → 75.5;
민간사업수행기관 85/100 = 85.0; 전통시장 466/500 = 93.2; 민간·전통시장 소계 600 / 551 / 600, 551/600 = 91.83 →
91.8; 합계 5,000 / 3,874 / 5,000, 3,874/5,000 = 77.48 → 77.5; 근로자 32,817/32,000 = 102.55 → 102.6, change
24,000 − 32,000 = −8,000; YOUTH 2,214/2,000 = 110.7 (printed 100.6), change 1,400 − 2,000 = −600; 햇살론 소계
34,000 / 35,031 / 25,400 are the sums, 35,031/34,000 = 103.03 → 103.0 (printed 110.7), change −8,600;
햇살론17 10,056/10,000 = 100.56 → 100.6; 총계 49,000 / 48,961 / 40,400, 48,961/49,000 = 99.92 → 99.9, change
40,400 − 49,000 = −8,600. So exactly two disagreements, both achievement rates.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from seomin.adapters.cli_supply import plan_app, report_app
from seomin.adapters.plan_files import parse_plan_csv
from seomin.domain.supply import LineKey, PlanError, check_table, rate_pct

DATA = Path(__file__).parents[1] / "data" / "supply_plan_2020_2021.csv"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "supply_plan_2020_2021.csv"

EXPECTED = [
    {
        "row": {"product_group": "햇살론", "channel": "YOUTH"},
        "column": "stated_rate_pct",
        "printed": 100.6,
        "computed": 110.7,
    },
    {
        "row": {"product_group": "햇살론", "channel": "소계"},
        "column": "stated_rate_pct",
        "printed": 110.7,
        "computed": 103.0,
    },
]

HEADER = (
    "product_group,channel,level,plan_2020_a,estimated_2020_b,stated_rate_pct,plan_2021_c,change_c_minus_a\n"
)

wrapper = typer.Typer()
wrapper.add_typer(plan_app, name="plan")
wrapper.add_typer(report_app, name="report")
runner = CliRunner()


def check_json(path: Path) -> dict[str, object]:
    result = runner.invoke(wrapper, ["plan", "check", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_golden_seed_000_copy() -> None:
    assert check_json(DATA) == {"rows": 13, "disagreements": EXPECTED}


def test_golden_seed_000_shared_file() -> None:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is absent")
    assert check_json(SHARED) == {"rows": 13, "disagreements": EXPECTED}


def test_human_output_is_a_korean_table() -> None:
    result = runner.invoke(wrapper, ["plan", "check", str(DATA)])
    assert result.exit_code == 0
    assert "불일치 2건" in result.stdout
    assert "110.7%" in result.stdout and "103.0%" in result.stdout


def test_rates_round_half_up_at_the_printed_precision() -> None:
    assert rate_pct(Decimal(35031), Decimal(34000)) == Decimal("103.0")
    assert rate_pct(Decimal(1), Decimal(8000)) == Decimal("0.0")  # 0.0125
    assert rate_pct(Decimal(5), Decimal(10000)) == Decimal("0.1")  # 0.05 rounds up
    assert rate_pct(Decimal(1), Decimal(0)) is None


def tampered(replace: dict[str, str]) -> str:
    text = DATA.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def test_every_sum_column_and_change_is_checked() -> None:
    text = tampered(
        {
            "지점 소계,subtotal,4400,3323": "지점 소계,subtotal,4500,3323",
            "총계,total,49000,48961,99.9,40400": "총계,total,49000,48962,99.9,40401",
            "근로자,item,32000,32817,102.6,24000,-8000": "근로자,item,32000,32817,102.6,24000,-800",
        }
    )
    found = {(d.row, d.column): (d.printed, d.computed) for d in check_table(parse_plan_csv(text))}
    assert found[(LineKey("미소금융", "지점 소계"), "plan_2020_a")] == (Decimal(4500), Decimal(4400))
    assert found[(LineKey("총계", "총계"), "estimated_2020_b")] == (Decimal(48962), Decimal(48961))
    assert found[(LineKey("총계", "총계"), "plan_2021_c")] == (Decimal(40401), Decimal(40400))
    assert found[(LineKey("햇살론", "근로자"), "change_c_minus_a")] == (Decimal(-800), Decimal(-8000))
    # The printed 4,500 is not trusted: the subtotal's rate and change come from the items.
    assert (LineKey("미소금융", "지점 소계"), "stated_rate_pct") not in found
    assert (LineKey("미소금융", "지점 소계"), "change_c_minus_a") not in found  # 4,400 − 4,400 = 0 as printed


def test_printed_notation_is_accepted() -> None:
    text = (
        HEADER
        + '햇살론,근로자,item,"32,000","32,817",102.6%,"24,000","△8,000"\n'
        + "햇살론17,햇살론17,item,100,50,50.0,100,-\n"
    )
    table = parse_plan_csv(text)
    assert table.year == 2020
    assert table.rows[0].change == Decimal(-8000) and table.rows[1].change == Decimal(0)
    assert check_table(table) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no header row"),
        ("# only a comment\n", "no header row"),
        ("a,b,c\n1,2,3\n", "missing column"),
        (HEADER, "no data rows"),
        (HEADER + "햇살론,근로자,item,abc,1,1,1,1\n", "not a number"),
        (HEADER + "햇살론,근로자,item,1,1,1\n", "fields"),
        (HEADER + "햇살론,근로자,sum,1,1,1,1,0\n", "level must be"),
        (HEADER + "햇살론,소계,subtotal,1,1,100.0,1,0\n", "has no item rows"),
        (HEADER + "햇살론,근로자,item,1,1,100.0,1,0\n햇살론,근로자,item,1,1,100.0,1,0\n", "appears twice"),
    ],
)
def test_malformed_files_exit_2_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanError, match=message):
        parse_plan_csv(content)
    result = runner.invoke(wrapper, ["plan", "check", str(path), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.csv", tmp_path):
        result = runner.invoke(wrapper, ["plan", "check", str(path), "--json"])
        assert result.exit_code == 2
        assert result.stderr.startswith("seomin: ") and len(result.stderr.strip().splitlines()) == 1
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    result = runner.invoke(wrapper, ["plan", "check", str(binary), "--json"])
    assert result.exit_code == 2 and "UTF-8" in result.stderr
