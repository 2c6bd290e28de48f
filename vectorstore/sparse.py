"""The sparse "latent terms" channel: an inverted index over the embedder's sparse vectors.

Each paragraph written by an embedder with a sparse head (:class:`~vectorstore.embedders.
SparseEmbedder`) carries a few dozen weighted latents; a query's latents are scored against
them by dot product. The latents are learnt from the multilingual model's token states, so a
Swahili or Korean question and a Chinese paragraph about the same thing share latents without
any word list.

The index is a CSC matrix (rows = paragraphs, columns = latents; built with ``scipy.sparse``,
held as its three arrays with the weights in ``float16``, which is how Chroma keeps them): a
query reads only the posting lists of its own latents. Like the BM25 index
(:mod:`vectorstore.lexical`) it is rebuilt at the next search after a change, follows the
store's writes and catch-ups, and is saved in the store's snapshot
(:meth:`SparseIndex.export` / :meth:`SparseIndex.restore`), so opening a large store does not
read every vector from Chroma again.

In Chroma each paragraph record keeps its vector in one metadata string
(:func:`encode` / :func:`decode`): Chroma 1.5's ``SparseVector`` metadata value is refused by
the embedded client and by ``chroma run`` alike, and a string works on both backends.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csc_matrix, csr_matrix

from vectorstore.embedders import SparseVector
from vectorstore.mirror import ConditionIndex

#: Metadata key of a paragraph record's encoded sparse vector.
SPARSE_KEY = "sparse"
#: Metadata key (on the document record) naming the sparse head its paragraphs were written with.
SPARSE_HEAD_KEY = "sparse_head"

_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


def encode(vector: SparseVector) -> str:
    """A sparse vector as one metadata string.

    Indices as little-endian ``uint16`` (the head has 16,384 latents), then the weights as
    little-endian ``float16``, base64: 64 latents take 344 characters. :func:`decode` returns
    exactly what the index holds, so a vector read back from Chroma scores like the written one.
    """
    idx, val = vector
    idx = np.asarray(idx)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) > 0xFFFF):
        raise ValueError(f"sparse indices must lie in 0..65535, got {int(idx.max())}")
    order = np.argsort(idx, kind="stable")
    raw = idx[order].astype("<u2").tobytes() + np.asarray(val)[order].astype("<f2").tobytes()
    return base64.b64encode(raw).decode("ascii")


def decode(text: str) -> SparseVector:
    """The vector :func:`encode` wrote.

    Raises:
        ValueError: ``text`` is not an encoded sparse vector.
    """
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if len(raw) % 4:
        raise ValueError(f"an encoded sparse vector has a multiple of 4 bytes, got {len(raw)}")
    n = len(raw) // 4
    idx = np.frombuffer(raw[: 2 * n], dtype="<u2").astype(np.int32)
    val = np.frombuffer(raw[2 * n :], dtype="<f2").astype(np.float32)
    return idx, val


def quantized(vector: SparseVector) -> SparseVector:
    """The vector as Chroma keeps it (indices ascending, weights rounded to ``float16``)."""
    return decode(encode(vector))


@dataclass
class SparseEntry:
    """One indexed paragraph: its record id, sparse vector and flat metadata (for filters)."""

    id: str
    vector: SparseVector
    metadata: Mapping[str, Any]


@dataclass
class SparseMatrix:
    """A built index in plain arrays (what a snapshot saves).

    Attributes:
        ids: Record ids of the rows, in order.
        indptr: CSC column pointers (``dim + 1`` entries, ``int64``).
        indices: Row of each stored weight (``int32``).
        data: The weights (``float16``).
        dim: Number of latents (columns).
    """

    ids: list[str]
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    dim: int


#: A filter's rows are found in a posting list by binary search, run by run, when that costs
#: less than testing each entry of the list: one search costs about as much as testing this
#: many entries (some 180 ns against 2.5 ns, measured on the bench's 100,000 paragraphs).
_SEARCH_COST = 64


def _runs(mask: np.ndarray) -> np.ndarray:
    """Where the runs of rows ``mask`` keeps begin and end: ``[begin0, end0, begin1, ...]``."""
    edges = np.concatenate(([False], mask, [False]))
    return np.flatnonzero(edges[1:] != edges[:-1])


def _in_runs(
    indices: np.ndarray, starts: np.ndarray, ends: np.ndarray, bounds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the entries of each posting list that fall in the runs, and their counts.

    Each list's rows ascend, so the entries of a run are one slice of it, found by two binary
    searches; the positions come list by list, rows ascending, as a mask would keep them.
    """
    found = np.empty((len(starts), len(bounds)), dtype=np.int64)
    for j, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        found[j] = np.searchsorted(indices[a:b], bounds)
    found += starts[:, None]
    begins, counts = found[:, 0::2].ravel(), (found[:, 1::2] - found[:, 0::2]).ravel()
    before = np.cumsum(counts) - counts
    positions = np.repeat(begins - before, counts) + np.arange(int(counts.sum()))
    return positions, counts.reshape(len(starts), -1).sum(axis=1)


