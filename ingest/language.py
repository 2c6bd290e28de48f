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

A script rules languages out. Text whose letters are mostly in a script none of the six is
written in (Devanagari, Hangul, kana alone, Greek…) is none of them: a question gets the default
(English), a document no language. The asker's language (:func:`asker_language`, any language
py3langid knows) is chosen among the languages written in every script the text uses, by
CLDR's script for each language (Babel). Digits, punctuation, ¶ references, Latin acronyms
and, in a text written in another script, Latin names decide nothing: they are taken out
before either reading (:func:`language_sample`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, overload

import opencc
import pycountry
import regex  # type: ignore[import-untyped]  # regex ships no type information
from babel.core import get_global

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
_KANA_RE = re.compile(f"[{char_class(KANA)}]")
_HANGUL_RE = re.compile(f"[{char_class(HANGUL)}]")
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


def has_kana(text: str) -> bool:
    """True when the text holds a hiragana or katakana letter."""
    return _KANA_RE.search(text) is not None


def has_hangul(text: str) -> bool:
    """True when the text holds a Hangul syllable."""
    return _HANGUL_RE.search(text) is not None


def is_arabic(text: str) -> bool:
    """True when the text holds an Arabic letter."""
    return _ARABIC_RE.search(text) is not None


def script_of(language: str | None) -> str:
    """Writing system of a language: ``latin``, ``cjk``, ``cyrillic`` or ``arabic``."""
    return {"zh": "cjk", "ru": "cyrillic", "ar": "arabic"}.get(language or "en", "latin")


# -- normalisation -------------------------------------------------------------------------------

_CYRILLIC_CHAR = re.compile(f"[{char_class(CYRILLIC)}]")
#: A combining mark (what :func:`fold` may strip; text without one is only recomposed).
_COMBINING_MARK = regex.compile(r"\p{M}")
#: Base letters whose combining marks :func:`fold` strips: Latin, Greek, Cyrillic, Hebrew, Arabic.
_ACCENTED_ALPHABET = regex.compile(r"[\p{sc=Latn}\p{sc=Grek}\p{sc=Cyrl}\p{sc=Hebr}\p{sc=Arab}]")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes and hyphens: the view Latin matching uses.

    Accents are stripped from the alphabets whose writers drop them (Latin, Greek, Cyrillic) and
    vowel marks from Arabic and Hebrew; in every other script a combining mark is part of the
    letter (kana's voicing marks: ベ is not ヘ; Devanagari's virama and nukta) and is kept, and
    the text is recomposed, so Hangul stays in syllables and a folded word is still the word
    the asker wrote.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    if _COMBINING_MARK.search(decomposed):
        kept: list[str] = []
        strips = False
        for c in decomposed:
            if not unicodedata.combining(c):
                strips = _ACCENTED_ALPHABET.match(c) is not None
            elif strips and not _CYRILLIC_CHAR.match(c):
                continue
            kept.append(c)
        text = unicodedata.normalize("NFC", "".join(kept))
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"[\-‐‑–—_/]", " ", text)
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=4096)
def compact(text: str) -> str:
    """NFKC text without whitespace: the view CJK and Arabic matching use.

    Text extracted from PDFs puts spaces around digits and at line wraps; they carry nothing here.
    Chinese characters are read in their simplified forms (OpenCC's ``t2s``), so a question in
    traditional characters (比利時對廢除死刑) matches the simplified text of UN documents, the
    glossary and the country names (比利时对废除死刑), and the reverse; simplified text is left
    as it is.
    """
    out = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()
    return simplified_chinese(out)


@lru_cache(maxsize=1)
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified_chinese(text: str) -> str:
    """``text`` with traditional Chinese characters in their simplified forms (the rest as is)."""
    return str(_to_simplified().convert(text)) if _HAN_RE.search(text) else text


# -- language ------------------------------------------------------------------------------------

#: Latin-script languages among the UN six.
LATIN_LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
#: Texts up to this many characters are read as questions: cue words count.
SHORT_TEXT = 300
#: Characters of a text that are looked at.
SAMPLE_CHARS = 4000

#: ISO 15924 scripts the six UN languages are written in.
_UN_SCRIPTS = frozenset({"Latn", "Cyrl", "Arab", "Hani"})

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


