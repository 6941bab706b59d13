"""마이페이지: the signed-in applicant's applications (status, timeline, documents), loans (next due date,
arrears, the rate path for on-time payers, the additional-loan date), the recourse debt after subrogation
(구상채권, with its installment plan or deferral), education and help bookings, the mainstream and bridge
loans faithful repayment now opens and the consulting programmes, all read
through ``services.applicant_overview``; and withdrawing an application not yet guaranteed."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.certificate_pdf import render_certificate
from seomin.adapters.mypage_charts import rate_path_chart
from seomin.adapters.support_centers import default_support_centers
from seomin.adapters.web.forms import Message
from seomin.adapters.web.rendering import render, request_lang
from seomin.adapters.web.session_cookies import require_applicant
from seomin.domain.catalog import Catalog
from seomin.services import help
from seomin.services import my_page as my_page_reads
from seomin.services.agency_loans import agency_loans_of
from seomin.services.applications import withdraw
from seomin.services.consulting import programmes_of
from seomin.services.errors import Conflict, InputError, NotFound
from seomin.services.matching import graduation_options
from seomin.services.platform import Actor
from seomin.services.recourse.certificates import certificate_of, certificates_of, issue_certificate
from seomin.services.recourse.requests import request_arrangement

router = APIRouter()


SHOWS_RATE_PATH = frozenset({"active", "delinquent", "defaulted"})
"""Loans whose rate path the page shows (a repaid or subrogated loan has no rate ahead)."""


def _rate_charts(me: my_page_reads.Overview, lang: str) -> dict[int, str]:
    """The rate-path chart (inline SVG) of each loan whose path is shown, by loan id."""
    return {
        loan.id: rate_path_chart(loan.rate_path, loan.rate_path[0].rate_bp, lang)
        for loan in me.loans
        if loan.rate_path and loan.status in SHOWS_RATE_PATH
    }


def _terms_to_confirm(catalog: Catalog, product_id: str, on: date) -> bool:
    """Whether the version a loan was made under has terms not confirmed by an official source."""
    try:
        return bool(catalog.get(product_id, on).unconfirmed_figures())
    except LookupError:  # a product the catalog no longer knows: nothing to say
        return False


def _page(request: Request, actor: Actor, **extra: Any) -> dict[str, Any]:
    platform = platform_of(request)
    me = my_page_reads.overview(platform, actor)
    agency_loans = agency_loans_of(platform, actor)
    lent = [(loan.product_id, loan.executed_on) for loan in me.loans]
    lent += [(loan.product_id, loan.disbursed_on) for loan in agency_loans]
    return {
        "me": me,
        "rate_charts": _rate_charts(me, request_lang(request)),
        "bookings": help.bookings_of(platform, default_support_centers(), actor),
        "agency_loans": agency_loans,
        "to_confirm": {pid for pid, on in lent if _terms_to_confirm(platform.catalog, pid, on)},
        "graduation": graduation_options(platform, actor),
        "consulting": programmes_of(platform, actor),
        "certificates": certificates_of(platform, actor),
        "hardships": HARDSHIP_WORDS,
        "today": platform.today(),
        "alert": None,
        "notice": None,
        **extra,
    }


@router.get("/my")
def my_page(request: Request) -> Response:
    actor = require_applicant(request)
    notice = None
    withdrawn = request.query_params.get("withdrawn")
    if withdrawn and withdrawn.isdigit():
        notice = Message(f"신청 #{withdrawn}을(를) 철회했습니다.", f"Application #{withdrawn} was withdrawn.")
    return render(request, "mypage/index.html", _page(request, actor, notice=notice))


@router.get("/my/applications/{application_id}/withdraw")
def confirm_withdrawal(request: Request, application_id: int) -> Response:
    """철회 확인: what withdrawing means, asked once more before it happens (it cannot be undone)."""
    actor = require_applicant(request)
    found = next((a for a in my_page_reads.overview(platform_of(request), actor).applications
                  if a.id == application_id and a.withdrawable), None)  # fmt: skip
    if found is None:
        return RedirectResponse("/my#applications", status_code=303)
    return render(request, "mypage/withdraw.html", {"app": found})


@router.post("/my/applications/{application_id}/withdraw")
async def withdraw_application(request: Request, application_id: int) -> Response:
    actor = require_applicant(request)
    platform = platform_of(request)
    if (await request.form()).get("confirm") != "yes":  # a one-tap slip: ask first
        return RedirectResponse(f"/my/applications/{application_id}/withdraw", status_code=303)
    try:
        await run_in_threadpool(withdraw, platform, actor, application_id)
    except Conflict as exc:
        alert = Message(
            f"신청 #{application_id}은(는) 지금 철회할 수 없습니다 "
            "(보증서가 발급되었거나 이미 끝난 신청입니다).",
            f"Application #{application_id} cannot be withdrawn now ({exc.message}).",
        )
        return render(request, "mypage/index.html", _page(request, actor, alert=alert), status_code=409)
    return RedirectResponse(f"/my?withdrawn={application_id}", status_code=303)


# --- recourse debt: certificates and online requests (issue 15) -------------------------------------------

HARDSHIP_WORDS = {
    "unemployment": ("실직·폐업", "Lost job or business"),
    "illness": ("질병·부상", "Illness or injury"),
    "disaster": ("재난·재해", "Disaster"),
    "income_drop": ("소득 감소", "Income fell"),
}


@router.post("/my/recourse/{debt_id}/certificates")
async def issue_recourse_certificate(request: Request, debt_id: int) -> Response:
    """부채증명서 or 완제증명서: issued, then downloaded; it stays listed to download again."""
    actor = require_applicant(request)
    kind = str((await request.form()).get("kind", ""))
    try:
        view = await run_in_threadpool(issue_certificate, platform_of(request), actor, debt_id, kind)
    except (Conflict, InputError, NotFound):
        alert = Message("지금은 이 증명서를 발급할 수 없습니다.", "This certificate cannot be issued now.")
        return render(request, "mypage/index.html", _page(request, actor, alert=alert), status_code=409)
    return RedirectResponse(f"/my/debt-certificates/{view.id}.pdf", status_code=303)


@router.get("/my/debt-certificates/{certificate_id}.pdf")
def download_certificate(request: Request, certificate_id: int) -> Response:
    actor = require_applicant(request)
    view = certificate_of(platform_of(request), actor, certificate_id)
    return Response(
        render_certificate(view),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{view.certificate_no}.pdf"'},
    )


@router.post("/my/recourse/{debt_id}/requests")
async def ask_arrangement(request: Request, debt_id: int) -> Response:
    """분할상환·상환유예 온라인 신청: decided at once; the decision and its reasons are shown on the page."""
    actor = require_applicant(request)
    form = await request.form()
    kind, hardship = str(form.get("kind", "")), str(form.get("hardship", ""))
    months_text = str(form.get("months", "")).strip()
    months = int(months_text) if months_text.isdigit() and len(months_text) <= 3 else 0
    try:
        decision = await run_in_threadpool(
            request_arrangement, platform_of(request), actor, debt_id, kind, months, hardship
        )
    except (InputError, Conflict, NotFound) as exc:
        alert = Message("신청 내용을 확인해 주세요.", f"Please check the request ({exc}).")
        return render(request, "mypage/index.html", _page(request, actor, alert=alert), status_code=422)
    return render(request, "mypage/index.html", _page(request, actor, decision=decision))
