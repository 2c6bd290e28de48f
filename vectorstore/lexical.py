"""Lexical retrieval: a multilingual tokenizer and a BM25 index (``bm25s``) over paragraphs.

The tokenizer handles the six UN languages: Chinese is segmented into words with ``jieba``
(search mode, so both 死刑 and longer compounds match); Latin, Cyrillic and Arabic text is cut
into Unicode word runs, case-folded, stripped of stopwords and stemmed with Snowball (English,
French or Spanish by the text's language; Russian for Cyrillic; Arabic for Arabic script, after
removing diacritics and normalizing alef and ta marbuta forms).

The index lives in memory; the store keeps it consistent after every write and when another
process has written, and saves it with its terms in the store's snapshot so that opening a large
store does not tokenize and index every paragraph again (see :mod:`vectorstore.snapshot`).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jieba
import numpy as np
import snowballstemmer

from ingest.language import ARABIC, CYRILLIC, HAN, char_class, latin_language, simplified_chinese
from vectorstore.mirror import ConditionIndex
from vectorstore.stopwords import index_stopwords

#: Bump when tokenization changes: store snapshots made with another version are rebuilt.
TOKENIZER_VERSION = "2"

_HAN = char_class(HAN)
_RUN_RE = re.compile(rf"[{_HAN}]+|[^\W_]+", re.UNICODE)
_HAN_RE = re.compile(rf"[{_HAN}]")
_CYRILLIC_RE = re.compile(f"[{char_class(CYRILLIC)}]")
_ARABIC_RE = re.compile(f"[{char_class(ARABIC)}]")
_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LATIN_STEMMERS = {"en": "english", "fr": "french", "es": "spanish"}

_stemmer_lock = threading.Lock()


@lru_cache(maxsize=8)
def _stemmer(algorithm: str) -> Any:
    return snowballstemmer.stemmer(algorithm)


_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba() -> Any:
    """jieba, initialized once (quietly: it logs its dictionary loading)."""
    global _jieba_ready
    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba


def normalize_text(text: str) -> str:
    """NFKC, case-folded, in simplified Chinese characters, without Arabic diacritics.

    Full-width forms become ASCII; traditional Chinese characters their simplified forms (a
    question in either matches a paragraph in either); Arabic tatweel is removed too.
    """
    text = simplified_chinese(unicodedata.normalize("NFKC", text).casefold())
    if _ARABIC_RE.search(text):
        text = _ARABIC_DIACRITICS.sub("", text)
        text = re.sub("[إأآٱ]", "ا", text).replace("ى", "ي").replace("ة", "ه")
    return text


def tokenize(text: str, language: str | None = None) -> list[str]:
    """Index terms of ``text``.

    Args:
        text: Any mix of the six UN languages.
        language: ISO 639-1 code of the text when known (chooses the Latin-script stemmer);
            detected among en/fr/es when omitted.

    Returns:
        Terms in reading order: jieba words for Chinese, stemmed words otherwise, stopwords
        and one-character Latin/Cyrillic/Arabic fragments dropped.
    """
    text = normalize_text(text)
    stop = index_stopwords()
    out: list[str] = []
    latin_lang: str | None = language if language in _LATIN_STEMMERS else None
    for run in _RUN_RE.findall(text):
        if _HAN_RE.match(run):
            jieba = _jieba()
            for word in jieba.cut_for_search(run):
                word = word.strip()
                if word and word not in stop:
                    out.append(word)
            continue
        if run.isdigit():
            out.append(run)
            continue
        if len(run) < 2 or run in stop:
            continue
        if _CYRILLIC_RE.match(run):
            algorithm = "russian"
        elif _ARABIC_RE.match(run):
            algorithm = "arabic"
        else:
            if latin_lang is None:
                latin_lang = latin_language(text)
            algorithm = _LATIN_STEMMERS[latin_lang]
        out.append(_stem(algorithm, run))
    return out


_ACCENTED = frozenset(_LATIN_STEMMERS.values())


@lru_cache(maxsize=1 << 18)
def _stem(algorithm: str, word: str) -> str:
    """The index term of one word (memoized: a corpus repeats a small vocabulary)."""
    with _stemmer_lock:
        stem = _stemmer(algorithm).stemWord(word)
    return _strip_accents(stem) if algorithm in _ACCENTED else stem


def _strip_accents(word: str) -> str:
    """Drop accents ("expresión" -> "expresion"): users type them inconsistently."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


@dataclass
class LexicalEntry:
    """One indexed paragraph: its record id, terms and flat metadata (for filters)."""

    id: str
    tokens: list[str]
    metadata: dict[str, Any]


