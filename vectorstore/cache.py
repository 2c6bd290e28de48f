"""What a process knows of a store's committed contents, for one ``version`` token.

Paragraphs are held as their verbatim text and flat metadata (what Chroma stores); the
:class:`~assistant.types.Paragraph` record is built when a reader asks for it. A store of
100,000 paragraphs is then held once, not once as Chroma's answer, once as records and once
more as metadata, and opening it from a snapshot builds no records at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ingest.records import Document, Paragraph
from vectorstore.chroma_records import from_metadata


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
