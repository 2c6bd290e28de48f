"""Turn a follow-up question into a standalone one that retrieval can use on its own.

"And on racism?" after "What did Belgium commit to on the death penalty?" must search for
Belgium's pledges on racism, and "那么关于儿童权利呢？" after a question about Belgium must keep
Belgium in focus. Without an LLM a rule does this: when the new question is elliptical (it opens
with "and"/"what about"/"et"/"y"/"那么", ends with "呢", or names no country while the
conversation did), the question is searched as asked, in its own language, and the country or
document in focus is carried over as a search filter (``Condensed.scope``); when it names no
topic at all ("And France?", "What about it?"), the topic of the last turn that had one is
carried over.
With an LLM the model rewrites the question and the rule is the fallback when it fails.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.errors import LLMError
from assistant.llm import invoke_text
from assistant.prompts import CONDENSE_PROMPT
from assistant.terms import question_terms
from ingest.countries import localized_name
from ingest.language import detect_language, fold

_SYMBOL_RE = re.compile(r"\b[A-Z]{1,4}(?:/[A-Z0-9.\-]+){2,}")

#: Openings that mark a follow-up leaning on the previous turn.
_OPENERS = re.compile(
    r"^\s*(?:¿\s*)?(?:"
    r"and\s+what\s+about|and\s+how\s+about|what\s+about|how\s+about|and\s+also|and|also|"
    r"same\s+(?:question\s+)?for|what\s+of|"
    r"et\s+qu['’]en\s+est[- ]il\s+d[ue]s?|qu['’]en\s+est[- ]il\s+d[ue]s?|et\s+pour|et\s+sur|et|"
    r"y\s+qu[ée]\s+hay\s+de|qu[ée]\s+hay\s+de|y\s+sobre|y\s+en|y|"
    r"а\s+что\s+насч[её]т|а\s+как\s+насч[её]т|а|и|"
    r"و"
    r")(?![\w])"
    r"|^\s*(?:那么关于|那关于|那么|还有|另外|此外|关于|至于|那)",
    re.IGNORECASE,
)
_PRONOUNS = re.compile(
    r"(?<![\w])(?:it|this|that|them|those|these|cela|ça|ceci|eso|esto|ello|это|этом)(?![\w])"
    r"|这方面|这个问题|这一问题|此事|它",
    re.IGNORECASE,
)


@dataclass
class Condensed:
    """A question ready for retrieval and how it was obtained."""

    question: str
    method: Literal["none", "rule", "llm"] = "none"
    carried: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Filters carried from earlier turns (``country`` ISO alpha-3 code or document ``symbol``)
    #: that the search of ``question`` runs under.
    scope: dict[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """The question as a reader should see what was searched: with the carried scope."""
        if not self.scope:
            return self.question
        return f"{self.question} [{'; '.join(self.carried)}]"


def _has_topic(text: str, lang: str) -> bool:
    terms = question_terms(text, lang)
    return bool(terms.topical or terms.words)


def is_elliptical(question: str, history: Sequence[str]) -> bool:
    """Does the question lean on earlier turns (rule-based; no model)?"""
    if not history:
        return False
    q = question.strip()
    if _OPENERS.match(q) or re.search(r"呢\s*[?？]?\s*$", q):
        return True
    lang = detect_language(q)
    if not _has_topic(q, lang) or _PRONOUNS.search(q):
        return True
    if question_terms(q, lang).countries:
        return False
    # No country of its own while the conversation had one, and short: a follow-up.
    short = len(fold(q).split()) <= 8 if lang not in ("zh",) else len(q) <= 16
    return short and any(question_terms(h).countries for h in history)


def condense_rule(question: str, history: Sequence[str]) -> Condensed:
    """Standalone question by rule: carry the country/document in focus and, if needed, the topic.

    Args:
        question: The new user message.
        history: Earlier user questions, oldest first.
    """
    if not history or not is_elliptical(question, history):
        return Condensed(question=question, method="none")
    lang = detect_language(question)
    terms = question_terms(question, lang)
    carried: list[str] = []

    # Country (or document) in focus: the question's own, else the latest turn that named one.
    country: tuple[str, str] | None = terms.countries[0] if terms.countries else None
    symbol_match = _SYMBOL_RE.search(question)
    symbol = symbol_match.group(0) if symbol_match else None
    if country is None and symbol is None:
        for turn in reversed(history):
            found = question_terms(turn).countries
            sym = _SYMBOL_RE.search(turn)
            if found:
                country = found[0]
                carried.append(f"country: {country[1]}")
                break
            if sym:
                symbol = sym.group(0)
                carried.append(f"document: {symbol}")
                break

    if not _has_topic(question, lang) or (
        _PRONOUNS.search(question) and not terms.topical and not terms.words
    ):
        # No topic of its own: reuse the last turn that had one, with the new country if any.
        for turn in reversed(history):
            if _has_topic(turn, detect_language(turn)):
                standalone = _swap_country(turn, terms.countries[0] if terms.countries else None)
                carried.append(f"topic of: {turn}")
                return Condensed(question=standalone, method="rule", carried=carried)
        return Condensed(question=question, method="none")

    # A topic of its own: the question is searched as asked, in its own words and language, and
    # the country or document in focus is carried as a filter, not spliced into the text (a
    # template per language would cover only the languages someone wrote one for, and would
    # bury a short follow-up's topic under the framing of the earlier question).
    scope: dict[str, str] = {}
    if country is not None and not terms.countries:
        scope["country"] = country[0]
    elif symbol is not None and not symbol_match:
        scope["symbol"] = symbol
    if not scope:
        return Condensed(question=question, method="none")
    return Condensed(question=question, method="rule", carried=carried, scope=scope)


def _swap_country(turn: str, new: tuple[str, str] | None) -> str:
    """The earlier question with its country replaced by ``new`` (unchanged when None)."""
    if new is None:
        return turn
    old = question_terms(turn).countries
    if not old:
        return f"{turn} ({new[1]})"
    lang = detect_language(turn)
    old_names = {
        old[0][1],
        localized_name(old[0][1], lang),
    }
    out = turn
    for name in sorted(old_names, key=len, reverse=True):
        out = re.sub(re.escape(name), localized_name(new[1], lang), out)
    return out


def condense_llm(question: str, history: Sequence[str], llm: Any) -> Condensed:
    """Let the chat model rewrite the follow-up; fall back to the rule when it fails.

    The model's rewrite is rejected (and the rule used) when the call fails, comes back empty,
    spans several lines or is far longer than a question.
    """
    if not history:
        return Condensed(question=question, method="none")
    messages = CONDENSE_PROMPT.template.format_messages(
        history="\n".join(f"- {h}" for h in history), question=question
    )
    try:
        text = invoke_text(llm, messages).strip().strip('"“”')
    except LLMError as e:
        fallback = condense_rule(question, history)
        fallback.warnings.append(f"follow-up rewritten by rule: {e}")
        return fallback
    if not text or "\n" in text or len(text) > max(300, 4 * len(question) + 200):
        fallback = condense_rule(question, history)
        fallback.warnings.append(
            "follow-up rewritten by rule: the language model's rewrite was unusable"
            f" ({text[:80]!r})"
        )
        return fallback
    return Condensed(question=text, method="llm")


def condense(question: str, history: Sequence[str] = (), llm: Any | None = None) -> Condensed:
    """Standalone question for retrieval: by the LLM when one is given, else by rule."""
    if llm is not None and history:
        return condense_llm(question, history, llm)
    return condense_rule(question, history)
