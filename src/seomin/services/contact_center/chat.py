"""1397 chat (1:1 실시간 채팅 상담): anyone opens a chat, signed in or not; a counselor takes it from the
queue, may hand it over to another counselor, and closes it with an outcome.

The visitor's browser holds a random token (only its keyed hash is stored): it is the visitor's only key
to the chat. A signed-in applicant's chat carries their id, so its transcript joins their history in the
counselor workspace. Messages are encrypted. Taking, handing over and closing lock the chat row, so two
counselors taking the same chat at once get one success and one ``Conflict``; each is audited and leaves a
system line in the transcript. Real-time delivery is the edge's job: these functions only write, and the
edge signals the chat's listeners after each commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Chat, ChatMessage, StaffUser, utcnow
from seomin.domain.contact import CHAT_OUTCOMES, CHAT_TOPICS
from seomin.services import attempts
from seomin.services.audit_trail import as_utc
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.identity import STAFF_ROLES
from seomin.services.platform import Actor, ActorType, Platform, audit, locked_row, required_text

COUNSELOR_ROLES = frozenset({"counselor", "supervisor"})
OPEN_POLICY = attempts.AttemptPolicy(
    max_failures=5,
    window=timedelta(hours=1),
    lockout=timedelta(hours=1),
    message="too many chats opened from here; call 1397 or try again later",
)
MAX_MESSAGE_CHARS = 1000
CHAT_CONFLICTS: dict[str, tuple[str, str]] = {
    "CHAT_CLOSED": ("이미 종료된 상담입니다.", "The chat has ended."),
    "CHAT_TAKEN": ("다른 상담사가 이미 맡은 상담입니다.", "Another counselor has already taken this chat."),
    "CHAT_NOT_ACTIVE": ("진행 중인 상담이 아닙니다.", "The chat is not in progress."),
}
SYSTEM_LINES = {
    "opened": "상담 대기 중입니다. 곧 상담사가 연결됩니다. / Waiting for a counselor.",
    "taken": "상담사가 연결되었습니다. / A counselor has joined.",
    "handed_over": "다른 상담사에게 넘겨졌습니다. / Handed over to another counselor.",
    "closed": "상담이 종료되었습니다. / The chat has ended.",
}


@dataclass(frozen=True, slots=True)
class Line:
    id: int
    sender: str
    """``visitor``, ``counselor`` or ``system``."""
    body: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ChatSummary:
    id: int
    topic: str
    status: str
    applicant_id: int | None
    counselor_id: int | None
    counselor_name: str | None
    outcome: str | None
    opened_at: datetime


def _line(platform: Platform, row: ChatMessage) -> Line:
    return Line(row.id, row.sender, platform.vault.decrypt(row.body_encrypted), as_utc(row.created_at))


def _names(session: Session, chats: list[Chat]) -> dict[int, str]:
    ids = {c.counselor_id for c in chats if c.counselor_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(ids)))
    return {staff_id: name for staff_id, name in rows}


def _summary(row: Chat, names: dict[int, str]) -> ChatSummary:
    return ChatSummary(
        id=row.id,
        topic=row.topic,
        status=row.status,
        applicant_id=row.applicant_id,
        counselor_id=row.counselor_id,
        counselor_name=names.get(row.counselor_id) if row.counselor_id is not None else None,
        outcome=row.outcome,
        opened_at=as_utc(row.opened_at),
    )


def _counselor(actor: Actor) -> int:
    if actor.type is not ActorType.STAFF or actor.role not in COUNSELOR_ROLES:
        raise Forbidden("chats are answered by counselors and supervisors")
    try:
        return int(actor.id)
    except ValueError:
        raise Forbidden("not a staff user") from None


def _say(
    platform: Platform, chat_id: int, sender: str, body: str, staff_id: int | None = None
) -> ChatMessage:
    return ChatMessage(
        chat_id=chat_id, sender=sender, staff_id=staff_id, body_encrypted=platform.vault.encrypt(body)
    )


def open_chat(
    platform: Platform, actor: Actor | None, topic: str, first_message: str, source: str = ""
) -> tuple[int, str]:
    """A new chat in the queue with the visitor's first message; returns (chat id, the visitor's token).
    ``actor`` is the signed-in applicant, or None for a visitor without an account; ``source`` names where
    the request came from (the edge's client address): each source opens at most ``OPEN_POLICY`` chats in
    its window, so one visitor cannot flood the counselors' queue (``TooManyAttempts``)."""
    if topic not in CHAT_TOPICS:
        raise InputError("topic", f"one of {', '.join(CHAT_TOPICS)}")
    text = required_text("body", first_message, MAX_MESSAGE_CHARS)
    if source:
        key = "chat-open:" + platform.vault.lookup_hash(source)
        attempts.check_allowed(platform, key, OPEN_POLICY)
        attempts.record_failure(platform, key, OPEN_POLICY)  # every chat opened counts
    applicant_id = int(actor.id) if actor is not None and actor.type is ActorType.APPLICANT else None
    token = secrets.token_urlsafe(32)
    with platform.sessions.begin() as session:
        chat = Chat(
            applicant_id=applicant_id,
            visitor_hash=platform.vault.lookup_hash(f"chat:{token}"),
            topic=topic,
            status="queued",
        )
        session.add(chat)
        session.flush()
        session.add(_say(platform, chat.id, "visitor", text))
        session.add(_say(platform, chat.id, "system", SYSTEM_LINES["opened"]))
        audit(
            session,
            actor or Actor(ActorType.PUBLIC, "chat"),
            "chat.opened",
            "chat",
            chat.id,
            after={"topic": topic, "signed_in": applicant_id is not None},
            reason="1397 chat",
        )
        return chat.id, token


def _visitor_chat(platform: Platform, session: Session, chat_id: int, token: str) -> Chat:
    chat = session.get(Chat, chat_id)
    if chat is None or not token or chat.visitor_hash != platform.vault.lookup_hash(f"chat:{token}"):
        raise NotFound("chat", chat_id)  # a wrong token looks like no chat at all
    return chat


def visitor_chat(platform: Platform, chat_id: int, token: str) -> tuple[ChatSummary, list[Line]]:
    """The visitor's own chat and its transcript; ``NotFound`` without the right token."""
    with platform.sessions() as session:
        chat = _visitor_chat(platform, session, chat_id, token)
        lines = session.scalars(
            select(ChatMessage).where(ChatMessage.chat_id == chat_id).order_by(ChatMessage.id)
        )
        return _summary(chat, {}), [_line(platform, m) for m in lines]


def post_as_visitor(platform: Platform, chat_id: int, token: str, body: str) -> int:
    """The visitor's message; ``Conflict`` once the chat is closed."""
    text = required_text("body", body, MAX_MESSAGE_CHARS)
    with platform.sessions.begin() as session:
        chat = _visitor_chat(platform, session, chat_id, token)
        if chat.status == "closed":
            raise Conflict("CHAT_CLOSED", "the chat has ended", CHAT_CONFLICTS["CHAT_CLOSED"])
        message = _say(platform, chat_id, "visitor", text)
        session.add(message)
        session.flush()
        return message.id


def lines_after(platform: Platform, chat_id: int, after_id: int) -> tuple[list[Line], str]:
    """The transcript's lines after ``after_id`` and the chat's status: what a listener has not seen yet
    (the caller has checked the listener's right to the chat)."""
    with platform.sessions() as session:
        chat = session.get(Chat, chat_id)
        if chat is None:
            raise NotFound("chat", chat_id)
        rows = session.scalars(
            select(ChatMessage)
            .where(ChatMessage.chat_id == chat_id, ChatMessage.id > after_id)
            .order_by(ChatMessage.id)
        )
        return [_line(platform, m) for m in rows], chat.status


def chat_queue(platform: Platform, actor: Actor) -> tuple[list[ChatSummary], list[ChatSummary]]:
    """(the chats waiting, oldest first; the chats this counselor is answering)."""
    staff_id = _counselor(actor)
    with platform.sessions() as session:
        waiting = list(session.scalars(select(Chat).where(Chat.status == "queued").order_by(Chat.id)))
        mine = list(
            session.scalars(
                select(Chat).where(Chat.status == "active", Chat.counselor_id == staff_id).order_by(Chat.id)
            )
        )
        names = _names(session, mine)
        return [_summary(c, names) for c in waiting], [_summary(c, names) for c in mine]


def staff_chat(platform: Platform, actor: Actor, chat_id: int) -> tuple[ChatSummary, list[Line]]:
    """A chat and its transcript for staff: every staff role reads any chat (a closed one is part of the
    person's history); only counselors and supervisors answer."""
    if actor.type is not ActorType.STAFF or actor.role not in STAFF_ROLES:
        raise Forbidden("chat transcripts are for agency staff")
    with platform.sessions() as session:
        chat = session.get(Chat, chat_id)
        if chat is None:
            raise NotFound("chat", chat_id)
        names = _names(session, [chat])
        lines = session.scalars(
            select(ChatMessage).where(ChatMessage.chat_id == chat_id).order_by(ChatMessage.id)
        )
        return _summary(chat, names), [_line(platform, m) for m in lines]


def _active_staff(session: Session, staff_id: int, what: str) -> StaffUser:
    user = session.get(StaffUser, staff_id)
    if user is None or not user.active or user.role not in COUNSELOR_ROLES:
        raise Forbidden(f"{what} must be an active counselor or supervisor")
    return user


def take_chat(platform: Platform, actor: Actor, chat_id: int) -> None:
    """The counselor takes a waiting chat; ``Conflict`` when someone else took it first."""
    staff_id = _counselor(actor)
    with platform.sessions.begin() as session:
        _active_staff(session, staff_id, "who takes a chat")
        chat = locked_row(session, Chat, Chat.id, chat_id, "chat")
        if chat.status != "queued":
            code = "CHAT_TAKEN" if chat.status == "active" else "CHAT_CLOSED"
            raise Conflict(code, "the chat was already taken or has ended", CHAT_CONFLICTS[code])
        chat.status, chat.counselor_id, chat.taken_at = "active", staff_id, utcnow()
        session.add(_say(platform, chat_id, "system", SYSTEM_LINES["taken"], staff_id))
        audit(
            session,
            actor,
            "chat.taken",
            "chat",
            chat_id,
            after={"counselor_id": staff_id},
            reason="1397 chat",
        )


def _own_active(session: Session, actor: Actor, chat_id: int) -> Chat:
    chat = locked_row(session, Chat, Chat.id, chat_id, "chat")
    if chat.status != "active":
        raise Conflict("CHAT_NOT_ACTIVE", "the chat is not in progress", CHAT_CONFLICTS["CHAT_NOT_ACTIVE"])
    if chat.counselor_id != int(actor.id) and actor.role != "supervisor":
        raise Forbidden("only the counselor answering the chat (or a supervisor) does this")
    return chat


def post_as_counselor(platform: Platform, actor: Actor, chat_id: int, body: str) -> int:
    """The answering counselor's message."""
    staff_id = _counselor(actor)
    text = required_text("body", body, MAX_MESSAGE_CHARS)
    with platform.sessions.begin() as session:
        _own_active(session, actor, chat_id)
        message = _say(platform, chat_id, "counselor", text, staff_id)
        session.add(message)
        session.flush()
        return message.id


def hand_over(platform: Platform, actor: Actor, chat_id: int, to_username: str) -> None:
    """The chat passes to another active counselor (by username), who answers from then on."""
    _counselor(actor)
    with platform.sessions.begin() as session:
        target = session.scalars(
            select(StaffUser).where(StaffUser.username == (to_username or "").strip())
        ).first()
        if target is None or not target.active or target.role not in COUNSELOR_ROLES:
            raise InputError("to", "an active counselor's username")
        chat = _own_active(session, actor, chat_id)
        if target.id == chat.counselor_id:
            raise InputError("to", "already answering this chat")
        before = chat.counselor_id
        chat.counselor_id = target.id
        session.add(_say(platform, chat_id, "system", SYSTEM_LINES["handed_over"], int(actor.id)))
        audit(
            session,
            actor,
            "chat.handed_over",
            "chat",
            chat_id,
            before={"counselor_id": before},
            after={"counselor_id": target.id},
            reason="1397 chat",
        )


def close_chat(platform: Platform, actor: Actor, chat_id: int, outcome: str) -> None:
    """The chat ends with an outcome (``CHAT_OUTCOMES``)."""
    _counselor(actor)
    if outcome not in CHAT_OUTCOMES:
        raise InputError("outcome", f"one of {', '.join(CHAT_OUTCOMES)}")
    with platform.sessions.begin() as session:
        chat = _own_active(session, actor, chat_id)
        chat.status, chat.outcome, chat.closed_at = "closed", outcome, utcnow()
        session.add(_say(platform, chat_id, "system", SYSTEM_LINES["closed"], int(actor.id)))
        audit(session, actor, "chat.closed", "chat", chat_id, after={"outcome": outcome}, reason="1397 chat")
