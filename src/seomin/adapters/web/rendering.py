"""Server-rendered pages: one Jinja2 environment, the display filters and the language of a request.

Korean is the first language of every page; ``?lang=en`` (remembered in the ``lang`` cookie) switches to
English. Templates write both languages side by side, Korean first: ``{{ tr("자격조회", "Self-check") }}``,
so a page reads in one file and no key catalogue drifts from it.

Display conventions (issue 4): money as ``5,000,000원`` (``won``) or ``500만 원`` (``manwon``), rates
as ``15.9%`` (``rate_bp``), dates as ``YYYY.MM.DD`` (``ymd``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.responses import HTMLResponse

from seomin.domain.catalog import Catalog
from seomin.domain.money import bp_to_rate, format_manwon, format_rate, format_won

Lang = Literal["ko", "en"]
LANG_COOKIE = "lang"
TEMPLATES_DIR = Path(__file__).parent / "templates"


def request_lang(request: Request) -> Lang:
    """``?lang=`` first, then the ``lang`` cookie, then Korean."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return "en" if asked == "en" else "ko"


def won(amount: int | None) -> str:
    """5000000 -> '5,000,000원'; None -> '-'."""
    return "-" if amount is None else format_won(int(amount))


def manwon(amount: int | None) -> str:
    """5000000 -> '500만 원' where it divides evenly, else the won form."""
    return "-" if amount is None else format_manwon(int(amount))


def rate_bp(bp: int | None) -> str:
    """1590 -> '15.9%'."""
    return "-" if bp is None else f"{format_rate(bp_to_rate(int(bp)))}%"


def ymd(value: date | datetime | str | None) -> str:
    """A date (or ISO text) as YYYY.MM.DD, the form Korean forms and letters use."""
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.year:04d}.{value.month:02d}.{value.day:02d}"


@pass_context
def tr(context: Context, ko: str, en: str) -> str:
    """The Korean or English text, by the page's language."""
    return en if context.get("lang") == "en" else ko


@pass_context
def product_name(context: Context, product_id: str) -> str:
    """A product's name in the page's language (its latest version's), or the id if unknown."""
    catalog: Catalog = context["catalog"]
    versions = catalog.versions(product_id) if product_id in catalog.product_ids else []
    if not versions:
        return product_id
    return versions[-1].name_en if context.get("lang") == "en" else versions[-1].name_ko


@pass_context
def bank_name(context: Context, bank_code: str) -> str:
    """A partner bank's name in the page's language, or the code if unknown."""
    catalog: Catalog = context["catalog"]
    bank = catalog.banks.get(bank_code)
    if bank is None:
        return bank_code
    return bank.name_en if context.get("lang") == "en" else bank.name_ko


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(won=won, manwon=manwon, rate_bp=rate_bp, ymd=ymd)
    env.globals.update(tr=tr, product_name=product_name, bank_name=bank_name)
    return env


ENVIRONMENT = _environment()
"""Built once at import: the templates are package data and never change while the app runs."""


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page (or, for an HTMX request, whatever fragment the template renders) in the request's
    language. Every page gets ``request``, ``lang``, ``catalog``, ``path`` and the signed-in ``viewer``."""
    from seomin.adapters.web.session_cookies import viewer_of

    lang = request_lang(request)
    values: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "path": request.url.path,
        "catalog": request.app.state.seomin.catalog,
        "viewer": viewer_of(request),
        "htmx": request.headers.get("HX-Request") == "true",
    }
    values.update(context or {})
    html = ENVIRONMENT.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    if request.query_params.get("lang") in ("ko", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
