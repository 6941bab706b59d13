"""Staff servicing pages (issue 15): the recourse debts by state and days behind their plan, one debt with
what is owed by part, its virtual account, its plan's progress and its repayments (with a counter-payment
form, exactly once: the form carries a fresh idempotency key), and the subrogation claims to pay with the
amount recomputed and the checks (supervisors pay from there). Every staff role reads."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.web.forms import FormReader
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import require_staff
from seomin.adapters.web.staff_console import ROLE_LABELS, Id, _service_error_alert
from seomin.services.errors import Conflict, Forbidden, InputError
from seomin.services.identity import STAFF_ROLES
from seomin.services.loan_servicing import CHECKER_ROLES, decide_correction, list_corrections
from seomin.services.platform import Actor, Platform
from seomin.services.recourse import PAYING_ROLES, pay_subrogation_claim
from seomin.services.recourse.repayments import COUNTER_ROLES, record_counter_repayment, recourse_debt
from seomin.services.recourse.reports import REPORT_ROLES, recourse_report
from seomin.services.recourse.settlements import MAKER_ROLES as SETTLEMENT_MAKERS
from seomin.services.recourse.settlements import (
    decide_settlement,
    list_settlements,
    propose_settlement,
    refer_to_employment_support,
)
from seomin.services.recourse.worklists import DEBT_STATES, claims_to_pay, recourse_worklist

router = APIRouter()
CHECK_LABELS = {
    "AMOUNT_MATCHES_LEDGER": ("청구액이 원장 재계산과 일치", "Claimed amount matches the ledger"),
    "DEFAULT_THRESHOLD_MET": ("부실 기준일수 충족", "Default threshold met"),
    "GUARANTEE_CLAIMED": ("보증 청구 상태", "Guarantee in claimed state"),
}


@router.get("/staff/recourse")
def debts_page(request: Request) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    reader = FormReader(dict(request.query_params))
    status = reader.choice("status", DEBT_STATES, required=False)
    behind = reader.integer("min_days_behind", required=False, minimum=0, maximum=100_000)
    after_id = reader.integer("after_id", required=False, minimum=0, maximum=2**62) or 0
    lines = (
        recourse_worklist(
            platform_of(request), actor, status=status, min_days_behind=behind or 0, after_id=after_id
        )
        if reader.ok
        else []
    )
    values = {name: reader.raw(name) for name in ("status", "min_days_behind")}
    context = {
        "actor": actor,
        "role_labels": ROLE_LABELS,
        "lines": lines,
        "states": DEBT_STATES,
        "values": values,
        "errors": reader.errors,
        "next_after": lines[-1].id if len(lines) == 50 else None,
    }
    return render(request, "staff/recourse_list.html", context, status_code=200 if reader.ok else 422)


def _debt_page(
    request: Request,
    actor: Actor,
    debt_id: int,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    context = {
        "actor": actor,
        "role_labels": ROLE_LABELS,
        "debt": recourse_debt(platform_of(request), actor, debt_id),
        "may_collect": actor.role in COUNTER_ROLES,
        "may_settle": actor.role in SETTLEMENT_MAKERS,
        # the forms of the page share these (a fresh key for the counter form unless one is being retried)
        "values": {"idempotency_key": str(uuid.uuid4()), **(values or {})},
        "errors": {},
        "alert": None,
        "done": request.query_params.get("done"),
        **extra,
    }
    return render(request, "staff/recourse_debt.html", context, status_code=status_code)


@router.get("/staff/recourse/{debt_id}")
def debt_page(request: Request, debt_id: Id) -> Response:
    return _debt_page(request, require_staff(request, *STAFF_ROLES), debt_id)


async def _debt_form(
    request: Request,
    debt_id: int,
    fields: tuple[str, ...],
    prepare: Callable[[FormReader, Platform, Actor], Callable[[], object] | None],
    done: str,
) -> Response:
    """A form of the debt's page: ``prepare`` reads it and gives the service call to make (None when the form
    has errors). Its input errors show beside their field (the first field for any other), a state
    conflict as the page's alert; done, back to the page with ``done`` said."""
    actor = require_staff(request, *STAFF_ROLES)
    platform = platform_of(request)
    reader = FormReader(await request.form())
    call = prepare(reader, platform, actor)
    values = {name: raw for name in fields if (raw := reader.raw(name))}  # an empty key gets a fresh one
    if call is None or not reader.ok:
        return _debt_page(request, actor, debt_id, 422, values=values, errors=reader.errors)
    try:
        await run_in_threadpool(call)
    except InputError as exc:
        reader.fail(exc.field if exc.field in fields else fields[0], exc.message, exc.message)
        return _debt_page(request, actor, debt_id, 422, values=values, errors=reader.errors)
    except (Conflict, Forbidden) as exc:
        code, alert = _service_error_alert(exc)
        return _debt_page(request, actor, debt_id, code, values=values, alert=alert)
    return RedirectResponse(f"/staff/recourse/{debt_id}?done={done}", status_code=303)


