"""Close of business, step 4: certificates not executed within their validity expire."""

from __future__ import annotations

from sqlalchemy import and_, select, update

from seomin.domain.lifecycle import GuaranteeStatus
from seomin.services.close_of_business.common import GUARANTEES, _Run, _text

# --- 4. guarantee expiry ---------------------------------------------------------------------------


def _expire_guarantees(run: _Run) -> None:
    g = GUARANTEES.c
    expiring = and_(g.status == GuaranteeStatus.ISSUED.value, g.expires_on < run.business_date)
    # The expiring rows locked first (an execution locks its guarantee), so the audit rows and the update
    # below see the same rows; no row can start matching (a guarantee is issued with a later expiry).
    run.conn.execute(select(g.id).where(expiring).order_by(g.id).with_for_update()).all()
    run.audit_select(
        action=f"guarantee.{GuaranteeStatus.EXPIRED.value}",
        entity_type="guarantee",
        entity_id=g.id,
        before=run.json(status=_text(GuaranteeStatus.ISSUED.value)),
        after=run.json(status=_text(GuaranteeStatus.EXPIRED.value)),
        reason=run.reason("not executed by ", g.expires_on),
        from_=GUARANTEES,
        where=expiring,
    )
    run.stats["guarantees_expired"] = run.conn.execute(
        update(GUARANTEES).values(status=GuaranteeStatus.EXPIRED.value).where(expiring)
    ).rowcount
