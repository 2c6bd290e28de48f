"""Language, countries and key terms of a question, and whether a text mentions them.

The answer chain needs to know what a question is *about* in a way that survives translation: an
English question about the death penalty must be recognised in a Chinese paragraph that says 死刑.
A multilingual glossary (``vectorstore/glossary.json``, shared with query expansion) maps
human-rights concepts to their wording in the six UN languages; words that are not in it are
still checked literally when the evidence is written in the question's script. Country names
come from pycountry with its gettext translations, so "Norway", "Norvège" and "挪威" all resolve
to ``NOR``.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from vectorstore.glossary import GlossaryEntry, bundled_glossary, load_glossary

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_ARABIC_RE = re.compile(r"[\u0600-\u06ff]")
_LATIN_WORD_RE = re.compile(r"[a-z0-9\u0400-\u04ff]+(?:['’][a-z]+)?")


# -- normalisation -----------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes and hyphens: the view Latin matching uses."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(
        c
        for c in unicodedata.normalize("NFKD", text)
        if not unicodedata.combining(c) or _CYRILLIC_RE.match(c)
    )
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"[\-‐‑–—_/]", " ", text)
    return re.sub(r"\s+", " ", text)


def compact(text: str) -> str:
    """NFKC text without whitespace: the view CJK and Arabic matching use.

    Text extracted from PDFs puts spaces around digits and at line wraps; they carry nothing here.
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def is_cjk(text: str) -> bool:
    """True when the text contains Chinese characters."""
    return bool(_CJK_RE.search(text))


# -- language ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _latin_identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(["en", "fr", "es"])
    return ident


_FR_HINTS = re.compile(
    r"\b(quels?|quelles?|est-ce|la belgique|de la|sur la|qu'|d'|l')\b|[àâçèêëîôûœ]"
)
_ES_HINTS = re.compile(r"[¿¡ñ]|\b(qué|cuál|cómo|sobre la|bélgica|dónde|por qué)\b")


def detect_language(text: str) -> str:
    """ISO 639-1 code of a question or paragraph among the six UN languages (default ``en``).

    Script decides Chinese, Russian and Arabic; short Latin questions are classified by
    py3langid restricted to English, French and Spanish, with a few unambiguous cues first.
    """
    sample = text[:2000]
    counts = {
        "zh": len(_CJK_RE.findall(sample)),
        "ru": len(_CYRILLIC_RE.findall(sample)),
        "ar": len(_ARABIC_RE.findall(sample)),
    }
    best = max(counts, key=lambda k: counts[k])
    if counts[best] >= 2:
        return best
    lowered = sample.lower()
    if _ES_HINTS.search(lowered):
        return "es"
    if _FR_HINTS.search(lowered):
        return "fr"
    lang, _ = _latin_identifier().classify(sample)  # type: ignore[attr-defined]
    return str(lang)


@lru_cache(maxsize=1)
def _any_identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


#: Confidence py3langid needs before a question is taken to be in a language outside the six.
ASKER_LANGUAGE_CONFIDENCE = 0.6


def asker_language(text: str) -> str:
    """ISO 639-1 code of the language a question is written in, among all the languages
    py3langid knows (Swahili, Dutch, Hindi, Japanese…), for writing the answer in it.

    The six UN languages are decided by :func:`detect_language` (script and cues first, which is
    more reliable on short questions); another language needs py3langid's confidence of at least
    :data:`ASKER_LANGUAGE_CONFIDENCE`, else the UN-language guess stands.
    """
    lang, prob = _any_identifier().classify(text[:2000])  # type: ignore[attr-defined]
    if lang not in LANGUAGE_NAMES and prob >= ASKER_LANGUAGE_CONFIDENCE:
        return str(lang)
    return detect_language(text)


LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ru": "Russian",
    "zh": "Chinese",
}


#: Languages whose names are written lower-case inside a sentence.
_LOWER_CASE_NAMES = frozenset({"it", "pt", "ru", "es", "fr", "pl", "uk", "cs", "sk"})


