"""Hybrid retrieval: dense (Chroma), latent-terms and lexical (BM25) rankings fused by RRF.

For one query the retriever runs up to five rankings, all under the same filters:

* dense, the query as asked (e5 ``query:`` role);
* dense, the query's vector moved towards the glossary concepts it mentions: the mean of the
  vectors of each concept's terms in the languages of the stored documents is added to the
  query vector (see :mod:`vectorstore.glossary`). Those term vectors depend on the glossary
  alone, so they are embedded once per process (:class:`ConceptVectors`) and a query costs one
  short embedding, not a second, long one with the terms appended;
* lexical, BM25 over the query's terms plus the expansion terms;
* sparse ("latent terms"): the embedder's sparse head gives the query a few dozen weighted
  latents of a sparse autoencoder over the multilingual model's token states; paragraphs sharing
  them score by dot product (:mod:`vectorstore.sparse`). Like dense retrieval it needs no word
  list and reads any language the model reads, but it rewards the specific things a paragraph
  names rather than its overall direction, which is where the two disagree and fusion gains;
* topic: the candidates of the rankings above, ordered by their topic score
  (:mod:`vectorstore.topic`): the question's vector with the framing of a pledge question
  ("What did Belgium commit to …") projected out, against each paragraph relative to its
  document's centroid. It needs no list of terms, so it ranks questions in languages and
  wordings the glossary does not know, and costs no search of its own (vectors come from the
  store's mirror).

Each returned hit carries a *topic score* (:meth:`vectorstore.topic.TopicScorer.scores`): how
much the paragraph, relative to its document, is about the question's topic. The assistant's
answer-or-abstain decision reads it.

Each ranking contributes ``weight / (rrf_k + rank)`` to a paragraph's fused score (reciprocal
rank fusion: robust to the very different score scales of cosine and BM25). The first fused
candidates are then rescored by *concept agreement* (:mod:`vectorstore.rescore`): whether a
paragraph names, in its own language, the glossary concept nearest the question's topic by
meaning, with two weights fitted on tuning questions (``vectorstore/rescore.json``).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ingest.language import compact, fold, language_shares
from ingest.records import Paragraph
from vectorstore.embedders import (
    MAX_EMBED_CHARS,
    Embedder,
    PerModel,
    SparseVector,
    embed_queries,
    normalize,
)
from vectorstore.glossary import Concept, Expansion, Glossary, default_glossary
from vectorstore.langchain import PledgeRetriever
from vectorstore.latent import COMMON_SHARE, FramingLatents, overlap, topic_latents
from vectorstore.lexical import tokenize
from vectorstore.literal import (
    LATENT_MIN,
    SIMILARITY_Z_MIN,
    ConceptLatents,
    literal_languages,
    read_literal,
    similarity_z,
)
from vectorstore.records import Filters, LiteralReading, QueryReading, SearchHit
from vectorstore.rescore import (
    RescoreWeights,
    concept_agreement,
    concept_order,
    default_rescore,
)
from vectorstore.store import PledgeStore
from vectorstore.topic import scorer_for


@dataclass(frozen=True)
class FusionWeights:
    """Weights of each ranking in reciprocal rank fusion.

    Attributes:
        dense: The query as asked.
        dense_expanded: The query with glossary terms appended (only when a concept matched).
        dense_topic: The candidates ordered by topic score (the query's vector with its framing
            projected out, against paragraphs relative to their document).
        lexical: BM25 over query and expansion terms.
        sparse: The embedder's sparse "latent terms" (off when the embedder has no sparse
            head).
        rrf_k: The RRF constant; larger flattens the difference between ranks.
    """

    dense: float = 1.0
    dense_expanded: float = 1.0
    dense_topic: float = 0.0
    lexical: float = 1.0
    sparse: float = 0.5
    rrf_k: float = 60.0


#: Paragraphs the lexical index proposes to a concept rescue (each is then confirmed).
RESCUE_CANDIDATES = 100

#: The retrieval steps ``pledges eval --ablation`` measures, each adding one part.
ABLATION: dict[str, dict[str, Any]] = {
    "dense": {"expand": False, "weights": FusionWeights(lexical=0.0, sparse=0.0), "rescore": False},
    "dense+bm25": {"expand": False, "weights": FusionWeights(sparse=0.0), "rescore": False},
    "dense+glossary (wording only)": {
        "weights": FusionWeights(lexical=0.0, sparse=0.0),
        "semantic": False,
        "rescore": False,
    },
    "dense+bm25+glossary (wording only)": {
        "weights": FusionWeights(sparse=0.0),
        "semantic": False,
        "rescore": False,
    },
    "dense+bm25+glossary (wording and meaning)": {
        "weights": FusionWeights(sparse=0.0),
        "rescore": False,
    },
    "... + latent terms (sparse)": {"rescore": False},
    "... + concept-agreement rescoring": {},
    "... + topic ranking": {"weights": FusionWeights(dense_topic=1.0)},
}


class ConceptVectors:
    """Query-role vectors of glossary term lists, embedded once and kept.

    A concept's terms in one language ("死刑; 废除死刑; 暂停执行死刑") form one text; its vector
    is computed on first use (or by :meth:`warm`) and reused by every later query. The texts come
    from the glossary, so the cache is bounded by concepts x languages.

    Args:
        embedder: The store's embedder.
    """

    def __init__(self, embedder: Embedder) -> None:
        # Weak: the cache is the value of a weak-keyed map whose key is this embedder.
        self._embedder = weakref.ref(embedder)
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, embedder: Embedder) -> ConceptVectors:
        """The shared cache of ``embedder`` (one per embedder object)."""
        return _PER_EMBEDDER(embedder)

    def vectors(self, texts: list[str]) -> np.ndarray:
        """The vectors of ``texts``, embedding the ones not seen before in one call."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            embedder = self._embedder()
            if embedder is None:  # pragma: no cover - callers hold the embedder
                raise RuntimeError("the embedder of this cache is gone")
            fresh = embed_queries(embedder, missing)
            with self._lock:
                self._vectors.update(zip(missing, fresh, strict=True))
        with self._lock:
            return np.vstack([self._vectors[t] for t in texts])

    def __len__(self) -> int:
        return len(self._vectors)

    def warm(self, glossary: Glossary, languages: Iterable[str]) -> int:
        """Embed every concept's terms now.

        Embed every concept's terms in ``languages`` and English (which meaning-based concept
        matching always reads) now; returns how many texts are cached.
        """
        wanted = {"en", *languages}
        texts = [
            text
            for concept in glossary.expansion
            for lang, terms in concept.expansion_terms.items()
            if lang in wanted and (text := term_text(terms, glossary.max_terms))
        ]
        for i in range(0, len(texts), 16):
            self.vectors(texts[i : i + 16])
        return len(self)


