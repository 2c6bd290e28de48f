"""Records of retrieval: the filters a search takes and the hits it returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field

from ingest.records import Document, Language, Paragraph, Record

#: Longest filter value. The longest country name (CLDR, any language), a UN symbol, a term and
#: a document id are all well under it; a longer value can only be a mistake or an attack, and
#: it would be matched against every country name and sent to the store as it is.
MAX_FILTER_CHARS = 200


class Filters(Record):
    """Restrict retrieval; every field is optional and they combine with AND."""

    country: str | None = Field(
        default=None,
        max_length=MAX_FILTER_CHARS,
        description="ISO alpha-3 code (or a country name)",
    )
    language: Language | None = None
    term: str | None = Field(default=None, max_length=MAX_FILTER_CHARS)
    symbol: str | None = Field(default=None, max_length=MAX_FILTER_CHARS)
    doc_id: str | None = Field(default=None, max_length=MAX_FILTER_CHARS)

    def is_empty(self) -> bool:
        """True when no field restricts anything."""
        return not any(self.model_dump().values())


class SearchHit(Record):
    """A retrieved paragraph with the document it belongs to."""

    paragraph: Paragraph
    document: Document
    score: float = Field(description="Fused relevance score; higher is better")
    dense_rank: int | None = Field(default=None, description="1-based rank in the dense list")
    lexical_rank: int | None = Field(default=None, description="1-based rank in the lexical list")
    topic_score: float | None = Field(
        default=None,
        description=(
            "Cosine of the question's topic (framing projected out) and the paragraph relative"
            " to its document's centroid; None when not computed"
        ),
    )
    concept: str | None = Field(
        default=None,
        description="The glossary concept named by the paragraph that is nearest the question",
    )
    concept_score: float | None = Field(
        default=None,
        description="Cosine of the question's topic and that concept's terms (any language)",
    )
    latent_score: float | None = Field(
        default=None,
        description=(
            "Cosine of the question's and the paragraph's latent terms (the embedder's sparse"
            " head) once the latents of a pledge question's framing and of the store's"
            " commonest wording are removed; None when the store has no latent terms"
        ),
    )


@dataclass(frozen=True)
class LiteralMatch:
    """A glossary concept a query names in the glossary's wording, and whether that counts.

    Attributes:
        concept: The concept's id.
        languages: The glossary languages whose terms matched.
        own: Whether the query may be written in one of those languages (then it counts).
        support: For a match in another language than the query's: how strongly the embedder
            reads the concept in the query (:mod:`vectorstore.literal`); None for an own match.
        counts: Whether the match counts as the query naming the concept.
    """

    concept: str
    languages: frozenset[str]
    own: bool
    support: float | None
    counts: bool


@dataclass(frozen=True)
class LiteralReading:
    """Every literal glossary match of one query, read once for every step that uses them.

    Retrieval (expansion, concept order) and the answer chain (the decision, the concept rescue,
    the quotes) see the same concepts: those in :attr:`counted`.
    """

    matches: tuple[LiteralMatch, ...] = ()

    @property
    def counted(self) -> frozenset[str]:
        """Concepts the query names literally, the matches that count."""
        return frozenset(m.concept for m in self.matches if m.counts)

    @property
    def unconfirmed(self) -> frozenset[str]:
        """Concepts matched only in another language's wording that the embedder did not read."""
        return frozenset(m.concept for m in self.matches if not m.counts)


@dataclass
class QueryReading:
    """What a search computed from the query's text, for a caller that reads the query again.

    Filled by :meth:`vectorstore.retrieval.HybridRetriever.search` when passed one: the answer
    chain reads what the question asks for from the same vector, without a second embedding.

    Attributes:
        vector: The query's dense vector (query role, unit length).
        latents: The query's latent terms (indices and weights), None when not computed.
        literal: The glossary concepts the query names literally and which of them count,
            None when the retriever has no glossary.
    """

    vector: np.ndarray | None = None
    latents: tuple[np.ndarray, np.ndarray] | None = None
    literal: LiteralReading | None = None
