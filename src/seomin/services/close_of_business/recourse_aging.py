"""Close of business, recourse step (구상채권 관리): every recourse debt on an installment plan is aged
against its plan, a missed payment produces one notice, and a plan too far behind lapses.

In the run's transaction, after the loans' steps:

1. On PostgreSQL ``recourse_debts`` is locked ``EXCLUSIVE`` (reads go on; a repayment, which locks its
   debt row, waits for the commit), so what was paid and what is aged are the same.
2. One query reads every debt on a plan with its plan in force, what was paid under it and its standing.
   Per debt (integer arithmetic, no dates list): payments due by the business date
   (``payments_due``), covered by what was paid (``payments_covered``), behind = due − covered, arrears =
   what the due payments total less what was paid, and the days since the oldest uncovered payment.
3. Standings (``recourse_standings``) are written only where they changed (executemany), and standings
   of debts no longer on a plan (repaid, deferred) are cleared in one ``UPDATE``.
4. A debt at least ``notice_after_days`` behind whose latest missed payment was not noticed yet gets one
   ``recourse_payment_missed`` text in the notifications outbox (dedupe key: plan and payment number).
5. A debt at least ``lapse_after_days`` behind (``data/recourse_rules.toml``) lapses: its plan becomes
   ``lapsed``, the debt ``open``, one audit row each (``INSERT … SELECT``, reason code
   ``RECOURSE_PLAN_LAPSED``), a ``recourse_plan_lapsed`` text, and the standing keeps the lapse day (the
   online-request rules read it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update

from seomin.adapters.db.models import Base
from seomin.adapters.recourse_rules import default_recourse_rules
from seomin.domain.calendar import add_months
from seomin.domain.lifecycle import RecourseStatus
from seomin.domain.recourse import INSTALLMENT_PLAN
from seomin.domain.recourse_servicing import payments_covered, payments_due, request_reason
from seomin.services.close_of_business.common import _Run, _text
from seomin.services.notifications import QueuedItem, queue_messages
from seomin.services.platform import Platform

DEBTS = Base.metadata.tables["recourse_debts"]
PLANS = Base.metadata.tables["recourse_plans"]
REPAYMENTS = Base.metadata.tables["recourse_repayments"]
STANDINGS = Base.metadata.tables["recourse_standings"]
APPLICANTS = Base.metadata.tables["applicants"]
LAPSED = "lapsed"
_CHUNK = 5_000


@dataclass(slots=True)
class _Line:
    debt_id: int
    applicant_id: int
    balance: int
    plan_id: int
    starts_on: date
    months: int
    monthly: int
    paid: int
    known: bool
    noticed_no: int
    old: tuple[Any, ...]
    behind: int = 0
    arrears: int = 0
    days_behind: int = 0
    due: int = 0
    oldest_on: date | None = None


def age_recourse(run: _Run, platform: Platform) -> None:
    d = run.business_date
    rules = default_recourse_rules()
    if run.postgres:
        run.conn.execute(text("LOCK TABLE recourse_debts IN EXCLUSIVE MODE"))
    lines = _read(run)
    for line in lines:
        _measure(line, d)
    _write_standings(run, lines, d)
    run.stats["recourse_on_plan"] = len(lines)
    run.stats["recourse_behind"] = sum(1 for line in lines if line.behind)

    lapsing = [line for line in lines if line.days_behind >= rules.lapse_after_days]
    noticing = [
        line
        for line in lines
        if rules.notice_after_days <= line.days_behind < rules.lapse_after_days and line.due > line.noticed_no
    ]
    phones = _phones(run, platform, {line.applicant_id for line in lapsing + noticing})
    missed = [
        QueuedItem(
            phones[line.applicant_id],
            {
                "no": line.due,
                "due": _ymd(add_months(line.starts_on, line.due - 1, line.starts_on.day)),
                "amount": f"{_payment_amount(line, line.due):,}",
            },
            f"recourse-missed-{line.plan_id}-{line.due}",
        )
        for line in noticing
    ]
    lapsed = [
        QueuedItem(
            phones[line.applicant_id],
            {"days": line.days_behind, "balance": f"{line.balance:,}"},
            f"recourse-lapsed-{line.plan_id}",
        )
        for line in lapsing
    ]
    queue_messages(run.conn, platform, "recourse_payment_missed", missed)
    queue_messages(run.conn, platform, "recourse_plan_lapsed", lapsed)
    if noticing:
        run.conn.execute(
            update(STANDINGS)
            .where(STANDINGS.c.recourse_debt_id == bindparam("b_debt"))
            .values(noticed_no=bindparam("b_no")),
            [{"b_debt": line.debt_id, "b_no": line.due} for line in noticing],
        )
    run.stats["recourse_notices"] = len(noticing) + len(lapsing)
    _lapse(run, lapsing, d, rules.lapse_after_days)


def _payment_amount(line: _Line, no: int) -> int:
    """Plan payment ``no`` (1-based): the monthly amount, the last one the rest of what the plan collects."""
    return line.monthly if no < line.months else line.paid + line.balance - (line.months - 1) * line.monthly


def _read(run: _Run) -> list[_Line]:
    latest = (
        select(PLANS.c.recourse_debt_id, func.max(PLANS.c.id).label("plan_id"))
        .where(PLANS.c.kind == INSTALLMENT_PLAN, PLANS.c.status == "in_force")
        .group_by(PLANS.c.recourse_debt_id)
        .subquery("latest")
    )
    paid = (
        select(REPAYMENTS.c.plan_id, func.sum(REPAYMENTS.c.amount).label("paid"))
        .where(REPAYMENTS.c.plan_id.is_not(None))
        .group_by(REPAYMENTS.c.plan_id)
        .subquery("paid")
    )
    rows = run.conn.execute(
        select(
            DEBTS.c.id,
            DEBTS.c.applicant_id,
            DEBTS.c.balance,
            PLANS.c.id,
            PLANS.c.starts_on,
            PLANS.c.months,
            PLANS.c.monthly_amount,
            func.coalesce(paid.c.paid, 0),
            STANDINGS.c.recourse_debt_id,
            STANDINGS.c.noticed_no,
            STANDINGS.c.plan_id,
            STANDINGS.c.behind,
            STANDINGS.c.arrears,
            STANDINGS.c.days_behind,
        )
        .select_from(DEBTS)
        .join(latest, latest.c.recourse_debt_id == DEBTS.c.id)
        .join(PLANS, PLANS.c.id == latest.c.plan_id)
        .outerjoin(paid, paid.c.plan_id == PLANS.c.id)
        .outerjoin(STANDINGS, STANDINGS.c.recourse_debt_id == DEBTS.c.id)
        .where(DEBTS.c.status == RecourseStatus.INSTALLMENT_PLAN.value)
        .order_by(DEBTS.c.id)
    ).all()
    return [
        _Line(
            debt_id=r[0],
            applicant_id=r[1],
            balance=int(r[2]),
            plan_id=r[3],
            starts_on=r[4],
            months=r[5],
            monthly=int(r[6]),
            paid=int(r[7]),
            known=r[8] is not None,
            noticed_no=int(r[9] or 0) if r[10] == r[3] else 0,  # a new plan: its misses are new
            old=(r[10], r[11], r[12], r[13]),
        )
        for r in rows
    ]


def _measure(line: _Line, d: date) -> None:
    """``domain.recourse_servicing.plan_progress`` by arithmetic (the tests hold them equal)."""
    due = payments_due(line.starts_on, line.months, d)
    covered = payments_covered(line.months, line.monthly, line.paid, line.balance)
    line.due = due
    line.behind = max(0, due - covered)
    owed_by_now = due * line.monthly if due < line.months else line.paid + line.balance
    line.arrears = max(0, owed_by_now - line.paid)
    if line.behind:
        line.oldest_on = add_months(line.starts_on, covered, line.starts_on.day)
        line.days_behind = (d - line.oldest_on).days


def _write_standings(run: _Run, lines: list[_Line], d: date) -> None:
    fresh = [
        {
            "recourse_debt_id": line.debt_id,
            "plan_id": line.plan_id,
            "behind": line.behind,
            "arrears": line.arrears,
            "days_behind": line.days_behind,
            "noticed_no": line.noticed_no,
            "as_of": d,
        }
        for line in lines
        if not line.known and line.behind
    ]
    if fresh:
        run.conn.execute(insert(STANDINGS), fresh)
    changed = [
        {
            "b_debt": line.debt_id,
            "b_plan": line.plan_id,
            "b_behind": line.behind,
            "b_arrears": line.arrears,
            "b_days": line.days_behind,
            "b_noticed": line.noticed_no,
            "b_as_of": d,
        }
        for line in lines
        if line.known and line.old != (line.plan_id, line.behind, line.arrears, line.days_behind)
    ]
    if changed:
        run.conn.execute(
            update(STANDINGS)
            .where(STANDINGS.c.recourse_debt_id == bindparam("b_debt"))
            .values(
                plan_id=bindparam("b_plan"),
                behind=bindparam("b_behind"),
                arrears=bindparam("b_arrears"),
                days_behind=bindparam("b_days"),
                noticed_no=bindparam("b_noticed"),
                as_of=bindparam("b_as_of"),
            ),
            changed,
        )
    off_plan = select(DEBTS.c.id).where(DEBTS.c.status != RecourseStatus.INSTALLMENT_PLAN.value)
    run.conn.execute(
        update(STANDINGS)
        .where(STANDINGS.c.days_behind > 0, STANDINGS.c.recourse_debt_id.in_(off_plan))
        .values(plan_id=None, behind=0, arrears=0, days_behind=0, as_of=d)
    )


def _lapse(run: _Run, lapsing: list[_Line], d: date, threshold: int) -> None:
    run.stats["recourse_plans_lapsed"] = len(lapsing)
    if not lapsing:
        return
    ids = [line.debt_id for line in lapsing]
    plan_ids = [line.plan_id for line in lapsing]
    reason = request_reason("RECOURSE_PLAN_LAPSED", days=threshold)
    run.audit_select(
        action="recourse_debt.plan_lapsed",
        entity_type="recourse_debt",
        entity_id=DEBTS.c.id,
        before=run.json(status=DEBTS.c.status),
        after=run.json(status=_text(RecourseStatus.OPEN.value), code=_text(reason.code)),
        reason=run.reason(f"{reason.code}: {reason.message_en}"),
        from_=DEBTS,
        where=DEBTS.c.id.in_(ids),
    )
    run.conn.execute(update(PLANS).where(PLANS.c.id.in_(plan_ids)).values(status=LAPSED))
    run.conn.execute(update(DEBTS).where(DEBTS.c.id.in_(ids)).values(status=RecourseStatus.OPEN.value))
    run.conn.execute(
        update(STANDINGS)
        .where(STANDINGS.c.recourse_debt_id.in_(ids))
        .values(plan_id=None, behind=0, arrears=0, days_behind=0, noticed_no=0, last_lapsed_on=d, as_of=d)
    )


def _phones(run: _Run, platform: Platform, applicant_ids: set[int]) -> dict[int, str]:
    if not applicant_ids:
        return {}
    ordered, phones = sorted(applicant_ids), {}
    for start in range(0, len(ordered), _CHUNK):
        rows = run.conn.execute(
            select(APPLICANTS.c.id, APPLICANTS.c.phone_encrypted).where(
                APPLICANTS.c.id.in_(ordered[start : start + _CHUNK])
            )
        ).all()
        phones.update({r[0]: platform.vault.decrypt(r[1]) for r in rows})
    return phones


def _ymd(day: date) -> str:
    return f"{day:%Y.%m.%d}"
