"""Knowledge-base pages: the applicants' FAQ search (public entries) and the counselors' search of every
entry, which the chat desk also shows beside a chat (an HTMX fragment; a plain page without HTMX)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import require_staff
from seomin.adapters.web.staff_console import ROLE_LABELS
from seomin.services import knowledge_base as kb
from seomin.services.errors import InputError
from seomin.services.identity import STAFF_ROLES

router = APIRouter()
MAX_QUERY = 300


async def _hits(request: Request, staff: bool) -> tuple[str, list[kb.SearchHit] | None, int]:
    query = (request.query_params.get("q") or "").strip()
    if not query:
        return "", None, 200
    if len(query) > MAX_QUERY:
        return query[:MAX_QUERY], None, 422
    try:
        hits = await run_in_threadpool(kb.search, platform_of(request), query, 5, staff)
    except InputError:
        return query, None, 422
    return query, hits, 200


@router.get("/faq")
async def faq(request: Request) -> Response:
    query, hits, code = await _hits(request, staff=False)
    return render(
        request, "knowledge/faq.html", {"q": query, "hits": hits, "bad": code == 422}, status_code=code
    )


@router.get("/staff/knowledge")
async def staff_knowledge(request: Request) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    query, hits, code = await _hits(request, staff=True)
    context = {"actor": actor, "role_labels": ROLE_LABELS, "q": query, "hits": hits, "bad": code == 422}
    template = (
        "knowledge/_hits.html" if request.headers.get("HX-Request") == "true" else "knowledge/staff.html"
    )
    return render(request, template, context, status_code=200 if template.endswith("_hits.html") else code)