def bm25_scores(bm25: Any, token_ids: list[int]) -> np.ndarray:
    """BM25 score of every document for the query's token ids: ``bm25.get_scores_from_ids``.

    ``bm25s`` adds each token's posting list with ``np.add.at``, an unbuffered scatter meant for
    repeated indices, which costs about ten times a plain one. A posting list names each
    document once, so a plain scatter-add (``scores[rows] += weights``), token by token in the
    same order and in the same ``float32``, gives the same scores exactly. Indexes with a
    non-occurrence term (BM25L, BM25+) are left to ``bm25s``.
    """
    if getattr(bm25, "nonoccurrence_array", None) is not None:
        return np.asarray(bm25.get_scores_from_ids(token_ids))
    matrix = bm25.scores
    data, indices, indptr = matrix["data"], matrix["indices"], matrix["indptr"]
    ids = np.asarray(token_ids, dtype=np.int64)
    if ids.size and int(ids.max()) >= len(indptr) - 1:
        raise ValueError(f"token id {int(ids.max())} is not in the BM25 index")
    scores = np.zeros(int(matrix["num_docs"]), dtype=np.dtype(bm25.dtype))
    for start, end in zip(indptr[ids].tolist(), indptr[ids + 1].tolist(), strict=True):
        if end > start:
            scores[indices[start:end]] += data[start:end]
    return scores


class LexicalIndex:
    """BM25 over a set of entries, rebuilt when it is next searched after a change.

    ``bm25s`` indexes are immutable, so a change re-indexes all entries; that takes
    milliseconds for thousands of paragraphs because the tokens are kept. The rebuild waits for
    the next search, so ingesting many documents in a row re-indexes once, not once a document.
    Metadata filters are evaluated once per index version and kept as boolean masks.
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._entries: dict[str, LexicalEntry] = {}
        self._order: list[str] = []
        self._bm25: Any = None
        self._dirty = False
        self._conditions: ConditionIndex | None = None
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._entries)

    def ids(self) -> set[str]:
        """Record ids currently indexed."""
        return set(self._entries)

    def replace_all(self, entries: Iterable[LexicalEntry]) -> None:
        """Index exactly ``entries`` (forgetting everything else)."""
        with self._lock:
            self._entries = {e.id: e for e in entries}
            self._dirty = True

    def update(self, add: Iterable[LexicalEntry] = (), remove: Iterable[str] = ()) -> None:
        """Add or replace some entries and drop others, then re-index once."""
        with self._lock:
            for rid in remove:
                self._entries.pop(rid, None)
            for e in add:
                self._entries[e.id] = e
            self._dirty = True

    def export(self) -> tuple[list[LexicalEntry], Any]:
        """The entries and the built index, for a snapshot.

        The entries in index order and the built ``bm25s`` index (None when empty), for a
        snapshot; pending changes are indexed first.
        """
        with self._lock:
            if self._dirty:
                self._rebuild()
            return [self._entries[i] for i in self._order], self._bm25

    def restore(self, entries: list[LexicalEntry], bm25: Any) -> None:
        """Hold entries with their already built index.

        Hold ``entries`` with their already built index (from :meth:`export`, in the same
        order), so nothing is re-indexed until the next change.
        """
        with self._lock:
            self._entries = {e.id: e for e in entries}
            self._order = [e.id for e in entries]
            self._bm25 = bm25 if entries else None
            self._conditions = ConditionIndex([e.metadata for e in entries])
            self._dirty = False

    def build(self) -> None:
        """Index pending changes now instead of at the next search."""
        with self._lock:
            if self._dirty:
                self._rebuild()

    def _rebuild(self) -> None:
        import bm25s

        self._dirty = False
        self._order = sorted(self._entries)
        self._conditions = ConditionIndex([self._entries[i].metadata for i in self._order])
        if not self._order:
            self._bm25 = None
            return
        corpus = [self._entries[i].tokens or [""] for i in self._order]
        bm25 = bm25s.BM25(k1=self.k1, b=self.b)
        bm25.index(corpus, show_progress=False)
        self._bm25 = bm25

    def search(
        self,
        tokens: list[str],
        k: int,
        keep: Callable[[dict[str, Any]], bool] | None = None,
        where: dict[str, Any] | None = None,
    ) -> list[tuple[str, float]]:
        """The ``k`` best entries for the query terms, best first, positive scores only.

        Args:
            tokens: Query terms (repeat a term to weight it).
            k: How many results at most.
            keep: Metadata predicate; entries for which it is false are never returned.
            where: Metadata equality conditions (AND), like ``keep`` but evaluated once per
                index version and cached.
        """
        with self._lock:
            if self._dirty:
                self._rebuild()
            bm25, order, entries = self._bm25, self._order, self._entries
            conditions = self._conditions
        mask = conditions.mask(where) if (where and conditions is not None) else None
        if bm25 is None or not tokens:
            return []
        ids = bm25.get_tokens_ids(tokens)
        if not ids:
            return []
        scores = np.asarray(bm25_scores(bm25, ids), dtype=np.float64)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        if keep is not None:
            kept = np.array([keep(entries[i].metadata) for i in order], dtype=bool)
            scores = np.where(kept, scores, 0.0)
        if 0 < k < len(scores):
            # Only the entries scoring at least the k-th best (ties included) need sorting.
            threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
            candidates = np.flatnonzero(scores >= threshold)
            top = candidates[np.argsort(-scores[candidates], kind="stable")][:k]
        else:
            top = np.argsort(-scores, kind="stable")[:k]
        return [(order[i], float(scores[i])) for i in top if scores[i] > 0]
