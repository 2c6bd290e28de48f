"""Records of answers: citations, answers, claim verdicts and ingest reports.

The records they point at (documents, paragraphs, search hits) live in the layers below:
:mod:`ingest.records` and :mod:`vectorstore.records`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ingest.records import Language, LibraryEntry, Record


class AlignedText(Record):
    """The same paragraph number in another language version of the same pledge."""

    doc_id: str
    language: Language | None
    number: str
    text: str
    url: str | None = Field(default=None, description="Official copy of that version")


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
    topics: list[str] = Field(
        default_factory=list,
        description=(
            "Glossary topics the paragraph names, whatever its language, as concept ids of"
            " vectorstore/glossary.json (e.g. death_penalty): what a reader of another language"
            " can be told of it without a translation"
        ),
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
    abstain_reason: str | None = Field(
        default=None,
        description="When abstaining: what the decision rests on, in English, for developers",
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="What was corrected before the user saw it (e.g. an invented marker removed)",
    )
    retrieved: list[RetrievedItem] = Field(default_factory=list)


class ClaimCheck(Record):
    """One part of a claim compared with the quoted pledge sentence."""

    facet: Literal["topic", "value", "modality", "polarity"] = Field(
        description="topic (a named concept or treaty number), value (year, range, count,"
        " ordinal), modality (done or pledged) or polarity (affirmative or negative)"
    )
    outcome: Literal["match", "conflict", "unchecked"] = Field(
        description="match: the pledge states the same; conflict: it states something else;"
        " unchecked: the pledge sentence does not say, or the rules cannot read it"
    )
    claim: str = Field(description="The part of the claim, as written")
    evidence: str = Field(default="", description="The part of the pledge sentence, as written")
    note: str = ""


#: What each verdict status means (README, API schema and ``pledges verify --help`` quote it).
VERDICT_STATUSES: dict[str, str] = {
    "supported": "a quoted pledge sentence names the claim's topic and states every year, range,"
    " number and treaty number of the claim, with the same modality (done or pledged) and"
    " polarity",
    "contradicted": "a quoted pledge sentence on the claim's topic states a different year,"
    " range or number, the opposite modality (done versus pledged) or the opposite polarity;"
    " the explanation quotes both",
    "related": "the pledges address the claim's topic but its wording cannot be judged without"
    " a language model (a value or modality the sentence does not state, or a claim language"
    " whose grammar the rules do not read); read the quotes",
    "not_found": "no stored pledge paragraph addresses the claim's topic (or the claim names"
    " no topic to check: only a country, framing words such as 'pledged', or too few words)",
}


class Verdict(Record):
    """The outcome of checking a claim against the pledges."""

    claim: str
    status: Literal["supported", "contradicted", "related", "not_found"] = Field(
        description="; ".join(f"{k}: {v}" for k, v in VERDICT_STATUSES.items())
    )
    explanation: str
    evidence: list[Citation] = Field(default_factory=list)
    checks: list[ClaimCheck] = Field(
        default_factory=list, description="Each part of the claim compared with evidence [1]"
    )
    not_checked: list[str] = Field(
        default_factory=list, description="Parts of the claim that no rule or model checked"
    )
    warnings: list[str] = Field(default_factory=list)


class FetchItem(Record):
    """What happened to one language version of one symbol in a fetch."""

    symbol: str
    language: Language
    status: Literal["fetched", "unchanged", "duplicate", "not_published", "failed"] = Field(
        description=(
            "fetched: new or changed bytes stored (and ingested); unchanged: the same bytes were"
            " already stored; duplicate: the same bytes are stored as another document (doc_id),"
            " not stored twice; not_published: the UN has no such version; failed: see error"
        )
    )
    url: str = Field(description="Where the bytes were asked for")
    official_url: str = Field(description="The undocs.org link people cite")
    sha256: str | None = None
    file: str | None = Field(default=None, description="Stored copy, named by its SHA-256")
    doc_id: str | None = Field(
        default=None, description="Document id when ingested; a duplicate's: the stored one"
    )
    ingest: Literal["added", "replaced", "unchanged"] | None = Field(
        default=None, description="What the store did with it; null when not ingested"
    )
    paragraphs: int = 0
    error: str | None = Field(default=None, description="One-line reason (failed, not_published)")
    note: str | None = Field(default=None, description="Why a duplicate was not stored")
    warnings: list[str] = Field(
        default_factory=list, description="Text removed from it, as ingest warns"
    )


class FetchReport(Record):
    """Summary of a fetch run, one item per symbol and language, in order."""

    items: list[FetchItem] = Field(default_factory=list)
    listed: list[LibraryEntry] = Field(
        default_factory=list, description="Digital Library entries found (--session)"
    )
    seconds: float = 0.0

    @property
    def failed(self) -> list[FetchItem]:
        """The items that failed."""
        return [i for i in self.items if i.status == "failed"]

    @property
    def duplicates(self) -> list[FetchItem]:
        """The items not stored because their bytes are stored already under another id."""
        return [i for i in self.items if i.status == "duplicate"]


class FileReport(Record):
    """What happened to one file in an ingest batch."""

    path: str
    status: Literal["added", "replaced", "unchanged", "duplicate", "failed"] = Field(
        description="added, replaced, unchanged (the same version is stored), duplicate (the"
        " same bytes are stored as doc_id; not stored twice) or failed (see error)"
    )
    doc_id: str | None = None
    paragraphs: int = 0
    error: str | None = None
    note: str | None = Field(default=None, description="Why a duplicate was not stored")
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
    def duplicates(self) -> list[FileReport]:
        """The files skipped because their bytes are stored already under another id."""
        return [f for f in self.files if f.status == "duplicate"]

    @property
    def paragraphs(self) -> int:
        """Paragraphs stored by the added and replaced files."""
        return sum(f.paragraphs for f in self.files if f.status in ("added", "replaced"))
