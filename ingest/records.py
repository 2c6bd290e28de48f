"""The records every layer shares: documents and their numbered paragraphs.

All records are pydantic models with ``extra="forbid"``: a misspelt field is an error, not a silent
drop. Chroma wants flat primitive metadata; ``vectorstore`` owns the one function that flattens a
record and the one that rebuilds it. Records of later steps sit in the layer that makes them:
filters and search hits in :mod:`vectorstore.records`, citations and answers in
:mod:`assistant.types`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: One of :data:`ingest.language.UN_LANGUAGES`.
Language = Literal["ar", "en", "es", "fr", "ru", "zh"]


class Record(BaseModel):
    """Base of all records: unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid")


class Country(Record):
    """A candidate state."""

    code: str = Field(description="ISO 3166-1 alpha-3 code, e.g. BEL", pattern=r"^[A-Z]{3}$")
    name: str = Field(description="English short name, e.g. Belgium")


class Document(Record):
    """One pledge document in one language, as ingested from one file."""

    doc_id: str = Field(
        description=(
            "Stable id derived from what the document is (symbol or country+term, plus language),"
            " so a changed file keeps its id and replaces its old paragraphs"
        )
    )
    symbol: str | None = Field(
        default=None,
        description="The document's own UN symbol (e.g. A/77/89); null when the text lacks it",
    )
    country: Country | None = Field(default=None, description="The candidate state")
    language: Language | None = Field(default=None, description="ISO 639-1 code of the text")
    date: dt.date | None = Field(default=None, description="Date of the note verbale")
    term: str | None = Field(default=None, description="Council term sought, e.g. 2023-2025")
    session: int | None = Field(default=None, description="General Assembly session number")
    title: str | None = Field(default=None, description="Title line of the annex or note")
    source: str = Field(description="Path or URL the bytes came from")
    sha256: str = Field(description="SHA-256 of the source bytes", pattern=r"^[0-9a-f]{64}$")

    @property
    def url(self) -> str | None:
        """Link to the official copy in this document's language, when the symbol is known."""
        if not self.symbol:
            return None
        return official_url(self.symbol, self.language)

    @property
    def label(self) -> str:
        """Short human name: symbol, else country and term, else the title or doc id."""
        if self.symbol:
            return self.symbol
        if self.country and self.term:
            return f"{self.country.name} pledge {self.term}"
        return self.title or self.doc_id


def official_url(symbol: str, language: str | None) -> str:
    """The undocs.org link to a UN document symbol, in the given language when known."""
    lang = language or "en"
    # undocs.org uses "ch" for Chinese in its language path segment.
    segment = {"zh": "ch"}.get(lang, lang)
    return f"https://undocs.org/{segment}/{symbol}"


def paragraph_id(doc_id: str, number: str) -> str:
    """The citation id of a paragraph: ``{doc_id}:¶{number}``."""
    return f"{doc_id}:¶{number}"


class Paragraph(Record):
    """One numbered unit of a pledge, cut where the UN numbered it.

    Numbering contract (DESIGN.md): "8" a numbered paragraph; "20" the lead-in of paragraph 20 and
    "20.5" its 5th bullet; "27(a)" a lettered sub-item; "note.1" an unnumbered paragraph of the
    covering note before the annex.
    """

    id: str = Field(description="{doc_id}:¶{number}")
    doc_id: str
    number: str = Field(
        description='Paragraph number per the contract: "8", "20.5", "27(a)", "note.1"'
    )
    text: str = Field(description="Verbatim paragraph text after cleaning")
    section: str | None = Field(
        default=None, description='Heading path, e.g. "I. Four thematic areas > A. Accountability"'
    )
    lead_in: str | None = Field(
        default=None, description="Text of the parent paragraph, for bullet and lettered sub-items"
    )
    page: int | None = Field(
        default=None, description="1-based PDF page where the paragraph starts"
    )
    start: int | None = Field(default=None, description="Start offset in the cleaned document text")
    end: int | None = Field(default=None, description="End offset (exclusive) in the cleaned text")


class ParsedDocument(Record):
    """What ``pledges parse`` returns: one document and its paragraphs in reading order."""

    document: Document
    paragraphs: list[Paragraph]
