"""Call and chat quality (상담 품질 모니터링): every closed chat, and every call transcript imported from the
STT system, is checked against the rubric (``domain.quality``, data in ``quality_rubric.toml``); supervisors
see the figures per counselor and per topic.

The import interface takes the STT system's calls as plain data (JSON): ``call_id`` (unique per call: a
re-import of the same call is skipped, not counted twice), ``counselor`` (a staff username), ``topic``
(a chat topic code), ``held_on`` (YYYY-MM-DD) and ``segments`` of ``{"speaker": "agent"|"customer",
"text": ...}``. A batch is one transaction: one bad call refuses the batch with the field named
(``calls.3.segments``). Transcripts are stored encrypted; only supervisors and auditors read the figures.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from seomin.adapters.db.models import Chat, ChatMessage, QualityReview, StaffUser
from seomin.domain.contact import CHAT_TOPICS
from seomin.domain.quality import COUNSELOR, CUSTOMER, QualityResult, Rubric, check_transcript
from seomin.services.errors import Forbidden, InputError, NotFound
from seomin.services.platform import SYSTEM, Actor, ActorType, Platform, audit

READER_ROLES = frozenset({"supervisor", "auditor"})
MAX_CALLS = 500
MAX_SEGMENTS = 2000
SPEAKERS = {"agent": COUNSELOR, "counselor": COUNSELOR, "customer": CUSTOMER}


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    reviews: int
    average: int
    """The average score, whole percent, half up."""
    passed: int
    failures: dict[str, int]
    """How many reviews failed each check."""


@dataclass(frozen=True, slots=True)
class ReviewLine:
    source: str
    source_ref: str
    counselor: str
    topic: str
    score: int
    passed: bool
    failed: tuple[str, ...]
    held_on: date


@dataclass(frozen=True, slots=True)
class QualityFigures:
    by_counselor: list[Figure]
    by_topic: list[Figure]
    recent: list[ReviewLine]


def _store(
    platform: Platform,
    session: Any,
    rubric: Rubric,
    *,
    source: str,
    ref: str,
    counselor_id: int,
    topic: str,
    lines: list[tuple[str, str]],
    held_on: date,
) -> QualityResult:
    result = check_transcript(rubric, topic, lines)
    session.add(
        QualityReview(
            source=source,
            source_ref=ref,
            counselor_id=counselor_id,
            topic=topic,
            transcript_encrypted=platform.vault.encrypt(json.dumps(lines, ensure_ascii=False)),
            rubric_version=result.rubric_version,
            score=result.score,
            passed=result.passed,
            failed=",".join(result.failed),
            held_on=held_on,
        )
    )
    return result


def review_chat(platform: Platform, rubric: Rubric, chat_id: int) -> QualityResult | None:
    """Check a closed chat's transcript (the counselor who closed it answers for it); None when the chat is
    not closed or was reviewed already. Audited as the system's."""
    with platform.sessions.begin() as session:
        chat = session.get(Chat, chat_id)
        if chat is None:
            raise NotFound("chat", chat_id)
        if chat.status != "closed" or chat.counselor_id is None:
            return None
        done = session.scalars(
            select(QualityReview.id).where(
                QualityReview.source == "chat", QualityReview.source_ref == str(chat_id)
            )
        ).first()
        if done is not None:
            return None
        rows = session.scalars(
            select(ChatMessage).where(ChatMessage.chat_id == chat_id).order_by(ChatMessage.id)
        )
        lines = [
            (COUNSELOR if m.sender == "counselor" else CUSTOMER, platform.vault.decrypt(m.body_encrypted))
            for m in rows
            if m.sender != "system"
        ]
        result = _store(
            platform,
            session,
            rubric,
            source="chat",
            ref=str(chat_id),
            counselor_id=chat.counselor_id,
            topic=chat.topic,
            lines=lines,
            held_on=platform.today(),
        )
        audit(
            session,
            SYSTEM,
            "quality.reviewed",
            "chat",
            chat_id,
            after={"score": result.score, "failed": list(result.failed), "rubric": result.rubric_version},
            reason="quality rubric",
        )
        return result


