"""The fast scoring paths against the straightforward computations they replace, on a real store.

BM25 scores are added with a plain scatter instead of ``bm25s``'s ``np.add.at``; latent
overlaps read only the asked rows' weights instead of whole posting lists; the latent-terms
ranking adds its posting lists in one compiled sparse product instead of a scatter in numpy,
and finds a filter's entries by binary search run by run instead of testing each; filtered
dense search multiplies the filter's runs of rows in place instead of gathering them first.
Each must give what the straightforward computation gives: the same scores (exactly, where the
arithmetic is the same) and the same ranking, with and without a filter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.vectorstore.helpers import EN_PLEDGE, FR_PLEDGE, make_parsed
from vectorstore.lexical import bm25_scores, tokenize
from vectorstore.settings import StoreSettings
from vectorstore.sparse import SparseEntry, SparseIndex, SparseMatrix, _dots, _row_dots
from vectorstore.store import PledgeStore

QUESTIONS = [
    "What did Belgium commit to on the death penalty?",
    "比利时在废除死刑方面作出了哪些承诺？",
    "La France continuera de lutter contre la peine de mort",
    "independence of the International Criminal Court",
    "gender-based violence against women and girls",
]


def _copy(parsed: Any, doc_id: str, code: str, name: str) -> Any:
    """``parsed`` filed as another country's pledge (same texts, so the same vectors)."""
    doc = parsed.document
    country = doc.country.model_copy(update={"code": code, "name": name})
    return parsed.model_copy(
        update={
            "document": doc.model_copy(
                update={"doc_id": doc_id, "sha256": code.lower() * 16, "country": country}
            ),
            "paragraphs": [
                p.model_copy(update={"doc_id": doc_id, "id": p.id.replace(doc.doc_id, doc_id)})
                for p in parsed.paragraphs
            ],
        }
    )


@pytest.fixture(scope="module")
def store(
    tmp_path_factory: pytest.TempPathFactory, sample_embedder: Any, sample_parsed: Any
) -> Any:
    """The sample (Belgium), copies of it filed under three other countries, two short pledges.

    A country keeps under a quarter of the rows, in runs (its documents), as in a large store.
    """
    path: Path = tmp_path_factory.mktemp("scoring-store")
    s = PledgeStore.from_settings(StoreSettings(store=path), embedder=sample_embedder)
    s.upsert(sample_parsed)
    s.upsert(make_parsed("bel.en", EN_PLEDGE))
    for code, name in [("FRA", "France"), ("NOR", "Norway"), ("DEU", "Germany")]:
        s.upsert(_copy(sample_parsed, f"{code.lower()}-copy.zh", code, name))
    s.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))
    s.prepare()
    return s


def _token_lists() -> list[list[str]]:
    lists = [tokenize(q) for q in QUESTIONS]
    # Repeated terms weigh more (the retriever repeats expansion terms): each repeat is added.
    lists.append(tokenize(QUESTIONS[0]) * 3 + tokenize(QUESTIONS[1]))
    return lists


def test_bm25_scores_equal_bm25s_own_scores_exactly(store: Any) -> None:
    _, bm25 = store.lexical.export()
    for tokens in _token_lists():
        ids = bm25.get_tokens_ids(tokens)
        assert ids, tokens
        want = bm25.get_scores_from_ids(ids)
        got = bm25_scores(bm25, ids)
        assert got.dtype == want.dtype
        assert np.array_equal(got, want), tokens


def _top(scores: dict[str, float], k: int) -> list[tuple[str, float]]:
    kept = [(rid, s) for rid, s in scores.items() if s > 0]
    return sorted(kept, key=lambda x: (-x[1], x[0]))[:k]


@pytest.mark.parametrize("country", [None, "BEL", "FRA"])
def test_lexical_search_is_the_full_scores_restricted_to_the_filter(
    store: Any, country: str | None
) -> None:
    entries, bm25 = store.lexical.export()
    where = {"country": country} if country else None
    for tokens in _token_lists():
        full = bm25.get_scores_from_ids(bm25.get_tokens_ids(tokens))
        scores = {
            e.id: float(full[i])
            for i, e in enumerate(entries)
            if country is None or e.metadata.get("country") == country
        }
        got = store.lexical.search(tokens, 10, where=where)
        want = _top(scores, 10)
        assert [s for _, s in got] == [s for _, s in want]
        # Equal scores may come in either order (the index keeps its own row order).
        assert {rid for rid, s in got if s > want[-1][1]} == {
            rid for rid, s in want if s > want[-1][1]
        }


def _latents(store: Any, text: str) -> Any:
    return store.sparse_embedder.embed_sparse([text])[0]


