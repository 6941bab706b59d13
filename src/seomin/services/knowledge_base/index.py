"""An in-memory index of the knowledge base's questions, so a search does not read and re-score every entry.

Built once per database (engine) from ``(id, question, public)``: each entry's signature and an inverted
index from character bigram to the entries holding it. A search counts the bigrams each entry shares with
the query through the postings (one numpy ``bincount``) and scores exactly only the entries that could
still make the top ``limit``. Before each
search a cheap stamp (count, last id, last update) is read: any entry added or revised, by this process or
another, makes the next search rebuild the index, so results never lag the database.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from seomin.adapters.db.models import KnowledgeEntry
from seomin.domain.similarity import BIGRAM_WEIGHT, WORD_WEIGHT, Match, Signature, signature

Stamp = tuple[int, int, str]


@dataclass(slots=True)
class QuestionIndex:
    """Entries by position: their ids, signatures, bigram counts and public flags, and for each bigram the
    positions holding it (numpy arrays, so counting shared bigrams is one ``bincount``)."""

    stamp: Stamp
    keys: list[int] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    public: list[bool] = field(default_factory=list)
    postings: dict[str, np.ndarray] = field(default_factory=dict)
    sizes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    public_mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def add(self, key: int, question: str, public: bool) -> None:
        self.keys.append(key)
        self.signatures.append(signature(question))
        self.public.append(public)

    def seal(self) -> None:
        """Build the arrays once every entry is added."""
        lists: dict[str, list[int]] = defaultdict(list)
        for position, sig in enumerate(self.signatures):
            for gram in sig.bigrams:
                lists[gram].append(position)
        self.postings = {gram: np.asarray(found, dtype=np.int64) for gram, found in lists.items()}
        self.sizes = np.asarray([len(s.bigrams) for s in self.signatures], dtype=np.int64)
        self.public_mask = np.asarray(self.public, dtype=bool)

    def rank(self, query: str, limit: int, public_only: bool, floor: float = 0.15) -> Sequence[Match]:
        """Exactly ``domain.similarity.rank`` over the indexed entries (the public ones only when asked),
        best first, ties by id. Entries sharing no bigram with the query score under any floor and are
        never looked at; the others are scored exactly (in Python, as the domain does) in order of their
        bigram part, until even a perfect word match could not reach the best ``limit`` found."""
        wanted = signature(query)
        found = [self.postings[g] for g in wanted.bigrams if g in self.postings]
        if not found:
            return []
        counts = np.bincount(np.concatenate(found), minlength=len(self.keys))
        candidates = np.flatnonzero(counts)
        if public_only:
            candidates = candidates[self.public_mask[candidates]]
        size = len(wanted.bigrams)
        bound = BIGRAM_WEIGHT * 2 * counts[candidates] / (size + self.sizes[candidates])
        by_bound = np.argsort(-bound, kind="stable")
        order, bound = candidates[by_bound], bound[by_bound]
        best: list[Match] = []
        for position, part in zip(order.tolist(), bound.tolist(), strict=True):
            reach = part + WORD_WEIGHT + 1e-9  # the most this entry can score
            if reach < floor or (len(best) >= limit and reach < best[limit - 1].score):
                break
            sig = self.signatures[position]
            common = int(counts[position])
            score = BIGRAM_WEIGHT * (2 * common / (size + len(sig.bigrams)))
            if wanted.words and sig.words:
                shared = len(wanted.words & sig.words)
                score += WORD_WEIGHT * (2 * shared / (len(wanted.words) + len(sig.words)))
            score = round(score, 4)
            if score >= floor:
                best.append(Match(self.keys[position], score))
                best.sort(key=lambda m: (-m.score, m.key))
                del best[limit:]
        return best[:limit]


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
