"""Country names in the six UN languages: one home for pycountry and its translations.

Names come from pycountry's ISO 3166-1 data with its gettext translations, so "Norway",
"Norvège" and "挪威" all resolve to ``NOR``. Two readers use them with their own rules: a
document's candidate state is the country its text names most (:func:`detect_country`, per
language, Russian cases and Arabic diacritics included), and a question's countries are every
name it mentions in any language (:func:`find_countries`, with a few common short names such as
"UK" added).
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError

from ingest.language import (
    LATIN_LANGUAGES,
    UN_LANGUAGES,
    asker_language,
    compact,
    fold,
    is_cjk,
    plausible_languages,
)
from ingest.records import Country
from ingest.structure import strip_arabic_diacritics

#: gettext locale of pycountry's translations for each UN language but English.
LOCALES: dict[str, str] = {"ar": "ar", "es": "es", "fr": "fr", "ru": "ru", "zh": "zh_CN"}


@lru_cache(maxsize=8)
def translator(language: str) -> gettext.NullTranslations | None:
    """Pycountry's country-name translations into a UN language (None: English, or missing)."""
    if language not in LOCALES:
        return None
    try:
        return gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[LOCALES[language]]
        )
    except OSError:  # a locale missing from this pycountry build
        return None


def localized_name(english: str, language: str) -> str:
    """A country's English name in a UN language (the English name when there is no translation)."""
    tr = translator(language)
    return tr.gettext(english) if tr is not None else english


def country_name(code: str) -> str:
    """English short name of an ISO alpha-3 code (the code itself when unknown)."""
    c = pycountry.countries.get(alpha_3=code.upper())
    if c is None:
        return code
    return str(getattr(c, "common_name", None) or c.name)


# -- detecting a document's country ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _names_by_language() -> dict[str, dict[str, str]]:
    """For each UN language, every ISO 3166-1 name form mapped to its alpha-3 code."""
    out: dict[str, dict[str, str]] = {lang: {} for lang in UN_LANGUAGES}
    translators = {lang: translator(lang) for lang in UN_LANGUAGES}
    for c in pycountry.countries:
        forms = {c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)}
        for form in [f for f in forms if f]:
            for lang in UN_LANGUAGES:
                tr = translators[lang]
                name = form if lang == "en" or tr is None else tr.gettext(form)
                if lang != "en" and name == form and not form.isascii():
                    continue
                for variant in _variants(name):
                    if lang == "ar":
                        variant = strip_arabic_diacritics(variant)
                    if len(variant) >= (2 if lang == "zh" else 4):
                        out[lang].setdefault(variant, c.alpha_3)
    return out


def _variants(name: str) -> list[str]:
    """Forms of a country name.

    Forms of a name: "Bolivia, Plurinational State of" also as "Plurinational State of
    Bolivia" and "Bolivia".
    """
    out = [name]
    if ", " in name:
        head, _, tail = name.partition(", ")
        out += [f"{tail} {head}", head]
    paren = re.sub(r"\s*\(.*?\)", "", name)
    if paren != name:
        out.append(paren)
    return out


@lru_cache(maxsize=8)
def _country_pattern(language: str) -> tuple[re.Pattern[str], dict[str, str]]:
    names = dict(_names_by_language()["en"])
    if language != "en":
        names.update(_names_by_language()[language])
    alternatives = []
    for name in sorted(names, key=len, reverse=True):
        escaped = re.escape(name)
        if language == "ru":
            # Russian declines names: Бельгия, Бельгии, Бельгией.
            escaped = r"\s+".join(_ru_stem(w) for w in name.split())
        alternatives.append(escaped)
    body = "|".join(alternatives)
    if language == "zh":
        pattern = re.compile(f"({body})")
    elif language == "ar":
        pattern = re.compile(rf"(?<!\w)(?:[وفبلك]|لل)?({body})(?!\w)")
    else:
        pattern = re.compile(rf"(?<!\w)({body})(?!\w)")
    return pattern, names


def _ru_stem(word: str) -> str:
    if len(word) > 4 and word[-1] in "аяьйиыео":
        return re.escape(word[:-1]) + r"\w{0,3}"
    return re.escape(word)


def detect_country(text: str, language: str | None, titles: Iterable[str] = ()) -> Country | None:
    """The candidate state: the country named most, names in the titles counting five times."""
    lang = language or "en"
    pattern, names = _country_pattern(lang)
    lookup = {k.lower(): v for k, v in names.items()}
    counts: Counter[str] = Counter()
    for weight, source in [(5, t) for t in titles] + [(1, text)]:
        if lang == "ar":
            source = strip_arabic_diacritics(source)
        for m in pattern.finditer(source):
            if lang == "zh" and source[m.end(1) : m.end(1) + 1] == "家":
                continue  # 发展中国家 ("developing countries") is not China
            matched = m.group(1)
            code = names.get(matched) or lookup.get(matched.lower()) or _declined(matched, names)
            if code:
                counts[code] += weight
    if not counts:
        return None
    code = counts.most_common(1)[0][0]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:  # pragma: no cover - codes come from pycountry itself
        return None
    return Country(code=code, name=getattr(country, "common_name", None) or country.name)


