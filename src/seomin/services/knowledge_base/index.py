"""An in-memory index of the knowledge base's questions, so a search does not read and re-score every entry.

Built once per database (engine) from ``(id, question, public)``: each entry's signature and an inverted
index from character bigram to the entries holding it. A search scores only the entries sharing a bigram
with the query, counting the shared bigrams through the postings instead of intersecting sets. Before each
search a cheap stamp (count, last id, last update) is read: any entry added or revised, by this process or
another, makes the next search rebuild the index, so results never lag the database.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import KnowledgeEntry
from seomin.domain.similarity import BIGRAM_WEIGHT, WORD_WEIGHT, Match, Signature, signature

Stamp = tuple[int, int, str]


@dataclass(slots=True)
class QuestionIndex:
    stamp: Stamp
    signatures: dict[int, Signature] = field(default_factory=dict)
    public: set[int] = field(default_factory=set)
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def rank(self, query: str, limit: int, public_only: bool, floor: float = 0.15) -> Sequence[Match]:
        """The same ranking as ``domain.similarity.rank`` over the indexed entries (public ones only when
        asked), best first, ties by id."""
        wanted = signature(query)
        if not wanted.bigrams:
            return []
        shared: dict[int, int] = defaultdict(int)
        for gram in wanted.bigrams:
            for key in self.postings.get(gram, ()):
                shared[key] += 1
        size, words = len(wanted.bigrams), wanted.words
        scored = []
        for key, common in shared.items():
            if public_only and key not in self.public:
                continue
            sig = self.signatures[key]
            score = BIGRAM_WEIGHT * 2 * common / (size + len(sig.bigrams))
            if words and sig.words:
                score += WORD_WEIGHT * 2 * len(words & sig.words) / (len(words) + len(sig.words))
            score = round(score, 4)
            if score >= floor:
                scored.append(Match(key, score))
        scored.sort(key=lambda m: (-m.score, m.key))
        return scored[:limit]


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
        rows = session.execute(select(KnowledgeEntry.id, KnowledgeEntry.question, KnowledgeEntry.public))
        for key, question, public in rows:
            sig = signature(question)
            index.signatures[key] = sig
            if public:
                index.public.add(key)
            for gram in sig.bigrams:
                index.postings[gram].append(key)
        _indexes[engine] = index
        return index
