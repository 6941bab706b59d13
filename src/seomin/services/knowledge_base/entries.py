"""Knowledge base (상담 지식베이스): staff Q&A entries with owners and versions, and similar-question search.

Counselors, reviewers and supervisors write entries; any staff member searches all of them; anyone
searches the entries marked public (the applicant FAQ). A revision keeps the old text as a version and
bumps the number; only the owner or a supervisor revises. Each write is one transaction with one audit
event. Search ranks by BM25 over the questions' Korean content morphemes (Kiwi) through the in-memory
``index``, rebuilt whenever an entry changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from seomin.adapters.db.models import KnowledgeEntry, KnowledgeEntryVersion, StaffUser, utcnow
from seomin.services.audit_trail import as_utc
from seomin.services.errors import Forbidden, InputError, NotFound
from seomin.services.identity import STAFF_ROLES
from seomin.services.knowledge_base.index import question_index
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row, required_text

WRITER_ROLES = frozenset({"counselor", "reviewer", "supervisor"})
TOPICS = ("products", "eligibility", "documents", "repayment", "recourse", "fraud", "counseling", "other")
MAX_QUESTION_CHARS = 300
MAX_ANSWER_CHARS = 4000
MAX_RESULTS = 10


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    topic: str
    question: str
    answer: str
    public: bool
    owner_id: int
    version: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class EntryVersion:
    version: int
    question: str
    answer: str
    edited_by: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    topic: str
    question: str
    answer: str
    score: float
    """BM25 relevance to the query (above 0; higher is closer), for ordering, not a percentage."""


def _staff_id(actor: Actor, writing: bool) -> int:
    if actor.type is not ActorType.STAFF or actor.role not in STAFF_ROLES:
        raise Forbidden("the knowledge base is edited by agency staff only")
    if writing and actor.role not in WRITER_ROLES:
        raise Forbidden("only counselors, reviewers and supervisors write knowledge-base entries")
    try:
        return int(actor.id)
    except ValueError:
        raise Forbidden("not a staff user") from None


def _topic(topic: str) -> str:
    if topic not in TOPICS:
        raise InputError("topic", f"one of {', '.join(TOPICS)}")
    return topic


def _entry(row: KnowledgeEntry) -> Entry:
    return Entry(
        id=row.id,
        topic=row.topic,
        question=row.question,
        answer=row.answer,
        public=row.public,
        owner_id=row.owner_id,
        version=row.version,
        updated_at=as_utc(row.updated_at),
    )


def add_entry(
    platform: Platform, actor: Actor, topic: str, question: str, answer: str, public: bool
) -> Entry:
    """A new entry owned by the writer, version 1. ``InputError`` on an unknown topic or bad text."""
    staff_id = _staff_id(actor, writing=True)
    topic = _topic(topic)
    q = required_text("question", question, MAX_QUESTION_CHARS)
    a = required_text("answer", answer, MAX_ANSWER_CHARS)
    with platform.sessions.begin() as session:
        user = session.get(StaffUser, staff_id)
        if user is None or not user.active:
            raise Forbidden("only active staff write knowledge-base entries")
        row = KnowledgeEntry(
            topic=topic, question=q, answer=a, public=bool(public), owner_id=staff_id, version=1
        )
        session.add(row)
        session.flush()
        session.add(
            KnowledgeEntryVersion(entry_id=row.id, version=1, question=q, answer=a, edited_by=staff_id)
        )
        audit(
            session,
            actor,
            "knowledge_entry.added",
            "knowledge_entry",
            row.id,
            after={"topic": topic, "public": row.public},
            reason="knowledge base entry",
        )
        return _entry(row)


def revise_entry(
    platform: Platform, actor: Actor, entry_id: int, question: str, answer: str, public: bool
) -> Entry:
    """A new version of the entry by its owner or a supervisor; the previous text stays as a version."""
    staff_id = _staff_id(actor, writing=True)
    q = required_text("question", question, MAX_QUESTION_CHARS)
    a = required_text("answer", answer, MAX_ANSWER_CHARS)
    with platform.sessions.begin() as session:
        row = locked_row(session, KnowledgeEntry, KnowledgeEntry.id, entry_id, "knowledge_entry")
        if row.owner_id != staff_id and actor.role != "supervisor":
            raise Forbidden("only the entry's owner or a supervisor revises it")
        before = row.version
        row.question, row.answer, row.public = q, a, bool(public)
        row.version = before + 1
        row.updated_at = utcnow()
        session.add(
            KnowledgeEntryVersion(
                entry_id=row.id, version=row.version, question=q, answer=a, edited_by=staff_id
            )
        )
        audit(
            session,
            actor,
            "knowledge_entry.revised",
            "knowledge_entry",
            row.id,
            before={"version": before},
            after={"version": row.version, "public": row.public},
            reason="knowledge base revision",
        )
        return _entry(row)


def get_entry(platform: Platform, actor: Actor, entry_id: int) -> tuple[Entry, list[EntryVersion]]:
    """The entry and all its versions, oldest first. Any staff role."""
    _staff_id(actor, writing=False)
    with platform.sessions() as session:
        row = session.get(KnowledgeEntry, entry_id)
        if row is None:
            raise NotFound("knowledge_entry", entry_id)
        versions = session.scalars(
            select(KnowledgeEntryVersion)
            .where(KnowledgeEntryVersion.entry_id == entry_id)
            .order_by(KnowledgeEntryVersion.version)
        ).all()
        return _entry(row), [
            EntryVersion(v.version, v.question, v.answer, v.edited_by, as_utc(v.created_at)) for v in versions
        ]


def search(platform: Platform, query: str, limit: int = 3, staff: bool = False) -> list[SearchHit]:
    """Entries whose question is most like ``query``, best first: staff see every entry, others only
    the public ones. ``InputError`` on an empty or over-long query."""
    q = required_text("q", query, MAX_QUESTION_CHARS)
    if not 1 <= limit <= MAX_RESULTS:
        raise InputError("limit", f"between 1 and {MAX_RESULTS}")
    with platform.sessions() as session:
        matches = question_index(session, platform.engine).rank(q, limit, public_only=not staff)
        rows = {
            row.id: row
            for row in session.scalars(
                select(KnowledgeEntry).where(KnowledgeEntry.id.in_([m.key for m in matches]))
            )
        }
    return [
        SearchHit(m.key, rows[m.key].topic, rows[m.key].question, rows[m.key].answer, m.score)
        for m in matches
    ]
