"""The ``seomin`` command line: products, eligibility checks, simulations, batch screening, the API server,
close of business, demo data and a tour.

Bad input ends with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.domain.catalog import Catalog, CatalogError, ProductVersion
from seomin.domain.money import format_manwon, format_rate, format_won
from seomin.domain.schedule import Installment
from seomin.services.catalog_view import products_to_json
from seomin.services.clock import today_kst
from seomin.services.eligibility_check import check_eligibility, decision_to_json
from seomin.services.errors import InputError
from seomin.services.simulation import SimulationRequest, simulate, simulation_to_json

T = TypeVar("T")

app = typer.Typer(
    name="seomin",
    help="seomin: 정책서민금융 플랫폼 (policy microfinance platform)",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

MAX_COB_GAP_DAYS = 7
"""``seomin cob`` without --date closes today only when the last run is at most a week old."""

STATUS_KO = {"eligible": "신청 가능", "ineligible": "신청 불가", "needs_confirmation": "확인 필요"}


def fail(message: str) -> NoReturn:
    """Bad input: one line, exit code 2."""
    err.print(f"seomin: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def parse_date(value: str | None, option: str) -> date:
    if value is None:
        return today_kst()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: expected a date as YYYY-MM-DD, got {value!r}")


def load_catalog() -> Catalog:
    try:
        return default_catalog()
    except CatalogError as exc:
        fail(f"catalog: {exc}")


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def run_use_case(call: Callable[[], T]) -> T:
    try:
        return call()
    except InputError as exc:
        fail(str(exc))


@app.command()
def products(
    on: Annotated[str | None, typer.Option("--on", help="Products in force on this day (YYYY-MM-DD)")] = None,
    all_versions: Annotated[bool, typer.Option("--all", help="Every version of every product")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """상품 목록: the products in force on a day, with rate, limit and terms."""
    catalog = load_catalog()
    day = parse_date(on, "--on")
    versions = list(catalog) if all_versions else catalog.in_force(day)
    if as_json:
        emit_json(products_to_json(versions))
        return
    title = f"정책서민금융상품 ({'전체 버전' if all_versions else day.strftime('%Y.%m.%d') + ' 기준'})"
    rows = [_product_row(v) for v in versions]
    if out.width < WIDE_TABLE:
        # A seven-column table on an 80-column terminal cuts the ids the next command needs: a list instead.
        out.rule(title)
        for name, version_id, *details in rows:
            out.print(f"[bold]{name}[/bold]  {version_id}", overflow="fold")
            out.print("  " + " · ".join(details), overflow="fold")
        return
    table = Table(title=title)
    for column in ("상품", "ID@버전", "기간", "금리", "한도 (최초)", "상환", "확인 필요"):
        table.add_column(column, no_wrap=column == "ID@버전", overflow="fold")
    for row in rows:
        table.add_row(*row)
    out.print(table)


WIDE_TABLE = 110
"""Terminal columns below which the product table becomes a list."""


def _product_row(v: ProductVersion) -> tuple[str, ...]:
    period = (
        f"{v.effective_from:%Y.%m.%d} ~ {v.effective_to:%Y.%m.%d}"
        if v.effective_to
        else (f"{v.effective_from:%Y.%m.%d} ~")
    )
    rate = f"연 {format_rate(v.rate.annual)}%"
    if v.rate.vulnerable_annual is not None:
        rate += f" (배려 {format_rate(v.rate.vulnerable_annual)}%)"
    limit = f"한도 {format_manwon(v.limits.total_per_person)} (최초 {format_manwon(v.limits.first_time)})"
    terms = "/".join(map(str, v.terms.repayment_months)) + "개월"
    unconfirmed = v.unconfirmed_figures()
    flag = "전부" if "*" in unconfirmed else (f"{len(unconfirmed)}개 항목" if unconfirmed else "-")
    return (v.name_ko, f"{v.id}@{v.version}", period, rate, limit, terms, f"확인 필요 {flag}")


@app.command()
def check(
    product: Annotated[str, typer.Option("--product", help="Product id, e.g. lowest-credit-special")],
    profile: Annotated[Path, typer.Option("--profile", help="Applicant profile JSON (see README)")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Application date YYYY-MM-DD (default today)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """자격조회: judge an applicant profile for a product. Exit 0 whether eligible or not."""
    catalog = load_catalog()
    day = parse_date(as_of, "--as-of")
    try:
        data = json.loads(profile.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"{profile}: cannot read: {exc.strerror or exc}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{profile}: not valid JSON: {exc}")
    decision = run_use_case(lambda: check_eligibility(catalog, product, data, day))
    result = decision_to_json(decision)
    if as_json:
        emit_json(result)
        return
    name = catalog.get(decision.product_id, day).name_ko
    out.print(
        f"[bold]{name}[/] ({decision.product_id}) · {day:%Y.%m.%d} 기준: "
        f"[bold]{STATUS_KO[result['status']]}[/]"
    )
    for reason in decision.reasons:
        out.print(f"  • [{reason.code}] {reason.message_ko}", highlight=False)
        if reason.remedy_ko:
            out.print(f"      → {reason.remedy_ko}", highlight=False)
    if decision.offer is not None:
        offer = decision.offer
        out.print(
            f"  제안: 최대 {format_won(offer.max_amount)} · 연 {format_rate(offer.annual_rate)}% · "
            f"{'/'.join(map(str, offer.term_months))}개월 상환"
        )
        out.print(
            "  가능 금융회사: "
            + ", ".join(
                o.name_ko + ("" if o.regions_confirmed else "(지역 확인 필요)") for o in offer.lenders
            )
        )
    if decision.alternatives:
        names = ", ".join(catalog.get(a, day).name_ko for a in decision.alternatives)
        out.print(f"  함께 볼 만한 상품: {names}")


@app.command(name="simulate")
def simulate_command(
    product: Annotated[str, typer.Option("--product")],
    amount: Annotated[int, typer.Option("--amount", help="Loan amount in won")],
    term_months: Annotated[int, typer.Option("--term-months", help="Repayment months (after grace)")],
    grace_months: Annotated[int, typer.Option("--grace-months")] = 0,
    start: Annotated[
        str | None, typer.Option("--start", help="Execution date YYYY-MM-DD (default today)")
    ] = None,
    preferential: Annotated[
        list[str] | None, typer.Option("--preferential", help="consulting or employment-support")
    ] = None,
    no_step_down: Annotated[bool, typer.Option("--no-step-down", help="The contract schedule")] = False,
    vulnerable: Annotated[bool, typer.Option("--vulnerable", help="사회적배려대상자 rate")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """상환 시뮬레이션: the schedule, assuming on-time payment (step-downs) unless --no-step-down."""
    catalog = load_catalog()
    request = SimulationRequest(
        product=product,
        amount=amount,
        term_months=term_months,
        grace_months=grace_months,
        start=parse_date(start, "--start"),
        preferential=tuple(preferential or ()),
        step_down=not no_step_down,
        vulnerable=vulnerable,
    )
    result = run_use_case(lambda: simulate(catalog, korean_calendar(), request))
    for note in result.notes:
        err.print(f"seomin: note: {note}", markup=False, highlight=False, soft_wrap=True)
    if as_json:
        emit_json(simulation_to_json(result))
        return
    schedule = result.schedule
    table = Table(
        title=f"{result.product.name_ko} {format_won(amount)} · {term_months}개월 (거치 {grace_months}개월)"
    )
    for column in ("회차", "납입일", "금리", "납입액", "원금", "이자", "잔액"):
        table.add_column(column, justify="right")
    for i in schedule.installments:
        table.add_row(
            str(i.no), f"{i.due_date:%Y.%m.%d}", f"{format_rate(i.annual_rate)}%", f"{i.payment:,}",
            f"{i.principal:,}", f"{i.interest:,}", f"{i.balance:,}",
        )  # fmt: skip
    out.print(table)
    out.print(f"총 이자 {format_won(schedule.total_interest)} · 총 납입 {format_won(schedule.total_payment)}")


@app.command()
def screen(
    file: Annotated[Path, typer.Argument(help="Applicant file, CSV or Parquet (schema in the README)")],
    product: Annotated[str, typer.Option("--product")] = "lowest-credit-special",
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    output: Annotated[Path | None, typer.Option("--out", help="Write decisions to CSV or Parquet")] = None,
) -> None:
    """일괄 심사: screen a large applicant file with the vectorized engine."""
    from seomin.services.analytics import (  # polars is heavy; load it only for this command
        applicant_files,
        screening,
    )

    catalog = load_catalog()
    day = parse_date(as_of, "--as-of")
    try:
        version = catalog.get(product, day)
    except LookupError as exc:
        fail(f"product: {exc.args[0]}")
    if not file.exists():
        fail(f"{file}: no such file")
    with Progress(
        TextColumn("[bold]심사 중[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    ) as progress:
        task = progress.add_task("screen", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            results = screening.screen_file(version, file, day, progress=advance)
        except applicant_files.ScreeningInputError as exc:
            progress.stop()
            fail(str(exc))
    if output is not None:
        applicant_files.write_results(results, output)
    counts = Counter(results["status"].to_list())
    table = Table(title=f"{version.name_ko} 일괄 심사 · {len(results):,}명 · {day:%Y.%m.%d} 기준")
    table.add_column("결과")
    table.add_column("인원", justify="right")
    for status, label in STATUS_KO.items():
        table.add_row(label, f"{counts.get(status, 0):,}")
    out.print(table)
    codes = Counter(c for row in results["codes"].to_list() for c in row.split(";") if c and c != "ELIGIBLE")
    if codes:
        reasons = Table(title="주요 사유")
        reasons.add_column("사유 코드")
        reasons.add_column("인원", justify="right")
        for code, count in codes.most_common(10):
            reasons.add_row(code, f"{count:,}")
        out.print(reasons)
    if output is not None:
        out.print(f"결과 저장: {output}")


@app.command()
def tour() -> None:
    """둘러보기: the catalog, two eligibility checks and a simulation, on the embedded data."""
    catalog = load_catalog()
    day = date(2025, 5, 1)
    out.rule("[bold]seomin[/] · 정책서민금융 플랫폼 데모")
    products(on=day.isoformat(), all_versions=False, as_json=False)
    applicants = {
        "햇살론15 거절, KCB 640점, 연소득 2,800만 원, 1년 재직 (서울)": {
            "birth_date": "1988-04-12", "annual_income": 28_000_000, "kcb_score": 640, "nice_score": None,
            "occupation": "employee", "employed_months": 12, "haessal15": "rejected", "region": "서울",
        },
        "햇살론15 이용 중, KCB 690·NICE 730, 재직 2개월 (부산, DB저축은행 희망)": {
            "birth_date": "1979-11-02", "annual_income": 31_000_000, "kcb_score": 690, "nice_score": 730,
            "occupation": "employee", "employed_months": 2, "haessal15": "using", "region": "부산",
            "requested_bank": "db-sb",
        },
    }  # fmt: skip
    for title, profile in applicants.items():
        out.rule(title)
        decision = check_eligibility(catalog, "lowest-credit-special", profile, day)
        out.print(f"결과: [bold]{STATUS_KO[decision.status.value]}[/]")
        for reason in decision.reasons:
            out.print(f"  • [{reason.code}] {reason.message_ko}", highlight=False)
            if reason.remedy_ko:
                out.print(f"      → {reason.remedy_ko}", highlight=False)
        if decision.alternatives:
            out.print("  다른 상품: " + ", ".join(catalog.get(a, day).name_ko for a in decision.alternatives))
    out.rule("500만 원 · 60개월 · 성실상환 시 금리 인하")
    result = simulate(
        catalog, korean_calendar(),
        SimulationRequest("lowest-credit-special", 5_000_000, 60, start=day),
    )  # fmt: skip
    firsts: dict[Decimal, Installment] = {}
    for i in result.schedule.installments:
        firsts.setdefault(i.annual_rate, i)
    for rate, i in firsts.items():
        out.print(
            f"  {i.no:>2}회차부터 연 {format_rate(rate)}% · 월 {format_won(i.payment)} "
            f"(납입일 {i.due_date:%Y.%m.%d})"
        )
    out.print(f"  총 이자 {format_won(result.schedule.total_interest)}")
    out.print("\n다음: seomin check --product lowest-credit-special --profile 파일.json --as-of 2025-05-01")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1,
) -> None:
    """API 서버: serve the HTTP API (docs at /docs) on the database of SEOMIN_DATABASE_URL."""
    from seomin.adapters.http.server import serve as run_server

    out.print(f"seomin API on http://{host}:{port}/docs (Ctrl-C stops it)", highlight=False)
    run_server(host, port, workers)


def settings_platform() -> Any:
    """The platform of the environment's settings (database migrated); one line and exit 2 on failure."""
    from seomin.adapters.crypto import DataKeyError
    from seomin.bootstrap import ConfigurationError, platform_from_settings

    try:
        return platform_from_settings()
    except (DataKeyError, ConfigurationError) as exc:
        fail(str(exc))
    except Exception as exc:  # an unreachable server or a bad URL: one line, not a traceback
        fail(f"database: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


@app.command()
def cob(
    on: Annotated[
        str | None, typer.Option("--date", help="Business day YYYY-MM-DD; default today in Korea")
    ] = None,
) -> None:
    """마감 (close of business): age arrears, default, step rates down and expire guarantees for a day."""
    from seomin.adapters.jobs import cob_command
    from seomin.services.close_of_business import latest_close_of_business
    from seomin.services.errors import Conflict

    business_date = parse_date(on, "--date")
    platform = settings_platform()
    try:
        latest = latest_close_of_business(platform) if on is None else None
        if latest is not None and (business_date - latest).days > MAX_COB_GAP_DAYS:
            # today by default is right for a nightly job, not for a database left for months (the
            # demo's): a run cannot be undone, so a long jump is asked for by date
            fail(
                f"--date: the last close of business was {latest.isoformat()}, "
                f"{(business_date - latest).days} days ago; give --date to say which day to close"
            )
        line = cob_command(platform, business_date)
    except InputError as exc:
        fail(str(exc))
    except Conflict as exc:
        fail(f"{exc.code}: {exc.message}")
    finally:
        platform.engine.dispose()
    out.print(line, highlight=False, soft_wrap=True)


@app.command()
def demo(
    url: Annotated[str, typer.Option(help="Where `seomin serve` will answer")] = "http://127.0.0.1:8000",
) -> None:
    """데모 데이터: load demo staff, bank keys and loans in every state (once), then print the accounts."""
    from seomin.adapters.plan_files import LINEUP_2026_PLAN, SEED_PLAN, packaged_plan, seed_plan
    from seomin.services.analytics.supply import import_plan
    from seomin.services.demo import load_demo
    from seomin.services.identity import ADMIN

    platform = settings_platform()
    try:
        summary = load_demo(platform)
        if summary.loaded:  # management's pages need a plan: seed 000's own table, as printed, and 2026's
            import_plan(platform.engine, seed_plan(), source=f"seed 000 ({SEED_PLAN})", actor=ADMIN)
            import_plan(
                platform.engine,
                packaged_plan(LINEUP_2026_PLAN),
                source=f"2026 line-up targets ({LINEUP_2026_PLAN})",
                actor=ADMIN,
            )
    finally:
        platform.engine.dispose()
    if summary.loaded:
        out.print("데모 데이터를 불러왔습니다 (demo data loaded; demo-only passwords and keys).")
    else:
        out.print("데모 데이터가 이미 있습니다 (demo data already present: nothing added).")
    table = Table(title="직원 (staff: POST /api/v1/staff/login)")
    for column in ("username", "role", "password"):
        table.add_column(column, no_wrap=True)
    for username, (role, password) in summary.staff.items():
        table.add_row(username, role, password)
    out.print(table)
    banks = Table(title="협약 은행 (banks: header X-Api-Key)")
    banks.add_column("bank", no_wrap=True)
    banks.add_column("X-Api-Key", no_wrap=True)
    for bank_code, key in summary.bank_keys.items():
        banks.add_row(bank_code, key)
    out.print(banks)
    people = Table(title="신청인 (applicants: POST /api/v1/applicant/identity, any mobile number)")
    for column in ("state", "name", "rrn"):
        people.add_column(column, no_wrap=True)
    for state, (name, rrn) in summary.people.items():
        people.add_row(state, name, rrn)
    out.print(people)
    issued = summary.records.get("guaranteed", {})
    if "certificate_no" in issued:
        out.print(
            f"발급된 보증서 (issued certificate): {issued['certificate_no']}, "
            f"verification code {issued['verification_code']} (shown once)",
            highlight=False,
        )
    out.print(
        f"웹 (web): {url}/  ·  직원 (staff) {url}/staff  ·  경영 (management) {url}/manage  ·  "
        f"은행 창구 (bank desk) {url}/bank",
        highlight=False,
    )
    out.print(f"API: {url}/docs  (start it with: seomin serve)", highlight=False)


db_app = typer.Typer(help="데이터베이스: schema migrations", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Migrate the database named by SEOMIN_DATABASE_URL (default: SQLite under ./var) to ``revision``."""
    from seomin.adapters.db.engine import make_engine
    from seomin.adapters.db.migrate import upgrade
    from seomin.settings import load_settings

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine, revision)
    except Exception as exc:  # an unreachable server or a bad URL: one line, not a traceback
        fail(f"db upgrade: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        engine.dispose()
    out.print(f"database at {engine.url.render_as_string(hide_password=True)} is at revision {revision}")


notify_app = typer.Typer(help="알림: the notification outbox (SMS / 알림톡)", no_args_is_help=True)
app.add_typer(notify_app, name="notify")


@notify_app.command("outbox")
def notify_outbox(
    phone: Annotated[str, typer.Option("--phone", help="The mobile number, e.g. 010-1234-5678")],
) -> None:
    """Development: the messages a phone would have received (newest first), one-time codes included."""
    from seomin.domain.identity import normalize_phone
    from seomin.services.notifications import messages_to

    try:
        number = normalize_phone(phone)
    except ValueError as exc:
        fail(f"--phone: {exc}")
    platform = settings_platform()
    if platform.environment == "production":
        fail("notify outbox: not in production (messages there carry personal data)")
    for message in messages_to(platform, number):
        out.print(f"{message.created_at:%Y-%m-%d %H:%M} {message.status:6} {message.text}", highlight=False)


@notify_app.command("run")
def notify_run(
    on: Annotated[
        str | None, typer.Option("--date", help="Reminder day YYYY-MM-DD; default today in Korea")
    ] = None,
) -> None:
    """Queue the messages of new audited events and the day's reminders (D-3 payments, expiring
    certificates, tomorrow's bookings, additional loans opening, recourse installments); once each."""
    from seomin.services.notifications import notify_events, queue_reminders

    day = parse_date(on, "--date")
    platform = settings_platform()
    try:
        events = run_use_case(lambda: notify_events(platform))
        reminders = run_use_case(lambda: queue_reminders(platform, day))
    finally:
        platform.engine.dispose()
    out.print(
        f"{events:,} event messages and {reminders:,} reminders queued for {day.isoformat()}", highlight=False
    )


@notify_app.command("dispatch")
def notify_dispatch() -> None:
    """Send the queued messages once each through the sender (development: the local outbox)."""
    from seomin.services.notifications import LocalOutbox, dispatch

    sent = dispatch(settings_platform(), LocalOutbox())
    out.print(f"{sent:,} messages sent")


documents_app = typer.Typer(help="서류: submitted documents and their retention", no_args_is_help=True)
app.add_typer(documents_app, name="documents")


@documents_app.command("purge")
def documents_purge(
    on: Annotated[
        str | None, typer.Option("--date", help="The day YYYY-MM-DD; default today in Korea")
    ] = None,
) -> None:
    """파기: delete the files of documents past retention (3 months unused, 5 years after repayment)."""
    from seomin.services.applications import purge_expired_documents

    asked = parse_date(on, "--date") if on else None  # a bad date is refused before any set-up
    platform = settings_platform()
    day = asked or platform.today()
    try:
        done = purge_expired_documents(platform, day)
    except InputError as exc:
        fail(f"--date: {exc.message}")
    finally:
        platform.engine.dispose()
    out.print(
        f"documents {done.on.isoformat()}: {done.documents:,} documents of {done.applications:,} "
        f"applications past retention; {done.files:,} files deleted",
        highlight=False,
        soft_wrap=True,
    )


dormant_app = typer.Typer(help="휴면예금 찾아줌: institutions' dormant-asset files", no_args_is_help=True)
app.add_typer(dormant_app, name="dormant")


@dormant_app.command("import")
def dormant_import(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8) or XLSX with the documented header", exists=True)],
    institution: Annotated[str, typer.Option("--institution", help="The contributing institution's code")],
    sector: Annotated[str, typer.Option("--sector", help="bank, insurance, savings_bank, credit_union, ...")],
    total: Annotated[
        int, typer.Option("--total", help="The file's total in won, as the institution declares")
    ],
) -> None:
    """Add an institution's dormant deposits; a re-upload adds nothing twice; refused rows listed by line."""
    from seomin.adapters.dormant_files import FileFormatError, file_text
    from seomin.services.dormant_deposits import import_file
    from seomin.services.platform import SYSTEM

    try:
        text = file_text(file.name, file.read_bytes())
    except FileFormatError as exc:
        fail(f"file: {exc}")
    platform = settings_platform()
    try:
        report = run_use_case(lambda: import_file(platform, SYSTEM, institution, sector, text, total))
    finally:
        platform.engine.dispose()
    for reject in report.rejects:
        out.print(f"line {reject.line}: {reject.problem}", highlight=False, markup=False)
    out.print(
        f"{report.added:,} added ({report.total_added:,} won), {report.already_held:,} already held, "
        f"{len(report.rejects):,} refused",
        highlight=False,
    )


@dormant_app.command("notices")
def dormant_notices(
    out_file: Annotated[Path, typer.Option("--out", help="The mail-merge CSV to write (UTF-8 with BOM)")],
    on: Annotated[
        str | None, typer.Option("--date", help="The notice day YYYY-MM-DD; default today in Korea")
    ] = None,
    min_total: Annotated[
        int, typer.Option("--min-total", help="Only holders with at least this many won")
    ] = 0,
) -> None:
    """권리자 안내: a mail-merge file of every holder with dormant deposits still held, and an SMS (once a
    month) to those whose mobile number is known; the file has no resident number, only masked ones."""
    import csv

    from seomin.services.dormant_deposits import NOTICE_COLUMNS, rights_holder_notices
    from seomin.services.platform import SYSTEM

    day = parse_date(on, "--date")
    platform = settings_platform()
    try:
        notices = run_use_case(lambda: rights_holder_notices(platform, SYSTEM, day, min_total))
    finally:
        platform.engine.dispose()
    with out_file.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(NOTICE_COLUMNS)
        for n in notices:
            writer.writerow(
                [
                    n.notice_no,
                    n.name,
                    n.rrn_masked,
                    n.deposits,
                    n.total_won,
                    n.institutions,
                    "Y" if n.sms else "",
                ]
            )
    sms = sum(n.sms for n in notices)
    out.print(f"{len(notices):,} notices written to {out_file}, {sms:,} by SMS too", highlight=False)


@dormant_app.command("figures")
def dormant_figures(
    month: Annotated[
        str | None, typer.Option("--month", help="YYYY-MM: that month's movements and its closing balance")
    ] = None,
) -> None:
    """휴면금융자산 관리 현황 from the ledger, as CSV: contributed, paid, donated, outstanding by sector."""
    import csv
    import sys

    from seomin.services.dormant_deposits import disclosure_figures
    from seomin.services.platform import SYSTEM

    platform = settings_platform()
    try:
        rows = run_use_case(lambda: disclosure_figures(platform, SYSTEM, month))
    finally:
        platform.engine.dispose()
    fields = ("sector", "contributed", "paid", "donated", "outstanding", "interest_paid", "interest_donated")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([getattr(row, f) for f in fields])


fees_app = typer.Typer(help="보증료: billing fee-separate guarantees from the catalog", no_args_is_help=True)
app.add_typer(fees_app, name="fees")


@fees_app.command("bill")
def fees_bill(
    on: Annotated[
        str | None, typer.Option("--date", help="Bill the periods begun by this day; default today in Korea")
    ] = None,
) -> None:
    """Charge every fee-separate guarantee's fee periods begun by the day, once each (a re-run adds none)."""
    from seomin.services.guarantee_fees import bill_fees
    from seomin.services.platform import SYSTEM

    day = parse_date(on, "--date")
    platform = settings_platform()
    try:
        posted = run_use_case(lambda: bill_fees(platform, SYSTEM, day))
    finally:
        platform.engine.dispose()
    out.print(f"{posted:,} guarantee-fee charges posted up to {day.isoformat()}", highlight=False)


@fees_app.command("reconcile")
def fees_reconcile(
    bank: Annotated[str, typer.Option("--bank", help="The bank's code, e.g. kwangju")],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
) -> None:
    """월별 대사: fees billed in the month against the fees the bank reported, the differences listed."""
    from seomin.services.guarantee_fees import reconcile
    from seomin.services.platform import SYSTEM

    platform = settings_platform()
    try:
        result = run_use_case(lambda: reconcile(platform, SYSTEM, bank, month))
    finally:
        platform.engine.dispose()
    for d in result.differences:
        out.print(
            f"{d.certificate_no}: billed {d.billed:,}, reported {d.reported:,} ({d.difference:+,})",
            highlight=False,
        )
    out.print(
        f"{bank} {month}: billed {result.billed:,} won, reported {result.reported:,} won, "
        f"{len(result.differences):,} differences",
        highlight=False,
    )


admin_app = typer.Typer(
    help="운영 관리: staff accounts and bank API keys, without the demo", no_args_is_help=True
)
app.add_typer(admin_app, name="admin")


def _admin(call: Callable[[Any], T]) -> T:
    """Run an administration use case on the configured database as the operator; one line on failure."""
    from seomin.services.errors import Conflict, NotFound

    platform = settings_platform()
    try:
        return run_use_case(lambda: call(platform))
    except (NotFound, Conflict) as exc:
        fail(str(exc))


@admin_app.command("create-staff")
def admin_create_staff(
    username: Annotated[str, typer.Argument(help="a-z, 0-9, '.', '_', '-'")],
    role: Annotated[str, typer.Option("--role", help="counselor, reviewer, supervisor or auditor")],
    name: Annotated[str, typer.Option("--name", help="Display name")],
) -> None:
    """A staff account; the password is asked for (never an argument: it would stay in the shell history)."""
    from seomin.services.identity import create_staff_user

    password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    staff_id = _admin(lambda p: create_staff_user(p, username, name, password, role))
    out.print(f"staff user {username} ({role}) created, id {staff_id}")


@admin_app.command("set-role")
def admin_set_role(username: str, role: str) -> None:
    """Change a staff member's role; their current tokens stop working."""
    from seomin.services.identity import set_staff_role

    _admin(lambda p: set_staff_role(p, username, role))
    out.print(f"{username} is now {role}")


@admin_app.command("deactivate")
def admin_deactivate(username: str) -> None:
    """Deactivate a staff account at once."""
    from seomin.services.identity import set_staff_active

    _admin(lambda p: set_staff_active(p, username, False))
    out.print(f"{username} deactivated")


@admin_app.command("reset-password")
def admin_reset_password(username: str) -> None:
    """Set a new password (asked for); every session of the user ends."""
    from seomin.services.identity import reset_staff_password

    password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    _admin(lambda p: reset_staff_password(p, username, password))
    out.print(f"password of {username} reset")


@admin_app.command("issue-key")
def admin_issue_key(bank: Annotated[str, typer.Argument(help="A bank code, e.g. kwangju")]) -> None:
    """A new API key for a partner bank, shown once."""
    from seomin.services.identity import issue_bank_api_key

    out.print(_admin(lambda p: issue_bank_api_key(p, bank)), highlight=False)


@admin_app.command("issue-partner-key")
def admin_issue_partner_key(
    partner: Annotated[str, typer.Argument(help="A fintech partner's code, e.g. toss")],
) -> None:
    """A new API key for a fintech partner (휴면예금 look-up and claims), shown once; revoke it by prefix."""
    from seomin.services.identity import issue_partner_api_key

    out.print(_admin(lambda p: issue_partner_api_key(p, partner)), highlight=False)


@admin_app.command("rotate-key")
def admin_rotate_key(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (before the dot)")],
) -> None:
    """A new key for the same bank, the old one revoked; the new key is shown once."""
    from seomin.services.identity import rotate_bank_api_key

    out.print(_admin(lambda p: rotate_bank_api_key(p, prefix)), highlight=False)


@admin_app.command("revoke-key")
def admin_revoke_key(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (before the dot)")],
) -> None:
    """Revoke a bank API key; the API and the bank desk refuse it on the next request."""
    from seomin.services.identity import revoke_bank_api_key

    bank = _admin(lambda p: revoke_bank_api_key(p, prefix))
    out.print(f"key {prefix} of {bank} revoked")


def _register_sub_apps() -> None:
    # Imported here: those modules import helpers from this one inside their commands.
    from seomin.adapters.cli_jobs import jobs_app
    from seomin.adapters.cli_matching import matching_app
    from seomin.adapters.cli_policy import open_data_app, policy_app
    from seomin.adapters.cli_supply import plan_app, report_app

    app.add_typer(plan_app, name="plan")
    app.add_typer(report_app, name="report")
    app.add_typer(policy_app, name="policy")
    app.add_typer(open_data_app, name="open-data")
    app.add_typer(matching_app, name="matching")
    app.add_typer(jobs_app, name="jobs")


_register_sub_apps()


# click's, or the copy typer vendors (typer >= 0.20): the base of BadParameter either way
_UsageError: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def main() -> None:
    """The command line. A bad option value or a missing option is one line and exit code 2, like every
    other refusal here (click would draw a box over several lines)."""
    try:
        code = app(standalone_mode=False)  # an Exit comes back as its code
    except typer.Abort:
        err.print("seomin: aborted", markup=False, highlight=False)
        raise SystemExit(1) from None
    except _UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # ``seomin`` alone: the help was printed
            raise SystemExit(0) from None
        context = getattr(exc, "ctx", None)
        command = context.command_path if context is not None else "seomin"
        err.print(f"{command}: {exc.format_message()}", markup=False, highlight=False, soft_wrap=True)  # type: ignore[attr-defined]
        raise SystemExit(2) from None
    raise SystemExit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()


@admin_app.command("load-knowledge")
def admin_load_knowledge(
    username: Annotated[
        str, typer.Argument(help="The counselor, reviewer or supervisor who owns the entries")
    ],
) -> None:
    """Load the knowledge base's starter entries (catalog products in force and common questions); entries
    already present are skipped."""
    from seomin.services.knowledge_base.starter import load_starter_entries_as

    added = _admin(lambda p: load_starter_entries_as(p, username))
    out.print(f"{added} knowledge-base entries added")
