"""What a question is about, split into parts the evidence can be checked for.

The answer chain needs to know what a question is *about* in a way that survives translation: an
English question about the death penalty must be recognised in a Chinese paragraph that says 死刑.
The glossary (:mod:`vectorstore.glossary`) maps human-rights concepts to their wording in the six
UN languages; words that are not in it are still checked literally when the evidence is written
in the question's script. Countries come from :mod:`ingest.countries`, scripts and languages from
:mod:`ingest.language`.
"""

from __future__ import annotations

import gettext
import logging
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

import jieba
import pycountry
import regex

from assistant.prompts import LANGUAGE_NAMES_IN
from ingest.countries import all_names, country_mentions, extra_country_names
from ingest.language import (
    CYRILLIC,
    HAN,
    LANGUAGE_NAMES,
    LATIN_EXTENDED,
    char_class,
    compact,
    detect_language,
    fold,
    has_han,
    in_ranges,
    letter_scripts,
    plausible_languages,
)
from ingest.morphology import kana_and_hangul_words
from vectorstore.glossary import Concept, default_glossary
from vectorstore.stopwords import language_stopwords, question_stopwords

#: A word of the folded question in the Latin or Cyrillic script: every letter of either script
#: ("trybunał", "straße" keep the letters folding does not decompose).
_LATIN_WORD_RE = regex.compile(r"[\p{sc=Latn}\p{sc=Cyrl}0-9]+(?:['’]\p{sc=Latn}+)?")
_NOT_HAN = re.compile(f"[^{char_class(HAN)}]+")
jieba.setLogLevel(logging.WARNING)


#: Languages whose names are written lower-case inside a sentence.
_LOWER_CASE_NAMES = frozenset({"it", "pt", "ru", "es", "fr", "pl", "uk", "cs", "sk"})


@lru_cache(maxsize=64)
def language_names_in(language: str) -> dict[str, str]:
    """Names of the six UN languages written in ``language``.

    The prompts' own lists where they have one, else pycountry's ISO 639 translations, else
    English.
    """
    if language in LANGUAGE_NAMES_IN:
        return dict(LANGUAGE_NAMES_IN[language])
    if language == "en":
        return dict(LANGUAGE_NAMES)
    locale = "zh_CN" if language == "zh" else language
    try:
        tr = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[locale])
    except OSError:
        return dict(LANGUAGE_NAMES)
    out = {}
    for code, english in LANGUAGE_NAMES.items():
        name = tr.gettext(english).split(";")[0].strip()
        out[code] = name.lower() if language in _LOWER_CASE_NAMES else name
    return out


def concept_name(concept: Concept, language: str) -> str | None:
    """A concept's name in ``language``: its first term there that is a whole word or phrase.

    In English, when the first term is a stem ("child*", "armed conflict*"), the concept's id,
    which is English ("children", "armed_conflict"), rather than a later term that names only
    part of the concept ("war"). None when the glossary has no whole term in ``language``.
    """
    variants = concept.variants.get(language, ())
    if language == "en" and variants and "*" in variants[0]:
        return concept.id.replace("_", " ")
    return next((v for v in variants if "*" not in v), None)


def concept_names(text: str, language: str, limit: int = 4) -> list[str]:
    """The topical glossary concepts a text names, written in ``language``.

    Each concept's :func:`concept_name`; a concept without a name in ``language`` is left out
    (nothing is translated or invented), so the list is empty when the glossary has no terms in
    ``language``.
    """
    out: list[str] = []
    for concept, _ in default_glossary().find(text):
        if concept.weight <= 0:
            continue
        name = concept_name(concept, language)
        if name and name not in out:
            out.append(name)
        if len(out) >= limit:
            break
    return out


def names_all_topics(text: str, language: str) -> bool:
    """Does ``language`` have a name for every topical glossary concept ``text`` names?"""
    found = [c for c, _ in default_glossary().find(text) if c.weight > 0]
    return all(concept_name(c, language) for c in found)


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


