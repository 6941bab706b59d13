"""An in-memory index of the knowledge base's questions: BM25 over their Korean content morphemes.

Each question is analysed once (``adapters.korean_text``: Kiwi) and the terms indexed with bm25s; a search
analyses the query the same way and scores every entry in one sparse product, so particles, endings and
spacing do not matter and rare words ("대위변제") weigh more than common ones ("신청"). Built once per
database (engine); before each search a cheap stamp (count, last id, last update) is read, and any entry
added or revised, by this process or another, makes the next search rebuild the index, so results never
lag the database.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import bm25s
import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import KnowledgeEntry
from seomin.adapters.korean_text import search_terms

Stamp = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Match:
    key: int
    score: float
    """The entry's BM25 score for the query (above 0: it shares at least one term)."""


@dataclass(slots=True)
class QuestionIndex:
    """Entries by position: their ids, analysed questions and public flags, and the BM25 index over them."""

    stamp: Stamp
    keys: list[int] = field(default_factory=list)
    terms: list[list[str]] = field(default_factory=list)
    public: list[bool] = field(default_factory=list)
    bm25: bm25s.BM25 | None = None
    public_mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def add(self, key: int, question: str, public: bool) -> None:
        self.keys.append(key)
        self.terms.append(search_terms(question))
        self.public.append(public)

    def seal(self) -> None:
        """Build the BM25 index once every entry is added."""
        self.public_mask = np.asarray(self.public, dtype=bool)
        if not self.keys:
            self.bm25 = None
            return
        self.bm25 = bm25s.BM25()
        # an entry whose question has no content morpheme still takes its place (it never matches)
        self.bm25.index([t or [""] for t in self.terms], show_progress=False)

    def rank(self, query: str, limit: int, public_only: bool) -> Sequence[Match]:
        """The ``limit`` entries (the public ones only when asked) scoring above 0 for ``query``, best
        first, ties by id."""
        wanted = search_terms(query)
        if self.bm25 is None or not wanted:
            return []
        scores = np.asarray(self.bm25.get_scores(wanted), dtype=np.float64)
        if public_only:
            scores = np.where(self.public_mask, scores, 0.0)
        found = np.flatnonzero(scores > 0)
        if not len(found):
            return []
        keys = np.asarray(self.keys, dtype=np.int64)[found]
        order = np.lexsort((keys, -scores[found]))[:limit]
        return [Match(int(keys[i]), round(float(scores[found][i]), 4)) for i in order]


_indexes: WeakKeyDictionary[Engine, QuestionIndex] = WeakKeyDictionary()
_lock = threading.Lock()


def _stamp(session: Session) -> Stamp:
    count, last_id, last_update = session.execute(
        select(func.count(), func.max(KnowledgeEntry.id), func.max(KnowledgeEntry.updated_at))
    ).one()
    return int(count), int(last_id or 0), str(last_update)


def question_index(session: Session, engine: Engine) -> QuestionIndex:
    """The engine's index, rebuilt first when the entries changed since it was built."""
    stamp = _stamp(session)
    found = _indexes.get(engine)
    if found is not None and found.stamp == stamp:
        return found
    with _lock:
        found = _indexes.get(engine)
        if found is not None and found.stamp == stamp:
            return found
        index = QuestionIndex(stamp)
        rows = session.execute(
            select(KnowledgeEntry.id, KnowledgeEntry.question, KnowledgeEntry.public).order_by(
                KnowledgeEntry.id
            )
        )
        for key, question, public in rows:
            index.add(key, question, bool(public))
        index.seal()
        _indexes[engine] = index
        return index
