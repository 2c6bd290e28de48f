"""Should the assistant answer, or say that the pledges do not cover the question?

Raw similarity cannot decide this: with the default embedder out-of-scope questions about a
pledge's country score as high as in-scope ones, because "What did Belgium commit to on …" matches
every paragraph of Belgium's pledge. The decision asks instead whether the *topic* of the question
is in the evidence, with two kinds of evidence:

1. **Country in store.** A question about a country none of whose pledges is stored cannot be
   answered from the store, whatever the retrieved paragraphs say; another country named as the
   topic ("Belgium's position on Ukraine") must be named by the evidence, in any UN language.
2. **Literal glossary evidence**, where the question names a glossary concept in one of the
   UN languages (death penalty, refugees, nuclear disarmament…): the concept is looked for in
   the evidence in every UN language. A concept missing from the evidence (after the chain has
   scanned the documents in scope for it) is a decisive "not covered"; concepts present answer.
3. **Semantic evidence**, for every other question (any language the embedder reads, any
   wording). The question's vector with the framing of a pledge question projected out (its
   *topic*, :mod:`vectorstore.topic`) is compared with the glossary concepts that each retrieved
   paragraph names in its own language: a paragraph that names "死刑" is about the death penalty,
   and "adhabu ya kifo" (Swahili) is close in meaning to that concept's terms. The best such
   similarity must reach :data:`CONCEPT_THRESHOLD`. A question that only shares the framing, or
   whose topic no paragraph names, stays below it. When no paragraph names a glossary concept,
   the topic score of the paragraphs themselves (the topic against each paragraph relative to
   its document's centroid) decides, with :data:`TOPIC_THRESHOLD`.

4. **Latent-term evidence**, when the store holds the embedder's sparse "latent terms"
   (:mod:`vectorstore.sparse`): the question's latents, with those of a pledge question's framing
   and of the store's commonest wording removed, are compared with each retrieved paragraph's.
   The latents are the same whatever the language, so a paragraph sharing the question's topic
   latents is about its topic; a question about tourism shares none with a pledge that never
   mentions it, even when its words land near some glossary concept by chance. A high overlap
   (:data:`LATENT_ALONE`) answers on its own; a lower one (:data:`LATENT_SUPPORT`) must back
   the concept and topic rules (rule 3), which no longer answer alone. A glossary concept
   literally found in the evidence (rule 2) needs no such backing.

Rules 5 and 6 (:mod:`assistant.answertype`) then check, on a question these rules answer, the
kind of answer: numbers the question states, and a figure or date it asks for.

An LLM judge, when configured, gets the last word on questions the semantic score rejected
(``needs_judge``): the model may answer or reply with the "cannot answer" sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.terms import QuestionTerms, word_occurs
from ingest.countries import country_occurs
from ingest.language import compact, fold, script_of
from vectorstore.records import SearchHit

#: Share of the question's glossary concepts that the evidence must contain.
MIN_COVERAGE = 0.5
#: How many top paragraphs count as evidence.
EVIDENCE_DEPTH = 10
#: How many top paragraphs the topic score is read from.
TOPIC_DEPTH = EVIDENCE_DEPTH
#: Lowest similarity between the question's topic and a glossary concept that a retrieved
#: paragraph names which answers a question no glossary wording decides. Calibrated on the
#: tuning questions this rule decides (dev.jsonl, dev2.jsonl and the test suite's): out-of-scope
#: ones reach at most 0.158, in-scope ones at least 0.176.
CONCEPT_THRESHOLD = 0.167
#: When no retrieved paragraph names any glossary concept (or the glossary is off), the lowest
#: best topic score that answers (out-of-scope questions reach 0.22 on the tuning questions, so
#: this alone is a weaker rule).
TOPIC_THRESHOLD = 0.25
#: Latent-term overlap (:attr:`SearchHit.latent_score`) that answers on its own, whatever the
#: other rules say (short of a decisive "not covered": a country or a glossary topic missing).
#: Calibrated with the one below on dev.jsonl, dev2.jsonl and eval/decision_tuning.jsonl (113
#: questions, 83 in scope): the other rules alone answered 0.976 of the in-scope ones and
#: abstained on 0.867 of the others; with these, 0.976 and 0.967 (the same figures for
#: LATENT_SUPPORT anywhere in 0.055-0.065).
LATENT_ALONE = 0.10
#: Lowest overlap that lets the concept or topic rule's "about the topic" stand.
LATENT_SUPPORT = 0.06


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
    #: Best topic score among the top paragraphs (None when no hit carries one).
    topic_score: float | None = None
    #: Paragraph number with that score.
    topic_paragraph: str | None = None
    #: Highest similarity between the question's topic and a concept a top paragraph names.
    concept_score: float | None = None
    #: That concept and the paragraph naming it.
    concept: str | None = None
    concept_paragraph: str | None = None
    #: Highest latent-term overlap among the evidence (None when the store has none).
    latent_score: float | None = None
    #: Paragraph number with that overlap.
    latent_paragraph: str | None = None
    #: The rule could not check the topic: an LLM judge, when configured, decides instead.
    needs_judge: bool = False
    #: The question's figure score (:mod:`vectorstore.asktype`; above 0 it asks for a quantity
    #: or a date), None when not read.
    figure_score: float | None = None
    #: Set when the answer-type rules (:mod:`assistant.answertype`) abstained:
    #: ``number_not_stated`` or ``figure_not_stated``.
    answer_type: str | None = None
    #: Numbers the question states that no evidence paragraph states (as written).
    numbers_missing: list[str] = field(default_factory=list)
    #: Paragraph numbers on the topic: those stating no figure or date (``figure_not_stated``)
    #: or none of the question's numbers (``number_not_stated``).
    mentioned: list[str] = field(default_factory=list)
    #: What a figure question asks for (``amount``, ``date`` or ``figure``), None when rule 6
    #: did not apply; a language model's answer is checked against it too.
    asks: str | None = None


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
    semantic: bool = False,
) -> AbstainSignal:
    """Decide whether the retrieved paragraphs can support an answer.

    Args:
        terms: The standalone question's countries, concepts and content words.
        hits: Retrieved paragraphs, best first.
        stored_countries: ISO alpha-3 codes of the countries with a stored pledge.
        countries_complete: False when some stored document has no detected country (then a
            missing country is not, on its own, a reason to abstain).
        semantic: Decide by meaning (rules 2 and 3 of the module docstring) from the topic and
            concept scores the hits carry. Those scores were computed for the question the hits
            were retrieved for: a caller checking other text against the same hits (a claim, a
            sentence of an answer) leaves this off and gets the literal rule alone (glossary
            concepts and words, failing closed on words it cannot check).
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
    # The concepts' own lists: a content word spelled like a concept id ("lgbti" left over
    # beside the LGBTI concept) must not stand for the concept.
    concepts = _ConceptCoverage([], [])
    for c in terms.topical:
        found = c.occurs_in(folded, compacted)
        (covered if found else missing).append(c.id)
        (concepts.covered if found else concepts.missing).append(c.id)
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
            # nothing can be checked literally (the semantic rule lets its scores speak for it).
            unverifiable.append(w)
    if not semantic:
        return _literal(concepts, covered, missing, unverifiable, countries_missing, agreement)
    return _with_latents(
        _semantic(concepts, hits, covered, missing, unverifiable, countries_missing, agreement),
        evidence,
    )


