"""Similar-question matching for Korean text without a morphological analyzer.

Korean questions about the same thing differ in spacing ("햇살론 신청" / "햇살론신청") and in the particles
glued to nouns ("햇살론은", "햇살론을"). Two signals cope with both: character bigrams of the text with the
spaces taken out (spacing-blind, and a particle changes only the bigrams at a word's end), and the set of
words with a trailing particle stripped. The score is a weighted Dice coefficient of the two, in [0, 1].
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Longest first so that "에서는" is stripped before "는".
PARTICLES = tuple(
    sorted(
        {
            "은",
            "는",
            "이",
            "가",
            "을",
            "를",
            "의",
            "에",
            "에서",
            "에게",
            "께",
            "으로",
            "로",
            "와",
            "과",
            "도",
            "만",
            "까지",
            "부터",
            "이나",
            "나",
            "랑",
            "이랑",
            "하고",
            "에서는",
            "에는",
            "으로는",
            "로는",
            "이요",
            "요",
            "인가요",
            "나요",
            "까요",
            "은요",
            "는요",
        },
        key=len,
        reverse=True,
    )
)
_WORD = re.compile(r"[0-9a-z가-힣]+")
BIGRAM_WEIGHT = 0.6
WORD_WEIGHT = 1 - BIGRAM_WEIGHT


def words(text: str) -> list[str]:
    """Lower-cased words of the text, each without a trailing particle (a stem keeps at least 2 syllables)."""
    found = []
    for word in _WORD.findall(text.lower()):
        for particle in PARTICLES:
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                word = word[: -len(particle)]
                break
        found.append(word)
    return found


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the stemmed words run together: blind to spacing and to particles."""
    joined = "".join(words(text))
    if len(joined) == 1:
        return frozenset({joined})
    return frozenset(joined[i : i + 2] for i in range(len(joined) - 1))


@dataclass(frozen=True, slots=True)
class Signature:
    """What a text is compared by, computed once per stored question."""

    bigrams: frozenset[str]
    words: frozenset[str]


def signature(text: str) -> Signature:
    return Signature(bigrams(text), frozenset(words(text)))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(a: Signature, b: Signature) -> float:
    """Symmetric score in [0, 1]; 1 for texts equal up to spacing, case, punctuation and particles."""
    return BIGRAM_WEIGHT * _dice(a.bigrams, b.bigrams) + WORD_WEIGHT * _dice(a.words, b.words)


@dataclass(frozen=True, slots=True)
class Match:
    key: int
    score: float


def rank(
    query: str, candidates: Iterable[tuple[int, Signature]], limit: int, floor: float = 0.15
) -> Sequence[Match]:
    """The ``limit`` best candidates scoring at least ``floor``, best first (ties by key, stable)."""
    wanted = signature(query)
    if not wanted.bigrams:
        return []
    # Most entries share no bigram with the query: skip them before scoring (the search's hot loop).
    grams = wanted.bigrams
    scored = [
        Match(key, score)
        for key, sig in candidates
        if not grams.isdisjoint(sig.bigrams) and (score := round(similarity(wanted, sig), 4)) >= floor
    ]
    scored.sort(key=lambda m: (-m.score, m.key))
    return scored[:limit]
