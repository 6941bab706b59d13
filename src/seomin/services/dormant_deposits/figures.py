"""휴면금융자산 관리 현황: the monitoring and disclosure figures by sector, read from the ledger.

Contributions, payouts and donations are ledger entries (``domain.ledger``), so the figures are the ledger's
own sums: contributed = credits to ``dormant.owed``; paid and donated = its debits by payout and donation;
outstanding = its balance. A month restricts the movements to those booked in it and gives the outstanding
balance at its end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from seomin.adapters.db.models import LedgerEntry, LedgerLine
from seomin.domain.ledger import Account, Kind
from seomin.services.errors import Forbidden
from seomin.services.ledger import month_bounds
from seomin.services.platform import Actor, ActorType, Platform

FIGURE_ROLES = frozenset({"supervisor", "auditor"})


@dataclass(frozen=True, slots=True)
class SectorFigures:
    """Won by sector: contributed = paid + donated + outstanding (principal; interest apart)."""

    sector: str
    contributed: int
    paid: int
    donated: int
    outstanding: int
    interest_paid: int
    """Interest paid out with payouts."""
    interest_donated: int = 0
    """Interest given to 미소금융 funding with donations."""


def disclosure_figures(platform: Platform, actor: Actor, month: str | None = None) -> list[SectorFigures]:
    """Contributed, paid, donated and outstanding principal by sector, and the interest paid out; for
    ``month`` (YYYY-MM) the movements booked in it and the outstanding balance at its end."""
    if actor.type is not ActorType.SYSTEM and (
        actor.type is not ActorType.STAFF or actor.role not in FIGURE_ROLES
    ):
        raise Forbidden("only supervisors and auditors read the dormant-asset figures")
    start, end = month_bounds(month) if month else (date.min, date.max)
    accounts = (Account.DORMANT_OWED.value, Account.DORMANT_INTEREST.value)
    query = (
        select(LedgerEntry.kind, LedgerLine.account, LedgerLine.party, func.sum(LedgerLine.amount))
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerLine.account.in_(accounts), LedgerEntry.booked_on < end)
        .group_by(LedgerEntry.kind, LedgerLine.account, LedgerLine.party)
    )
    in_month = query.where(LedgerEntry.booked_on >= start)
    with platform.sessions() as session:
        moved = session.execute(in_month).all()
        owed_at_end = session.execute(
            select(LedgerLine.party, func.sum(LedgerLine.amount))
            .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
            .where(LedgerLine.account == Account.DORMANT_OWED.value, LedgerEntry.booked_on < end)
            .group_by(LedgerLine.party)
        ).all()
    sums: dict[tuple[str, str, str], int] = {(k, a, p): int(won) for k, a, p, won in moved}
    sectors = sorted({p for _, _, p in sums} | {p for p, _ in owed_at_end})
    outstanding = {p: -int(won) for p, won in owed_at_end}
    owed, interest = Account.DORMANT_OWED.value, Account.DORMANT_INTEREST.value

    def won(kind: Kind, account: str, sector: str) -> int:
        return sums.get((kind.value, account, sector), 0)

    return [
        SectorFigures(
            s,
            -won(Kind.DORMANT_CONTRIBUTION, owed, s),
            won(Kind.DORMANT_PAYOUT, owed, s),
            won(Kind.DORMANT_DONATION, owed, s),
            outstanding.get(s, 0),
            won(Kind.DORMANT_PAYOUT, interest, s),
            won(Kind.DORMANT_DONATION, interest, s),
        )
        for s in sectors
    ]
