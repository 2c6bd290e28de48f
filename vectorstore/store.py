"""The Chroma store of pledge paragraphs, with its lexical index kept in step.

Layout: two Chroma collections. ``{name}`` holds one record per paragraph (vector, verbatim text,
flat metadata); ``{name}-documents`` holds one record per committed document. A document record
is the commit marker of an upsert:

1. the new paragraphs are written under record ids that carry a fresh revision token
   (``{doc_id}:¶{number}@{rev}``), next to the old version's;
2. the document record is written with that revision: from here on readers see the new version;
3. the old revision's paragraphs are deleted.

Readers only ever show paragraphs whose ``(doc_id, rev)`` matches a committed document record,
so a crash at any point leaves either the old version or the new one visible, never half of one
(and never a mix, even when the same bytes are re-ingested with other metadata); leftovers of a
crash (paragraphs of no committed revision) are swept when a store is opened, once they are
older than a grace period (a live writer in another process may be between steps 1 and 2).

The embedder's name and dimension are recorded in the paragraph collection's metadata, with a
``version`` token that every write replaces: another process (a Chroma server is shared) notices
a changed token with one cheap call and catches up: it reads the paragraphs of the documents
whose committed revision changed and updates its caches, lexical index and vector mirror.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import numpy as np

from ingest.countries import lookup_code
from ingest.errors import ConfigError
from ingest.records import Country, Document, Paragraph, ParsedDocument, paragraph_id
from vectorstore.embedders import MAX_EMBED_CHARS as EMBEDDER_MAX_CHARS
from vectorstore.embedders import Embedder
from vectorstore.errors import EmbedderMismatchError, NotFoundError, StoreError
from vectorstore.lexical import LexicalEntry, LexicalIndex, tokenize
from vectorstore.mirror import VectorMirror
from vectorstore.records import Filters
from vectorstore.settings import StoreSettings

log = logging.getLogger(__name__)

#: Layout version of what this module writes; recorded with the collection.
SCHEMA_VERSION = 1

UpsertStatus = Literal["added", "replaced", "unchanged"]

#: Called with the number of paragraphs just embedded (for progress bars).
EmbedProgress = Callable[[int], None]

_DOC_SUFFIX = "-documents"

#: Catching up with another process's writes reads the changed documents' paragraphs, this
#: many documents per Chroma call; past this many changed documents (or half the store) it
#: reloads everything instead.
CATCH_UP_BATCH = 100
CATCH_UP_MAX_DOCUMENTS = 200
#: Records per Chroma ``get`` when reading a whole collection: one unbounded ``get`` fails past
#: about 32,000 records (SQLite's limit on query variables).
READ_PAGE = 5000


# -- records <-> flat Chroma metadata (the one place each way) ---------------------------------


def to_metadata(record: Document | Paragraph, document: Document | None = None) -> dict[str, Any]:
    """Flatten a record into Chroma's primitive metadata (None values are left out).

    A paragraph carries its document's filterable fields (doc_id, sha256, country, language,
    term, symbol) so that dense and lexical queries can filter without a join.

    Args:
        record: A ``Document`` or a ``Paragraph``.
        document: The paragraph's document (required for paragraphs).
    """
    if isinstance(record, Document):
        doc = record
        flat: dict[str, Any] = {
            "kind": "document",
            "doc_id": doc.doc_id,
            "symbol": doc.symbol,
            "country": doc.country.code if doc.country else None,
            "country_name": doc.country.name if doc.country else None,
            "language": doc.language,
            "date": doc.date.isoformat() if doc.date else None,
            "term": doc.term,
            "session": doc.session,
            "title": doc.title,
            "source": doc.source,
            "sha256": doc.sha256,
        }
    else:
        if document is None:
            raise StoreError(f"paragraph {record.id} needs its document to be flattened")
        p = record
        flat = {
            "kind": "paragraph",
            "doc_id": p.doc_id,
            "number": p.number,
            "section": p.section,
            "lead_in": p.lead_in,
            "page": p.page,
            "start": p.start,
            "end": p.end,
            "sha256": document.sha256,
            "country": document.country.code if document.country else None,
            "language": document.language,
            "term": document.term,
            "symbol": document.symbol,
            "written_at": time.time(),
        }
    return {k: v for k, v in flat.items() if v is not None}


def from_metadata(metadata: dict[str, Any], text: str | None) -> Document | Paragraph:
    """Rebuild the record that :func:`to_metadata` flattened.

    Args:
        metadata: A Chroma metadata dict.
        text: The Chroma document text (the paragraph's verbatim text; unused for documents).

    Raises:
        StoreError: The metadata was not written by this module.
    """
    m = metadata or {}
    kind = m.get("kind")
    try:
        if kind == "document":
            country = (
                Country(code=m["country"], name=m.get("country_name") or m["country"])
                if m.get("country")
                else None
            )
            return Document(
                doc_id=m["doc_id"],
                symbol=m.get("symbol"),
                country=country,
                language=m.get("language"),
                date=dt.date.fromisoformat(m["date"]) if m.get("date") else None,
                term=m.get("term"),
                session=m.get("session"),
                title=m.get("title"),
                source=m.get("source", ""),
                sha256=m["sha256"],
            )
        if kind == "paragraph":
            return Paragraph(
                id=paragraph_id(m["doc_id"], m["number"]),
                doc_id=m["doc_id"],
                number=m["number"],
                text=text or "",
                section=m.get("section"),
                lead_in=m.get("lead_in"),
                page=m.get("page"),
                start=m.get("start"),
                end=m.get("end"),
            )
    except (KeyError, ValueError, TypeError) as e:
        what = f"{kind or 'record'} {m.get('doc_id')!r}" if m.get("doc_id") else kind or "record"
        raise StoreError(f"a stored {what} has unreadable metadata: {_one_line(str(e))}") from e
    raise StoreError(f"expected a record written by pledge-assistant, found metadata {m!r}")


def record_id(doc_id: str, number: str, rev: str) -> str:
    """Chroma id of one paragraph in one revision: the citation id plus the revision token."""
    return f"{paragraph_id(doc_id, number)}@{rev}"


def new_revision() -> str:
    """A fresh revision token for one upsert."""
    return uuid.uuid4().hex[:16]


def passage_text(paragraph: Paragraph, document: Document | None = None) -> str:
    """What gets embedded for a paragraph: its lead-in (for sub-items), then its text.

    Sub-items ("20.5", "27(a)") often make sense only with the sentence that introduces them.
    Section headings are left out of the vector: they pull every paragraph of a section
    towards the same point (on the sample, dense recall@5 0.92 with the lead-in only, 0.89
    with headings too; fused recall@1 0.83 vs 0.81). The lexical index keeps them.
    """
    parts = [paragraph.lead_in] if paragraph.lead_in else []
    parts.append(paragraph.text)
    return "\n".join(parts)[:MAX_EMBED_CHARS]


#: Characters of a passage that are embedded (the lexical index still sees the whole text).
MAX_EMBED_CHARS = EMBEDDER_MAX_CHARS


def lexical_text(paragraph: Paragraph) -> str:
    """What the lexical index sees for a paragraph: heading path, lead-in and text."""
    parts = [x for x in (paragraph.section, paragraph.lead_in) if x]
    parts.append(paragraph.text)
    return "\n".join(parts)


# -- the store ----------------------------------------------------------------------------------


@dataclass
class _Cache:
    """What a process knows of the committed contents, valid for one ``version`` token."""

    version: str | None = None
    documents: dict[str, Document] = field(default_factory=dict)
    # record id -> paragraph, for committed versions only
    paragraphs: dict[str, Paragraph] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    # doc_id -> committed revision token
    revs: dict[str, str] = field(default_factory=dict)
    # doc_id -> record ids of its committed paragraphs
    by_doc: dict[str, set[str]] = field(default_factory=dict)

    def add(self, rid: str, paragraph: Paragraph, meta: dict[str, Any]) -> None:
        """Hold one committed paragraph record."""
        self.paragraphs[rid] = paragraph
        self.metadata[rid] = meta
        self.by_doc.setdefault(paragraph.doc_id, set()).add(rid)

    def drop_document(self, doc_id: str) -> list[str]:
        """Forget a document's paragraphs; returns their record ids."""
        gone = list(self.by_doc.pop(doc_id, ()))
        for rid in gone:
            self.paragraphs.pop(rid, None)
            self.metadata.pop(rid, None)
        return gone


class PledgeStore:
    """Paragraphs of pledge documents in Chroma, with a BM25 index kept consistent.

    Args:
        client: A Chroma client (``PersistentClient`` or ``HttpClient``).
        embedder: The embedder that fills and queries the collection.
        collection: Name of the paragraph collection.
        sweep_grace_s: Leftovers of interrupted writes are deleted on open once older than this.
        location: Human description of where the store is (for messages).

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
        self._cache = _Cache()
        # doc_id -> why its stored record cannot be read (written by an older version): such a
        # document is left out of every read, its paragraphs are kept (never swept) and
        # ``delete_document`` removes it.
        self._unreadable: dict[str, str] = {}
        self.lexical = LexicalIndex()
        self.mirror = VectorMirror(embedder.dim)
        try:
            self._col = client.get_or_create_collection(
                collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=self._identity(),
            )
            self._docs = client.get_or_create_collection(
                collection + _DOC_SUFFIX, embedding_function=None
            )
        except Exception as e:
            raise StoreError(
                f"could not open Chroma collection {collection!r} at {location}: {e}"
            ) from e
        self._check_identity(self._col.metadata or {})
        self._reload(sweep=True)

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
            url = urlparse(settings.chroma_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise ConfigError(
                    "PLEDGES_CHROMA_URL must look like http://host:port, "
                    f"got {settings.chroma_url!r}"
                )
            port = url.port or (443 if url.scheme == "https" else 8000)
            try:
                client = chromadb.HttpClient(
                    host=url.hostname,
                    port=port,
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
                client.heartbeat()
            except Exception as e:
                raise StoreError(
                    f"could not reach the Chroma server at {settings.chroma_url} "
                    f"(PLEDGES_CHROMA_URL): {e}"
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
        return cls(client, embedder, collection=settings.collection, location=location, **kw)

    def _identity(self) -> dict[str, Any]:
        return {
            "embedder": self.embedder.name,
            "dim": int(self.embedder.dim),
            "schema": SCHEMA_VERSION,
            "version": uuid.uuid4().hex,
        }

    def _check_identity(self, meta: dict[str, Any]) -> None:
        name, dim = meta.get("embedder"), meta.get("dim")
        if name != self.embedder.name or dim != self.embedder.dim:
            raise EmbedderMismatchError(
                f"collection {self.name!r} at {self.location} was filled with embedder "
                f"{name!r} (dim {dim}) but was opened with {self.embedder.name!r} "
                f"(dim {self.embedder.dim}): vectors of two models cannot be mixed. Use the "
                "same PLEDGES_EMBEDDER / PLEDGES_EMBEDDER_MODEL, or another --store / "
                "PLEDGES_COLLECTION and re-ingest."
            )

    # -- cache and lexical index -----------------------------------------------------------------

    def _remote_version(self) -> str | None:
        try:
            col = self.client.get_collection(self.name, embedding_function=None)
        except Exception as e:
            raise StoreError(f"collection {self.name!r} at {self.location} is gone: {e}") from e
        meta = col.metadata or {}
        self._check_identity(meta)
        version = meta.get("version")
        return str(version) if version is not None else None

    def refresh(self) -> None:
        """Catch up when another process wrote since we looked.

        Catch up when another process wrote since we looked: only the documents whose
        committed revision changed are read again (a whole reload when most did).
        """
        with self._lock:
            version = self._remote_version()
            if self._cache.version is None:  # closed, or never loaded
                self._reload(sweep=False)
            elif version != self._cache.version:
                self._catch_up(version)

    def _get_all(
        self, collection: Any, include: list[str], where: Any = None
    ) -> dict[str, list[Any]]:
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

    def _committed_documents(
        self,
    ) -> tuple[dict[str, Document], dict[str, str], dict[str, int]]:
        """The committed documents, their revisions and paragraph counts.

        The committed documents, their revisions and paragraph counts (for documents
        written with one), from the document collection.
        """
        documents: dict[str, Document] = {}
        revs: dict[str, str] = {}
        counts: dict[str, int] = {}
        unreadable: dict[str, str] = {}
        got = self._get_all(self._docs, ["metadatas"])
        for rid, meta in zip(got["ids"], got["metadatas"], strict=False):
            try:
                doc = from_metadata(meta, None)
            except StoreError as e:
                unreadable[str((meta or {}).get("doc_id") or rid)] = str(e)
                continue
            assert isinstance(doc, Document)
            documents[doc.doc_id] = doc
            revs[doc.doc_id] = _rev(meta)
            if isinstance(meta.get("paragraphs"), int):
                counts[doc.doc_id] = meta["paragraphs"]
        for doc_id in sorted(set(unreadable) - set(self._unreadable)):
            log.warning(
                "skipping stored document %r in %s: its record cannot be read (%s); remove it"
                " with `pledges delete %s` and ingest the file again",
                doc_id,
                self.name,
                _one_line(unreadable[doc_id]),
                doc_id,
            )
        self._unreadable = unreadable
        return documents, revs, counts

    def _read_paragraphs(
        self, revs: dict[str, str], where: dict[str, Any] | None = None
    ) -> tuple[list[tuple[str, Paragraph, dict[str, Any], Any]], list[str]]:
        """Paragraph records split into committed ones and leftovers.

        Paragraph records (matching ``where``) split into committed ones, as
        ``(record_id, paragraph, metadata, vector)``, and leftovers older than the grace period.
        """
        got = self._get_all(self._col, ["metadatas", "documents", "embeddings"], where)
        committed: list[tuple[str, Paragraph, dict[str, Any], Any]] = []
        orphans: list[str] = []
        now = time.time()
        for rid, meta, text, vector in zip(
            got["ids"], got["metadatas"], got["documents"], got["embeddings"], strict=False
        ):
            doc_id = meta.get("doc_id", "")
            if doc_id in revs and revs[doc_id] == _rev(meta):
                try:
                    p = from_metadata(meta, text)
                except StoreError as e:
                    log.warning("skipping stored paragraph %s: %s", rid, _one_line(str(e)))
                    continue
                assert isinstance(p, Paragraph)
                committed.append((rid, p, meta, vector))
            elif doc_id in self._unreadable:
                continue  # kept until its document is deleted
            elif now - float(meta.get("written_at", 0.0)) > self.sweep_grace_s:
                orphans.append(rid)
        return committed, orphans

    def _reread_incomplete(
        self,
        records: list[tuple[str, Paragraph, dict[str, Any], Any]],
        revs: dict[str, str],
        counts: dict[str, int],
    ) -> list[tuple[str, Paragraph, dict[str, Any], Any]]:
        """Read again the documents that came back short.

        Pages are read by offset, so a concurrent write elsewhere can shift a record past a
        page boundary: documents that came back short of their recorded paragraph count are
        read again on their own.
        """
        read: dict[str, int] = {}
        for _, p, _, _ in records:
            read[p.doc_id] = read.get(p.doc_id, 0) + 1
        short = sorted(d for d, n in counts.items() if read.get(d, 0) != n)
        if not short:
            return records
        reread = set(short)
        kept = [r for r in records if r[1].doc_id not in reread]
        return kept + self._read_documents(short, revs)

    def _read_documents(
        self, doc_ids: list[str], revs: dict[str, str]
    ) -> list[tuple[str, Paragraph, dict[str, Any], Any]]:
        """The committed paragraph records of some documents.

        The committed paragraph records of some documents, :data:`CATCH_UP_BATCH` documents
        per Chroma call.
        """
        records: list[tuple[str, Paragraph, dict[str, Any], Any]] = []
        for i in range(0, len(doc_ids), CATCH_UP_BATCH):
            part = doc_ids[i : i + CATCH_UP_BATCH]
            where = {"doc_id": part[0]} if len(part) == 1 else {"doc_id": {"$in": part}}
            records += self._read_paragraphs(revs, where)[0]
        return records

    def _reload(self, sweep: bool) -> None:
        with self._lock:
            version = self._remote_version()
            documents, revs, counts = self._committed_documents()
            records, orphans = self._read_paragraphs(revs)
            records = self._reread_incomplete(records, revs, counts)
            if sweep and orphans:
                self._delete_ids(orphans)
            cache = _Cache(version, documents, revs=revs)
            for rid, p, meta, _ in records:
                cache.add(rid, p, meta)
            entries = [
                LexicalEntry(rid, self._tokens(p, meta), meta) for rid, p, meta, _ in records
            ]
            self.mirror.replace_all(
                (rid, vector, meta) for rid, _, meta, vector in records if vector is not None
            )
            self.lexical.replace_all(entries)
            self._cache = cache

    def _catch_up(self, version: str | None) -> None:
        documents, revs, counts = self._committed_documents()
        cache = self._cache
        changed = sorted(d for d, r in revs.items() if cache.revs.get(d) != r)
        removed = [d for d in cache.documents if d not in documents]
        if len(changed) > max(CATCH_UP_MAX_DOCUMENTS, len(documents) // 2):
            self._reload(sweep=False)
            return
        records = self._read_documents(changed, revs)
        records = self._reread_incomplete(
            records, revs, {d: counts[d] for d in changed if d in counts}
        )
        dropped: list[str] = []
        for doc_id in removed + changed:
            dropped += cache.drop_document(doc_id)
        for rid, p, meta, _ in records:
            cache.add(rid, p, meta)
        cache.documents, cache.revs, cache.version = documents, revs, version
        kept = {rid for rid, *_ in records}
        gone = [rid for rid in dropped if rid not in kept]
        self.lexical.update(
            add=[LexicalEntry(rid, self._tokens(p, meta), meta) for rid, p, meta, _ in records],
            remove=gone,
        )
        self.mirror.update(
            add=[(rid, v, meta) for rid, _, meta, v in records if v is not None], remove=gone
        )

    @staticmethod
    def _tokens(p: Paragraph, meta: dict[str, Any]) -> list[str]:
        return tokenize(lexical_text(p), meta.get("language"))

    def _bump_version(self, seen: str | None) -> str:
        """Replace the version token; returns it. ``seen`` is the token read before writing."""
        current = self._remote_version()
        identity = self._identity()
        self._col.modify(metadata=identity)
        # Another process wrote between our read and our write: our cache misses its change.
        version = str(identity["version"])
        return version if current == seen else "stale:" + version

    def _delete_ids(self, ids: list[str]) -> None:
        step = self._batch_size()
        for i in range(0, len(ids), step):
            self._col.delete(ids=ids[i : i + step])

    def _batch_size(self) -> int:
        try:
            return max(1, min(1000, int(self.client.get_max_batch_size())))
        except Exception:
            return 500

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
        self.refresh()
        with self._lock:
            old = self._cache.documents.get(doc.doc_id)
            old_rev = self._cache.revs.get(doc.doc_id)
            seen = self._cache.version
        if old is not None and _same_version(old, doc):
            return "unchanged"

        texts = [passage_text(p, doc) for p in parsed.paragraphs]
        vectors = self._embed(texts, on_progress)

        rev = new_revision()
        ids = [record_id(doc.doc_id, p.number, rev) for p in parsed.paragraphs]
        new_ids = set(ids)
        metas = [{**to_metadata(p, doc), "rev": rev} for p in parsed.paragraphs]
        try:
            step = self._batch_size()
            for i in range(0, len(ids), step):
                self._col.upsert(
                    ids=ids[i : i + step],
                    embeddings=vectors[i : i + step],
                    documents=[p.text for p in parsed.paragraphs[i : i + step]],
                    metadatas=metas[i : i + step],
                )
            # Commit marker: from here on readers see the new version.
            self._docs.upsert(
                ids=[doc.doc_id],
                embeddings=[[1.0]],
                documents=[doc.title or doc.doc_id],
                metadatas=[{**to_metadata(doc), "rev": rev, "paragraphs": len(ids)}],
            )
            if old_rev is not None:
                self._col.delete(where={"$and": [{"doc_id": doc.doc_id}, {"rev": old_rev}]})
                with self._lock:
                    old_ids = list(self._cache.by_doc.get(doc.doc_id, ()))
                self._delete_ids([r for r in old_ids if r not in new_ids])
            version = self._bump_version(seen)
        except Exception as e:
            raise StoreError(
                f"writing document {doc.doc_id!r} ({doc.source}) to {self.location} failed: {e}"
            ) from e

        with self._lock:
            cache = self._cache
            stale = [rid for rid in cache.drop_document(doc.doc_id) if rid not in new_ids]
            cache.documents[doc.doc_id] = doc
            cache.revs[doc.doc_id] = rev
            for rid, p, meta in zip(ids, parsed.paragraphs, metas, strict=True):
                cache.add(rid, p, meta)
            cache.version = version
            self.lexical.update(
                add=[
                    LexicalEntry(rid, self._tokens(p, meta), meta)
                    for rid, p, meta in zip(ids, parsed.paragraphs, metas, strict=True)
                ],
                remove=stale,
            )
            self.mirror.update(add=zip(ids, vectors, metas, strict=True), remove=stale)
        return "replaced" if old is not None else "added"

    def _validate(self, parsed: ParsedDocument) -> None:
        doc = parsed.document
        seen: set[str] = set()
        for p in parsed.paragraphs:
            if p.doc_id != doc.doc_id:
                raise StoreError(
                    f"{doc.source}: paragraph {p.id} belongs to {p.doc_id!r}, "
                    f"expected {doc.doc_id!r}"
                )
            if p.number in seen:
                raise StoreError(
                    f"{doc.source}: paragraph number {p.number!r} appears twice; numbers must be "
                    "unique within a document"
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
        self.refresh()
        with self._lock:
            if doc_id not in self._cache.documents and doc_id not in self._unreadable:
                raise NotFoundError(self._not_found_message(doc_id))
            seen = self._cache.version
        try:
            # Uncommit first: readers stop seeing the paragraphs at once.
            self._docs.delete(ids=[doc_id])
            self._col.delete(where={"doc_id": doc_id})
            version = self._bump_version(seen)
        except Exception as e:
            raise StoreError(f"deleting {doc_id!r} from {self.location} failed: {e}") from e
        with self._lock:
            cache = self._cache
            cache.documents.pop(doc_id, None)
            cache.revs.pop(doc_id, None)
            self._unreadable.pop(doc_id, None)
            gone = cache.drop_document(doc_id)
            cache.version = version
            self.lexical.update(remove=gone)
            self.mirror.update(remove=gone)

    # -- reads -----------------------------------------------------------------------------------

    def _not_found_message(self, doc_id: str) -> str:
        known = sorted(self._cache.documents)
        hint = ", ".join(known[:5]) + (" …" if len(known) > 5 else "") if known else "none"
        # The store's location stays out: this message reaches HTTP clients.
        return f"no document {doc_id!r} in the store (stored: {hint})"

    def documents(self) -> list[Document]:
        """Committed documents, sorted by doc_id."""
        self.refresh()
        with self._lock:
            return [self._cache.documents[k] for k in sorted(self._cache.documents)]

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
        self.refresh()
        with self._lock:
            return sorted({d.language for d in self._cache.documents.values() if d.language})

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
            items = [cache.paragraphs[r] for r in cache.by_doc.get(doc_id, ())]
        return sorted(items, key=_reading_order)

    def get_paragraph(self, doc_id: str, number: str) -> Paragraph:
        """One paragraph by document and number (``"8"``, ``"20.5"``, ``"27(a)"``).

        Raises:
            NotFoundError: No such document or paragraph.
        """
        doc = self.get_document(doc_id)
        with self._lock:
            rid = record_id(doc_id, number, self._cache.revs.get(doc.doc_id, ""))
            p = self._cache.paragraphs.get(rid)
        if p is None:
            raise NotFoundError(
                f"document {doc_id!r} has no paragraph {number!r} (paragraph numbers look like "
                '"8", "20.5", "27(a)" or "note.1")'
            )
        return p

    def count(self) -> int:
        """Number of committed paragraphs."""
        self.refresh()
        with self._lock:
            return len(self._cache.paragraphs)

    def resolve(self, rid: str) -> tuple[Paragraph, Document] | None:
        """The paragraph and document of a record id, or None when it is not committed."""
        with self._lock:
            p = self._cache.paragraphs.get(rid)
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
            for doc in self._cache.documents.values():
                if doc.country and v.casefold() in (
                    doc.country.code.casefold(),
                    doc.country.name.casefold(),
                ):
                    return doc.country.code
        if len(v) == 3 and v.isalpha():
            return v.upper()
        return lookup_code(v) or v.upper()

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
            committed = self._cache.paragraphs
            total = len(committed)
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
            committed = self._cache.paragraphs
        try:
            count = self._col.count()
            n = min(count, max(2 * k, k + 20))
            res = self._col.query(
                query_embeddings=vectors.tolist(),
                n_results=max(1, n),
                where=_where(conditions or {}),
                include=["distances"],
            )
        except Exception as e:
            raise StoreError(f"dense query on {self.location} failed: {e}") from e
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

    def prepare(self) -> None:
        """Build what the first query would otherwise build (the BM25 index)."""
        self.refresh()
        self.lexical.build()

    def close(self) -> None:
        """Release what can be released (Chroma clients have no close; caches are dropped)."""
        with self._lock:
            self._cache = _Cache()
            self.lexical.replace_all([])
            self.mirror.replace_all([])


def _vector_missing(error: Exception) -> bool:
    """Whether Chroma failed because a record's vector is not in this process's index."""
    return "Error finding id" in str(error)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _rev(meta: dict[str, Any]) -> str:
    """The revision a record belongs to (records written before revisions: their sha prefix)."""
    return str(meta.get("rev") or str(meta.get("sha256", ""))[:16])


def _where(conditions: dict[str, str]) -> dict[str, Any] | None:
    clauses = [{key: value} for key, value in sorted(conditions.items())]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _same_version(old: Document, new: Document) -> bool:
    """Same bytes and same metadata (the path they came from does not matter)."""
    return old.model_dump(exclude={"source"}) == new.model_dump(exclude={"source"})


def _reading_order(p: Paragraph) -> tuple[Any, ...]:
    if p.start is not None:
        return (0, p.start)
    return (1, *_number_key(p.number))


def _number_key(number: str) -> tuple[Any, ...]:
    """Sort key for paragraph numbers: notes first, then numeric parts, then letters."""
    parts: list[Any] = [0 if number.startswith("note") else 1]
    for tok in re.findall(r"\d+|[a-z]+", number.lower()):
        parts.append((0, int(tok), "") if tok.isdigit() else (1, 0, tok))
    return tuple(parts)


def iter_texts(paragraphs: Iterable[Paragraph]) -> list[str]:
    """Embedding inputs for paragraphs (used by benchmarks)."""
    return [passage_text(p) for p in paragraphs]
