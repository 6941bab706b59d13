"""Dormant deposits (휴면예금 찾아줌): the interest accrued while held, and how a claim is routed.

Pure rules, no I/O. Money is integer won; rates are basis points a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

ONLINE_CAP = 10_000_000
"""Claims up to 1,000만 원 are paid online to an own-name account (seed 000 4-(2))."""
SECOND_APPROVER_ABOVE = 5_000_000
"""Online claims above this wait for a second approver before payout."""
_BP = 10_000
_DAYS_A_YEAR = 365


def accrued_interest(amount: int, rate_bp: int, since: date, today: date) -> int:
    """Simple interest on ``amount`` at ``rate_bp`` a year from ``since`` to ``today`` (actual/365).

    Rounding rule ``FLOOR_WON``: truncated to whole won, once, on the total (never per day), so a
    later look-up never shows less than an earlier one."""
    if amount < 0 or rate_bp < 0:
        raise ValueError("amount and rate must not be negative")
    days = max(0, (today - since).days)
    return amount * rate_bp * days // (_BP * _DAYS_A_YEAR)


class ClaimRoute(StrEnum):
    ONLINE = "online"
    """Paid to an account in the claimant's own name."""
    SECOND_APPROVAL = "second_approval"
    """Online, but a second staff approver releases the payout."""
    CENTER = "center"
    """Over the online cap, or filed by an heir or agent: a checklist and a center visit."""


@dataclass(frozen=True, slots=True)
class Routing:
    route: ClaimRoute
    reason_code: str
    message_ko: str
    message_en: str


def route_claim(total: int, *, by_holder: bool, online_cap: int = ONLINE_CAP) -> Routing:
    """Where a claim of ``total`` won goes; ``by_holder`` is false for heirs and agents."""
    if not by_holder:
        return Routing(
            ClaimRoute.CENTER,
            "dormant.not_holder",
            "상속인·대리인 청구는 서류 확인을 위해 센터 방문이 필요합니다.",
            "Claims by heirs or agents need a center visit to check documents.",
        )
    if total > online_cap:
        return Routing(
            ClaimRoute.CENTER,
            "dormant.over_online_cap",
            f"온라인 지급 한도({online_cap:,}원)를 넘어 센터 방문이 필요합니다.",
            f"Above the online cap of {online_cap:,} won: please visit a center.",
        )
    if total > SECOND_APPROVER_ABOVE:
        return Routing(
            ClaimRoute.SECOND_APPROVAL,
            "dormant.second_approval",
            "고액 청구로 담당자 추가 확인 후 지급됩니다.",
            "A large claim: paid after a second staff approval.",
        )
    return Routing(
        ClaimRoute.ONLINE, "dormant.online", "본인 명의 계좌로 지급됩니다.", "Paid to your own account."
    )
