"""Latent-term overlap: is a paragraph about a question's topic, in any language?

The embedder's sparse head (:mod:`vectorstore.sparse`) describes a text by a few hundred weighted
latents of a sparse autoencoder over the multilingual model. The latents do not depend on the
language a thing is said in, so a question in Swahili and a Chinese paragraph on the same topic
share some. A pledge question also shares with every paragraph the latents of its *framing*
("What did Belgium commit to …") and of the wording every pledge uses ("human rights",
"promote"); those say nothing about its topic. So the question's latents are first stripped of

* the latents of the framing questions for the country in focus and for no country (the same
  questions :mod:`vectorstore.topic` projects out of the dense vector), and
* the latents present in more than :data:`COMMON_SHARE` of the stored paragraphs,

and what is left, the question's *topic latents*, is compared with each retrieved paragraph's
latents by cosine (:func:`overlap`). A question about tourism keeps its tourism latents, which no
paragraph of a pledge that never mentions tourism has. The answer-or-abstain decision reads the
best overlap (:mod:`assistant.abstain`).
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

from vectorstore.embedders import PerModel, SparseEmbedder, SparseVector
from vectorstore.topic import framing_texts

#: A latent present in more than this share of the stored paragraphs is pledge wording, not a
#: topic (calibrated with the decision's thresholds, see :mod:`assistant.abstain`).
COMMON_SHARE = 0.5


def topic_latents(query: SparseVector, removed: np.ndarray) -> SparseVector:
    """The query's latents without the ``removed`` ones (sorted latent indices)."""
    idx, val = query
    keep = ~np.isin(idx, removed, assume_unique=False)
    return idx[keep], val[keep]


def overlap(topic: SparseVector, paragraph: SparseVector) -> float:
    """Cosine of two sparse vectors (0.0 when either is empty)."""
    t_idx, t_val = topic
    p_idx, p_val = paragraph
    if len(t_idx) == 0 or len(p_idx) == 0:
        return 0.0
    _, ti, pi = np.intersect1d(t_idx, p_idx, assume_unique=True, return_indices=True)
    if len(ti) == 0:
        return 0.0
    t = np.asarray(t_val, dtype=np.float64)
    p = np.asarray(p_val, dtype=np.float64)
    norm = float(np.linalg.norm(t) * np.linalg.norm(p))
    return float(t[ti] @ p[pi]) / norm if norm > 0 else 0.0


class FramingLatents:
    """Latents of the framing questions per country, computed once per sparse head.

    Args:
        head: The embedder's sparse head.
    """

    def __init__(self, head: SparseEmbedder) -> None:
        # Weak: the cache is the value of a weak-keyed map whose key is this head.
        self._head = weakref.ref(head)
        self._cache: dict[tuple[str | None, str | None], np.ndarray] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, head: SparseEmbedder) -> FramingLatents:
        """The shared cache of ``head`` (one per head object)."""
        return _PER_HEAD(head)

    def indices(self, code: str | None, name: str | None) -> np.ndarray:
        """Sorted latent indices of the framing questions for ``code`` and for no country."""
        key = (code, name)
        with self._lock:
            found = self._cache.get(key)
        if found is not None:
            return found
        head = self._head()
        if head is None:  # pragma: no cover - callers hold the head
            raise RuntimeError("the sparse head of this cache is gone")
        texts = list(dict.fromkeys([*framing_texts(code, name), *framing_texts(None)]))
        vectors = head.embed_sparse(texts)
        latents = np.unique(np.concatenate([idx for idx, _ in vectors] or [np.zeros(0)]))
        latents = latents.astype(np.int32)
        with self._lock:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = latents
        return latents


_PER_HEAD: PerModel[FramingLatents] = PerModel(FramingLatents)