def english_language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("sw" -> "Swahili"); the code itself when unknown."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    import pycountry

    lang = pycountry.languages.get(alpha_2=code)
    if lang is None:
        return code
    return re.sub(r"\s*\(.*\)$", "", str(lang.name))


@lru_cache(maxsize=64)
def language_names_in(language: str) -> dict[str, str]:
    """Names of the six UN languages written in ``language``: the prompts' own lists where they
    have one, else pycountry's ISO 639 translations, else English."""
    from assistant.prompts import LANGUAGE_NAMES_IN

    if language in LANGUAGE_NAMES_IN:
        return dict(LANGUAGE_NAMES_IN[language])
    if language == "en":
        return dict(LANGUAGE_NAMES)
    import pycountry

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


# -- glossary ------------------------------------------------------------------------------------


def _latin_pattern(variant: str) -> re.Pattern[str]:
    words = fold(variant).split()
    parts = []
    for word in words:
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"[\w']*")
        elif len(word) >= 4:
            parts.append(re.escape(word) + r"(?:s|es)?")
        else:  # short words ("un", "eu") only as themselves: "fe" must not match "fees"
            parts.append(re.escape(word))
    return re.compile(r"(?<![\w])" + r"[\s']+".join(parts) + r"(?![\w])")


@dataclass(frozen=True)
class Concept:
    """One glossary line: a notion and its wording in the UN languages."""

    id: str
    weight: float
    variants: dict[str, tuple[str, ...]]
    latin: tuple[re.Pattern[str], ...] = field(repr=False)
    literal: tuple[str, ...] = field(repr=False)

    def spans(self, folded: str, compacted: str) -> list[tuple[str, int, int]]:
        """Where the concept occurs: (view, start, end) with view "f" (folded) or "c" (compact)."""
        out: list[tuple[str, int, int]] = []
        for pat in self.latin:
            out.extend(("f", m.start(), m.end()) for m in pat.finditer(folded))
        for lit in self.literal:
            start = compacted.find(lit)
            while start != -1:
                out.append(("c", start, start + len(lit)))
                start = compacted.find(lit, start + 1)
        return out

    def occurs_in(self, folded: str, compacted: str) -> bool:
        """True when any wording of the concept appears in the text (given in both views)."""
        if any(lit in compacted for lit in self.literal):
            return True
        return any(pat.search(folded) for pat in self.latin)


class Glossary:
    """Multilingual concepts of the shared glossary file (see :mod:`vectorstore.glossary`)."""

    def __init__(self, concepts: list[Concept]) -> None:
        self.concepts = concepts

    @classmethod
    def from_entries(cls, entries: Iterable[GlossaryEntry]) -> Glossary:
        """Matchers for the coverage concepts: Chinese and Arabic terms as substrings, others as
        words (concepts marked ``cover: false`` and ``expand_only`` terms are left out)."""
        concepts: list[Concept] = []
        for entry in entries:
            if not entry.cover:
                continue
            variants = entry.coverage_terms()
            latin: list[re.Pattern[str]] = []
            literal: list[str] = []
            for lang, vs in variants.items():
                for v in vs:
                    if lang in ("zh", "ar") or is_cjk(v):
                        literal.append(compact(v))
                    else:
                        latin.append(_latin_pattern(v))
            concepts.append(
                Concept(
                    entry.id,
                    entry.weight,
                    variants,
                    tuple(latin),
                    tuple(dict.fromkeys(literal)),
                )
            )
        return cls(concepts)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Glossary:
        """Read a glossary JSON file (the bundled one by default).

        Raises:
            ConfigError: The file is missing or malformed (the message names it).
        """
        return cls.from_entries(load_glossary(path))

    def find(self, text: str) -> list[tuple[Concept, list[tuple[str, int, int]]]]:
        """Concepts mentioned in ``text`` with their spans; longer matches win overlaps."""
        return self.find_views(fold(text), compact(text))

    def find_views(
        self, folded: str, compacted: str
    ) -> list[tuple[Concept, list[tuple[str, int, int]]]]:
        """Like :meth:`find`, on text already folded and compacted."""
        found = [(c, c.spans(folded, compacted)) for c in self.concepts]
        found = [(c, s) for c, s in found if s]
        # A span inside a longer span of another concept does not count ("sexual violence"
        # is not also "violence against women"; "armed conflict" is not also "war").
        kept: list[tuple[Concept, list[tuple[str, int, int]]]] = []
        all_spans = [(c.id, sp) for c, spans in found for sp in spans]
        for c, spans in found:
            own = [
                sp
                for sp in spans
                if not any(
                    oid != c.id
                    and osp[0] == sp[0]
                    and osp[1] <= sp[1]
                    and sp[2] <= osp[2]
                    and (osp[2] - osp[1]) > (sp[2] - sp[1])
                    for oid, osp in all_spans
                )
            ]
            if own:
                kept.append((c, own))
        return kept


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    """The bundled glossary (``vectorstore/glossary.json``, loaded once; checked on load)."""
    return Glossary.from_entries(bundled_glossary())