def _call(raw: object, i: int, today: date) -> tuple[str, str, str, date, list[tuple[str, str]]]:
    where = f"calls.{i}"
    if not isinstance(raw, dict):
        raise InputError(where, "an object")
    call_id, counselor, topic = raw.get("call_id"), raw.get("counselor"), raw.get("topic")
    if not isinstance(call_id, str) or not 1 <= len(call_id) <= 64:
        raise InputError(f"{where}.call_id", "text of 1 to 64 characters")
    if not isinstance(counselor, str) or not counselor:
        raise InputError(f"{where}.counselor", "a staff username")
    if topic not in CHAT_TOPICS:
        raise InputError(f"{where}.topic", f"one of {', '.join(CHAT_TOPICS)}")
    try:
        held_on = date.fromisoformat(str(raw.get("held_on")))
    except ValueError:
        raise InputError(f"{where}.held_on", "a date as YYYY-MM-DD") from None
    if held_on > today:
        raise InputError(f"{where}.held_on", "not after today")
    segments = raw.get("segments")
    if not isinstance(segments, list) or not 1 <= len(segments) <= MAX_SEGMENTS:
        raise InputError(f"{where}.segments", f"a list of 1 to {MAX_SEGMENTS} segments")
    lines = []
    for j, segment in enumerate(segments):
        speaker = segment.get("speaker") if isinstance(segment, dict) else None
        text = segment.get("text") if isinstance(segment, dict) else None
        if speaker not in SPEAKERS or not isinstance(text, str):
            raise InputError(f"{where}.segments.{j}", "speaker agent or customer, and text")
        lines.append((SPEAKERS[speaker], text[:2000]))
    return call_id, counselor, str(topic), held_on, lines


def import_calls(platform: Platform, rubric: Rubric, actor: Actor, calls: object) -> tuple[int, int]:
    """Check and keep a batch of STT call transcripts; returns (reviewed, skipped as already imported).
    Supervisors import (the STT system's operator)."""
    if actor.type is not ActorType.STAFF or actor.role != "supervisor":
        raise Forbidden("call transcripts are imported by supervisors")
    if not isinstance(calls, list) or not 1 <= len(calls) <= MAX_CALLS:
        raise InputError("calls", f"a list of 1 to {MAX_CALLS} calls")
    parsed = [_call(raw, i, platform.today()) for i, raw in enumerate(calls)]
    added = skipped = 0
    with platform.sessions.begin() as session:
        staff = {
            name: (staff_id, active)
            for staff_id, name, active in session.execute(
                select(StaffUser.id, StaffUser.username, StaffUser.active).where(
                    StaffUser.username.in_({p[1] for p in parsed})
                )
            )
        }
        seen = set(
            session.scalars(
                select(QualityReview.source_ref).where(
                    QualityReview.source == "call", QualityReview.source_ref.in_({p[0] for p in parsed})
                )
            )
        )
        for i, (call_id, counselor, topic, held_on, lines) in enumerate(parsed):
            if counselor not in staff:
                raise InputError(f"calls.{i}.counselor", "a staff username")
            if call_id in seen:
                skipped += 1
                continue
            seen.add(call_id)
            _store(
                platform,
                session,
                rubric,
                source="call",
                ref=call_id,
                counselor_id=staff[counselor][0],
                topic=topic,
                lines=lines,
                held_on=held_on,
            )
            added += 1
        audit(
            session,
            actor,
            "quality.calls_imported",
            "quality_review",
            "-",
            after={"reviewed": added, "skipped": skipped},
            reason="STT import",
        )
    return added, skipped


def _figure(key: str, rows: list[QualityReview]) -> Figure:
    failures: dict[str, int] = defaultdict(int)
    for row in rows:
        for code in filter(None, row.failed.split(",")):
            failures[code] += 1
    total = sum(r.score for r in rows)
    return Figure(
        key=key,
        reviews=len(rows),
        average=(2 * total + len(rows)) // (2 * len(rows)),
        passed=sum(1 for r in rows if r.passed),
        failures=dict(sorted(failures.items())),
    )


def quality_figures(platform: Platform, actor: Actor, start: date, end: date) -> QualityFigures:
    """Reviews held from ``start`` to ``end`` (inclusive) per counselor and per topic, and the latest 50."""
    if actor.type is not ActorType.STAFF or actor.role not in READER_ROLES:
        raise Forbidden("quality figures are for supervisors and auditors")
    if start > end:
        raise InputError("start", "on or before the end")
    with platform.sessions() as session:
        rows = list(
            session.scalars(
                select(QualityReview)
                .where(QualityReview.held_on >= start, QualityReview.held_on <= end)
                .order_by(QualityReview.id)
            )
        )
        names = {
            i: f"{display} ({username})"
            for i, display, username in session.execute(
                select(StaffUser.id, StaffUser.display_name, StaffUser.username)
            )
        }
    by_counselor: dict[str, list[QualityReview]] = defaultdict(list)
    by_topic: dict[str, list[QualityReview]] = defaultdict(list)
    for row in rows:
        by_counselor[names.get(row.counselor_id, str(row.counselor_id))].append(row)
        by_topic[row.topic].append(row)
    recent = [
        ReviewLine(
            r.source,
            r.source_ref,
            names.get(r.counselor_id, ""),
            r.topic,
            r.score,
            r.passed,
            tuple(filter(None, r.failed.split(","))),
            r.held_on,
        )
        for r in reversed(rows[-50:])
    ]
    return QualityFigures(
        by_counselor=[_figure(k, v) for k, v in sorted(by_counselor.items())],
        by_topic=[_figure(k, v) for k, v in sorted(by_topic.items())],
        recent=recent,
    )
