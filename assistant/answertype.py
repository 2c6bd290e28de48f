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
   computed). When it asks, the rule reads the paragraphs the answer would quote and the first
   :data:`ON_TOPIC_DEPTH` paragraphs the topic rules accept one by one
   (:func:`assistant.abstain.on_topic`). The first that states a quantity or a date of the
   kind asked (a year, range, count or ordinal outside a title, read by the same
   :func:`~assistant.factcheck.quantities`: digits are the same in every language, and Chinese
   numerals with a measure word are read too) is quoted first, by the sentence stating it. A
   paragraph the answer would not have quoted counts only by a sentence naming the question's
   terms at least as strongly as the answer's first quote: many on-topic paragraphs state some
   figure, and only literal evidence ties one to what is asked. When none states one, the
   answer abstains, naming the paragraphs on the topic that state none.

Both abstentions carry what they rest on (:attr:`AbstainSignal.answer_type`, the figure score,
the numbers missing) so the answer's trace and ``pledges eval --details`` show why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.abstain import AbstainSignal, on_topic
from assistant.extractive import Extract, lead_with, quote_stating, select_extracts, term_score
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
#: A figure question whose date score is at most minus this clearly asks for an amount: a year
#: it states, even one a cited paragraph states, does not answer it ("How many victims did
#: Belgium help in 2022?", -0.093); above it a stated year may be what is asked about ("Was
#: Belgium vice-president in 2016?" in Hindi, -0.047). Set on the tuning questions.
CLEAR_AMOUNT = 0.08
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
#: On-topic paragraphs rule 6 reads besides the ones the answer would quote: the first this
#: many retrieved paragraphs the topic rules accept one by one
#: (:func:`assistant.abstain.on_topic`). Few, so that a year in a paragraph on another topic
#: does not answer the question.
ON_TOPIC_DEPTH = 3

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


#: A date written with its day and month ("31/12/2031", "31.12.2031", "2031-12-31"): its year.
_DATE = re.compile(
    r"(?<![\d/.\-])(?:\d{1,2}([/.\-])\d{1,2}\1(?P<y1>\d{4})|(?P<y2>\d{4})([/.\-])\d{1,2}\4\d{1,2})"
    r"(?![\d/.\-]*\d)"
)
#: A year in positional Chinese numerals before 年 ("二〇三一年").
_CJK_YEAR = re.compile(r"(?P<y>[〇零一二三四五六七八九]{4})\s*年")
#: Structural paragraph references: a dotted number ("20.8", "20.8.1") not followed by a
#: percent sign, or a number with a parenthesised sub-paragraph ("27(b)", "18(5)").
_DOTTED_REF = re.compile(r"\d+(?:\.\d+)+(?!\s*[%٪％‰]|\d)")
_SUB_REF = re.compile(r"\d+\s*\(\s*[0-9a-zA-Z]{1,3}\s*\)")


