"""사칭·불법사금융 신고센터: anyone reports a fake site, SNS account, phone number or app; staff triage the
reports grouped by what they name, refer confirmed fakes on, and the public sees the confirmed list.

A report is one transaction with one audit event (by the anonymous public actor); so is each triage
step, which moves every report of the group together and records who, from what, to what and why. The
reporter's callback phone is encrypted and only its mask is shown.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import FraudReport, FraudReportScreenshot, utcnow
from seomin.domain.fraud_reports import (
    KINDS,
    PUBLIC_STATUSES,
    RECEIVED,
    REFERRAL_TARGETS,
    REFERRED,
    STATUSES,
    VICTIM_STEPS,
    can_move,
    target_key,
)
from seomin.domain.identity import mask_phone
from seomin.services.applications import media_type_of, store_document
from seomin.services.audit_trail import as_utc
from seomin.services.errors import Conflict, Forbidden, InputError, InputErrorCode, NotFound
from seomin.services.help import PUBLIC, HelpInputError, normalize_any_phone
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor, ActorType, Platform, audit

TRIAGE_ROLES = frozenset({"counselor", "supervisor"})
MAX_SCREENSHOTS = 3
MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024
SCREENSHOT_TYPES = frozenset({"image/jpeg", "image/png"})
MAX_DESCRIPTION_CHARS = 2000
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class ReportReceipt:
    reference_no: str
    kind: str
    target_key: str
    reports_of_target: int  # this one included: tells the reporter they are not alone
    steps_ko: list[str]
    steps_en: list[str]
    callback_phone_masked: str | None


@dataclass(frozen=True, slots=True)
class ReportGroup:
    target_key: str
    kind: str
    reports: int
    lost_money: int  # reports whose reporter lost money
    status: str  # the group's status: the status of its latest report
    referred_to: str | None
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True, slots=True)
class ConfirmedFake:
    kind: str
    target_key: str
    status: str


@dataclass(frozen=True, slots=True)
class MonthFigures:
    month: str  # YYYY-MM
    kind: str
    status: str
    reports: int


def submit_report(
    platform: Platform,
    kind: str,
    target: str,
    description: str,
    lost_money: bool,
    phone: str | None,
    screenshots: Sequence[bytes] = (),
) -> ReportReceipt:
    """Record a report by anyone, with up to ``MAX_SCREENSHOTS`` screenshots (JPEG or PNG by content, each
    at most ``MAX_SCREENSHOT_BYTES``, stored encrypted). ``InputError`` naming the field on a bad kind,
    target, text, phone or screenshot."""
    for i, content in enumerate(screenshots):
        if not content or media_type_of(content) not in SCREENSHOT_TYPES:
            raise InputError(f"screenshots.{i}", "a JPEG or PNG image", InputErrorCode.DOCUMENT_TYPE_REFUSED)
        if len(content) > MAX_SCREENSHOT_BYTES:
            raise InputError(f"screenshots.{i}", f"at most {MAX_SCREENSHOT_BYTES // (1024 * 1024)} MiB")
    if len(screenshots) > MAX_SCREENSHOTS:
        raise InputError("screenshots", f"at most {MAX_SCREENSHOTS} images")
    if kind not in KINDS:
        raise InputError("kind", f"one of {', '.join(KINDS)}")
    try:
        key = target_key(kind, target)
    except ValueError as exc:
        raise InputError("target", str(exc)) from None
    text = description.strip()
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise InputError("description", f"at most {MAX_DESCRIPTION_CHARS} characters")
    digits: str | None = None
    if phone is not None and phone.strip():
        try:
            digits = normalize_any_phone(phone)
        except HelpInputError:
            raise InputError("phone", "a phone number such as 010-1234-5678") from None
    with platform.sessions.begin() as session:
        group = _group_rows(session, key)
        # A new report of a confirmed fake joins its standing; one of a dismissed target reopens it.
        status = group[-1].status if group and group[-1].status in PUBLIC_STATUSES else RECEIVED
        row = FraudReport(
            reference_no=_new_reference(session, platform.today()),
            kind=kind,
            target=target.strip()[:300],
            target_key=key,
            description=text,
            lost_money=bool(lost_money),
            phone_encrypted=platform.vault.encrypt(digits) if digits else None,
            phone_masked=mask_phone(digits) if digits else None,
            status=status,
        )
        session.add(row)
        session.flush()
        for content in screenshots:
            digest, relative = store_document(platform, content)
            session.add(
                FraudReportScreenshot(
                    report_id=row.id,
                    media_type=str(media_type_of(content)),
                    size_bytes=len(content),
                    sha256=digest,
                    storage_path=relative,
                )
            )
        audit(
            session,
            PUBLIC,
            "fraud_report.received",
            "fraud_report",
            row.id,
            after={
                "kind": kind,
                "target_key": key,
                "lost_money": row.lost_money,
                "screenshots": len(screenshots),
            },
            reason="public report",
        )
        return ReportReceipt(
            reference_no=row.reference_no,
            kind=kind,
            target_key=key,
            reports_of_target=len(group) + 1,
            steps_ko=[ko for ko, _ in VICTIM_STEPS],
            steps_en=[en for _, en in VICTIM_STEPS],
            callback_phone_masked=row.phone_masked,
        )


def triage(
    platform: Platform, actor: Actor, key: str, status: str, reason: str, referred_to: str | None = None
) -> ReportGroup:
    """Move every report of the group to ``status``. ``Conflict`` when the move is not allowed from the
    group's status; a referral names where to (``REFERRAL_TARGETS``); a reason is required."""
    _staff(actor, TRIAGE_ROLES)
    if status not in STATUSES:
        raise InputError("status", f"one of {', '.join(STATUSES)}")
    if not reason.strip():
        raise InputError("reason", "say why")
    if status == REFERRED and referred_to not in REFERRAL_TARGETS:
        raise InputError("referred_to", f"one of {', '.join(REFERRAL_TARGETS)}")
    with platform.sessions.begin() as session:
        rows = _group_rows(session, key, lock=True)
        if not rows:
            raise NotFound("fraud_report_group", key)
        before = rows[-1].status
        if not can_move(before, status):
            raise Conflict("FRAUD_REPORT_TRANSITION", f"a {before} report cannot become {status}")
        now = utcnow()
        for row in rows:
            row.status = status
            row.referred_to = referred_to if status == REFERRED else row.referred_to
            row.updated_at = now
        audit(
            session,
            actor,
            "fraud_report.triaged",
            "fraud_report_group",
            # a target key may be a host of up to 253 characters; the event's entity id holds 64
            key if len(key) <= 64 else hashlib.sha256(key.encode()).hexdigest(),
            before={"status": before},
            after={"status": status, "referred_to": referred_to, "reports": len(rows), "target_key": key},
            reason=reason.strip(),
        )
        return _group(rows)


