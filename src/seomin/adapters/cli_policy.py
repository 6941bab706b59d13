"""``seomin policy simulate`` and ``seomin open-data export``: Typer sub-apps, registered by cli.py.

Bad input ends with one line on stderr and exit code 2 (``cli.fail``). The helpers of cli.py are imported
inside the commands, so cli.py may import this module at its top.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

if TYPE_CHECKING:
    from seomin.services.analytics.policy import PolicyComparison

policy_app = typer.Typer(help="정책 시뮬레이션: what-if changes to a product's terms", no_args_is_help=True)
open_data_app = typer.Typer(help="공공데이터 개방: anonymized loan-level open data", no_args_is_help=True)


def _eok(value: Decimal) -> str:
    return f"{value:,.2f}억"


def _signed(value: int) -> str:
    return f"{value:+,}"


@policy_app.command("simulate")
def simulate(
    product: Annotated[str, typer.Option("--product", help="Product id, e.g. lowest-credit-special")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day of the simulation, YYYY-MM-DD")] = None,
    kcb_max: Annotated[int | None, typer.Option("--kcb-max", help="Proposed KCB cutoff")] = None,
    nice_max: Annotated[int | None, typer.Option("--nice-max", help="Proposed NICE cutoff")] = None,
    income_cap: Annotated[int | None, typer.Option("--income-cap", help="Proposed income cap, won")] = None,
    first_time_limit: Annotated[
        int | None, typer.Option("--first-time-limit", help="Proposed first-time limit, won")
    ] = None,
    total_limit: Annotated[
        int | None, typer.Option("--total-limit", help="Proposed per-person total limit, won")
    ] = None,
    population: Annotated[
        Path | None, typer.Option("--population", help="Applicant file, CSV or Parquet (screen schema)")
    ] = None,
    synthetic: Annotated[
        int | None, typer.Option("--synthetic", help="Use N seeded synthetic applicants instead")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic applicants")] = 1,
    target_eok: Annotated[
        str | None, typer.Option("--target-eok", help="The year's supply target, 억 원")
    ] = None,
    take_up: Annotated[
        str, typer.Option("--take-up", help="Share of eligible applicants who borrow, 0..1 (default 1)")
    ] = "1",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """정책 변경 시뮬레이션: current vs proposed terms over an applicant population."""
    from seomin.adapters.cli import emit_json, fail, load_catalog, parse_date
    from seomin.services.analytics import applicant_files, policy
    from seomin.services.analytics import synthetic as synthetic_population

    catalog = load_catalog()
    day = parse_date(as_of, "--as-of")
    try:
        current = catalog.get(product, day)
    except LookupError as exc:
        fail(f"product: {exc.args[0]}")
    target = _decimal(target_eok, "--target-eok") if target_eok is not None else None
    rate = _decimal(take_up, "--take-up")
    if (population is None) == (synthetic is None):
        fail("give exactly one of --population FILE or --synthetic N")
    if synthetic is not None and not 1 <= synthetic <= 20_000_000:
        fail(f"--synthetic: expected 1 to 20,000,000 applicants, got {synthetic}")
    changes = policy.PolicyChanges(kcb_max, nice_max, income_cap, first_time_limit, total_limit)
    try:
        if population is not None:
            if not population.exists():
                fail(f"{population}: no such file")
            frame = applicant_files.read_applicants(population)
        else:
            frame = synthetic_population.synthetic_applicants(synthetic or 0, seed)
        result = policy.simulate_policy(current, changes, frame, day, target_eok=target, take_up=rate)
    except ValueError as exc:  # PolicyInputError, ScreeningInputError
        fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    if as_json:
        emit_json(result.to_json())
        return
    _print(result, current.name_ko)


def _decimal(text: str, option: str) -> Decimal:
    from seomin.adapters.cli import fail

    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        fail(f"{option}: expected a number, got {text!r}")
    if not value.is_finite():
        fail(f"{option}: expected a number, got {text!r}")
    return value


def _print(result: PolicyComparison, name_ko: str) -> None:
    from seomin.adapters.cli import out
    from seomin.services.analytics.policy import SEGMENTS

    title = (
        f"{name_ko} 정책 변경 시뮬레이션 · {result.population:,}명 · {result.as_of:%Y.%m.%d} 기준 "
        f"(policy simulation)"
    )
    changes = Table(title="변경 내용 (changes)")
    changes.add_column("항목 (figure)")
    changes.add_column("현행 (current)", justify="right")
    changes.add_column("변경안 (proposed)", justify="right")
    for path, (before, after) in result.changes.items():
        changes.add_row(path, f"{before:,}", f"{after:,}")
    if not result.changes:
        changes.add_row("변경 없음 (no change)", "", "")
    out.print(changes)

    summary = Table(title=title)
    summary.add_column("구분 (measure)")
    summary.add_column("현행 (current)", justify="right")
    summary.add_column("변경안 (proposed)", justify="right")
    summary.add_column("증감 (change)", justify="right")
    cur, new = result.current, result.proposed
    summary.add_row(
        "신청 가능 (eligible)", f"{cur.eligible:,}", f"{new.eligible:,}", _signed(new.eligible - cur.eligible)
    )
    summary.add_row(
        "확인 필요 (needs confirmation)",
        f"{cur.needs_confirmation:,}",
        f"{new.needs_confirmation:,}",
        _signed(new.needs_confirmation - cur.needs_confirmation),
    )
    summary.add_row(
        f"공급 전망 (supply, take-up {result.take_up})",
        _eok(cur.supply_eok),
        _eok(new.supply_eok),
        f"{new.supply_eok - cur.supply_eok:+,.2f}억",
    )
    if result.target_eok is not None and cur.gap_eok is not None and new.gap_eok is not None:
        summary.add_row("목표 (target)", _eok(result.target_eok), _eok(result.target_eok), "")
        summary.add_row(
            "목표 대비 (gap: supply − target)", f"{cur.gap_eok:+,.2f}억", f"{new.gap_eok:+,.2f}억", ""
        )
    out.print(summary)

    for column, (title_ko, title_en, _) in SEGMENTS.items():
        table = Table(title=f"{title_ko}별 신청 가능 인원 (eligible by {title_en})")
        table.add_column(title_ko)
        for heading in ("인원 (population)", "현행 (current)", "변경안 (proposed)", "증감 (change)"):
            table.add_column(heading, justify="right")
        for row in result.segments:
            if row.segment == column:
                table.add_row(
                    row.band,
                    f"{row.population:,}",
                    f"{row.current:,}",
                    f"{row.proposed:,}",
                    _signed(row.change),
                )
        out.print(table)


@open_data_app.command("export")
def export(
    out_prefix: Annotated[
        Path, typer.Option("--out", help="Path prefix: writes PREFIX.csv, .parquet, .dictionary.json/.md")
    ],
    k: Annotated[int, typer.Option("--k", help="Every quasi-identifier combination at least k times")] = 5,
    sector: Annotated[
        str | None, typer.Option("--sector", help="bank, savings_bank, foundation or operator; default all")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """개방 데이터: write the anonymized (k-anonymous) loan-level export of executed loans."""
    from seomin.adapters.cli import emit_json, fail, out, settings_platform
    from seomin.services.analytics.open_data import OpenDataError, export_open_data

    if k < 2:
        fail(f"--k: must be 2 or more, got {k}")
    platform = settings_platform()
    try:
        summary = export_open_data(platform, out_prefix, k=k, sector=sector)
    except OpenDataError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out_prefix}: cannot write: {exc.strerror or exc}")
    finally:
        platform.engine.dispose()
    if as_json:
        emit_json(summary.to_json())
        return
    out.print(
        f"개방 데이터 {summary.rows_written:,}건 저장 (k={summary.k}; 대출 {summary.loans:,}건 중 "
        f"{summary.rows_suppressed:,}건·{summary.groups_suppressed:,}개 조합 비공개 처리)",
        highlight=False,
    )
    for path in (summary.csv_path, summary.parquet_path, *summary.dictionary_paths):
        out.print(f"  {path}", highlight=False)
