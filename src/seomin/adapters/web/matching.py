"""맞춤대출 and 신용시뮬레이터 pages.

맞춤대출: from a self-check's answers (carried in hidden fields, never in a URL) and the person's consent,
every policy and partner product ranked, each with why it fits and what similar users got.

Without the consent box ticked the page asks for it again (422) and matches nothing; with it, the match
is recorded as the service records it (bands only). 신용시뮬레이터: the score and the actions to try in,
the estimated score and band month by month out, each effect explained; nothing is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render
from seomin.adapters.web.selfcheck import read_profile, service_error
from seomin.domain.credit_simulator import (
    MAX_MONTHS,
    Action,
    CreditState,
    SimulatorInputError,
    simulate_credit,
)
from seomin.domain.money import format_rate
from seomin.services.errors import InputError
from seomin.services.matching import match_loans
from seomin.services.platform import Actor, ActorType

router = APIRouter()
_VISITOR = Actor(ActorType.PUBLIC, "matching-page")


@router.post("/matching")
async def matching_submit(request: Request) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    values: dict[str, Any] = {k: v.strip() for k, v in fields.items() if k not in ("consent", "edit")}
    platform = platform_of(request)
    reader = FormReader(fields)
    today = platform.today()
    ids = [v.id for v in platform.catalog.in_force(today)]
    _, profile = read_profile(reader, ids, platform.catalog, today)
    page = {"values": values, "result": None, "ask_consent": False, "message": None, "rate": format_rate}
    if not reader.ok:  # answers changed on the way: back to the self-check form
        return render(request, "matching/result.html", page, status_code=422)
    if not reader.flag("consent"):
        return render(request, "matching/result.html", {**page, "ask_consent": True}, status_code=422)
    try:
        result = match_loans(platform, _VISITOR, profile, consent=True, as_of=today)
    except InputError as exc:
        _, message = service_error(exc)
        return render(request, "matching/result.html", {**page, "message": message}, status_code=422)
    return render(request, "matching/result.html", {**page, "result": result})


# --- 신용시뮬레이터 -------------------------------------------------------------------------------------


def _read_simulation(reader: FormReader) -> tuple[CreditState | None, tuple[Action, ...], int]:
    """The state and the chosen actions from the form (POST: a score never sits in a URL)."""
    score = reader.integer("score", maximum=1000)
    balance = reader.won("card_loan_balance", required=False) or 0
    utilization = reader.integer("utilization_pct", required=False, maximum=100) or 0
    months = reader.integer("months", required=False, minimum=1, maximum=MAX_MONTHS) or 12
    actions: list[Action] = []
    if reader.flag("on_time"):
        actions.append(Action("on_time_payments"))
    repay = reader.won("repay_amount", required=False, minimum=1)
    if repay is not None:
        if repay > balance:
            reader.fail(
                "repay_amount", "카드론 잔액보다 많이 갚을 수 없어요.", "More than the card-loan balance."
            )
        else:
            actions.append(Action("repay_card_loan", amount=repay))
    to_pct = reader.integer("to_pct", required=False, maximum=100)
    if to_pct is not None:
        if to_pct >= utilization:
            reader.fail(
                "to_pct", "지금 소진율보다 낮게 입력해 주세요.", "Enter less than today's utilization."
            )
        else:
            actions.append(Action("reduce_utilization", to_pct=to_pct))
    if reader.flag("consulting"):
        actions.append(Action("complete_consulting"))
    state = None if score is None else CreditState(score, reader.flag("in_arrears"), balance, utilization)
    return state, tuple(actions), months


@router.get("/credit-simulator")
def credit_simulator_form(request: Request) -> Response:
    values = {"months": "12", "on_time": "on"}
    return render(request, "matching/credit.html", {"values": values, "errors": {}, "projection": None})


@router.post("/credit-simulator")
async def credit_simulator_submit(request: Request) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    reader = FormReader(fields)
    state, actions, months = _read_simulation(reader)
    values = {k: v.strip() for k, v in fields.items()}
    if not reader.ok or state is None:
        context = {"values": values, "errors": reader.errors, "projection": None}
        return render(request, "matching/credit.html", context, status_code=422)
    try:
        projection = simulate_credit(state, actions, months)
    except SimulatorInputError as exc:
        errors = {exc.field: Message(f"입력값을 확인해 주세요 ({exc.message}).", exc.message)}
        context = {"values": values, "errors": errors, "projection": None}
        return render(request, "matching/credit.html", context, status_code=422)
    return render(request, "matching/credit.html", {"values": values, "errors": {}, "projection": projection})