def _declined(matched: str, names: dict[str, str]) -> str | None:
    """The code of a Russian name matched in another grammatical case."""
    words = matched.split()
    for name, code in names.items():
        parts = name.split()
        if len(parts) == len(words) and all(
            w.startswith(p[:-1] if len(p) > 4 else p) for w, p in zip(words, parts, strict=True)
        ):
            return code
    return None


def country_from_value(value: str) -> Country | None:
    """A country from an alpha-3/alpha-2 code or a name in any UN language (``--meta``)."""
    value = value.strip()
    try:
        c = pycountry.countries.lookup(value)
    except LookupError:
        wanted = strip_arabic_diacritics(value).casefold()
        code = next(
            (
                code
                for names in _names_by_language().values()
                for name, code in names.items()
                if name.casefold() == wanted
            ),
            None,
        )
        if code is None:
            return None
        c = pycountry.countries.get(alpha_3=code)
    return Country(code=c.alpha_3, name=getattr(c, "common_name", None) or c.name)


# -- countries a question names -------------------------------------------------------------------

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
_ZH_TRAPS = ("发展中国家", "中国家", "發展中國家", "中國家")


@dataclass(frozen=True)
class CountryName:
    """One written form of a country's name, in the views matching uses."""

    code: str
    name: str
    folded: str
    compact: str
    cjk: bool


@lru_cache(maxsize=1)
def all_names() -> list[CountryName]:
    """Every written form of every country name, longest first."""
    # In this order: a name form two countries share goes to the first that registers it.
    order = ("fr", "es", "zh", "ru", "ar")
    translators = {lang: tr for lang in order if (tr := translator(lang)) is not None}
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


def country_occurs(code: str, folded: str, compacted: str) -> bool:
    """Does a text (given folded and compacted) name the country ``code`` in any UN language?"""
    for n in all_names():
        if n.code != code:
            continue
        if n.cjk:
            if n.compact in compacted:
                return True
        elif n.folded and re.search(r"(?<![\w])" + re.escape(n.folded) + r"(?![\w])", folded):
            return True
    return False


@lru_cache(maxsize=1)
def country_matchers() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, CountryName]]:
    """Patterns of every country name: Latin-script (on folded text), CJK (on compacted text)."""
    names = all_names()
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
def _known_forms() -> frozenset[str]:
    """Every UN-language country name, folded and compacted: a name other locales need not add."""
    return frozenset({n.folded for n in all_names()} | {n.compact for n in all_names()})


@lru_cache(maxsize=1)
def extra_country_names() -> dict[str, tuple[str, str]]:
    """Country names in the locales of :data:`EXTRA_COUNTRY_LOCALES`.

    Names as written (at least 4 characters, or 2 in scripts written without spaces) ->
    (alpha-3 code, English name); names already known from the UN languages are left out.
    """
    known = _known_forms()
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
    return _names_pattern(extra_country_names(), lambda n: bool(_UNSPACED_RE.search(n)))


def _names_pattern(names: Iterable[str], unspaced: Callable[[str], bool]) -> re.Pattern[str]:
    """A matcher of ``names`` as written, longest first.

    Names in a spaced script are matched as whole words; the ``unspaced`` ones (scripts written
    without spaces, whose names carry particles or stand inside a phrase) anywhere.
    """
    ordered = sorted(names, key=len, reverse=True)
    spaced = [re.escape(n) for n in ordered if not unspaced(n)]
    glued = [re.escape(n) for n in ordered if unspaced(n)]
    return re.compile(
        r"(?<![\w])(?:"
        + "|".join(spaced or ["(?!)"])
        + r")(?![\w])|(?:"
        + "|".join(glued or ["(?!)"])
        + ")"
    )


def _unspaced(name: str) -> bool:
    """Is a name written in a script without spaces between words (Han, kana, Hangul, Thai)?"""
    return bool(_UNSPACED_RE.search(name)) or is_cjk(name)


