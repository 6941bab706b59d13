"""The bank declines a verified certificate (대출 거절): after checking the certificate with its code, the
bank decides not to lend (its own credit review, the person withdrew at the branch ...). The guarantee
becomes ``declined`` at once, so it no longer reserves the person's limit and can never be executed; the
bank's reason is audited and shown on the person's my page. Only an ``issued`` guarantee can be declined
(an executed, expired or claimed one is ``Conflict GUARANTEE_<STATE>``)."""

from __future__ import annotations

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import Guarantee
from seomin.domain.lifecycle import (
    GUARANTEE_TRANSITIONS,
    GuaranteeStatus,
    IllegalTransition,
    check_transition,
)
from seomin.services.errors import Conflict, InputError
from seomin.services.loans.common import (
    JsonDict,
    _bank_code,
    _check_code,
    _for_update,
    _own_guarantee,
    _text,
    guarded_code,
)
from seomin.services.platform import Actor, Platform, audit

DECLINE_REASONS = ("credit_review", "applicant_withdrew", "documents_mismatch", "other")


def decline_certificate(
    platform: Platform, bank: Actor, certificate_no: str, verification_code: str, reason: str, note: str = ""
) -> JsonDict:
    bank_code = _bank_code(bank)
    certificate = _text("certificate_no", certificate_no, 32)
    code = _text("verification_code", verification_code, 64)
    if reason not in DECLINE_REASONS:
        raise InputError("reason", f"one of {', '.join(DECLINE_REASONS)}")
    note = note.strip()
    if len(note) > 500:
        raise InputError("note", "at most 500 characters")
    with guarded_code(platform, bank, certificate), transaction(platform.sessions) as session:
        found = _own_guarantee(session, bank_code, certificate)
        _check_code(platform, found.certificate_no, found.verification_code_hash, code)
        guarantee = _for_update(session, Guarantee, found.id)
        try:
            check_transition(
                "guarantee",
                GUARANTEE_TRANSITIONS,
                GuaranteeStatus(guarantee.status),
                GuaranteeStatus.DECLINED,
            )
        except IllegalTransition as exc:
            raise Conflict(exc.code, str(exc)) from None
        guarantee.status = GuaranteeStatus.DECLINED.value
        audit(
            session,
            bank,
            "guarantee.declined",
            "guarantee",
            guarantee.id,
            before={"status": GuaranteeStatus.ISSUED.value},
            after={"status": guarantee.status, "reason": reason},
            reason=f"declined by {bank_code}: {reason}" + (f" ({note})" if note else ""),
        )
        return {"certificate_no": guarantee.certificate_no, "status": guarantee.status, "reason": reason}
