"""The knowledge base's in-memory question index: BM25 over Kiwi's content morphemes, so a question is found
whatever its particles, endings and spacing; the public ones only for applicants; ties by id; and it
follows every change to the entries (its own process's or another's)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_applications import staff

from seomin.adapters.korean_text import search_terms
from seomin.services.knowledge_base import add_entry, revise_entry, search
from seomin.services.knowledge_base.index import QuestionIndex
from seomin.services.platform import Platform

QUESTIONS = [
    "햇살론15 신청 자격은 무엇인가요?",
    "필요한 서류는 무엇인가요",
    "금리와 한도는 어떻게 되나요",
    "연체하면 어떻게 되나요",
    "사칭 문자를 받았어요",
    "보증료는 얼마인가요",
    "대출 상환을 미룰 수 있나요",
    "대위변제 뒤에는 어디에 갚나요",
]


def _index(questions: list[str], public: set[int]) -> QuestionIndex:
    index = QuestionIndex((0, 0, ""))
    for key, question in enumerate(questions, 1):
        index.add(key, question, key in public)
    index.seal()
    return index


def test_particles_endings_and_spacing_do_not_matter() -> None:
    assert search_terms("햇살론신청은 어떻게 하나요?")[:2] == search_terms("햇살론 신청을 하려면")[:2]
    assert search_terms("보증료를 돌려받을 수 있나요") == search_terms("보증료 돌려받을수있나요")
    index = _index(QUESTIONS, set())
    for query, wanted in (
        ("햇살론15신청자격이 뭐예요", 1),
        ("서류가 필요한가요", 2),
        ("사칭문자 받았는데요", 5),
        ("보증료가 얼마예요?", 6),
        ("대위변제 후 상환", 8),
    ):
        assert [m.key for m in index.rank(query, 1, public_only=False)] == [wanted], query


def test_applicants_see_only_public_entries_and_nothing_matches_no_shared_word() -> None:
    index = _index(QUESTIONS, {2, 6})
    assert [m.key for m in index.rank("보증료 얼마", 3, public_only=True)] == [6]
    assert index.rank("사칭 문자", 3, public_only=True) == []
    assert index.rank("오늘 날씨 좋네요", 3, public_only=False) == []
    assert _index([], set()).rank("보증료", 3, public_only=False) == []


@settings(max_examples=100, deadline=None)
@given(
    picked=st.lists(st.sampled_from(QUESTIONS), min_size=1, max_size=20),
    query=st.sampled_from(QUESTIONS),
    limit=st.integers(1, 10),
)
def test_ranking_is_best_first_ties_by_id_and_every_hit_shares_a_term(
    picked: list[str], query: str, limit: int
) -> None:
    index = _index(picked, set())
    found = list(index.rank(query, limit, public_only=False))
    assert len(found) <= limit
    assert found == sorted(found, key=lambda m: (-m.score, m.key))
    wanted = set(search_terms(query))
    assert all(m.score > 0 and wanted & set(search_terms(picked[m.key - 1])) for m in found)
    if query in picked:  # the question itself is among the best
        assert found and found[0].score == max(m.score for m in found)


def test_a_search_sees_an_entry_added_or_revised_since_the_last_search(platform: Platform) -> None:
    owner = staff(platform, "kb-owner", "counselor")
    first = add_entry(platform, owner, "products", "햇살론 금리는 얼마인가요", "연 15.9%", True)
    assert [h.id for h in search(platform, "햇살론 금리")] == [first.id]
    second = add_entry(platform, owner, "fraud", "사칭 문자를 받았어요", "신고해 주세요", False)
    assert [h.id for h in search(platform, "사칭 문자", staff=True)] == [second.id]
    assert search(platform, "사칭 문자") == []  # not public
    revise_entry(platform, owner, second.id, "사칭 문자를 받았어요", "1397로 신고해 주세요", True)
    assert [h.answer for h in search(platform, "사칭 문자")] == ["1397로 신고해 주세요"]
