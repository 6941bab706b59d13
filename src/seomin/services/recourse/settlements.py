"""Settlements with a reduction (채무조정, 특별채무조정-style) under maker-checker, and referrals of recourse
debtors to employment support (국민취업지원제도), seed 000 3-(2).

- ``propose_settlement`` (counselor or supervisor): take ``reduction`` won off the balance, with a reason;
  at most ``settlement.max_reduction_pct`` of the balance (``data/recourse_rules.toml``). One pending per
  debt. Nothing changes yet.
- ``decide_settlement`` (a supervisor other than the proposer): approve (the debt locked; the balance must
  still be the one proposed on, else ``Conflict SETTLEMENT_STALE``; the reduction comes off the principal
  part, so costs and interest stay owed first) or decline. Audited either way.
- ``refer_to_employment_support`` (counselor or supervisor): recorded with the day and a note (encrypted),
  audited on the debt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import EmploymentReferral, RecourseSettlement
from seomin.adapters.recourse_rules import default_recourse_rules
from seomin.domain.lifecycle import RecourseStatus
from seomin.domain.recourse_servicing import max_reduction
from seomin.services.errors import Conflict, InputError, NotFound
from seomin.services.platform import Actor, Platform, audit, locked_row
from seomin.services.recourse.common import (
    _bounded_text,
    _debt_for_update,
    _positive_won,
    _require_staff,
)
from seomin.services.recourse.repayments import owed_of

MAKER_ROLES = frozenset({"counselor", "supervisor"})
CHECKER_ROLES = frozenset({"supervisor"})
MAX_TEXT = 1000


@dataclass(frozen=True, slots=True)
class SettlementView:
    id: int
    recourse_debt_id: int
    reduction: int
    balance_before: int
    balance_after: int
    reason: str
    status: str
    proposed_by: str
    decided_by: str | None


@dataclass(frozen=True, slots=True)
class ReferralView:
    id: int
    recourse_debt_id: int
    referred_on: date
    referred_by: str


def propose_settlement(
    platform: Platform, staff: Actor, debt_id: int, reduction: int, reason: str
) -> SettlementView:
    _require_staff(staff, MAKER_ROLES, "propose a settlement")
    reason = _bounded_text("reason", reason, MAX_TEXT)
    _positive_won("reduction", reduction)
    rules = default_recourse_rules()
    with transaction(platform.sessions) as session:
        debt = _debt_for_update(session, debt_id)
        if debt.status == RecourseStatus.REPAID.value:
            raise Conflict("RECOURSE_DEBT_REPAID", f"recourse debt {debt.id} is repaid")
        cap = min(max_reduction(debt.balance, rules.max_reduction_pct), owed_of(session, debt).principal)
        if reduction > cap:
            raise InputError(
                "reduction",
                f"at most {cap:,} won ({rules.max_reduction_pct}% of the {debt.balance:,} won balance, "
                "from the principal)",
            )
        pending = session.scalars(
            select(RecourseSettlement.id).where(
                RecourseSettlement.recourse_debt_id == debt.id, RecourseSettlement.status == "proposed"
            )
        ).first()
        if pending is not None:
            raise Conflict("SETTLEMENT_PENDING", f"settlement {pending} awaits its checker")
        row = RecourseSettlement(
            recourse_debt_id=debt.id,
            reduction=reduction,
            balance_before=debt.balance,
            reason=reason,
            status="proposed",
            proposed_by=staff.label,
        )
        session.add(row)
        session.flush()
        audit(
            session,
            staff,
            "recourse_settlement.proposed",
            "recourse_debt",
            debt.id,
            after={"settlement_id": row.id, "reduction": reduction, "balance": debt.balance},
            reason=reason,
        )
        return _view(row)


def decide_settlement(
    platform: Platform, supervisor: Actor, settlement_id: int, approve: bool
) -> SettlementView:
    _require_staff(supervisor, CHECKER_ROLES, "decide a settlement")
    with transaction(platform.sessions) as session:
        found = session.get(RecourseSettlement, settlement_id)
        if found is None:
            raise NotFound("recourse settlement", settlement_id)
        debt = _debt_for_update(session, found.recourse_debt_id)
        row = locked_row(
            session, RecourseSettlement, RecourseSettlement.id, settlement_id, "recourse settlement"
        )
        if row.status != "proposed":
            raise Conflict("SETTLEMENT_DECIDED", f"settlement {row.id} is already {row.status}")
        if row.proposed_by == supervisor.label:
            raise Conflict("SECOND_APPROVER_SAME", "the proposer of a settlement cannot also approve it")
        row.decided_by, row.decided_on = supervisor.label, platform.today()
        if not approve:
            row.status = "declined"
            audit(
                session,
                supervisor,
                "recourse_settlement.declined",
                "recourse_debt",
                debt.id,
                after={"settlement_id": row.id},
            )
            return _view(row)
        if debt.balance != row.balance_before:
            raise Conflict(
                "SETTLEMENT_STALE",
                f"the balance moved from {row.balance_before:,} to {debt.balance:,} won since the proposal",
            )
        before = {"balance": debt.balance, "status": debt.status}
        debt.balance -= row.reduction
        row.status = "applied"
        audit(
            session,
            supervisor,
            "recourse_settlement.applied",
            "recourse_debt",
            debt.id,
            before=before,
            after={"balance": debt.balance, "settlement_id": row.id, "reduction": row.reduction},
            reason=row.reason,
        )
        return _view(row)


def refer_to_employment_support(platform: Platform, staff: Actor, debt_id: int, note: str) -> ReferralView:
    _require_staff(staff, MAKER_ROLES, "refer a debtor to employment support")
    note = _bounded_text("note", note, MAX_TEXT)
    with transaction(platform.sessions) as session:
        debt = _debt_for_update(session, debt_id)
        row = EmploymentReferral(
            recourse_debt_id=debt.id,
            applicant_id=debt.applicant_id,
            referred_on=platform.today(),
            note_encrypted=platform.vault.encrypt(note),
            referred_by=staff.label,
        )
        session.add(row)
        session.flush()
        audit(
            session,
            staff,
            "recourse_debt.employment_referral",
            "recourse_debt",
            debt.id,
            after={"referral_id": row.id, "programme": "국민취업지원제도"},
            reason="referred to national employment support",
        )
        return ReferralView(row.id, debt.id, row.referred_on, row.referred_by)


def _view(row: RecourseSettlement) -> SettlementView:
    after = row.balance_before - row.reduction
    return SettlementView(
        row.id,
        row.recourse_debt_id,
        row.reduction,
        row.balance_before,
        after,
        row.reason,
        row.status,
        row.proposed_by,
        row.decided_by,
    )


def list_settlements(platform: Platform, staff: Actor, status: str = "proposed") -> list[SettlementView]:
    """Settlements by status, oldest first (the checker's queue)."""
    _require_staff(staff, frozenset({"counselor", "reviewer", "supervisor", "auditor"}), "read settlements")
    with platform.sessions() as session:
        rows = session.scalars(
            select(RecourseSettlement)
            .where(RecourseSettlement.status == status)
            .order_by(RecourseSettlement.id)
        )
        return [_view(r) for r in rows]
