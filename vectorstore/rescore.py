"""Second stage of ranking: the fused top candidates rescored by concept agreement.

Reciprocal rank fusion (:mod:`vectorstore.retrieval`) keeps only ranks. On questions in
languages and wordings far from the paragraph's (a Korean or Greek question against a Chinese
pledge) the right paragraph is usually among the first few fused candidates while a neighbour
wins by a rank or two: the 4-bit multilingual model's cross-lingual cosine is too coarse to
separate them. One signal the fusion does not read separates them better: *concept agreement*.
The question's topic vector (its framing projected out, :mod:`vectorstore.topic`) is compared by
meaning with every glossary concept (:func:`vectorstore.retrieval.concept_similarities`, in any
language the embedder reads), and each candidate paragraph names some concepts literally in its
own language. A paragraph's agreement is how close the best concept it names comes to the
question's nearest concept overall::

    agreement = max(sim(q, c) for c named by the paragraph) - max(sim(q, c) for every c)

0 when the paragraph names the question's nearest concept, negative otherwise, and
:attr:`RescoreWeights.no_concept` (also the floor) when it names none. The first
:attr:`RescoreWeights.pool` fused candidates are reordered by
``fused * rrf_k * fused_weight + concept_weight * agreement``, a listwise logistic model whose
two weights are fitted on the tuning questions (``eval/fit_rescore.py``, cross-validated by
question) and kept in ``vectorstore/rescore.json``. Candidates outside the pool keep their
fused order below it.

Applied as a non-negative bonus in fused-score units (:meth:`RescoreWeights.bonus`), the
rescoring keeps every ranked hit's score positive and the scores of a result list descending.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.errors import ConfigError

#: The weights shipped with the package (written by ``eval/fit_rescore.py``).
DEFAULT_RESCORE = Path(__file__).with_name("rescore.json")


class RescoreWeights(BaseModel):
    """The fitted weights of the rescoring stage (``vectorstore/rescore.json``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pool: int = Field(ge=1, le=200, description="How many fused candidates are rescored")
    fused: float = Field(gt=0, description="Weight of the fused RRF score (times rrf_k)")
    concept: float = Field(ge=0, description="Weight of the concept agreement")
    no_concept: float = Field(
        ge=-1, le=0, description="Agreement of a paragraph naming no concept (and the floor)"
    )
    fitted: str = Field(default="", description="How and on what the weights were fitted")

    def bonus(self, agreement: float, rrf_k: float) -> float:
        """What a candidate's concept agreement adds to its fused score (never negative).

        ``fused * rrf_k * w_f + w_c * agreement`` orders the pool as
        ``fused + w_c / (w_f * rrf_k) * (agreement - no_concept)`` does; the constant shift
        makes the bonus non-negative, so no rescored score falls below a candidate outside
        the pool.
        """
        floor = self.no_concept
        return self.concept / (self.fused * rrf_k) * (max(agreement, floor) - floor)


def concept_agreement(
    named: Iterable[str], similarities: dict[str, float], no_concept: float
) -> float:
    """How close the best concept a paragraph names is to the question's nearest concept.

    Args:
        named: Glossary concepts the paragraph names in its own language.
        similarities: The question's topic similarity to every glossary concept.
        no_concept: The value when the paragraph names none of them (also the floor).

    Returns:
        ``max`` similarity over the named concepts minus the ``max`` over all concepts
        (at most 0), never below ``no_concept``.
    """
    sims = [similarities[c] for c in named if c in similarities]
    if not sims or not similarities:
        return no_concept
    return max(max(sims) - max(similarities.values()), no_concept)


def load_rescore(path: Path | str | None = None) -> RescoreWeights:
    """Read a rescoring weights file (the bundled one by default).

    Raises:
        ConfigError: The file is missing, is not JSON, or a weight is missing or out of range
            (one line naming the file and the field).
    """
    p = Path(path) if path else DEFAULT_RESCORE
    expected = "expected a JSON object with 'pool', 'fused', 'concept', 'no_concept'"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"{p}: {expected}: {e}") from e
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