def _dots(
    matrix: SparseMatrix,
    rows: int,
    qidx: np.ndarray,
    qval: np.ndarray,
    mask: np.ndarray | None = None,
    by_runs: bool | None = None,
) -> np.ndarray | None:
    """Dot product of a query with every row, reading only the query's posting lists.

    None when no row holds any of the query's latents. The posting lists are read as slices
    (contiguous views, not a gather through an index array) and put side by side as the
    columns of one small CSC matrix, which ``scipy.sparse`` multiplies by the query's weights
    in one compiled loop: column by column in the query's order, each entry's exact product
    (a ``float16`` weight times a ``float32`` one fits a ``float64``) added to its row's sum.
    Each row's score is thus the ``float64`` sum of its terms in the query's order, the sum
    :func:`_row_dots` makes, bit for bit (a numpy scatter of the same terms gave the same
    floats at twice the time: converting, repeating and multiplying arrays of every posting).

    With ``mask`` (a boolean per row) only the rows it keeps are scored and the others are 0:
    the entries of other rows are left out of each posting list before their weights are
    converted and added, so a filter keeping a sixth of the rows adds a sixth of the terms. A
    kept row's score is the same sum, in the same order, either way. A filter's rows come in
    runs (a document's paragraphs are neighbours): when the runs are few for the lists'
    length, each run's entries are found by two binary searches in each list
    (:func:`_in_runs`, which needs each list's rows ascending, as a build writes them), else
    every entry is tested. ``by_runs`` forces one way (None: the cheaper, by
    :data:`_SEARCH_COST`).

    Every posting list of an unfiltered query is read whole: bounding rows from each list's
    largest weight (MaxScore, or per block of rows) leaves out almost nothing here, since each
    vector keeps its 256 strongest latents (on the bench's store none weighs under 0.4) and a
    query has 150 to 200 of them.
    """
    indptr = np.asarray(matrix.indptr)
    starts, ends = indptr[qidx], indptr[qidx + 1]
    total = int((ends - starts).sum())
    if not total:
        return None
    # Plain views: slicing a memory map makes a memmap object per slice.
    indices, data = matrix.indices.view(np.ndarray), matrix.data.view(np.ndarray)
    pointers = np.zeros(len(qidx) + 1, dtype=np.int64)
    if mask is not None:
        bounds = _runs(mask)
        if by_runs is None:
            by_runs = len(qidx) * len(bounds) * _SEARCH_COST < total
        if not len(bounds):
            return np.zeros(rows, dtype=np.float64)
    if mask is not None and by_runs:
        positions, counts = _in_runs(indices, starts, ends, bounds)
        np.cumsum(counts, out=pointers[1:])
        postings, weights = indices[positions], data[positions].astype(np.float64)
    else:
        found: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            rows_of, weights_of = indices[a:b], data[a:b]
            if mask is not None:
                kept = mask[rows_of]
                rows_of, weights_of = rows_of[kept], weights_of[kept]
            found.append(rows_of)
            values.append(weights_of)
        np.cumsum([len(x) for x in found], out=pointers[1:])
        postings = np.concatenate(found)
        weights = np.concatenate(values, dtype=np.float64, casting="safe")
    if not pointers[-1]:
        return np.zeros(rows, dtype=np.float64)
    columns = csc_matrix((weights, postings, pointers), shape=(rows, len(qidx)))
    out: np.ndarray = columns @ qval.astype(np.float64)
    return out


