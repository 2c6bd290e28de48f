"""LangChain adapters at the edge: ``Embeddings`` over an embedder, ``BaseRetriever`` over the
hybrid retriever. Imported lazily (LangChain is heavy); nothing else in ``vectorstore`` needs it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.types import Filters, SearchHit
from vectorstore.embedders import embed_queries


class PledgeEmbeddings(Embeddings):
    """LangChain ``Embeddings`` backed by a Pledge Assistant embedder (query/passage roles kept).

    Args:
        embedder: Any :class:`vectorstore.embedders.Embedder`.
    """

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
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

    Attributes:
        retriever: The hybrid retriever.
        k: Paragraphs per query.
        filters: Filters applied to every query.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        hits = self.retriever.search(query, k=self.k, filters=self.filters)
        return [hit_to_document(h) for h in hits]
