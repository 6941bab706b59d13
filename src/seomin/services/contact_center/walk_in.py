"""A walk-in at a center's desk (대면 신청 지원): the counselor checks the person's ID card, captures their
consent on the desk screen, and opens an applicant session for them on the desk's browser; the person then
applies through the ordinary application pages with the counselor (documents scanned and uploaded there),
so the application is the person's own, with every rule the online one has.

The session opening is one transaction with two audit events: the applicant's ``applicant.session_opened``
and the counselor's ``applicant.desk_session_opened`` (the consent version and that the ID was checked).
The name must match the record of that resident number, as online (``IDENTITY_MISMATCH``).
"""

from __future__ import annotations

from seomin.domain.identity import normalize_phone, parse_resident_number
from seomin.services.errors import Forbidden, InputError
from seomin.services.identity import VerifiedIdentity, open_session
from seomin.services.platform import Actor, ActorType, Platform, audit, required_text
from seomin.services.verification import CONSENT_VERSION

DESK_ROLES = frozenset({"counselor", "supervisor"})


def open_desk_session(
    platform: Platform,
    actor: Actor,
    *,
    name: str,
    rrn: str,
    phone: str,
    id_checked: bool,
    consent: bool,
) -> tuple[int, str]:
    """(applicant id, session token) for the person at the desk. ``InputError`` naming the field: the ID
    not checked, no consent, a bad name, resident number or phone."""
    if actor.type is not ActorType.STAFF or actor.role not in DESK_ROLES:
        raise Forbidden("walk-ins are helped by counselors and supervisors")
    if not id_checked:
        raise InputError("id_checked", "check the person's ID card first")
    if not consent:
        raise InputError("consent", "the person's consent is required")
    cleaned = required_text("name", name, 50)
    if any(ch.isdigit() for ch in cleaned):
        raise InputError("name", "a name has no digits")
    try:
        number = parse_resident_number(rrn or "", platform.today())
    except ValueError as exc:
        raise InputError("rrn", str(exc)) from None
    try:
        mobile = normalize_phone(phone or "")
    except ValueError as exc:
        raise InputError("phone", str(exc)) from None
    with platform.sessions.begin() as session:
        applicant_id, token = open_session(
            session, platform, VerifiedIdentity(cleaned, number, mobile), reason="ID checked at the desk"
        )
        audit(
            session,
            actor,
            "applicant.desk_session_opened",
            "applicant",
            applicant_id,
            after={"consent": CONSENT_VERSION, "id_checked": True},
            reason="walk-in at the desk",
        )
        return applicant_id, token