def question_terms(
    question: str, language: str | None = None, unconfirmed: Collection[str] = ()
) -> QuestionTerms:
    """Countries, glossary concepts and remaining content words of a question.

    Args:
        question: The question (or any text read like one: a claim).
        language: Its language among the six UN ones (detected when omitted).
        unconfirmed: Glossary concepts the question matched only in another language's wording
            without the embedder reading them there (:mod:`vectorstore.literal`): they are not
            among its concepts, and the words that matched them are not topic words either
            (German "war" is neither armed conflict nor a word to look for in the evidence).
    """
    lang = language or detect_language(question)
    mentions = country_mentions(question)
    countries = [(code, name) for code, name, _ in mentions]
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
    # Names in other languages, and the declined or prefixed form the question used ("Holandii").
    forms = [name for name, (code, _) in extra_country_names().items() if code in codes]
    for name in [*forms, *(surface for _, _, surface in mentions)]:
        if _glued(name):
            # Scripts that write particles and prefixes on the name itself (ベルギーは, 벨기에의,
            # وبلجيكا): the name is blanked wherever it stands, in both views, so the particle
            # left over is too short to count as a topic word.
            folded = folded.replace(fold(name), " " * len(fold(name)))
            compacted = compacted.replace(compact(name), " " * len(compact(name)))
            continue
        folded = re.sub(
            r"(?<![\w])" + re.escape(fold(name)) + r"(?![\w])",
            lambda m: " " * len(m.group(0)),
            folded,
        )
    found = default_glossary().find_views(folded, compacted)
    concepts = [c for c, _ in found if c.id not in unconfirmed]
    f_spans = [(s, e) for _, spans in found for v, s, e in spans if v == "f"]
    c_spans = [(s, e) for _, spans in found for v, s, e in spans if v == "c"]
    words: list[str] = []
    if lang == "zh" or has_han(question):
        words.extend(_zh_words(_blank(compacted, c_spans)))
    blanked = _blank(folded, f_spans)
    for w in _LATIN_WORD_RE.findall(blanked):
        w = re.sub(r"'s$", "", w.strip("'"))
        if len(w) < 3 or w.isdigit() or w in question_stopwords()[0]:
            continue
        words.append(w)
    # Japanese and Korean write particles and endings on their words: an analyzer reads the
    # nouns out of them (ベルギーは死刑についての → 死刑; 사형제도에 → 사형, 제도).
    analysed, rest = kana_and_hangul_words(blanked)
    words.extend(compact(w) if has_han(w) else w for w in analysed)
    words.extend(_other_script_words(rest))
    # Function words of the languages the question may be in, beyond the curated list above
    # (German "wie", Korean "대해", Hindi "क्या", Arabic "ما"): stopwords-iso's lists.
    languages = plausible_languages(question)
    words = [w for w in words if not any(w in language_stopwords(la) for la in languages)]
    return QuestionTerms(lang, countries, concepts, list(dict.fromkeys(words)))


#: Scripts that write case endings as separate words or as endings the country-name matcher
#: already reads ("Holandii"): there a name is blanked only as a whole word.
_WORD_BOUNDED_SCRIPTS = frozenset({"Latn", "Cyrl", "Grek", "Armn", "Geor"})


def _glued(name: str) -> bool:
    """Is ``name`` written in a script whose particles attach to it (Hangul, kana, Arabic…)?"""
    scripts = letter_scripts(name)
    return bool(scripts) and not set(scripts) <= _WORD_BOUNDED_SCRIPTS


def _other_script_words(text: str) -> list[str]:
    """Words in scripts the rules above do not split (Arabic, Devanagari, Greek, Thai…).

    They cannot be checked against a glossary or stemmed here, but they are topic words all the
    same: the answer-or-abstain decision must see that the question has a topic, and decides it
    by meaning (:mod:`assistant.abstain`).
    """
    out: list[str] = []
    token: list[str] = []
    for ch in text + " ":
        if unicodedata.category(ch)[0] in "LM" and not (
            ch.isascii()
            or in_ranges(ch, CYRILLIC)
            or in_ranges(ch, HAN)
            or in_ranges(ch, LATIN_EXTENDED)
        ):
            token.append(ch)
            continue
        if len(token) >= 2:
            out.append("".join(token))
        token = []
    return out


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