def _row_dots(
    matrix: SparseMatrix, rows: np.ndarray, qidx: np.ndarray, qval: np.ndarray
) -> np.ndarray:
    """Dot product of a query with the given rows only.

    Each posting list holds its rows in ascending order (see :func:`_postings_sorted`), so a
    row's weight for a latent is one binary search; the cost follows the number of rows asked
    for, not the length of the posting lists. The terms are added in the order of the query's
    latents, in ``float64``, as :func:`_dots` adds them, so the two agree exactly.
    """
    out = np.zeros(len(rows), dtype=np.float64)
    if not len(rows):
        return out
    indices, data = matrix.indices.view(np.ndarray), matrix.data.view(np.ndarray)
    indptr = np.asarray(matrix.indptr)
    starts, ends = indptr[qidx].tolist(), indptr[qidx + 1].tolist()
    for a, b, v in zip(starts, ends, qval.astype(np.float64).tolist(), strict=True):
        if a == b:
            continue
        postings = indices[a:b]
        at = np.minimum(np.searchsorted(postings, rows), b - a - 1)
        hit = postings[at] == rows
        if hit.any():
            out[hit] += data[a + at[hit]].astype(np.float64) * v
    return out


def _postings_sorted(matrix: SparseMatrix) -> bool:
    """Whether every posting list holds strictly ascending rows (what a build writes)."""
    indices = matrix.indices
    if len(indices) < 2:
        return True
    rising = np.diff(indices) > 0
    # A step down is allowed where one posting list ends and the next begins.
    boundaries = matrix.indptr[1:-1]
    boundaries = boundaries[(boundaries > 0) & (boundaries < len(indices))]
    rising[boundaries - 1] = True
    return bool(rising.all())


@dataclass(frozen=True)
class _Derived:
    rows: dict[str, int]
    norms: np.ndarray
    frequency: np.ndarray
    #: Whether the posting lists hold ascending rows (then a few rows are read by search).
    sorted_postings: bool