#: ISO 15924 scripts that stand for several: Japanese mixes Han with both kana, Korean Hangul
#: with Han; simplified and traditional Chinese are Han.
_COMBINED_SCRIPTS: dict[str, tuple[str, ...]] = {
    "Jpan": ("Hani", "Hira", "Kana"),
    "Kore": ("Hang", "Hani"),
    "Hans": ("Hani",),
    "Hant": ("Hani",),
    "Hanb": ("Hani", "Bopo"),
}
#: py3langid's code for text with no linguistic content: never a language to answer in.
_NO_LANGUAGE = "zxx"
#: Scripts written without spaces between words: a space between two of their characters (by
#: script extension, so the kana length mark "ー" counts) is a line wrap or an insertion, not a
#: word break.
_UNSPACED_SCRIPTS = ("Hani", "Hira", "Kana", "Thai", "Laoo", "Khmr", "Mymr")


@lru_cache(maxsize=1)
def language_scripts() -> dict[str, frozenset[str]]:
    """ISO 15924 scripts each language py3langid knows is written in (CLDR, through Babel).

    A language CLDR gives no script for is left out (it is never ruled out by script).
    """
    likely = get_global("likely_subtags")
    out: dict[str, frozenset[str]] = {}
    for lang in _any_identifier().nb_classes:
        tag = likely.get(str(lang))
        if not tag or lang == _NO_LANGUAGE:
            continue
        script = str(tag).split("_")[1]
        out[str(lang)] = frozenset(_COMBINED_SCRIPTS.get(script, (script,)))
    return out


@lru_cache(maxsize=1)
def _script_pattern() -> Any:
    scripts = sorted({s for ss in language_scripts().values() for s in ss})
    return regex.compile("|".join(f"(?P<{s}>\\p{{sc={s}}})" for s in scripts))


def letter_scripts(text: str) -> Counter[str]:
    """How many letters of ``text`` each ISO 15924 script holds (only letters are counted)."""
    found: Counter[str] = Counter()
    for m in _script_pattern().finditer(text):
        if m.group(0).isalpha() and m.lastgroup:
            found[m.lastgroup] += 1
    return found


_PARAGRAPH_REF = regex.compile(r"[¶§]+\s*\p{Nd}+(?:\.\p{Nd}+|\([\p{Nd}a-zA-Z]{1,3}\))*")
_LATIN_RUN = regex.compile(r"\p{sc=Latn}+")
_NOT_LETTER = regex.compile(r"[^\p{L}\p{M}\s]+")
_UNSPACED_GAP = regex.compile(
    "(?<=[{0}])\\s+(?=[{0}])".format("".join(f"\\p{{scx={s}}}" for s in _UNSPACED_SCRIPTS))
)


def language_sample(text: str) -> str:
    """The words of ``text`` that tell its language.

    Taken out: paragraph references (¶25, § 20.8), digits of any script, punctuation and
    symbols, runs of Latin capitals (acronyms: OHCHR, COVID), and every Latin word when most
    letters are in one other script (a name or title quoted in Latin). Spaces are collapsed,
    and dropped between letters of scripts written without them. What is left may be empty.
    """
    t = _PARAGRAPH_REF.sub(" ", unicodedata.normalize("NFKC", text))
    t = _LATIN_RUN.sub(lambda m: " " if not any(c.islower() for c in m.group(0)) else m.group(0), t)
    scripts = letter_scripts(t)
    if scripts:
        main, count = scripts.most_common(1)[0]
        if main != "Latn" and count * 2 > sum(scripts.values()):
            t = _LATIN_RUN.sub(" ", t)
    t = _NOT_LETTER.sub(" ", t)
    t = " ".join(t.split())
    return str(_UNSPACED_GAP.sub("", t))


def script_candidates(text: str) -> list[str]:
    """Languages py3langid knows that can be written in the scripts of ``text`` (a sample).

    A script counts when it holds two letters or more; the languages must be written in all
    of them, or, when none is, in the script holding most letters. Empty when ``text`` has no
    letters of a known script.
    """
    scripts = letter_scripts(text)
    if not scripts:
        return []
    present = {s for s, n in scripts.items() if n >= 2} or {scripts.most_common(1)[0][0]}
    table = language_scripts()
    found = [lang for lang, ss in table.items() if present <= ss]
    if not found:
        main = scripts.most_common(1)[0][0]
        found = [lang for lang, ss in table.items() if main in ss]
    return found


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


