"""LangChain adapters at the edge.

LangChain adapters at the edge: ``Embeddings`` over an embedder, ``BaseRetriever`` over the
hybrid retriever. Imported lazily (LangChain is heavy); nothing else in ``vectorstore`` needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from vectorstore.embedders import Embedder, embed_queries
from vectorstore.records import Filters, SearchHit


class PledgeEmbeddings(Embeddings):
    """LangChain ``Embeddings`` backed by a Pledge Assistant embedder (query/passage roles kept).

    Args:
        embedder: Any :class:`vectorstore.embedders.Embedder`.
    """

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (LangChain ``Embeddings`` API)."""
        return self.embedder.embed_documents(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one query (LangChain ``Embeddings`` API)."""
        return embed_queries(self.embedder, [text])[0].tolist()


def hit_to_document(hit: SearchHit) -> LCDocument:
    """A search hit as a LangChain document: the paragraph text, with ids and scores as metadata."""
    p, d = hit.paragraph, hit.document
    meta: dict[str, Any] = {
        "id": p.id,
        "doc_id": p.doc_id,
        "number": p.number,
        "section": p.section,
        "symbol": d.symbol,
        "country": d.country.code if d.country else None,
        "language": d.language,
        "score": hit.score,
        "dense_rank": hit.dense_rank,
        "lexical_rank": hit.lexical_rank,
    }
    return LCDocument(page_content=p.text, metadata=meta, id=p.id)


class PledgeRetriever(BaseRetriever):
    """LangChain ``BaseRetriever`` over :class:`vectorstore.retrieval.HybridRetriever`.

    ``k`` and ``filters`` set at construction are the defaults; both can be overridden per call,
    e.g. ``retriever.invoke(q, k=1, filters=Filters(country="NOR"))``. LangChain passes call-time
    keyword arguments only to a ``_get_relevant_documents`` that declares them, so they are
    declared here; an unknown keyword raises ``TypeError`` instead of being dropped.

    Attributes:
        retriever: The hybrid retriever.
        k: Paragraphs per query, unless a call passes its own ``k``.
        filters: Filters applied to every query, unless a call passes its own ``filters``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = Field(default=5, ge=1)
    filters: Filters | None = None

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
    ) -> list[LCDocument]:
        n = self.k if k is None else k
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"k must be a whole number of at least 1, got {k!r}")
        if filters is None:
            chosen = self.filters
        elif isinstance(filters, Filters):
            chosen = filters
        else:
            chosen = Filters.model_validate(dict(filters))
        hits = self.retriever.search(query, k=n, filters=chosen)
        return [hit_to_document(h) for h in hits]


def as_langchain(embedder: Embedder) -> PledgeEmbeddings:
    """Wrap an embedder as a LangChain ``Embeddings``."""
    return PledgeEmbeddings(embedder)
