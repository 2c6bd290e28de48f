"""The store's snapshot: used when it matches, caught up when stale, rebuilt when corrupt or
foreign, never trusted over Chroma (both backends)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import vectorstore.backend as backend_module
from tests.vectorstore.helpers import EN_PLEDGE, FR_PLEDGE, make_parsed
from vectorstore.lexical import tokenize
from vectorstore.snapshot import SnapshotData, SnapshotStore


def _generation(store: Any) -> Path:
    directory = store._snapshots.directory
    return Path(directory) / (Path(directory) / "CURRENT").read_text().strip()


def _contents(store: Any) -> dict[str, Any]:
    """Everything a reader can see, as plain values."""
    vec = store.embedder.embed_query("death penalty")[None, :]
    return {
        "documents": store.documents(),
        "paragraphs": {d.doc_id: store.paragraphs(d.doc_id) for d in store.documents()},
        "count": (store.count(), len(store.lexical), len(store.mirror)),
        "bm25": store.lexical_search(tokenize("torture peine de mort"), 10),
        "bm25_fr": store.lexical_search(tokenize("peine de mort"), 10, {"country": "FRA"}),
        "dense_bel": [r for r, _ in store.dense_search(vec, 10, {"country": "BEL"})[0]],
    }


def _truth(open_store: Any) -> dict[str, Any]:
    """What a handle that reads everything from Chroma sees."""
    return _contents(open_store(snapshot_dir=None))


@pytest.fixture
def whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records the ``where`` of every paragraph read (None: the whole collection)."""
    calls: list[Any] = []
    real = backend_module.ChromaBackend.read_paragraphs

    def spy(self: Any, docs: Any, where: Any = None) -> Any:
        calls.append(where)
        return real(self, docs, where)

    monkeypatch.setattr(backend_module.ChromaBackend, "read_paragraphs", spy)
    return calls


def _fill(store: Any) -> None:
    store.upsert(make_parsed("bel.en", EN_PLEDGE))
    store.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))


def test_reopen_loads_the_snapshot_without_reading_paragraphs(
    open_store: Any, whole_reads: list[Any]
) -> None:
    writer = open_store()
    _fill(writer)
    writer.close()  # writes the snapshot
    whole_reads.clear()
    reopened = open_store()
    assert whole_reads == []  # nothing read from the paragraph collection
    assert _contents(reopened) == _truth(open_store)
    assert _contents(reopened)["count"] == (5, 5, 5)


def test_stale_snapshot_is_caught_up_reading_only_changed_documents(
    open_store: Any, whole_reads: list[Any]
) -> None:
    first = open_store()
    _fill(first)
    first.close()
    other = open_store()  # another process writes after the snapshot was made
    other.upsert(make_parsed("bel.en", ["Belgium will end torture."], version="v2"))
    other.upsert(make_parsed("chn.en", ["China will report."], country=("CHN", "China")))
    whole_reads.clear()
    reopened = open_store()
    assert whole_reads and all(w is not None for w in whole_reads)
    read = {d for w in whole_reads for d in ([w["doc_id"]] if "$in" not in str(w) else [])}
    read |= {d for w in whole_reads if "$in" in str(w) for d in w["doc_id"]["$in"]}
    assert read == {"bel.en", "chn.en"}
    assert _contents(reopened) == _truth(open_store)
    assert [p.text for p in reopened.paragraphs("bel.en")] == ["Belgium will end torture."]
    # Catching up read a large share of the store, so that open wrote the snapshot again.
    whole_reads.clear()
    assert _contents(open_store()) == _truth(open_store)
    assert whole_reads == [None]  # only _truth's handle read paragraphs