@dataclass(frozen=True)
class _ConceptCoverage:
    """The question's topical glossary concepts the evidence names, and those it does not."""

    covered: list[str]
    missing: list[str]


def _semantic(
    concepts: _ConceptCoverage,
    hits: Sequence[SearchHit],
    covered: list[str],
    missing: list[str],
    unverifiable: list[str],
    countries_missing: list[str],
    agreement: bool | None,
) -> AbstainSignal:
    """Rules 1-3 of the module docstring (country, literal glossary, concept and topic)."""
    best = _best_topic(hits)
    topic_score, topic_paragraph = best if best else (None, None)
    named = _best_concept(hits)
    concept_score, concept, concept_paragraph = named if named else (None, None, None)
    common = {
        "concept_score": concept_score,
        "concept": concept,
        "concept_paragraph": concept_paragraph,
        "covered": covered,
        "missing": missing,
        "unverifiable": unverifiable,
        "countries_missing": countries_missing,
        "rank_agreement": agreement,
        "topic_score": topic_score,
        "topic_paragraph": topic_paragraph,
    }
    if countries_missing:
        return AbstainSignal(
            abstain=True,
            reason=f"the retrieved paragraphs do not mention {', '.join(countries_missing)}",
            **common,  # type: ignore[arg-type]
        )
    concepts_covered, concepts_missing = concepts.covered, concepts.missing
    semantic = topic_score is not None
    if concepts_covered or concepts_missing:
        coverage = len(concepts_covered) / (len(concepts_covered) + len(concepts_missing))
        # Half covered is not enough when what is missing is a glossary topic (the chain has
        # scanned the documents in scope for it): "AI and privacy" is not answered by privacy.
        if coverage < MIN_COVERAGE or (coverage <= MIN_COVERAGE and concepts_missing):
            return AbstainSignal(
                abstain=True,
                reason=f"the retrieved paragraphs do not mention {', '.join(concepts_missing)}",
                coverage=round(coverage, 3),
                **common,  # type: ignore[arg-type]
            )
        return AbstainSignal(
            abstain=False,
            reason=f"the retrieved paragraphs mention {', '.join(covered)}",
            coverage=round(coverage, 3),
            **common,  # type: ignore[arg-type]
        )
    if not covered and not missing and not unverifiable:
        return AbstainSignal(
            abstain=False,
            reason="the question has no topic term to check; answering from the top paragraphs",
            **common,  # type: ignore[arg-type]
        )
    if not semantic:
        # No topic score (vectors unavailable): the literal rule alone, failing closed on words
        # it cannot check.
        total = len(covered) + len(missing)
        coverage = len(covered) / total if total else 0.0
        abstain = coverage < MIN_COVERAGE
        reason = (
            f"the retrieved paragraphs mention {', '.join(covered)}"
            if not abstain
            else f"none of the retrieved paragraphs could be matched to"
            f" {', '.join([*missing, *unverifiable])}"
        )
        return AbstainSignal(
            abstain=abstain,
            reason=reason,
            coverage=round(coverage, 3),
            needs_judge=abstain,
            **common,  # type: ignore[arg-type]
        )
    if concept_score is not None:
        if concept_score >= CONCEPT_THRESHOLD:
            return AbstainSignal(
                abstain=False,
                reason=(
                    f"paragraph {concept_paragraph} names {concept}, close in meaning to the"
                    f" question's topic ({concept_score:.3f})"
                ),
                **common,  # type: ignore[arg-type]
            )
        return AbstainSignal(
            abstain=True,
            reason=(
                f"no retrieved paragraph is about {', '.join([*missing, *unverifiable] or covered)}"
                f" (the nearest topic a paragraph names, {concept}, scores {concept_score:.3f},"
                f" below {CONCEPT_THRESHOLD:.3f})"
            ),
            needs_judge=True,
            **common,  # type: ignore[arg-type]
        )
    if topic_score >= TOPIC_THRESHOLD:  # type: ignore[operator]
        return AbstainSignal(
            abstain=False,
            reason=(
                f"paragraph {topic_paragraph} is about the question's topic"
                f" (topic score {topic_score:.3f})"
            ),
            **common,  # type: ignore[arg-type]
        )
    return AbstainSignal(
        abstain=True,
        reason=(
            f"no retrieved paragraph is about {', '.join([*missing, *unverifiable] or covered)}"
            f" (best topic score {topic_score:.3f}, below {TOPIC_THRESHOLD:.3f})"
        ),
        needs_judge=True,
        **common,  # type: ignore[arg-type]
    )