@router.post("/staff/recourse/{debt_id}/repayments")
async def counter_repayment(request: Request, debt_id: Id) -> Response:
    def prepare(reader: FormReader, platform: Platform, actor: Actor) -> Callable[[], object] | None:
        amount = reader.won("amount", minimum=1)
        paid_on = reader.day("paid_on", required=False) or platform.today()
        # the form's key makes a double submit one repayment; a form without one gets a fresh key
        key = reader.text("idempotency_key", max_length=128) or str(uuid.uuid4())
        if amount is None:
            return None
        return partial(record_counter_repayment, platform, actor, debt_id, amount, paid_on, key)

    return await _debt_form(request, debt_id, ("amount", "paid_on", "idempotency_key"), prepare, "repayment")


@router.post("/staff/recourse/{debt_id}/settlements")
async def settlement_proposal(request: Request, debt_id: Id) -> Response:
    """채무조정 (감면) proposed from the debt's page; another supervisor decides it on the approvals page."""

    def prepare(reader: FormReader, platform: Platform, actor: Actor) -> Callable[[], object] | None:
        reduction = reader.won("reduction", minimum=1)
        reason = reader.text("reason", max_length=1000)
        if reduction is None or reason is None:
            return None
        return partial(propose_settlement, platform, actor, debt_id, reduction, reason)

    return await _debt_form(request, debt_id, ("reduction", "reason"), prepare, "settlement")


@router.post("/staff/recourse/{debt_id}/referral")
async def employment_referral(request: Request, debt_id: Id) -> Response:
    """A referral to the national employment support programme (국민취업지원제도), recorded with a note."""

    def prepare(reader: FormReader, platform: Platform, actor: Actor) -> Callable[[], object] | None:
        note = reader.text("note", max_length=1000)
        if note is None:
            return None
        return partial(refer_to_employment_support, platform, actor, debt_id, note)

    return await _debt_form(request, debt_id, ("note",), prepare, "referral")


def _claims_page(request: Request, actor: Actor, status_code: int = 200, **extra: Any) -> Response:
    context = {
        "actor": actor,
        "role_labels": ROLE_LABELS,
        "claims": claims_to_pay(platform_of(request), actor),
        "check_labels": CHECK_LABELS,
        "may_pay": actor.role in PAYING_ROLES,
        "alert": None,
        "done": request.query_params.get("done"),
        **extra,
    }
    return render(request, "staff/claims.html", context, status_code=status_code)


@router.get("/staff/claims")
def claims_page(request: Request) -> Response:
    return _claims_page(request, require_staff(request, *STAFF_ROLES))


@router.post("/staff/claims/{claim_id}/payment")
async def pay_claim(request: Request, claim_id: Id) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    platform = platform_of(request)
    today: date = platform.today()
    try:
        debt = await run_in_threadpool(pay_subrogation_claim, platform, actor, claim_id, today)
    except (Conflict, Forbidden, InputError) as exc:
        code, alert = _service_error_alert(exc)
        return _claims_page(request, actor, code, alert=alert)
    return RedirectResponse(f"/staff/recourse/{debt.id}?done=claim_paid", status_code=303)


# --- the checker's queue: loan corrections and settlements awaiting a second supervisor -------------------


def _approvals_page(request: Request, actor: Actor, status_code: int = 200, **extra: Any) -> Response:
    platform = platform_of(request)
    context = {
        "actor": actor,
        "role_labels": ROLE_LABELS,
        "corrections": list_corrections(platform, actor),
        "settlements": list_settlements(platform, actor),
        "may_decide": actor.role in CHECKER_ROLES,
        "alert": None,
        "done": request.query_params.get("done"),
        **extra,
    }
    return render(request, "staff/approvals.html", context, status_code=status_code)


@router.get("/staff/approvals")
def approvals_page(request: Request) -> Response:
    return _approvals_page(request, require_staff(request, *STAFF_ROLES))


@router.post("/staff/approvals/{kind}/{item_id}")
async def decide(request: Request, kind: str, item_id: Id) -> Response:
    """Approve or decline a loan correction or a settlement (the service refuses the proposer: a 409)."""
    actor = require_staff(request, *STAFF_ROLES)
    approve = (await request.form()).get("decision") == "approve"
    platform = platform_of(request)
    try:
        if kind == "correction":
            await run_in_threadpool(decide_correction, platform, actor, item_id, approve, "")
        elif kind == "settlement":
            await run_in_threadpool(decide_settlement, platform, actor, item_id, approve)
        else:
            return _approvals_page(request, actor, 404)
    except (Conflict, Forbidden, InputError) as exc:
        code, alert = _service_error_alert(exc)
        return _approvals_page(request, actor, code, alert=alert)
    return RedirectResponse(f"/staff/approvals?done={'approved' if approve else 'declined'}", status_code=303)


# --- management: subrogation and recourse ------------------------------------------------------------


@router.get("/manage/recourse")
def recourse_report_page(request: Request) -> Response:
    """대위변제·구상 현황 for management: the subrogation rate by product and execution year, recoveries by
    month and the recourse balance by state (``services.recourse.reports``, the API's same figures)."""
    actor = require_staff(request, *REPORT_ROLES)
    report = recourse_report(platform_of(request), actor)
    return render(
        request,
        "manage/recourse.html",
        {"report": report, "recovered": sum(r.amount for r in report.recoveries_by_month)},
    )