@lru_cache(maxsize=32)
def _own_language_names(language: str) -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """A matcher of country names in the asker's own language, from CLDR (through Babel).

    pycountry translates names into some thirty locales, and not every name in each ("Ujerumani",
    Swahili for Germany, is missing); CLDR names every territory in every language Babel has.
    They are read only in a question that may be written in that language (the asker's
    language, or one py3langid finds plausible, :func:`~ingest.language.plausible_languages`;
    "Prancis" is Indonesian and Malay): across all of
    CLDR's languages some names are another language's ordinary words (Indonesian "Kota"
    is Qatar in Yoruba). Names are matched as written, case kept, so a lower-case word is never
    a name; names of three letters count ("Đức", Vietnamese, and "चीन", Hindi, for Germany and
    China), and in scripts written without spaces names of two characters.
    """
    try:
        territories = Locale.parse(language).territories
    except (ValueError, TypeError, UnknownLocaleError):
        return re.compile("(?!)"), {}
    known = _known_forms()
    names: dict[str, tuple[str, str]] = {}
    for region, written in territories.items():
        if len(region) != 2 or not region.isalpha():
            continue  # "001" (World), "150" (Europe): not countries
        country = pycountry.countries.get(alpha_2=region)
        if country is None:
            continue
        name = unicodedata.normalize("NFKC", written).strip()
        if len(name) < (2 if _unspaced(name) else 3) or {fold(name), compact(name)} & known:
            continue
        english = getattr(country, "common_name", None) or country.name
        names.setdefault(name, (country.alpha_3, english))
    return _names_pattern(names, _unspaced), names


#: A declined name keeps at least this many letters of its written form ("Holandi-" of
#: "Holandia" in "Holandii") …
DECLINED_MIN_STEM = 4
#: … and adds at most this many letters of ending ("Niemc-" + "zech", "Hollandi-" + "ában").
DECLINED_MAX_ENDING = 4
#: Final letters a declined form may replace: vowels of the Latin, Greek and Cyrillic alphabets
#: (accents stripped) and the Cyrillic soft sign and short i.
_FINAL_VOWELS = frozenset("aeiouyαεηιουωаеёиоуыэюяіїєьй")
_CASED_SCRIPT_RE = re.compile(r"^[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+$")
#: Arabic and Hebrew write conjunctions and prepositions as one or two letters joined to the
#: next word (وألمانيا "and Germany", ובגרמניה "and in Germany").
_CLITIC_SCRIPTS = {"arabic": "\u0621-\u064a", "hebrew": "\u05d0-\u05ea"}


def _bare(text: str) -> str:
    """NFKC text without accents, case kept: the view declined names are matched in."""
    return "".join(
        c
        for c in unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
        if not unicodedata.combining(c)
    )


@lru_cache(maxsize=1)
def _declined_names() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """A matcher of one-word country names in a declined form, and its stems' countries.

    Languages that decline nouns change a name's ending ("Holandia" -> "Holandii" in Polish,
    "Германия" -> "Германии", "Βέλγιο" -> "Βελγίου"). Names in Russian and in the other
    locales' cased alphabets (Latin, Greek, Cyrillic) are read as a stem (the name, less a final
    vowel) and a short ending, capitalized as a name is; a name's ending is not looked at in
    English, French or Spanish, whose own words would otherwise be read as names ("Francis").
    """
    tr = translator("ru")
    forms: dict[str, tuple[str, str]] = {}
    sources: list[tuple[str, str, str]] = []
    for c in pycountry.countries:
        english = getattr(c, "common_name", None) or c.name
        if tr is not None:
            for form in {c.name, english}:
                sources.append((tr.gettext(form), c.alpha_3, english))
    sources.extend((name, code, english) for name, (code, english) in extra_country_names().items())
    for name, code, english in sources:
        bare = _bare(name).strip()
        if " " in bare or not _CASED_SCRIPT_RE.match(bare) or not bare[0].isupper():
            continue
        stem = bare[:-1] if bare[-1].lower() in _FINAL_VOWELS else bare
        if len(stem) >= DECLINED_MIN_STEM:
            forms.setdefault(stem, (code, english))
    stems = sorted(forms, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w])(?P<stem>"
        + "|".join(map(re.escape, stems))
        + rf")\w{{0,{DECLINED_MAX_ENDING}}}(?![\w])"
    )
    return pattern, forms


@lru_cache(maxsize=1)
def _clitic_names() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """A matcher of Arabic- and Hebrew-script names after one or two joined letters.

    Names of several words ("الولايات المتحدة") too: the letters join the first word.
    """
    forms: dict[str, tuple[str, str]] = {}
    tr = translator("ar")
    if tr is not None:
        for c in pycountry.countries:
            english = getattr(c, "common_name", None) or c.name
            for form in {c.name, english}:
                forms.setdefault(
                    strip_arabic_diacritics(tr.gettext(form)).strip(), (c.alpha_3, english)
                )
    for name, (code, english) in extra_country_names().items():
        forms.setdefault(name.strip(), (code, english))
    parts = []
    for letters in _CLITIC_SCRIPTS.values():
        names = sorted(
            (
                f
                for f in forms
                if len(f) >= 3 and re.fullmatch(f"[{letters}]+(?: [{letters}]+)*", f)
            ),
            key=len,
            reverse=True,
        )
        if names:
            parts.append(
                rf"(?<![\w])[{letters}]{{1,2}}(?P<n{len(parts)}>"
                + "|".join(map(re.escape, names))
                + r")(?![\w])"
            )
    return re.compile("|".join(parts or ["(?!)"])), forms