_PER_EMBEDDER: PerModel[ConceptVectors] = PerModel(ConceptVectors)


def term_text(terms: Iterable[str], max_terms: int) -> str:
    """The text embedded for one concept in one language: its first terms joined."""
    return "; ".join(list(terms)[:max_terms])


def concept_texts(concept: Concept, languages: Iterable[str], max_terms: int) -> list[str]:
    """The texts that stand for a concept: its term lists in English and ``languages``."""
    langs = list(dict.fromkeys(["en", *languages]))
    return [
        t for lang in langs if (t := term_text(concept.expansion_terms.get(lang, ()), max_terms))
    ]


def expanded_vector(
    query_vector: np.ndarray,
    expansion: Expansion,
    glossary: Glossary,
    languages: list[str],
    cache: ConceptVectors,
) -> np.ndarray | None:
    """The query vector moved towards the matched concepts.

    ``query_vector`` plus the mean vector of the matched concepts' terms in ``languages``
    (each concept weighs the same whatever its number of languages), normalized; None when no
    matched concept has terms in those languages.
    """
    matched = set(expansion.concepts)
    per_concept: list[list[str]] = []
    for concept in glossary.expansion:
        if concept.id not in matched:
            continue
        texts = [
            text
            for lang in languages
            if (text := term_text(concept.expansion_terms.get(lang, ()), glossary.max_terms))
        ]
        if texts:
            per_concept.append(texts)
    if not per_concept:
        return None
    flat = cache.vectors([t for texts in per_concept for t in texts])
    means, i = [], 0
    for texts in per_concept:
        means.append(flat[i : i + len(texts)].mean(axis=0))
        i += len(texts)
    combined = np.asarray(query_vector, dtype=np.float32) + np.mean(means, axis=0)
    return normalize(np.atleast_2d(combined))[0]


