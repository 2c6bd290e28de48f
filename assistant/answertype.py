"""Can the evidence answer the KIND of thing a question asks for?

The other rules of the decision (:mod:`assistant.abstain`) ask whether a retrieved paragraph is
about the question's topic. A near-miss question passes them: "How much money will Belgium give
the UN human rights office each year?" is about a topic the pledge names (it pledges political
and financial support), but the pledge states no amount, and a journalist needs to hear "the
pledges do not state this", not a quote that reads like an answer. Two rules check the kind of
answer, after the topic rules have decided to answer:

5. **Numbers the question states must be in the evidence.** A year, number or percentage in the
   question (digits of any script, full-width digits, Chinese numerals with a measure word, as
   :func:`assistant.factcheck.quantities` reads them) that none of the paragraphs the answer
   would rest on (those it would quote and the top :data:`PREMISE_DEPTH`), their lead-ins or
   their documents' metadata (term, session, date, symbol) contains is a premise the pledges
   do not state ("Did Belgium chair the Council in 2031?"). A year inside a range the evidence
   states ("2016 至 2018") counts as stated. References are not premises: a number glued to a
   symbol ("60/251", "COVID-19"), an article or paragraph number, or a retrieved paragraph's
   own number.
6. **A question that asks for a quantity or a date needs evidence stating one.** Whether it asks
   is read from the embedder's query space, not from words (:mod:`vectorstore.asktype`: a
   direction learned from prototype question pairs, reused from the query vector retrieval
   computed). When it asks and none of the paragraphs the answer would cite states a quantity
   or a date (a year, range, count or ordinal outside a title, read by the same
   :func:`~assistant.factcheck.quantities`: digits are the same in every language, and Chinese
   numerals with a measure word are read too), the answer abstains, naming the paragraphs that
   mention the topic.

Both abstentions carry what they rest on (:attr:`AbstainSignal.answer_type`, the figure score,
the numbers missing) so the answer's trace and ``pledges eval --details`` show why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from assistant.abstain import AbstainSignal
from assistant.extractive import select_extracts
from assistant.factcheck import Quantity, normalize, quantities, zh_numeral
from assistant.terms import QuestionTerms
from ingest.records import Document
from vectorstore.records import SearchHit

#: Lowest figure score (:meth:`vectorstore.asktype.FigureDirection.score`) at which a question
#: counts as asking for a quantity or a date (0 is the midpoint between the prototypes' two
#: sides). Calibrated on the tuning questions (dev, dev2, decision_tuning, tuning_v2,
#: answertype_tuning): the in-scope ones whose cited paragraphs state no figure score at most
#: -0.0005 ("¿De qué grupo de amigos sobre el trabajo decente es copresidente Bélgica?"), the
#: figure questions the pledge does not answer at least 0.0085; this is the middle.
FIGURE_THRESHOLD = 0.004
#: A figure question whose date score (:meth:`vectorstore.asktype.FigureDirection.date_score`)
#: is at most minus this asks for an amount, at least this for a date; in between, either.
#: Calibrated on the tuning questions: "when was … a member" questions score -0.03 to 0.02,
#: "how much / how many" ones below -0.05.
ASKS_MARGIN = 0.04
#: Kinds of quantity that answer each kind of figure question (a treaty number answers none).
ANSWERING_KINDS: dict[str, frozenset[str]] = {
    "amount": frozenset({"count"}),
    "date": frozenset({"year", "range"}),
    "figure": frozenset({"year", "range", "count", "ordinal"}),
}
#: Quantity kinds a question states as a premise.
PREMISE_KINDS = frozenset({"year", "range", "count", "ordinal", "ident"})
#: The top paragraphs that, with the ones the answer would cite, must state a number the
#: question names (the whole top ten would let a year of an unrelated paragraph vouch for it).
PREMISE_DEPTH = 3

_DIGITS = re.compile(r"\d+")
_CJK_NUMERAL = re.compile(r"[〇零一二两三四五六七八九十百千万]+")


def _has_numeral(text: str) -> bool:
    """Written with digits (any script) or Chinese numerals, not spelled out in words."""
    return any(unicodedata.category(ch) == "Nd" for ch in text) or bool(_CJK_NUMERAL.search(text))


_CJK_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CJK_DIGIT.update({"七": 7, "八": 8, "九": 9})


def cjk_value(run: str) -> int | None:
    """Value of a run of Chinese numerals: positional ("二〇一六" 2016) or with units ("二十五")."""
    if any(ch in "十百千万" for ch in run):
        return zh_numeral(run.replace("零", "").replace("〇", ""))
    value = 0
    for ch in run:
        value = value * 10 + _CJK_DIGIT[ch]
    return value


def question_numbers(question: str, hits: Sequence[SearchHit] = ()) -> list[Quantity]:
    """The years, numbers and ranges a question states as premises.

    Numbers spelled out in words are left out (their reading is per language); so are a
    retrieved paragraph's own number ("What does paragraph 20.8 say?", "¶8") and what
    :func:`~assistant.factcheck.quantities` already reads as a reference.
    """
    numbers = {h.paragraph.number for h in hits}
    text = normalize(question)
    out = []
    for q in quantities(question):
        if q.kind not in PREMISE_KINDS or not _has_numeral(q.text):
            continue
        if q.text.strip() in numbers or text[: q.start].rstrip().endswith(("¶", "§")):
            continue
        out.append(q)
    return out


def _metadata_text(doc: Document) -> str:
    parts = [doc.term or "", doc.symbol or "", str(doc.session or ""), str(doc.date or "")]
    return " ".join(p for p in parts if p)


def stated_values(hits: Sequence[SearchHit]) -> tuple[set[int], list[tuple[int, int]]]:
    """Every integer the evidence writes in numerals, and the year ranges it states.

    Read generously (a number inside a title or a symbol counts): the rule asks only whether
    the evidence says the question's number at all.
    """
    values: set[int] = set()
    ranges: list[tuple[int, int]] = []
    docs: dict[str, Document] = {}
    for h in hits:
        docs[h.document.doc_id] = h.document
        for text in (h.paragraph.text, h.paragraph.lead_in or ""):
            if not text:
                continue
            t = normalize(text)
            values.update(int(m.group(0)) for m in _DIGITS.finditer(t))
            values.update(v for m in _CJK_NUMERAL.finditer(t) if (v := cjk_value(m.group(0))))
            for q in quantities(text):
                if q.kind == "range":
                    ranges.append((q.value[0], q.value[1]))
                elif q.kind in ("count", "ordinal", "ident", "year"):
                    values.add(q.value[0])
    for doc in docs.values():
        meta = normalize(_metadata_text(doc))
        values.update(int(m.group(0)) for m in _DIGITS.finditer(meta))
        ranges.extend((q.value[0], q.value[1]) for q in quantities(meta) if q.kind == "range")
    return values, ranges


def _stated(q: Quantity, values: set[int], ranges: list[tuple[int, int]]) -> bool:
    def has(v: int) -> bool:
        return v in values or any(a <= v <= b for a, b in ranges)

    if q.kind == "range":
        return has(q.value[0]) and has(q.value[1])
    if q.kind == "count" and len(q.value) == 2:  # a decimal: its digits as written
        digits, places = q.value
        whole, frac = divmod(digits, 10**places)
        return whole in values and frac in values
    return has(q.value[0])


def missing_numbers(
    question: str, hits: Sequence[SearchHit], answering: Sequence[SearchHit]
) -> list[str]:
    """The numbers of :func:`question_numbers` that the ``answering`` paragraphs do not state.

    Args:
        question: The standalone question.
        hits: Every retrieved paragraph (their numbers are references, not premises).
        answering: The paragraphs the answer would cite.
    """
    asked = question_numbers(question, hits)
    if not asked:
        return []
    values, ranges = stated_values(answering)
    return list(dict.fromkeys(q.text.strip() for q in asked if not _stated(q, values, ranges)))


def states_figure(hit: SearchHit, asks: str = "figure") -> bool:
    """Does a paragraph state what ``asks`` wants (outside the titles it names)?

    Args:
        hit: The paragraph.
        asks: ``amount`` (a count), ``date`` (a year or a range) or ``figure`` (either).
    """
    kinds = ANSWERING_KINDS[asks]
    return any(q.kind in kinds and not q.in_title for q in quantities(hit.paragraph.text))


def asks_for(date_score: float | None) -> str:
    """``amount``, ``date`` or ``figure`` (either) for a figure question's date score."""
    if date_score is None:
        return "figure"
    if date_score <= -ASKS_MARGIN:
        return "amount"
    return "date" if date_score >= ASKS_MARGIN else "figure"


