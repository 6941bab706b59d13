"""``seomin matching …``: 맞춤대출 jobs: a whole applicant file matched in batch, the outcome statistics
rebuilt, and faithful repayers told what now fits them.

Registered in cli.py with ``app.add_typer(matching_app, name="matching")``; the database commands take
the platform from the environment's settings like ``seomin cob``. Bad input: one line, exit code 2.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

matching_app = typer.Typer(
    help="맞춤대출: batch matching, outcome statistics, graduation notices", no_args_is_help=True
)
out = Console()


@matching_app.command("batch")
def matching_batch(
    file: Annotated[Path, typer.Argument(help="Applicant file, CSV or Parquet (the screening schema)")],
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write one row per person to CSV or Parquet")
    ] = None,
) -> None:
    """Match every person of an applicant file: how many products fit and the best one."""
    from seomin.adapters.cli import fail, load_catalog, parse_date
    from seomin.services.analytics.applicant_files import ScreeningInputError, read_applicants, write_results
    from seomin.services.matching import default_partner_products
    from seomin.services.matching.batch import match_frame

    day = parse_date(as_of, "--as-of")
    if not file.exists():
        fail(f"{file}: no such file")
    try:
        applicants = read_applicants(file)
    except ScreeningInputError as exc:
        fail(str(exc))
    result = match_frame(load_catalog(), default_partner_products(), applicants, day)
    if output is not None:
        write_results(result, output)
    counts = Counter(p or "-" for p in result["top_product"].to_list())
    table = Table(title=f"맞춤대출 · {len(result):,}명 · {day:%Y.%m.%d} 기준")
    table.add_column("1순위 상품 (top product)")
    table.add_column("인원", justify="right")
    for product, count in counts.most_common():
        table.add_row("맞는 상품 없음 (none)" if product == "-" else product, f"{count:,}")
    out.print(table)
    if output is not None:
        out.print(f"결과 저장: {output}")


@matching_app.command("refresh-outcomes")
def matching_refresh() -> None:
    """Rebuild what users with each profile band actually got (k-anonymous aggregates)."""
    from seomin.adapters.cli import settings_platform
    from seomin.services.matching import refresh_outcomes
    from seomin.services.platform import SYSTEM

    platform = settings_platform()
    try:
        summary = refresh_outcomes(platform, SYSTEM)
    finally:
        platform.engine.dispose()
    out.print(f"{summary.loans:,} loans, {summary.groups:,} groups ({summary.refreshed_on})", highlight=False)


@matching_app.command("notify-graduates")
def matching_graduates() -> None:
    """Tell faithful repayers which mainstream or bridge loans now fit them (once per set of products)."""
    from seomin.adapters.cli import settings_platform
    from seomin.services.matching import notify_graduates

    platform = settings_platform()
    try:
        run = notify_graduates(platform)
    finally:
        platform.engine.dispose()
    out.print(f"{run.looked_at:,} repayers looked at, {run.notified:,} told", highlight=False)