#: A glossary concept is matched by meaning when the question's topic vector is at least this
#: close to the concept's term vectors …
SEMANTIC_MIN_SIMILARITY = 0.15
#: … and closer by this margin than to any other concept (one clear topic, not a guess).
SEMANTIC_MARGIN = 0.04


def concept_similarities(
    topic_vector: np.ndarray,
    glossary: Glossary,
    languages: list[str],
    cache: ConceptVectors,
) -> dict[str, float]:
    """Cosine between a question's topic vector and every glossary concept.

    Each concept is represented by the mean vector of its term lists in English and the stored
    languages (embedded once, :class:`ConceptVectors`).
    """
    ids: list[str] = []
    texts: list[list[str]] = []
    for concept in glossary.expansion:
        ts = concept_texts(concept, languages, glossary.max_terms)
        if ts:
            ids.append(concept.id)
            texts.append(ts)
    if not ids:
        return {}
    flat = cache.vectors([t for ts in texts for t in ts])
    means, i = [], 0
    for ts in texts:
        means.append(flat[i : i + len(ts)].mean(axis=0))
        i += len(ts)
    sims = normalize(np.vstack(means)) @ np.asarray(topic_vector, dtype=np.float32)
    return {cid: float(x) for cid, x in zip(ids, sims, strict=True)}


def semantic_concepts(similarities: dict[str, float]) -> list[str]:
    """The glossary concept a question is about by meaning.

    The glossary concept a question is about by meaning, whatever its language or wording:
    the nearest concept (:func:`concept_similarities`) when it is close enough and clearly
    nearer than the runner-up, so a question in Swahili about "adhabu ya kifo" reaches the
    death-penalty concept without any Swahili term in the glossary.
    """
    if len(similarities) < 2:
        return []
    (best_id, best), (_, second) = sorted(similarities.items(), key=lambda x: -x[1])[:2]
    if best >= SEMANTIC_MIN_SIMILARITY and best - second >= SEMANTIC_MARGIN:
        return [best_id]
    return []


#: How many top hits get the glossary concept they name nearest the question.
CONCEPT_DEPTH = 5


class _Ranked(NamedTuple):
    """One query's rankings and what was computed on the way (reused by :meth:`search`)."""

    rankings: dict[str, list[tuple[str, float]]]
    vector: np.ndarray
    similarities: dict[str, float]
    latents: SparseVector | None
    #: The country whose framing is projected out (:meth:`HybridRetriever._framing_country`).
    framing: tuple[str | None, str | None]
    #: Glossary concepts the query names in the glossary's wording (not those found by meaning),
    #: the matches that count (:mod:`vectorstore.literal`).
    literal: tuple[str, ...]
    #: Every literal match of the query and whether it counts.
    reading: LiteralReading


@dataclass
class _Fused:
    """Fused scores of one query and the per-ranking facts its hits carry."""

    score: dict[str, float]
    best_dense: dict[str, float]
    dense_rank: dict[str, int]
    lexical_rank: dict[str, int]


