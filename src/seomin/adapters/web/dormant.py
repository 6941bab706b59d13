"""휴면예금 찾아줌 and 보증료 환급 pages, phone first: after identity verification a person sees every dormant
deposit and insurance claim held in their name (interest to today) and every guarantee fee owed back, and
in one step has a deposit paid to an account in their own name or donated to 미소금융, or the fees paid.
Heirs, agents and claims over the online cap get the checklist and a center booking (``/help``).
Counselors look up a walk-in at ``/staff/dormant`` (audited with the reason they give)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import require_applicant, require_staff
from seomin.domain.dormant import ONLINE_CAP, SECOND_APPROVER_ABOVE
from seomin.services.dormant_deposits import (
    FIGURE_ROLES,
    LOOKUP_ROLES,
    claim_deposit,
    disclosure_figures,
    look_up_for_walk_in,
    my_dormant_deposits,
)
from seomin.services.errors import Conflict, InputError, NotFound
from seomin.services.guarantee_fees import claim_fee_refunds, my_fee_refunds
from seomin.services.ledger import trial_balance
from seomin.services.platform import Actor

router = APIRouter()

DEPOSIT_STATUS = {
    "held": ("찾아가실 수 있음", "Yours to claim"),
    "claimed": ("청구 접수", "Claim received"),
    "paid": ("지급 완료", "Paid"),
    "donated": ("기부 완료", "Donated"),
}
SECTORS = {
    "bank": ("은행", "Bank"),
    "insurance": ("보험", "Insurance"),
    "savings_bank": ("저축은행", "Savings bank"),
    "credit_union": ("상호금융", "Credit union"),
    "securities": ("증권", "Securities"),
}
CHECKLIST = (
    ("신분증 (상속인·대리인은 본인 신분증도)", "ID (heirs and agents: their own ID too)"),
    (
        "상속인: 가족관계증명서와 기본증명서(사망 사실), 다른 상속인의 동의서와 인감증명서",
        "Heirs: family-relation and basic certificates (the death), the other heirs' consent and seals",
    ),
    (
        "대리인: 위임장과 위임한 분의 인감증명서",
        "Agents: a power of attorney and the principal's seal certificate",
    ),
    ("받으실 분 명의의 통장 사본", "A copy of the bankbook of the account to be paid"),
)


def _context(request: Request, actor: Actor, **extra: Any) -> dict[str, Any]:
    platform = platform_of(request)
    refunds = my_fee_refunds(platform, actor)
    return {
        "deposits": my_dormant_deposits(platform, actor),
        "refunds": refunds,
        "owed": sum(r.amount for r in refunds if r.status == "unpaid"),
        "online_cap": ONLINE_CAP,
        "second_above": SECOND_APPROVER_ABOVE,
        "deposit_status": DEPOSIT_STATUS,
        "sectors": SECTORS,
        "errors": {},
        "values": {},
        "alert": None,
        "notice": None,
        **extra,
    }


@router.get("/dormant")
def intro(request: Request) -> Response:
    return render(request, "dormant/index.html", {"online_cap": ONLINE_CAP, "checklist": CHECKLIST})


@router.get("/dormant/center")
def center(request: Request) -> Response:
    """The checklist for heirs, agents and claims over the online cap, and a center booking."""
    return render(request, "dormant/center.html", {"online_cap": ONLINE_CAP, "checklist": CHECKLIST})


@router.get("/dormant/mine")
def mine(request: Request) -> Response:
    actor = require_applicant(request)
    return render(request, "dormant/mine.html", _context(request, actor))


@router.post("/dormant/{deposit_id}/claim")
async def claim(request: Request, deposit_id: int) -> Response:
    actor = require_applicant(request)
    form = FormReader(await request.form())
    donate = form.raw("how") == "donate"
    account = None if donate else form.text("account", max_length=32)
    holder = "" if donate else form.text("account_holder_name", max_length=50) or ""
    values = {"deposit": str(deposit_id), "account": form.raw("account"), "account_holder_name": holder}
    if not form.ok:
        context = _context(request, actor, errors=form.errors, values=values)
        return render(request, "dormant/mine.html", context, status_code=422)
    platform = platform_of(request)
    try:
        result = await run_in_threadpool(
            lambda: claim_deposit(
                platform, actor, deposit_id, account=account, account_holder_name=holder, donate=donate
            )
        )
    except InputError as exc:
        errors = {exc.field: Message(_KO.get(exc.field, exc.message), exc.message)}
        context = _context(request, actor, errors=errors, values=values)
        return render(request, "dormant/mine.html", context, status_code=422)
    except (Conflict, NotFound) as exc:
        alert = Message("이미 청구했거나 찾을 수 없는 예금입니다.", "Already claimed, or not found.")
        status = 404 if isinstance(exc, NotFound) else 409
        return render(request, "dormant/mine.html", _context(request, actor, alert=alert), status_code=status)
    return render(request, "dormant/claimed.html", {"result": result, "checklist": CHECKLIST})


_KO = {
    "account": "계좌번호를 숫자 10~16자리로 입력해 주세요.",
    "account_holder_name": "본인 명의 계좌만 등록할 수 있습니다. 예금주 이름을 확인해 주세요.",
}


@router.post("/dormant/fee-refunds")
async def fee_refunds(request: Request) -> Response:
    actor = require_applicant(request)
    form = FormReader(await request.form())
    account = form.text("refund_account", max_length=32) or ""
    holder = form.text("refund_holder", max_length=50) or ""
    values = {"refund_account": form.raw("refund_account"), "refund_holder": holder}
    platform = platform_of(request)
    if form.ok:
        try:
            paid = await run_in_threadpool(claim_fee_refunds, platform, actor, account, holder)
        except InputError as exc:
            name = {"account": "refund_account", "account_holder_name": "refund_holder"}.get(
                exc.field, exc.field
            )
            form.fail(name, _KO.get(exc.field, exc.message), exc.message)
        except NotFound:
            form.fail("refund_account", "돌려받으실 보증료가 없습니다.", "No guarantee fee is owed to you.")
        else:
            total = sum(r.amount for r in paid)
            notice = Message(
                f"보증료 {total:,}원을 본인 명의 계좌로 지급했습니다. 문자로도 알려 드립니다.",
                f"{total:,} won of guarantee fees were paid to your own account; a text message follows.",
            )
            return render(request, "dormant/mine.html", _context(request, actor, notice=notice))
    context = _context(request, actor, errors=form.errors, values=values)
    return render(request, "dormant/mine.html", context, status_code=422)


# --- a counselor's walk-in look-up ---------------------------------------------------------------------


@router.get("/staff/dormant")
def walk_in_form(request: Request) -> Response:
    actor = require_staff(request, *LOOKUP_ROLES)
    return render(request, "staff/dormant.html", _walk_in(actor))


def _walk_in(actor: Actor, **extra: Any) -> dict[str, Any]:
    return {"actor": actor, "found": None, "errors": {}, "values": {}, "sectors": SECTORS,
            "deposit_status": DEPOSIT_STATUS, **extra}  # fmt: skip


@router.post("/staff/dormant")
async def walk_in(request: Request) -> Response:
    actor = require_staff(request, *LOOKUP_ROLES)
    form = FormReader(await request.form())
    rrn = form.text("rrn", max_length=14) or ""
    reason = form.text("reason", max_length=500) or ""
    values = {"reason": reason}  # the resident number is never echoed back into the page
    if form.ok:
        try:
            found = await run_in_threadpool(look_up_for_walk_in, platform_of(request), actor, rrn, reason)
        except InputError as exc:
            form.fail(exc.field, "주민등록번호를 확인해 주세요.", exc.message)
        else:
            return render(request, "staff/dormant.html", _walk_in(actor, found=found, values=values))
    context = _walk_in(actor, errors=form.errors, values=values)
    return render(request, "staff/dormant.html", context, status_code=422)


# --- management: the monitoring and disclosure figures ---------------------------------------------------


@router.get("/manage/dormant")
def figures(request: Request) -> Response:
    """휴면금융자산 관리 현황 by sector (all time, or the movements of a month with the balance at its
    end), and the ledger's trial balance, which totals zero."""
    actor = require_staff(request, *FIGURE_ROLES)
    platform = platform_of(request)
    form = FormReader(request.query_params)
    month = form.text("month", required=False, max_length=7)
    rows = []
    if month is not None:
        try:
            rows = disclosure_figures(platform, actor, month)
        except InputError:
            form.fail("month", "연월을 YYYY-MM으로 입력해 주세요.", "Give the month as YYYY-MM.")
    else:
        rows = disclosure_figures(platform, actor)
    context = {
        "rows": rows,
        "totals": {k: sum(getattr(r, k) for r in rows) for k in _FIGURES},
        "book": trial_balance(platform, actor),
        "sectors": SECTORS,
        "errors": form.errors,
        "values": {"month": month or ""},
    }
    return render(request, "manage/dormant.html", context, status_code=200 if form.ok else 422)


_FIGURES = ("contributed", "paid", "donated", "outstanding", "interest_paid", "interest_donated")
