"""The answer chain: condense the follow-up → retrieve → decide → answer → validate.

:class:`AnswerChain` is built once by the service from a retriever, a paragraph reader and an
optional chat model. Each step is a LangChain runnable (``langchain_core.runnables``) that takes
the typed record the step before it made (:class:`Asked` → :class:`Understood` →
:class:`Retrieved` → :class:`Decided` → :class:`~assistant.types.Answer`), so the chain composes
with the LangChain ecosystem and each step can be run on its own (evaluation runs
:meth:`AnswerChain.retrieve` exactly as the chain does)::

    question, history, filters
      │ condense   follow-up → standalone question (rule; the LLM when configured)
      │ retrieve   hybrid search; the country the question names narrows it when stored
      │ decide     abstention signal (country in store, the question's topic in the evidence,
      │            then the kind of answer: a number or a date asked and stated)
      │ answer     extractive quotes (default) or LLM prose, or an abstention
      ▼ validate   every citation quotes its retrieved paragraph exactly; markers match citations
    Answer
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableLambda

from assistant import answertype, prompts
from assistant.abstain import AbstainSignal, assess
from assistant.citations import (
    MARKER_RE,
    aligned_versions,
    check_markers,
    check_quotes,
    in_language,
    make_citation,
    sentence_spans,
)
from assistant.condense import Condensed, condense
from assistant.errors import LLMError
from assistant.extractive import Extract, select_extracts
from assistant.factcheck import Passage, screen_answer
from assistant.grounding import citing_text, ungrounded_sentences
from assistant.llm import describe, invoke_text, stream_text
from assistant.render import citation_label
from assistant.terms import (
    QuestionTerms,
    concept_names,
    language_names_in,
    names_all_topics,
    question_terms,
)
from assistant.types import AlignedText, Answer, Citation, RetrievedItem
from ingest.countries import country_name
from ingest.language import (
    LANGUAGE_NAMES,
    UN_LANGUAGES,
    asker_language,
    detect_language,
    english_language_name,
)
from ingest.records import Document, Paragraph
from vectorstore.asktype import FigureDirection
from vectorstore.cache import Catalog
from vectorstore.glossary import Concept
from vectorstore.records import Filters, QueryReading, SearchHit

#: Paragraphs retrieved per question.
TOP_K = 10
#: Paragraphs shown as related reading when abstaining.
RELATED_K = 3
#: Paragraphs handed to the LLM as numbered passages.
LLM_PASSAGES = 5


class Retriever(Protocol):
    """Ranked search, and the concept rescue (:class:`vectorstore.retrieval.HybridRetriever`)."""

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        reading: QueryReading | None = None,
    ) -> list[SearchHit]:
        """The ``k`` best paragraphs for ``query`` under ``filters`` (``reading`` filled)."""
        ...

    def rescue(
        self, concepts: Sequence[Concept], filters: Filters | None, exclude: set[str], limit: int
    ) -> list[SearchHit]:
        """Paragraphs under ``filters`` that name the glossary ``concepts``, not in ``exclude``."""
        ...


class ParagraphReader(Protocol):
    """Stored documents and paragraphs by key (:class:`vectorstore.store.PledgeStore`)."""

    def documents(self) -> list[Document]:
        """Every stored document."""
        ...

    def catalog(self) -> Catalog:
        """The stored documents indexed by country, language and version."""
        ...

    def reading(self) -> AbstractContextManager[None]:
        """A block in which every read sees one version of the store."""
        ...

    def get_paragraph(self, doc_id: str, number: str) -> Paragraph:
        """One paragraph; NotFoundError when there is none."""
        ...


# -- the records the steps pass ------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """A question as the user asked it."""

    question: str
    history: tuple[str, ...] = ()
    filters: Filters | None = None


@dataclass(frozen=True)
class Understood:
    """After ``condense``: the standalone question retrieval will see."""

    asked: Asked
    condensed: Condensed


@dataclass
class Retrieval:
    """What the retrieve step found and how it searched."""

    query: str
    filters: Filters | None
    hits: list[SearchHit]
    terms: QuestionTerms
    #: The query's vector and latents as the search computed them.
    reading: QueryReading = field(default_factory=QueryReading)


@dataclass(frozen=True)
class Retrieved(Understood):
    """After ``retrieve``: the paragraphs found for the standalone question."""

    retrieval: Retrieval


@dataclass(frozen=True)
class Decided(Retrieved):
    """After ``decide``: whether the evidence supports an answer, and what it would quote."""

    signal: AbstainSignal
    #: The extractive answer's quotes, chosen once, as the decision read them (empty when it
    #: abstained before reading them).
    extracts: tuple[Extract, ...] = ()


# -- helpers -------------------------------------------------------------------------------------


def _topics_note(text: str, written: str) -> str:
    """What can be said of a paragraph in another language without translating it.

    The glossary topics it names, as `` (topics: death penalty)``: in ``written`` (the language
    of the answer's sentences) where the glossary names every one of them in that language,
    else all in English under a label, in ``written``, that says they are English (never a
    list half in one language). Nothing when it names no topic.
    """
    if written == "en" or (written in prompts.TOPICS_LABEL and names_all_topics(text, written)):
        label, topics = prompts.TOPICS_LABEL[written], concept_names(text, written)
    else:
        label, topics = prompts.TOPICS_IN_ENGLISH_LABEL[written], concept_names(text, "en")
    return f" ({label}: {', '.join(topics)})" if topics else ""


def _retrieved_trace(hits: Sequence[SearchHit], cited: set[str]) -> list[RetrievedItem]:
    return [
        RetrievedItem(id=h.paragraph.id, score=round(h.score, 6), cited=h.paragraph.id in cited)
        for h in hits
    ]


def _passages(hits: Sequence[SearchHit]) -> str:
    blocks = []
    for i, h in enumerate(hits, start=1):
        doc = h.document
        who = doc.country.name if doc.country else doc.label
        head = f"[{i}] {who}, {doc.symbol or doc.label}, paragraph {h.paragraph.number}"
        head += f", language {doc.language or 'unknown'}"
        body = h.paragraph.text
        if h.paragraph.lead_in:
            body = f"(under: {h.paragraph.lead_in}) {body}"
        blocks.append((head, body))
    return prompts.delimit_passages(blocks)


def llm_messages(state: Decided) -> list[Any]:
    """The chat messages of the answer prompt for this state."""
    asker = asker_language(state.asked.question)
    return prompts.ANSWER_PROMPT.template.format_messages(
        context=_passages(state.retrieval.hits[:LLM_PASSAGES]),
        question=state.condensed.display,
        cannot_answer=prompts.CANNOT_ANSWER,
        answer_language=english_language_name(asker),
    )


def validate_answer(state: Retrieved, answer: Answer) -> Answer:
    """Last guard: every citation quotes its retrieved paragraph; markers in text match citations.

    A citation whose quote is not an exact substring of a retrieved paragraph with its id is
    dropped (and its marker removed from the text) with a warning. Nothing should ever reach
    this, but a journalist relies on it.
    """
    texts = {h.paragraph.id: h.paragraph.text for h in state.retrieval.hits}
    kept: list[Citation] = []
    warnings = list(answer.warnings)
    text = answer.answer
    for c in answer.citations:
        if c.id in texts and c.quote and c.quote in texts[c.id]:
            kept.append(c)
        else:
            warnings.append(f"dropped citation {c.marker}: its quote is not in paragraph {c.id}")
            text = text.replace(c.marker, "")
    markers = {c.marker for c in kept}
    stray = [m.group(0) for m in MARKER_RE.finditer(text) if m.group(0) not in markers]
    if stray:
        text = MARKER_RE.sub(lambda m: m.group(0) if m.group(0) in markers else "", text)
        warnings.append(f"removed marker(s) without a citation: {', '.join(dict.fromkeys(stray))}")
    if answer.citations and not kept and not answer.abstained:
        signal = AbstainSignal(abstain=True, reason="no citation survived validation")
        return answer.model_copy(
            update={
                "answer": prompts.ABSTAIN_TEMPLATE + ".",
                "abstained": True,
                "citations": [],
                "warnings": [*warnings, signal.reason],
            }
        )
    return answer.model_copy(update={"answer": text, "citations": kept, "warnings": warnings})


# -- the chain -----------------------------------------------------------------------------------


class AnswerChain:
    """Condense → retrieve → decide → answer → validate, over one retriever and one store.

    Args:
        retriever: Ranked search with the concept rescue.
        reader: Stored documents and paragraphs (countries in store, other language versions).
        llm: A LangChain chat model, or None for extractive answers.
        figure: What a question asks for, read from its query vector (a quantity or a date,
            and which); None leaves the answer-type check to the numbers the question states.
    """

    def __init__(
        self,
        retriever: Retriever,
        reader: ParagraphReader,
        llm: Any | None = None,
        figure: FigureDirection | None = None,
    ):
        self.retriever = retriever
        self.reader = reader
        self.llm = llm
        self.figure = figure
        self.prefix: Runnable[Asked, Decided] = (
            RunnableLambda(self.condense_step, name="condense")
            | RunnableLambda(self.retrieve_step, name="retrieve")
            | RunnableLambda(self.decide_step, name="decide")
        )
        self.runnable: Runnable[Asked, Answer] = self.prefix | RunnableLambda(
            self.answer_step, name="answer"
        )

    # -- steps -----------------------------------------------------------------------------------

    def stored_countries(self) -> tuple[set[str], bool]:
        """ISO codes of the stored countries, and whether every document has a country."""
        catalog = self.reader.catalog()
        return set(catalog.countries), catalog.countries_complete

    def condense_step(self, asked: Asked) -> Understood:
        """The standalone question (rule-based, or by the LLM with the rule as fallback)."""
        return Understood(asked, condense(asked.question, asked.history, llm=self.llm))

    def retrieve(
        self,
        query: str,
        filters: Filters | None = None,
        k: int = TOP_K,
        language: str | None = None,
        scope: Mapping[str, str] | None = None,
    ) -> Retrieval:
        """Search for a question as the chain does.

        When the question names one stored country and no country filter is set, the search is
        narrowed to that country's pledges; so it is when a follow-up carries the country or
        document of earlier turns (``scope``, from :class:`assistant.condense.Condensed`). With
        ``language`` (the asker's) and no language or document filter, each hit becomes the
        same-numbered paragraph of its version in that language when one is stored
        (:func:`assistant.citations.in_language`).
        """
        terms = question_terms(query)
        scope = dict(scope or {})
        carried = scope.pop("country", None)
        if carried and not terms.countries:
            # The follow-up is about the country of the earlier turns: it counts as named by
            # the question (for narrowing here and for the "no stored pledge" decision).
            terms.countries = [(carried, country_name(carried))]
        effective = filters
        base = filters.model_dump(exclude_none=True) if filters else {}
        narrowed: dict[str, str] = {}
        if terms.countries and not (filters and filters.country):
            stored, _ = self.stored_countries()
            asked = [code for code, _ in terms.countries if code in stored]
            if len(asked) == 1 and len(stored) > 1:
                narrowed["country"] = asked[0]
        for field_name, value in scope.items():
            if not base.get(field_name):
                narrowed[field_name] = value
        if narrowed:
            effective = Filters(**{**base, **narrowed})
        reading = QueryReading()
        hits = self.retriever.search(query, k=k, filters=effective, reading=reading)
        if reading.literal is not None and reading.literal.unconfirmed:
            # The retriever read the question's literal glossary matches (vectorstore.literal):
            # the decision, the concept rescue and the quotes see the same concepts it searched.
            countries = terms.countries
            terms = question_terms(query, unconfirmed=reading.literal.unconfirmed)
            terms.countries = countries
        if language and not (effective and (effective.language or effective.doc_id)):
            versions = list(self.reader.catalog().by_symbol_in(language).values())
            hits = in_language(hits, language, versions, self.reader.get_paragraph)
        return Retrieval(query=query, filters=effective, hits=hits, terms=terms, reading=reading)

    def retrieve_step(self, state: Understood) -> Retrieved:
        """Hybrid search for the standalone question."""
        retrieval = self.retrieve(
            state.condensed.question,
            state.asked.filters,
            language=detect_language(state.asked.question),
            scope=state.condensed.scope,
        )
        return Retrieved(state.asked, state.condensed, retrieval)

    def rescue(self, retrieval: Retrieval, missing: Iterable[str]) -> list[SearchHit]:
        """Paragraphs in scope that name the ``missing`` topics of a retrieval (by concept id).

        The retriever's concept rescue, under the retrieval's filters, leaving out what it
        already holds.
        """
        wanted = [c for c in retrieval.terms.topical if c.id in set(missing)]
        seen = {h.paragraph.id for h in retrieval.hits}
        return self.retriever.rescue(wanted, retrieval.filters, seen, RESCUE_MAX_HITS)

    def decide_step(self, state: Retrieved) -> Decided:
        """The abstention signal for what was retrieved.

        When a topical concept of the question is missing from the retrieved paragraphs, the
        retriever's concept rescue looks for it under the same filters first, so that "missing"
        means missing from the pledges, not just from the top of the ranking. An answer the
        topic rules allow is then checked for the kind of thing asked
        (:mod:`assistant.answertype`): numbers the question states, a quantity or date it asks.
        """
        retrieval = state.retrieval
        stored, complete = self.stored_countries()
        signal = assess(
            retrieval.terms, retrieval.hits, stored, countries_complete=complete, semantic=True
        )
        concepts = {c.id for c in retrieval.terms.topical}
        if not signal.countries_missing and concepts & set(signal.missing):
            extra = self.rescue(retrieval, signal.missing)
            if extra:
                # One list of retrieved paragraphs for answer and trace.
                retrieval.hits.extend(extra)
                signal = assess(
                    retrieval.terms,
                    retrieval.hits,
                    stored,
                    countries_complete=complete,
                    semantic=True,
                )
        vector = retrieval.reading.vector
        scores: tuple[float | None, float | None] = (None, None)
        if self.figure is not None and vector is not None:
            scores = (self.figure.score(vector), self.figure.date_score(vector))
        # The quotes are chosen here, once: the answer-type rules read them and the extractive
        # answer gives them.
        extracts = [] if signal.abstain else select_extracts(retrieval.terms, retrieval.hits)
        checked = answertype.check(
            signal,
            retrieval.query,
            retrieval.terms,
            retrieval.hits,
            *scores,
            asked=state.asked.question,
            extracts=extracts,
        )
        return Decided(
            state.asked, state.condensed, retrieval, checked.signal, tuple(checked.extracts)
        )

    def answer_step(self, state: Decided) -> Answer:
        """Abstain, or answer extractively, or with the LLM (falling back), then validate."""
        return validate_answer(state, self._answer(state))

    def _answer(self, state: Decided) -> Answer:
        signal = state.signal
        if signal.abstain and not (signal.needs_judge and self.llm is not None):
            return self.abstain_answer(state, signal)
        if self.llm is None:
            return self.extractive_answer(state)
        try:
            raw = invoke_text(self.llm, llm_messages(state))
        except LLMError as e:
            return self.fallback_answer(
                state,
                [f"language model {describe(self.llm)} unreachable; answered extractively: {e}"],
            )
        return self.finish_llm_answer(state, raw)

    # -- answers ---------------------------------------------------------------------------------

    def _aligned(self, hit: SearchHit, language: str) -> list[AlignedText]:
        """The cited paragraph in every other stored language version, the asker's first."""
        found = aligned_versions(
            self.reader.catalog().versions_of(hit.document),
            hit.document,
            hit.paragraph.number,
            UN_LANGUAGES,
            self.reader.get_paragraph,
        )
        return sorted(found, key=lambda a: (a.language != language, a.language or ""))

    def abstain_answer(
        self, state: Decided, signal: AbstainSignal, extra: Sequence[str] = ()
    ) -> Answer:
        """An abstention naming what was asked, with the nearest paragraphs as related reading."""
        related: list[Citation] = []
        hits = state.retrieval.hits
        if signal.mentioned:
            # The paragraphs on the topic first, in the order the message names them.
            order = {n: i for i, n in enumerate(signal.mentioned)}
            first = sorted(
                (h for h in hits if h.paragraph.number in order),
                key=lambda h: order[h.paragraph.number],
            )
            hits = first + [h for h in hits if h.paragraph.number not in order]
        for i, hit in enumerate(hits[:RELATED_K], start=1):
            spans = sentence_spans(hit.paragraph.text)
            quote = hit.paragraph.text[spans[0][0] : spans[0][1]] if spans else hit.paragraph.text
            related.append(make_citation(f"r{i}", hit, quote))
        asker = asker_language(state.asked.question)
        sentence, note = prompts.ABSTAIN_LEADS.get(asker, prompts.ABSTAIN_LEADS["en"])
        if signal.answer_type:
            # The topic is in the pledges, the kind of answer asked is not: said in the asker's
            # language, with the paragraphs on the topic first among the related reading.
            no_figure, no_number = prompts.ANSWER_TYPE_LEADS.get(
                asker, prompts.ANSWER_TYPE_LEADS["en"]
            )
            kinds = prompts.ANSWER_KINDS.get(asker, prompts.ANSWER_KINDS["en"])
            paragraphs = ", ".join(f"¶{n}" for n in signal.mentioned)
            text = (
                no_figure.format(kind=kinds[signal.asks or "figure"], paragraphs=paragraphs)
                if signal.answer_type == "figure_not_stated"
                else no_number.format(
                    numbers=", ".join(signal.numbers_missing), paragraphs=paragraphs
                )
            )
        else:
            text = sentence + (f": {signal.reason}." if signal.reason else ".")
        if related:
            text += " " + note
        return Answer(
            question=state.asked.question,
            standalone_question=state.condensed.display,
            answer=text,
            abstained=True,
            citations=[],
            related=related,
            mode="extractive",
            warnings=[*state.condensed.warnings, *extra],
            retrieved=_retrieved_trace(state.retrieval.hits, set()),
            abstain_reason=signal.reason or None,
        )

    def extractive_answer(self, state: Decided, warnings: Sequence[str] = ()) -> Answer:
        """Quote the most relevant sentences of the top paragraphs, each with a marker [n]."""
        retrieval = state.retrieval
        lang = detect_language(state.asked.question)
        extracts = state.extracts
        if not extracts:
            signal = AbstainSignal(
                abstain=True, reason="no sentence of the retrieved paragraphs fits"
            )
            return self.abstain_answer(state, signal, warnings)
        citations: list[Citation] = []
        for i, ext in enumerate(extracts, start=1):
            citations.append(
                make_citation(f"[{i}]", ext.hit, ext.quote, self._aligned(ext.hit, lang))
            )
        source_langs = {c.language for c in citations}
        asker = asker_language(state.asked.question)
        # The language the answer's own sentences are written in: the asker's where there is a
        # lead sentence in it, English otherwise.
        written = asker if asker in prompts.EXTRACTIVE_LEADS else "en"
        lead, note_template = prompts.EXTRACTIVE_LEADS[written]
        names_in = language_names_in(written)
        note = ""
        if source_langs and asker not in source_langs:
            names = " / ".join(sorted(names_in.get(x or "", str(x)) for x in source_langs))
            note = note_template.format(language=names)
        lines = [lead.format(language_note=note)]
        for c, ext in zip(citations, extracts, strict=True):
            about = ""
            if c.language != written:
                about = _topics_note(ext.hit.paragraph.text_with_lead_in, written)
            lines.append(f"- {citation_label(c)}{about}: “{c.quote}” {c.marker}")
        if any(a.language == lang for c in citations for a in c.aligned):
            lines.append(
                f"The same paragraphs in {LANGUAGE_NAMES.get(lang, lang)} are shown with the"
                " citations."
            )
        cited = {c.id for c in citations}
        return Answer(
            question=state.asked.question,
            standalone_question=state.condensed.display,
            answer="\n".join(lines),
            abstained=False,
            citations=citations,
            mode="extractive",
            warnings=[*state.condensed.warnings, *warnings],
            retrieved=_retrieved_trace(retrieval.hits, cited),
        )

    def fallback_answer(self, state: Decided, warnings: Sequence[str]) -> Answer:
        """The answer when the LLM path fails.

        When the LLM path fails: the extractive answer, or the abstention the rule had decided
        (the LLM was only asked to judge a question the rule could not check).
        """
        if state.signal.abstain:
            kept = [w.replace("answered extractively", "the abstention stands") for w in warnings]
            return self.abstain_answer(state, state.signal, kept)
        return self.extractive_answer(state, warnings)

    def finish_llm_answer(self, state: Decided, raw: str) -> Answer:
        """Validate an LLM reply: markers, quotes, abstention; extractive when unusable."""
        retrieval = state.retrieval
        passages = retrieval.hits[:LLM_PASSAGES]
        text = (raw or "").strip()
        if not text:
            return self.fallback_answer(
                state, ["the language model returned no text; answered extractively"]
            )
        if (
            prompts.CANNOT_ANSWER.rstrip(".") in text
            and len(text) < len(prompts.CANNOT_ANSWER) + 40
        ):
            signal = AbstainSignal(abstain=True, reason="the language model found no support")
            answer = self.abstain_answer(state, signal)
            return answer.model_copy(update={"mode": "llm"})
        checked = check_markers(text, range(1, len(passages) + 1))
        checked = check_quotes(checked, {i: h.paragraph.text for i, h in enumerate(passages, 1)})
        # The claim checks: no sentence conflicting with the paragraph it cites reaches the
        # reader.
        checked.text, conflicts = screen_answer(
            checked.text, {i: Passage.of(h) for i, h in enumerate(passages, 1)}
        )
        checked.warnings.extend(conflicts)
        # Markers may have been removed with a quotation; recount what is still cited.
        checked.used = [n for n in checked.used if f"[{n}]" in checked.text]
        if not checked.used:
            return self.fallback_answer(
                state,
                [
                    *checked.warnings,
                    "the language model's answer cited no retrieved paragraph;"
                    " answered extractively",
                ],
            )
        lang = detect_language(state.asked.question)
        citations: list[Citation] = []
        for n in checked.used:
            hit = passages[n - 1]
            quotes = checked.quotes.get(n)
            if quotes:
                quote = quotes[0]
            else:
                # The sentence of the paragraph that the answer's own words rest on (a reader
                # sees what the paragraph says about that claim), else the one the question
                # points to.
                claimed = citing_text(checked.text, n)
                ext = (
                    claimed and select_extracts(question_terms(claimed), [hit], max_quotes=1)
                ) or select_extracts(retrieval.terms, [hit], max_quotes=1)
                quote = ext[0].quote if ext else hit.paragraph.text
            citations.append(make_citation(f"[{n}]", hit, quote, self._aligned(hit, lang)))
        # Rule 6 holds for the model too: a figure question answered from paragraphs that
        # state no figure of the kind asked abstains.
        no_figure = answertype.llm_cites_no_figure(
            state.signal, [passages[n - 1] for n in checked.used]
        )
        if no_figure is not None:
            return self.abstain_answer(state, no_figure).model_copy(update={"mode": "llm"})
        cited = {c.id for c in citations}
        # A claim the cited paragraphs do not make (invented, or asked for by a passage) is
        # flagged.
        grounding = ungrounded_sentences(checked.text, {n: passages[n - 1] for n in checked.used})
        return Answer(
            question=state.asked.question,
            standalone_question=state.condensed.display,
            answer=checked.text,
            abstained=False,
            citations=citations,
            mode="llm",
            warnings=[*state.condensed.warnings, *checked.warnings, *grounding],
            retrieved=_retrieved_trace(retrieval.hits, cited),
        )

    # -- entry points ----------------------------------------------------------------------------

    def ask(
        self, question: str, history: Sequence[str] = (), filters: Filters | None = None
    ) -> Answer:
        """Answer one question (with its earlier turns) from the stored pledges.

        Args:
            question: The user's message.
            history: Earlier user questions, oldest first.
            filters: Restrict retrieval (country, language, term, symbol, document).
        """
        with self.reader.reading():  # one version of the store for the whole answer
            return self.runnable.invoke(Asked(question, tuple(history), filters))

    def stream(
        self, question: str, history: Sequence[str] = (), filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """Yield the answer text as it is written, then the validated :class:`Answer` last.

        With an LLM the chunks are the model's raw text; the final Answer is what survived
        validation (callers should replace the streamed text with ``Answer.answer``). Without an
        LLM, or when abstaining, the whole text comes as one chunk.
        """
        state = self.prefix.invoke(Asked(question, tuple(history), filters))
        llm = self.llm
        if llm is None or (state.signal.abstain and not state.signal.needs_judge):
            answer = self.answer_step(state)
            yield answer.answer
            yield answer
            return
        parts: list[str] = []
        try:
            for chunk in stream_text(llm, llm_messages(state)):
                parts.append(chunk)
                yield chunk
        except LLMError as e:
            answer = self.fallback_answer(
                state,
                [
                    f"language model {describe(llm)} failed while streaming; answered"
                    f" extractively: {e}"
                ],
            )
            answer = validate_answer(state, answer)
            yield "\n\n" + answer.answer
            yield answer
            return
        yield validate_answer(state, self.finish_llm_answer(state, "".join(parts)))


#: Paragraphs a concept rescue may add.
RESCUE_MAX_HITS = 3
