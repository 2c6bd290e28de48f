"""Extractive answers: the most relevant sentences of the top paragraphs, quoted verbatim.

No model writes anything here. Sentences are scored by the question's key terms they contain
(glossary concepts in any language, other content words literally) and by the rank of their
paragraph; the best few become quotes, each with a marker that maps to a citation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.citations import clause_window, sentence_spans
from assistant.terms import QuestionTerms, word_occurs
from ingest.language import compact, fold
from vectorstore.records import SearchHit


@dataclass(frozen=True)
class Extract:
    """One quoted sentence (or clause window) chosen for the answer."""

    hit: SearchHit
    quote: str
    score: float
    concepts: frozenset[str]


def _score_sentence(sentence: str, terms: QuestionTerms) -> tuple[float, frozenset[str], int]:
    folded, compacted = fold(sentence), compact(sentence)
    matched: set[str] = set()
    score = 0.0
    focus = -1
    for c in terms.concepts:
        spans = c.spans(folded, compacted)
        if spans:
            matched.add(c.id)
            score += 1.0 if c.weight > 0 else 0.2
            if focus < 0 and c.weight > 0:
                focus = _orig_offset(sentence, spans[0])
    for w in terms.words:
        if word_occurs(w, folded, compacted):
            matched.add(w)
            score += 0.8
    return score, frozenset(matched), focus


def term_score(text: str, terms: QuestionTerms) -> float:
    """How strongly ``text`` names the question's terms (the sentence score, without rank)."""
    return _score_sentence(text, terms)[0]


def _orig_offset(sentence: str, span: tuple[str, int, int]) -> int:
    """Approximate offset in the original sentence of a span found in a folded/compact view."""
    view, start, _ = span
    if view == "f":
        return min(start, len(sentence) - 1)
    # compact view dropped whitespace: walk the original counting non-space characters.
    seen = 0
    for i, ch in enumerate(sentence):
        if ch.isspace():
            continue
        if seen == start:
            return i
        seen += 1
    return 0


def select_extracts(
    terms: QuestionTerms,
    hits: Sequence[SearchHit],
    max_quotes: int = 3,
    max_paragraphs: int = 10,
) -> list[Extract]:
    """Choose the sentences that answer best, one per paragraph, best first.

    The first quote is the best-scoring sentence among the top paragraphs (when the question has
    no checkable terms, the opening sentence of the top paragraph). Further quotes come from other
    paragraphs and must contain at least one of the question's topical terms.
    """
    candidates: list[Extract] = []
    # Ranked hits up to max_paragraphs, plus unranked ones (score 0) added by a concept rescue.
    pool = [h for i, h in enumerate(hits) if i < max_paragraphs or h.score == 0.0]
    for rank, hit in enumerate(pool):
        text = hit.paragraph.text
        best: Extract | None = None
        for start, end in sentence_spans(text):
            score, matched, focus = _score_sentence(text[start:end], terms)
            if not matched and (end - start < 12 or text[start:end].rstrip().endswith((":", "："))):
                # A bare lead-in ("比利时承诺：") says nothing on its own.
                score -= 1.0
            # Earlier paragraphs are preferred; the retrieval order is the tie-breaker.
            total = score + 0.6 / (rank + 1)
            if best is None or total > best.score:
                s, e = clause_window(text, start, end, start + max(focus, 0))
                best = Extract(hit, text[s:e], total, matched)
        if best is not None:
            candidates.append(best)
    if not candidates:
        return []
    topical = {c.id for c in terms.topical} | set(terms.words)
    ranked = sorted(candidates, key=lambda x: -x.score)
    chosen = [ranked[0]]
    covered = set(ranked[0].concepts)
    for ext in ranked[1:]:
        if len(chosen) >= max_quotes:
            break
        hits_topic = ext.concepts & topical
        if not hits_topic:
            continue
        # A further quote must add something or be nearly as good as the best one.
        if (hits_topic - covered) or ext.score >= 0.8 * chosen[0].score:
            chosen.append(ext)
            covered |= ext.concepts
    return chosen


def quote_stating(
    terms: QuestionTerms, hit: SearchHit, states: Callable[[str], bool]
) -> Extract | None:
    """The best sentence of a paragraph whose quoted words ``states`` accepts.

    For a question asking for a figure: the quote must hold the figure, not only the
    paragraph. A long sentence is narrowed to the clauses around the question's terms when the
    narrowed quote still holds it, else quoted whole.

    Args:
        terms: The question's concepts and content words (they rank the sentences).
        hit: The paragraph.
        states: Whether a piece of the paragraph's text states what is asked.

    Returns:
        The extract, or None when no sentence of the paragraph states it.
    """
    text = hit.paragraph.text
    best: Extract | None = None
    for start, end in sentence_spans(text):
        if not states(text[start:end]):
            continue
        score, matched, focus = _score_sentence(text[start:end], terms)
        s, e = clause_window(text, start, end, start + max(focus, 0))
        if not states(text[s:e]):
            s, e = start, end
        if best is None or score > best.score:
            best = Extract(hit, text[s:e], score, matched)
    return best


def lead_with(extracts: Sequence[Extract], lead: Extract, max_quotes: int = 3) -> list[Extract]:
    """``lead`` first, then the other quotes of ``extracts`` from other paragraphs."""
    rest = [e for e in extracts if e.hit.paragraph.id != lead.hit.paragraph.id]
    return [lead, *rest][:max_quotes]
