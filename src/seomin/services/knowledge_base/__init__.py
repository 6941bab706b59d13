"""Knowledge base (상담 지식베이스): staff Q&A entries with versions, and Korean similar-question search."""

from __future__ import annotations

from seomin.services.knowledge_base.entries import (
    MAX_RESULTS,
    TOPICS,
    WRITER_ROLES,
    Entry,
    EntryVersion,
    SearchHit,
    add_entry,
    get_entry,
    revise_entry,
    search,
)
from seomin.services.knowledge_base.starter import load_starter_entries, starter_entries

__all__ = [
    "MAX_RESULTS",
    "TOPICS",
    "WRITER_ROLES",
    "Entry",
    "EntryVersion",
    "SearchHit",
    "add_entry",
    "get_entry",
    "load_starter_entries",
    "revise_entry",
    "search",
    "starter_entries",
]