# -- countries -----------------------------------------------------------------------------------

_LOCALES = {"fr": "fr", "es": "es", "zh": "zh_CN", "ru": "ru", "ar": "ar"}
_EXTRA_NAMES = {
    "GBR": ["UK", "Britain", "Great Britain", "英国"],
    "USA": ["USA", "United States of America", "America", "美国"],
    "RUS": ["Russia", "俄罗斯"],
    "KOR": ["South Korea", "Republic of Korea", "韩国"],
    "PRK": ["North Korea", "朝鲜"],
    "IRN": ["Iran"],
    "SYR": ["Syria"],
    "VEN": ["Venezuela"],
    "BOL": ["Bolivia"],
    "TZA": ["Tanzania"],
    "VNM": ["Vietnam", "Viet Nam", "越南"],
    "LAO": ["Laos"],
    "MDA": ["Moldova"],
    "CZE": ["Czech Republic", "Czechia"],
    "TUR": ["Türkiye", "Turkey"],
    "NLD": ["Netherlands", "Holland", "荷兰"],
}
#: Chinese country names that also occur inside ordinary words ("发展中国家": developing countries).
_ZH_TRAPS = ("发展中国家", "中国家")


@dataclass(frozen=True)
class CountryName:
    code: str
    name: str
    folded: str
    compact: str
    cjk: bool


@lru_cache(maxsize=1)
def _country_names() -> list[CountryName]:
    import pycountry

    translators = {}
    for lang, loc in _LOCALES.items():
        try:
            translators[lang] = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[loc]
            )
        except OSError:  # a locale missing from this pycountry build: that language is skipped
            continue
    names: dict[tuple[str, str], CountryName] = {}

    def add(code: str, english: str, name: str) -> None:
        name = name.strip()
        if len(name) < 2:
            return
        key = (code, name.lower())
        if key not in names:
            names[key] = CountryName(code, english, fold(name), compact(name), is_cjk(name))

    for c in pycountry.countries:
        english = getattr(c, "common_name", None) or c.name
        base = [c.name, english]
        if getattr(c, "official_name", None):
            base.append(c.official_name)
        for n in base:
            add(c.alpha_3, english, n)
            for tr in translators.values():
                add(c.alpha_3, english, tr.gettext(n))
        for extra in _EXTRA_NAMES.get(c.alpha_3, []):
            add(c.alpha_3, english, extra)
    # Longest names first so "South Sudan" wins over "Sudan", "巴布亚新几内亚" over "几内亚".
    return sorted(names.values(), key=lambda n: -len(n.name if n.cjk else n.folded))


def concept_names(text: str, language: str, limit: int = 4) -> list[str]:
    """The topical glossary concepts a text names, written in ``language`` (each concept's first
    term in that language). Empty when the glossary has no terms in ``language``: nothing is
    translated or invented."""
    out: list[str] = []
    for concept, _ in glossary().find(text):
        if concept.weight <= 0:
            continue
        names = [v for v in concept.variants.get(language, ()) if "*" not in v]
        if names and names[0] not in out:
            out.append(names[0])
        if len(out) >= limit:
            break
    return out


