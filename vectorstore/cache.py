"""What a process knows of a store's committed contents, for one ``version`` token.

Paragraphs are held as their verbatim text and flat metadata (what Chroma stores); the
:class:`~assistant.types.Paragraph` record is built when a reader asks for it. A store of
100,000 paragraphs is then held once, not once as Chroma's answer, once as records and once
more as metadata, and opening it from a snapshot builds no records at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ingest.records import Document, Paragraph
from vectorstore.chroma_records import from_metadata


class Catalog:
    """What readers ask of the committed documents, indexed once per store version.

    A question reads the stored documents several times (the countries in store, the framing
    country, the language versions of a cited paragraph); with thousands of documents, walking
    and sorting them each time costs more than the rest of the answer. A catalog is built from
    one version's documents and never changes: :meth:`CommittedCache.catalog` builds a new one
    when the version token changes (every write replaces it).

    Args:
        version: The store version these documents belong to.
        documents: doc_id -> committed document, in the cache's insertion order.
    """

    def __init__(self, version: str | None, documents: Mapping[str, Document]) -> None:
        self.version = version
        #: Every committed document, sorted by doc_id.
        self.documents: tuple[Document, ...] = tuple(documents[k] for k in sorted(documents))
        #: Languages of the documents, sorted.
        self.languages: list[str] = sorted({d.language for d in self.documents if d.language})
        #: ISO code -> English name of every stored country (the last document by doc_id
        #: names it).
        self.countries: dict[str, str] = {
            d.country.code: d.country.name for d in self.documents if d.country
        }
        #: Whether every document has a detected country.
        self.countries_complete = all(d.country for d in self.documents)
        # Case-folded code or name -> code, the first document in insertion order winning.
        self._codes: dict[str, str] = {}
        for d in documents.values():
            if d.country:
                self._codes.setdefault(d.country.code.casefold(), d.country.code)
                self._codes.setdefault(d.country.name.casefold(), d.country.code)
        # Candidate language versions: same symbol, or same country, term and date.
        self._position = {d.doc_id: i for i, d in enumerate(self.documents)}
        self._by_symbol: dict[str, list[Document]] = {}
        self._by_edition: dict[tuple[str, str, Any], list[Document]] = {}
        for d in self.documents:
            if d.symbol:
                self._by_symbol.setdefault(d.symbol, []).append(d)
            if d.country and d.term and d.date:
                self._by_edition.setdefault((d.country.code, d.term, d.date), []).append(d)
        self._in_language: dict[str, dict[str, Document]] = {}

    def country_code(self, value: str) -> str | None:
        """The stored country whose ISO code or English name is ``value`` (any case)."""
        return self._codes.get(value.strip().casefold())

    def versions_of(self, document: Document) -> list[Document]:
        """Documents that may be other language versions of ``document``, by doc_id.

        The documents sharing its symbol or its country, term and date (the document itself
        included): what :func:`assistant.citations.aligned_versions` would keep of all of them.
        """
        found: dict[str, Document] = {}
        if document.symbol:
            found.update((d.doc_id, d) for d in self._by_symbol.get(document.symbol, ()))
        if document.country and document.term and document.date:
            key = (document.country.code, document.term, document.date)
            found.update((d.doc_id, d) for d in self._by_edition.get(key, ()))
        return sorted(found.values(), key=lambda d: self._position.get(d.doc_id, -1))

    def by_symbol_in(self, language: str) -> dict[str, Document]:
        """Symbol -> the stored document with that symbol in ``language`` (last by doc_id)."""
        out = self._in_language.get(language)
        if out is None:
            out = {d.symbol: d for d in self.documents if d.symbol and d.language == language}
            self._in_language[language] = out
        return out


@dataclass
class CommittedCache:
    """The committed documents and paragraphs of a store as one process last saw them.

    Attributes:
        version: The store's version token these contents match (None: not loaded).
        documents: doc_id -> committed document.
        revs: doc_id -> committed revision token.
        texts: record id -> paragraph text, committed versions only.
        metadata: record id -> flat metadata of the paragraph record.
        by_doc: doc_id -> record ids of its committed paragraphs.
        heads: doc_id -> the sparse head its paragraphs were written with (absent: none).
    """

    version: str | None = None
    documents: dict[str, Document] = field(default_factory=dict)
    revs: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_doc: dict[str, set[str]] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)
    _catalog: Catalog | None = field(default=None, repr=False, compare=False)

    def catalog(self) -> Catalog:
        """The :class:`Catalog` of the documents, built once per version token.

        Every change to ``documents`` is followed by a new ``version`` under the store's lock
        (writes, catch-up), so a catalog of an older version is never returned.
        """
        catalog = self._catalog
        if catalog is None or catalog.version != self.version:
            catalog = self._catalog = Catalog(self.version, self.documents)
        return catalog

    def __len__(self) -> int:
        return len(self.texts)

    def __contains__(self, rid: object) -> bool:
        return rid in self.texts

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts)

    def add(self, rid: str, text: str, meta: dict[str, Any]) -> None:
        """Hold one committed paragraph record."""
        self.texts[rid] = text
        self.metadata[rid] = meta
        self.by_doc.setdefault(str(meta["doc_id"]), set()).add(rid)

    def paragraph(self, rid: str) -> Paragraph | None:
        """The committed paragraph of a record id, or None."""
        text = self.texts.get(rid)
        if text is None:
            return None
        p = from_metadata(self.metadata[rid], text)
        assert isinstance(p, Paragraph)
        return p

    def drop_document(self, doc_id: str) -> list[str]:
        """Forget a document's paragraphs; returns their record ids."""
        gone = list(self.by_doc.pop(doc_id, ()))
        for rid in gone:
            self.texts.pop(rid, None)
            self.metadata.pop(rid, None)
        return gone