def _writes_capitals(text: str) -> bool:
    """Does a text use capital letters at all?

    An asker who writes everything in lower case gives no case to read names by.
    """
    return any(c.isupper() for c in text)


def _written_as_name(text: str, folded_name: str) -> bool:
    """Is a name found in the folded text written as a name somewhere in ``text``?

    In scripts with capitals a name starts with one. The same letters in lower case are an
    ordinary word of some language: Russian "для того, чтобы" (so that) is not Togo, Turkish
    "mali yardım" (financial aid) is not Mali, "chad" is not Chad. A name whose first letter has
    no case (Arabic, Hebrew, Devanagari…) is always written as a name.
    """
    first = folded_name[:1]
    if not first or first.upper() == first.lower():
        return True
    parts = []
    for ch in folded_name:
        if ch == " ":
            parts.append(r"[\s\-‐‑–—_/]+")
        elif ch == "'":
            parts.append("['’‘]")
        else:
            parts.append(re.escape(ch))
    pattern = re.compile(r"(?<![\w])" + "".join(parts) + r"(?![\w])", re.IGNORECASE)
    return any(m.group(0)[0].isupper() for m in pattern.finditer(_bare(text)))


def find_countries(text: str, language: str | None = None) -> list[tuple[str, str]]:
    """Countries a text names, as (alpha-3 code, English name), in order of first mention."""
    return [(code, name) for code, name, _ in country_mentions(text, language)]


def country_mentions(text: str, language: str | None = None) -> list[tuple[str, str, str]]:
    """Countries a text names, in order of first mention.

    Each as (alpha-3 code, English name, the words naming it the first time, as the matcher
    saw them: folded, compacted or as written), so a caller can blank a declined form too.
    Declined forms are read unless the text is in English, French or Spanish (``language``, or
    :func:`~ingest.language.asker_language`), whose words would otherwise be taken for another
    language's names ("Chinese").
    """
    latin_re, cjk_re, by_form = country_matchers()
    compacted = compact(text)
    for trap in _ZH_TRAPS:
        compacted = compacted.replace(trap, "\u3000" * len(trap))
    hits: list[tuple[int, str, str, str]] = []
    cased = _writes_capitals(text)
    for m in latin_re.finditer(fold(text)):
        n = by_form[m.group(0)]
        if cased and not _written_as_name(text, m.group(0)):
            continue
        hits.append((m.start(), n.code, n.name, m.group(0)))
    for m in cjk_re.finditer(compacted):
        n = by_form[m.group(0)]
        hits.append((m.start(), n.code, n.name, m.group(0)))
    # The text as written (NFKC), with the Chinese words that hold a name blanked.
    written = unicodedata.normalize("NFKC", text)
    for trap in _ZH_TRAPS:
        written = written.replace(trap, "\u3000" * len(trap))
    extra = extra_country_names()
    for m in _extra_country_matcher().finditer(written):
        code, name = extra[m.group(0)]
        hits.append((m.start(), code, name, m.group(0)))
    asker = language or asker_language(text)
    own_languages = [asker, *([] if language else plausible_languages(text))]
    if "zh" in own_languages:
        own_languages.append("zh_Hant")  # Chinese in traditional characters: 德國, not 德国
    for own_language in dict.fromkeys(own_languages):
        own, own_names = _own_language_names(own_language)
        for m in own.finditer(written):
            code, name = own_names[m.group(0)]
            hits.append((m.start(), code, name, m.group(0)))
    if asker not in LATIN_LANGUAGES:
        declined, stems = _declined_names()
        for m in declined.finditer(_bare(text)):
            code, name = stems[m.group("stem")]
            hits.append((m.start(), code, name, m.group(0)))
    clitic, names = _clitic_names()
    for m in clitic.finditer(strip_arabic_diacritics(unicodedata.normalize("NFKC", text))):
        matched = next(g for g in m.groups() if g)
        code, name = names[matched]
        hits.append((m.start(), code, name, m.group(0)))
    seen: dict[str, tuple[str, str]] = {}
    for _, code, name, surface in sorted(hits):
        seen.setdefault(code, (name, surface))
    return [(code, name, surface) for code, (name, surface) in seen.items()]
