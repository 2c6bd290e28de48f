"""Scripts and languages of a text: the one place that knows Unicode ranges and language codes.

Every layer asks the same questions of a text (which script is it written in, is it Chinese,
which of the six UN languages is it) and gets the same answers from here: the document reader
deciding a pledge's language, the lexical index choosing a stemmer, the answer chain reading a
question.

Rules of :func:`detect_language`. Script decides Chinese, Russian and Arabic: the text is in one
of them when that script holds at least two letters and at least half of the letters. Latin-script
text (and text in a script the UN does not use, such as Korean) is English, French or Spanish: a
short text (a question) is first checked for a few unambiguous cue words ("¿", "qué", "quels",
an accented letter French uses), then py3langid, restricted to those three, decides. Where the
reader of documents and the reader of questions used to differ, the question's rules won (the
quality figures rest on them), with two changes that only documents see: cue words are ignored
past :data:`SHORT_TEXT` characters ("de la" is French and Spanish in a long text), and a text with
fewer than ten letters and no script decision has no language (``default``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, overload

import pycountry

#: The six official UN languages (ISO 639-1).
UN_LANGUAGES: tuple[str, ...] = ("ar", "en", "es", "fr", "ru", "zh")

#: English names of the UN languages.
LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ru": "Russian",
    "zh": "Chinese",
}

# -- Unicode ranges (inclusive), the only copy -----------------------------------------------------

#: Chinese characters: CJK unified ideographs with extension A, compatibility ideographs and the
#: supplementary planes' extensions.
HAN: tuple[tuple[int, int], ...] = ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF))
#: Japanese hiragana and katakana.
KANA: tuple[tuple[int, int], ...] = ((0x3040, 0x30FF),)
#: Korean hangul syllables.
HANGUL: tuple[tuple[int, int], ...] = ((0xAC00, 0xD7AF),)
#: Latin letters with diacritics (Latin-1 Supplement letters and Latin Extended-A and -B).
LATIN_EXTENDED: tuple[tuple[int, int], ...] = ((0x00C0, 0x024F),)
#: Basic Cyrillic.
CYRILLIC: tuple[tuple[int, int], ...] = ((0x0400, 0x04FF),)
#: Arabic, its supplement and its presentation forms.
ARABIC: tuple[tuple[int, int], ...] = ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFEFF))
#: CJK symbols and punctuation, and full-width forms (、。，《》（）…).
CJK_PUNCTUATION: tuple[tuple[int, int], ...] = ((0x3000, 0x303F), (0xFF00, 0xFFEF))
#: Scripts written without spaces between words.
CJK: tuple[tuple[int, int], ...] = HAN + KANA + HANGUL


def char_class(ranges: Iterable[tuple[int, int]]) -> str:
    """The ranges as the inside of a regular-expression character class (``[...]``)."""
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_HAN_RE = re.compile(f"[{char_class(HAN)}]")
_CJK_RE = re.compile(f"[{char_class(CJK)}]")
_ARABIC_RE = re.compile(f"[{char_class(ARABIC)}]")
_SCRIPT_RES = {
    "zh": _HAN_RE,
    "ru": re.compile(f"[{char_class(CYRILLIC)}]"),
    "ar": _ARABIC_RE,
}


def in_ranges(ch: str, ranges: Iterable[tuple[int, int]]) -> bool:
    """Whether the character ``ch`` lies in one of ``ranges``."""
    o = ord(ch)
    return any(a <= o <= b for a, b in ranges)


def is_cjk(text: str) -> bool:
    """True when the text holds a Chinese, Japanese or Korean character (one character or more)."""
    return _CJK_RE.search(text) is not None


def has_han(text: str) -> bool:
    """True when the text holds a Chinese character."""
    return _HAN_RE.search(text) is not None


def is_arabic(text: str) -> bool:
    """True when the text holds an Arabic letter."""
    return _ARABIC_RE.search(text) is not None


def script_of(language: str | None) -> str:
    """Writing system of a language: ``latin``, ``cjk``, ``cyrillic`` or ``arabic``."""
    return {"zh": "cjk", "ru": "cyrillic", "ar": "arabic"}.get(language or "en", "latin")


# -- normalisation -------------------------------------------------------------------------------

_CYRILLIC_CHAR = re.compile(f"[{char_class(CYRILLIC)}]")


def fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes and hyphens: the view Latin matching uses."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(
        c
        for c in unicodedata.normalize("NFKD", text)
        if not unicodedata.combining(c) or _CYRILLIC_CHAR.match(c)
    )
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"[\-‐‑–—_/]", " ", text)
    return re.sub(r"\s+", " ", text)


def compact(text: str) -> str:
    """NFKC text without whitespace: the view CJK and Arabic matching use.

    Text extracted from PDFs puts spaces around digits and at line wraps; they carry nothing here.
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


