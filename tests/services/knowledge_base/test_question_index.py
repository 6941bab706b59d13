"""The knowledge base's in-memory question index ranks exactly as ``domain.similarity.rank`` does over every
entry, and follows every change to the entries (its own process's or another's)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_applications import staff

from seomin.domain.similarity import rank, signature
from seomin.services.knowledge_base import add_entry, revise_entry, search
from seomin.services.knowledge_base.index import QuestionIndex
from seomin.services.platform import Platform

SYLLABLES = list("햇살론신청자격서류금리한도상환연체보증대출사칭문자은는을를의가요나")
QUESTIONS = [
    "햇살론15 신청 자격은 무엇인가요?",
    "햇살론 신청자격이 궁금해요",
    "필요한 서류는 무엇인가요",
    "금리와 한도는 어떻게 되나요",
    "연체하면 어떻게 되나요",
    "사칭 문자를 받았어요",
    "보증료는 얼마인가요",
    "대출 상환을 미룰 수 있나요",
]


def _index(questions: list[str], public: set[int]) -> QuestionIndex:
    index = QuestionIndex((0, 0, ""))
    for key, question in enumerate(questions, 1):
        index.add(key, question, key in public)
    index.seal()
    return index


@settings(max_examples=300, deadline=None)
@given(
    query=st.text(alphabet=[*SYLLABLES, " "], min_size=1, max_size=12),
    extra=st.lists(st.text(alphabet=[*SYLLABLES, " "], min_size=1, max_size=10), max_size=30),
    public=st.sets(st.integers(1, len(QUESTIONS))),
    limit=st.integers(1, 10),
)
def test_the_index_ranks_as_the_full_scan(query: str, extra: list[str], public: set[int], limit: int) -> None:
    questions = QUESTIONS + extra  # generated questions too: many ties and near-ties at the cut
    index = _index(questions, public)
    everyone = [(k, signature(q)) for k, q in enumerate(questions, 1)]
    assert list(index.rank(query, limit, public_only=False)) == list(rank(query, everyone, limit))
    public_only = [(k, s) for k, s in everyone if k in public]
    assert list(index.rank(query, limit, public_only=True)) == list(rank(query, public_only, limit))


def test_a_search_sees_an_entry_added_or_revised_since_the_last_search(platform: Platform) -> None:
    owner = staff(platform, "kb-owner", "counselor")
    first = add_entry(platform, owner, "products", "햇살론 금리는 얼마인가요", "연 15.9%", True)
    assert [h.id for h in search(platform, "햇살론 금리")] == [first.id]
    second = add_entry(platform, owner, "fraud", "사칭 문자를 받았어요", "신고해 주세요", False)
    assert [h.id for h in search(platform, "사칭 문자", staff=True)] == [second.id]
    assert search(platform, "사칭 문자") == []  # not public
    revise_entry(platform, owner, second.id, "사칭 문자를 받았어요", "1397로 신고해 주세요", True)
    assert [h.answer for h in search(platform, "사칭 문자")] == ["1397로 신고해 주세요"]
