"""The answer chain: condense the follow-up → retrieve → decide → answer → validate.

Each step is a LangChain runnable (``langchain_core.runnables``) over one state dict, so the chain
composes with the LangChain ecosystem and each step can be run on its own (evaluation runs
``condense`` and ``retrieve`` exactly as the chain does)::

    question, history, filters
      │ condense   follow-up → standalone question (rule; the LLM when configured)
      │ retrieve   hybrid search; the country the question names narrows it when stored
      │ decide     abstention signal (country in store, key-term coverage across languages)
      │ answer     extractive quotes (default) or LLM prose, or an abstention
      ▼ validate   every citation quotes its retrieved paragraph exactly; markers match citations
    Answer
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant import prompts
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
from assistant.extractive import select_extracts
from assistant.factcheck import Passage, screen_answer
from assistant.grounding import citing_text, ungrounded_sentences
from assistant.terms import (
    LANGUAGE_NAMES,
    QuestionTerms,
    asker_language,
    concept_names,
    detect_language,
    english_language_name,
    language_names_in,
    question_terms,
)
from assistant.types import UN_LANGUAGES, Answer, Citation, Filters, RetrievedItem, SearchHit

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from assistant.service import PledgeService

#: Paragraphs retrieved per question.
TOP_K = 10
#: Paragraphs shown as related reading when abstaining.
RELATED_K = 3
#: Paragraphs handed to the LLM as numbered passages.
LLM_PASSAGES = 5


@dataclass
class Retrieval:
    """What the retrieve step found and how it searched."""

    query: str
    filters: Filters | None
    hits: list[SearchHit]
    terms: QuestionTerms


# -- steps ---------------------------------------------------------------------------------------


def _store_countries(service: PledgeService) -> tuple[set[str], bool]:
    docs = service.documents()
    codes = {d.country.code for d in docs if d.country}
    return codes, all(d.country for d in docs)


def condense_step(service: PledgeService, state: dict[str, Any]) -> Condensed:
    """The standalone question (rule-based, or by the LLM with the rule as fallback)."""
    return condense(state["question"], state.get("history") or (), llm=service.llm)


def retrieve(
    service: PledgeService,
    query: str,
    filters: Filters | None = None,
    k: int = TOP_K,
    language: str | None = None,
) -> Retrieval:
    """Search as the chain does: when the question names one stored country and no country
    filter is set, the search is narrowed to that country's pledges. With ``language`` (the
    asker's) and no language or document filter, each hit becomes the same-numbered paragraph
    of its version in that language when one is stored (:func:`in_language`)."""
    terms = question_terms(query)
    effective = filters
    if terms.countries and not (filters and filters.country):
        stored, _ = _store_countries(service)
        asked = [code for code, _ in terms.countries if code in stored]
        if len(asked) == 1 and len(stored) > 1:
            base = filters.model_dump() if filters else {}
            effective = Filters(**{**base, "country": asked[0]})
    hits = service.search(query, k=k, filters=effective)
    if language and not (effective and (effective.language or effective.doc_id)):
        hits = in_language(hits, language, service.documents(), service.paragraph)
    return Retrieval(query=query, filters=effective, hits=hits, terms=terms)


def retrieve_step(service: PledgeService, state: dict[str, Any]) -> Retrieval:
    return retrieve(
        service,
        state["condensed"].question,
        state.get("filters"),
        language=_question_language(state),
    )


#: Paragraphs the lexical index proposes to a concept rescue (each is then confirmed).
RESCUE_CANDIDATES = 100
#: Paragraphs a concept rescue may add.
RESCUE_MAX_HITS = 3


def concept_rescue(
    service: PledgeService, retrieval: Retrieval, missing: list[str]
) -> list[SearchHit]:
    """Paragraphs in scope that name the missing glossary concepts.

    Dense and lexical retrieval can both miss a paragraph that plainly names the topic in another
    language (a Spanish question, a Chinese text): the ranked search is driven by the question's
    own words. When the coverage check finds a topic missing from the retrieved paragraphs, the
    lexical index is asked for the topic's wording in every UN language, under the same filters,
    and each candidate is confirmed by the coverage matcher; the ones that name the most missing
    topics are added to the retrieved list (after the ranked hits).
    """
    from assistant.terms import compact, fold
    from vectorstore.lexical import tokenize

    wanted = [c for c in retrieval.terms.topical if c.id in missing]
    if not wanted:
        return []
    tokens = [
        token
        for c in wanted
        for lang, variants in c.variants.items()
        for variant in variants
        for token in tokenize(variant.replace("*", ""), lang)
    ]
    store = service.store
    conditions = store.resolve_filters(retrieval.filters)
    seen = {h.paragraph.id for h in retrieval.hits}
    found: list[tuple[int, SearchHit]] = []
    for rid, _ in store.lexical_search(tokens, RESCUE_CANDIDATES, conditions):
        resolved = store.resolve(rid)
        if resolved is None or resolved[0].id in seen:
            continue
        para, doc = resolved
        text = para.text + ("\n" + para.lead_in if para.lead_in else "")
        folded, compacted = fold(text), compact(text)
        n = sum(c.occurs_in(folded, compacted) for c in wanted)
        if n:
            found.append((n, SearchHit(paragraph=para, document=doc, score=0.0)))
    found.sort(key=lambda x: -x[0])
    return [h for _, h in found[:RESCUE_MAX_HITS]]


def decide_step(service: PledgeService, state: dict[str, Any]) -> AbstainSignal:
    """The abstention signal for what was retrieved.

    When a topical concept of the question is missing from the retrieved paragraphs, the
    documents in scope are scanned for it first (:func:`concept_rescue`), so that "missing" means
    missing from the pledges, not just from the top of the ranking.
    """
    retrieval: Retrieval = state["retrieval"]
    stored, complete = _store_countries(service)
    signal = assess(
        retrieval.terms, retrieval.hits, stored, countries_complete=complete, semantic=True
    )
    concepts = {c.id for c in retrieval.terms.topical}
    if not signal.countries_missing and concepts & set(signal.missing):
        extra = concept_rescue(service, retrieval, signal.missing)
        if extra:
            # Mutating the retrieval keeps one list of retrieved paragraphs for answer and trace.
            retrieval.hits.extend(extra)
            signal = assess(
                retrieval.terms, retrieval.hits, stored, countries_complete=complete, semantic=True
            )
    return signal


# -- answers -------------------------------------------------------------------------------------


def _question_language(state: dict[str, Any]) -> str:
    return detect_language(state["question"])


def _asker_language(state: dict[str, Any]) -> str:
    """The language the asker wrote in (any py3langid knows), for the answer's own words."""
    return asker_language(state["question"])


