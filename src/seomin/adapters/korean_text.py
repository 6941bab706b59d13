"""Korean text as search terms: Kiwi (kiwipiepy), a morphological analyzer, splits a question into
morphemes, so particles and endings stop mattering ("햇살론은", "햇살론을" both give 햇살론). Only the content
morphemes are kept: nouns, verb and adjective stems, roots, foreign words and numbers.

Compounds are written both ways ("햇살론유스", "햇살론 유스") and the analyzer keeps one it does not know
whole, so the character bigrams of the content morphemes run together are terms too (marked ``#``): they
are what the two spellings share.

The analyzer's model loads once per process (about a second), on first use.
"""

from __future__ import annotations

import threading
from functools import cache

from kiwipiepy import Kiwi

CONTENT_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "SL", "SN", "SH")
"""General and proper nouns, verb and adjective stems (with their irregular variants, ``VV-I`` …), roots,
Latin letters, numbers and Chinese characters; particles, endings, suffixes and bound nouns (수, 것) are
left out: they are in every question."""

_loading = threading.Lock()


@cache
def _load() -> Kiwi:
    return Kiwi()


def _kiwi() -> Kiwi:
    # the lock is around the cache, so two first searches at once load the model once, not twice
    with _loading:
        return _load()


def search_terms(text: str) -> list[str]:
    """The content morphemes of ``text``, lower-cased, in order (repeats kept: BM25 counts them), then the
    bigrams of those morphemes run together."""
    stems = [token.form.lower() for token in _kiwi().tokenize(text) if token.tag.startswith(CONTENT_TAGS)]
    joined = "".join(stems)
    return stems + [f"#{joined[i : i + 2]}" for i in range(len(joined) - 1)]
