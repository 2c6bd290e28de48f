"""Metadata detected from the text itself: language, country, term, date, session, symbol, title.

Every detector returns None when the text does not say; nothing is guessed. Sources:

* language — :func:`ingest.language.detect_language`;
* country — pycountry's ISO 3166-1 names and their translations (the gettext catalogues pycountry
  ships for ar, es, fr, ru and zh_CN), the candidate being the most named state, with names in the
  note's and annex's titles counting more;
* date — the note verbale's date ("2022 年 6 月 21 日", "21 June 2022", "21 juin 2022",
  "21 de junio de 2022", "21 июня 2022 года", "21 حزيران/يونيه 2022") parsed by dateparser;
* term — the most cited three-year span ("2023-2025");
* session — the General Assembly session in words or digits ("第七十七届会议", "Seventy-seventh
  session", "soixante-dix-septième session", "septuagésimo séptimo período de sesiones",
  "семьдесят седьмая сессия", "الدورة السابعة والسبعون"), else from the document's own symbol;
* symbol — the document's own symbol only: a line that is nothing but the symbol (optionally with
  "United Nations" / a page number) among the first lines or repeated as a running header on two
  pages. A symbol cited in a footnote or a sentence ("A/77/50", "A/RES/60/251") is never taken.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from ingest.clean import SYMBOL_RE
from ingest.language import UN_LANGUAGES
from ingest.lines import Line
from ingest.structure import chinese_number, strip_arabic_diacritics

# -- symbol --------------------------------------------------------------------------------------

_ORG = (
    r"(?:United Nations|Nations Unies|Naciones Unidas|Организация Объединенных Наций"
    r"|الأمم المتحدة|联合国|General Assembly|Assemblée générale|Asamblea General"
    r"|Генеральная Ассамблея|الجمعية العامة|大会)"
)
_SYMBOL_LINE = re.compile(
    rf"^(?:{_ORG}\s*)?({SYMBOL_RE})\*?(?:\s+\d{{1,3}}/\d{{1,3}})?$"
    rf"|^\d{{1,3}}/\d{{1,3}}\s+({SYMBOL_RE})\*?$"
)


def detect_symbol(lines: Sequence[Line], top: int = 8) -> str | None:
    """The document's own symbol, from the raw lines (before cleaning drops running headers).

    Args:
        lines: The reader's lines.
        top: How many non-blank lines count as the top of the document.
    """
    pages: dict[str, set[int | None]] = {}
    seen = 0
    for line in lines:
        s = line.text.strip()
        if not s:
            continue
        seen += 1
        m = _SYMBOL_LINE.match(s)
        if not m:
            continue
        symbol = m.group(1) or m.group(2)
        if "/RES/" in symbol:
            continue
        if seen <= top:
            return symbol
        pages.setdefault(symbol, set()).add(line.page)
    for symbol, on in pages.items():
        if len(on - {None}) >= 2:
            return symbol
    return None


# -- term ----------------------------------------------------------------------------------------

_TERM = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-–—‐/]|至|到|to|à|a|al|по)\s*((?:19|20)\d{2})(?!\d)"
)


def detect_term(text: str, titles: Iterable[str] = ()) -> str | None:
    """The Council term: the most cited three-year span ("2023-2025"), titles counting more."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for weight, source in [(5, t) for t in titles] + [(1, text)]:
        for m in _TERM.finditer(ascii_digits(source)):
            a, b = sorted((int(m.group(1)), int(m.group(2))))
            if b - a == 2:
                key = f"{a}-{b}"
                counts[key] += weight
                first.setdefault(key, m.start() + (0 if weight == 1 else -(10**6)))
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k], -first[k]))


def ascii_digits(text: str) -> str:
    """Arabic-Indic and Eastern Arabic-Indic digits as ASCII (for detection only)."""
    return text.translate(_DIGITS)


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# -- date ----------------------------------------------------------------------------------------