def _paragraph_text(hit: SearchHit) -> str:
    p = hit.paragraph
    return p.text + ("\n" + p.lead_in if p.lead_in else "")


def _aligned(service: PledgeService, hit: SearchHit, language: str) -> list[Any]:
    """The cited paragraph in every other stored language version, the asker's first."""
    found = aligned_versions(
        service.documents(), hit.document, hit.paragraph.number, UN_LANGUAGES, service.paragraph
    )
    return sorted(found, key=lambda a: (a.language != language, a.language or ""))


def _label(c: Citation) -> str:
    """ "Belgium, A/77/89, ¶8" when the symbol is known, else the document's label and ¶."""
    if c.symbol:
        return (
            f"{c.country_name}, {c.symbol}, ¶{c.number}"
            if c.country_name
            else f"{c.symbol}, ¶{c.number}"
        )
    return f"{c.title or c.country_name or c.doc_id}, ¶{c.number}"


def _retrieved_trace(hits: Sequence[SearchHit], cited: set[str]) -> list[RetrievedItem]:
    return [
        RetrievedItem(id=h.paragraph.id, score=round(h.score, 6), cited=h.paragraph.id in cited)
        for h in hits
    ]


def abstain_answer(
    service: PledgeService, state: dict[str, Any], signal: AbstainSignal, extra: Sequence[str] = ()
) -> Answer:
    """An abstention naming what was asked, with the nearest paragraphs as related reading."""
    retrieval: Retrieval = state["retrieval"]
    condensed: Condensed = state["condensed"]
    related: list[Citation] = []
    for i, hit in enumerate(retrieval.hits[:RELATED_K], start=1):
        spans = sentence_spans(hit.paragraph.text)
        quote = hit.paragraph.text[spans[0][0] : spans[0][1]] if spans else hit.paragraph.text
        related.append(make_citation(f"r{i}", hit, quote))
    text = prompts.ABSTAIN_TEMPLATE.format(question=condensed.question)
    if signal.reason:
        text += f": {signal.reason}."
    else:
        text += "."
    if related:
        text += " " + prompts.RELATED_NOTE
    return Answer(
        question=state["question"],
        standalone_question=condensed.question,
        answer=text,
        abstained=True,
        citations=[],
        related=related,
        mode="extractive",
        warnings=[*condensed.warnings, *extra],
        retrieved=_retrieved_trace(retrieval.hits, set()),
    )


