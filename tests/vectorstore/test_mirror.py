"""The in-memory vector mirror and condition index against brute force over a reference dict."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vectorstore.mirror import ConditionIndex, VectorMirror

DIM = 8
COUNTRIES = ["BEL", "FRA", "CHN"]
LANGS = ["en", "fr", "zh"]


def _vec(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def _meta(i: int) -> dict[str, Any]:
    return {"country": COUNTRIES[i % 3], "language": LANGS[(i // 3) % 3], "doc_id": f"d{i % 5}"}


def _brute(
    ref: dict[str, tuple[np.ndarray, dict[str, Any]]], q: np.ndarray, k: int, where: dict[str, Any]
) -> list[tuple[str, float]]:
    rows = [
        (rid, float(v @ q))
        for rid, (v, m) in ref.items()
        if all(m.get(f) == val for f, val in where.items())
    ]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows[:k]


ops = st.lists(
    st.tuples(st.sampled_from(["add", "remove"]), st.integers(0, 40), st.integers(0, 10_000)),
    max_size=60,
)
wheres = st.sampled_from(
    [
        {"country": "BEL"},
        {"language": "fr"},
        {"country": "FRA", "language": "en"},
        {"doc_id": "d3"},
        {"country": "XXX"},
    ]
)


@settings(max_examples=60, deadline=None)
@given(ops=ops, where=wheres, k=st.integers(1, 12), qseed=st.integers(0, 99))
def test_filtered_search_equals_brute_force(
    ops: list[tuple[str, int, int]], where: dict[str, Any], k: int, qseed: int
) -> None:
    mirror = VectorMirror(DIM)
    ref: dict[str, tuple[np.ndarray, dict[str, Any]]] = {}
    for op, key, seed in ops:
        rid = f"r{key}"
        if op == "add":  # adds a new row or overwrites one, with a new vector and metadata
            ref[rid] = (_vec(seed), _meta(seed))
            mirror.update(add=[(rid, ref[rid][0], ref[rid][1])])
        else:
            ref.pop(rid, None)
            mirror.update(remove=[rid])
    q = _vec(10_000 + qseed)
    got = mirror.search(q[None, :], k, where)[0]
    want = _brute(ref, q, k, where)
    assert [r for r, _ in got] == [r for r, _ in want]
    assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)
    assert len(mirror) == len(ref)


def test_removals_compact_the_matrix_and_keep_results() -> None:
    mirror = VectorMirror(DIM)
    mirror.replace_all((f"r{i}", _vec(i), _meta(i)) for i in range(3000))
    before = mirror.nbytes
    mirror.update(
        remove=[f"r{i}" for i in range(0, 3000, 3)] + [f"r{i}" for i in range(1, 3000, 3)]
    )
    assert len(mirror) == 1000
    assert mirror.nbytes < before  # compacted: 2000 dead rows out of 3000
    q = _vec(77)
    ref = {f"r{i}": (_vec(i), _meta(i)) for i in range(2, 3000, 3)}
    for where in ({"country": "CHN"}, {"language": "en"}, {"country": "BEL"}):
        got = mirror.search(q[None, :], 20, where)[0]
        assert [r for r, _ in got] == [r for r, _ in _brute(ref, q, 20, where)]


def test_unnormalized_vectors_are_normalized_and_wrong_dimension_is_refused() -> None:
    mirror = VectorMirror(DIM)
    mirror.update(add=[("a", 5 * _vec(1), _meta(0))])
    [(rid, score)] = mirror.search(_vec(1)[None, :], 3, {"country": "BEL"})[0]
    assert rid == "a" and abs(score - 1.0) < 1e-5
    try:
        mirror.update(add=[("b", np.ones(DIM + 1), _meta(0))])
    except ValueError as e:
        assert "dimension" in str(e)
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("a vector of the wrong dimension was accepted")


def test_condition_index_masks() -> None:
    metas = [_meta(i) for i in range(30)] + [None]
    index = ConditionIndex(metas)
    for where in ({"country": "FRA"}, {"country": "FRA", "doc_id": "d1"}, {"term": "x"}):
        want = [m is not None and all(m.get(f) == v for f, v in where.items()) for m in metas]
        assert index.mask(where).tolist() == want
    assert index.mask({"country": "FRA"}) is index.mask({"country": "FRA"})  # cached


def test_ties_at_the_cut_are_broken_by_record_id() -> None:
    mirror = VectorMirror(DIM)
    same = _vec(5)
    # Ten rows with one vector, added in an order unrelated to their ids.
    mirror.update(add=[(f"r{i}", same, _meta(0)) for i in (7, 3, 9, 0, 5, 1, 8, 2, 6, 4)])
    got = mirror.search(same[None, :], 4, {"country": "BEL"})[0]
    assert [r for r, _ in got] == ["r0", "r1", "r2", "r3"]