_DATE_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_DMY = re.compile(
    r"(?<!\d)(\d{1,2})(?:er|º|°|\.)?\s+(?:de\s+)?([^\W\d_]+(?:/[^\W\d_]+)?)\s+(?:de\s+)?(\d{4})(?!\d)"
)
_DATE_MDY = re.compile(r"\b([A-Z][a-z]+)\s+(\d{1,2}),?\s+(\d{4})\b")


def find_dates(text: str, language: str | None) -> list[dt.date]:
    """All dates written out in ``text`` (in the given language, or any UN language)."""
    text = strip_arabic_diacritics(ascii_digits(text))
    found: list[tuple[int, dt.date]] = []
    for m in _DATE_ZH.finditer(text):
        try:
            found.append((m.start(), dt.date(int(m[1]), int(m[2]), int(m[3]))))
        except ValueError:
            continue
    langs = [language] if language else list(UN_LANGUAGES)
    for m in _DATE_DMY.finditer(text):
        for month in m.group(2).split("/"):
            parsed = _parse_date(f"{m.group(1)} {month} {m.group(3)}", langs)
            if parsed:
                found.append((m.start(), parsed))
                break
    for m in _DATE_MDY.finditer(text):
        parsed = _parse_date(f"{m.group(1)} {m.group(2)} {m.group(3)}", ["en"])
        if parsed:
            found.append((m.start(), parsed))
    return [d for _, d in sorted(found, key=lambda x: x[0])]


@functools.lru_cache(maxsize=512)
def _parse_date_cached(text: str, langs: tuple[str, ...]) -> dt.date | None:
    import dateparser

    parsed = dateparser.parse(
        text,
        languages=list(langs),
        settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return parsed.date() if parsed else None


def _parse_date(text: str, langs: Sequence[str]) -> dt.date | None:
    if not re.search(r"[^\W\d_]{3,}", text):
        return None
    return _parse_date_cached(text, tuple(langs))


def detect_date(sources: Iterable[str], language: str | None) -> dt.date | None:
    """The first date in the first source that has one (note title first, then the note)."""
    for source in sources:
        dates = find_dates(source, language)
        if dates:
            return dates[0]
    return None


# -- session -------------------------------------------------------------------------------------

_EN_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundredth": 100,
}  # fmt: skip
_FR_STEMS = [
    ("soixant", 60), ("cinquant", 50), ("quarant", 40), ("trent", 30), ("vingt", 20),
    ("quatorz", 14), ("quinz", 15), ("seiz", 16), ("treiz", 13), ("douz", 12), ("onz", 11),
    ("premi", 1), ("deux", 2), ("trois", 3), ("quatr", 4), ("cinqu", 5), ("cinq", 5), ("six", 6),
    ("sept", 7), ("huit", 8), ("neuv", 9), ("neuf", 9), ("dix", 10), ("unième", 1), ("un", 1),
    ("et", 0), ("centième", 100), ("cent", 100),
]  # fmt: skip
_ES_STEMS = [
    ("nonagésim", 90), ("octogésim", 80), ("septuagésim", 70), ("sexagésim", 60),
    ("quincuagésim", 50), ("cuadragésim", 40), ("trigésim", 30), ("vigésim", 20),
    ("undécim", 11), ("duodécim", 12), ("décim", 10), ("primer", 1), ("segund", 2),
    ("tercer", 3), ("cuart", 4), ("quint", 5), ("sext", 6), ("séptim", 7), ("septim", 7),
    ("octav", 8), ("noven", 9), ("centésim", 100),
]  # fmt: skip
_RU_STEMS = [
    ("девяност", 90), ("восемьдесят", 80), ("семьдесят", 70), ("шестьдесят", 60),
    ("пятьдесят", 50), ("сорок", 40), ("тридцат", 30), ("двадцат", 20), ("десят", 10),
    ("перв", 1), ("втор", 2), ("трет", 3), ("четверт", 4), ("четвёрт", 4), ("пят", 5),
    ("шест", 6), ("седьм", 7), ("восьм", 8), ("девят", 9), ("сот", 100),
]  # fmt: skip
_AR_STEMS = [
    ("حادية", 1), ("ثانية", 2), ("ثالثة", 3), ("رابعة", 4), ("خامسة", 5), ("سادسة", 6),
    ("سابعة", 7), ("ثامنة", 8), ("تاسعة", 9), ("عاشرة", 10), ("عشر", 20), ("ثلاث", 30),
    ("أربع", 40), ("اربع", 40), ("خمس", 50), ("ست", 60), ("سبع", 70), ("ثمان", 80), ("تسع", 90),
]  # fmt: skip