class SparseIndex:
    """Dot-product search over sparse vectors, as an inverted (CSC) index.

    Entries are kept by record id; the matrix is rebuilt when it is next searched after a
    change (ingesting many documents in a row rebuilds once). After :meth:`restore` the entries
    are not held one by one: they are read out of the restored matrix only when a change comes.

    Args:
        dim: Number of latents of the sparse head.
    """

    def __init__(self, dim: int) -> None:
        self.dim = int(dim)
        self._lock = threading.RLock()
        self._entries: dict[str, SparseEntry] | None = {}
        self._order: list[str] = []
        self._metas: list[Mapping[str, Any]] = []
        self._matrix: SparseMatrix | None = None
        self._conditions: ConditionIndex | None = None
        self._dirty = False
        #: Derived from the current matrix on first use (row of each id, row norms, latent
        #: document frequencies); dropped whenever the matrix changes.
        self._derived: _Derived | None = None

    def __len__(self) -> int:
        with self._lock:
            return len(self._order) if self._entries is None else len(self._entries)

    def ids(self) -> set[str]:
        """Record ids currently indexed."""
        with self._lock:
            return set(self._order) if self._entries is None else set(self._entries)

    @property
    def nbytes(self) -> int:
        """Memory held by the built matrix."""
        m = self._matrix
        if m is None:
            return 0
        return int(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes)

    def replace_all(self, entries: Iterable[SparseEntry]) -> None:
        """Index exactly ``entries`` (forgetting everything else)."""
        with self._lock:
            self._entries = {e.id: self._checked(e) for e in entries}
            self._dirty = True

    def update(self, add: Iterable[SparseEntry] = (), remove: Iterable[str] = ()) -> None:
        """Add or replace some entries and drop others (indexed at the next search)."""
        add, remove = list(add), list(remove)
        with self._lock:
            entries = self._materialize()
            for rid in remove:
                entries.pop(rid, None)
            for e in add:
                entries[e.id] = self._checked(e)
            self._dirty = True

    def _checked(self, entry: SparseEntry) -> SparseEntry:
        idx, val = entry.vector
        idx = np.asarray(idx, dtype=np.int32)
        val = np.asarray(val, dtype=np.float32)
        if idx.shape != val.shape or idx.ndim != 1:
            raise ValueError(f"{entry.id}: sparse indices and weights differ in shape")
        if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= self.dim):
            raise ValueError(f"{entry.id}: sparse index out of range 0..{self.dim - 1}")
        return SparseEntry(entry.id, (idx, val), entry.metadata)

    def _materialize(self) -> dict[str, SparseEntry]:
        """The entries one by one (read out of a restored matrix on the first change)."""
        if self._entries is not None:
            return self._entries
        entries: dict[str, SparseEntry] = {}
        m = self._matrix
        if m is not None and self._order:
            shape = (len(self._order), self.dim)
            csr = csc_matrix((m.data.astype(np.float32), m.indices, m.indptr), shape=shape).tocsr()
            csr.sort_indices()
            for row, rid in enumerate(self._order):
                lo, hi = csr.indptr[row], csr.indptr[row + 1]
                vector = (
                    np.asarray(csr.indices[lo:hi], dtype=np.int32),
                    np.asarray(csr.data[lo:hi], dtype=np.float32),
                )
                entries[rid] = SparseEntry(rid, vector, self._metas[row])
        self._entries = entries
        return entries

    def export(self) -> tuple[SparseMatrix, list[Mapping[str, Any]]]:
        """The built index and its rows' metadata, for a snapshot (pending changes first)."""
        with self._lock:
            self._build()
            m = self._matrix
            if m is None:
                empty = SparseMatrix(
                    [],
                    np.zeros(self.dim + 1, np.int64),
                    np.zeros(0, np.int32),
                    np.zeros(0, np.float16),
                    self.dim,
                )
                return empty, []
            return SparseMatrix(list(self._order), m.indptr, m.indices, m.data, self.dim), list(
                self._metas
            )

    def restore(self, matrix: SparseMatrix, metas: list[Mapping[str, Any]]) -> None:
        """Hold an index exported by :meth:`export` (arrays used as given, e.g. memory maps).

        Raises:
            ValueError: The arrays do not describe a ``len(ids) x dim`` CSC matrix.
        """
        n = len(matrix.ids)
        if matrix.dim != self.dim or len(metas) != n or len(matrix.indptr) != self.dim + 1:
            raise ValueError(f"expected a sparse index of {n} rows and {self.dim} latents")
        if len(matrix.indices) != len(matrix.data) or int(matrix.indptr[-1]) != len(matrix.data):
            raise ValueError("the sparse index's arrays disagree in length")
        if matrix.indices.dtype != np.int32 or matrix.data.dtype != np.float16:
            raise ValueError(
                f"the sparse index has {matrix.indices.dtype} rows and {matrix.data.dtype} "
                "weights, expected int32 and float16"
            )
        if len(matrix.indices) and (int(matrix.indices.max()) >= max(n, 1)):
            raise ValueError("the sparse index refers to rows it does not have")
        with self._lock:
            self._matrix = matrix if n else None
            self._order = list(matrix.ids)
            self._metas = list(metas)
            self._entries = None
            self._conditions = ConditionIndex(self._metas)
            self._dirty = False
            self._derived = None

    def build(self) -> None:
        """Index pending changes now instead of at the next search."""
        with self._lock:
            self._build()

    def _build(self) -> None:
        if not self._dirty:
            return
        entries = self._materialize()
        self._dirty = False
        self._derived = None
        self._order = sorted(entries)
        self._metas = [entries[rid].metadata for rid in self._order]
        self._conditions = ConditionIndex(self._metas)
        if not self._order:
            self._matrix = None
            return
        vectors = [entries[rid].vector for rid in self._order]
        lengths = np.fromiter((v[0].size for v in vectors), dtype=np.int64, count=len(vectors))
        indptr = np.zeros(len(vectors) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.concatenate([v[0] for v in vectors]) if indptr[-1] else _EMPTY[0]
        data = np.concatenate([v[1] for v in vectors]) if indptr[-1] else _EMPTY[1]
        csr = csr_matrix((data, indices, indptr), shape=(len(vectors), self.dim))
        csr.sum_duplicates()
        csc = csr.tocsc()
        csc.sort_indices()
        self._matrix = SparseMatrix(
            self._order,
            np.asarray(csc.indptr, dtype=np.int64),
            np.asarray(csc.indices, dtype=np.int32),
            np.asarray(csc.data, dtype=np.float16),
            self.dim,
        )

    def _derive(self) -> _Derived | None:
        """Row lookup, row norms and latent frequencies of the built matrix (cached)."""
        self._build()
        m = self._matrix
        if m is None:
            return None
        if self._derived is None:
            n = len(self._order)
            weights = m.data.astype(np.float64)
            norms = np.sqrt(np.bincount(m.indices, weights=weights * weights, minlength=n))
            frequency = np.diff(m.indptr).astype(np.float64) / max(n, 1)
            rows = {rid: i for i, rid in enumerate(self._order)}
            self._derived = _Derived(rows, norms, frequency, _postings_sorted(m))
        return self._derived

    def frequent(self, share: float) -> np.ndarray:
        """Latents present in more than ``share`` of the indexed paragraphs (sorted indices)."""
        with self._lock:
            derived = self._derive()
        if derived is None:
            return np.zeros(0, dtype=np.int32)
        return np.flatnonzero(derived.frequency > share).astype(np.int32)

    def _kept(self, query: SparseVector) -> tuple[np.ndarray, np.ndarray]:
        """A query's latents in range with a non-zero weight (int64 indices, float32 weights)."""
        qidx = np.asarray(query[0], dtype=np.int64)
        qval = np.asarray(query[1], dtype=np.float32)
        keep = (qidx >= 0) & (qidx < self.dim) & (qval != 0)
        return qidx[keep], qval[keep]

    def overlaps(self, query: SparseVector, ids: Iterable[str]) -> dict[str, float]:
        """Cosine of ``query`` and each indexed paragraph of ``ids`` (absent ids are left out).

        Only the asked rows' weights for the query's latents are read (a binary search in each
        posting list), so the cost does not grow with the store; the scores are those of the
        whole posting lists (:meth:`search`'s), exactly.
        """
        with self._lock:
            derived = self._derive()
            matrix = self._matrix
        if derived is None or matrix is None:
            return {}
        wanted = {rid: derived.rows[rid] for rid in ids if rid in derived.rows}
        if not wanted:
            return {}
        qidx, qval = self._kept(query)
        qnorm = float(np.linalg.norm(qval.astype(np.float64)))
        if qnorm == 0:
            return dict.fromkeys(wanted, 0.0)
        rows = np.fromiter(wanted.values(), dtype=np.int64, count=len(wanted))
        if derived.sorted_postings:
            dots = _row_dots(matrix, rows, qidx, qval)
        else:  # not written by a build (never expected): read the whole posting lists
            found = _dots(matrix, len(derived.norms), qidx, qval)
            dots = found[rows] if found is not None else np.zeros(len(rows))
        out: dict[str, float] = {}
        for rid, row, dot in zip(wanted, rows.tolist(), dots.tolist(), strict=True):
            norm = float(derived.norms[row]) * qnorm
            out[rid] = dot / norm if norm > 0 else 0.0
        return out

    def search(
        self, query: SparseVector, k: int, where: Mapping[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` entries with the highest dot product, best first, positive scores only.

        Args:
            query: The query's sparse vector.
            k: How many results at most.
            where: Metadata equality conditions (AND), as for the vector mirror.

        Returns:
            ``(record_id, score)`` pairs; ties broken by record id.
        """
        with self._lock:
            derived = self._derive()
            matrix, order, conditions = self._matrix, self._order, self._conditions
        if derived is None or matrix is None or k <= 0 or len(query[0]) == 0:
            return []
        mask = conditions.mask(where) if (where and conditions is not None) else None
        # Binary searches need ascending rows in each posting list (what a build writes).
        by_runs = None if derived.sorted_postings else False
        scores = _dots(matrix, len(order), *self._kept(query), mask=mask, by_runs=by_runs)
        if scores is None:
            return []
        hit = np.flatnonzero(scores > 0)
        if hit.size > k:
            threshold = np.partition(scores[hit], hit.size - k)[hit.size - k]
            hit = hit[scores[hit] >= threshold]
        # Rows tied with the k-th are all still here (ties go by id): sorted as Python numbers.
        pairs = zip(hit.tolist(), scores[hit].tolist(), strict=True)
        ranked = sorted(pairs, key=lambda x: (-x[1], order[x[0]]))[:k]
        return [(order[i], score) for i, score in ranked]
