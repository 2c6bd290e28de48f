"""The store's Chroma side: two collections, their identity and version token, paged reads.

Layout: ``{name}`` holds one record per paragraph (vector, verbatim text, flat metadata);
``{name}-documents`` holds one record per committed document, the commit marker of an upsert
(see :mod:`vectorstore.store`). The paragraph collection's metadata records the embedder's name
and dimension and a ``version`` token that every write replaces, so another process notices a
write with one cheap call.

This module knows Chroma's calls and limits (pages of :data:`READ_PAGE` records; vectors an
embedded Chroma cannot read in another process); it holds no cache.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Container
from typing import Any

from ingest.records import Document, Paragraph
from vectorstore.chroma_records import (
    SCHEMA_VERSION,
    failure,
    from_metadata,
    one_line,
    revision_of,
    to_metadata,
    unreachable,
)
from vectorstore.errors import EmbedderMismatchError, StoreError
from vectorstore.sparse import SPARSE_HEAD_KEY

log = logging.getLogger(__name__)

_DOC_SUFFIX = "-documents"

#: Catching up with another process's writes reads the changed documents' paragraphs, this
#: many documents per Chroma call.
CATCH_UP_BATCH = 100
#: Records per Chroma ``get`` when reading a whole collection: one unbounded ``get`` fails past
#: about 32,000 records (SQLite's limit on query variables).
READ_PAGE = 5000

#: One paragraph record as read: ``(record id, paragraph, flat metadata, vector or None)``.
Record = tuple[str, Paragraph, dict[str, Any], Any]


class CommittedDocuments:
    """The document collection as read once.

    The document collection as read once: committed documents, their revisions, their
    recorded paragraph counts, and the documents whose record cannot be read.
    """

    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self.revs: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.unreadable: dict[str, str] = {}
        #: doc_id -> the sparse head its paragraphs carry vectors of (absent: none).
        self.heads: dict[str, str] = {}


class ChromaBackend:
    """The two Chroma collections of one store.

    Args:
        client: A Chroma client (``PersistentClient`` or ``HttpClient``).
        embedder_name: Name of the embedder that fills the collection.
        dim: Its vector dimension.
        collection: Name of the paragraph collection.
        location: Human description of where the store is (for messages).
        sweep_grace_s: Records of no committed revision count as leftovers once this old.
        sparse_name: The embedder's sparse head ("" for none), recorded with the collection.

    Raises:
        StoreError: The collections cannot be opened.
        EmbedderMismatchError: The collection was filled by another embedder.
    """

    def __init__(
        self,
        client: Any,
        embedder_name: str,
        dim: int,
        collection: str,
        location: str,
        sweep_grace_s: float,
        sparse_name: str = "",
    ) -> None:
        self.client = client
        self.embedder_name = embedder_name
        self.dim = int(dim)
        self.name = collection
        self.location = location
        self.sweep_grace_s = sweep_grace_s
        self.sparse_name = sparse_name
        try:
            self.paragraphs = client.get_or_create_collection(
                collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=self.identity(),
            )
            self.documents = client.get_or_create_collection(
                collection + _DOC_SUFFIX, embedding_function=None
            )
        except Exception as e:
            what = f"opening Chroma collection {collection!r}"
            raise StoreError(failure(what, location, e)) from e
        self.check_identity(self.paragraphs.metadata or {})

    # -- identity and version ------------------------------------------------------------------

    @property
    def collection_id(self) -> str:
        """Chroma's id of the paragraph collection (a new one when it is re-created)."""
        return str(self.paragraphs.id)

    def identity(self) -> dict[str, Any]:
        """Collection metadata for a write: embedder, dimension, schema and a fresh version.

        The sparse head of the last writer is recorded for information; which head a
        paragraph's sparse vector comes from is recorded per document (see :meth:`commit`).
        """
        out: dict[str, Any] = {
            "embedder": self.embedder_name,
            "dim": self.dim,
            "schema": SCHEMA_VERSION,
            "version": uuid.uuid4().hex,
        }
        if self.sparse_name:
            out[SPARSE_HEAD_KEY] = self.sparse_name
        return out

    def check_identity(self, meta: dict[str, Any]) -> None:
        """Raise :class:`EmbedderMismatchError` when another embedder filled the collection."""
        name, dim = meta.get("embedder"), meta.get("dim")
        if name != self.embedder_name or dim != self.dim:
            raise EmbedderMismatchError(
                f"collection {self.name!r} at {self.location} was filled with embedder "
                f"{name!r} (dim {dim}) but was opened with {self.embedder_name!r} "
                f"(dim {self.dim}): vectors of two models cannot be mixed. Use the "
                "same PLEDGES_EMBEDDER / PLEDGES_EMBEDDER_MODEL, or another --store / "
                "PLEDGES_COLLECTION and re-ingest."
            )

    def remote_version(self) -> str | None:
        """The version token the collection holds now (one cheap call)."""
        try:
            col = self.client.get_collection(self.name, embedding_function=None)
        except Exception as e:
            if unreachable(e):  # the server is down, not the collection deleted
                raise StoreError(failure("reading the store", self.location, e)) from e
            raise StoreError(f"collection {self.name!r} at {self.location} is gone: {e}") from e
        meta = col.metadata or {}
        self.check_identity(meta)
        version = meta.get("version")
        return str(version) if version is not None else None

    def bump_version(self, seen: str | None) -> str:
        """Replace the version token; returns it.

        Replace the version token; returns it. ``seen`` is the token read before writing:
        when another process wrote in between, the token returned is marked ``stale:`` so
        that the next read catches up.
        """
        current = self.remote_version()
        identity = self.identity()
        self.paragraphs.modify(metadata=identity)
        return identity["version"] if current == seen else "stale:" + identity["version"]

    # -- reads ---------------------------------------------------------------------------------

    def get_all(self, collection: Any, include: list[str], where: Any = None) -> dict[str, list]:
        """Every record of a collection, read a page at a time.

        Every record of ``collection`` (matching ``where``), read :data:`READ_PAGE` at a
        time.
        """
        out: dict[str, list[Any]] = {"ids": [], **{key: [] for key in include}}
        offset = 0
        while True:
            try:
                got = collection.get(where=where, include=include, limit=READ_PAGE, offset=offset)
            except Exception as e:
                if "embeddings" not in include or not _vector_missing(e):
                    raise
                got = self._get_page_without_some_vectors(collection, include, where, offset)
            out["ids"] += got["ids"]
            for key in include:
                values = got[key]
                out[key] += list(values) if values is not None else []
            if len(got["ids"]) < READ_PAGE:
                return out
            offset += READ_PAGE

    def _get_page_without_some_vectors(
        self, collection: Any, include: list[str], where: Any, offset: int
    ) -> dict[str, Any]:
        """One page whose vectors Chroma cannot all read, with None for the missing ones.

        An embedded Chroma keeps its vector index in memory per process: records another
        process wrote since this one opened the directory are in SQLite but not in this
        process's index, and reading their vectors fails ("Error finding id"). They are kept
        for reading and BM25; dense search cannot see them until the process restarts (a Chroma
        server, ``PLEDGES_CHROMA_URL``, has no such limit).
        """
        rest = [key for key in include if key != "embeddings"]
        got = dict(collection.get(where=where, include=rest, limit=READ_PAGE, offset=offset))
        ids = list(got["ids"])
        vectors: dict[str, Any] = {}
        for i in range(0, len(ids), 100):
            chunk = ids[i : i + 100]
            try:
                part = collection.get(ids=chunk, include=["embeddings"])
                vectors.update(zip(part["ids"], part["embeddings"], strict=False))
            except Exception as e:
                if not _vector_missing(e):
                    raise
                for rid in chunk:
                    try:
                        one = collection.get(ids=[rid], include=["embeddings"])
                    except Exception as e1:
                        if not _vector_missing(e1):
                            raise
                        continue
                    vectors.update(zip(one["ids"], one["embeddings"], strict=False))
        missing = sum(1 for rid in ids if rid not in vectors)
        if missing:
            log.warning(
                "%d paragraph vector(s) in %s were written by another process and are not "
                "visible to this one: they are searchable by keywords only until this process "
                "restarts (share a store between processes through a Chroma server, "
                "PLEDGES_CHROMA_URL)",
                missing,
                self.location,
            )
        got["embeddings"] = [vectors.get(rid) for rid in ids]
        return got

    def committed_documents(self, known_unreadable: Container[str] = ()) -> CommittedDocuments:
        """Read the document collection.

        Read the document collection. Documents whose record cannot be read are logged
        (once: not those in ``known_unreadable``) and reported, never raised.
        """
        out = CommittedDocuments()
        got = self.get_all(self.documents, ["metadatas"])
        for rid, meta in zip(got["ids"], got["metadatas"], strict=False):
            try:
                doc = from_metadata(meta, None)
            except StoreError as e:
                out.unreadable[str((meta or {}).get("doc_id") or rid)] = str(e)
                continue
            assert isinstance(doc, Document)
            out.documents[doc.doc_id] = doc
            out.revs[doc.doc_id] = revision_of(meta)
            if isinstance(meta.get("paragraphs"), int):
                out.counts[doc.doc_id] = meta["paragraphs"]
            if isinstance(meta.get(SPARSE_HEAD_KEY), str) and meta[SPARSE_HEAD_KEY]:
                out.heads[doc.doc_id] = meta[SPARSE_HEAD_KEY]
        for doc_id in sorted(d for d in out.unreadable if d not in known_unreadable):
            log.warning(
                "skipping stored document %r in %s: its record cannot be read (%s); remove it"
                " with `pledges delete %s` and ingest the file again",
                doc_id,
                self.name,
                one_line(out.unreadable[doc_id]),
                doc_id,
            )
        return out

    def read_paragraphs(
        self, docs: CommittedDocuments, where: dict[str, Any] | None = None
    ) -> tuple[list[Record], list[str]]:
        """Paragraph records split into committed ones and leftovers.

        Paragraph records (matching ``where``) split into committed ones and leftovers
        (records of no committed revision) older than the grace period.
        """
        got = self.get_all(self.paragraphs, ["metadatas", "documents", "embeddings"], where)
        committed: list[Record] = []
        orphans: list[str] = []
        now = time.time()
        for rid, meta, text, vector in zip(
            got["ids"], got["metadatas"], got["documents"], got["embeddings"], strict=False
        ):
            doc_id = meta.get("doc_id", "")
            if doc_id in docs.revs and docs.revs[doc_id] == revision_of(meta):
                try:
                    p = from_metadata(meta, text)
                except StoreError as e:
                    log.warning("skipping stored paragraph %s: %s", rid, one_line(str(e)))
                    continue
                assert isinstance(p, Paragraph)
                committed.append((rid, p, meta, vector))
            elif doc_id in docs.unreadable:
                continue  # kept until its document is deleted
            elif now - float(meta.get("written_at", 0.0)) > self.sweep_grace_s:
                orphans.append(rid)
        return committed, orphans

    def reread_incomplete(
        self, records: list[Record], docs: CommittedDocuments, only: Container[str] | None = None
    ) -> list[Record]:
        """Read again the documents that came back short.

        Pages are read by offset, so a concurrent write elsewhere can shift a record past a
        page boundary: documents (among ``only``, when given) that came back short of their
        recorded paragraph count are read again on their own.
        """
        read: dict[str, int] = {}
        for _, p, _, _ in records:
            read[p.doc_id] = read.get(p.doc_id, 0) + 1
        short = sorted(
            d for d, n in docs.counts.items() if read.get(d, 0) != n and (only is None or d in only)
        )
        if not short:
            return records
        reread = set(short)
        kept = [r for r in records if r[1].doc_id not in reread]
        return kept + self.read_documents(short, docs)

    def read_documents(self, doc_ids: list[str], docs: CommittedDocuments) -> list[Record]:
        """The committed paragraph records of some documents.

        The committed paragraph records of some documents, :data:`CATCH_UP_BATCH` documents
        per Chroma call.
        """
        records: list[Record] = []
        for i in range(0, len(doc_ids), CATCH_UP_BATCH):
            part = doc_ids[i : i + CATCH_UP_BATCH]
            where = {"doc_id": part[0]} if len(part) == 1 else {"doc_id": {"$in": part}}
            records += self.read_paragraphs(docs, where)[0]
        return records

    def leftovers(
        self,
        committed: Container[str],
        count: int,
        revs: dict[str, str],
        unreadable: Container[str],
    ) -> list[str]:
        """Leftover paragraph records older than the grace period.

        Paragraph records of no committed revision older than the grace period, found
        without reading the collection: when it holds exactly ``count`` records (the committed
        ones) there are none; otherwise record ids are read, and the metadata of those not in
        ``committed`` only.
        """
        if self.paragraphs.count() == count:
            return []
        ids = self.get_all(self.paragraphs, [])["ids"]
        extra = [rid for rid in ids if rid not in committed]
        orphans: list[str] = []
        now = time.time()
        for i in range(0, len(extra), READ_PAGE):
            got = self.paragraphs.get(ids=extra[i : i + READ_PAGE], include=["metadatas"])
            for rid, meta in zip(got["ids"], got["metadatas"], strict=False):
                meta = meta or {}
                doc_id = meta.get("doc_id", "")
                if revs.get(doc_id) == revision_of(meta) or doc_id in unreadable:
                    continue
                if now - float(meta.get("written_at", 0.0)) > self.sweep_grace_s:
                    orphans.append(rid)
        return orphans

    def count(self) -> int:
        """Paragraph records in Chroma, committed or not."""
        return int(self.paragraphs.count())

    def query(
        self, vectors: list[list[float]], n: int, where: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Chroma's nearest-neighbour query (ids and distances)."""
        return dict(
            self.paragraphs.query(
                query_embeddings=vectors, n_results=n, where=where, include=["distances"]
            )
        )

    # -- writes --------------------------------------------------------------------------------

    def write_paragraphs(
        self,
        ids: list[str],
        vectors: list[list[float]],
        texts: list[str],
        metas: list[dict[str, Any]],
    ) -> None:
        """Step 1 of an upsert: the new revision's paragraph records, in batches."""
        step = self.batch_size()
        for i in range(0, len(ids), step):
            self.paragraphs.upsert(
                ids=ids[i : i + step],
                embeddings=vectors[i : i + step],
                documents=texts[i : i + step],
                metadatas=metas[i : i + step],
            )

    def commit(self, doc: Document, rev: str, paragraphs: int, sparse_head: str = "") -> None:
        """Step 2: the document record naming ``rev``; from here on readers see it.

        ``sparse_head`` names the sparse head whose vectors the paragraphs carry ("" for none).
        """
        meta: dict[str, Any] = {**to_metadata(doc), "rev": rev, "paragraphs": paragraphs}
        if sparse_head:
            meta[SPARSE_HEAD_KEY] = sparse_head
        self.documents.upsert(
            ids=[doc.doc_id],
            embeddings=[[1.0]],
            documents=[doc.title or doc.doc_id],
            metadatas=[meta],
        )

    def delete_revision(self, doc_id: str, rev: str) -> None:
        """Step 3: the replaced revision's paragraph records."""
        self.paragraphs.delete(where={"$and": [{"doc_id": doc_id}, {"rev": rev}]})

    def delete_document(self, doc_id: str) -> None:
        """Uncommit a document (readers stop seeing it at once), then delete its paragraphs."""
        self.documents.delete(ids=[doc_id])
        self.paragraphs.delete(where={"doc_id": doc_id})

    def delete_ids(self, ids: list[str]) -> None:
        """Delete paragraph records by id, in batches."""
        step = self.batch_size()
        for i in range(0, len(ids), step):
            self.paragraphs.delete(ids=ids[i : i + step])

    def batch_size(self) -> int:
        """Records per write call (the client's limit, at most 1,000)."""
        try:
            return max(1, min(1000, int(self.client.get_max_batch_size())))
        except Exception:
            return 500


def _vector_missing(error: Exception) -> bool:
    """Whether Chroma failed because a record's vector is not in this process's index."""
    return "Error finding id" in str(error)