def _best_concept(hits: Sequence[SearchHit]) -> tuple[float, str, str] | None:
    """The nearest glossary concept named by the top paragraphs.

    Among the top paragraphs, the glossary concept one names that is nearest the question's
    topic: (similarity, concept id, paragraph number).
    """
    scored = [
        (h.concept_score, h.concept, h.paragraph.number)
        for h in hits[:TOPIC_DEPTH]
        if h.concept_score is not None and h.concept
    ]
    return max(scored, key=lambda x: x[0]) if scored else None  # type: ignore[return-value]


def _literal(
    concepts: _ConceptCoverage,
    covered: list[str],
    missing: list[str],
    unverifiable: list[str],
    countries_missing: list[str],
    agreement: bool | None,
) -> AbstainSignal:
    """The literal rule of the answer-or-abstain decision.

    The literal rule: glossary concepts and content words must be in the evidence; words that
    cannot be checked (outside the glossary, in another script) fail closed.
    """
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
    missing_concept = bool(concepts.missing)
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


def accepts(terms: QuestionTerms, hit: SearchHit) -> bool:
    """Would the topic rules take this one paragraph as being about the question's topic?

    The rules above, read on one paragraph: it names one of the question's glossary concepts or
    content words (rule 2, with its lead-in), names a concept close in meaning to the question's
    topic (:data:`CONCEPT_THRESHOLD`), has a topic score of :data:`TOPIC_THRESHOLD`, or shares
    enough of the question's latent terms to answer on its own (:data:`LATENT_ALONE`).

    Args:
        terms: The standalone question's concepts and content words.
        hit: A retrieved paragraph with the scores retrieval gave it for that question.
    """
    folded, compacted = _evidence_text([hit])
    if any(c.occurs_in(folded, compacted) for c in terms.topical):
        return True
    if any(word_occurs(w, folded, compacted) for w in terms.words):
        return True
    return (
        (hit.concept_score is not None and hit.concept_score >= CONCEPT_THRESHOLD)
        or (hit.topic_score is not None and hit.topic_score >= TOPIC_THRESHOLD)
        or (hit.latent_score is not None and hit.latent_score >= LATENT_ALONE)
    )


