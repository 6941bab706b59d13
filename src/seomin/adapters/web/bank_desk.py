"""협약 금융회사 창구 (the partner-bank desk): sign in with the bank's API key, verify a guarantee
certificate, look at the bank's loans and post a payment received by hand.

Every page calls the same services as the bank API, so a bank sees only its own certificates and loans
and personal data arrives masked. A payment is exactly-once: the form carries a fresh idempotency key
(uuid4), so a double click or a resubmitted page posts one payment and shows the same allocation again.
Service errors are shown on the page (422 beside the field, 404 and 409 as a message), never as a 500.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import require_bank, safe_next, sign_in_bank, sign_out, viewer_of
from seomin.domain.lifecycle import CLOSED_LOAN_STATUSES, LoanStatus
from seomin.services.errors import Conflict, Forbidden, InputError, InputErrorCode, NotFound
from seomin.services.identity import authenticate_bank
from seomin.services.loan_servicing import propose_correction
from seomin.services.loans import (
    execute_loan,
    get_loan,
    list_loans,
    payoff_quote,
    post_payment,
    verify_certificate,
)

router = APIRouter(prefix="/bank")

LOAN_STATUSES = tuple(s.value for s in LoanStatus)
CORRECTION_KINDS: dict[str, tuple[str, str]] = {
    "reversal": ("입금 취소 (잘못 들어온 입금)", "Reverse a payment"),
    "adjustment": ("입금 금액 정정", "Correct a payment's amount"),
    "waiver": ("이자·연체이자 감면", "Waive interest or late interest"),
    "reschedule": ("기간 연장·금리 변경", "Extend the term or change the rate"),
    "write_off": ("상각 (남은 원금 포기)", "Write off what is left"),
}
"""What the bank desk may ask of the agency; each is applied only once a supervisor approves it."""
CORRECTION_FIELDS = ("kind", "payment_id", "amount", "part", "extra_months", "rate_bp", "reason")

CONFLICTS: dict[str, tuple[str, str]] = {
    "CERTIFICATE_VERIFICATION_FAILED": (
        "보증서 번호와 확인 코드가 맞지 않습니다. 보증서에 적힌 확인 코드를 다시 확인해 주세요.",
        "The certificate number and the verification code do not match. Check the code on the certificate.",
    ),
    "AMOUNT_EXCEEDS_PAYOFF": (
        "받은 금액이 오늘 완제 금액보다 많습니다. 완제 금액 이하로 입력해 주세요.",
        "The amount is more than what closes the loan on that day. Enter at most the payoff amount.",
    ),
    "PAYMENT_OUT_OF_ORDER": (
        "마지막 입금일보다 앞선 날짜로는 입금을 기록할 수 없습니다.",
        "A payment cannot be dated before the last payment.",
    ),
    "LOAN_REPAID": ("이미 완제된 대출입니다.", "This loan is already repaid."),
    "LOAN_SUBROGATED": ("대위변제된 대출이라 은행 입금을 받을 수 없습니다.", "This loan was subrogated."),
    "IDEMPOTENCY_KEY_REUSED": (
        "이 입력 화면은 이미 다른 입금을 처리했습니다. 새 화면에서 다시 입력해 주세요.",
        "This form already posted a different payment. Enter the payment again on the fresh form below.",
    ),
}


def _conflict_message(exc: Conflict) -> Message:
    ko, en = CONFLICTS.get(exc.code, (f"지금 상태에서는 처리할 수 없습니다: {exc.message}", exc.message))
    return Message(ko, en)


def _field_message(exc: InputError) -> Message:
    if exc.field == "paid_on" and exc.code == InputErrorCode.DATE_AFTER_TODAY:
        return Message(
            "오늘 이후 날짜로는 입금을 기록할 수 없습니다.", "A payment cannot be dated after today."
        )
    if exc.field == "paid_on" and exc.code == InputErrorCode.DATE_BEFORE_START:
        return Message("대출 실행일보다 앞선 날짜입니다.", "The date is before the loan was made.")
    return Message(f"입력값을 확인해 주세요 ({exc.message}).", exc.message)


# --- sign-in ------------------------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"), "/bank")
    if viewer_of(request).bank is not None:
        return RedirectResponse(next_path, status_code=303)
    return render(request, "bank/login.html", {"errors": {}, "next": next_path, "failed": False})


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    reader = FormReader({k: v for k, v in form.items() if isinstance(v, str)})
    next_path = safe_next(reader.raw("next"), "/bank")
    api_key = reader.text("api_key", max_length=256)
    context: dict[str, Any] = {"errors": reader.errors, "next": next_path, "failed": False}
    if api_key is None:
        return render(request, "bank/login.html", context, status_code=422)
    try:
        bank = authenticate_bank(platform_of(request), api_key)
    except Forbidden:
        context["failed"] = True
        return render(request, "bank/login.html", context, status_code=401)
    response = RedirectResponse(next_path, status_code=303)
    sign_in_bank(response, request, bank, api_key.strip().partition(".")[0])
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/bank/login", status_code=303)
    sign_out(response, request, "bank")
    return response


# --- home, certificates ----------------------------------------------------------------------------------


@router.get("")
def home(request: Request) -> Response:
    bank = require_bank(request)
    loans = list_loans(platform_of(request), bank)
    counts = Counter(str(loan["status"]) for loan in loans)
    open_loans = (loan for loan in loans if loan["status"] not in CLOSED_LOAN_STATUSES)
    outstanding = sum(int(loan["principal_balance"]) for loan in open_loans)
    return render(
        request,
        "bank/home.html",
        {"bank_code": bank.id, "counts": counts, "total": len(loans), "outstanding": outstanding},
    )


@router.get("/verify")
def verify_form(request: Request) -> Response:
    require_bank(request)
    return render(
        request,
        "bank/verify.html",
        {"errors": {}, "values": {}, "problem": None, "found": None, "execution_key": ""},
    )


@router.post("/verify")
async def verify(request: Request) -> Response:
    bank = require_bank(request)
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    reader = FormReader(values)
    number = reader.text("certificate_no", max_length=32)
    code = reader.text("verification_code", max_length=64)
    context: dict[str, Any] = {
        "errors": reader.errors,
        "values": values,
        "problem": None,
        "found": None,
        "execution_key": str(uuid.uuid4()),  # one per verification: a double submit executes once
    }
    if number is None or code is None:
        return render(request, "bank/verify.html", context, status_code=422)
    try:
        context["found"] = verify_certificate(platform_of(request), bank, number, code)
    except InputError as exc:
        context["errors"] = {exc.field: _field_message(exc)}
        return render(request, "bank/verify.html", context, status_code=422)
    except NotFound:
        context["problem"] = Message(
            f"보증서 {number}을(를) 찾을 수 없습니다. 번호를 확인해 주세요 "
            "(다른 금융회사 앞으로 발급된 보증서는 보이지 않습니다).",
            f"No certificate {number} for your bank. Check the number "
            "(certificates issued to other banks are not shown).",
        )
        return render(request, "bank/verify.html", context, status_code=404)
    except Conflict as exc:
        context["problem"] = _conflict_message(exc)
        return render(request, "bank/verify.html", context, status_code=409)
    return render(request, "bank/verify.html", context)


@router.post("/execute")
async def execute(request: Request) -> Response:
    """대출 실행 from the verified certificate, today, exactly once (the verification's key)."""
    bank = require_bank(request)
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    platform = platform_of(request)
    try:
        done = execute_loan(
            platform,
            bank,
            values.get("certificate_no", ""),
            values.get("verification_code", ""),
            platform.today(),
            values.get("idempotency_key", "") or str(uuid.uuid4()),
        )
    except (InputError, NotFound):
        problem = Message(
            "보증서를 다시 확인해 주세요. 번호나 확인번호가 맞지 않습니다.",
            "Verify the certificate again: its number or code does not match.",
        )
        context = {"errors": {}, "values": values, "problem": problem, "found": None, "execution_key": ""}
        return render(request, "bank/verify.html", context, status_code=422)
    except Conflict as exc:
        context = {
            "errors": {},
            "values": values,
            "problem": _conflict_message(exc),
            "found": None,
            "execution_key": "",
        }
        return render(request, "bank/verify.html", context, status_code=409)
    return RedirectResponse(f"/bank/loans/{done['loan_id']}", status_code=303)


# --- loans and payments ----------------------------------------------------------------------------------


@router.get("/loans")
def loans(request: Request) -> Response:
    bank = require_bank(request)
    reader = FormReader(request.query_params)
    status = reader.choice("status", LOAN_STATUSES, required=False)
    if not reader.ok:
        found: list[dict[str, Any]] = []
    else:
        found = list_loans(platform_of(request), bank, status)
    return render(
        request,
        "bank/loans.html",
        {"loans": found, "status": status or "", "statuses": LOAN_STATUSES, "errors": reader.errors},
        status_code=422 if reader.errors else 200,
    )


def _loan_id(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 2**62:
        raise NotFound("loan", raw)
    return int(raw)


def _loan_page(
    request: Request,
    loan_id: int,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, Message] | None = None,
    problem: Message | None = None,
    notice: Message | None = None,
    status_code: int = 200,
) -> Response:
    bank = require_bank(request)
    platform = platform_of(request)
    loan = get_loan(platform, bank, loan_id)
    shown = dict(values or {})
    shown.setdefault("paid_on", platform.today().isoformat())
    shown.setdefault("idempotency_key", str(uuid.uuid4()))
    next_due = next((r for r in loan["schedule"] if r["paid_on"] is None), None)
    is_open = loan["status"] not in CLOSED_LOAN_STATUSES
    # what is owed today: the overdue total (late interest included) and what closes the loan
    quote = payoff_quote(platform, bank, loan_id, platform.today()) if is_open else None
    return render(
        request,
        "bank/loan.html",
        {
            "loan": loan,
            "values": shown,
            "errors": errors or {},
            "problem": problem,
            "notice": notice,
            "correction_kinds": CORRECTION_KINDS,
            "next_due": next_due,
            "quote": quote,
            "open": is_open,
        },
        status_code=status_code,
    )


@router.get("/loans/{loan_id}")
def loan(request: Request, loan_id: str) -> Response:
    require_bank(request)
    return _loan_page(request, _loan_id(loan_id))


@router.post("/loans/{loan_id}/corrections")
async def correction(request: Request, loan_id: str) -> Response:
    """정정·감면·조건 변경·상각 요청: proposed by the bank, applied once an agency supervisor approves it."""
    bank = require_bank(request)
    number = _loan_id(loan_id)
    form = await request.form()
    values = {f"c_{k}": v.strip() for k, v in form.items() if isinstance(v, str) and k in CORRECTION_FIELDS}
    reader = FormReader({k.removeprefix("c_"): v for k, v in values.items()})
    kind = reader.choice("kind", list(CORRECTION_KINDS))
    reason = reader.text("reason", max_length=1000)
    payment_id = reader.integer("payment_id", required=kind in ("reversal", "adjustment"), minimum=1)
    amount = reader.won("amount", required=kind in ("adjustment", "waiver"), minimum=1)
    part = reader.choice("part", ["interest", "delinquency_interest"], required=kind == "waiver")
    extra = reader.integer("extra_months", required=False, minimum=0, maximum=120)
    rate_bp = reader.integer("rate_bp", required=False, minimum=1, maximum=2000)
    errors = {f"c_{k}": v for k, v in reader.errors.items()}
    if kind is None or reason is None or errors:
        return _loan_page(request, number, values=values, errors=errors, status_code=422)
    try:
        proposed = propose_correction(
            platform_of(request),
            bank,
            number,
            kind,
            reason,
            payment_id=payment_id,
            amount=amount,
            part=part,
            extra_months=extra,
            rate_bp=rate_bp,
        )
    except InputError as exc:
        name = f"c_{exc.field}" if exc.field in CORRECTION_FIELDS else "c_reason"
        return _loan_page(request, number, values=values, errors={name: _field_message(exc)}, status_code=422)
    except Conflict as exc:
        return _loan_page(request, number, values=values, problem=_conflict_message(exc), status_code=409)
    done = Message(
        f"요청 #{proposed.id}을 접수했습니다. 진흥원 팀장이 승인하면 반영됩니다.",
        f"Request #{proposed.id} is in; it is applied once an agency supervisor approves it.",
    )
    return _loan_page(request, number, notice=done)


@router.post("/loans/{loan_id}/payments")
async def payment(request: Request, loan_id: str) -> Response:
    bank = require_bank(request)
    number = _loan_id(loan_id)
    form = await request.form()
    values: dict[str, Any] = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    reader = FormReader(values)
    amount = reader.won("amount", minimum=1)
    paid_on = reader.day("paid_on")
    key = reader.text("idempotency_key", max_length=128)
    if key is None:  # a form without its key cannot be made exactly-once: a fresh form, nothing posted
        values.pop("idempotency_key", None)
        problem = Message(
            "입력 화면이 만료되었습니다. 다시 입력해 주세요.", "The form expired. Please enter it again."
        )
        return _loan_page(request, number, values=values, problem=problem, status_code=422)
    if amount is None or paid_on is None:
        return _loan_page(request, number, values=values, errors=reader.errors, status_code=422)
    platform = platform_of(request)
    try:
        done = post_payment(platform, bank, number, amount, paid_on, key)
    except InputError as exc:
        name = exc.field if exc.field in ("amount", "paid_on") else "amount"
        errors = {name: _field_message(exc)}
        return _loan_page(request, number, values=values, errors=errors, status_code=422)
    except Conflict as exc:
        if exc.code == "IDEMPOTENCY_KEY_REUSED":
            values.pop("idempotency_key", None)
        return _loan_page(request, number, values=values, problem=_conflict_message(exc), status_code=409)
    return render(request, "bank/payment.html", {"done": done, "loan_id": number})
