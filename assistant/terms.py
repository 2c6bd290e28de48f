"""What a question is about, split into parts the evidence can be checked for.

The answer chain needs to know what a question is *about* in a way that survives translation: an
English question about the death penalty must be recognised in a Chinese paragraph that says 死刑.
The glossary (:mod:`vectorstore.glossary`) maps human-rights concepts to their wording in the six
UN languages; words that are not in it are still checked literally when the evidence is written
in the question's script. Countries come from :mod:`ingest.countries`, scripts and languages from
:mod:`ingest.language`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

import jieba

from ingest.countries import all_names, find_countries
from ingest.language import CYRILLIC, HAN, char_class, compact, detect_language, fold, has_han
from vectorstore.glossary import Concept, default_glossary
from vectorstore.stopwords import question_stopwords

_LATIN_WORD_RE = re.compile(f"[a-z0-9{char_class(CYRILLIC)}]+(?:['’][a-z]+)?")
_NOT_HAN = re.compile(f"[^{char_class(HAN)}]+")
jieba.setLogLevel(logging.WARNING)


# -- key terms -----------------------------------------------------------------------------------


@dataclass
class QuestionTerms:
    """What a question asks about, split into checkable parts."""

    language: str
    countries: list[tuple[str, str]]
    concepts: list[Concept]
    #: Content words outside the glossary, folded (Latin) or as written (CJK).
    words: list[str]

    @property
    def topical(self) -> list[Concept]:
        """Concepts that decide coverage (weight > 0)."""
        return [c for c in self.concepts if c.weight > 0]


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        for i in range(s, min(e, len(chars))):
            chars[i] = " "
    return "".join(chars)


def question_terms(question: str, language: str | None = None) -> QuestionTerms:
    """Countries, glossary concepts and remaining content words of a question."""
    lang = language or detect_language(question)
    countries = find_countries(question)
    folded, compacted = fold(question), compact(question)
    # Blank the countries' names (every language) so "Belgium" / "比利时" is not a topic word.
    codes = {code for code, _ in countries}
    for n in all_names():
        if n.code not in codes:
            continue
        if n.cjk:
            compacted = compacted.replace(n.compact, " " * len(n.compact))
        elif n.folded:
            folded = re.sub(
                r"(?<![\w])" + re.escape(n.folded) + r"(?![\w])",
                lambda m: " " * len(m.group(0)),
                folded,
            )
    found = default_glossary().find_views(folded, compacted)
    concepts = [c for c, _ in found]
    f_spans = [(s, e) for _, spans in found for v, s, e in spans if v == "f"]
    c_spans = [(s, e) for _, spans in found for v, s, e in spans if v == "c"]
    words: list[str] = []
    if lang == "zh" or has_han(question):
        words.extend(_zh_words(_blank(compacted, c_spans)))
    for w in _LATIN_WORD_RE.findall(_blank(folded, f_spans)):
        w = re.sub(r"'s$", "", w.strip("'"))
        if len(w) < 3 or w.isdigit() or w in question_stopwords()[0]:
            continue
        words.append(w)
    return QuestionTerms(lang, countries, concepts, list(dict.fromkeys(words)))


def _zh_words(text: str) -> list[str]:
    out = []
    for tok in jieba.lcut(_NOT_HAN.sub(" ", text)):
        tok = tok.strip()
        if len(tok) < 2 or tok in question_stopwords()[1]:
            continue
        out.append(tok)
    return out


def word_occurs(word: str, folded: str, compacted: str) -> bool:
    """A content word outside the glossary appears in a text (light stemming for Latin words)."""
    if has_han(word):
        return word in compacted
    stem = word if len(word) <= 5 else word[: max(5, len(word) - 3)]
    return re.search(r"(?<![\w])" + re.escape(stem), folded) is not None


def script_of(language: str | None) -> str:
    """Writing system of a language: ``latin``, ``cjk``, ``cyrillic`` or ``arabic``."""
    return {"zh": "cjk", "ru": "cyrillic", "ar": "arabic"}.get(language or "en", "latin")