def cited_hits(terms: QuestionTerms, hits: Sequence[SearchHit]) -> list[SearchHit]:
    """The paragraphs an extractive answer to the question would quote, best first."""
    return [e.hit for e in select_extracts(terms, hits)]


def check(
    signal: AbstainSignal,
    question: str,
    terms: QuestionTerms,
    hits: Sequence[SearchHit],
    figure_score: float | None,
    date_score: float | None = None,
) -> AbstainSignal:
    """Rules 5 and 6 of the module docstring, on a signal the topic rules decided.

    Args:
        signal: The topic rules' decision; changed only when it answers.
        question: The standalone question.
        terms: Its countries, concepts and content words.
        hits: Retrieved paragraphs, best first.
        figure_score: The question's figure score (None: unknown, rule 6 is skipped).
        date_score: Whether a figure question asks for a date or an amount (None: either).
    """
    signal.figure_score = None if figure_score is None else round(figure_score, 4)
    if signal.abstain or not hits:
        return signal
    cited = cited_hits(terms, hits)
    if not cited:
        return signal
    answering = list({id(h): h for h in [*cited, *hits[:PREMISE_DEPTH]]}.values())
    missing = missing_numbers(question, hits, answering)
    if missing:
        signal.abstain, signal.needs_judge = True, False
        signal.answer_type = "number_not_stated"
        signal.numbers_missing = missing
        signal.reason = (
            f"no paragraph the answer would rest on"
            f" ({', '.join('¶' + h.paragraph.number for h in answering)}) states"
            f" {', '.join(missing)}, which the question names"
            f" (the topic rules had answered: {signal.reason})"
        )
        return signal
    if figure_score is None or figure_score < FIGURE_THRESHOLD:
        return signal
    asks = asks_for(date_score)
    if any(states_figure(h, asks) for h in cited):
        return signal
    mentioned = [h.paragraph.number for h in cited]
    signal.abstain = True
    # A language model reads number words the rules do not: with one configured it may answer.
    signal.needs_judge = True
    signal.answer_type = "figure_not_stated"
    signal.mentioned = mentioned
    wanted = {"amount": "an amount", "date": "a date", "figure": "a quantity or a date"}[asks]
    signal.reason = (
        f"the question asks for {wanted} (figure score {figure_score:.3f}, date score"
        f" {date_score if date_score is None else round(date_score, 3)}) and the paragraphs"
        f" the answer would quote ({', '.join('¶' + n for n in mentioned)}) state none"
        f" (the topic rules had answered: {signal.reason})"
    )
    return signal