def report_groups(platform: Platform, actor: Actor, status: str | None = None) -> list[ReportGroup]:
    """The triage worklist: one line per reported target, the most reported first. Any staff role."""
    _staff(actor, STAFF_ROLES)
    if status is not None and status not in STATUSES:
        raise InputError("status", f"one of {', '.join(STATUSES)}")
    with platform.sessions() as session:
        rows = session.scalars(select(FraudReport).order_by(FraudReport.id)).all()
    by_key: dict[str, list[FraudReport]] = {}
    for row in rows:
        by_key.setdefault(row.target_key, []).append(row)
    groups = [_group(g) for g in by_key.values()]
    groups = [g for g in groups if status is None or g.status == status]
    return sorted(groups, key=lambda g: (-g.reports, g.target_key))


def confirmed_fakes(platform: Platform) -> list[ConfirmedFake]:
    """The public list: targets staff confirmed as fake (or referred on), by kind and name."""
    with platform.sessions() as session:
        found = session.execute(
            select(FraudReport.kind, FraudReport.target_key, FraudReport.status)
            .where(FraudReport.status.in_(PUBLIC_STATUSES))
            .distinct()
            .order_by(FraudReport.kind, FraudReport.target_key)
        ).all()
    return [ConfirmedFake(kind, key, status) for kind, key, status in found]


