"""The Chroma store of pledge paragraphs, with its lexical index and vector mirror kept in step.

:class:`PledgeStore` is the façade every caller uses. Its parts:

* :mod:`vectorstore.chroma_records`: records <-> Chroma metadata, record ids, embedded and
  indexed text;
* :mod:`vectorstore.backend`: the two Chroma collections, version token, paged reads, writes;
* :mod:`vectorstore.cache`: the committed documents and paragraphs this process knows;
* :mod:`vectorstore.lexical`: the BM25 index; :mod:`vectorstore.mirror`: the vector mirror;
* :mod:`vectorstore.sparse`: the inverted index of the embedder's sparse "latent terms" (only
  with an embedder that has a sparse head; each paragraph record keeps its sparse vector in its
  metadata, each document record the name of the head it was written with);
* :mod:`vectorstore.snapshot`: a checked copy of the four above, so that opening a large store
  reads neither every record from Chroma nor tokenizes every paragraph again.

Writes: an upsert is committed by its document record:

1. the new paragraphs are written under record ids that carry a fresh revision token
   (``{doc_id}:¶{number}@{rev}``), next to the old version's;
2. the document record is written with that revision: from here on readers see the new version;
3. the old revision's paragraphs are deleted.

Readers only ever show paragraphs whose ``(doc_id, rev)`` matches a committed document record,
so a crash at any point leaves either the old version or the new one visible, never half of one
(and never a mix, even when the same bytes are re-ingested with other metadata); leftovers of a
crash (paragraphs of no committed revision) are swept when a store is opened, once they are
older than a grace period (a live writer in another process may be between steps 1 and 2).

Reads: every write replaces a ``version`` token in the paragraph collection's metadata; another
process (a Chroma server is shared) notices a changed token with one cheap call and catches up:
it reads the paragraphs of the documents whose committed revision changed and updates its cache,
lexical index and vector mirror. Opening loads the snapshot when a usable one exists and catches
up from it the same way; without one it reads everything and writes a snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import numpy as np

from ingest.countries import country_from_value
from ingest.errors import ConfigError, IngestError, echoed
from ingest.records import Document, Paragraph, ParsedDocument
from vectorstore.backend import CATCH_UP_BATCH, READ_PAGE, ChromaBackend, CommittedDocuments, Record
from vectorstore.cache import Catalog, CommittedCache
from vectorstore.chroma_records import (
    MAX_EMBED_CHARS,
    SCHEMA_VERSION,
    failure,
    from_metadata,
    iter_texts,
    lexical_text,
    new_revision,
    one_line,
    passage_text,
    reading_order,
    record_id,
    revision_of,
    same_version,
    to_metadata,
    unreachable,
)
from vectorstore.embedders import Embedder, SparseEmbedder, SparseVector, sparse_head
from vectorstore.errors import NotFoundError, StoreError
from vectorstore.lexical import TOKENIZER_VERSION, LexicalEntry, LexicalIndex, tokenize
from vectorstore.mirror import VectorMirror
from vectorstore.records import Filters
from vectorstore.settings import StoreSettings
from vectorstore.snapshot import SnapshotData, SnapshotStore
from vectorstore.sparse import (
    SPARSE_HEAD_KEY,
    SPARSE_KEY,
    SparseEntry,
    SparseIndex,
    decode,
    encode,
    quantized,
)

__all__ = [
    "CATCH_UP_BATCH",
    "CATCH_UP_MAX_DOCUMENTS",
    "MAX_EMBED_CHARS",
    "READ_PAGE",
    "SCHEMA_VERSION",
    "EmbedProgress",
    "PledgeStore",
    "UpsertStatus",
    "from_metadata",
    "iter_texts",
    "lexical_text",
    "new_revision",
    "passage_text",
    "record_id",
    "snapshot_dir",
    "to_metadata",
]

log = logging.getLogger(__name__)

UpsertStatus = Literal["added", "replaced", "unchanged"]

#: Called with the number of paragraphs just embedded (for progress bars).
EmbedProgress = Callable[[int], None]

#: Past this many changed documents (or half the store) catching up reloads everything.
CATCH_UP_MAX_DOCUMENTS = 200
#: Opening writes the snapshot again when catching up from it read more than this share of
#: the store's paragraphs.
SNAPSHOT_DRIFT = 0.1


#: The file in which an embedded Chroma store keeps its records.
EMBEDDED_DB_FILE = "chroma.sqlite3"


def store_exists(settings: StoreSettings) -> bool:
    """Whether the configured store has been created (always True for a Chroma server).

    Opening an embedded store creates it; a command that only reads asks this first, so that a
    mistyped ``--store`` is not created empty and searched.
    """
    if settings.chroma_url:
        return True
    return (Path(settings.store) / EMBEDDED_DB_FILE).is_file()


def chroma_address(value: str) -> tuple[str, int, bool]:
    """Host, port and TLS of a ``PLEDGES_CHROMA_URL`` (``http://host:port``).

    Raises:
        ConfigError: when the value is not an http(s) URL with a host, has a port that is not
            a number from 1 to 65535, or has a path (Chroma's client cannot use one).
    """
    wanted = f"PLEDGES_CHROMA_URL must look like http://host:port, got {value!r}"
    try:
        url = urlparse(value)
        port = url.port
    except ValueError as e:  # "http://[::1", "http://host:abc", a port over 65535
        raise ConfigError(f"{wanted}: {e}") from e
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(wanted)
    if url.path not in ("", "/") or url.query or url.fragment:
        rest = value.split(url.netloc, 1)[-1]
        raise ConfigError(f"{wanted}: Chroma's client speaks to the server's root, drop {rest!r}")
    if port == 0:
        raise ConfigError(f"{wanted}: port 0")
    return url.hostname, port or (443 if url.scheme == "https" else 8000), url.scheme == "https"


class PledgeStore:
    """Paragraphs of pledge documents in Chroma, with their indexes.

    Paragraphs of pledge documents in Chroma, with a BM25 index and a vector mirror kept
    consistent.

    Args:
        client: A Chroma client (``PersistentClient`` or ``HttpClient``).
        embedder: The embedder that fills and queries the collection.
        collection: Name of the paragraph collection.
        sweep_grace_s: Leftovers of interrupted writes are deleted on open once older than this.
        location: Human description of where the store is (for messages).
        snapshot_dir: Where the snapshot of what opening rebuilds is kept (see
            :mod:`vectorstore.snapshot`); None opens from Chroma alone and writes none.

    Raises:
        EmbedderMismatchError: The collection was filled by another embedder.
    """

    def __init__(
        self,
        client: Any,
        embedder: Embedder,
        collection: str = "pledges",
        sweep_grace_s: float = 300.0,
        location: str = "",
        snapshot_dir: Path | None = None,
    ) -> None:
        self.client = client
        self.embedder = embedder
        self.name = collection
        self.location = location or collection
        self.sweep_grace_s = sweep_grace_s
        self._lock = threading.RLock()
        # Writes (upsert, delete) run one at a time: each reads the committed revision, writes
        # Chroma and then updates the caches, the lexical index and the mirror from what it read.
        # Reads take only ``_lock``, so they never wait for an embedding batch.
        self._write_lock = threading.Lock()
        # Per thread: how many read views (``reading``) are open; inside one, reads do not ask
        # Chroma for the version token again.
        self._views = threading.local()
        self._cache = CommittedCache()
        # doc_id -> why its stored record cannot be read (written by an older version): such a
        # document is left out of every read, its paragraphs are kept (never swept) and
        # ``delete_document`` removes it.
        self._unreadable: dict[str, str] = {}
        self.lexical = LexicalIndex()
        self.mirror = VectorMirror(embedder.dim)
        head = sparse_head(embedder)
        #: Name of the sparse head documents are written with ("" when the embedder has none).
        self.sparse_name = head.sparse_name if head else ""
        self.sparse: SparseIndex | None = SparseIndex(head.sparse_dim) if head else None
        self._sparse_warned = False
        self.backend = ChromaBackend(
            client,
            embedder.name,
            embedder.dim,
            collection,
            self.location,
            sweep_grace_s,
            sparse_name=self.sparse_name,
        )
        self._col = self.backend.paragraphs
        self._docs = self.backend.documents
        self._snapshots = (
            SnapshotStore(snapshot_dir, self._snapshot_identity()) if snapshot_dir else None
        )
        self._open()

    @property
    def sparse_embedder(self) -> SparseEmbedder | None:
        """The embedder's sparse head, when it is the one this store was opened with."""
        head = sparse_head(self.embedder)
        if head is None or not self.sparse_name or head.sparse_name != self.sparse_name:
            return None
        return head

    # -- construction ----------------------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: StoreSettings, embedder: Embedder, **kw: Any) -> PledgeStore:
        """A store on the configured backend.

        A store on the configured backend: a Chroma server when ``chroma_url`` is set,
        else an embedded one under ``settings.store``.

        Args:
            settings: Store settings.
            embedder: The embedder to fill and query with.
            **kw: Passed to the constructor (e.g. ``sweep_grace_s``).
        """
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_url:
            host, port, ssl = chroma_address(settings.chroma_url)
            try:
                client = chromadb.HttpClient(
                    host=host, port=port, ssl=ssl, settings=chroma_settings
                )
                client.heartbeat()
            except Exception as e:
                if unreachable(e):  # nothing listens there: say what to do, as reads do
                    raise StoreError(failure("opening the store", settings.chroma_url, e)) from e
                reason = one_line(str(e), 160)
                if reason.startswith("<"):  # another web server's error page
                    reason = f"it answered with a web page, not Chroma's API ({reason})"
                raise StoreError(
                    f"could not reach the Chroma server at {settings.chroma_url} "
                    f"(PLEDGES_CHROMA_URL): {reason}"
                ) from e
            location = settings.chroma_url
        else:
            path = Path(settings.store)
            try:
                path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            except Exception as e:
                raise StoreError(f"could not open the store directory {path}: {e}") from e
            location = str(path)
        kw.setdefault("snapshot_dir", snapshot_dir(settings))
        return cls(client, embedder, collection=settings.collection, location=location, **kw)

    # -- open and snapshot -----------------------------------------------------------------------

    def _snapshot_identity(self) -> dict[str, Any]:
        return {
            "collection_id": self.backend.collection_id,
            "collection": self.name,
            "location": self.location,
            "embedder": self.embedder.name,
            "dim": int(self.embedder.dim),
            "schema": SCHEMA_VERSION,
            "tokenizer": TOKENIZER_VERSION,
            "sparse": self.sparse_name,
        }

    def _open(self) -> None:
        """Fill the caches.

        Fill the caches: from the snapshot when a usable one exists (then catch up with
        what changed since it was made and sweep leftovers), else from Chroma. The snapshot is
        written again when this open read everything, or caught up with more than
        :data:`SNAPSHOT_DRIFT` of the paragraphs (another process wrote much and did not
        close its store), so that the next open does not read them again.
        """
        with self._lock:
            data = self._snapshots.load() if self._snapshots else None
            if data is None:
                self._reload(sweep=True)
                self.save_snapshot()
                self._warn_sparse_coverage()
                return
            try:
                self._restore(data)
            except ValueError as e:
                log.warning(
                    "ignoring the store snapshot in %s (%s); rebuilding it from Chroma",
                    self._snapshots.directory if self._snapshots else self.location,
                    one_line(str(e)),
                )
                self._reload(sweep=True)
                self.save_snapshot()
                self._warn_sparse_coverage()
                return
            version = self.backend.remote_version()
            read = self._catch_up(version) if version != self._cache.version else 0
            self._sweep_leftovers()
            if read < 0 or read > SNAPSHOT_DRIFT * max(1, len(self._cache)):
                self.save_snapshot()
        self._warn_sparse_coverage()

    def _restore(self, data: SnapshotData) -> None:
        documents: dict[str, Document] = {}
        revs: dict[str, str] = {}
        heads: dict[str, str] = {}
        for meta in data.documents:
            doc = from_metadata(meta, None)
            assert isinstance(doc, Document)
            documents[doc.doc_id] = doc
            revs[doc.doc_id] = revision_of(meta)
            if meta.get(SPARSE_HEAD_KEY):
                heads[doc.doc_id] = str(meta[SPARSE_HEAD_KEY])
        cache = CommittedCache(data.version, documents, revs, heads=heads)
        entries: dict[str, LexicalEntry] = {}
        for rid, text, meta, tokens in data.rows:
            cache.add(rid, text, meta)
            entries[rid] = LexicalEntry(rid, tokens, meta)
        self._unreadable = dict(data.unreadable)
        self.lexical.restore([entries[rid] for rid in data.lexical_order], data.bm25)
        self.mirror.restore(
            data.vector_ids, data.vectors, [cache.metadata[rid] for rid in data.vector_ids]
        )
        if self.sparse is not None:
            if data.sparse is None:
                raise ValueError("the snapshot holds no sparse index")
            metas = [cache.metadata.get(rid) for rid in data.sparse.ids]
            if any(m is None for m in metas):
                raise ValueError("the sparse index names paragraphs the snapshot does not hold")
            self.sparse.restore(data.sparse, [m for m in metas if m is not None])
        self._cache = cache

    def save_snapshot(self) -> None:
        """Write what this handle holds as the store's snapshot.

        Write what this handle holds as the store's snapshot (no-op without a snapshot
        directory or before the caches are loaded). A failure is logged, never raised: the
        snapshot only makes the next open faster.
        """
        if self._snapshots is None:
            return
        with self._lock:
            cache = self._cache
            if cache.version is None:
                return
            try:
                shared = _Shared()
                order, bm25 = self.lexical.export()
                tokens = {e.id: e.tokens for e in order}
                vector_ids, vectors, _ = self.mirror.export()
                sparse = self.sparse.export()[0] if self.sparse is not None else None
                data = SnapshotData(
                    version=cache.version,
                    documents=[
                        {
                            **to_metadata(doc),
                            "rev": cache.revs[doc_id],
                            **(
                                {SPARSE_HEAD_KEY: cache.heads[doc_id]}
                                if doc_id in cache.heads
                                else {}
                            ),
                        }
                        for doc_id, doc in sorted(cache.documents.items())
                    ],
                    unreadable=dict(self._unreadable),
                    rows=[
                        (rid, text, shared.meta(cache.metadata[rid]), shared.tokens(tokens[rid]))
                        for rid, text in cache.texts.items()
                    ],
                    vector_ids=vector_ids,
                    vectors=vectors,
                    lexical_order=[e.id for e in order],
                    bm25=bm25,
                    sparse=sparse,
                )
                self._snapshots.save(data)
            except Exception as e:
                log.warning(
                    "could not write the store snapshot to %s (%s); the next open reads "
                    "everything from Chroma",
                    self._snapshots.directory,
                    one_line(str(e)),
                )

    def _sweep_leftovers(self) -> None:
        """Delete paragraph records of no committed revision older than the grace period."""
        with self._lock:
            cache = self._cache
            try:
                orphans = self.backend.leftovers(cache, len(cache), cache.revs, self._unreadable)
                if orphans:
                    self.backend.delete_ids(orphans)
            except StoreError:
                raise
            except Exception as e:
                raise StoreError(failure("sweeping leftovers", self.location, e)) from e

    # -- cache and catch-up ----------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[None]:
        """A read view: the store's version is checked once, as the block starts.

        Every read checks whether another process wrote (one call to Chroma, about a
        millisecond); a question reads the store a dozen times. Inside this block the calling
        thread's reads skip that check, so a whole question is answered from one version of the
        store: writes of other processes are seen by the next question, never halfway through
        one. This process's own writes update the caches directly and are seen at once. Views
        nest; each thread has its own.
        """
        depth = getattr(self._views, "depth", 0)
        if depth == 0:
            self._refresh()
        self._views.depth = depth + 1
        try:
            yield
        finally:
            self._views.depth = depth

    def refresh(self) -> None:
        """Catch up when another process wrote since we looked (outside a read view).

        Catch up when another process wrote since we looked: only the documents whose
        committed revision changed are read again (a whole reload when most did). Inside
        :meth:`reading` the check was made when the view opened.
        """
        if getattr(self._views, "depth", 0):
            return
        self._refresh()

    def _refresh(self) -> None:
        with self._lock:
            version = self.backend.remote_version()
            if self._cache.version is None:  # closed, or never loaded
                self._reload(sweep=False)
            elif version != self._cache.version:
                self._catch_up(version)

    def _committed_documents(self) -> CommittedDocuments:
        docs = self.backend.committed_documents(known_unreadable=self._unreadable)
        self._unreadable = docs.unreadable
        return docs

    def _reload(self, sweep: bool) -> None:
        with self._lock:
            version = self.backend.remote_version()
            docs = self._committed_documents()
            records, orphans = self.backend.read_paragraphs(docs)
            records = self.backend.reread_incomplete(records, docs)
            if sweep and orphans:
                self.backend.delete_ids(orphans)
            cache = CommittedCache(version, docs.documents, docs.revs, heads=docs.heads)
            sparse = self._sparse_entries(records, docs.heads)
            entries = []
            for rid, p, meta, _ in records:
                cache.add(rid, p.text, meta)
                entries.append(LexicalEntry(rid, self._tokens(p, meta), meta))
            if self.sparse is not None:
                self.sparse.replace_all(sparse)
            self.mirror.replace_all(
                (rid, vector, meta) for rid, _, meta, vector in records if vector is not None
            )
            del records
            self.lexical.replace_all(entries)
            self._cache = cache

    def _catch_up(self, version: str | None) -> int:
        """Read what changed since the cached version.

        Read what changed since ``self._cache.version``; returns the number of paragraph
        records read, or -1 when so much changed that everything was read again.
        """
        docs = self._committed_documents()
        cache = self._cache
        changed = sorted(d for d, r in docs.revs.items() if cache.revs.get(d) != r)
        removed = [d for d in cache.documents if d not in docs.documents]
        if len(changed) > max(CATCH_UP_MAX_DOCUMENTS, len(docs.documents) // 2):
            self._reload(sweep=False)
            return -1
        records = self.backend.read_documents(changed, docs)
        records = self.backend.reread_incomplete(records, docs, only=set(changed))
        self._apply(records, removed + changed, docs.heads)
        cache.documents, cache.revs, cache.version = docs.documents, docs.revs, version
        cache.heads = docs.heads
        return len(records)

    def _apply(
        self, records: list[Record], dropped_documents: list[str], heads: dict[str, str]
    ) -> None:
        """Replace the paragraphs of some documents in the cache, indexes and mirror."""
        sparse = self._sparse_entries(records, heads)
        cache = self._cache
        dropped: list[str] = []
        for doc_id in dropped_documents:
            dropped += cache.drop_document(doc_id)
        for rid, p, meta, _ in records:
            cache.add(rid, p.text, meta)
        kept = {rid for rid, *_ in records}
        gone = [rid for rid in dropped if rid not in kept]
        self.lexical.update(
            add=[LexicalEntry(rid, self._tokens(p, meta), meta) for rid, p, meta, _ in records],
            remove=gone,
        )
        self.mirror.update(
            add=[(rid, v, meta) for rid, _, meta, v in records if v is not None], remove=gone
        )
        if self.sparse is not None:
            # A document re-read without sparse vectors (written by an embedder without the
            # head) must not keep its old ones: every id of a re-read document is replaced.
            self.sparse.update(add=sparse, remove=gone + list(kept))

    def _sparse_entries(self, records: list[Record], heads: dict[str, str]) -> list[SparseEntry]:
        """Take the encoded sparse vectors out of records' metadata.

        Every record's metadata loses its encoded vector (the cache holds metadata without it);
        the vectors of documents written with this store's sparse head become index entries.
        Vectors of another head, or unreadable ones, are left out (with a warning).
        """
        out: list[SparseEntry] = []
        bad = 0
        for rid, p, meta, _ in records:
            text = meta.pop(SPARSE_KEY, None)
            if (
                self.sparse is None
                or not isinstance(text, str)
                or not self.sparse_name
                or heads.get(p.doc_id) != self.sparse_name
            ):
                continue
            try:
                out.append(SparseEntry(rid, decode(text), meta))
            except ValueError:
                bad += 1
        if bad:
            log.warning(
                "%d paragraph record(s) in %s have an unreadable sparse vector; they are left "
                "out of the latent-terms ranking until their documents are ingested again",
                bad,
                self.location,
            )
        return out

    def sparse_coverage(self) -> tuple[int, int]:
        """Paragraphs the latent-terms ranking covers, and committed paragraphs in all."""
        self.refresh()
        with self._lock:
            covered = len(self.sparse) if self.sparse is not None else 0
            return covered, len(self._cache)

    def _warn_sparse_coverage(self) -> None:
        """Say once when some stored paragraphs have no sparse vector (written before it)."""
        if self.sparse is None or self._sparse_warned:
            return
        with self._lock:
            covered, total = len(self.sparse), len(self._cache)
            heads = self._cache.heads
            stale = sorted(d for d in self._cache.documents if heads.get(d) != self.sparse_name)
        if covered < total and stale:
            self._sparse_warned = True
            more = f" and {len(stale) - 3} more" if len(stale) > 3 else ""
            log.warning(
                "%d of %d paragraphs in %s have no latent-terms vector (their documents were "
                "written before it existed or with another sparse head: %s%s); they are found by "
                "the other rankings only until they are ingested again",
                total - covered,
                total,
                self.location,
                ", ".join(stale[:3]),
                more,
            )

    @staticmethod
    def _tokens(p: Paragraph, meta: dict[str, Any]) -> list[str]:
        return tokenize(lexical_text(p), meta.get("language"))

    # -- writes ----------------------------------------------------------------------------------

    def upsert(
        self, parsed: ParsedDocument, on_progress: EmbedProgress | None = None
    ) -> UpsertStatus:
        """Add a document or replace its previous version, atomically for readers.

        Args:
            parsed: The document and its paragraphs.
            on_progress: Called with the number of paragraphs embedded after each batch.

        Returns:
            ``"unchanged"`` when the same bytes (sha256) with the same metadata are already
            committed, ``"replaced"`` when an older version was, else ``"added"``.

        Writers of one store object (the API's and the chat's threads) take turns.
        """
        with self._write_lock:
            return self._upsert(parsed, on_progress)

    def _upsert(self, parsed: ParsedDocument, on_progress: EmbedProgress | None) -> UpsertStatus:
        doc = parsed.document
        self._validate(parsed)
        self._refresh()
        with self._lock:
            old = self._cache.documents.get(doc.doc_id)
            old_rev = self._cache.revs.get(doc.doc_id)
            seen = self._cache.version
            old_head = self._cache.heads.get(doc.doc_id, "")
        # The sparse head is part of what makes a stored version the same: a document written
        # before the head existed (or with another one) is embedded again when re-ingested.
        head = self.sparse_name if self.sparse_embedder is not None else ""
        if old is not None and same_version(old, doc) and old_head == head:
            return "unchanged"

        texts = [passage_text(p, doc) for p in parsed.paragraphs]
        vectors = self._embed(texts, on_progress)
        sparse = self._embed_sparse(texts)

        rev = new_revision()
        ids = [record_id(doc.doc_id, p.number, rev) for p in parsed.paragraphs]
        new_ids = set(ids)
        metas = [{**to_metadata(p, doc), "rev": rev} for p in parsed.paragraphs]
        written = (
            [{**meta, SPARSE_KEY: encode(v)} for meta, v in zip(metas, sparse, strict=True)]
            if sparse is not None
            else metas
        )
        try:
            self.backend.write_paragraphs(
                ids, vectors, [p.text for p in parsed.paragraphs], written
            )
            # Commit marker: from here on readers see the new version.
            self.backend.commit(doc, rev, len(ids), self.sparse_name if sparse is not None else "")
            if old_rev is not None:
                self.backend.delete_revision(doc.doc_id, old_rev)
                with self._lock:
                    old_ids = list(self._cache.by_doc.get(doc.doc_id, ()))
                self.backend.delete_ids([r for r in old_ids if r not in new_ids])
            version = self.backend.bump_version(seen)
        except Exception as e:
            what = f"writing document {doc.doc_id!r} ({doc.source})"
            raise StoreError(failure(what, self.location, e)) from e

        with self._lock:
            cache = self._cache
            stale = [rid for rid in cache.drop_document(doc.doc_id) if rid not in new_ids]
            cache.documents[doc.doc_id] = doc
            cache.revs[doc.doc_id] = rev
            if sparse is not None:
                cache.heads[doc.doc_id] = self.sparse_name
            else:
                cache.heads.pop(doc.doc_id, None)
            for rid, p, meta in zip(ids, parsed.paragraphs, metas, strict=True):
                cache.add(rid, p.text, meta)
            cache.version = version
            self.lexical.update(
                add=[
                    LexicalEntry(rid, self._tokens(p, meta), meta)
                    for rid, p, meta in zip(ids, parsed.paragraphs, metas, strict=True)
                ],
                remove=stale,
            )
            self.mirror.update(add=zip(ids, vectors, metas, strict=True), remove=stale)
            if self.sparse is not None:
                self.sparse.update(
                    add=[
                        SparseEntry(rid, quantized(v), meta)
                        for rid, v, meta in zip(ids, sparse or [], metas, strict=False)
                    ],
                    remove=stale,
                )
        return "replaced" if old is not None else "added"

    def _embed_sparse(self, texts: list[str]) -> list[SparseVector] | None:
        """The passages' sparse vectors (None when the embedder has no sparse head)."""
        head = self.sparse_embedder
        if head is None or self.sparse is None:
            return None
        out = head.embed_sparse(texts)
        if len(out) != len(texts):
            raise StoreError(
                f"sparse head {self.sparse_name!r} returned {len(out)} vectors for "
                f"{len(texts)} passages"
            )
        return out

    def _validate(self, parsed: ParsedDocument) -> None:
        doc = parsed.document
        seen: set[str] = set()
        for p in parsed.paragraphs:
            # The file's records are at fault, not the store: an IngestError (a failed file).
            if p.doc_id != doc.doc_id:
                raise IngestError(
                    doc.source, f"paragraph {p.id} belongs to {p.doc_id!r}, expected {doc.doc_id!r}"
                )
            if p.number in seen:
                raise IngestError(
                    doc.source,
                    f"paragraph number {p.number!r} appears twice; numbers must be unique within"
                    " a document",
                )
            seen.add(p.number)

    def _embed(self, texts: list[str], on_progress: EmbedProgress | None) -> list[list[float]]:
        batch = max(1, int(getattr(self.embedder, "batch_size", 32)))
        out: list[np.ndarray] = []
        for i in range(0, len(texts), batch):
            part = texts[i : i + batch]
            vecs = np.asarray(self.embedder.embed_documents(part), dtype=np.float32)
            if vecs.shape != (len(part), self.embedder.dim):
                raise StoreError(
                    f"embedder {self.embedder.name!r} returned shape {vecs.shape}, expected "
                    f"({len(part)}, {self.embedder.dim})"
                )
            out.append(vecs)
            if on_progress:
                on_progress(len(part))
        if not out:
            return []
        vectors: list[list[float]] = np.vstack(out).tolist()
        return vectors

    def delete_document(self, doc_id: str) -> None:
        """Remove a document and all its paragraphs.

        Raises:
            NotFoundError: No such document is stored.
        """
        with self._write_lock:
            self._delete_document(doc_id)

    def _delete_document(self, doc_id: str) -> None:
        self._refresh()
        with self._lock:
            if doc_id not in self._cache.documents and doc_id not in self._unreadable:
                raise NotFoundError(self._not_found_message(doc_id))
            seen = self._cache.version
        try:
            self.backend.delete_document(doc_id)
            version = self.backend.bump_version(seen)
        except Exception as e:
            raise StoreError(failure(f"deleting {doc_id!r}", self.location, e)) from e
        with self._lock:
            cache = self._cache
            cache.documents.pop(doc_id, None)
            cache.revs.pop(doc_id, None)
            cache.heads.pop(doc_id, None)
            self._unreadable.pop(doc_id, None)
            gone = cache.drop_document(doc_id)
            cache.version = version
            self.lexical.update(remove=gone)
            self.mirror.update(remove=gone)
            if self.sparse is not None:
                self.sparse.update(remove=gone)

    # -- reads -----------------------------------------------------------------------------------

    def _not_found_message(self, doc_id: str) -> str:
        known = sorted(self._cache.documents)
        hint = ", ".join(known[:5]) + (" …" if len(known) > 5 else "") if known else "none"
        # The store's location stays out: this message reaches HTTP clients.
        return f"no document {echoed(doc_id)} in the store (stored: {hint})"

    def documents(self) -> list[Document]:
        """Committed documents, sorted by doc_id."""
        return list(self.catalog().documents)

    def catalog(self) -> Catalog:
        """The committed documents with their indexes (countries, languages, versions).

        Built once per store version (:class:`~vectorstore.cache.Catalog`), so reading it costs
        no walk over the documents.
        """
        self.refresh()
        with self._lock:
            return self._cache.catalog()

    def unreadable(self) -> dict[str, str]:
        """Stored documents whose records cannot be read.

        Stored documents left out of every read because their records cannot be read (an
        older version wrote them): doc_id -> reason. ``delete_document`` removes them.
        """
        self.refresh()
        with self._lock:
            return dict(self._unreadable)

    def languages(self) -> list[str]:
        """Languages of the committed documents, sorted."""
        return list(self.catalog().languages)

    def get_document(self, doc_id: str) -> Document:
        """One committed document.

        Raises:
            NotFoundError: No such document.
        """
        self.refresh()
        with self._lock:
            try:
                return self._cache.documents[doc_id]
            except KeyError:
                raise NotFoundError(self._not_found_message(doc_id)) from None

    def paragraphs(self, doc_id: str) -> list[Paragraph]:
        """A document's paragraphs in reading order.

        Raises:
            NotFoundError: No such document.
        """
        self.get_document(doc_id)
        with self._lock:
            cache = self._cache
            items = [cache.paragraph(r) for r in cache.by_doc.get(doc_id, ())]
        return sorted((p for p in items if p is not None), key=reading_order)

    def get_paragraph(self, doc_id: str, number: str) -> Paragraph:
        """One paragraph by document and number (``"8"``, ``"20.5"``, ``"27(a)"``).

        Raises:
            NotFoundError: No such document or paragraph.
        """
        doc = self.get_document(doc_id)
        with self._lock:
            rid = record_id(doc_id, number, self._cache.revs.get(doc.doc_id, ""))
            p = self._cache.paragraph(rid)
        if p is None:
            raise NotFoundError(
                f"document {echoed(doc_id)} has no paragraph {echoed(number)} (paragraph"
                ' numbers look like "8", "20.5", "27(a)" or "note.1")'
            )
        return p

    def count(self) -> int:
        """Number of committed paragraphs."""
        self.refresh()
        with self._lock:
            return len(self._cache)

    def resolve(self, rid: str) -> tuple[Paragraph, Document] | None:
        """The paragraph and document of a record id, or None when it is not committed."""
        with self._lock:
            p = self._cache.paragraph(rid)
            if p is None:
                return None
            return p, self._cache.documents[p.doc_id]

    # -- queries ---------------------------------------------------------------------------------

    def resolve_filters(self, filters: Filters | None) -> dict[str, str]:
        """Filters as flat metadata conditions; a country name becomes its ISO alpha-3 code."""
        if filters is None or filters.is_empty():
            return {}
        out = {k: v for k, v in filters.model_dump().items() if v}
        if "country" in out:
            out["country"] = self._country_code(str(out["country"]))
        return out

    def _country_code(self, value: str) -> str:
        v = value.strip()
        with self._lock:
            stored = self._cache.catalog().country_code(v)
        if stored is not None:
            return stored
        if len(v) == 3 and v.isascii() and v.isalpha():  # "比利时" is three letters too
            return v.upper()
        # A name in any of the six UN languages ("Belgique", "比利时"), as --meta reads it.
        country = country_from_value(v)
        return country.code if country is not None else v.upper()

    def dense_search(
        self, vectors: np.ndarray, k: int, conditions: dict[str, str] | None = None
    ) -> list[list[tuple[str, float]]]:
        """Nearest committed paragraphs for each query vector.

        Unfiltered queries go to Chroma's HNSW index. Filtered ones are answered exactly from
        the in-memory :class:`~vectorstore.mirror.VectorMirror` over the rows the filter keeps:
        Chroma's ``where`` resolves the filter in its metadata segment on every query, which
        costs tens of milliseconds or more on a large collection (``pledges bench`` compares
        the two).

        Args:
            vectors: ``(m, dim)`` query vectors.
            k: Results wanted per vector (more are fetched to skip uncommitted records).
            conditions: Flat metadata equality conditions (from :meth:`resolve_filters`).

        Returns:
            One list per vector of ``(record_id, cosine similarity)``, best first.
        """
        self.refresh()
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        with self._lock:
            total = len(self._cache)
        if total == 0 or len(vectors) == 0:
            return [[] for _ in range(len(vectors))]
        if conditions:
            return self.mirror.search(vectors, k, conditions)
        return self.chroma_search(vectors, k)

    def chroma_search(
        self, vectors: np.ndarray, k: int, conditions: dict[str, str] | None = None
    ) -> list[list[tuple[str, float]]]:
        """Nearest committed paragraphs from Chroma's own index.

        Nearest committed paragraphs from Chroma's own index (with ``where`` when
        conditions are given); :meth:`dense_search` uses it for unfiltered queries.
        """
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        with self._lock:
            committed = self._cache
        wanted = max(2 * k, k + 20)
        try:
            # Chroma holds every committed record: when this process knows of enough, the
            # collection has them too and counting it (milliseconds at 100,000) is not needed.
            count = len(committed) if len(committed) >= wanted else self.backend.count()
            n = min(count, wanted)
            res = self.backend.query(vectors.tolist(), max(1, n), _where(conditions or {}))
        except Exception as e:
            raise StoreError(failure("a dense query", self.location, e)) from e
        out = []
        for ids, dists in zip(res["ids"], res["distances"] or [], strict=False):
            pairs = zip(ids, dists, strict=False)
            hits = [(rid, 1.0 - float(d)) for rid, d in pairs if rid in committed]
            out.append(hits[:k])
        return out

    def lexical_search(
        self, tokens: list[str], k: int, conditions: dict[str, str] | None = None
    ) -> list[tuple[str, float]]:
        """BM25 over committed paragraphs, with the same conditions as :meth:`dense_search`."""
        self.refresh()
        return self.lexical.search(tokens, k, where=dict(conditions) if conditions else None)

    def sparse_search(
        self, query: SparseVector, k: int, conditions: dict[str, str] | None = None
    ) -> list[tuple[str, float]]:
        """Latent-terms ranking over committed paragraphs, same conditions as :meth:`dense_search`.

        Empty when the embedder has no sparse head; covers only paragraphs written with it.
        """
        if self.sparse is None:
            return []
        self.refresh()
        return self.sparse.search(query, k, where=dict(conditions) if conditions else None)

    def latent_overlaps(self, topic: SparseVector, rids: Sequence[str]) -> dict[str, float]:
        """Cosine of a query's topic latents and each paragraph of ``rids`` that has latents."""
        if self.sparse is None:
            return {}
        return self.sparse.overlaps(topic, rids)

    def frequent_latents(self, share: float) -> np.ndarray:
        """Latents present in more than ``share`` of the paragraphs with latents."""
        if self.sparse is None:
            return np.zeros(0, dtype=np.int32)
        return self.sparse.frequent(share)

    def prepare(self) -> None:
        """Build what the first query would otherwise build (the BM25 and sparse indexes)."""
        self.refresh()
        self.lexical.build()
        if self.sparse is not None:
            self.sparse.build()

    def close(self) -> None:
        """Save the snapshot, then release what can be released.

        Save the snapshot, then release what can be released (Chroma clients have no
        close; caches are dropped).
        """
        with self._lock:
            self.save_snapshot()
            self._cache = CommittedCache()
            self.lexical.replace_all([])
            self.mirror.replace_all([])
            if self.sparse is not None:
                self.sparse.replace_all([])


class _Shared:
    """One object per distinct metadata dict and string.

    One object per distinct metadata dict and string, so that a snapshot stores each once
    (pickle writes an object seen before as a reference) and a loaded store shares them.
    """

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._metas: dict[int, dict[str, Any]] = {}

    def string(self, value: str) -> str:
        return self._strings.setdefault(value, value)

    def meta(self, meta: dict[str, Any]) -> dict[str, Any]:
        """The metadata dict with keys and string values shared.

        The metadata dict with keys and string values shared (same dict for the same
        object).
        """
        out = self._metas.get(id(meta))
        if out is None:
            out = {
                self.string(k): self.string(v) if isinstance(v, str) else v for k, v in meta.items()
            }
            self._metas[id(meta)] = out
        return out

    def tokens(self, tokens: list[str]) -> list[str]:
        return [self.string(t) for t in tokens]


def _safe_name(name: str) -> str:
    """A file name for a collection name (Chroma names are already mostly safe)."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "_"


def snapshot_dir(settings: StoreSettings) -> Path:
    """Where the snapshot of the configured store and collection is kept.

    An embedded store keeps it inside its directory (``pledges-snapshots/<collection>``); a
    Chroma server's goes to a local cache directory (``$XDG_CACHE_HOME`` or ``~/.cache``,
    ``pledge-assistant/snapshots``); ``PLEDGES_SNAPSHOT_DIR`` replaces either base. Below a
    shared base, each store's location has its own folder.
    """
    collection = _safe_name(settings.collection)
    location = (
        settings.chroma_url.rstrip("/")
        if settings.chroma_url
        else str(Path(settings.store).resolve())
    )
    key = hashlib.sha256(location.encode()).hexdigest()[:16]
    if settings.snapshot_dir is not None:
        return Path(settings.snapshot_dir) / key / collection
    if settings.chroma_url:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return base / "pledge-assistant" / "snapshots" / key / collection
    return Path(settings.store) / "pledges-snapshots" / collection


def _where(conditions: dict[str, str]) -> dict[str, Any] | None:
    clauses = [{key: value} for key, value in sorted(conditions.items())]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
