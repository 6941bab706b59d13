"""The retention job deletes document files past retention, keeps files another document still needs,
records the deletion per application, and is safe to run again."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from test_applications import FRESH, applicant, apply, staff

from builders import business_day
from seomin.adapters.db.models import ApplicationDocument, AuditEvent
from seomin.services.applications import (
    get_application,
    open_document,
    purge_expired_documents,
    withdraw,
)
from seomin.services.errors import Conflict, InputError
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

OTHER_FILES = [(kind, issued, name, content + b" of B") for kind, issued, name, content in FRESH]


def documents_of(platform: Platform, application_id: int) -> list[ApplicationDocument]:
    with platform.sessions() as session:
        return list(
            session.scalars(
                select(ApplicationDocument).where(ApplicationDocument.application_id == application_id)
            )
        )


def test_withdrawn_documents_go_three_months_later_and_shared_files_stay(platform: Platform) -> None:
    person = applicant(platform)
    withdrawn = apply(platform, person)
    kept = apply(platform, person)  # the same files, still under review
    other = applicant(platform, "900101-2234567", "김민지")
    gone = apply(platform, other, documents=OTHER_FILES)
    withdraw(platform, person, withdrawn)
    withdraw(platform, other, gone)
    gone_files = [platform.storage_dir / d.storage_path for d in documents_of(platform, gone)]
    assert all(f.exists() for f in gone_files)

    with business_day(platform, date(2025, 8, 14)):  # withdrawn 2025-05-15: not yet
        assert purge_expired_documents(platform, date(2025, 8, 14)).documents == 0
    with business_day(platform, date(2025, 8, 15)):
        done = purge_expired_documents(platform, date(2025, 8, 15))
        again = purge_expired_documents(platform, date(2025, 8, 15))
        with pytest.raises(InputError) as future:
            purge_expired_documents(platform, date(2025, 8, 16))
    assert (done.documents, done.applications, done.files) == (len(FRESH) * 2, 2, len(FRESH))
    assert again.documents == 0 and future.value.field == "on"
    assert not any(f.exists() for f in gone_files)
    assert all(
        d.purged_at is not None for d in documents_of(platform, withdrawn) + documents_of(platform, gone)
    )
    still = documents_of(platform, kept)
    assert all(d.purged_at is None and (platform.storage_dir / d.storage_path).exists() for d in still)

    reviewer = staff(platform, "viewer")
    assert open_document(platform, reviewer, kept, still[0].id).content.startswith(b"%PDF")
    with pytest.raises(Conflict) as purged:
        open_document(platform, reviewer, gone, documents_of(platform, gone)[0].id)
    assert purged.value.code == "DOCUMENT_PURGED"
    shown = get_application(platform, reviewer, gone)["documents"]
    assert shown and all(d["purged_on"] is not None for d in shown)
    assert all(d["purged_on"] is None for d in get_application(platform, reviewer, kept)["documents"])
    with platform.sessions() as session:
        records = session.scalars(select(AuditEvent).where(AuditEvent.action == "documents.purged")).all()
    assert sorted(int(r.entity_id) for r in records) == sorted([withdrawn, gone])
    assert all(
        r.after is not None and r.after["basis"] == "not_established" and r.after["ended_on"] == "2025-05-15"
        for r in records
    )
