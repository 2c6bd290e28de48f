"""How much a paragraph is about the *topic* of a question, in any language the embedder reads.

A raw cosine between a question and a paragraph mostly measures what every question and every
paragraph of a pledge share: "What did Belgium commit to on …" matches each paragraph of
Belgium's pledge about as well as the topic does, so out-of-scope questions score as high as
in-scope ones. Two shared parts are removed from the vectors before they are compared:

* **the question's framing**: the subspace spanned by a few framing questions ("What did
  Belgium commit to?", "比利时作出了什么承诺？" …, in the six UN languages, with the country of
  the document in each language) is projected out of the question's vector. The embedder maps
  framing in other languages (Swahili, Hindi, Dutch…) near the same subspace, so no per-language
  list of framing words is needed;
* **what a document's paragraphs share** (its country, its language, the vocabulary of pledges):
  each paragraph vector is taken relative to the centroid of its document's vectors.

The cosine of the two rests is the *topic score* of a paragraph. It costs no embedding at query
time beyond the question's own: the framing vectors are embedded once per country and cached,
the centroids are computed from the store's vector mirror once per document version.
"""

from __future__ import annotations

import threading
import weakref
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pycountry

from ingest.countries import LOCALES, translator
from vectorstore.embedders import Embedder, PerModel, embed_queries, normalize

if TYPE_CHECKING:
    from vectorstore.store import PledgeStore

#: Framing questions per UN language; ``{country}`` is the document's country in that language.
FRAMING_TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": ("What did {country} commit to?", "What does {country} say?"),
    "fr": ("Quels engagements a pris {country} ?",),
    "es": ("¿Qué prometió {country}?",),
    "zh": ("{country}作出了什么承诺？",),
    "ru": ("Что обещала {country}?",),
    "ar": ("بماذا تعهدت {country}؟",),
}
#: The same questions when no country is known.
GENERIC_COUNTRY: dict[str, str] = {
    "en": "the country",
    "fr": "le pays",
    "es": "el país",
    "zh": "该国",
    "ru": "страна",
    "ar": "الدولة",
}
#: Dimensions of the framing subspace removed from a question (the leading singular vectors).
FRAMING_RANK = 3


@lru_cache(maxsize=512)
def country_names(code: str | None, english: str | None = None) -> dict[str, str]:
    """The country's short name in each UN language (pycountry's translations).

    The generic "the country" wording when ``code`` is None or unknown.
    """
    if not code:
        return dict(GENERIC_COUNTRY)
    c = pycountry.countries.get(alpha_3=code.upper())
    if c is None:
        return dict(GENERIC_COUNTRY) if not english else {lang: english for lang in GENERIC_COUNTRY}
    base = getattr(c, "common_name", None) or c.name
    out = {"en": english or base}
    for lang in LOCALES:
        tr = translator(lang)  # None: a locale missing from this pycountry build
        out[lang] = tr.gettext(c.name) if tr is not None else out["en"]
    return out


def framing_texts(code: str | None, english: str | None = None) -> list[str]:
    """The framing questions for a country (see :data:`FRAMING_TEMPLATES`)."""
    names = country_names(code, english)
    return [t.format(country=names[lang]) for lang, ts in FRAMING_TEMPLATES.items() for t in ts]


class TopicScorer:
    """Framing bases per country and document centroids, cached per embedder and store.

    Args:
        embedder: The store's embedder (framing questions are embedded with it, query role).
        rank: Dimensions of the framing subspace.
    """

    def __init__(self, embedder: Embedder, rank: int = FRAMING_RANK) -> None:
        # Weak: the scorer is the value of a weak-keyed map whose key is this embedder.
        self._embedder = weakref.ref(embedder)
        self.rank = rank
        self._bases: dict[str | None, np.ndarray] = {}
        self._lock = threading.Lock()

    def basis(self, code: str | None, english: str | None = None) -> np.ndarray:
        """Orthonormal rows spanning the framing of questions about ``code``'s pledges."""
        with self._lock:
            cached = self._bases.get(code)
        if cached is not None:
            return cached
        embedder = self._embedder()
        if embedder is None:  # pragma: no cover - callers hold the embedder
            raise RuntimeError("the embedder of this scorer is gone")
        vectors = embed_queries(embedder, framing_texts(code, english))
        _, _, vt = np.linalg.svd(vectors.astype(np.float64), full_matrices=False)
        basis = vt[: self.rank].astype(np.float32)
        with self._lock:
            if len(self._bases) > 4096:  # bounded by the countries stored; never grows past
                self._bases.clear()
            self._bases[code] = basis
        return basis

    def topic_vector(
        self, query_vector: np.ndarray, code: str | None, english: str | None = None
    ) -> np.ndarray:
        """The question's vector with its framing projected out, normalized."""
        q = np.asarray(query_vector, dtype=np.float32)
        b = self.basis(code, english)
        return normalize(q - b.T @ (b @ q))

    def scores(
        self,
        store: PledgeStore,
        query_vector: np.ndarray,
        record_ids: list[str],
    ) -> dict[str, float]:
        """Topic score of each record.

        Topic score of each record: cosine between the question without its framing (for
        the record's document's country) and the paragraph relative to its document's centroid.
        Records whose vector is not in the store's mirror get no score.
        """
        out: dict[str, float] = {}
        rows = store.mirror.vectors(record_ids)
        topic_by_country: dict[str | None, np.ndarray] = {}
        for rid in record_ids:
            vec = rows.get(rid)
            resolved = store.resolve(rid)
            if vec is None or resolved is None:
                continue
            _, doc = resolved
            centroid = store.mirror.centroid(doc.doc_id)
            if centroid is None:
                continue
            code = doc.country.code if doc.country else None
            if code not in topic_by_country:
                english = doc.country.name if doc.country else None
                topic_by_country[code] = self.topic_vector(query_vector, code, english)
            rel = normalize(vec - centroid)
            out[rid] = float(rel @ topic_by_country[code])
        return out


_SCORERS: PerModel[TopicScorer] = PerModel(TopicScorer)


def scorer_for(embedder: Embedder) -> TopicScorer:
    """The shared :class:`TopicScorer` of an embedder object."""
    return _SCORERS(embedder)