def extractive_answer(
    service: PledgeService, state: dict[str, Any], warnings: Sequence[str] = ()
) -> Answer:
    """Quote the most relevant sentences of the top paragraphs, each with a marker [n]."""
    retrieval: Retrieval = state["retrieval"]
    condensed: Condensed = state["condensed"]
    lang = _question_language(state)
    extracts = select_extracts(retrieval.terms, retrieval.hits)
    if not extracts:
        signal = AbstainSignal(abstain=True, reason="no sentence of the retrieved paragraphs fits")
        return abstain_answer(service, state, signal, warnings)
    citations: list[Citation] = []
    for i, ext in enumerate(extracts, start=1):
        citations.append(
            make_citation(f"[{i}]", ext.hit, ext.quote, _aligned(service, ext.hit, lang))
        )
    source_langs = {c.language for c in citations}
    asker = _asker_language(state)
    lead, note_template = prompts.EXTRACTIVE_LEADS.get(asker, prompts.EXTRACTIVE_LEADS["en"])
    names_in = language_names_in(asker if asker in prompts.EXTRACTIVE_LEADS else "en")
    note = ""
    if source_langs and asker not in source_langs:
        names = " / ".join(sorted(names_in.get(x or "", str(x)) for x in source_langs))
        note = note_template.format(language=names)
    lines = [lead.format(language_note=note)]
    label = prompts.TOPICS_LABEL.get(asker)
    for c, ext in zip(citations, extracts, strict=True):
        topics: list[str] = []
        if label and c.language != asker:
            # What can be said of a paragraph in another language without translating it: the
            # glossary topics it names, in the asker's language (only where the glossary has it).
            topics = concept_names(_paragraph_text(ext.hit), asker)
        about = f" ({label}: {', '.join(topics)})" if topics else ""
        lines.append(f"- {_label(c)}{about}: “{c.quote}” {c.marker}")
    if any(a.language == lang for c in citations for a in c.aligned):
        lines.append(
            f"The same paragraphs in {LANGUAGE_NAMES.get(lang, lang)} are shown with the citations."
        )
    cited = {c.id for c in citations}
    return Answer(
        question=state["question"],
        standalone_question=condensed.question,
        answer="\n".join(lines),
        abstained=False,
        citations=citations,
        mode="extractive",
        warnings=[*condensed.warnings, *warnings],
        retrieved=_retrieved_trace(retrieval.hits, cited),
    )


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


def llm_messages(state: dict[str, Any]) -> list[Any]:
    """The chat messages of the answer prompt for this state."""
    retrieval: Retrieval = state["retrieval"]
    asker = _asker_language(state)
    return prompts.ANSWER_PROMPT.template.format_messages(
        context=_passages(retrieval.hits[:LLM_PASSAGES]),
        question=state["condensed"].question,
        cannot_answer=prompts.CANNOT_ANSWER,
        answer_language=english_language_name(asker),
    )