@pytest.mark.parametrize("country", [None, "BEL", "FRA"])
def test_sparse_search_is_the_full_dot_products_restricted_to_the_filter(
    store: Any, country: str | None
) -> None:
    matrix, metas = store.sparse.export()
    where = {"country": country} if country else None
    for question in QUESTIONS:
        query = _latents(store, question)
        qidx = np.asarray(query[0], dtype=np.int64)
        qval = np.asarray(query[1], dtype=np.float32)
        # Straightforward: every row as a dense vector, one product.
        shape = (len(matrix.ids), matrix.dim)
        rows = np.zeros(shape, dtype=np.float64)
        for col in range(matrix.dim):
            lo, hi = matrix.indptr[col], matrix.indptr[col + 1]
            rows[matrix.indices[lo:hi], col] = matrix.data[lo:hi]
        q = np.zeros(matrix.dim, dtype=np.float64)
        np.add.at(q, qidx, qval.astype(np.float64))
        full = rows @ q
        scores = {
            rid: float(full[i])
            for i, rid in enumerate(matrix.ids)
            if country is None or metas[i].get("country") == country
        }
        got = store.sparse.search(query, 10, where=where)
        want = _top(scores, 10)
        np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-9)
        assert [rid for rid, _ in got] == [rid for rid, _ in want]


def _sequential_dots(
    matrix: SparseMatrix, qidx: np.ndarray, qval: np.ndarray, mask: np.ndarray | None = None
) -> list[float]:
    """Each row's score as the plain definition: ``float64`` terms added in the query's order."""
    out = [0.0] * len(matrix.ids)
    for col, weight in zip(qidx.tolist(), qval.astype(np.float64).tolist(), strict=True):
        for at in range(int(matrix.indptr[col]), int(matrix.indptr[col + 1])):
            row = int(matrix.indices[at])
            if mask is None or mask[row]:
                out[row] += float(matrix.data[at]) * weight
    return out


def _bincount_dots(
    matrix: SparseMatrix, qidx: np.ndarray, qval: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """The scores as the index used to add them: one numpy scatter over the posting lists."""
    found, weights = [], []
    for col in qidx.tolist():
        lo, hi = int(matrix.indptr[col]), int(matrix.indptr[col + 1])
        postings, values = matrix.indices[lo:hi], matrix.data[lo:hi]
        if mask is not None:
            postings, values = postings[mask[postings]], values[mask[postings]]
        found.append(postings)
        weights.append(values)
    lengths = [len(x) for x in found]
    w = np.concatenate(weights).astype(np.float64) * np.repeat(qval, lengths).astype(np.float64)
    return np.bincount(np.concatenate(found), weights=w, minlength=len(matrix.ids))


def _ranked(scores: list[float], ids: list[str], k: int) -> list[tuple[str, float]]:
    return _top(dict(zip(ids, scores, strict=True)), k)


@pytest.mark.parametrize("country", [None, "BEL", "FRA"])
def test_sparse_search_scores_are_the_sequential_sums_bit_for_bit(
    store: Any, country: str | None
) -> None:
    matrix, metas = store.sparse.export()
    n = len(matrix.ids)
    where = {"country": country} if country else None
    mask = np.array([m.get("country") == country for m in metas]) if country else None
    for question in QUESTIONS:
        query = _latents(store, question)
        qidx = np.asarray(query[0], dtype=np.int64)
        qval = np.asarray(query[1], dtype=np.float32)
        want = _sequential_dots(matrix, qidx, qval, mask)
        # A filter's entries found run by run (binary searches) or by testing each entry.
        for by_runs in (None, True, False):
            got = _dots(matrix, n, qidx, qval, mask, by_runs=by_runs)
            assert got is not None
            assert got.tolist() == want  # equal, not just close
            assert np.array_equal(got, _bincount_dots(matrix, qidx, qval, mask))
        rows = np.flatnonzero(mask) if mask is not None else np.arange(n)
        assert _row_dots(matrix, rows, qidx, qval).tolist() == [want[i] for i in rows]
        for k in (1, 10, 50):
            assert store.sparse.search(query, k, where=where) == _ranked(want, matrix.ids, k)


# Few latents and a few weights, some of them repeated, so that rows share latents and rows
# tie (equal vectors under different ids). A float16 weight times a float32 one has 35
# significant bits, so sums of terms of like size are exact in any order: query weights of
# very different sizes make sums round, so that adding in another order shows.
WEIGHTS = st.sampled_from([0.5, 0.625, 1.0, 1.5, 2.0, -0.75]) | st.floats(
    -4.0, 4.0, allow_nan=False, width=32
)
QUERY_WEIGHTS = WEIGHTS | st.builds(
    lambda sign, bits, e: sign * (1 + bits / 2**23) * 2.0**e,  # any float32 of 2^-30..2^31
    st.sampled_from([-1.0, 1.0]),
    st.integers(0, 2**23 - 1),
    st.integers(-30, 30),
)
LATENT = st.integers(0, 9)
sparse_vectors = st.lists(st.tuples(LATENT, WEIGHTS), max_size=8, unique_by=lambda x: x[0])


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(sparse_vectors, st.sampled_from(["BEL", "FRA", "NOR"]), st.integers(1, 3)),
        max_size=24,
    ),
    # Any order, repeated latents and zero weights included: the index must add what it is given.
    query=st.lists(st.tuples(LATENT, QUERY_WEIGHTS | st.just(0.0)), max_size=10),
    k=st.integers(1, 12),
    country=st.none() | st.sampled_from(["BEL", "FRA", "NOR", "SWE"]),
)
def test_sparse_search_is_the_sequential_sums_ranked_on_any_matrix(
    rows: list[tuple[list[tuple[int, float]], str, int]],
    query: list[tuple[int, float]],
    k: int,
    country: str | None,
) -> None:
    index = SparseIndex(10)
    entries = []
    for i, (vector, code, copies) in enumerate(rows):
        idx = np.array([c for c, _ in vector], dtype=np.int32)
        val = np.array([w for _, w in vector], dtype=np.float32)
        # Copies of a vector under other ids tie; the ids interleave with other rows'.
        entries += [
            SparseEntry(f"r{j}-{i:02d}", (idx, val), {"country": code}) for j in range(copies)
        ]
    index.replace_all(entries)
    matrix, metas = index.export()
    qidx = np.array([c for c, _ in query], dtype=np.int64)
    qval = np.array([w for _, w in query], dtype=np.float32)
    mask = np.array([m["country"] == country for m in metas], dtype=bool) if country else None
    where = {"country": country} if country else None
    got = index.search((qidx, qval), k, where=where)
    if not entries or not len(qidx):
        assert got == []
        return
    kept = qval != 0
    want = _sequential_dots(matrix, qidx[kept], qval[kept], mask)
    for by_runs in (True, False):
        dots = _dots(matrix, len(entries), qidx[kept], qval[kept], mask, by_runs=by_runs)
        if dots is not None:
            assert dots.tolist() == want
            assert np.array_equal(dots, _bincount_dots(matrix, qidx[kept], qval[kept], mask))
    assert got == _ranked(want, matrix.ids, k)


