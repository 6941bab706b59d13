"""Graduation (제도권 연계): faithful repayers who now meet a mainstream or bridge product's conditions.

A person qualifies for the look when a policy loan of theirs is open and current (no arrears on any loan)
and was executed at least ``MIN_FAITHFUL_MONTHS`` ago. Their last application's profile (decrypted in
memory), with their loans as the platform records them, is judged against the partner products in force;
the ones that fit are shown on their page (``graduation_options``) and told once by a notification
(``notify_graduates``, a job: one message and one audit event per person and set of products).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Applicant, Application, Loan, NotificationMessage
from seomin.domain.calendar import add_months
from seomin.domain.eligibility import Status
from seomin.domain.lifecycle import LoanStatus
from seomin.domain.matching import MatchOption, PartnerCatalog, judge_partner, policy_repayment_months
from seomin.services.applications.common import _loans, _stored_profile
from seomin.services.errors import Forbidden
from seomin.services.matching.partners import default_partner_products
from seomin.services.notifications import queue_message
from seomin.services.platform import SYSTEM, Actor, ActorType, Platform, audit

MIN_FAITHFUL_MONTHS = 12
TEMPLATE = "graduation_options"


@dataclass(frozen=True, slots=True)
class GraduationRun:
    looked_at: int
    notified: int


def _options(
    platform: Platform, session: Session, applicant_id: int, today: date, partners: PartnerCatalog
) -> tuple[int, list[MatchOption]]:
    """(months of faithful repayment, the partner products that fit), or (months, []) when none."""
    application = session.scalars(
        select(Application).where(Application.applicant_id == applicant_id).order_by(Application.id.desc())
    ).first()
    if application is None:
        return 0, []
    loans = tuple(_loans(session, applicant_id, frozenset(platform.catalog.product_ids)))
    try:
        stored = _stored_profile(platform, application)
    except ValidationError:  # a profile from before today's schema: nothing to judge by
        return 0, []
    profile = stored.model_copy(
        update={"existing_loans": loans, "documents": None, "requested_amount": None, "requested_bank": None}
    )
    months = policy_repayment_months(profile, today)
    if months < MIN_FAITHFUL_MONTHS or not any(loan.is_open for loan in loans):
        return months, []
    fits = [judge_partner(p, profile, today) for p in partners.in_force(today)]
    return months, [o for o in fits if o.status is Status.ELIGIBLE]


def graduation_options(
    platform: Platform, actor: Actor, partners: PartnerCatalog | None = None
) -> list[MatchOption]:
    """The mainstream and bridge products the signed-in person now fits (empty until they qualify)."""
    if actor.type is not ActorType.APPLICANT:
        raise Forbidden("only the person sees their graduation options")
    with platform.sessions() as session:
        _, found = _options(
            platform, session, int(actor.id), platform.today(), partners or default_partner_products()
        )
    return found


def notify_graduates(
    platform: Platform, actor: Actor = SYSTEM, partners: PartnerCatalog | None = None
) -> GraduationRun:
    """Tell each qualifying person, once per set of products, what they may now move to."""
    today = platform.today()
    cutoff = add_months(today, -MIN_FAITHFUL_MONTHS, today.day)
    catalog = partners or default_partner_products()
    looked_at = notified = 0
    with platform.sessions() as session:
        candidates = session.scalars(
            select(Loan.applicant_id)
            .where(
                Loan.status == LoanStatus.ACTIVE.value, Loan.executed_on <= cutoff, Loan.days_past_due == 0
            )
            .distinct()
            .order_by(Loan.applicant_id)
        ).all()
    for applicant_id in candidates:
        looked_at += 1
        with platform.sessions.begin() as session:
            months, fits = _options(platform, session, applicant_id, today, catalog)
            if not fits:
                continue
            ids = sorted(f"{o.product_id}@{o.version}" for o in fits)
            key = f"graduation:{applicant_id}:{','.join(ids)}"
            if session.scalar(select(NotificationMessage.id).where(NotificationMessage.dedupe_key == key)):
                continue  # told already about these products
            person = session.get_one(Applicant, applicant_id)
            queue_message(
                session,
                platform,
                TEMPLATE,
                platform.vault.decrypt(person.phone_encrypted),
                {"months": months, "products": ", ".join(o.name_ko for o in fits)},
                key,
            )
            audit(
                session,
                actor,
                "matching.graduation_notified",
                "applicant",
                applicant_id,
                after={"products": ids, "months": months},
            )
            notified += 1
    return GraduationRun(looked_at=looked_at, notified=notified)
