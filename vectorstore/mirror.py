"""In-memory companions of the Chroma collection for filtered queries.

Chroma answers an unfiltered nearest-neighbour query from its HNSW graph in a few
milliseconds, but a query with a metadata ``where`` costs tens to hundreds of milliseconds on
100,000 rows (it resolves the filter in its metadata segment first; ``pledges bench`` measures
both). Filters here are few and simple (a country, a language, a term, a document), so a
process keeps:

* :class:`ConditionIndex`: per metadata field, the rows holding each value, so the rows that
  meet ``{"country": "BEL"}`` are one lookup, not a scan;
* :class:`VectorMirror`: the committed paragraph vectors as one matrix. A filtered dense query
  is an exact dot product over the rows the filter keeps (2,000 rows x 384 floats is a fraction
  of a millisecond) instead of a filtered graph search.

Chroma stays the store of record: the mirror is filled from it on open, follows this process's
own writes, and is reloaded with the other caches when another process writes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

Conditions = Mapping[str, Any]


@lru_cache(maxsize=1)
def _blas() -> Any:
    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """Run the mirror's products on one BLAS thread.

    The products here are small; run them on one BLAS thread. OpenBLAS's worker threads
    keep spinning after a multi-threaded product, and the embedding engine, which wants both
    cores for the next question, then runs at a fraction of its speed (``pledges bench`` saw
    filtered searches take 127 ms instead of 42 at 100,000 paragraphs).
    """
    return _blas().limit(limits=1, user_api="blas")


class ConditionIndex:
    """Which rows meet metadata equality conditions, as boolean masks over a fixed row order.

    Args:
        metadatas: Row ``i``'s flat metadata, or None for an empty row.
    """

    #: Masks kept per index (one per distinct condition set asked).
    MAX_MASKS = 256

    def __init__(self, metadatas: Sequence[Mapping[str, Any] | None]) -> None:
        self._metas = metadatas
        self._fields: dict[str, dict[Any, np.ndarray]] = {}
        self._masks: dict[tuple[tuple[str, Any], ...], np.ndarray] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._metas)

    def _positions(self, name: str) -> dict[Any, np.ndarray]:
        """Rows per value of one field (built on first use: one pass over the rows)."""
        by_value = self._fields.get(name)
        if by_value is None:
            groups: dict[Any, list[int]] = {}
            for i, meta in enumerate(self._metas):
                if meta is not None and (value := meta.get(name)) is not None:
                    groups.setdefault(value, []).append(i)
            by_value = {v: np.asarray(rows, dtype=np.int64) for v, rows in groups.items()}
            self._fields[name] = by_value
        return by_value

    def mask(self, where: Conditions) -> np.ndarray:
        """Rows meeting every condition (``field == value``)."""
        key = tuple(sorted(where.items()))
        with self._lock:
            cached = self._masks.get(key)
            if cached is not None:
                return cached
            out = np.ones(len(self._metas), dtype=bool)
            for name, value in key:
                rows = self._positions(name).get(value)
                if rows is None:
                    out[:] = False
                    break
                hit = np.zeros(len(self._metas), dtype=bool)
                hit[rows] = True
                out &= hit
            if len(self._masks) >= self.MAX_MASKS:
                self._masks.clear()
            self._masks[key] = out
            return out


#: Filtered rows are multiplied run by run when their runs are at least this long on average.
MIN_MEAN_RUN = 8


def _product_over(matrix: np.ndarray, rows: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """``matrix[rows] @ queries.T`` without first copying the rows out of ``matrix``.

    A document's paragraphs are written together, so the rows a filter keeps come in runs (one
    per document): each run is multiplied where it lies, a view, and only the scores are
    written. Gathering the rows first copied 25 MB for a filter keeping a sixth of 100,000
    rows, which cost more than the product. Rows scattered one by one are gathered as before.
    Each score is the same dot product either way.

    Args:
        matrix: The vectors, one row each.
        rows: Ascending row positions.
        queries: ``(m, dim)`` query vectors.
    """
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    if rows.size < MIN_MEAN_RUN * (breaks.size + 1):
        return np.asarray(np.take(matrix, rows, axis=0) @ queries.T)
    starts = rows[np.concatenate(([0], breaks))].tolist()
    lengths = np.diff(np.concatenate(([0], breaks, [rows.size]))).tolist()
    out = np.empty((rows.size, len(queries)), dtype=np.result_type(matrix, queries))
    at = 0
    for start, length in zip(starts, lengths, strict=True):
        np.matmul(matrix[start : start + length], queries.T, out=out[at : at + length])
        at += length
    return out


class VectorMirror:
    """The committed paragraph vectors of one collection, for exact filtered search.

    Rows are appended as documents are written; deleted rows are blanked and the matrix is
    compacted once they make up a quarter of it.

    Args:
        dim: Vector dimension.
    """

    def __init__(self, dim: int) -> None:
        self.dim = int(dim)
        self._lock = threading.RLock()
        self._clear()

    def _clear(self, capacity: int = 0) -> None:
        self._matrix = np.zeros((capacity, self.dim), dtype=np.float32)
        self._ids: list[str | None] = []
        self._metas: list[Mapping[str, Any] | None] = []
        self._pos: dict[str, int] = {}
        self._dead = 0
        self._conditions: ConditionIndex | None = None
        self._centroids: dict[str, np.ndarray | None] = {}

    def __len__(self) -> int:
        return len(self._pos)

    @property
    def nbytes(self) -> int:
        """Memory held by the vectors."""
        return int(self._matrix.nbytes)

    def replace_all(self, items: Iterable[tuple[str, Any, Mapping[str, Any]]]) -> None:
        """Hold exactly ``items`` (record id, vector, metadata), forgetting everything else."""
        rows = list(items)
        with self._lock:
            self._clear(capacity=len(rows))
            self._add(rows)

    def export(self) -> tuple[list[str], np.ndarray, list[Mapping[str, Any]]]:
        """The live rows: record ids, their normalized vectors and metadata (for a snapshot)."""
        with self._lock:
            live = [i for i, rid in enumerate(self._ids) if rid is not None]
            ids = [str(self._ids[i]) for i in live]
            metas = [self._metas[i] or {} for i in live]
            if len(live) == len(self._ids):
                return ids, self._matrix[: len(live)], metas
            return ids, self._matrix[live], metas

    def restore(self, ids: list[str], matrix: np.ndarray, metas: list[Mapping[str, Any]]) -> None:
        """Hold rows exported by :meth:`export`.

        Hold rows exported by :meth:`export` (``matrix`` is used as given, e.g. a
        copy-on-write memory map, not copied).
        """
        if matrix.shape != (len(ids), self.dim) or len(metas) != len(ids):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self.dim}")
        with self._lock:
            self._clear()
            self._matrix = matrix
            self._ids = list(ids)
            self._metas = list(metas)
            self._pos = {rid: i for i, rid in enumerate(ids)}

    def update(
        self,
        add: Iterable[tuple[str, Any, Mapping[str, Any]]] = (),
        remove: Iterable[str] = (),
    ) -> None:
        """Drop some records, then add or overwrite others."""
        rows = list(add)
        with self._lock:
            for rid in remove:
                pos = self._pos.pop(rid, None)
                if pos is not None:
                    self._ids[pos] = None
                    self._metas[pos] = None
                    self._dead += 1
            self._add(rows)
            if self._dead > max(1024, len(self._ids) // 4):
                self._compact()
            self._conditions = None
            self._centroids = {}

    def _add(self, rows: list[tuple[str, Any, Mapping[str, Any]]]) -> None:
        if not rows:
            return
        vectors = np.asarray([np.asarray(v, dtype=np.float32) for _, v, _ in rows])
        if vectors.shape != (len(rows), self.dim):
            raise ValueError(f"expected vectors of dimension {self.dim}, got {vectors.shape}")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1.0, norms)
        fresh = [i for i, (rid, _, _) in enumerate(rows) if rid not in self._pos]
        needed = len(self._ids) + len(fresh)
        if needed > len(self._matrix):
            grown = np.zeros((max(needed, len(self._matrix) * 3 // 2, 256), self.dim), np.float32)
            grown[: len(self._ids)] = self._matrix[: len(self._ids)]
            self._matrix = grown
        for i, (rid, _, meta) in enumerate(rows):
            pos = self._pos.get(rid)
            if pos is None:
                pos = len(self._ids)
                self._ids.append(rid)
                self._metas.append(meta)
                self._pos[rid] = pos
            else:
                self._metas[pos] = meta
            self._matrix[pos] = vectors[i]
        self._conditions = None
        self._centroids = {}

    def _compact(self) -> None:
        keep = [i for i, rid in enumerate(self._ids) if rid is not None]
        self._matrix = self._matrix[keep].copy()
        self._ids = [self._ids[i] for i in keep]
        self._metas = [self._metas[i] for i in keep]
        self._pos = {rid: i for i, rid in enumerate(self._ids) if rid is not None}
        self._dead = 0

    def rows(self, where: Conditions) -> np.ndarray:
        """Positions of the live rows meeting ``where``."""
        with self._lock:
            if self._conditions is None:
                self._conditions = ConditionIndex(self._metas)
            return np.flatnonzero(self._conditions.mask(where))

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The (normalized) vectors of the given record ids that the mirror holds."""
        with self._lock:
            found = [(rid, pos) for rid in ids if (pos := self._pos.get(rid)) is not None]
            if not found:
                return {}
            # One gather (a copy) for all of them: indexing a memory-mapped matrix row by row
            # costs tens of microseconds a row.
            rows = np.asarray(self._matrix[[pos for _, pos in found]])
        return {rid: rows[i] for i, (rid, _) in enumerate(found)}

    def centroid(self, doc_id: str) -> np.ndarray | None:
        """Mean vector of one document's rows.

        Mean vector of one document's rows (None when the mirror holds none), cached until
        the mirror changes.
        """
        with self._lock:
            if doc_id in self._centroids:
                return self._centroids[doc_id]
            rows = self.rows({"doc_id": doc_id})
            value = self._matrix[rows].mean(axis=0) if rows.size else None
            self._centroids[doc_id] = value
            return value

    def search(
        self, vectors: np.ndarray, k: int, where: Conditions
    ) -> list[list[tuple[str, float]]]:
        """The ``k`` rows meeting ``where`` with the highest cosine similarity, per query vector.

        Args:
            vectors: ``(m, dim)`` query vectors (normalized).
            k: Results per query.
            where: Metadata equality conditions (AND).

        Returns:
            One list per query vector of ``(record_id, cosine similarity)``, best first; exact
            (no approximation), ties broken by record id.
        """
        queries = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        with self._lock:
            rows = self.rows(where)
            if rows.size == 0 or k <= 0:
                return [[] for _ in range(len(queries))]
            size = len(self._ids)
            with _one_blas_thread():
                if rows.size * 4 < size:
                    scores = _product_over(self._matrix, rows, queries)
                else:  # most rows pass: one product over the whole matrix beats a gather
                    scores = (self._matrix[:size] @ queries.T)[rows]
            out = []
            for column in scores.T:
                n = min(k, column.size)
                # Every row scoring at least the n-th best (ties included) competes for the n
                # places, so ties at the cut are broken by record id like the rest.
                threshold = np.partition(column, column.size - n)[column.size - n]
                candidates = np.flatnonzero(column >= threshold)
                # Only the candidates' ids are looked up (not every row the filter keeps).
                named = [(-float(column[i]), str(self._ids[rows[i]])) for i in candidates]
                named.sort()
                out.append([(rid, -neg) for neg, rid in named[:n]])
        return out