@pytest.mark.parametrize(
    "damage",
    ["flip a byte of the records", "truncate the vectors", "drop the BM25 index", "bad CURRENT"],
)
def test_corrupt_snapshot_is_ignored_and_rebuilt(
    open_store: Any, whole_reads: list[Any], damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    writer = open_store()
    _fill(writer)
    writer.close()
    gen = _generation(writer)
    if damage == "flip a byte of the records":
        data = bytearray((gen / "records.pickle").read_bytes())
        data[len(data) // 2] ^= 0xFF
        (gen / "records.pickle").write_bytes(bytes(data))
    elif damage == "truncate the vectors":
        with (gen / "vectors.npy").open("r+b") as f:
            f.truncate(200)
    elif damage == "drop the BM25 index":
        for path in (gen / "bm25").iterdir():
            path.unlink()
    else:
        (gen.parent / "CURRENT").write_text("../../elsewhere")
    whole_reads.clear()
    with caplog.at_level("WARNING", logger="vectorstore"):
        reopened = open_store()
    assert "ignoring the store snapshot" in caplog.text
    assert None in whole_reads  # rebuilt from the whole collection
    assert _contents(reopened) == _truth(open_store)
    # The rebuild wrote a good snapshot again: the next open uses it.
    assert _generation(reopened) != gen
    whole_reads.clear()
    caplog.clear()
    with caplog.at_level("WARNING", logger="vectorstore"):
        again = open_store()
    assert whole_reads == [] and "ignoring" not in caplog.text
    assert _contents(again)["count"] == (5, 5, 5)


def test_snapshot_of_a_recreated_collection_is_foreign(
    open_store: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A collection deleted and created again under the same name is another store: the old
    snapshot (same name, same location) must not bring back its paragraphs."""
    old = open_store()
    _fill(old)
    old.close()
    old.client.delete_collection(old.name)
    old.client.delete_collection(old.name + "-documents")
    fresh = open_store(snapshot_dir=None)
    fresh.upsert(make_parsed("chn.en", ["China will report."], country=("CHN", "China")))
    with caplog.at_level("WARNING", logger="vectorstore"):
        reopened = open_store()
    assert "another store" in caplog.text
    assert [d.doc_id for d in reopened.documents()] == ["chn.en"]
    assert reopened.count() == len(reopened.lexical) == len(reopened.mirror) == 1
    assert reopened.lexical_search(tokenize("torture"), 5) == []


def test_snapshot_of_another_collection_is_foreign(
    open_store: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A snapshot copied under another store's snapshot directory is not used there."""
    import shutil

    source = open_store()
    _fill(source)
    source.close()
    target_dir = tmp_path / "other-snapshots"
    shutil.copytree(source._snapshots.directory, target_dir)
    name = source.name + "x"
    from vectorstore.store import PledgeStore

    with caplog.at_level("WARNING", logger="vectorstore"):
        other = PledgeStore(
            source.client, source.embedder, collection=name, snapshot_dir=target_dir
        )
    assert "another store" in caplog.text
    assert other.count() == 0 and other.documents() == []


def test_snapshot_files_hold_plain_values_only(tmp_path: Path, caplog: Any) -> None:
    """A records file that refers to any class or function is refused, never run."""
    identity = {"collection_id": "c", "dim": 2}
    snapshots = SnapshotStore(tmp_path, identity)
    data = SnapshotData(
        version="v",
        documents=[],
        unreadable={},
        rows=[],
        vector_ids=[],
        vectors=np.zeros((0, 2), np.float32),
    )
    gen = snapshots.save(data)
    assert snapshots.load() is not None
    evil = pickle.dumps({"version": "v", "rows": [Path("/etc/passwd")]})
    (gen / "records.pickle").write_bytes(evil)
    # Fix up the recorded size and checksum so that only the unpickler stands in the way.
    import json
    import zlib

    meta = json.loads((gen / "meta.json").read_text())
    meta["files"]["records.pickle"] = [len(evil), zlib.crc32(evil)]
    (gen / "meta.json").write_text(json.dumps(meta))
    with caplog.at_level("WARNING", logger="vectorstore"):
        assert snapshots.load() is None
    assert "only plain values" in caplog.text
