"""권리자 안내: the periodic notice to every rights holder of dormant deposits still held, as a mail-merge
file for the postal notice and an SMS to those whose mobile number we know (people who verified with us).

The file carries no resident number: each row has a notice number, the masked number and what is held; the
mailing house matches addresses from the resident registry extract the agency requests under the same
notice numbers. An SMS is queued once per person and month (its dedupe key), so a rerun sends nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from seomin.adapters.db.models import Applicant, DormantDeposit
from seomin.services.errors import Forbidden, InputError
from seomin.services.notifications.outbox import queue_message
from seomin.services.platform import Actor, ActorType, Platform, audit

NOTICE_COLUMNS = ("notice_no", "name", "rrn_masked", "deposits", "total_won", "institutions", "sms")


@dataclass(frozen=True, slots=True)
class HolderNotice:
    notice_no: str
    name: str
    """Known only for people who verified with us; blank otherwise (the registry extract supplies it)."""
    rrn_masked: str
    deposits: int
    total_won: int
    institutions: str
    sms: bool
    """Whether an SMS was queued (now or by an earlier run this month)."""


def rights_holder_notices(
    platform: Platform, actor: Actor, on: date, min_total: int = 0
) -> list[HolderNotice]:
    """One notice per holder with deposits still held totalling at least ``min_total`` won, and an SMS to
    those we can reach; the run is audited."""
    if actor.type is not ActorType.SYSTEM:
        raise Forbidden("rights-holder notices are produced by the scheduled job")
    if min_total < 0:
        raise InputError("min_total", "must not be negative")
    month = f"{on:%Y-%m}"
    notices: list[HolderNotice] = []
    with platform.sessions.begin() as session:
        held = session.execute(
            select(
                DormantDeposit.holder_rrn_hash,
                func.min(DormantDeposit.holder_rrn_encrypted),
                func.count(),
                func.sum(DormantDeposit.amount),
                func.count(func.distinct(DormantDeposit.institution_code)),
            )
            .where(DormantDeposit.status == "held")
            .group_by(DormantDeposit.holder_rrn_hash)
            .having(func.sum(DormantDeposit.amount) >= min_total)
            .order_by(DormantDeposit.holder_rrn_hash)
        ).all()
        people = {
            a.rrn_hash: a
            for a in session.scalars(
                select(Applicant).where(Applicant.rrn_hash.in_([h for h, *_ in held]))
            )
        }  # fmt: skip
        for n, (rrn_hash, rrn_encrypted, count, total, institutions) in enumerate(held, start=1):
            rrn = platform.vault.decrypt(rrn_encrypted)
            person = people.get(rrn_hash)
            sms = False
            if person is not None:
                queue_message(
                    session,
                    platform,
                    "dormant_notice",
                    platform.vault.decrypt(person.phone_encrypted),
                    {"amount": f"{int(total):,}", "count": int(count)},
                    dedupe_key=f"dormant_notice:{person.id}:{month}",
                )
                sms = True
            notices.append(
                HolderNotice(
                    f"DN{on:%Y%m}-{n:07d}",
                    platform.vault.decrypt(person.name_encrypted) if person else "",
                    rrn[:8] + "*" * 6,  # the canonical YYMMDD-G…, masked as everywhere
                    int(count),
                    int(total),
                    f"{int(institutions)}",
                    sms,
                )
            )
        audit(
            session,
            actor,
            "dormant.notices_produced",
            "notice_run",
            month,
            after={
                "holders": len(notices),
                "sms": sum(x.sms for x in notices),
                "won": sum(x.total_won for x in notices),
            },
            reason=f"rights-holder notices of {month}",
        )
    return notices
