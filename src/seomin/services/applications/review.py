"""Agency-side use cases: a reviewer's decision and the second reviewer's confirmation (maker-checker)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Application, ReviewDecision, StaffUser
from seomin.domain.catalog import ProductVersion
from seomin.domain.eligibility import Decision, Status, evaluate
from seomin.domain.lifecycle import ApplicationStatus
from seomin.domain.reasons import TEMPLATES, Outcome
from seomin.services.applications.common import (
    LIMIT_CODES,
    STAFF_REASONS,
    _check_amount,
    _check_transition,
    _exposure,
    _first,
    _lock_application,
    _product_now,
    _stored_profile,
    refusal,
)
from seomin.services.errors import Conflict, Forbidden, InputError
from seomin.services.platform import Actor, ActorType, Platform, audit

REVIEW_ROLES = frozenset({"reviewer", "supervisor"})


# --- agency side: review ----------------------------------------------------------------------------


def decide(
    platform: Platform,
    reviewer: Actor,
    application_id: int,
    *,
    approve: bool,
    amount: int | None = None,
    reason_codes: Sequence[str] = (),
    note: str = "",
) -> ApplicationStatus:
    """A reviewer's decision on a submitted application; returns the new status.

    A rejection needs at least one reason code (``domain.reasons.TEMPLATES`` or ``STAFF_REASONS``).
    An approval is for ``amount`` (default: the amount requested, never more), judged against the
    person's limit now, under a lock on the applicant (``Conflict`` with the engine's code, e.g.
    ``LIMIT_EXHAUSTED`` or ``AMOUNT_ABOVE_LIMIT``). It waits for ``confirm_second_review`` (status
    ``pending_second_review``) when the amount exceeds the product's ``review.second_review_above`` or when it
    overrides an ``ineligible`` screening or a rule the person fails now; an override needs a note.
    """
    reviewer_id, codes, note = _checked_review(reviewer, reason_codes, note)
    today = platform.today()
    with platform.sessions.begin() as session:
        application, current = _locked_for_review(session, reviewer_id, application_id)
        if current is ApplicationStatus.PENDING_SECOND_REVIEW:
            raise Conflict(
                "APPLICATION_PENDING_SECOND_REVIEW",
                "the application awaits a second reviewer: use confirm_second_review",
            )
        if not approve:
            _check_transition(application, ApplicationStatus.REJECTED)
            if not codes:
                raise InputError("reason_codes", "a rejection needs at least one reason code")
            return _reject(session, reviewer, reviewer_id, application, codes, note, today)

        _check_transition(application, ApplicationStatus.APPROVED)
        approved = application.requested_amount if amount is None else amount
        _check_amount(approved, "amount")
        if approved > application.requested_amount:
            raise InputError("amount", f"exceeds the {application.requested_amount:,} won requested")
        product = _product_now(platform, application.product_id, today)
        recheck = _limit_recheck(session, platform, application, product, approved, today)
        failing_now = [r.code for r in recheck.reasons if r.outcome is Outcome.FAIL]
        override = application.screening_status == Status.INELIGIBLE.value or bool(failing_now)
        if override and not note:
            raise InputError("note", "an approval overriding the screening needs a note saying why")
        threshold = product.review.second_review_above
        above = threshold is not None and approved > threshold
        wanted = ApplicationStatus.PENDING_SECOND_REVIEW if override or above else ApplicationStatus.APPROVED
        _record_decision(session, application, reviewer_id, "approve", approved, codes, note, today, wanted)
        why = []
        if above:
            why.append(f"amount above {threshold:,} (review.second_review_above)")
        if override:
            why.append("overrides the screening" + (f" ({', '.join(failing_now)})" if failing_now else ""))
        audit(
            session,
            reviewer,
            "application.approved"
            if wanted is ApplicationStatus.APPROVED
            else "application.approval_proposed",
            "application",
            application.id,
            before={"status": current.value},
            after={"status": wanted.value, "amount": approved, "reason_codes": codes, "second_review": why},
            reason=note or "approved",
        )
        return wanted


def confirm_second_review(
    platform: Platform,
    reviewer: Actor,
    application_id: int,
    approve: bool,
    note: str = "",
    *,
    reason_codes: Sequence[str] = (),
) -> ApplicationStatus:
    """The checker's word on an approval awaiting a second review; returns the new status.

    The checker must not be the reviewer who proposed it (``Conflict SECOND_REVIEWER_SAME``). Confirming
    judges the limit again under the lock; declining rejects, with ``STAFF_SECOND_REVIEW_DECLINED`` when
    no reason code is given.
    """
    reviewer_id, codes, note = _checked_review(reviewer, reason_codes, note)
    today = platform.today()
    with platform.sessions.begin() as session:
        application, current = _locked_for_review(session, reviewer_id, application_id)
        if current is not ApplicationStatus.PENDING_SECOND_REVIEW:
            raise Conflict(
                f"APPLICATION_{current.value.upper()}",
                f"application is {current.value}, not awaiting a second review",
            )
        maker = session.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.application_id == application.id, ReviewDecision.decision == "approve")
            .order_by(ReviewDecision.id.desc())
        ).first()
        if maker is None or maker.amount is None:  # pragma: no cover - written together with the status
            raise Conflict("APPLICATION_PENDING_SECOND_REVIEW", "no proposed approval to confirm")
        if maker.reviewer_id == reviewer_id:
            raise Conflict("SECOND_REVIEWER_SAME", "the second review must be by another reviewer")
        if not approve:
            declined = codes or ["STAFF_SECOND_REVIEW_DECLINED"]
            return _reject(session, reviewer, reviewer_id, application, declined, note, today)
        product = _product_now(platform, application.product_id, today)
        _limit_recheck(session, platform, application, product, maker.amount, today)
        _record_decision(
            session,
            application,
            reviewer_id,
            "confirm",
            maker.amount,
            codes,
            note,
            today,
            ApplicationStatus.APPROVED,
        )
        audit(
            session,
            reviewer,
            "application.approved",
            "application",
            application.id,
            before={"status": current.value},
            after={"status": application.status, "amount": maker.amount, "maker": maker.reviewer_id},
            reason=note or "second review confirmed",
        )
        return ApplicationStatus.APPROVED


def _reject(
    session: Session,
    reviewer: Actor,
    reviewer_id: int,
    application: Application,
    codes: list[str],
    note: str,
    today: date,
) -> ApplicationStatus:
    before = application.status
    _record_decision(
        session, application, reviewer_id, "reject", None, codes, note, today, ApplicationStatus.REJECTED
    )
    audit(
        session,
        reviewer,
        "application.rejected",
        "application",
        application.id,
        before={"status": before},
        after={"status": application.status, "reason_codes": codes},
        reason=note or ", ".join(codes),
    )
    return ApplicationStatus.REJECTED


def _limit_recheck(
    session: Session,
    platform: Platform,
    application: Application,
    product: ProductVersion,
    amount: int,
    today: date,
) -> Decision:
    """Judge the person now for ``amount``, counting loans and the other approvals not yet lent; a
    limit rule failing raises ``Conflict`` with its code. Documents are not judged again (their window
    is counted from the application day)."""
    profile = _stored_profile(platform, application)
    exposure = _exposure(session, application.applicant_id, product, today, exclude=application.id)
    check = profile.model_copy(
        update={
            "documents": None,
            "requested_amount": amount,
            "requested_bank": None,
            "existing_loans": exposure,
        }
    )
    decision = evaluate(product, check, today)
    refused = _first(decision, LIMIT_CODES)
    if refused is not None:
        raise refusal(refused)
    return decision


def _reviewer_id(actor: Actor) -> int:
    if actor.type is not ActorType.STAFF or actor.role not in REVIEW_ROLES:
        raise Forbidden("only a reviewer or a supervisor decides applications")
    try:
        return int(actor.id)
    except ValueError:
        raise Forbidden("not a staff user") from None


def _require_active_reviewer(session: Session, reviewer_id: int) -> None:
    user = session.get(StaffUser, reviewer_id)
    if user is None or not user.active or user.role not in REVIEW_ROLES:
        raise Forbidden("only an active reviewer or supervisor decides applications")


def _check_reason_codes(codes: Sequence[str]) -> list[str]:
    if isinstance(codes, str):
        raise InputError("reason_codes", "must be a list of codes")
    checked = []
    for i, code in enumerate(codes):
        if (code not in TEMPLATES and code not in STAFF_REASONS) or code == "ELIGIBLE":
            raise InputError(f"reason_codes.{i}", f"unknown reason code {code!r}")
        checked.append(code)
    return list(dict.fromkeys(checked))


def _check_note(note: str) -> str:
    if len(note) > 2000:
        raise InputError("note", "at most 2000 characters")
    return note.strip()


def _checked_review(reviewer: Actor, reason_codes: Sequence[str], note: str) -> tuple[int, list[str], str]:
    """The reviewer's id, the reason codes and the note, each checked before any read of state."""
    return _reviewer_id(reviewer), _check_reason_codes(reason_codes), _check_note(note)


def _locked_for_review(
    session: Session, reviewer_id: int, application_id: int
) -> tuple[Application, ApplicationStatus]:
    """The application, locked with its applicant, and its status, once the reviewer is still active."""
    _require_active_reviewer(session, reviewer_id)
    application = _lock_application(session, application_id)
    return application, ApplicationStatus(application.status)


def _record_decision(
    session: Session,
    application: Application,
    reviewer_id: int,
    decision: str,
    amount: int | None,
    codes: Sequence[str],
    note: str,
    today: date,
    status_after: ApplicationStatus,
) -> None:
    """Move the application to ``status_after`` and record the reviewer's decision on the business day."""
    application.status = status_after.value
    session.add(
        ReviewDecision(
            application_id=application.id,
            reviewer_id=reviewer_id,
            decision=decision,
            amount=amount,
            reason_codes=",".join(codes),
            note=note,
            decided_on=today,
            status_after=status_after.value,
        )
    )
