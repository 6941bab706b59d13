"""경영 현황 (management): supply against the annual plan, plan imports, and policy-change simulation.

Supervisors and auditors read; only supervisors import a plan. The same services, tables and charts as
``seomin report supply``, ``seomin plan check|import`` and ``seomin policy simulate``.
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import polars as pl
from fastapi import APIRouter, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.charts import (
    cumulative_figure,
    figure_svg,
    plan_vs_actual_description,
    plan_vs_actual_figure,
    policy_segment_description,
    policy_segment_figure,
)
from seomin.adapters.plan_files import (
    parse_plan_csv,
    report_title,
    write_report_csv,
    write_report_xlsx,
)
from seomin.adapters.web.forms import FormReader
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import require_staff
from seomin.domain.catalog import ProductVersion
from seomin.domain.supply import Level, PlanError, check_table
from seomin.services.analytics import ScreeningInputError, synthetic_applicants
from seomin.services.analytics.policy import SEGMENTS, PolicyChanges, PolicyInputError, simulate_policy
from seomin.services.analytics.supply import (
    SupplyError,
    SupplyReport,
    import_plan,
    latest_plan_year,
    supply_report,
)

router = APIRouter(prefix="/manage")
READERS = ("supervisor", "auditor")
MAX_PLAN_BYTES = 1024 * 1024
POPULATION_SIZES = (10_000, 100_000, 1_000_000)
Basis = Literal["actual", "estimate"]


def _report(request: Request, year: int, basis: Basis) -> SupplyReport:
    platform = platform_of(request)
    return supply_report(platform.engine, year, platform.today(), basis=basis)


def _year(value: int | None, today: date) -> int:
    return value if value is not None and 2000 <= value <= 2100 else today.year


@router.get("")
def supply_page(
    request: Request,
    year: Annotated[int | None, Query(ge=1900, le=9999)] = None,
    basis: Annotated[Basis, Query()] = "actual",
) -> Response:
    """공급계획 대비 실적: seed 000's table for the year, computed from the executed loans."""
    actor = require_staff(request, *READERS)
    platform = platform_of(request)
    today = platform.today()
    # no year asked: the latest year with a plan, not an empty current year
    chosen = (
        _year(year, today)
        if year is not None
        else latest_plan_year(platform.engine, today.year) or today.year
    )
    report = _report(request, chosen, basis)
    total = next(r for r in report.rows if r.level is Level.TOTAL)
    charts = []
    if any(r.plan or r.actual for r in report.rows):
        charts.append(
            figure_svg(
                plan_vs_actual_figure(report),
                f"{chosen}년 상품별 공급계획 대비 실적",
                plan_vs_actual_description(report),
            )
        )
    if report.actual is not None and (total.plan or total.actual):
        charts.append(figure_svg(cumulative_figure(report), f"{chosen}년 월별 누적 공급실적과 목표"))
    return render(
        request,
        "manage/supply.html",
        {
            "report": report,
            "title": report_title(report),
            "total": total,
            "charts": charts,
            "year": chosen,
            "basis": basis,
            "levels": Level,
            "can_import": actor.role == "supervisor",
        },
    )


@router.get("/supply.{suffix}")
def supply_download(
    request: Request,
    suffix: Literal["csv", "xlsx"],
    year: Annotated[int, Query(ge=1900, le=9999)],
    basis: Annotated[Basis, Query()] = "actual",
) -> Response:
    """The report as CSV (UTF-8 with BOM) or XLSX, the same files as ``seomin report supply --csv/--xlsx``."""
    require_staff(request, *READERS)
    report = _report(request, year, basis)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"supply_{year}_{basis}.{suffix}"
        if suffix == "csv":
            write_report_csv(path, year, report.basis, report.rows)
            media = "text/csv; charset=utf-8"
        else:
            write_report_xlsx(path, year, report.basis, report.rows, report_title(report))
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        content = path.read_bytes()
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{path.name}"'}
    )