def monthly_figures(platform: Platform, actor: Actor, year: int) -> list[MonthFigures]:
    """Reports received per month of ``year`` by kind and current status, for management."""
    _staff(actor, STAFF_ROLES)
    if not 2000 <= year <= 2100:
        raise InputError("year", "a year such as 2026")
    with platform.sessions() as session:
        rows = session.execute(
            select(FraudReport.created_at, FraudReport.kind, FraudReport.status).where(
                FraudReport.created_at >= datetime(year, 1, 1, tzinfo=as_utc(utcnow()).tzinfo),
                FraudReport.created_at < datetime(year + 1, 1, 1, tzinfo=as_utc(utcnow()).tzinfo),
            )
        ).all()
    counts: dict[tuple[str, str, str], int] = {}
    for created, kind, status in rows:
        month = f"{as_utc(created):%Y-%m}"
        counts[(month, kind, status)] = counts.get((month, kind, status), 0) + 1
    return [MonthFigures(m, k, s, n) for (m, k, s), n in sorted(counts.items())]


def _staff(actor: Actor, roles: Collection[str]) -> None:
    if actor.type is not ActorType.STAFF or actor.role not in roles:
        raise Forbidden("fraud report triage is for " + ", ".join(sorted(roles)))


def _group_rows(session: Session, key: str, lock: bool = False) -> list[FraudReport]:
    stmt = select(FraudReport).where(FraudReport.target_key == key).order_by(FraudReport.id)
    return list(session.scalars(stmt.with_for_update() if lock else stmt))


def _group(rows: list[FraudReport]) -> ReportGroup:
    return ReportGroup(
        target_key=rows[0].target_key,
        kind=rows[0].kind,
        reports=len(rows),
        lost_money=sum(1 for r in rows if r.lost_money),
        status=rows[-1].status,
        referred_to=rows[-1].referred_to,
        first_at=as_utc(rows[0].created_at),
        last_at=as_utc(rows[-1].created_at),
    )


def _new_reference(session: Session, today: date) -> str:
    """R + date + 8 random characters (unguessable; uniqueness is the schema's)."""
    while True:
        number = f"R{today:%y%m%d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if session.scalar(select(func.count()).where(FraudReport.reference_no == number)) == 0:
            return number


@dataclass(frozen=True, slots=True)
class Screenshot:
    id: int
    reference_no: str
    media_type: str
    size_bytes: int


def screenshots_by_target(platform: Platform, actor: Actor) -> dict[str, list[Screenshot]]:
    """Every report's screenshots, by the target key of its group, for the triage page. Any staff role."""
    _staff(actor, STAFF_ROLES)
    with platform.sessions() as session:
        rows = session.execute(
            select(FraudReport.target_key, FraudReport.reference_no, FraudReportScreenshot)
            .join(FraudReportScreenshot, FraudReportScreenshot.report_id == FraudReport.id)
            .order_by(FraudReportScreenshot.id)
        ).all()
    found: dict[str, list[Screenshot]] = {}
    for key, reference, shot in rows:
        found.setdefault(key, []).append(Screenshot(shot.id, reference, shot.media_type, shot.size_bytes))
    return found


def screenshot_content(platform: Platform, actor: Actor, screenshot_id: int) -> tuple[str, bytes]:
    """(media type, the decrypted image) of one screenshot, for staff; the viewing is audited."""
    _staff(actor, STAFF_ROLES)
    with platform.sessions.begin() as session:
        shot = session.get(FraudReportScreenshot, screenshot_id)
        if shot is None:
            raise NotFound("screenshot", screenshot_id)
        audit(
            session, actor, "fraud_report.screenshot_viewed", "fraud_report", shot.report_id, reason="triage"
        )
        path = platform.storage_dir / shot.storage_path
        media_type = shot.media_type
    return media_type, platform.vault.decrypt_bytes(path.read_bytes())
