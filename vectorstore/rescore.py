"""Second stage of ranking: the fused top candidates rescored by concept agreement.

Reciprocal rank fusion (:mod:`vectorstore.retrieval`) keeps only ranks. On questions in
languages and wordings far from the paragraph's (a Korean or Greek question against a Chinese
pledge) the right paragraph is usually among the first fused candidates while a neighbour wins
by a rank or two: the 4-bit multilingual model's cross-lingual cosine is too coarse to separate
them. One signal the fusion does not read separates them better: *concept agreement*, between
the glossary concepts the question is about and those the paragraph names.

* The question's concepts are put in order (:func:`concept_order`): first those it names in
  the glossary's wording (any of the six UN languages), then every other concept by the
  similarity of meaning between the question's topic vector (its framing projected out,
  :mod:`vectorstore.topic`) and the concept's term vectors
  (:func:`vectorstore.retrieval.concept_similarities`); this part needs no word list and reads
  any language the embedder reads.
* A paragraph names concepts literally, in its own language (the glossary's matcher).
* Its agreement (:func:`concept_agreement`) is ``-ln(rank)`` of the best-placed concept it
  names in the question's order, counting only the first :attr:`RescoreWeights.depth`
  places: 0 when it names the question's first concept, ``-ln 2`` for the second …, and
  ``-ln(depth + 1)`` when it names none of them. Ranks rather than raw similarities: one
  question's similarities to the concepts lie within a few hundredths of each other, and their
  spread varies from question to question; only the first places, because further down the
  order by meaning is noise (counting every place rewards paragraphs that name many concepts,
  whatever the question: on the tuning sets, depth 2 keeps recall@5 where depth 100 lost two
  questions of ``tuning_v2.jsonl``).

The first :attr:`RescoreWeights.pool` fused candidates are reordered by
``fused_weight * fused * rrf_k + concept_weight * agreement``, a listwise logistic model whose
two weights are fitted on the tuning questions (``eval/fit_rescore.py``, cross-validated by
question) and kept in ``vectorstore/rescore.json``. Candidates outside the pool keep their fused
order below it. Applied as a non-negative bonus in fused-score units
(:meth:`RescoreWeights.bonus`), the rescoring keeps every ranked hit's score positive and the
scores of a result list descending.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.errors import ConfigError
from vectorstore.datafile import read_json

#: The weights shipped with the package (written by ``eval/fit_rescore.py``).
DEFAULT_RESCORE = Path(__file__).with_name("rescore.json")


class RescoreWeights(BaseModel):
    """The fitted weights of the rescoring stage (``vectorstore/rescore.json``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pool: int = Field(ge=1, le=200, description="How many fused candidates are rescored")
    fused: float = Field(gt=0, description="Weight of the fused RRF score (times rrf_k)")
    concept: float = Field(ge=0, description="Weight of the concept agreement")
    depth: int = Field(ge=1, le=1000, description="Places of the question's concept order counted")
    fitted: str = Field(default="", description="How and on what the weights were fitted")

    def bonus(self, agreement: float, rrf_k: float) -> float:
        """What a candidate's concept agreement adds to its fused score (never negative).

        ``w_f * fused * rrf_k + w_c * agreement`` orders the pool as
        ``fused + w_c / (w_f * rrf_k) * (agreement + ln(depth + 1))`` does; the constant
        shift makes the bonus non-negative, so no rescored score falls below a candidate
        outside the pool.

        Args:
            agreement: :func:`concept_agreement` of the candidate (with this ``depth``).
            rrf_k: The fusion's RRF constant.
        """
        return self.concept / (self.fused * rrf_k) * (agreement + math.log(self.depth + 1))


def concept_order(similarities: dict[str, float], literal: Iterable[str]) -> dict[str, int]:
    """The rank of each concept for a question: those it names first, then by meaning.

    Args:
        similarities: The question's topic similarity to every glossary concept.
        literal: Concepts the question names in the glossary's wording.

    Returns:
        ``{concept: rank}``: 1 for every concept the question names (and for the nearest by
        meaning when it names none), then 1 + the number of concepts placed before it (equal
        similarities share a rank).
    """
    named = {c for c in literal if c in similarities}
    rest = sorted((c for c in similarities if c not in named), key=lambda c: -similarities[c])
    order = dict.fromkeys(named, 1)
    first = len(named) + 1 if named else 1
    rank, previous = first, None
    for i, c in enumerate(rest):
        if previous is None or similarities[c] < previous:
            rank = first + i
        order[c] = rank
        previous = similarities[c]
    return order


def concept_agreement(named: Iterable[str], order: dict[str, int], depth: int) -> float:
    """``-ln`` of the best rank, in a question's concept order, of a concept a paragraph names.

    Args:
        named: Glossary concepts the paragraph names in its own language.
        order: :func:`concept_order` of the question.
        depth: How many places of the order count.

    Returns:
        0.0 for the question's first concept, ``-ln(rank)`` for a rank up to ``depth``,
        ``-ln(depth + 1)`` when the paragraph names none of those.
    """
    ranks = [order[c] for c in named if c in order]
    return -math.log(min([*ranks, depth + 1]))


def load_rescore(path: Path | str | None = None) -> RescoreWeights:
    """Read a rescoring weights file (the bundled one by default).

    Raises:
        ConfigError: The file is missing, is not JSON, or a weight is missing or out of range
            (one line naming the file and the field).
    """
    p = Path(path) if path else DEFAULT_RESCORE
    expected = "expected a JSON object with 'pool', 'fused', 'concept' and 'depth'"
    data = read_json(p, expected)
    try:
        return RescoreWeights.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "(top level)"
        raise ConfigError(f"{p}: {expected}; {where}: {first['msg']}") from e


@lru_cache(maxsize=1)
def default_rescore() -> RescoreWeights:
    """The bundled weights, read and checked once per process."""
    return load_rescore()