@router.post("/plans")
async def plan_upload(request: Request) -> Response:
    """Check a plan table (seed 000 layout) and, when asked, store its item rows; printed sums are only
    compared, never stored."""
    actor = require_staff(request, "supervisor")
    form = await request.form()
    try:
        upload = form.get("file")
        store = FormReader(form).flag("store")
        problem = None
        table = None
        filename = upload.filename if isinstance(upload, UploadFile) else None
        if not isinstance(upload, UploadFile) or not filename:
            problem = ("CSV 파일을 골라 주세요.", "Choose a CSV file.")
        else:
            content = await upload.read(MAX_PLAN_BYTES + 1)
            if len(content) > MAX_PLAN_BYTES:
                problem = ("1MB 이하의 CSV 파일만 받습니다.", "The CSV must be 1 MB or less.")
            else:
                try:
                    table = parse_plan_csv(content.decode("utf-8-sig"))
                except UnicodeDecodeError:
                    problem = ("UTF-8 CSV가 아닙니다.", "The file is not UTF-8 CSV.")
                except PlanError as exc:
                    problem = (f"읽을 수 없는 계획표입니다: {exc}", f"Not a plan table: {exc}")
        if problem is not None or table is None:
            return render(request, "manage/plan_result.html", {"problem": problem}, status_code=422)
        disagreements = check_table(table)
        stored: dict[tuple[int, str], int] = {}
        if store:
            try:
                stored = import_plan(
                    platform_of(request).engine, table, source=str(filename)[:255], actor=actor
                ).stored
            except SupplyError as exc:
                return render(
                    request, "manage/plan_result.html", {"problem": (str(exc), str(exc))}, status_code=422
                )
        return render(
            request,
            "manage/plan_result.html",
            {
                "problem": None,
                "table": table,
                "disagreements": disagreements,
                "stored": sorted(stored.items()),
                "filename": filename,
            },
        )
    finally:
        await form.close()  # the upload's spooled temporary file


# --- policy simulation ---------------------------------------------------------------------------------


@lru_cache(maxsize=3)
def _population(size: int, seed: int) -> pl.DataFrame:
    """The seeded synthetic applicants (documented in services.screening), kept for the next question."""
    return synthetic_applicants(size, seed)


def _simulable(request: Request) -> list[ProductVersion]:
    platform = platform_of(request)
    return [
        v
        for v in sorted(platform.catalog.in_force(platform.today()), key=lambda v: v.id)
        if v.eligibility.credit is not None or v.eligibility.income is not None
    ]


@router.get("/policy")
def policy_page(request: Request) -> Response:
    """정책 변경 시뮬레이션: the current and the proposed terms side by side over a population."""
    require_staff(request, *READERS)
    products = _simulable(request)
    params = request.query_params
    values = {k: params[k] for k in params}
    if "product" not in params:
        return render(
            request,
            "manage/policy.html",
            {
                "products": products,
                "values": values,
                "errors": {},
                "result": None,
                "size_options": [(str(n), f"{n:,}") for n in POPULATION_SIZES],
            },
        )
    form = FormReader(params)
    by_id = {v.id: v for v in products}
    product_id = form.choice("product", by_id)
    kcb = form.integer("kcb_max", required=False, minimum=0, maximum=1000)
    nice = form.integer("nice_max", required=False, minimum=0, maximum=1000)
    income_cap = form.won("income_cap", required=False, minimum=1)
    first_time = form.won("first_time_limit", required=False, minimum=1)
    total = form.won("total_limit", required=False, minimum=1)
    size = form.choice("population", [str(n) for n in POPULATION_SIZES])
    seed = form.integer("seed", minimum=0, maximum=2**31 - 1)
    take_up = _decimal(form, "take_up", Decimal(0), Decimal(1), required=True)
    target = _decimal(form, "target_eok", Decimal(0), Decimal(10**6), required=False)
    result = None
    if form.ok and product_id is not None and size is not None and seed is not None and take_up is not None:
        try:
            result = simulate_policy(
                by_id[product_id],
                PolicyChanges(kcb, nice, income_cap, first_time, total),
                _population(int(size), seed),
                platform_of(request).today(),
                target_eok=target,
                take_up=take_up,
            )
        except (PolicyInputError, ScreeningInputError) as exc:
            form.fail("product", f"이 상품에 적용할 수 없는 변경입니다: {exc}", f"Cannot apply: {exc}")
    charts = []
    if result is not None:
        for segment, (title_ko, _, _) in SEGMENTS.items():
            charts.append(
                figure_svg(
                    policy_segment_figure(result, segment),
                    f"{title_ko}별 대상자 수: 현행과 변경안",
                    policy_segment_description(result, segment),
                )
            )
    return render(
        request,
        "manage/policy.html",
        {
            "products": products,
            "values": values,
            "errors": form.errors,
            "result": result,
            "charts": charts,
            "segments": SEGMENTS,
            "size_options": [(str(n), f"{n:,}") for n in POPULATION_SIZES],
            "current": by_id.get(product_id or ""),
        },
        status_code=200 if form.ok else 422,
    )


def _decimal(form: FormReader, name: str, low: Decimal, high: Decimal, *, required: bool) -> Decimal | None:
    text = form.raw(name).replace(",", "")
    if not text:
        if required:
            form.fail(name, "입력해 주세요.", "Please fill this in.")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not low <= value <= high:
        form.fail(
            name, f"{low}에서 {high} 사이의 숫자를 입력해 주세요.", f"Enter a number from {low} to {high}."
        )
        return None
    return value
