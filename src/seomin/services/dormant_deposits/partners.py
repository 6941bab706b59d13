"""Fintech partners (핀테크 앱) acting for a person they verified: look up what is held in the person's name
and file a claim, exactly as the person would on our pages. Each partner has its own API keys
(``identity.issue_partner_api_key``), is limited to ``PARTNER_RATE`` requests and every request is audited
with the partner's name next to the person's record."""

from __future__ import annotations

from datetime import timedelta

from seomin.services import attempts
from seomin.services.dormant_deposits.claims import ClaimResult, claim_deposit
from seomin.services.dormant_deposits.holdings import HeldDeposit, my_dormant_deposits
from seomin.services.errors import Forbidden
from seomin.services.identity import attested_applicant
from seomin.services.platform import Actor, ActorType, Platform, audit

PARTNER_RATE = attempts.AttemptPolicy(
    max_failures=120,
    window=timedelta(minutes=1),
    lockout=timedelta(minutes=1),
    message="too many requests from this partner; slow down and retry after the seconds given",
)
"""At most 120 requests a minute per partner; above it 429 with Retry-After until the minute ends."""


def _metered(platform: Platform, partner: Actor) -> None:
    if partner.type is not ActorType.PARTNER:
        raise Forbidden("only a fintech partner uses the partner API")
    counter = f"partner-rate:{partner.id}"
    attempts.check_allowed(platform, counter, PARTNER_RATE)
    attempts.record_failure(platform, counter, PARTNER_RATE)  # every request counts against the rate


def _audit(platform: Platform, partner: Actor, person: Actor, action: str, after: dict[str, object]) -> None:
    with platform.sessions.begin() as session:
        audit(session, partner, action, "applicant", person.id, after=after, reason=f"through {partner.id}")


def partner_look_up(platform: Platform, partner: Actor, name: str, rrn: str, phone: str) -> list[HeldDeposit]:
    """Everything held in the verified person's name, with interest to today."""
    _metered(platform, partner)
    person = attested_applicant(platform, partner, name, rrn, phone)
    found = my_dormant_deposits(platform, person)
    _audit(platform, partner, person, "dormant.partner_looked_up", {"found": len(found)})
    return found


def partner_claim(
    platform: Platform,
    partner: Actor,
    name: str,
    rrn: str,
    phone: str,
    deposit_id: int,
    *,
    account: str | None,
    account_holder_name: str,
    donate: bool,
) -> ClaimResult:
    """File the person's claim: paid to an account in their own name (or donated), once, under the same
    rules as on our pages (a retry answers the same claim)."""
    _metered(platform, partner)
    person = attested_applicant(platform, partner, name, rrn, phone)
    result = claim_deposit(
        platform, person, deposit_id, account=account, account_holder_name=account_holder_name, donate=donate
    )
    after = {"deposit_id": deposit_id, "claim_id": result.id, "status": result.status}
    _audit(platform, partner, person, "dormant.partner_claim_filed", after)
    return result
