"""지급청구: a verified holder claims a dormant deposit, paid once to an own-name account or donated.

The deposit row is locked and a claim is unique per deposit, so retries and racing requests pay once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Applicant, DormantClaim, DormantDeposit
from seomin.domain.dormant import ClaimRoute, accrued_interest, route_claim
from seomin.domain.ledger import dormant_donation, dormant_payout
from seomin.services.errors import Conflict, Forbidden, NotFound
from seomin.services.ledger import own_account, post
from seomin.services.notifications.outbox import queue_message
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row

APPROVING_ROLES = frozenset({"supervisor"})


@dataclass(frozen=True, slots=True)
class ClaimResult:
    id: int
    deposit_id: int
    kind: str
    principal: int
    interest: int
    status: str
    reason_code: str
    account_masked: str | None


def _result(c: DormantClaim) -> ClaimResult:
    return ClaimResult(
        c.id, c.deposit_id, c.kind, c.principal, c.interest, c.status, c.reason_code, c.account_masked
    )


def claim_deposit(
    platform: Platform,
    actor: Actor,
    deposit_id: int,
    *,
    account: str | None = None,
    account_holder_name: str = "",
    donate: bool = False,
    by_holder: bool = True,
) -> ClaimResult:
    """Claim a deposit held in the applicant's own name: payout to ``account`` (which must be in the
    claimant's own name) or a donation to 미소금융 funding. A repeated claim answers the existing one."""
    if actor.type is not ActorType.APPLICANT:
        raise Forbidden("sign in with identity verification to claim a dormant deposit")
    with platform.sessions.begin() as session:
        applicant = session.get(Applicant, int(actor.id))
        if applicant is None:
            raise NotFound("applicant", actor.id)
        paid_to = None if donate else own_account(platform, applicant, account, account_holder_name)
        deposit = locked_row(session, DormantDeposit, DormantDeposit.id, deposit_id, "dormant deposit")
        if deposit.holder_rrn_hash != applicant.rrn_hash:
            raise NotFound("dormant deposit", deposit_id)  # another person's deposit is not shown to exist
        existing = session.scalars(select(DormantClaim).where(DormantClaim.deposit_id == deposit.id)).first()
        if existing is not None:
            if existing.applicant_id == applicant.id and existing.kind == (
                "donation" if donate else "payout"
            ):
                return _result(existing)  # a retry: the same answer, nothing paid twice
            raise Conflict("DORMANT_ALREADY_CLAIMED", f"dormant deposit {deposit_id} is already claimed")
        interest = accrued_interest(deposit.amount, deposit.rate_bp, deposit.contributed_on, platform.today())
        total = deposit.amount + interest
        routing = route_claim(total, by_holder=by_holder)
        if donate:
            status, kind, deposit_status = "donated", "donation", "donated"
        elif routing.route is ClaimRoute.ONLINE:
            status, kind, deposit_status = "paid", "payout", "paid"
        elif routing.route is ClaimRoute.SECOND_APPROVAL:
            status, kind, deposit_status = "awaiting_approval", "payout", "claimed"
        else:
            status, kind, deposit_status = "center", "payout", "claimed"
        claim = DormantClaim(
            deposit_id=deposit.id,
            applicant_id=applicant.id,
            kind=kind,
            principal=deposit.amount,
            interest=interest,
            account_encrypted=paid_to.encrypted if paid_to else None,
            account_masked=paid_to.masked if paid_to else None,
            status=status,
            reason_code="dormant.donated" if donate else routing.reason_code,
            filed_on=platform.today(),
        )
        session.add(claim)
        session.flush()
        before = {"status": deposit.status}
        deposit.status = deposit_status
        audit(
            session,
            actor,
            f"dormant_claim.{status}",
            "dormant_deposit",
            deposit.id,
            before=before,
            after={
                "status": deposit_status,
                "claim_id": claim.id,
                "principal": deposit.amount,
                "interest": interest,
            },
            reason=claim.reason_code,
        )
        if status == "donated":
            key = f"dormant_donation:{claim.id}"
            entry = dormant_donation(key, deposit.sector, claim.principal, claim.interest)
            post(session, actor, entry, f"dormant_claim:{claim.id}", platform.today())
        if status == "paid":
            _pay(platform, session, actor, deposit, applicant, claim)
        return _result(claim)


def approve_payout(platform: Platform, staff: Actor, claim_id: int) -> ClaimResult:
    """A supervisor releases a large online claim; the payout happens once."""
    if staff.type is not ActorType.STAFF or staff.role not in APPROVING_ROLES:
        raise Forbidden("only a supervisor approves a large dormant-deposit payout")
    with platform.sessions.begin() as session:
        claim = locked_row(session, DormantClaim, DormantClaim.id, claim_id, "dormant claim")
        if claim.status == "paid":
            return _result(claim)
        if claim.status != "awaiting_approval":
            raise Conflict(
                "DORMANT_CLAIM_NOT_AWAITING",
                f"dormant claim {claim_id} is {claim.status}, not awaiting approval",
            )
        deposit = locked_row(session, DormantDeposit, DormantDeposit.id, claim.deposit_id, "dormant deposit")
        claim.status, claim.approved_by, deposit.status = "paid", staff.id, "paid"
        audit(
            session,
            staff,
            "dormant_claim.paid",
            "dormant_deposit",
            deposit.id,
            before={"status": "claimed"},
            after={"status": "paid", "claim_id": claim.id},
            reason="second approval of a large online claim",
        )
        _pay(platform, session, staff, deposit, session.get_one(Applicant, claim.applicant_id), claim)
        return _result(claim)


def _pay(
    platform: Platform,
    session: Session,
    actor: Actor,
    deposit: DormantDeposit,
    applicant: Applicant,
    claim: DormantClaim,
) -> None:
    """The payout's ledger entry (once, by the claim) and the holder's SMS, in the claim's transaction."""
    entry = dormant_payout(f"dormant_payout:{claim.id}", deposit.sector, claim.principal, claim.interest)
    post(session, actor, entry, f"dormant_claim:{claim.id}", platform.today())
    queue_message(
        session,
        platform,
        "dormant_payout",
        platform.vault.decrypt(applicant.phone_encrypted),
        {"amount": f"{claim.principal + claim.interest:,}", "account": claim.account_masked or ""},
        dedupe_key=f"dormant_payout:{claim.id}",
    )
