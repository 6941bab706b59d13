"""Subrogation (대위변제) and recourse (구상채권): after a guaranteed loan defaults the bank claims the
guaranteed share from the agency; once the agency pays, the borrower owes the agency that amount, which
staff may let the borrower repay in installments (분할상환) or defer (상환유예).

- ``file_subrogation_claim``: a partner bank, on a defaulted loan it executed. The claim is the unpaid
  principal (everything not yet repaid, due or not: the loan is accelerated) plus the unpaid scheduled
  interest of the installments due on or before the filing date; delinquency interest and interest
  accrued since the last due date are not claimed. The guaranteed amount is the claim × the guarantee's
  ratio, truncated to the won. The loan becomes subrogated, the guarantee claimed.
- ``pay_subrogation_claim``: a supervisor. The claim is paid and a recourse debt for the paid amount
  (the guaranteed amount) is opened against the borrower.
- ``grant_installment_plan`` (counselor or supervisor): ``months`` monthly payments from ``starts_on``
  (payment k on ``starts_on`` + k months, day clamped to month end), each ``balance // months`` won, the
  last one also taking the remainder: ``balance − (months − 1) × (balance // months)``.
- ``grant_deferral`` (counselor or supervisor): nothing is due for ``months`` months from ``starts_on``;
  an installment plan granted afterwards starts when the deferral ends at the earliest.

Recourse debt states: open → installment_plan | deferred; installment_plan → deferred (the plan is
suspended; a new plan is granted afterwards on the then balance); deferred → installment_plan; any
→ repaid (by the collection side, not here). A second plan or deferral on top of the same state is
refused. Bounds (our assumption, to confirm with the agency): plans of 1–120 months, deferrals of
1–24 months.

Filing and payment dates may not be after ``platform.today()``; a plan or deferral may start later.
Every change is audited in the same transaction; role and bank checks come before any read of state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from seomin.adapters.db.models import RecourseDebt
from seomin.domain.lifecycle import IllegalTransition, check_transition
from seomin.services.errors import Conflict, Forbidden, InputError, InputErrorCode
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row

_S = TypeVar("_S", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class RecourseDebtView:
    id: int
    claim_id: int | None
    """The subrogation claim it arose from; None for a defaulted agency loan."""
    applicant_id: int
    principal: int
    balance: int
    status: str
    created_on: date
    agency_loan_id: int | None = None
    """The agency's own loan it arose from (직접대출), where it did."""


def _debt_view(d: RecourseDebt) -> RecourseDebtView:
    return RecourseDebtView(
        d.id, d.claim_id, d.applicant_id, d.principal, d.balance, d.status, d.created_on, d.agency_loan_id
    )


def _transition(entity: str, table: dict[_S, frozenset[_S]], current: _S, wanted: _S) -> None:
    try:
        check_transition(entity, table, current, wanted)
    except IllegalTransition as exc:
        raise Conflict(exc.code, str(exc)) from None


def _not_after_today(platform: Platform, field: str, day: date) -> None:
    today = platform.today()
    if day > today:
        raise InputError(
            field, f"{day.isoformat()} is after today ({today.isoformat()})", InputErrorCode.DATE_AFTER_TODAY
        )


def _require_staff(actor: Actor, roles: frozenset[str], what: str) -> None:
    if actor.type is not ActorType.STAFF or actor.role not in roles:
        raise Forbidden(f"only {' or '.join(sorted(roles))} staff {what}")


def _set_status(session: Session, actor: Actor, entity: str, row: Any, status: str, reason: str) -> None:
    before = row.status
    row.status = status
    audit(
        session,
        actor,
        f"{entity}.{status}",
        entity,
        row.id,
        before={"status": before},
        after={"status": status},
        reason=reason,
    )


def _debt_for_update(session: Session, recourse_debt_id: int) -> RecourseDebt:
    return locked_row(session, RecourseDebt, RecourseDebt.id, recourse_debt_id, "recourse debt")


def _positive_won(field: str, value: object) -> int:
    """A whole number of won above 0 (a bool is not a number here), else InputError naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InputError(field, "a whole number of won above 0")
    return value


def _bounded_text(field: str, value: str, max_length: int) -> str:
    """``value`` stripped, 1 to ``max_length`` characters, else InputError naming ``field``."""
    value = value.strip()
    if not 1 <= len(value) <= max_length:
        raise InputError(field, f"1 to {max_length} characters")
    return value
