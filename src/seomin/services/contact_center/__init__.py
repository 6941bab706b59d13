"""Contact center (서민금융 종합상담): the counselor workspace (person search, one timeline per person,
notes) and the 1397 chat."""

from __future__ import annotations

from seomin.services.contact_center.chat import (
    COUNSELOR_ROLES,
    MAX_MESSAGE_CHARS,
    ChatSummary,
    Line,
    chat_queue,
    close_chat,
    hand_over,
    lines_after,
    open_chat,
    post_as_counselor,
    post_as_visitor,
    staff_chat,
    take_chat,
    visitor_chat,
)
from seomin.services.contact_center.workspace import (
    MAX_NOTE_CHARS,
    WRITER_ROLES,
    PersonHit,
    PersonView,
    SearchBy,
    TimelineItem,
    add_person_note,
    find_people,
    person_view,
)

__all__ = [
    "COUNSELOR_ROLES",
    "MAX_MESSAGE_CHARS",
    "MAX_NOTE_CHARS",
    "WRITER_ROLES",
    "ChatSummary",
    "Line",
    "PersonHit",
    "PersonView",
    "SearchBy",
    "TimelineItem",
    "add_person_note",
    "chat_queue",
    "close_chat",
    "find_people",
    "hand_over",
    "lines_after",
    "open_chat",
    "person_view",
    "post_as_counselor",
    "post_as_visitor",
    "staff_chat",
    "take_chat",
    "visitor_chat",
]
