"""Records of answers: citations, answers, claim verdicts and ingest reports.

The records they point at (documents, paragraphs, search hits) live in the layers below:
:mod:`ingest.records` and :mod:`vectorstore.records`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ingest.records import Language, Record


class AlignedText(Record):
    """The same paragraph number in another language version of the same pledge."""

    doc_id: str
    language: Language | None
    number: str
    text: str


class Citation(Record):
    """A checkable pointer from an answer to the words of a retrieved paragraph."""

    marker: str = Field(description='Marker as it appears in the answer text, e.g. "[1]"')
    id: str = Field(description="Paragraph id, {doc_id}:¶{number}")
    doc_id: str
    number: str
    symbol: str | None = None
    title: str | None = Field(default=None, description="Document label when the symbol is unknown")
    country: str | None = Field(default=None, description="ISO alpha-3 code")
    country_name: str | None = None
    language: Language | None = None
    quote: str = Field(description="Exact substring of the paragraph text")
    url: str | None = Field(default=None, description="Official copy, when the symbol is known")
    score: float | None = None
    aligned: list[AlignedText] = Field(
        default_factory=list, description="Same paragraph in other stored language versions"
    )


class RetrievedItem(Record):
    """One line of an answer's retrieval trace."""

    id: str
    score: float
    cited: bool = False


class Answer(Record):
    """A cited answer, or an abstention."""

    question: str
    standalone_question: str | None = Field(
        default=None, description="The question after follow-up condensing, as retrieval saw it"
    )
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(
        default_factory=list,
        description="When abstaining: nearest paragraphs, shown as related, not as an answer",
    )
    mode: Literal["extractive", "llm"] = "extractive"
    warnings: list[str] = Field(
        default_factory=list,
        description="What was corrected before the user saw it (e.g. an invented marker removed)",
    )
    retrieved: list[RetrievedItem] = Field(default_factory=list)


class Verdict(Record):
    """The outcome of checking a claim against the pledges."""

    claim: str
    status: Literal["supported", "not_found", "contradicted"]
    explanation: str
    evidence: list[Citation] = Field(default_factory=list)


class FileReport(Record):
    """What happened to one file in an ingest batch."""

    path: str
    status: Literal["added", "replaced", "unchanged", "failed"]
    doc_id: str | None = None
    paragraphs: int = 0
    error: str | None = None
    words: int = Field(default=0, description="Words read from the file")
    kept_words: int = Field(default=0, description="Words kept in paragraphs, titles and headings")
    warnings: list[str] = Field(default_factory=list)


class IngestReport(Record):
    """Summary of an ingest batch; a failed file never stops the others."""

    files: list[FileReport] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileReport]:
        """The files that failed."""
        return [f for f in self.files if f.status == "failed"]

    @property
    def paragraphs(self) -> int:
        """Paragraphs stored by the added and replaced files."""
        return sum(f.paragraphs for f in self.files if f.status in ("added", "replaced"))
