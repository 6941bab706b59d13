"""The retention job (서류 파기): delete the files of submitted documents whose retention has ended.

Run daily (``seomin documents purge``). The periods are the domain's (``domain.retention``). Files are
deleted before the rows are marked, inside the transaction: if the commit then fails, the next run finds
the same rows and finishes (a missing file is no error), so a crash never leaves a file the records call
deleted. One stored file can serve several documents (files are named by their content), so a file goes
only when no document still kept refers to it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select, update

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import Application, ApplicationDocument, Guarantee, Loan, ReviewDecision
from seomin.domain.lifecycle import ApplicationStatus
from seomin.domain.retention import ApplicationEnd, Retention, retention_of
from seomin.services.errors import InputError, InputErrorCode
from seomin.services.platform import Actor, ActorType, Platform, audit

RETENTION_JOB = Actor(ActorType.SYSTEM, "document-retention")
_ENDED_STATUSES = (
    ApplicationStatus.REJECTED.value,
    ApplicationStatus.WITHDRAWN.value,
    ApplicationStatus.GUARANTEED.value,  # its guarantee expired or its loan was repaid, perhaps
)
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class PurgeOutcome:
    on: date
    documents: int
    files: int
    applications: int


def purge_expired_documents(platform: Platform, on: date) -> PurgeOutcome:
    """Delete the document files whose retention ended on or before ``on`` (not after today)."""
    if on > platform.today():
        raise InputError("on", f"{on.isoformat()} is after today", InputErrorCode.DATE_AFTER_TODAY)
    with transaction(platform.sessions) as session:
        last_decision = (
            select(ReviewDecision.application_id, func.max(ReviewDecision.decided_on).label("on"))
            .group_by(ReviewDecision.application_id)
            .subquery()
        )
        rows = session.execute(
            select(
                ApplicationDocument.id,
                ApplicationDocument.application_id,
                ApplicationDocument.storage_path,
                Application.status,
                Application.submitted_on,
                last_decision.c.on,
                Guarantee.status,
                Guarantee.expires_on,
                Loan.status,
                Loan.repaid_on,
            )
            .join(Application, Application.id == ApplicationDocument.application_id)
            .outerjoin(last_decision, last_decision.c.application_id == Application.id)
            .outerjoin(Guarantee, Guarantee.application_id == Application.id)
            .outerjoin(Loan, Loan.guarantee_id == Guarantee.id)
            .where(ApplicationDocument.purged_at.is_(None), Application.status.in_(_ENDED_STATUSES))
            .order_by(ApplicationDocument.id)
        ).all()
        due: dict[int, tuple[int, str, Retention]] = {}
        for doc_id, application_id, path, status, submitted_on, decided_on, *later in rows:
            last_event_on = max(submitted_on, decided_on or submitted_on)
            retention = retention_of(ApplicationEnd(status, last_event_on, *later))
            if retention is not None and retention.purge_on <= on:
                due[doc_id] = (application_id, path, retention)
        if not due:
            return PurgeOutcome(on, 0, 0, 0)
        paths = sorted({path for _, path, _ in due.values()})
        still_used: set[str] = set()
        for start in range(0, len(paths), _CHUNK):
            chunk = paths[start : start + _CHUNK]
            for doc_id, path in session.execute(
                select(ApplicationDocument.id, ApplicationDocument.storage_path).where(
                    ApplicationDocument.purged_at.is_(None), ApplicationDocument.storage_path.in_(chunk)
                )
            ):
                if doc_id not in due:
                    still_used.add(path)
        deleted = 0
        for path in paths:
            if path not in still_used:
                (platform.storage_dir / path).unlink(missing_ok=True)
                deleted += 1
        now = datetime.now(UTC)
        ids = sorted(due)
        for start in range(0, len(ids), _CHUNK):
            session.execute(
                update(ApplicationDocument)
                .where(ApplicationDocument.id.in_(ids[start : start + _CHUNK]))
                .values(purged_at=now)
            )
        per_application = Counter(application_id for application_id, _, _ in due.values())
        # one event per application: its documents share the application's retention
        retention_of_application = {application_id: r for application_id, _, r in due.values()}
        for application_id, retention in retention_of_application.items():
            audit(
                session,
                RETENTION_JOB,
                "documents.purged",
                "application",
                application_id,
                after={
                    "documents": per_application[application_id],
                    "basis": retention.basis.value,
                    "ended_on": retention.ended_on.isoformat(),
                    "purge_on": retention.purge_on.isoformat(),
                },
                reason=f"retention ended; purge run of {on.isoformat()}",
            )
        return PurgeOutcome(on, len(due), deleted, len(per_application))
