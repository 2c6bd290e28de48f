"""Which glossary concepts a question names in so many words, and which of those matches count.

The glossary (:mod:`vectorstore.glossary`) lists terms in the six UN languages, and its two
matchers read a question in all six whatever the question's language: a French question may well
use the English "ICC", an Italian one the French "ONU". That lets an ordinary word of one
language match another language's term by coincidence: German "war" (was) is the English "war",
Portuguese "foi" (was) the French "foi" (faith), Spanish, French or Italian "un" the English
"UN", Turkish "onu" (him, it) the French "ONU". A concept a question names literally steers
retrieval and decides the answer, so one such coincidence makes the assistant quote the
armed-conflict paragraphs to a German question about Council membership.

So every literal match of a question is read once (:func:`read_literal`), and the same reading is
used by everything that consults the question's literal concepts (query expansion and the
concept order in :mod:`vectorstore.retrieval`, the answer-or-abstain decision, the concept rescue
and the choice of quotes in the answer chain):

* a match **counts at once** when the question may be written in the language of a term that
  matched: py3langid gives that language a probability of at least :data:`OWN_LANGUAGE_SHARE`
  among the 97 it knows (a short or mixed question keeps the benefit of the doubt);
* a match in **another language's wording counts only when the embedder corroborates it**: the
  question's *topic latents* (the sparse head's latents of the question, less those of a pledge
  question's framing and of the store's commonest wording, :mod:`vectorstore.latent`) share at
  least :data:`LATENT_MIN` (cosine) with the latents of the concept's terms. The latents come
  from the model's reading of each word in its sentence and are the same across languages, so
  Italian "religione" or Polish "fundusze" keep their concepts while German "war" in "Wann war
  Belgien …" shares next to nothing with "armed conflict; war". Without a sparse head (another
  embedder) the dense vectors decide: the concept's similarity to the question's topic vector
  must stand at least :data:`SIMILARITY_Z_MIN` standard deviations above the question's mean
  similarity to the glossary's concepts.

No list of words per language is involved: the languages come from the glossary and py3langid,
the corroboration from the embedder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ingest.language import PLAUSIBLE_SHARE, compact, fold
from vectorstore.embedders import PerModel, SparseEmbedder, SparseVector, TextMemo
from vectorstore.glossary import Expansion, Glossary
from vectorstore.records import LiteralMatch, LiteralReading

#: A question may be written in a language py3langid gives at least this probability; a match
#: of that language's terms counts without corroboration.
OWN_LANGUAGE_SHARE = PLAUSIBLE_SHARE
#: Lowest cosine between the question's topic latents and a concept's term latents that lets a
#: match in another language's wording count. Calibrated on the tuning sets' literal matches in
#: another language than the question's (`eval/`, `../shared/eval/`) and on the collisions of
#: `tests/vectorstore/test_literal.py`: function words read as another language's term reached
#: at most 0.036, right matches (cognates, acronyms, names) 0.042 and more, but for three (0.023
#: to 0.030, two of them concepts of weight 0).
LATENT_MIN = 0.04
#: Without a sparse head: how many standard deviations above the question's mean similarity to
#: the glossary's concepts a concept matched in another language must stand.
SIMILARITY_Z_MIN = 0.0

#: Support of each concept id by the embedder (higher: more clearly read in the question).
Support = Callable[[Sequence[str]], dict[str, float]]


def literal_languages(
    glossary: Glossary, query: str, expansion: Expansion | None = None
) -> dict[str, frozenset[str]]:
    """Every concept a query names in the glossary's wording, with the languages that matched.

    Both matchers are read: key-term coverage (:meth:`Glossary.find`) and query expansion
    (``expansion``, the result of :meth:`Glossary.expand` for the same query).
    """
    folded, compacted = fold(query), compact(query)
    out: dict[str, frozenset[str]] = {}
    for concept, _ in glossary.find_views(folded, compacted):
        out[concept.id] = concept.languages_in(folded, compacted)
    if expansion is not None:
        for cid, langs in expansion.languages.items():
            out[cid] = out.get(cid, frozenset()) | langs
    return out


def is_own(languages: frozenset[str], shares: dict[str, float]) -> bool:
    """Whether a query may be written in one of ``languages`` (py3langid's ``shares``)."""
    return any(shares.get(lang, 0.0) >= OWN_LANGUAGE_SHARE for lang in languages)


def read_literal(
    matched: dict[str, frozenset[str]],
    shares: dict[str, float],
    support: Support,
    threshold: float,
) -> LiteralReading:
    """Decide which literal matches of a query count.

    Args:
        matched: :func:`literal_languages` of the query.
        shares: py3langid's probability of each language for the query
            (:func:`ingest.language.language_shares`).
        support: The embedder's support of concepts matched in another language (called once,
            only when there are such matches).
        threshold: The least support that lets such a match count.
    """
    foreign = [cid for cid, langs in matched.items() if not is_own(langs, shares)]
    scores = support(foreign) if foreign else {}
    matches = []
    for cid, langs in matched.items():
        own = cid not in foreign
        score = None if own else scores.get(cid)
        counts = own or (score is not None and score >= threshold)
        rounded = None if score is None else round(score, 6)
        matches.append(LiteralMatch(cid, langs, own, rounded, counts))
    return LiteralReading(tuple(matches))


def similarity_z(
    vector: np.ndarray, topic: np.ndarray, similarities: dict[str, float]
) -> float | None:
    """How far a concept's similarity to a question's topic stands above its usual concept.

    ``(vector · topic − mean) / std`` over the question's ``similarities`` to the glossary's
    concepts; None when there are fewer than two to compare with.
    """
    values = np.fromiter(similarities.values(), dtype=np.float64)
    if len(values) < 2 or float(values.std()) == 0.0:
        return None
    sim = float(np.asarray(vector, dtype=np.float64) @ np.asarray(topic, dtype=np.float64))
    return (sim - float(values.mean())) / float(values.std())


def _embed_sparse(head: SparseEmbedder, texts: list[str]) -> list[SparseVector]:
    return head.embed_sparse(texts)


class ConceptLatents:
    """Latent-term vectors of glossary term lists, computed once per sparse head and kept.

    A concept's latents are the sum of the latents of its term lists (one text per language, the
    texts :class:`vectorstore.retrieval.ConceptVectors` embeds), so a concept is read in the
    words of every language it is stored in. Only the concepts a question matched in another
    language's wording are ever computed: the cache is bounded by concepts x languages.

    Args:
        head: The embedder's sparse head.
    """

    def __init__(self, head: SparseEmbedder) -> None:
        self._memo: TextMemo[SparseVector] = TextMemo(head, _embed_sparse)

    @classmethod
    def of(cls, head: SparseEmbedder) -> ConceptLatents:
        """The shared cache of ``head`` (one per head object)."""
        return _PER_HEAD(head)

    def latents(self, texts: Sequence[str]) -> SparseVector:
        """The summed latents of ``texts`` (sorted indices), computing the ones not seen before."""
        parts = self._memo.get(texts)
        if not parts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        idx = np.concatenate([i for i, _ in parts]).astype(np.int64)
        val = np.concatenate([v for _, v in parts]).astype(np.float64)
        uniq, inverse = np.unique(idx, return_inverse=True)
        summed = np.zeros(len(uniq), dtype=np.float64)
        np.add.at(summed, inverse, val)
        return uniq.astype(np.int32), summed.astype(np.float32)


_PER_HEAD: PerModel[ConceptLatents] = PerModel(ConceptLatents)