class HybridRetriever:
    """Search a :class:`PledgeStore` with dense and lexical rankings fused.

    Args:
        store: The store to search.
        weights: Fusion weights.
        glossary: Query-expansion glossary (the bundled one by default); ``expand=False``
            switches expansion off.
        expand: Whether to expand queries with the glossary.
        semantic: Whether glossary concepts are also matched by meaning
            (:func:`semantic_concepts`), not only by their wording.
        candidates: How many results each ranking contributes before fusion.
        rescore: Whether the fused top candidates are rescored by concept agreement
            (:mod:`vectorstore.rescore`; needs the glossary and ``semantic``).
        rescore_weights: The rescoring weights (the bundled ``vectorstore/rescore.json`` by
            default).
    """

    def __init__(
        self,
        store: PledgeStore,
        weights: FusionWeights | None = None,
        glossary: Glossary | None = None,
        expand: bool = True,
        candidates: int = 50,
        semantic: bool = True,
        rescore: bool = True,
        rescore_weights: RescoreWeights | None = None,
    ) -> None:
        self.store = store
        self.rescore = rescore
        self.rescore_weights = rescore_weights or default_rescore()
        self.weights = weights or FusionWeights()
        self.expand = expand
        if glossary is None and expand:
            glossary = default_glossary()
        self.glossary = glossary
        self.candidates = candidates
        self.semantic = semantic
        if self.glossary is None and semantic:
            self.glossary = default_glossary()
        self._named: dict[str, tuple[str, ...]] = {}

    def rankings(
        self, query: str, filters: Filters | None = None
    ) -> dict[str, list[tuple[str, float]]]:
        """Each ranking of a query, by name.

        Each ranking by name (``dense``, ``dense_expanded``, ``dense_topic``, ``lexical``,
        ``sparse``) as
        ``(record_id, score)`` lists, best first. Exposed for evaluation and debugging.
        """
        return self._rankings(query, filters)[0]

    def _paragraph_concepts(self, rid: str, paragraph: Paragraph) -> tuple[str, ...]:
        """Glossary concepts a paragraph names (in its own language), memoized per record."""
        cached = self._named.get(rid)
        if cached is None:
            assert self.glossary is not None
            cached = tuple(self.glossary.expand(paragraph.text_with_lead_in).concepts)
            if len(self._named) > 200_000:
                self._named.clear()
            self._named[rid] = cached
        return cached

    def _framing_country(self, conditions: dict[str, str]) -> tuple[str | None, str | None]:
        """The country whose framing is projected out of the query for concept matching.

        The filter's country, else the only stored country, else none (generic framing).
        """
        wanted = conditions.get("country")
        countries = self.store.catalog().countries  # indexed once per store version
        if wanted is None and len(countries) == 1:
            return next(iter(countries.items()))
        if wanted is not None and wanted in countries:
            return wanted, countries[wanted]
        return None, None

    def _rankings(
        self, query: str, filters: Filters | None = None
    ) -> tuple[dict[str, list[tuple[str, float]]], np.ndarray, dict[str, float]]:
        ranked = self._ranked(query, filters)
        return ranked.rankings, ranked.vector, ranked.similarities

    def _literal_reading(
        self,
        query: str,
        matched: Expansion,
        topic: np.ndarray,
        similarities: dict[str, float],
        latents: SparseVector | None,
        framing: tuple[str | None, str | None],
    ) -> LiteralReading:
        """Which of the query's literal glossary matches count (:mod:`vectorstore.literal`)."""
        assert self.glossary is not None
        glossary = self.glossary
        found = literal_languages(glossary, query, matched)
        if not found:
            return LiteralReading()
        languages = self.store.languages()
        head = self.store.sparse_embedder

        def texts(cid: str) -> list[str]:
            return concept_texts(glossary.concept(cid), languages, glossary.max_terms)

        if latents is not None and head is not None:
            topic_terms = self._latent_topic(latents, framing)
            cache = ConceptLatents.of(head)

            def by_latents(ids: Sequence[str]) -> dict[str, float]:
                return {
                    cid: overlap(topic_terms, cache.latents(ts))
                    for cid in ids
                    if (ts := texts(cid))
                }

            return read_literal(found, language_shares(query), by_latents, LATENT_MIN)
        vectors = ConceptVectors.of(self.store.embedder)
        if not similarities:
            similarities = concept_similarities(topic, glossary, languages, vectors)

        def by_similarity(ids: Sequence[str]) -> dict[str, float]:
            out: dict[str, float] = {}
            for cid in ids:
                ts = texts(cid)
                if not ts:
                    continue
                mean = normalize(np.atleast_2d(vectors.vectors(ts).mean(axis=0)))[0]
                z = similarity_z(mean, topic, similarities)
                if z is not None:
                    out[cid] = z
            return out

        return read_literal(found, language_shares(query), by_similarity, SIMILARITY_Z_MIN)

    def _ranked(self, query: str, filters: Filters | None = None) -> _Ranked:
        conditions = self.store.resolve_filters(filters)
        expansion = self.glossary.expand(query) if (self.expand and self.glossary) else None
        matched = expansion
        if matched is None and self.glossary is not None:
            matched = self.glossary.expand(query)
        vectors = embed_queries(self.store.embedder, [query])
        query_vector = vectors[0]
        names = ["dense"]
        languages = self.store.languages()
        cache = ConceptVectors.of(self.store.embedder)
        similarities: dict[str, float] = {}
        code, name = self._framing_country(conditions)
        head = self.store.sparse_embedder
        index = self.store.sparse
        latents: SparseVector | None = None
        # No query pass when nothing stored has latent-terms vectors (a store written before).
        if head is not None and index is not None and len(index):
            # The query's latents, computed once, text capped like the dense query's: a ranking
            # of their own, the reading of literal glossary matches and the latent-term overlap
            # the answer-or-abstain decision reads.
            latents = head.embed_sparse([query[:MAX_EMBED_CHARS]])[0]
        reading = LiteralReading()
        literal: tuple[str, ...] = ()
        if self.glossary is not None and matched is not None:
            topic_vector = scorer_for(self.store.embedder).topic_vector(query_vector, code, name)
            if self.semantic:
                similarities = concept_similarities(topic_vector, self.glossary, languages, cache)
            reading = self._literal_reading(
                query, matched, topic_vector, similarities, latents, (code, name)
            )
            unconfirmed = reading.unconfirmed
            if expansion is not None and unconfirmed:
                expansion = expansion.without(unconfirmed, self.glossary)
            if expansion is not None or self.rescore:
                literal = tuple(c for c in matched.concepts if c not in unconfirmed)
        if self.expand and self.glossary and self.semantic and expansion is not None:
            for cid in semantic_concepts(similarities):
                if cid not in expansion.concepts:
                    expansion.add(self.glossary.concept(cid), self.glossary.max_terms)
        if expansion and self.glossary:
            moved = expanded_vector(query_vector, expansion, self.glossary, languages, cache)
            if moved is not None:
                vectors = np.vstack([vectors, moved])
                names.append("dense_expanded")
        n = max(self.candidates, 1)
        dense = self.store.dense_search(vectors, n, conditions)
        out: dict[str, list[tuple[str, float]]] = dict(zip(names, dense, strict=True))
        tokens = tokenize(query)
        if expansion:
            for lang, terms in expansion.terms.items():
                for term in terms:
                    tokens.extend(tokenize(term, lang))
        out["lexical"] = self.store.lexical_search(tokens, n, conditions)
        if latents is not None and self.weights.sparse > 0:
            out["sparse"] = self.store.sparse_search(latents, n, conditions)
        if self.weights.dense_topic > 0:
            pool = list(dict.fromkeys(rid for items in out.values() for rid, _ in items))
            topic = scorer_for(self.store.embedder).scores(self.store, query_vector, pool)
            out["dense_topic"] = sorted(topic.items(), key=lambda x: (-x[1], x[0]))[:n]
        return _Ranked(out, query_vector, similarities, latents, (code, name), literal, reading)

    def _latent_topic(
        self, latents: SparseVector, framing: tuple[str | None, str | None]
    ) -> SparseVector:
        """The query's topic latents: framing and the store's commonest wording removed."""
        head = self.store.sparse_embedder
        assert head is not None
        code, name = framing
        removed = np.union1d(
            FramingLatents.of(head).indices(code, name),
            self.store.frequent_latents(COMMON_SHARE),
        )
        return topic_latents(latents, removed)

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        reading: QueryReading | None = None,
    ) -> list[SearchHit]:
        """The ``k`` best paragraphs for ``query``, best first.

        Args:
            query: A question or keywords in any of the six UN languages.
            k: Number of hits.
            filters: Country, language, term, symbol or doc_id restrictions (AND).
            reading: Filled with the query's vector and latents, when given.
        """
        if not query.strip() or k <= 0:
            return []
        with self.store.reading():  # one version of the store for the whole search
            return self._search(query, k, filters, reading)

    def _fuse(self, ranks: dict[str, list[tuple[str, float]]]) -> _Fused:
        """Reciprocal rank fusion of ``ranks``, with the per-ranking facts hits carry."""
        w = self.weights
        weight = {
            "dense": w.dense,
            "dense_expanded": w.dense_expanded,
            "dense_topic": w.dense_topic,
            "lexical": w.lexical,
            "sparse": w.sparse,
        }
        fused = _Fused({}, {}, {}, {})
        for name, items in ranks.items():
            for rank, (rid, score) in enumerate(items, start=1):
                fused.score[rid] = fused.score.get(rid, 0.0) + weight[name] / (w.rrf_k + rank)
                if name.startswith("dense"):
                    fused.best_dense[rid] = max(fused.best_dense.get(rid, -1.0), score)
                    if name == "dense":
                        fused.dense_rank[rid] = rank
                elif name == "lexical":  # BM25 only: rank agreement reads it
                    fused.lexical_rank[rid] = rank
        return fused

    def _order(self, fused: _Fused) -> list[str]:
        score, best = fused.score, fused.best_dense
        return sorted(score, key=lambda r: (-score[r], -best.get(r, -1.0), r))

    def _agreements(self, rids: list[str], order: dict[str, int]) -> dict[str, float]:
        """Concept agreement (:func:`vectorstore.rescore.concept_agreement`) of each paragraph."""
        out: dict[str, float] = {}
        for rid in rids:
            resolved = self.store.resolve(rid)
            if resolved is None:
                continue
            named = self._paragraph_concepts(rid, resolved[0])
            out[rid] = concept_agreement(named, order, self.rescore_weights.depth)
        return out

    def rescoring_features(
        self, query: str, filters: Filters | None = None
    ) -> list[tuple[str, float, float]]:
        """What the rescoring stage reads for the fused top candidates, in fused order.

        ``(record_id, fused score times rrf_k, concept agreement)`` for the first
        :attr:`RescoreWeights.pool` fused candidates, before any rescoring (``eval/
        fit_rescore.py`` fits the weights on them). Empty when no glossary concept could be
        compared with the question.
        """
        with self.store.reading():
            ranked = self._ranked(query, filters)
            if not ranked.similarities or self.glossary is None:
                return []
            fused = self._fuse(ranked.rankings)
            pool = self._order(fused)[: self.rescore_weights.pool]
            agreement = self._agreements(pool, concept_order(ranked.similarities, ranked.literal))
            k = self.weights.rrf_k
            return [(rid, fused.score[rid] * k, agreement[rid]) for rid in pool if rid in agreement]

    def _search(
        self, query: str, k: int, filters: Filters | None, reading: QueryReading | None = None
    ) -> list[SearchHit]:
        ranked = self._ranked(query, filters)
        if reading is not None:
            reading.vector, reading.latents = ranked.vector, ranked.latents
            reading.literal = ranked.reading if self.glossary is not None else None
        ranks, query_vector, similarities = ranked.rankings, ranked.vector, ranked.similarities
        fused = self._fuse(ranks)
        order = self._order(fused)
        if self.rescore and similarities and self.glossary is not None:
            weights = self.rescore_weights
            concepts = concept_order(similarities, ranked.literal)
            for rid, agreement in self._agreements(order[: weights.pool], concepts).items():
                fused.score[rid] += weights.bonus(agreement, self.weights.rrf_k)
            order = self._order(fused)
        dense_rank, lexical_rank = fused.dense_rank, fused.lexical_rank
        hits: list[SearchHit] = []
        rids: list[str] = []
        for rid in order:
            resolved = self.store.resolve(rid)
            if resolved is None:  # replaced or deleted since the rankings were taken
                continue
            paragraph, document = resolved
            hits.append(
                SearchHit(
                    paragraph=paragraph,
                    document=document,
                    score=round(fused.score[rid], 6),
                    dense_rank=dense_rank.get(rid),
                    lexical_rank=lexical_rank.get(rid),
                )
            )
            rids.append(rid)
            if len(hits) >= k:
                break
        if hits:
            topic = dict(ranks.get("dense_topic", ()))
            missing = [rid for rid in rids if rid not in topic]
            if missing:
                scorer = scorer_for(self.store.embedder)
                topic.update(scorer.scores(self.store, query_vector, missing))
            for i, (hit, rid) in enumerate(zip(hits, rids, strict=True)):
                if rid in topic:
                    hit.topic_score = round(topic[rid], 6)
                # Finding the concepts a paragraph names costs a few milliseconds the first
                # time (then memoized): only the top hits are read.
                if similarities and i < CONCEPT_DEPTH:
                    named = [
                        c for c in self._paragraph_concepts(rid, hit.paragraph) if c in similarities
                    ]
                    if named:
                        best = max(named, key=lambda c: similarities[c])
                        hit.concept = best
                        hit.concept_score = round(similarities[best], 6)
            if ranked.latents is not None:
                topic_terms = self._latent_topic(ranked.latents, ranked.framing)
                overlaps = self.store.latent_overlaps(topic_terms, rids)
                for hit, rid in zip(hits, rids, strict=True):
                    if rid in overlaps:
                        hit.latent_score = round(overlaps[rid], 6)
        return hits

    def rescue(
        self,
        concepts: Sequence[Concept],
        filters: Filters | None,
        exclude: set[str],
        limit: int = 3,
    ) -> list[SearchHit]:
        """Paragraphs under ``filters`` that name glossary ``concepts`` (the concept rescue).

        Dense and lexical ranking can both miss a paragraph that plainly names a topic in
        another language (a Spanish question, a Chinese text): the ranked search is driven by
        the question's own words. When the answer chain finds a topic of the question missing
        from the ranked hits, it asks here: the lexical index is searched for the concepts'
        wording in every UN language, under the same filters, and each candidate is confirmed
        by the concepts' coverage matcher; the ones that name the most concepts come first.

        Args:
            concepts: The glossary concepts to look for.
            filters: The filters the ranked search ran under.
            exclude: Paragraph ids already retrieved.
            limit: How many paragraphs to return at most.
        """
        if not concepts:
            return []
        with self.store.reading():
            return self._rescue(concepts, filters, exclude, limit)

    def _rescue(
        self, concepts: Sequence[Concept], filters: Filters | None, exclude: set[str], limit: int
    ) -> list[SearchHit]:
        tokens = [
            token
            for c in concepts
            for lang, variants in c.variants.items()
            for variant in variants
            for token in tokenize(variant.replace("*", ""), lang)
        ]
        conditions = self.store.resolve_filters(filters)
        found: list[tuple[int, SearchHit]] = []
        for rid, _ in self.store.lexical_search(tokens, RESCUE_CANDIDATES, conditions):
            resolved = self.store.resolve(rid)
            if resolved is None or resolved[0].id in exclude:
                continue
            para, doc = resolved
            text = para.text_with_lead_in
            folded, compacted = fold(text), compact(text)
            n = sum(c.occurs_in(folded, compacted) for c in concepts)
            if n:
                found.append((n, SearchHit(paragraph=para, document=doc, score=0.0)))
        found.sort(key=lambda x: -x[0])
        return [h for _, h in found[:limit]]

    def as_langchain(self, k: int = 5, filters: Filters | None = None) -> PledgeRetriever:
        """This retriever as a LangChain ``BaseRetriever``."""
        return PledgeRetriever(retriever=self, k=k, filters=filters)