# -- language ------------------------------------------------------------------------------------

#: Latin-script languages among the UN six.
LATIN_LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
#: Texts up to this many characters are read as questions: cue words count.
SHORT_TEXT = 300
#: Characters of a text that are looked at.
SAMPLE_CHARS = 4000

_FR_HINTS = re.compile(
    r"\b(quels?|quelles?|est-ce|la belgique|de la|sur la|qu'|d'|l')\b|[àâçèêëîôûœ]"
)
_ES_HINTS = re.compile(r"[¿¡ñ]|\b(qué|cuál|cómo|sobre la|bélgica|dónde|por qué)\b")


@lru_cache(maxsize=1)
def _latin_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LATIN_LANGUAGES))
    return ident


@lru_cache(maxsize=1)
def _any_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> tuple[str, float]:
    """py3langid's guess among every language it knows (not only the six), with its probability.

    For what :func:`detect_language` cannot say: the language a claim or a question is really
    written in when it is none of the UN six (Italian is not Spanish).
    """
    lang, prob = _any_identifier().classify(text)
    return str(lang), float(prob)


def language_shares(text: str) -> dict[str, float]:
    """py3langid's probability of every language it knows for a text (they sum to 1).

    How plausible each language is, not only the likeliest one: a short question may not name
    its language for certain and still plainly not be German (the first 2,000 characters are
    read).
    """
    return {str(lang): float(p) for lang, p in _any_identifier().rank(text[:2000])}


#: Confidence py3langid needs before a question is taken to be in a language outside the six.
ASKER_LANGUAGE_CONFIDENCE = 0.6


def asker_language(text: str) -> str:
    """ISO 639-1 code of the language a question is written in, among all py3langid knows.

    Any language py3langid knows (Swahili, Dutch, Hindi, Japanese…), for writing the answer in
    it. The six UN languages are decided by :func:`detect_language` (script and cues first,
    which is more reliable on short questions); another language needs py3langid's confidence
    of at least :data:`ASKER_LANGUAGE_CONFIDENCE`, else the UN-language guess stands.

    Args:
        text: A question (its first 2,000 characters are read).

    Returns:
        An ISO 639-1 code.
    """
    lang, prob = _any_identifier().classify(text[:2000])
    if lang not in LANGUAGE_NAMES and prob >= ASKER_LANGUAGE_CONFIDENCE:
        return str(lang)
    return detect_language(text)


def english_language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("sw" -> "Swahili"); the code itself when unknown."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    lang = pycountry.languages.get(alpha_2=code)
    if lang is None:
        return code
    return re.sub(r"\s*\(.*\)$", "", str(lang.name))


def latin_language(text: str) -> str:
    """en, fr or es for a Latin-script text, by py3langid alone (English when it fails)."""
    try:
        lang, _ = _latin_identifier().classify(text)
    except Exception:  # language identification is a hint, never a failure
        return "en"
    return str(lang) if lang in LATIN_LANGUAGES else "en"


@overload
def detect_language(text: str, default: str = "en") -> str: ...


@overload
def detect_language(text: str, default: None) -> str | None: ...


def detect_language(text: str, default: str | None = "en") -> str | None:
    """ISO 639-1 code of a question or a document among the six UN languages.

    Args:
        text: A question, a paragraph or a whole document (its first 4,000 characters are read).
        default: What a text with fewer than ten letters and no script decision gets (a question
            is English then; ingest passes None: such a document has no detected language).

    Returns:
        One of :data:`UN_LANGUAGES`, or ``default``.
    """
    sample = text[:SAMPLE_CHARS]
    counts = {lang: len(pattern.findall(sample)) for lang, pattern in _SCRIPT_RES.items()}
    best = max(counts, key=lambda k: counts[k])
    if counts[best] >= 2:
        letters = sum(1 for ch in sample if ch.isalpha())
        if counts[best] >= 0.5 * letters or len(text) <= SHORT_TEXT:
            return best
    if len(text) <= SHORT_TEXT:
        lowered = sample.lower()
        if _ES_HINTS.search(lowered):
            return "es"
        if _FR_HINTS.search(lowered):
            return "fr"
    if sum(1 for ch in sample if ch.isalpha()) < 10 and default is None:
        return None
    return latin_language(sample)
