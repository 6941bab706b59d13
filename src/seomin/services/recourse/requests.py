"""The debtor's own online requests (온라인 분할상환·상환유예 신청), decided at once by the rules of
``data/recourse_rules.toml`` (``domain.recourse_servicing.decide_request``).

A request is for the signed-in debtor's own debt (anyone else's is not found). Every rule is checked and
every refusal reason returned (stable codes with Korean and English words); a granted request puts the
plan or deferral in force in the same transaction, through the same path a counselor's grant takes
(``arrangements.plan_in`` / ``deferral_in``: the state machine, the deferral's end, the audit). The
request and its decision are stored and audited either way. A debt already repaid, or in a state the
arrangement cannot follow (a second plan on a plan in force), is a ``Conflict`` as for staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import RecoursePlan, RecourseRequest, RecourseStanding
from seomin.adapters.recourse_rules import default_recourse_rules
from seomin.domain.recourse import DEFERRAL, INSTALLMENT_PLAN
from seomin.domain.recourse_servicing import (
    HARDSHIPS,
    RequestFacts,
    RequestReason,
    decide_request,
    request_reason,
)
from seomin.services.errors import Forbidden, InputError, NotFound
from seomin.services.platform import Actor, ActorType, Platform, audit
from seomin.services.recourse.arrangements import (
    MAX_DEFERRAL_MONTHS,
    MAX_PLAN_MONTHS,
    RecoursePlanView,
    deferral_in,
    plan_in,
)
from seomin.services.recourse.common import _debt_for_update

KINDS = (INSTALLMENT_PLAN, DEFERRAL)


@dataclass(frozen=True, slots=True)
class RequestDecision:
    id: int
    recourse_debt_id: int
    kind: str
    months: int
    decision: str
    """``granted`` (the arrangement is in force: ``plan``) or ``declined`` (see ``reasons``)."""
    reasons: list[RequestReason]
    plan: RecoursePlanView | None


def request_arrangement(
    platform: Platform,
    debtor: Actor,
    debt_id: int,
    kind: str,
    months: int,
    hardship: str = "",
    starts_on: date | None = None,
) -> RequestDecision:
    """Decide the debtor's request for an installment plan or a deferral of ``months`` from ``starts_on``
    (default today; not before today)."""
    if debtor.type is not ActorType.APPLICANT:
        raise Forbidden("only the debtor asks online; staff grant arrangements directly")
    if kind not in KINDS:
        raise InputError("kind", f"one of {', '.join(KINDS)}")
    maximum = MAX_PLAN_MONTHS if kind == INSTALLMENT_PLAN else MAX_DEFERRAL_MONTHS
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= maximum:
        raise InputError("months", f"a whole number of months from 1 to {maximum}")
    if kind == DEFERRAL and hardship not in HARDSHIPS:
        raise InputError("hardship", f"one of {', '.join(HARDSHIPS)}")
    today = platform.today()
    starts = starts_on or today
    if starts < today:
        raise InputError("starts_on", f"{starts.isoformat()} is before today ({today.isoformat()})")
    rules = default_recourse_rules()
    with transaction(platform.sessions) as session:
        debt = _debt_for_update(session, debt_id)
        if str(debt.applicant_id) != debtor.id:
            raise NotFound("recourse debt", debt_id)
        deferrals = session.scalar(
            select(func.count())
            .select_from(RecoursePlan)
            .where(
                RecoursePlan.recourse_debt_id == debt.id,
                RecoursePlan.kind == DEFERRAL,
                RecoursePlan.status != "proposed",
            )
        )
        standing = session.get(RecourseStanding, debt.id)
        facts = RequestFacts(
            debt.balance, int(deferrals or 0), None if standing is None else standing.last_lapsed_on
        )
        refused = decide_request(rules, kind, months, hardship, facts, today)
        plan = None
        if not refused:
            granting = plan_in if kind == INSTALLMENT_PLAN else deferral_in
            plan = granting(session, debtor, debt.id, months, starts)
        reasons = refused or [request_reason("RECOURSE_REQUEST_GRANTED")]
        row = RecourseRequest(
            recourse_debt_id=debt.id,
            applicant_id=debt.applicant_id,
            kind=kind,
            months=months,
            hardship=hardship,
            decision="declined" if refused else "granted",
            reasons=[r.code for r in reasons],
            plan_id=None if plan is None else plan.id,
            requested_on=today,
        )
        session.add(row)
        session.flush()
        audit(
            session,
            debtor,
            f"recourse_request.{row.decision}",
            "recourse_debt",
            debt.id,
            after={
                "request_id": row.id,
                "kind": kind,
                "months": months,
                "hardship": hardship,
                "reasons": row.reasons,
                "plan_id": row.plan_id,
            },
            reason="online request decided by data/recourse_rules.toml",
        )
        return RequestDecision(row.id, debt.id, kind, months, row.decision, reasons, plan)
