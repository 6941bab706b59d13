"""신용·부채관리 컨설팅: programmes of up to six monthly sessions, their plans and progress records."""

from __future__ import annotations

from seomin.services.consulting.programmes import (
    WRITER_ROLES,
    ProgrammeLine,
    ProgrammeView,
    SessionReceipt,
    SessionView,
    completed_consulting,
    enroll,
    get_programme,
    list_programmes,
    programmes_of,
    record_session,
)

__all__ = [
    "WRITER_ROLES",
    "ProgrammeLine",
    "ProgrammeView",
    "SessionReceipt",
    "SessionView",
    "completed_consulting",
    "enroll",
    "get_programme",
    "list_programmes",
    "programmes_of",
    "record_session",
]
