"""Browser tests: Playwright drives Debian's chromium (``executable_path``, never a downloaded browser)
against the real app served by uvicorn in a thread, with the demo data loaded, on SQLite and on PostgreSQL.

- ``site``: the running site (base URL and its platform) on each database; today is the demo's last day;
- ``page`` / ``phone``: a fresh browser context, desktop (1280×900) or phone-sized (360×780, touch);
- ``assert_accessible(page)``: axe-core (installed from npm by ``npm ci``) has no serious or critical
  violation on the page;
- ``snapshot(page, name)``: with SEOMIN_SCREENSHOTS=1 (``make screenshots``), saves
  docs/screenshots/<name>.png for the README.

Without chromium or axe-core the browser tests are skipped, except under CI=true, where that fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from databases import KINDS, migrated
from live_server import served
from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.adapters.crypto import DataVault
from seomin.adapters.db.engine import session_factory
from seomin.adapters.http.app import create_app
from seomin.services.demo import END, load_demo
from seomin.services.platform import Platform

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SEOMIN_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TODAY = END
"""The demo's last day (2025-05-15): the lowest-credit special guarantee of seed 004 is in force."""


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI (see .ci/run)")
    pytest.skip(f"{what} is not installed")


@dataclass(frozen=True)
class Site:
    url: str
    platform: Platform

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session", params=KINDS)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The site on each database (SQLite, the embedded default, and PostgreSQL, production), demo loaded."""
    directory = tmp_path_factory.mktemp("site")
    with migrated(request.param, directory) as engine:
        platform = Platform(
            engine=engine,
            sessions=session_factory(engine),
            catalog=default_catalog(),
            calendar=korean_calendar(),
            vault=DataVault(Fernet.generate_key().decode("ascii")),
            storage_dir=directory / "documents",
            today=lambda: TODAY,
        )
        platform.storage_dir.mkdir()
        load_demo(platform)
        with served(create_app(platform)) as url:
            yield Site(url, platform)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        _missing(f"chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a dev dependency
        _missing("playwright")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _context_page(browser: Any, **options: Any) -> Iterator[Any]:
    # bypass_csp: only so axe-core can be injected; the pages themselves run under their CSP header.
    context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", bypass_csp=True, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    yield from _context_page(browser, viewport={"width": 1280, "height": 900})


@pytest.fixture()
def phone(browser: Any) -> Iterator[Any]:
    yield from _context_page(
        browser, viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True, device_scale_factor=2
    )


def assert_accessible(page: Any) -> None:
    """axe-core on the page as it is now: no violation at any impact level (minor and moderate too: a
    person on a screen reader meets those as surely as the serious ones)."""
    if not AXE.is_file():
        _missing(f"axe-core at {AXE} (run `npm ci`)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = result["violations"]
    assert not found, (
        "axe violations on "
        + page.url
        + ":\n"
        + json.dumps(
            [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"][:5]],
                }
                for v in found
            ],
            ensure_ascii=False,
            indent=1,
        )
    )


def snapshot(page: Any, name: str) -> None:
    """Save docs/screenshots/<name>.png when SEOMIN_SCREENSHOTS=1 (the README shows them)."""
    if os.environ.get("SEOMIN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def today() -> date:
    return TODAY