def on_topic(terms: QuestionTerms, hits: Sequence[SearchHit], limit: int) -> list[SearchHit]:
    """The first ``limit`` paragraphs of the evidence that :func:`accepts` takes, best first.

    The evidence is what the decision reads: the top :data:`EVIDENCE_DEPTH` paragraphs and any
    a concept rescue appended.
    """
    evidence = [h for i, h in enumerate(hits) if i < EVIDENCE_DEPTH or h.score == 0.0]
    return [h for h in evidence if accepts(terms, h)][:limit]


def _best_topic(hits: Sequence[SearchHit]) -> tuple[float, str] | None:
    """The highest topic score among the top paragraphs and that paragraph's number."""
    scored = [
        (h.topic_score, h.paragraph.number) for h in hits[:TOPIC_DEPTH] if h.topic_score is not None
    ]
    return max(scored, key=lambda x: x[0]) if scored else None


def _with_latents(signal: AbstainSignal, evidence: Sequence[SearchHit]) -> AbstainSignal:
    """Rule 4 of the module docstring: latent-term overlap confirms or overrides ``signal``.

    Decisive "not covered" findings (a country, or a glossary topic the chain looked for, absent
    from the evidence) stand. Otherwise a high overlap answers, and the other rules' "answer"
    stands only with enough overlap behind it. Without latent scores ``signal`` is unchanged.
    """
    scored = [(h.latent_score, h.paragraph.number) for h in evidence if h.latent_score is not None]
    if not scored:
        return signal
    score, number = max(scored, key=lambda x: x[0])
    signal.latent_score, signal.latent_paragraph = score, number
    decisive = bool(signal.countries_missing) or (
        signal.abstain and signal.coverage is not None and not signal.needs_judge
    )
    if decisive or not (signal.covered or signal.missing or signal.unverifiable):
        # Decided, or nothing to check ("What did Belgium commit to?" answers from the top).
        return signal
    if score >= LATENT_ALONE:
        if signal.abstain:
            signal.abstain, signal.needs_judge = False, False
            signal.reason = (
                f"paragraph {number} shares the question's topic terms (latent overlap {score:.3f})"
            )
        return signal
    if signal.abstain or signal.coverage is not None:
        # Abstaining already, or answering on a glossary concept found literally.
        return signal
    need = LATENT_SUPPORT
    if score >= need:
        return signal
    topic = ", ".join([*signal.missing, *signal.unverifiable] or signal.covered) or "its topic"
    signal.abstain, signal.needs_judge = True, True
    signal.reason = (
        f"no retrieved paragraph is about {topic}: {signal.reason}, but no paragraph shares the"
        f" question's topic terms (best latent overlap {score:.3f}, paragraph {number},"
        f" below {need:.3f})"
    )
    return signal
