"""Check a claim against the stored pledges: supported, not found, or (by an LLM) contradicted.

The check fails closed. Without evidence the verdict is ``not_found``; ``supported`` needs every
topical term of the claim (in any UN language, via the glossary) to appear in the quoted
paragraphs. Without a language model the wording is not judged beyond that, and the explanation
says so and names the words it could not check. With a model configured, the model reads the
same passages and may downgrade the verdict to ``not_found`` or judge it ``contradicted``; it
can never turn missing evidence into support.
"""

from __future__ import annotations

import re
from typing import Any

from assistant import prompts
from assistant.abstain import assess
from assistant.chain import AnswerChain
from assistant.citations import make_citation
from assistant.errors import LLMError
from assistant.extractive import select_extracts
from assistant.llm import invoke_text
from assistant.types import Citation, Verdict
from vectorstore.records import Filters

#: Paragraphs read for a claim.
CLAIM_K = 6


def _llm_judgement(
    llm: Any, claim: str, evidence: list[Citation], passages: list[str]
) -> tuple[str, int | None]:
    """(``SUPPORTED`` | ``CONTRADICTED`` | ``NOT_FOUND``, marker) from the chat model.

    Raises:
        LLMError: the model failed or its reply did not start with one of the three words.
    """
    context = prompts.delimit_passages([(f"[{i}]", t) for i, t in enumerate(passages, start=1)])
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


def verify_claim(chain: AnswerChain, claim: str, filters: Filters | None = None) -> Verdict:
    """Check ``claim`` against the stored pledges.

    Args:
        chain: The answer chain whose retrieval, store and optional LLM are used.
        claim: A sentence such as "Belgium pledged to ratify OPCAT".
        filters: Restrict the search (country, language, term, symbol, document).
    """
    retrieval = chain.retrieve(claim, filters, k=CLAIM_K)
    docs = chain.reader.documents()
    stored = {d.country.code for d in docs if d.country}
    signal = assess(
        retrieval.terms, retrieval.hits, stored, countries_complete=all(d.country for d in docs)
    )
    lead = prompts.CLAIM_NOT_FOUND.rstrip(".")
    not_found = Verdict(
        claim=claim,
        status="not_found",
        explanation=f"{lead}: {signal.reason}.",
        evidence=[],
    )
    # Fail closed: a claim must have every topical term in the evidence, not just half.
    if signal.abstain or signal.missing or not retrieval.hits:
        return not_found
    extracts = select_extracts(retrieval.terms, retrieval.hits, max_quotes=3)
    # Words outside the glossary in another script than the evidence cannot be checked here.
    words = {w for w in retrieval.terms.words if w not in signal.unverifiable}
    topical = {c.id for c in retrieval.terms.topical} | words
    extracts = [e for e in extracts if not topical or (e.concepts & topical)]
    if not extracts:
        return not_found
    evidence = [make_citation(f"[{i}]", e.hit, e.quote) for i, e in enumerate(extracts, start=1)]
    quoted_terms = set().union(*(e.concepts for e in extracts)) & topical
    if topical and quoted_terms != topical:
        missing = ", ".join(sorted(topical - quoted_terms))
        return not_found.model_copy(update={"explanation": f"{lead}: no quote mentions {missing}."})

    explanation = prompts.CLAIM_SUPPORTED
    if chain.llm is not None:
        try:
            label, marker = _llm_judgement(
                chain.llm, claim, evidence, [e.hit.paragraph.text for e in extracts]
            )
        except LLMError as e:
            explanation += f" The language model could not judge the wording: {e}"
        else:
            if label == "NOT_FOUND":
                return not_found.model_copy(
                    update={"explanation": f"{lead} (judged by the language model)."}
                )
            if label == "CONTRADICTED":
                chosen = [c for c in evidence if marker and c.marker == f"[{marker}]"] or evidence
                return Verdict(
                    claim=claim,
                    status="contradicted",
                    explanation=prompts.CLAIM_CONTRADICTED,
                    evidence=chosen,
                )
            explanation += " The language model judged the wording supported."
    else:
        checked = ", ".join(sorted(topical)) or "the claim's words"
        explanation += (
            f" Checked terms: {checked}. Without a language model the wording itself is not"
            " judged: read the quotes."
        )
        if signal.unverifiable:
            explanation += f" Not checked (other language): {', '.join(signal.unverifiable)}."
    return Verdict(claim=claim, status="supported", explanation=explanation, evidence=evidence)