def country_occurs(code: str, folded: str, compacted: str) -> bool:
    """Does a text (given folded and compacted) name the country ``code`` in any UN language?"""
    for n in _country_names():
        if n.code != code:
            continue
        if n.cjk:
            if n.compact in compacted:
                return True
        elif n.folded and re.search(r"(?<![\w])" + re.escape(n.folded) + r"(?![\w])", folded):
            return True
    return False


def country_name(code: str) -> str:
    """English short name of an ISO alpha-3 code (the code itself when unknown)."""
    import pycountry

    c = pycountry.countries.get(alpha_3=code.upper())
    if c is None:
        return code
    return str(getattr(c, "common_name", None) or c.name)


@lru_cache(maxsize=1)
def _country_matchers() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, CountryName]]:
    names = _country_names()
    by_form: dict[str, CountryName] = {}
    for n in names:  # longest first: the first form registered wins
        by_form.setdefault(n.compact if n.cjk else n.folded, n)
    latin = sorted((f for f, n in by_form.items() if not n.cjk and f), key=len, reverse=True)
    cjk = sorted((f for f, n in by_form.items() if n.cjk and f), key=len, reverse=True)
    latin_re = re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, latin)) + r")(?![\w])")
    cjk_re = re.compile("|".join(map(re.escape, cjk)))
    return latin_re, cjk_re, by_form


#: Locales of pycountry's country-name translations read beyond the six UN languages, so that
#: "België", "Belgien", "Ubelgiji", "बेल्जियम" or "Österreich" name their country in a question.
EXTRA_COUNTRY_LOCALES = (
    "de", "nl", "it", "pt", "tr", "hi", "sw", "ja", "ko", "pl", "id", "vi", "fa", "uk", "el",
    "he", "bn", "ur", "th", "ms", "sv", "da", "nb_NO", "fi", "cs", "hu", "ro",
)  # fmt: skip


_UNSPACED_RE = re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u0e00-\u0e7f]")


@lru_cache(maxsize=1)
def _extra_country_names() -> dict[str, tuple[str, str]]:
    """Country names in :data:`EXTRA_COUNTRY_LOCALES` (as written; at least 4 characters, or 2
    in scripts written without spaces) ->
    (alpha-3 code, English name); names already known from the UN languages are left out."""
    import pycountry

    known = {n.folded for n in _country_names()} | {n.compact for n in _country_names()}
    out: dict[str, tuple[str, str]] = {}
    for loc in EXTRA_COUNTRY_LOCALES:
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[loc])
        except OSError:  # a locale missing from this pycountry build
            continue
        for c in pycountry.countries:
            english = getattr(c, "common_name", None) or c.name
            for form in {c.name, english}:
                name = unicodedata.normalize("NFKC", tr.gettext(form)).strip()
                shortest = 2 if _UNSPACED_RE.search(name) else 4
                if len(name) >= shortest and fold(name) not in known and compact(name) not in known:
                    out.setdefault(name, (c.alpha_3, english))
    return out


@lru_cache(maxsize=1)
def _extra_country_matcher() -> re.Pattern[str]:
    # Matched as written (case and accents kept): a name in another language must not be taken
    # from an ordinary lower-case word ("Island" is Iceland in German, "island" is not). Names in
    # scripts written without spaces (kana, Hangul, Thai) carry particles: no word boundary.
    names = sorted(_extra_country_names(), key=len, reverse=True)
    spaced = [re.escape(n) for n in names if not _UNSPACED_RE.search(n)]
    unspaced = [re.escape(n) for n in names if _UNSPACED_RE.search(n)]
    return re.compile(
        r"(?<![\w])(?:" + "|".join(spaced) + r")(?![\w])|(?:" + "|".join(unspaced or ["(?!)"]) + ")"
    )


