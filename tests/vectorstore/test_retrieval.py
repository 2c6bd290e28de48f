"""Hybrid retrieval over the sample pledge (Chinese), on both store backends."""

from __future__ import annotations

from typing import Any

import pytest

from vectorstore.records import Filters
from vectorstore.retrieval import FusionWeights, HybridRetriever

DEATH_PENALTY = "What did Belgium commit to on the death penalty?"


def numbers(hits: list[Any]) -> list[str]:
    return [h.paragraph.number for h in hits]


def test_death_penalty_question_ranks_paragraph_8_first(backend_sample_store: Any) -> None:
    hits = HybridRetriever(backend_sample_store).search(DEATH_PENALTY, k=5)
    assert numbers(hits)[0] == "8"
    top = hits[0]
    assert top.paragraph.id == "bel-2023-2025.zh:¶8"
    assert "死刑" in top.paragraph.text
    assert top.document.country is not None and top.document.country.code == "BEL"
    assert top.dense_rank is not None and top.lexical_rank is not None
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(
    "question",
    [
        "What did Belgium commit to on the death penalty?",
        "Quels engagements la Belgique a-t-elle pris sur la peine de mort ?",
        "Какие обязательства взяла на себя Бельгия в отношении смертной казни?",
        "ما هي التزامات بلجيكا بشأن عقوبة الإعدام؟",
        "¿Qué compromisos asumió Bélgica sobre la pena de muerte?",
    ],
)
def test_cross_lingual_questions_find_chinese_paragraph_8(sample_store: Any, question: str) -> None:
    assert "8" in numbers(HybridRetriever(sample_store).search(question, k=3))


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        ("Does Belgium extend a standing invitation to special procedures?", "20.5"),
        ("La Belgique soutient-elle la Cour pénale internationale ?", "7"),
        ("Что Бельгия говорит о правах ЛГБТИ?", "15"),
        ("比利时对宗教或信仰自由的立场是什么？", "20.15"),
    ],
)
def test_other_questions_across_languages(sample_store: Any, question: str, gold: str) -> None:
    assert gold in numbers(HybridRetriever(sample_store).search(question, k=3))


def test_expansion_lifts_a_cross_lingual_query(sample_store: Any) -> None:
    question = "Has Belgium ratified the Optional Protocol to the Convention against Torture?"
    plain = HybridRetriever(sample_store, expand=False).rankings(question)
    expanded = HybridRetriever(sample_store).rankings(question)
    assert set(plain) == {"dense", "lexical", "sparse"}
    assert set(expanded) == {"dense", "dense_expanded", "lexical", "sparse"}
    # English words cannot match Chinese text; the glossary's 酷刑 / 任择议定书 can.
    assert plain["lexical"] == []
    lexical = [sample_store.resolve(rid)[0].number for rid, _ in expanded["lexical"][:3]]
    assert "26" in lexical


def test_filters_restrict_hits(backend_sample_store: Any) -> None:
    retriever = HybridRetriever(backend_sample_store)
    assert retriever.search(DEATH_PENALTY, k=3, filters=Filters(language="en")) == []
    assert retriever.search(DEATH_PENALTY, k=3, filters=Filters(country="FRA")) == []
    for f in (
        Filters(country="Belgium"),
        Filters(language="zh", term="2023-2025", doc_id="bel-2023-2025.zh"),
    ):
        hits = retriever.search(DEATH_PENALTY, k=3, filters=f)
        assert numbers(hits)[0] == "8", f


def test_k_and_empty_query(sample_store: Any) -> None:
    retriever = HybridRetriever(sample_store)
    assert len(retriever.search("human rights", k=7)) == 7
    assert retriever.search("   ", k=5) == []
    assert len({h.paragraph.id for h in retriever.search("human rights", k=20)}) == 20


def test_weights_change_the_fusion(sample_store: Any) -> None:
    lexical_only = HybridRetriever(
        sample_store, weights=FusionWeights(dense=0, dense_expanded=0, lexical=1)
    )
    hits = lexical_only.search("比利时在死刑问题上作出了什么承诺？", k=3)
    assert numbers(hits)[0] == "8"
    assert all(h.lexical_rank is not None for h in hits)


def test_langchain_retriever_and_embeddings(sample_store: Any, embedder: Any) -> None:
    from langchain_core.embeddings import Embeddings
    from langchain_core.retrievers import BaseRetriever

    from vectorstore.langchain import as_langchain

    lc = HybridRetriever(sample_store).as_langchain(k=2)
    assert isinstance(lc, BaseRetriever)
    docs = lc.invoke(DEATH_PENALTY)
    assert len(docs) == 2
    assert docs[0].metadata["number"] == "8" and docs[0].metadata["country"] == "BEL"
    assert "死刑" in docs[0].page_content

    emb = as_langchain(embedder)
    assert isinstance(emb, Embeddings)
    vectors = emb.embed_documents(["a", "b"])
    assert len(vectors) == 2 and len(vectors[0]) == embedder.dim
    assert len(emb.embed_query("a")) == embedder.dim


def test_a_warmed_query_embeds_only_the_question(sample_store: Any) -> None:
    """Glossary term lists are embedded once (warm); a question then costs one short query
    embedding, and its expanded ranking still ranks the Chinese paragraph 8 first."""
    from vectorstore.glossary import default_glossary
    from vectorstore.retrieval import ConceptVectors

    class Counting:
        def __init__(self, inner: Any) -> None:
            self.inner, self.name, self.dim = inner, inner.name, inner.dim
            self.calls: list[list[str]] = []

        def embed_documents(self, texts: list[str]) -> Any:
            return self.inner.embed_documents(texts)

        def embed_query(self, text: str) -> Any:
            return self.inner.embed_query(text)

        def embed_queries(self, texts: list[str]) -> Any:
            self.calls.append(list(texts))
            return self.inner.embed_queries(texts)

    from vectorstore.topic import scorer_for

    counting = Counting(sample_store.embedder)
    cache = ConceptVectors.of(counting)
    cached = cache.warm(default_glossary(), ["zh"])
    scorer_for(counting).basis("BEL", "Belgium")  # the framing questions, as a server warms
    assert cached == len(cache) > 10
    assert all(len(batch) <= 16 for batch in counting.calls)
    counting.calls.clear()
    original = sample_store.embedder
    sample_store.embedder = counting
    try:
        retriever = HybridRetriever(sample_store)
        ranks = retriever.rankings(DEATH_PENALTY)
        hits = retriever.search(DEATH_PENALTY, k=3)
    finally:
        sample_store.embedder = original
    assert counting.calls == [[DEATH_PENALTY], [DEATH_PENALTY]]
    assert "dense_expanded" in ranks
    assert sample_store.resolve(ranks["dense_expanded"][0][0])[0].number == "8"
    assert numbers(hits)[0] == "8"
    assert ConceptVectors.of(counting) is cache and len(cache) == cached
