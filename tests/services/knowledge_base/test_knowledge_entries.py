"""Knowledge-base entries through the service on SQLite and PostgreSQL: who writes, versions, audit,
the public/staff split of the similar-question search, and bad input with no partial writes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from test_applications import staff

from seomin.adapters.db.models import AuditEvent, KnowledgeEntry, KnowledgeEntryVersion
from seomin.services.errors import Forbidden, InputError, NotFound
from seomin.services.knowledge_base import (
    add_entry,
    get_entry,
    load_starter_entries,
    revise_entry,
    search,
    starter_entries,
)
from seomin.services.platform import Platform

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_entries_are_versioned_audited_and_searched(platform: Platform) -> None:
    counselor = staff(platform, "cou", "counselor")
    other = staff(platform, "cou2", "counselor")
    supervisor = staff(platform, "sup", "supervisor")
    auditor = staff(platform, "aud", "auditor")
    fee = add_entry(platform, counselor, "products", "햇살론15 보증료는 얼마인가요?", "연 0.9%입니다.", True)
    internal = add_entry(platform, counselor, "recourse", "구상채권 분할상환 기간은?", "최장 10년.", False)
    assert fee.version == 1 and fee.owner_id == int(counselor.id)

    with pytest.raises(Forbidden):
        revise_entry(platform, other, fee.id, "햇살론15 보증료", "바뀐 답", True)
    with pytest.raises(Forbidden):
        add_entry(platform, auditor, "other", "질문", "답", False)
    revised = revise_entry(
        platform, supervisor, fee.id, "햇살론15 보증료는 얼마인가요?", "연 0.5%로 인하", True
    )
    assert revised.version == 2 and revised.answer == "연 0.5%로 인하"
    entry, versions = get_entry(platform, auditor, fee.id)
    assert entry == revised
    assert [(v.version, v.answer) for v in versions] == [(1, "연 0.9%입니다."), (2, "연 0.5%로 인하")]

    public_hits = search(platform, "햇살론 15 보증료가 얼마예요", 3)
    assert [h.id for h in public_hits] == [fee.id]
    assert search(platform, "구상채권을 분할 상환하는 기간", 3) == []  # internal entry hidden from the public
    assert [h.id for h in search(platform, "구상채권을 분할 상환하는 기간", 3, staff=True)] == [internal.id]

    with platform.sessions() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "knowledge_entry")
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["knowledge_entry.added", "knowledge_entry.added", "knowledge_entry.revised"]


def test_bad_input_is_refused_with_the_field_and_nothing_is_written(platform: Platform) -> None:
    counselor = staff(platform, "cou", "counselor")
    for kwargs, field in [
        ({"topic": "weather"}, "topic"),
        ({"question": "   "}, "question"),
        ({"answer": "가" * 4001}, "answer"),
    ]:
        args = {"topic": "products", "question": "질문", "answer": "답"} | kwargs
        with pytest.raises(InputError) as caught:
            add_entry(platform, counselor, args["topic"], args["question"], args["answer"], False)
        assert caught.value.field == field
    with pytest.raises(InputError):
        search(platform, " ", 3)
    with pytest.raises(InputError):
        search(platform, "햇살론", 11)
    with pytest.raises(NotFound):
        revise_entry(platform, counselor, 999, "질문", "답", False)
    with platform.sessions() as session:
        assert session.scalar(select(func.count()).select_from(KnowledgeEntry)) == 0
        assert session.scalar(select(func.count()).select_from(KnowledgeEntryVersion)) == 0


def test_the_starter_set_loads_once_and_answers_paraphrases(platform: Platform) -> None:
    supervisor = staff(platform, "sup", "supervisor")
    expected = starter_entries(platform)
    assert len(expected) >= 10 and all(q and a for _, q, a in expected)
    assert load_starter_entries(platform, supervisor) == len(expected)
    assert load_starter_entries(platform, supervisor) == 0  # idempotent
    fraud = search(platform, "진흥원 사칭 문자 받았어요", 3)
    assert fraud and fraud[0].question.startswith("서민금융진흥원을 사칭하는")
    booking = search(platform, "상담예약 하는 방법", 3)
    assert booking and booking[0].question == "상담 예약은 어떻게 하나요?"