_SESSION_PATTERNS: dict[str, re.Pattern[str]] = {
    "zh": re.compile(r"第\s*([一二三四五六七八九十百零]+|\d{1,3})\s*届会议"),
    "en": re.compile(
        r"\b(\d{1,3})(?:st|nd|rd|th)\s+session|\b([A-Za-z]+(?:-[A-Za-z]+)?)\s+session\b"
    ),
    "fr": re.compile(r"(\d{1,3})e\s+session|\b([\w-]+(?:\s+et\s+[\w-]+)?)\s+session\b", re.I),
    "es": re.compile(
        r"(\d{1,3})\.?º\s+período|\b([\wáéíóú]+(?:\s+[\wáéíóú]+)?)\s+período de sesiones", re.I
    ),
    "ru": re.compile(r"(\d{1,3})-?й\s+сесси|\b([\wё]+(?:\s+[\wё]+)?)\s+сесси[яиейю]", re.I),
    "ar": re.compile(r"الدورة\s+(\d{1,3})|الدورة\s+(\S+(?:\s+\S+)?)"),
}  # fmt: skip


def _words_value(phrase: str, language: str) -> int | None:
    """Value of an ordinal written in words (1-100), or None when a word is not a number."""
    if language == "en":
        parts = re.split(r"[-\s]+", phrase.lower())
        values = [_EN_UNITS.get(p) for p in parts]
        return sum(values) if values and all(v for v in values) else None  # type: ignore[misc]
    stems = {"fr": _FR_STEMS, "es": _ES_STEMS, "ru": _RU_STEMS, "ar": _AR_STEMS}.get(language)
    if not stems:
        return None
    total, n = 0, 0
    words = [w for w in re.split(r"[-\s]+", phrase.lower()) if w]
    for word in words:
        if language == "ar":
            word = re.sub(r"^و", "", word)
            word = re.sub(r"^ال", "", word)
        value = next((v for stem, v in stems if word.startswith(stem)), None)
        if value is None:
            return None
        if language == "fr" and word.startswith("vingt") and total % 10 == 4 and n:
            total = total - 4 + 80  # quatre-vingt
        else:
            total += value
        n += 1
    return total if n and 0 < total <= 150 else None


def detect_session(texts: Iterable[str], language: str | None, symbol: str | None) -> int | None:
    """The General Assembly session, from words like "seventy-seventh session", else the symbol."""
    langs = [language] if language in _SESSION_PATTERNS else list(_SESSION_PATTERNS)
    for text in texts:
        text = strip_arabic_diacritics(ascii_digits(text))
        for lang in langs:
            for m in _SESSION_PATTERNS[lang].finditer(text):
                digits, words = m.group(1), m.group(2) if m.lastindex and m.lastindex >= 2 else None
                if lang == "zh":
                    value = int(digits) if digits.isdigit() else chinese_number(digits)
                elif digits:
                    value = int(digits)
                else:
                    value = _words_value(words or "", lang)
                    if value is None and words and " " in words.strip():
                        value = _words_value(words.split()[-1], lang)
                if value:
                    return value
    if symbol:
        m = re.match(r"A/(\d{1,3})/", symbol)
        if m:
            return int(m.group(1))
    return None