def test_latent_overlaps_from_the_asked_rows_equal_the_whole_posting_lists(store: Any) -> None:
    matrix, _ = store.sparse.export()
    n = len(matrix.ids)
    weights = matrix.data.astype(np.float64)
    norms = np.sqrt(np.bincount(matrix.indices, weights=weights * weights, minlength=n))
    asked = [*matrix.ids[::7], "not-stored"]
    for question in QUESTIONS:
        query = _latents(store, question)
        qidx = np.asarray(query[0], dtype=np.int64)
        qval = np.asarray(query[1], dtype=np.float32)
        whole = _dots(matrix, n, qidx, qval)
        assert whole is not None
        qnorm = float(np.linalg.norm(qval.astype(np.float64)))
        want = {
            rid: float(whole[i]) / (norms[i] * qnorm)
            for i, rid in enumerate(matrix.ids)
            if rid in asked
        }
        got = store.sparse.overlaps(query, asked)
        assert got == want  # the same sums in the same order: equal, not just close


@pytest.mark.parametrize(
    "where",
    [
        {"term": "2023-2025"},  # most rows: one product over the whole matrix
        {"country": "BEL"},  # a country's runs of rows, multiplied in place
        {"country": "FRA"},
        {"language": "en"},  # a few scattered rows, gathered
    ],
)
def test_filtered_dense_search_is_the_full_product_restricted_to_the_filter(
    store: Any, where: dict[str, str]
) -> None:
    ids, matrix, metas = store.mirror.export()
    keep = [i for i, m in enumerate(metas) if all(m.get(f) == v for f, v in where.items())]
    assert keep
    vectors = store.embedder.embed_queries(QUESTIONS)
    full = np.asarray(matrix, dtype=np.float64) @ vectors.astype(np.float64).T
    got = store.mirror.search(vectors, 12, where)
    for j, hits in enumerate(got):
        want = sorted(((ids[i], float(full[i, j])) for i in keep), key=lambda x: (-x[1], x[0]))
        n = min(12, len(want))
        np.testing.assert_allclose([s for _, s in hits], [s for _, s in want[:n]], atol=1e-5)
        # Rows whose scores differ by more than float noise come in the same order.
        cut = want[n][1] + 1e-5 if len(want) > n else -np.inf
        assert [r for r, s in hits if s > cut] == [r for r, s in want[:n] if s > cut]


def test_filtered_sparse_search_on_a_restored_matrix_with_unordered_posting_lists() -> None:
    # Not what a build writes (its lists ascend), but restore accepts it: no binary search then.
    ids = [f"r{i}" for i in range(6)]
    indptr = np.array([0, 6, 9], dtype=np.int64)
    indices = np.array([5, 0, 3, 1, 4, 2, 2, 0, 5], dtype=np.int32)
    data = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.5, 0.25, 0.125], dtype=np.float16)
    matrix = SparseMatrix(ids, indptr, indices, data, 2)
    metas = [{"country": c} for c in ["BEL", "BEL", "FRA", "FRA", "BEL", "FRA"]]
    index = SparseIndex(2)
    index.restore(matrix, metas)
    qidx, qval = np.array([0, 1]), np.array([1.0, 2.0], dtype=np.float32)
    for country in ("BEL", "FRA"):
        mask = np.array([m["country"] == country for m in metas])
        want = _ranked(_sequential_dots(matrix, qidx, qval, mask), ids, 6)
        assert index.search((qidx, qval), 6, where={"country": country}) == want
        assert len(want) == 3
