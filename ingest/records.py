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

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Bounds of what a stored document may say about itself. Values outside them are refused when a
#: record is built (at ingest), so nothing that is stored can make the store unreadable later.
#: A UN document symbol: series letters, then slash-separated parts ("A/77/89", "A/HRC/52/1",
#: "A/77/89/Corr.1", "A/C.3/77/L.1").
SYMBOL_PATTERN = r"^[A-Z]{1,10}(?:/[A-Za-z0-9][A-Za-z0-9.()\-]{0,20}){1,8}$"
#: A Council term, e.g. "2023-2025".
TERM_PATTERN = r"^(19|20|21)\d{2}-(19|20|21)\d{2}$"
#: A document id: lower-case letters, digits, dots and hyphens (what ``make_doc_id`` makes).
MAX_DOC_ID_CHARS = 160
DOC_ID_PATTERN = rf"^[0-9a-z][0-9a-z._\-]{{0,{MAX_DOC_ID_CHARS - 1}}}$"
#: General Assembly sessions (the 1st met in 1946; the 80th in 2025).
MAX_SESSION = 500
EARLIEST_DATE = dt.date(1945, 10, 24)  # the Charter entered into force
LATEST_DATE = dt.date(2199, 12, 31)

#: What each bounded field expects, in words (for errors a person can act on).
FIELD_RULES: dict[str, str] = {
    "symbol": "expected a UN document symbol such as A/77/89",
    "term": "expected YYYY-YYYY with the end after the start, e.g. 2023-2025",
    "session": f"expected a General Assembly session number from 1 to {MAX_SESSION}",
    "date": f"expected a date from {EARLIEST_DATE} to {LATEST_DATE}",
    "doc_id": (
        "expected lower-case letters, digits, dots and hyphens, at most"
        f" {MAX_DOC_ID_CHARS} characters, e.g. bel-2023-2025.en"
    ),
    "title": "expected at most 1,000 characters",
}

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
        pattern=DOC_ID_PATTERN,
        description=(
            "Stable id derived from what the document is (symbol or country+term, plus language),"
            " so a changed file keeps its id and replaces its old paragraphs"
        ),
    )
    symbol: str | None = Field(
        default=None,
        pattern=SYMBOL_PATTERN,
        description="The document's own UN symbol (e.g. A/77/89); null when the text lacks it",
    )
    country: Country | None = Field(default=None, description="The candidate state")
    language: Language | None = Field(default=None, description="ISO 639-1 code of the text")
    date: dt.date | None = Field(
        default=None, ge=EARLIEST_DATE, le=LATEST_DATE, description="Date of the note verbale"
    )
    term: str | None = Field(
        default=None, pattern=TERM_PATTERN, description="Council term sought, e.g. 2023-2025"
    )
    session: int | None = Field(
        default=None, ge=1, le=MAX_SESSION, strict=False, description="General Assembly session"
    )
    title: str | None = Field(
        default=None, max_length=1000, description="Title line of the annex or note"
    )
    source: str = Field(description="Path or URL the bytes came from")
    sha256: str = Field(description="SHA-256 of the source bytes", pattern=r"^[0-9a-f]{64}$")

    @field_validator("term")
    @classmethod
    def _term_in_order(cls, value: str | None) -> str | None:
        if value is not None:
            start, end = (int(x) for x in value.split("-"))
            if not start < end <= start + 10:
                raise ValueError(f"term {value}: expected a later end year, e.g. 2023-2025")
        return value

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

    @property
    def text_with_lead_in(self) -> str:
        """The text, then the parent's lead-in on its own line (what the paragraph is read as)."""
        return self.text + ("\n" + self.lead_in if self.lead_in else "")


class RemovedText(Record):
    """Text of a file that is in no paragraph: page furniture, footnotes."""

    reason: str = Field(description='Why it was removed, e.g. "document viewer line"')
    text: str = Field(description="The removed text (first 120 characters)")
    words: int = Field(description="Words in it")


class TextReport(Record):
    """How much of a file's text the paragraphs kept (``pledges parse`` / ``pledges ingest``).

    Words are runs of letters; each CJK character counts as one.
    """

    numbering: Literal["un", "ingest"] = Field(
        description='"un": the paragraphs carry the document\'s own numbers ("8", "20.5",'
        ' "27(a)", "note.1"); "ingest": the document has no paragraph numbers and ingest numbered'
        ' its paragraphs in reading order ("p1", "p2", bullets "p3.1")'
    )
    words: int = Field(description="Words in the text read from the file")
    paragraph_words: int = Field(description="Words kept in paragraphs")
    heading_words: int = Field(
        description="Words of titles, headings and mastheads (kept as title and section)"
    )
    removed_words: int = Field(description="Words removed: page furniture and footnotes")
    removed: list[RemovedText] = Field(default_factory=list)
    warnings: list[str] = Field(
        default_factory=list, description="One line each, naming the file, when text was lost"
    )


class ParsedDocument(Record):
    """What ``pledges parse`` returns: one document and its paragraphs in reading order."""

    document: Document
    paragraphs: list[Paragraph]
    report: TextReport | None = Field(
        default=None, description="How much of the file's text the paragraphs kept"
    )


class LibraryEntry(Record):
    """A UN Digital Library record of one document, as far as it could be read."""

    symbol: str = Field(description="UN document symbol (MARC 191 $a)")
    title: str | None = Field(default=None, description="MARC 245 $a $b")
    date: dt.date | None = Field(default=None, description="MARC 269 $a or 260 $c")
    country: Country | None = Field(default=None, description="From MARC 710/610 or the title")
    body: str | None = Field(default=None, description="Issuing body (MARC 710/610 $a)")
    languages: list[Language] = Field(
        default_factory=list, description="Language versions the record lists (856/FFT, 041)"
    )
    subjects: list[str] = Field(
        default_factory=list, description="Subjects and agenda items (MARC 650 $a, 991 $b $d)"
    )
    record_id: str | None = Field(default=None, description="Library record id (MARC 001)")