#: A text may be written in a language py3langid gives at least this probability (close
#: languages share the mass: Indonesian and Malay, Croatian, Bosnian and Serbian).
PLAUSIBLE_SHARE = 0.1


@lru_cache(maxsize=4096)
def plausible_languages(text: str) -> tuple[str, ...]:
    """Languages a short text may be written in.

    Those py3langid gives a share of at least :data:`PLAUSIBLE_SHARE`, among the languages
    written in the text's scripts (:func:`script_candidates`). Remembered for the last 4,096
    texts: a question's country names and its topic words both read them.
    """
    sample = language_sample(text[:2000])
    ranked, mass = _candidate_ranking(sample, set(script_candidates(sample)))
    if mass <= 0:
        return ()
    return tuple(lang for lang, p in ranked if p / mass >= PLAUSIBLE_SHARE)


def _candidate_ranking(sample: str, candidates: set[str]) -> tuple[list[tuple[str, float]], float]:
    """py3langid's ranking of ``sample`` among ``candidates``, likeliest first, and their mass."""
    ranked = [
        (str(lang), float(p)) for lang, p in _any_identifier().rank(sample) if lang in candidates
    ]
    return ranked, sum(p for _, p in ranked)


#: Confidence py3langid needs before a document is taken to be in a language outside the six.
DOCUMENT_LANGUAGE_CONFIDENCE = 0.9
#: Confidence py3langid needs before a question is taken to be in a language outside the six.
ASKER_LANGUAGE_CONFIDENCE = 0.6


def asker_language(text: str) -> str:
    """ISO 639-1 code of the language a question is written in, among all py3langid knows.

    Any language py3langid knows (Swahili, Dutch, Hindi, Japanese…), for writing the answer in
    it. Only the words of :func:`language_sample` are read, and only languages written in the
    scripts they use are candidates (:func:`script_candidates`): Devanagari is never French.
    When a UN language is a candidate, the six are decided by :func:`detect_language` (script
    and cues first, which is more reliable on short questions) and another candidate needs
    py3langid's confidence of at least :data:`ASKER_LANGUAGE_CONFIDENCE`; when none is, the
    likeliest candidate is the answer.

    Args:
        text: A question (its first 2,000 characters are read).

    Returns:
        An ISO 639-1 code.
    """
    sample = language_sample(text[:2000])
    candidates = set(script_candidates(sample))
    if not candidates:
        return detect_language(text)
    ranked, mass = _candidate_ranking(sample, candidates)
    best, prob = ranked[0] if ranked else ("", 0.0)
    prob = prob / mass if mass > 0 else 0.0
    if not candidates & set(LANGUAGE_NAMES):
        return best or detect_language(text)
    if best and best not in LANGUAGE_NAMES and prob >= ASKER_LANGUAGE_CONFIDENCE:
        return best
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
    # Letters only: Arabic-Indic digits sit in the Arabic block and say nothing of the language.
    counts = {
        lang: sum(1 for ch in pattern.findall(sample) if ch.isalpha())
        for lang, pattern in _SCRIPT_RES.items()
    }
    best = max(counts, key=lambda k: counts[k])
    if counts[best] >= 2:
        letters = sum(1 for ch in sample if ch.isalpha())
        if counts[best] >= 0.5 * letters or len(text) <= SHORT_TEXT:
            return best
    scripts = letter_scripts(language_sample(sample))
    un_letters = sum(n for s, n in scripts.items() if s in _UN_SCRIPTS)
    if scripts and un_letters * 2 < sum(scripts.values()):
        # Mostly written in a script none of the six uses (Devanagari, Hangul, Greek…).
        return default
    if len(text) <= SHORT_TEXT:
        lowered = sample.lower()
        if _ES_HINTS.search(lowered):
            return "es"
        if _FR_HINTS.search(lowered):
            return "fr"
    if sum(1 for ch in sample if ch.isalpha()) < 10 and default is None:
        return None
    if default is None and len(text) > SHORT_TEXT:
        # A document confidently in another Latin-script language (Swahili, Dutch…) has no UN
        # language: reading it as English would mislabel it and its id.
        lang, prob = identify(sample)
        if lang not in UN_LANGUAGES and prob >= DOCUMENT_LANGUAGE_CONFIDENCE:
            return None
    return latin_language(sample)
