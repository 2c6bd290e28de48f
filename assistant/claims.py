"""Check a claim against the stored pledges: supported, contradicted, related or not found.

The check fails closed. Without evidence on the claim's topics the verdict is ``not_found``
(retrieval and the abstain signal decide, as for questions). On the paragraphs found, the rules
of :mod:`assistant.factcheck` compare the claim with each sentence: its topics and treaty
numbers, every year, range, count and ordinal, the modality (done versus pledged) and the
polarity. ``supported`` needs a sentence that matches all of them; ``contradicted`` a sentence
on the topic that states otherwise (both sides are quoted); everything else is ``related``,
with the parts that were not checked named. With a language model configured, the model reads
the quoted sentences and judges entailment; the rules still overrule it (a "supported" over a
year mismatch becomes ``contradicted``, with a warning) and it can never turn missing evidence
into support.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from assistant import prompts
from assistant.abstain import assess
from assistant.chain import AnswerChain
from assistant.citations import make_citation, sentence_spans
from assistant.errors import LLMError
from assistant.extractive import select_extracts
from assistant.factcheck import (
    ClaimFacets,
    RuleVerdict,
    SentenceCheck,
    anchors,
    check_sentence,
    judge,
    read_claim,
    rule_words,
    states_something,
)
from assistant.llm import invoke_text
from assistant.terms import concept_names, word_occurs
from assistant.types import Citation, ClaimCheck, Verdict
from ingest.language import LANGUAGE_NAMES, compact, fold
from vectorstore.records import Filters, SearchHit

#: Paragraphs read for a claim.
CLAIM_K = 10


def _llm_judgement(llm: Any, claim: str, quotes: list[str]) -> tuple[str, int | None]:
    """(``SUPPORTED`` | ``CONTRADICTED`` | ``NOT_FOUND``, marker) from the chat model.

    The model sees the quoted sentences, numbered as the evidence is, not whole paragraphs.

    Raises:
        LLMError: the model failed or its reply did not start with one of the three words.
    """
    context = prompts.delimit_passages([(f"[{i}]", t) for i, t in enumerate(quotes, start=1)])
    messages = prompts.CLAIM_PROMPT.template.format_messages(context=context, claim=claim)
    reply = invoke_text(llm, messages).strip()
    first = reply.splitlines()[0].strip().upper().replace(" ", "_") if reply else ""
    label = next(
        (w for w in ("SUPPORTED", "CONTRADICTED", "NOT_FOUND") if first.startswith(w)), None
    )
    if label is None:
        raise LLMError(
            f"claim check: expected SUPPORTED, CONTRADICTED or NOT_FOUND, found {reply[:80]!r}"
        )
    marker = re.search(r"\[(\d+)\]", reply)
    return label, int(marker.group(1)) if marker else None


def _with_llm(
    chain: AnswerChain, facets: ClaimFacets, rules: RuleVerdict, verdict: Verdict
) -> Verdict:
    """Let the model judge the quoted sentences.

    Let the model judge the quoted sentences; the rules keep the last word on values,
    modality and polarity.
    """
    try:
        label, marker = _llm_judgement(chain.llm, facets.text, [c.quote for c in verdict.evidence])
    except LLMError as e:
        return verdict.model_copy(
            update={"warnings": [*verdict.warnings, f"the language model could not judge: {e}"]}
        )
    warnings = list(verdict.warnings)
    if rules.status == "contradicted":
        if label != "CONTRADICTED":
            warnings.append(
                f"the language model said {label}; overruled by the rules: "
                + "; ".join(rules.reasons)
            )
        return verdict.model_copy(update={"warnings": warnings})
    if label == "CONTRADICTED":
        chosen = [c for c in verdict.evidence if marker and c.marker == f"[{marker}]"]
        return verdict.model_copy(
            update={
                "status": "contradicted",
                "explanation": f"{prompts.CLAIM_CONTRADICTED} (judged by the language model on"
                f" {(chosen or verdict.evidence)[0].marker}).",
                "evidence": chosen + [c for c in verdict.evidence if c not in chosen],
            }
        )
    if label == "NOT_FOUND":
        if rules.status == "supported":
            warnings.append("the language model did not find the claim stated; the rules did")
        return verdict.model_copy(
            update={
                "status": "related",
                "explanation": f"{prompts.CLAIM_RELATED} The language model did not find it"
                " stated in the quotes.",
                "warnings": warnings,
            }
        )
    # SUPPORTED: accepted where the rules found no conflict, but values the pledge sentence
    # does not state stay unconfirmed whatever the model says.
    if (
        rules.status == "related"
        and rules.best is not None
        and any(f.facet == "value" for f in rules.best.unchecked)
    ):
        warnings.append(
            "the language model said SUPPORTED, but a year or number of the claim is not stated"
            " in the quotes: kept as related"
        )
        return verdict.model_copy(update={"warnings": warnings})
    return verdict.model_copy(
        update={
            "status": "supported",
            "explanation": f"{prompts.CLAIM_SUPPORTED} (paragraph {verdict.evidence[0].number},"
            " [1]; judged by the language model, values and modality checked by the rules).",
            "not_checked": [],
            "warnings": warnings,
        }
    )


def _sentence_checks(
    claim: ClaimFacets, hits: list[SearchHit]
) -> list[tuple[SearchHit, SentenceCheck]]:
    out = []
    for hit in hits:
        para, doc = hit.paragraph, hit.document
        year = doc.date.year if doc.date else None
        for s, e in sentence_spans(para.text):
            check = check_sentence(
                claim, para.text[s:e], doc.language or "en", para.lead_in or "", year
            )
            check.start, check.end = s, e
            out.append((hit, check))
    return out


def _records(check: SentenceCheck | None) -> list[ClaimCheck]:
    if check is None:
        return []
    return [
        ClaimCheck(
            facet=f.facet,
            outcome=f.outcome,
            claim=f.claim_part,
            evidence=f.evidence_part,
            note=f.note,
        )
        for f in check.findings
    ]


def _unverified_words(words: list[str], sentence: str) -> list[str]:
    folded, compacted = fold(sentence), compact(sentence)
    return [w for w in words if not word_occurs(w, folded, compacted)]


def verify_claim(chain: AnswerChain, claim: str, filters: Filters | None = None) -> Verdict:
    """Check ``claim`` against the stored pledges.

    Args:
        chain: The answer chain whose retrieval, store and optional LLM are used.
        claim: A sentence such as "Belgium pledged to ratify OPCAT".
        filters: Restrict the search (country, language, term, symbol, document).
    """
    retrieval = chain.retrieve(claim, filters, k=CLAIM_K)
    stored, complete = chain.stored_countries()
    signal = assess(retrieval.terms, retrieval.hits, stored, countries_complete=complete)
    concepts = {c.id for c in retrieval.terms.topical}
    if not signal.countries_missing and concepts & set(signal.missing):
        # A wrong year or number pulls the ranking towards other paragraphs; the topic is
        # looked for in the pledges themselves before it is called missing (as for questions).
        extra = chain.rescue(retrieval, signal.missing)
        if extra:
            retrieval.hits.extend(extra)
            signal = assess(retrieval.terms, retrieval.hits, stored, countries_complete=complete)
    lead = prompts.CLAIM_NOT_FOUND.rstrip(".")
    not_found = Verdict(
        claim=claim,
        status="not_found",
        explanation=f"{lead}: {signal.reason}.",
        evidence=[],
    )
    facets = read_claim(claim)
    # Years and number words are checked as values by the rules, not as words to find.
    value_words = rule_words(claim, facets.language)
    terms = retrieval.terms
    terms = replace(terms, words=[w for w in terms.words if w not in value_words])
    if not states_something(facets, terms.words):
        # Nothing to compare: any pledge sentence would "support" a country name or "x".
        return not_found.model_copy(
            update={
                "explanation": f"{lead}: the claim names no topic to check (a subject such as"
                " a treaty, a right or a body, beyond a country and words like 'pledged'),"
                " so no pledge sentence can state it; write the claim as a sentence that names"
                " what was pledged or done."
            }
        )
    signal = assess(terms, retrieval.hits, stored, countries_complete=complete)
    concept_ids = {c.id for c in terms.topical}
    concepts_missing = [m for m in signal.missing if m in concept_ids]
    # Fail closed: every glossary topic of the claim (or, when it names none, its words) and
    # every country it names must be in the evidence.
    # A treaty number the retrieved paragraphs write is the topic, whatever the other words.
    named_ident = bool(facets.idents) and all(
        any(f"ident:{n}" in {a.key for a in anchors(h.paragraph.text)} for h in retrieval.hits)
        for n in facets.idents
    )
    if (
        not retrieval.hits
        or signal.countries_missing
        or concepts_missing
        or (signal.abstain and not concept_ids and not named_ident)
    ):
        return not_found
    # Same-script words the pledges do not use: the claim says something the quotes do not.
    words_missing = [m for m in signal.missing if m not in concept_ids]
    extracts = select_extracts(terms, retrieval.hits, max_quotes=3)
    pairs = _sentence_checks(facets, retrieval.hits)
    if not any(c.topic_hits for _, c in pairs) and not extracts:
        return not_found
    named = {k for _, c in pairs for k in c.keys}
    absent = [n for n in facets.idents if f"ident:{n}" not in named]
    if absent:
        # A treaty number is a name: a pledge that never writes it does not address it.
        numbers = ", ".join(f"No. {n}" for n in absent)
        return not_found.model_copy(
            update={"explanation": f"{lead}: no retrieved paragraph names {numbers}."}
        )
    rules = judge(facets, [c for _, c in pairs], terms.words)
    if rules.status == "contradicted":
        # Before calling a claim false, look for every topic of it in the pledges: the
        # paragraph that agrees may be ranked below the one that does not.
        extra = chain.rescue(retrieval, sorted(concept_ids))
        if extra:
            more = _sentence_checks(facets, extra)
            pairs += more
            rules = judge(facets, [c for _, c in pairs], terms.words)
    if rules.status == "supported" and words_missing:
        rules = RuleVerdict(
            "related",
            rules.best,
            [f"the pledges do not use the claim's words {', '.join(words_missing)}"],
            rules.unchecked,
        )
    best_hit = next((h for h, c in pairs if c is rules.best), None)
    evidence = _evidence(rules, best_hit, extracts)
    not_checked = list(rules.reasons if rules.status == "related" else [])
    words_left = _unverified_words(terms.words, rules.best.sentence) if rules.best else []
    if words_left:
        not_checked.append("words not compared with the pledge: " + ", ".join(words_left))
    verdict = Verdict(
        claim=claim,
        status=rules.status,
        explanation=_explain(rules, evidence) + _topics_note(best_hit, facets.language),
        evidence=evidence,
        checks=_records(rules.best),
        not_checked=not_checked,
    )
    if chain.llm is not None:
        verdict = _with_llm(chain, facets, rules, verdict)
    return verdict


def _topics_note(hit: SearchHit | None, claim_language: str) -> str:
    """What the decisive paragraph is about, when it is written in another language.

    Without a translation model the reader of an English claim cannot check a Chinese quote;
    the glossary topics the paragraph names can be given (in English, the language of the
    explanation). A claim on "the responsibility to protect" supported by a paragraph whose
    topics are "children, armed conflict, group of friends" shows the reader the mismatch the
    rules could not see.
    """
    if hit is None or hit.document.language == claim_language:
        return ""
    topics = concept_names(hit.paragraph.text_with_lead_in, "en")
    if not topics:
        return ""
    language = LANGUAGE_NAMES.get(hit.document.language or "", hit.document.language or "")
    return (
        f" Paragraph {hit.paragraph.number} is written in {language}; the topics it names:"
        f" {', '.join(topics)}."
    )


def _evidence(rules: RuleVerdict, best_hit: SearchHit | None, extracts: list) -> list[Citation]:
    """The decisive sentence as [1], then the other quotes (each an exact substring)."""
    quotes: list[tuple[SearchHit, str]] = []
    if rules.best is not None and best_hit is not None:
        quotes.append((best_hit, best_hit.paragraph.text[rules.best.start : rules.best.end]))
    for e in extracts:
        if not any(
            h.paragraph.id == e.hit.paragraph.id and (q in e.quote or e.quote in q)
            for h, q in quotes
        ):
            quotes.append((e.hit, e.quote))
    return [make_citation(f"[{i}]", h, q) for i, (h, q) in enumerate(quotes[:3], start=1)]


def _explain(rules: RuleVerdict, evidence: list[Citation]) -> str:
    where = f" (paragraph {evidence[0].number}, [1])" if evidence else ""
    if rules.status == "supported":
        return (
            f"{prompts.CLAIM_SUPPORTED}{where} Checked by rules, without a language model: topic,"
            " every year, range, number and treaty number of the claim, modality (done or"
            " pledged) and polarity; other words are listed under not_checked."
        )
    if rules.status == "contradicted":
        return f"{prompts.CLAIM_CONTRADICTED}{where}: " + "; ".join(rules.reasons) + "."
    reasons = "; ".join(rules.reasons) or "its wording could not be compared"
    return f"{prompts.CLAIM_RELATED}{where} Not judged: {reasons}. Read the quotes."
