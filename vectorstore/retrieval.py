"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank.

For one query the retriever runs up to three rankings, all under the same filters:

* dense, the query as asked (e5 ``query:`` role);
* dense, the query followed by the glossary's terms for the concepts it mentions, in the
  languages of the stored documents (see :mod:`vectorstore.expansion`);
* lexical, BM25 over the query's terms plus the expansion terms.

Each ranking contributes ``weight / (rrf_k + rank)`` to a paragraph's fused score (reciprocal
rank fusion: robust to the very different score scales of cosine and BM25).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.types import Filters, SearchHit
from vectorstore.embedders import embed_queries
from vectorstore.expansion import Glossary, default_glossary
from vectorstore.lexical import tokenize
from vectorstore.store import PledgeStore


@dataclass(frozen=True)
class FusionWeights:
    """Weights of each ranking in reciprocal rank fusion.

    Attributes:
        dense: The query as asked.
        dense_expanded: The query with glossary terms appended (only when a concept matched).
        lexical: BM25 over query and expansion terms.
        rrf_k: The RRF constant; larger flattens the difference between ranks.
    """

    dense: float = 1.0
    dense_expanded: float = 1.0
    lexical: float = 1.0
    rrf_k: float = 60.0


#: The retrieval steps ``pledges eval --ablation`` measures, each adding one part.
ABLATION: dict[str, dict[str, Any]] = {
    "dense": {"expand": False, "weights": FusionWeights(lexical=0.0)},
    "dense+bm25": {"expand": False},
    "dense+glossary": {"weights": FusionWeights(lexical=0.0)},
    "dense+bm25+glossary": {},
}


class HybridRetriever:
    """Search a :class:`PledgeStore` with dense and lexical rankings fused.

    Args:
        store: The store to search.
        weights: Fusion weights.
        glossary: Query-expansion glossary (the bundled one by default); ``expand=False``
            switches expansion off.
        expand: Whether to expand queries with the glossary.
        candidates: How many results each ranking contributes before fusion.
    """

    def __init__(
        self,
        store: PledgeStore,
        weights: FusionWeights | None = None,
        glossary: Glossary | None = None,
        expand: bool = True,
        candidates: int = 50,
    ) -> None:
        self.store = store
        self.weights = weights or FusionWeights()
        self.expand = expand
        if glossary is None and expand:
            glossary = default_glossary()
        self.glossary = glossary
        self.candidates = candidates

    def rankings(
        self, query: str, filters: Filters | None = None
    ) -> dict[str, list[tuple[str, float]]]:
        """Each ranking by name (``dense``, ``dense_expanded``, ``lexical``) as
        ``(record_id, score)`` lists, best first. Exposed for evaluation and debugging."""
        conditions = self.store.resolve_filters(filters)
        expansion = self.glossary.expand(query) if (self.expand and self.glossary) else None
        languages = sorted({d.language for d in self.store.documents() if d.language})
        texts = [query]
        if expansion:
            texts.append(f"{query} {expansion.text(languages)}")
        vectors = embed_queries(self.store.embedder, texts)
        n = max(self.candidates, 1)
        dense = self.store.dense_search(vectors, n, conditions)
        out: dict[str, list[tuple[str, float]]] = {"dense": dense[0]}
        if expansion:
            out["dense_expanded"] = dense[1]
        tokens = tokenize(query)
        if expansion:
            for lang, terms in expansion.terms.items():
                for term in terms:
                    tokens.extend(tokenize(term, lang))
        out["lexical"] = self.store.lexical_search(tokens, n, conditions)
        return out

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[SearchHit]:
        """The ``k`` best paragraphs for ``query``, best first.

        Args:
            query: A question or keywords in any of the six UN languages.
            k: Number of hits.
            filters: Country, language, term, symbol or doc_id restrictions (AND).
        """
        if not query.strip() or k <= 0:
            return []
        ranks = self.rankings(query, filters)
        w = self.weights
        weight = {"dense": w.dense, "dense_expanded": w.dense_expanded, "lexical": w.lexical}
        fused: dict[str, float] = {}
        best_dense: dict[str, float] = {}
        dense_rank: dict[str, int] = {}
        lexical_rank: dict[str, int] = {}
        for name, items in ranks.items():
            for rank, (rid, score) in enumerate(items, start=1):
                fused[rid] = fused.get(rid, 0.0) + weight[name] / (w.rrf_k + rank)
                if name.startswith("dense"):
                    best_dense[rid] = max(best_dense.get(rid, -1.0), score)
                    if name == "dense":
                        dense_rank[rid] = rank
                else:
                    lexical_rank[rid] = rank
        order = sorted(fused, key=lambda r: (-fused[r], -best_dense.get(r, -1.0), r))
        hits: list[SearchHit] = []
        for rid in order:
            resolved = self.store.resolve(rid)
            if resolved is None:  # replaced or deleted since the rankings were taken
                continue
            paragraph, document = resolved
            hits.append(
                SearchHit(
                    paragraph=paragraph,
                    document=document,
                    score=round(fused[rid], 6),
                    dense_rank=dense_rank.get(rid),
                    lexical_rank=lexical_rank.get(rid),
                )
            )
            if len(hits) >= k:
                break
        return hits

    def as_langchain(self, k: int = 5, filters: Filters | None = None) -> Any:
        """This retriever as a LangChain ``BaseRetriever``."""
        from vectorstore.langchain import PledgeRetriever

        return PledgeRetriever(retriever=self, k=k, filters=filters)
