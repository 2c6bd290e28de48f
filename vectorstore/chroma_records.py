"""Pledge records as Chroma stores them, and what is embedded and indexed for a paragraph.

The one place records are flattened into Chroma's primitive metadata and rebuilt from it, and
where a paragraph's record id, embedding text and lexical text are defined.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

import httpx

from ingest.records import Country, Document, Paragraph, paragraph_id
from vectorstore.embedders import MAX_EMBED_CHARS as EMBEDDER_MAX_CHARS
from vectorstore.errors import StoreError

#: Layout version of what the store writes; recorded with the collection.
SCHEMA_VERSION = 1


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
        raise StoreError(f"a stored {what} has unreadable metadata: {one_line(str(e))}") from e
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


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line (whitespace runs collapsed), cut to ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a failed connection, not a refused request."""
    seen: BaseException | None = error
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, httpx.TransportError | ConnectionError | TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def failure(what: str, location: str, error: BaseException) -> str:
    """One line saying what failed where and why; a server that cannot be reached says so.

    Args:
        what: What was being done, e.g. ``"writing document 'bel.en' (bel.txt)"``.
        location: The store's directory or the Chroma server's URL.
        error: What the Chroma client raised.
    """
    reason = one_line(str(error) or type(error).__name__, 200)
    if unreachable(error):
        return (
            f"{what} failed: the Chroma server at {location} cannot be reached"
            f" (PLEDGES_CHROMA_URL; is it running?): {reason}"
        )
    return f"{what} at {location} failed: {reason}"


def revision_of(meta: dict[str, Any]) -> str:
    """The revision a record belongs to (records written before revisions: their sha prefix)."""
    return str(meta.get("rev") or str(meta.get("sha256", ""))[:16])


def same_version(old: Document, new: Document) -> bool:
    """Same bytes and same metadata (the path they came from does not matter)."""
    return old.model_dump(exclude={"source"}) == new.model_dump(exclude={"source"})


def reading_order(p: Paragraph) -> tuple[Any, ...]:
    """Sort key for a document's paragraphs: by position in the file, else by number."""
    if p.start is not None:
        return (0, p.start)
    return (1, *number_key(p.number))


def number_key(number: str) -> tuple[Any, ...]:
    """Sort key for paragraph numbers: notes first, then numeric parts, then letters."""
    parts: list[Any] = [0 if number.startswith("note") else 1]
    for tok in re.findall(r"\d+|[a-z]+", number.lower()):
        parts.append((0, int(tok), "") if tok.isdigit() else (1, 0, tok))
    return tuple(parts)


def iter_texts(paragraphs: Iterable[Paragraph]) -> list[str]:
    """Embedding inputs for paragraphs (used by benchmarks)."""
    return [passage_text(p) for p in paragraphs]