def fallback_answer(
    service: PledgeService, state: dict[str, Any], warnings: Sequence[str]
) -> Answer:
    """When the LLM path fails: the extractive answer, or the abstention the rule had decided
    (the LLM was only asked to judge a question the rule could not check)."""
    signal: AbstainSignal = state["signal"]
    if signal.abstain:
        kept = [w.replace("answered extractively", "the abstention stands") for w in warnings]
        return abstain_answer(service, state, signal, kept)
    return extractive_answer(service, state, warnings)


def finish_llm_answer(service: PledgeService, state: dict[str, Any], raw: str) -> Answer:
    """Validate an LLM reply: markers, quotes, abstention; fall back to extractive when unusable."""
    retrieval: Retrieval = state["retrieval"]
    condensed: Condensed = state["condensed"]
    passages = retrieval.hits[:LLM_PASSAGES]
    text = (raw or "").strip()
    if not text:
        return fallback_answer(
            service, state, ["the language model returned no text; answered extractively"]
        )
    if prompts.CANNOT_ANSWER.rstrip(".") in text and len(text) < len(prompts.CANNOT_ANSWER) + 40:
        signal = AbstainSignal(abstain=True, reason="the language model found no support")
        answer = abstain_answer(service, state, signal)
        return answer.model_copy(update={"mode": "llm"})
    checked = check_markers(text, range(1, len(passages) + 1))
    checked = check_quotes(checked, {i: h.paragraph.text for i, h in enumerate(passages, 1)})
    # The claim checks: no sentence conflicting with the paragraph it cites reaches the reader.
    checked.text, conflicts = screen_answer(
        checked.text, {i: Passage.of(h) for i, h in enumerate(passages, 1)}
    )
    checked.warnings.extend(conflicts)
    # Markers may have been removed with a quotation; recount what is still cited.
    checked.used = [n for n in checked.used if f"[{n}]" in checked.text]
    if not checked.used:
        return fallback_answer(
            service,
            state,
            [
                *checked.warnings,
                "the language model's answer cited no retrieved paragraph; answered extractively",
            ],
        )
    lang = _question_language(state)
    citations: list[Citation] = []
    for n in checked.used:
        hit = passages[n - 1]
        quotes = checked.quotes.get(n)
        if quotes:
            quote = quotes[0]
        else:
            # The sentence of the paragraph that the answer's own words rest on (a reader sees
            # what the paragraph says about that claim), else the one the question points to.
            claimed = citing_text(checked.text, n)
            ext = (claimed and select_extracts(question_terms(claimed), [hit], max_quotes=1)) or (
                select_extracts(retrieval.terms, [hit], max_quotes=1)
            )
            quote = ext[0].quote if ext else hit.paragraph.text
        citations.append(make_citation(f"[{n}]", hit, quote, _aligned(service, hit, lang)))
    cited = {c.id for c in citations}
    # A claim the cited paragraphs do not make (invented, or asked for by a passage) is flagged.
    grounding = ungrounded_sentences(checked.text, {n: passages[n - 1] for n in checked.used})
    return Answer(
        question=state["question"],
        standalone_question=condensed.question,
        answer=checked.text,
        abstained=False,
        citations=citations,
        mode="llm",
        warnings=[*condensed.warnings, *checked.warnings, *grounding],
        retrieved=_retrieved_trace(retrieval.hits, cited),
    )


def answer_step(service: PledgeService, state: dict[str, Any]) -> Answer:
    """Abstain, or answer extractively, or with the LLM (falling back to extractive)."""
    signal: AbstainSignal = state["signal"]
    llm = service.llm
    if signal.abstain and not (signal.needs_judge and llm is not None):
        return abstain_answer(service, state, signal)
    if llm is None:
        return extractive_answer(service, state)
    from assistant.llm import describe, invoke_text

    try:
        raw = invoke_text(llm, llm_messages(state))
    except LLMError as e:
        return fallback_answer(
            service,
            state,
            [f"language model {describe(llm)} unreachable; answered extractively: {e}"],
        )
    return finish_llm_answer(service, state, raw)


