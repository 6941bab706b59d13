"""휴면금융자산 관리 현황: the disclosure figures by sector, from the same rows the claims change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from seomin.adapters.db.models import DormantClaim, DormantDeposit
from seomin.services.errors import Forbidden
from seomin.services.platform import Actor, ActorType, Platform

FIGURE_ROLES = frozenset({"supervisor", "auditor"})


@dataclass(frozen=True, slots=True)
class SectorFigures:
    """Won by sector: contributed = paid + donated + outstanding (principal; paid interest apart)."""

    sector: str
    contributed: int
    paid: int
    donated: int
    outstanding: int
    interest_paid: int


def disclosure_figures(platform: Platform, actor: Actor) -> list[SectorFigures]:
    """Contributed, paid, donated and outstanding principal by sector, and the interest paid out."""
    if actor.type is not ActorType.STAFF or actor.role not in FIGURE_ROLES:
        raise Forbidden("only supervisors and auditors read the dormant-asset figures")
    paid_interest = func.coalesce(func.sum(DormantClaim.interest), 0)
    with platform.sessions() as session:
        by_status = session.execute(
            select(DormantDeposit.sector, DormantDeposit.status, func.sum(DormantDeposit.amount)).group_by(
                DormantDeposit.sector, DormantDeposit.status
            )
        ).all()
        interest: dict[str, int] = {
            sector: int(won)
            for sector, won in session.execute(
                select(DormantDeposit.sector, paid_interest)
                .join(DormantClaim, DormantClaim.deposit_id == DormantDeposit.id)
                .where(DormantClaim.status == "paid")
                .group_by(DormantDeposit.sector)
            )
        }
    totals: dict[str, dict[str, int]] = {}
    for sector, status, won in by_status:
        totals.setdefault(sector, {})[status] = int(won)
    return [
        SectorFigures(
            sector,
            sum(won.values()),
            won.get("paid", 0),
            won.get("donated", 0),
            won.get("held", 0) + won.get("claimed", 0),
            int(interest.get(sector, 0)),
        )
        for sector, won in sorted(totals.items())
    ]
