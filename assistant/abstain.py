"""Should the assistant answer, or say that the pledges do not cover the question?

Similarity scores cannot decide this: with the default embedder out-of-scope questions about a
pledge's country score as high as in-scope ones, because "What did Belgium commit to on …" matches
every paragraph of Belgium's pledge. The signal here asks instead whether the *topic* of the
question is present in the evidence:

1. **Country in store.** A question about a country none of whose pledges is stored cannot be
   answered from the store, whatever the retrieved paragraphs say.
2. **Key-term coverage across languages.** The question's topical glossary concepts (death
   penalty, refugees, nuclear disarmament…) are looked for in the top paragraphs in every UN
   language; content words outside the glossary are looked for literally when the evidence is in
   the question's script. Too little coverage means the paragraphs only share the framing.
3. **Ranking agreement** (reported, not decisive): whether the dense and lexical rankings put
   the same paragraph near the top; useful when a question has no checkable term.

4. **Fail closed on what cannot be checked.** A question whose only topic words are outside
   the glossary and written in another script than every retrieved paragraph ("space debris"
   against a Chinese text) abstains, saying which words could not be matched.

An LLM judge, when configured, adds a last check: the model may still answer with the
"cannot answer" sentence, which the chain turns into an abstention; and it decides the
questions of point 4 instead of the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.terms import QuestionTerms, word_occurs
from ingest.countries import country_occurs
from ingest.language import compact, fold, script_of
from vectorstore.records import SearchHit

#: Share of the question's topical terms that the evidence must contain.
MIN_COVERAGE = 0.5
#: How many top paragraphs count as evidence.
EVIDENCE_DEPTH = 10


@dataclass
class AbstainSignal:
    """The decision and what it rests on (kept in traces and eval output)."""

    abstain: bool
    reason: str
    coverage: float | None = None
    covered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unverifiable: list[str] = field(default_factory=list)
    countries_missing: list[str] = field(default_factory=list)
    rank_agreement: bool | None = None
    #: The rule could not check the topic: an LLM judge, when configured, decides instead.
    needs_judge: bool = False


def _evidence_text(hits: Sequence[SearchHit]) -> tuple[str, str]:
    parts = []
    for h in hits:
        parts.append(h.paragraph.text)
        if h.paragraph.lead_in:
            parts.append(h.paragraph.lead_in)
    text = "\n".join(parts)
    return fold(text), compact(text)


def rank_agreement(hits: Sequence[SearchHit], depth: int = 3) -> bool | None:
    """Do the dense and lexical rankings both put one of the top paragraphs near their top?

    None when no hit carries a lexical rank (e.g. a question in another script than the text).
    """
    top = hits[:depth]
    if not any(h.lexical_rank for h in top):
        return None
    return any(
        h.dense_rank is not None
        and h.lexical_rank is not None
        and h.dense_rank <= depth
        and h.lexical_rank <= depth
        for h in top
    )


def assess(
    terms: QuestionTerms,
    hits: Sequence[SearchHit],
    stored_countries: Iterable[str] | None = None,
    countries_complete: bool = True,
) -> AbstainSignal:
    """Decide whether the retrieved paragraphs can support an answer.

    Args:
        terms: The standalone question's countries, concepts and content words.
        hits: Retrieved paragraphs, best first.
        stored_countries: ISO alpha-3 codes of the countries with a stored pledge.
        countries_complete: False when some stored document has no detected country (then a
            missing country is not, on its own, a reason to abstain).
    """
    agreement = rank_agreement(hits)
    if stored_countries is not None and terms.countries:
        stored = set(stored_countries)
        asked = [code for code, _ in terms.countries]
        if not any(code in stored for code in asked) and countries_complete:
            names = [name for code, name in terms.countries if code not in stored]
            return AbstainSignal(
                abstain=True,
                reason=f"no stored pledge from {', '.join(names)}",
                countries_missing=names,
                rank_agreement=agreement,
            )
    if not hits:
        return AbstainSignal(abstain=True, reason="nothing was retrieved", rank_agreement=agreement)

    # Ranked hits up to the depth, plus any unranked ones a concept rescue appended.
    evidence = [h for i, h in enumerate(hits) if i < EVIDENCE_DEPTH or h.score == 0.0]
    folded, compacted = _evidence_text(evidence)
    scripts = {script_of(h.document.language) for h in evidence}
    covered: list[str] = []
    missing: list[str] = []
    unverifiable: list[str] = []
    countries_missing: list[str] = []
    for c in terms.topical:
        (covered if c.occurs_in(folded, compacted) else missing).append(c.id)
    if stored_countries is not None:
        # Other countries named beside a stored one are part of the topic ("Belgium's position
        # on Ukraine"): the evidence must name them too, in any language.
        stored = set(stored_countries)
        for code, name in terms.countries:
            if code not in stored:
                if country_occurs(code, folded, compacted):
                    covered.append(name)
                else:
                    missing.append(name)
                    countries_missing.append(name)
    for w in terms.words:
        if word_occurs(w, folded, compacted):
            covered.append(w)
        elif script_of(terms.language) in scripts:
            missing.append(w)
        else:
            # A word outside the glossary, in another script than every evidence paragraph:
            # nothing can be checked literally, so it neither supports nor refutes.
            unverifiable.append(w)
    total = len(covered) + len(missing)
    if total == 0 and unverifiable:
        # The only topic words are outside the glossary and in another script than every
        # retrieved paragraph: nothing shows the paragraphs are about them. Fail closed (an LLM
        # judge, when configured, gets the final word).
        return AbstainSignal(
            abstain=True,
            reason=(
                f"none of the retrieved paragraphs could be matched to {', '.join(unverifiable)}"
                " (no known translation of these words)"
            ),
            unverifiable=unverifiable,
            rank_agreement=agreement,
            needs_judge=True,
        )
    if total == 0:
        return AbstainSignal(
            abstain=False,
            reason="the question has no topic term to check; answering from the top paragraphs",
            rank_agreement=agreement,
        )
    coverage = len(covered) / total
    concept_ids = {c.id for c in terms.topical}
    missing_concept = any(m in concept_ids for m in missing)
    # Half covered is not enough when what is missing is a glossary topic (the chain has
    # scanned the documents in scope for it): "AI and privacy" is not answered by privacy alone.
    # A country the question is about that no evidence names is decisive on its own.
    abstain = (
        coverage < MIN_COVERAGE
        or (coverage <= MIN_COVERAGE and missing_concept)
        or bool(countries_missing)
    )
    if abstain:
        reason = f"the retrieved paragraphs do not mention {', '.join(missing)}"
    else:
        reason = f"the retrieved paragraphs mention {', '.join(covered)}"
    return AbstainSignal(
        abstain=abstain,
        reason=reason,
        coverage=round(coverage, 3),
        covered=covered,
        missing=missing,
        unverifiable=unverifiable,
        countries_missing=countries_missing,
        rank_agreement=agreement,
    )