def find_countries(text: str) -> list[tuple[str, str]]:
    """Countries a text names, as (alpha-3 code, English name), in order of first mention."""
    latin_re, cjk_re, by_form = _country_matchers()
    compacted = compact(text)
    for trap in _ZH_TRAPS:
        compacted = compacted.replace(trap, "\u3000" * len(trap))
    hits: list[tuple[int, str, str]] = []
    for m in latin_re.finditer(fold(text)):
        n = by_form[m.group(0)]
        hits.append((m.start(), n.code, n.name))
    for m in cjk_re.finditer(compacted):
        n = by_form[m.group(0)]
        hits.append((m.start(), n.code, n.name))
    extra = _extra_country_names()
    for m in _extra_country_matcher().finditer(unicodedata.normalize("NFKC", text)):
        code, name = extra[m.group(0)]
        hits.append((m.start(), code, name))
    seen: dict[str, str] = {}
    for _, code, name in sorted(hits):
        seen.setdefault(code, name)
    return list(seen.items())


# -- key terms -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _stopwords() -> tuple[frozenset[str], frozenset[str]]:
    """(Latin, Chinese) words that carry no topic, from ``assistant/data/stopwords.txt``."""
    path = resources.files("assistant") / "data" / "stopwords.txt"
    words = [
        w
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
        for w in line.split()
    ]
    latin = frozenset(fold(w) for w in words if not is_cjk(w))
    return latin, frozenset(w for w in words if is_cjk(w))


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
    for n in _country_names():
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
    for name, (code, _) in _extra_country_names().items():
        if code in codes:
            folded = re.sub(
                r"(?<![\w])" + re.escape(fold(name)) + r"(?![\w])",
                lambda m: " " * len(m.group(0)),
                folded,
            )
    found = glossary().find_views(folded, compacted)
    concepts = [c for c, _ in found]
    f_spans = [(s, e) for _, spans in found for v, s, e in spans if v == "f"]
    c_spans = [(s, e) for _, spans in found for v, s, e in spans if v == "c"]
    words: list[str] = []
    if lang == "zh" or is_cjk(question):
        words.extend(_zh_words(_blank(compacted, c_spans)))
    blanked = _blank(folded, f_spans)
    for w in _LATIN_WORD_RE.findall(blanked):
        w = re.sub(r"'s$", "", w.strip("'"))
        if len(w) < 3 or w.isdigit() or w in _stopwords()[0]:
            continue
        words.append(w)
    words.extend(_other_script_words(blanked))
    return QuestionTerms(lang, countries, concepts, list(dict.fromkeys(words)))


def _other_script_words(text: str) -> list[str]:
    """Words in scripts the rules above do not split (Arabic, Hangul, Devanagari, Greek, Thai…).

    They cannot be checked against a glossary or stemmed here, but they are topic words all the
    same: the answer-or-abstain decision must see that the question has a topic, and decides it
    by meaning (:mod:`assistant.abstain`).
    """
    out: list[str] = []
    token: list[str] = []
    for ch in text + " ":
        if unicodedata.category(ch)[0] in "LM" and not (
            ch.isascii()
            or _CYRILLIC_RE.match(ch)
            or _CJK_RE.match(ch)
            or "\u00c0" <= ch <= "\u024f"
        ):
            token.append(ch)
            continue
        if len(token) >= 2:
            out.append("".join(token))
        token = []
    return out


def _zh_words(text: str) -> list[str]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    out = []
    for tok in jieba.lcut(re.sub(r"[^\u3400-\u9fff]+", " ", text)):
        tok = tok.strip()
        if len(tok) < 2 or tok in _stopwords()[1]:
            continue
        out.append(tok)
    return out


def word_occurs(word: str, folded: str, compacted: str) -> bool:
    """A content word outside the glossary appears in a text (light stemming for Latin words)."""
    if is_cjk(word):
        return word in compacted
    stem = word if len(word) <= 5 else word[: max(5, len(word) - 3)]
    return re.search(r"(?<![\w])" + re.escape(stem), folded) is not None


def script_of(language: str | None) -> str:
    """Writing system of a language: ``latin``, ``cjk``, ``cyrillic`` or ``arabic``."""
    return {"zh": "cjk", "ru": "cyrillic", "ar": "arabic"}.get(language or "en", "latin")
