"""Server-rendered pages: one Jinja2 environment, the display filters and the language of a request.

Korean is the first language of every page; ``?lang=en`` (remembered in the ``lang`` cookie) switches to
English. Templates write both languages side by side, Korean first: ``{{ tr("자격조회", "Self-check") }}``,
so a page reads in one file and no key catalogue drifts from it. ``tr``, ``product_name`` and ``bank_name``
read the page's language from a context variable, so they work in macros imported without context too.

Display conventions (issue 4): money as ``5,000,000원`` (``won``) or ``500만 원`` (``manwon``), rates
as ``15.9%`` (``rate`` for a Decimal percent, ``rate_bp`` for basis points), dates as ``YYYY.MM.DD``
(``ymd``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from seomin.domain import vocabulary
from seomin.domain.catalog import Catalog
from seomin.domain.money import bp_to_rate, format_manwon, format_rate, format_won
from seomin.services.clock import KST, as_utc

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


def rate(value: Decimal | None) -> str:
    """An annual rate in percent: Decimal('15.90') -> '15.9%' (never '1E+1%')."""
    return "-" if value is None else f"{format_rate(value)}%"


def rate_bp(bp: int | None) -> str:
    """1590 -> '15.9%'."""
    return "-" if bp is None else f"{format_rate(bp_to_rate(int(bp)))}%"


def eok(value: Decimal | None) -> str:
    """An amount in 억 원 to 0.01 (1백만 원), half up: Decimal('2250') -> '2,250.00'."""
    if value is None:
        return "-"
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def pct(value: Decimal | None) -> str:
    """A percentage to 0.1, half up: Decimal('95.04') -> '95.0%'."""
    if value is None:
        return "-"
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}%"


def ymd(value: date | datetime | str | None) -> str:
    """A date (or ISO text) as YYYY.MM.DD, the form Korean forms and letters use."""
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.year:04d}.{value.month:02d}.{value.day:02d}"


def kst(value: datetime | None) -> str:
    """A moment as Korea's wall-clock time, YYYY.MM.DD HH:MM (stored moments are UTC)."""
    if value is None:
        return "-"
    local = as_utc(value).astimezone(KST)
    return f"{ymd(local)} {local:%H:%M}"


@dataclass(frozen=True, slots=True)
class _PageLanguage:
    lang: Lang
    catalog: Catalog


_page: ContextVar[_PageLanguage] = ContextVar("seomin_page")
"""The language and catalog of the page being rendered, so macros imported without context see them."""


def tr(ko: str, en: str) -> str:
    """The Korean or English text, by the page's language."""
    return en if _page.get().lang == "en" else ko


def product_name(product_id: str) -> str:
    """A product's name in the page's language (its latest version's), or the id if unknown."""
    page = _page.get()
    versions = page.catalog.versions(product_id) if product_id in page.catalog.product_ids else []
    if not versions:
        return product_id
    return versions[-1].name_en if page.lang == "en" else versions[-1].name_ko


def bank_name(bank_code: str) -> str:
    """A partner bank's name in the page's language, or the code if unknown."""
    page = _page.get()
    bank = page.catalog.banks.get(bank_code)
    if bank is None:
        return bank_code
    return bank.name_en if page.lang == "en" else bank.name_ko


def field_label(name: str) -> tuple[str, str] | None:
    """A form field's short name for the error summary (``domain.vocabulary.FIELD_LABELS``), if known."""
    return vocabulary.FIELD_LABELS.get(name)


def status_words(status: str) -> tuple[str, str]:
    """A status in words (``domain.vocabulary``), never the code."""
    return vocabulary.label(vocabulary.STATUSES, status)


def switch_language_url(request: Request, lang: Lang) -> str:
    """This page in the other language: the same path and query, ``lang`` replaced."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*params, ('lang', lang)])}"


_HOTLINES = re.compile(r"(?<![\d,.])(1397|1332)(?![\d,]|\.\d)")


def tel(text: str) -> Markup:
    """The text with the 1397 call center and the FSS's 1332 as tappable ``tel:`` links (phones call on a
    tap); everything else escaped as usual. For element content only, never an attribute."""
    return Markup(_HOTLINES.sub(r'<a href="tel:\1" class="tel">\1</a>', str(escape(text))))


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(won=won, manwon=manwon, rate=rate, rate_bp=rate_bp, ymd=ymd, kst=kst, tel=tel)
    env.globals.update(
        tr=tr,
        product_name=product_name,
        bank_name=bank_name,
        eok=eok,
        pct=pct,
        status_words=status_words,
        field_label=field_label,
        figure_name=vocabulary.figure_name,
    )
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
        "switch_language_url": switch_language_url(request, "ko" if lang == "en" else "en"),
    }
    values.update(context or {})
    token = _page.set(_PageLanguage(lang, values["catalog"]))
    try:
        html = ENVIRONMENT.get_template(template).render(values)
    finally:
        _page.reset(token)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    if request.query_params.get("lang") in ("ko", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