def validate_answer(state: dict[str, Any], answer: Answer) -> Answer:
    """Last guard: every citation quotes its retrieved paragraph; markers in text match citations.

    A citation whose quote is not an exact substring of a retrieved paragraph with its id is
    dropped (and its marker removed from the text) with a warning. Nothing should ever reach
    this, but a journalist relies on it.
    """
    retrieval: Retrieval = state["retrieval"]
    texts = {h.paragraph.id: h.paragraph.text for h in retrieval.hits}
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
                "answer": prompts.ABSTAIN_TEMPLATE.format(question=answer.standalone_question)
                + ".",
                "abstained": True,
                "citations": [],
                "warnings": [*warnings, signal.reason],
            }
        )
    return answer.model_copy(update={"answer": text, "citations": kept, "warnings": warnings})


# -- the runnable --------------------------------------------------------------------------------


def build_chain(service: PledgeService) -> Runnable[dict[str, Any], Answer]:
    """The LCEL chain over ``{"question", "history", "filters"}`` returning an :class:`Answer`."""
    from langchain_core.runnables import RunnableLambda, RunnablePassthrough

    def step(fn: Any, name: str) -> Any:
        return RunnableLambda(lambda state: fn(service, state), name=name)

    prefix = (
        RunnablePassthrough.assign(condensed=step(condense_step, "condense"))
        | RunnablePassthrough.assign(retrieval=step(retrieve_step, "retrieve"))
        | RunnablePassthrough.assign(signal=step(decide_step, "decide"))
    )
    answer = RunnablePassthrough.assign(answer=step(answer_step, "answer"))
    validate = RunnableLambda(
        lambda state: validate_answer(state, state["answer"]), name="validate"
    )
    return prefix | answer | validate  # type: ignore[return-value]


def build_prefix(service: PledgeService) -> Runnable[dict[str, Any], dict[str, Any]]:
    """Condense → retrieve → decide, returning the state (streaming answers start from it)."""
    from langchain_core.runnables import RunnableLambda, RunnablePassthrough

    def step(fn: Any, name: str) -> Any:
        return RunnableLambda(lambda state: fn(service, state), name=name)

    return (
        RunnablePassthrough.assign(condensed=step(condense_step, "condense"))
        | RunnablePassthrough.assign(retrieval=step(retrieve_step, "retrieve"))
        | RunnablePassthrough.assign(signal=step(decide_step, "decide"))
    )  # type: ignore[return-value]


def _state(question: str, history: Sequence[str], filters: Filters | None) -> dict[str, Any]:
    return {"question": question, "history": list(history), "filters": filters}


def answer_question(
    service: PledgeService,
    question: str,
    history: Sequence[str] = (),
    filters: Filters | None = None,
) -> Answer:
    """Answer one question (with its earlier turns) from the stored pledges.

    Args:
        service: The service whose store, search and optional LLM are used.
        question: The user's message.
        history: Earlier user questions, oldest first.
        filters: Restrict retrieval (country, language, term, symbol, document).
    """
    return build_chain(service).invoke(_state(question, history, filters))


def stream_answer(
    service: PledgeService,
    question: str,
    history: Sequence[str] = (),
    filters: Filters | None = None,
) -> Iterator[str | Answer]:
    """Yield the answer text as it is written, then the validated :class:`Answer` last.

    With an LLM the chunks are the model's raw text; the final Answer is what survived
    validation (callers should replace the streamed text with ``Answer.answer``). Without an LLM,
    or when abstaining, the whole text comes as one chunk.
    """
    state = build_prefix(service).invoke(_state(question, history, filters))
    llm = service.llm
    signal: AbstainSignal = state["signal"]
    if llm is None or (signal.abstain and not signal.needs_judge):
        answer = validate_answer(state, answer_step(service, state))
        yield answer.answer
        yield answer
        return
    from assistant.llm import describe, stream_text

    parts: list[str] = []
    try:
        for chunk in stream_text(llm, llm_messages(state)):
            parts.append(chunk)
            yield chunk
    except LLMError as e:
        answer = fallback_answer(
            service,
            state,
            [f"language model {describe(llm)} failed while streaming; answered extractively: {e}"],
        )
        answer = validate_answer(state, answer)
        yield "\n\n" + answer.answer
        yield answer
        return
    answer = validate_answer(state, finish_llm_answer(service, state, "".join(parts)))
    yield answer
