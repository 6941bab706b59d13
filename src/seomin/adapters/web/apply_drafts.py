"""What carries an application across pages and sessions: the draft (resume or start again), the facts of a
self-check taken into the form, and more time for a session that is about to end.

A self-check is anonymous, and applying needs 본인인증: the facts wait in an encrypted, HttpOnly cookie of
their own (income never sits in a URL or readable in the browser) until the person has signed in, then
become their draft at the amount step.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.crypto import DataKeyError
from seomin.adapters.web.session_cookies import (
    APPLICANT_COOKIE,
    require_applicant,
    sign_in_applicant,
    viewer_of,
)
from seomin.services.applications import discard_draft, save_draft
from seomin.services.errors import Forbidden, NotFound
from seomin.services.identity import SESSION_TTL, extend_applicant_session

router = APIRouter()

CARRY_COOKIE = "seomin_carry"
CARRIED_PATH = "/apply/carried"
SAME_NAMES = (
    "product",
    "annual_income",
    "occupation",
    "employed_months",
    "pension_payments",
    "haessal15",
    "public_record",
    "faithful_months",
    "region",
    "vulnerable",
    "basic_livelihood",
)
"""Self-check fields the application form asks under the same name."""
PREFERENTIAL_FIELDS = {"consulting": "pref_consulting", "employment-support": "pref_employment"}


def application_facts(selfcheck: Mapping[str, Any]) -> dict[str, str]:
    """The self-check's answers as the application form's fields: what the person has told us once is not
    asked again (the amount they wanted, income, scores, work, history, region, reductions)."""
    facts = {k: str(selfcheck[k]).strip() for k in SAME_NAMES if str(selfcheck.get(k) or "").strip()}
    for bureau in ("kcb", "nice"):
        score = str(selfcheck.get(f"{bureau}_score") or "").strip()
        if score and not selfcheck.get(f"{bureau}_unknown"):
            facts[f"{bureau}_score"] = score
    if str(selfcheck.get("requested_amount") or "").strip():
        facts["amount"] = str(selfcheck["requested_amount"]).strip()
    kind = str(selfcheck.get("debt_kind") or "")
    if kind and kind != "none":
        facts["adjustment"] = kind
    else:
        facts.pop("faithful_months", None)
    preferential = PREFERENTIAL_FIELDS.get(str(selfcheck.get("preferential") or ""))
    if preferential:
        facts[preferential] = "on"
    return {k: v[:200] for k, v in facts.items()}


@router.post("/apply/carry")
async def carry_into_application(request: Request) -> Response:
    """ "이 조건으로 신청하기" on the self-check result: the answers become the application's draft, after
    본인인증 when the person is not signed in yet."""
    form = await request.form()
    facts = application_facts({k: v for k, v in form.items() if isinstance(v, str)})
    platform = platform_of(request)
    actor = viewer_of(request).applicant
    if actor is not None:
        await run_in_threadpool(save_draft, platform, actor, "loan", facts)
        return RedirectResponse("/apply?resume=1", status_code=303)
    response = RedirectResponse(f"/identity?next={CARRIED_PATH}", status_code=303)
    response.set_cookie(
        CARRY_COOKIE,
        platform.vault.encrypt(json.dumps(facts, ensure_ascii=False)),
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or platform.environment == "production",
        path="/apply",
    )
    return response


@router.get(CARRIED_PATH)
async def carried_into_application(request: Request) -> Response:
    """Back from 본인인증: the waiting self-check answers become the draft, and the form opens on them."""
    actor = require_applicant(request)
    platform = platform_of(request)
    sealed = request.cookies.get(CARRY_COOKIE)
    if sealed:
        try:
            facts = json.loads(platform.vault.decrypt(sealed))
        except (DataKeyError, ValueError):  # a cookie we cannot read (another key, tampered): start empty
            facts = None
        if isinstance(facts, dict):  # sealed by us (Fernet authenticates): what application_facts gave
            values = {str(k): str(v) for k, v in facts.items()}
            await run_in_threadpool(save_draft, platform, actor, "loan", values)
    response = RedirectResponse("/apply?resume=1", status_code=303)
    response.delete_cookie(CARRY_COOKIE, path="/apply")
    return response


@router.post("/apply/draft/discard")
async def discard(request: Request) -> Response:
    """ "처음부터 다시": the draft and the files kept in it are dropped."""
    actor = require_applicant(request)
    await run_in_threadpool(discard_draft, platform_of(request), actor)
    return RedirectResponse("/apply", status_code=303)


@router.post("/session/extend")
async def extend_session(request: Request) -> Response:
    """The "30분 연장" button of the session warning: the session (and its cookie) run 30 minutes from now."""
    token = request.cookies.get(APPLICANT_COOKIE)
    if not token or len(token) > 1024:
        return JSONResponse({"detail": "not signed in"}, status_code=401)
    try:
        ends = await run_in_threadpool(extend_applicant_session, platform_of(request), token)
    except (NotFound, Forbidden):
        return JSONResponse({"detail": "the session has ended; verify your identity again"}, status_code=401)
    response = JSONResponse(
        {"seconds_left": int(SESSION_TTL.total_seconds()), "expires_at": ends.isoformat()}
    )
    sign_in_applicant(response, request, token)
    return response