def _reference_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` (normalized) refers to a paragraph by its form, not by its words."""
    spans = [(m.start(), m.end()) for m in _SUB_REF.finditer(text)]
    for m in _DOTTED_REF.finditer(text):
        if not _DATE.match(text, m.start()):
            spans.append((m.start(), m.end()))
    return spans


def question_numbers(question: str, hits: Sequence[SearchHit] = ()) -> list[Quantity]:
    """The years, numbers and ranges a question states as premises.

    Numbers spelled out in words are left out (their reading is per language). A number is a
    reference, not a premise, by its form alone: after ¶ or §, dotted ("20.8") or with a
    parenthesised sub-paragraph ("27(b)"), or what :func:`~assistant.factcheck.quantities`
    already reads as one; a number that merely equals a retrieved paragraph's number is a
    premise ("Did Belgium ratify 24 conventions?"). A date with its day and month
    ("31/12/2031") counts as its year, and a year in Chinese numerals before 年 as that year.

    Args:
        question: The question.
        hits: Unused; kept for callers that pass the retrieved paragraphs.
    """
    del hits
    # Digits of every script as ASCII (one character each, so offsets hold): "२०१६" is a year.
    text = "".join(
        str(unicodedata.digit(ch)) if unicodedata.category(ch) == "Nd" else ch
        for ch in normalize(question)
    )
    refs = _reference_spans(text)
    out: list[Quantity] = []
    for m in _DATE.finditer(text):
        y = m.group("y1") or m.group("y2")
        out.append(Quantity("year", (int(y),), m.start(), m.end(), m.group(0)))
    for m in _CJK_YEAR.finditer(text):
        value = cjk_value(m.group("y"))
        if value:
            out.append(Quantity("year", (value,), m.start(), m.end(), m.group(0)))
    taken = [(q.start, q.end) for q in out]

    def overlaps(s: int, e: int, spans: Sequence[tuple[int, int]]) -> bool:
        return any(s < se and ss < e for ss, se in spans)

    for q in quantities(text):
        if q.kind not in PREMISE_KINDS or not _has_numeral(q.text):
            continue
        if overlaps(q.start, q.end, taken) or overlaps(q.start, q.end, refs):
            continue
        if text[: q.start].rstrip().endswith(("¶", "§")):
            continue
        out.append(q)
    return sorted(out, key=lambda q: q.start)


def _metadata_text(doc: Document) -> str:
    parts = [doc.term or "", doc.symbol or "", str(doc.session or ""), str(doc.date or "")]
    return " ".join(p for p in parts if p)


_DECIMAL = re.compile(r"(?<![\d.,])(\d+)[.,](\d{1,2})(?![\d])")


@dataclass
class Stated:
    """What the evidence states in numerals: integers, decimals and year ranges."""

    values: set[int] = field(default_factory=set)
    ranges: list[tuple[int, int]] = field(default_factory=list)
    #: Decimals as (digits, places): "18.5" is (185, 1).
    decimals: set[tuple[int, int]] = field(default_factory=set)


def _read_numerals(text: str, out: Stated) -> None:
    """Add the numbers of ``text`` (normalized) to ``out``.

    A decimal is one token ("18.5" states neither 18 nor 5), and the sub-paragraph of an
    article reference ("18(5)", "第 18(5)条") states nothing.
    """
    decimals = [(m.start(), m.end()) for m in _DECIMAL.finditer(text)]
    out.decimals.update(
        (int(m.group(1) + m.group(2)), len(m.group(2))) for m in _DECIMAL.finditer(text)
    )
    for m in _DIGITS.finditer(text):
        if any(s <= m.start() < e for s, e in decimals):
            continue
        if re.search(r"\d\s*\(\s*$", text[: m.start()]):
            continue  # "18(5)": the article's paragraph 5
        out.values.add(int(m.group(0)))


def _read_text(text: str, out: Stated) -> None:
    """Add every number ``text`` writes in numerals, and its year ranges, to ``out``."""
    if not text:
        return
    t = normalize(text)
    _read_numerals(t, out)
    out.values.update(v for m in _CJK_NUMERAL.finditer(t) if (v := cjk_value(m.group(0))))
    for q in quantities(text):
        if q.kind == "range":
            out.ranges.append((q.value[0], q.value[1]))
        elif q.kind in ("count", "ordinal", "ident", "year") and len(q.value) == 1:
            out.values.add(q.value[0])


def stated_values(hits: Sequence[SearchHit]) -> Stated:
    """Every number the evidence writes in numerals, and the year ranges it states.

    Read generously (a number inside a title or a symbol counts): the rule asks only whether
    the evidence says the question's number at all.
    """
    out = Stated()
    docs: dict[str, Document] = {}
    for h in hits:
        docs[h.document.doc_id] = h.document
        for text in (h.paragraph.text, h.paragraph.lead_in or ""):
            _read_text(text, out)
    for doc in docs.values():
        meta = normalize(_metadata_text(doc))
        out.values.update(int(m.group(0)) for m in _DIGITS.finditer(meta))
        out.ranges.extend((q.value[0], q.value[1]) for q in quantities(meta) if q.kind == "range")
    return out


def _stated(q: Quantity, stated: Stated) -> bool:
    def has(v: int) -> bool:
        return v in stated.values or any(a <= v <= b for a, b in stated.ranges)

    if q.kind == "range":
        return has(q.value[0]) and has(q.value[1])
    if q.kind == "count" and len(q.value) == 2:  # a decimal: its digits as written
        return (q.value[0], q.value[1]) in stated.decimals
    return has(q.value[0])


def _asked_numbers(questions: Sequence[str]) -> list[Quantity]:
    """The premises of every wording of the question (as asked, and standalone), once each."""
    seen: dict[tuple[str, tuple[int, ...]], Quantity] = {}
    for question in questions:
        for q in question_numbers(question):
            seen.setdefault((q.kind, q.value), q)
    return list(seen.values())


def missing_numbers(
    question: str | Sequence[str],
    hits: Sequence[SearchHit],
    answering: Sequence[SearchHit],
) -> list[str]:
    """The numbers of :func:`question_numbers` that the ``answering`` paragraphs do not state.

    Args:
        question: The question, or its wordings (as asked and standalone).
        hits: Every retrieved paragraph (unused; kept for callers).
        answering: The paragraphs the answer would rest on.
    """
    del hits
    asked = _asked_numbers([question] if isinstance(question, str) else question)
    if not asked:
        return []
    stated = stated_values(answering)
    return list(dict.fromkeys(q.text.strip() for q in asked if not _stated(q, stated)))


def states_kind(text: str, asks: str = "figure") -> bool:
    """Does ``text`` state what ``asks`` wants (outside the titles it names)?

    Args:
        text: A paragraph, or a quote from one.
        asks: ``amount`` (a count), ``date`` (a year or a range) or ``figure`` (either).
    """
    kinds = ANSWERING_KINDS[asks]
    return any(q.kind in kinds and not q.in_title for q in quantities(text))


def states_figure(hit: SearchHit, asks: str = "figure") -> bool:
    """Does a paragraph state what ``asks`` wants (:func:`states_kind` on its text)?"""
    return states_kind(hit.paragraph.text, asks)


def asks_for(date_score: float | None) -> str:
    """``amount``, ``date`` or ``figure`` (either) for a figure question's date score."""
    if date_score is None:
        return "figure"
    if date_score <= -ASKS_MARGIN:
        return "amount"
    return "date" if date_score >= ASKS_MARGIN else "figure"


@dataclass
class Checked:
    """Rules 5 and 6's decision, and the quotes an extractive answer gives under it.

    The quotes are the ones the rules read, so the decision and the answer cannot disagree on
    what is quoted: when rule 6 answers from a paragraph stating the figure asked for, that
    paragraph's sentence stating it is the first quote.
    """

    signal: AbstainSignal
    extracts: list[Extract]


def _unique(hits: Sequence[SearchHit]) -> list[SearchHit]:
    return list({h.paragraph.id: h for h in hits}.values())


def check(
    signal: AbstainSignal,
    question: str,
    terms: QuestionTerms,
    hits: Sequence[SearchHit],
    figure_score: float | None,
    date_score: float | None = None,
    asked: str | None = None,
    extracts: Sequence[Extract] | None = None,
) -> Checked:
    """Rules 5 and 6 of the module docstring, on a signal the topic rules decided.

    Rule 6 reads the paragraphs the answer would quote and the first :data:`ON_TOPIC_DEPTH`
    paragraphs the topic rules accept one by one, in that order; the first that states what is
    asked is quoted first, by a sentence stating it.

    Args:
        signal: The topic rules' decision; changed only when it answers.
        question: The standalone question.
        terms: Its countries, concepts and content words.
        hits: Retrieved paragraphs, best first.
        figure_score: The question's figure score (None: unknown, rule 6 is skipped).
        date_score: Whether a figure question asks for a date or an amount (None: either).
        asked: The question as the user asked it (a follow-up's own numbers count too).
        extracts: The extractive answer's quotes (:func:`~assistant.extractive.select_extracts`
            on ``terms`` and ``hits``); computed when None.

    Returns:
        The decision, and the quotes an extractive answer gives (reordered when rule 6 found
        the figure in a paragraph the quotes did not lead with).
    """
    signal.figure_score = None if figure_score is None else round(figure_score, 4)
    if signal.abstain or not hits:
        return Checked(signal, list(extracts or []))
    quoted = list(select_extracts(terms, hits) if extracts is None else extracts)
    cited = [e.hit for e in quoted]
    if not cited:
        return Checked(signal, quoted)
    answering = _unique([*cited, *hits[:PREMISE_DEPTH]])
    wordings = list(dict.fromkeys(w for w in (question, asked) if w))
    missing = missing_numbers(wordings, hits, answering)
    topic = [h.paragraph.number for h in answering]
    if missing:
        signal.abstain, signal.needs_judge = True, False
        signal.answer_type = "number_not_stated"
        signal.numbers_missing = missing
        signal.mentioned = topic
        signal.reason = (
            f"none of the paragraphs on this topic ({', '.join('¶' + n for n in topic)})"
            f" states {', '.join(missing)}, which the question names"
            f" (the topic rules had answered: {signal.reason})"
        )
        return Checked(signal, quoted)
    if figure_score is None or figure_score < FIGURE_THRESHOLD:
        return Checked(signal, quoted)
    read = _unique([*cited, *on_topic(terms, hits, ON_TOPIC_DEPTH)])
    # The question states a number of the kind it asks for that a paragraph on the topic
    # states: the figure it is about is there ("Was Belgium vice-president in 2016?" on a
    # paragraph stating 2016; a year stated does not answer "How many victims in 2022?").
    asks = asks_for(date_score)
    kinds = set(ANSWERING_KINDS[asks])
    if date_score is None or date_score > -CLEAR_AMOUNT:
        kinds |= ANSWERING_KINDS["date"]  # not clearly an amount: a stated year may be the point
    numbers = [q for q in _asked_numbers(wordings) if q.kind in kinds]
    quoted_ids = {h.paragraph.id for h in cited}
    # A paragraph the answer would not quote answers only by a sentence naming the question's
    # terms (glossary concepts in any UN language, or its words) at least as strongly as the
    # answer's first quote: on-topic paragraphs that merely state some figure are many.
    floor = max(term_score(quoted[0].quote, terms), 1e-9)

    def anchored(h: SearchHit, text: str) -> bool:
        return h.paragraph.id in quoted_ids or term_score(text, terms) >= floor

    for h in read:
        for q in numbers:
            if _stated(q, stated_values([h])):
                found = quote_stating(
                    terms, h, lambda t, h=h, q=q: _stated(q, _text_values(t)) and anchored(h, t)
                )
                if found is not None:
                    return Checked(signal, lead_with(quoted, found))
                if h.paragraph.id in quoted_ids:  # stated in its lead-in or metadata
                    return Checked(signal, quoted)
    signal.asks = asks
    for h in read:
        if states_figure(h, asks):
            found = quote_stating(terms, h, lambda t, h=h: states_kind(t, asks) and anchored(h, t))
            if found is not None:
                return Checked(signal, lead_with(quoted, found))
    # Named as stating no figure: those that state none (a figure in a sentence on another
    # topic is not denied).
    mentioned = [h.paragraph.number for h in read if not states_figure(h, asks)] or [
        h.paragraph.number for h in cited
    ]
    signal.abstain = True
    # A language model reads number words the rules do not: with one configured it may answer
    # (and its answer is checked again, :func:`llm_cites_no_figure`).
    signal.needs_judge = True
    signal.answer_type = "figure_not_stated"
    signal.mentioned = mentioned
    wanted = {"amount": "an amount", "date": "a date", "figure": "a quantity or a date"}[asks]
    none = {"amount": "no amount", "date": "no date", "figure": "no quantity or date"}[asks]
    signal.reason = (
        f"the question asks for {wanted} (figure score {figure_score:.3f}, date score"
        f" {date_score if date_score is None else round(date_score, 3)}) and the paragraphs"
        f" on its topic ({', '.join('¶' + n for n in mentioned)}) state {none}"
        f" (the topic rules had answered: {signal.reason})"
    )
    return Checked(signal, quoted)


def _text_values(text: str) -> Stated:
    out = Stated()
    _read_text(text, out)
    return out


def llm_cites_no_figure(signal: AbstainSignal, cited: Sequence[SearchHit]) -> AbstainSignal | None:
    """Rule 6 on a language model's answer: the abstention when its citations state no figure.

    Args:
        signal: The decision the answer was written under (:attr:`AbstainSignal.asks` set when
            the question asks for a figure).
        cited: The paragraphs the model's answer cites.

    Returns:
        A rule-6 abstention naming the cited paragraphs, or None when the answer stands.
    """
    asks = signal.asks
    if asks is None or not cited or any(states_figure(h, asks) for h in cited):
        return None
    mentioned = [h.paragraph.number for h in cited]
    none = {"amount": "no amount", "date": "no date", "figure": "no quantity or date"}[asks]
    return AbstainSignal(
        abstain=True,
        reason=(
            f"the language model answered a question asking for a {asks} citing"
            f" {', '.join('¶' + n for n in mentioned)}, which state {none}"
        ),
        figure_score=signal.figure_score,
        answer_type="figure_not_stated",
        mentioned=mentioned,
        asks=asks,
    )
