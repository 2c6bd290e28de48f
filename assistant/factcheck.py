"""Rule checks of a claim against pledge sentences.

Rule checks of a claim against pledge sentences: numbers, years, ranges, treaty numbers,
named topics, modality (done versus pledged) and polarity.

Why rules and not only the embedder: topic overlap says a sentence is *about* the claim, not that
it *states* it. "Belgium ratified the Istanbul Convention in 2019" and the pledge's "ratified the
Istanbul Convention (2016)" are as close as two sentences get, and one is false. What decides
such claims is a small set of facets that can be read without understanding every word:

* quantities: digits are the same in every language, so years, year ranges ("2021-2025",
  "2016 至 2018 年", "de 2016 à 2018"), treaty numbers ("No. 190", "n° 190", "№ 190",
  "第 190 号", "رقم 190"), counts and ordinals ("eight", "八项", "fourth", "第四个") are compared
  as values. Each value in a pledge sentence is bound to the topic it qualifies (a bracketed
  value to what precedes it; in Chinese a bare time phrase to what follows it, as Chinese puts
  time before the verb), so the year of one convention in a list is not read as another's;
* topics: glossary concepts (one multilingual list, :mod:`vectorstore.glossary`) and treaty numbers
  must be present in the evidence sentence;
* modality: whether the sentence reports something done or something pledged, intended or
  under way. The cues are the grammar of each UN language (perfect and past forms, "already",
  future forms, the verbs of commitment), not the topics of any claim; a past year in a
  sentence without any cue reads as done;
* polarity: a negation right before the first topic word ("no overdue reports", "没有逾期").

A claim in a language without cue tables, or whose modality or quantities the evidence does not
state, is ``related``, never ``supported``: the verdict names what was not checked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from assistant.citations import MARKER_RE, sentence_spans
from assistant.terms import word_occurs
from ingest.countries import country_matchers
from ingest.language import ARABIC, char_class, compact, detect_language, fold, has_han, identify
from vectorstore.glossary import default_glossary
from vectorstore.records import SearchHit

Kind = Literal["year", "range", "ident", "count", "ordinal"]
Modality = Literal["done", "pledged", "ongoing", "mixed", "none"]
Status = Literal["supported", "contradicted", "related"]

#: Glossary concepts naming an office ("vice-president", "co-chair"): weight 0 in coverage, but
#: a claim about a vice-presidency is not supported by a sentence about a membership.
OFFICES = ("vice_president", "co_chair", "chair")

#: Languages whose modality and negation cues are known.
CUE_LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")

# -- quantities ----------------------------------------------------------------------------------

_YEAR = r"(?:19|20)\d\d"
_RANGE_RE = re.compile(
    rf"(?<!\d)(?P<a>{_YEAR})\s*(?:年\s*)?"
    r"(?:[-‐‑–—~～/]|至|到|to|through|until|à|au|a|al|hasta|по|до|إلى|الى|-)\s*"
    rf"(?P<b>{_YEAR}|\d\d)(?!\d)",
    re.IGNORECASE,
)
_BETWEEN_RE = re.compile(
    rf"(?:between|entre|между)\s+(?P<a>{_YEAR})\s+(?:and|et|y|и)\s+(?P<b>{_YEAR})(?!\d)",
    re.IGNORECASE,
)
_IDENT_RE = re.compile(
    r"(?:\b(?:nos?|n|nº|n°|núm|num|número|numero|number|nr)\.?\s*|№\s*|رقم\s*)(?P<n>\d{1,4})(?!\d)"
    r"|第\s*(?P<z>\d{1,4})\s*号"
    r"|\b(?:convention|convenio|convenção|convenzione|protocol|protocole|protocolo|конвенци\w*"
    r"|протокол\w*)\s+(?P<w>\d{2,3})\b"
    r"|\bC\s?-?(?P<c>\d{2,3})\b",
    re.IGNORECASE,
)
_NUMBER_RE = re.compile(
    r"(?<![\d.,])\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?![\d])|(?<![\d.,])\d+(?:[.,]\d+)?(?![\d])"
)

# Cardinal and ordinal words, 1-12, of the UN languages (closed classes of each grammar).
_CARDINALS: dict[str, int] = {}
_ORDINALS: dict[str, int] = {}
for _i, _ws in enumerate(
    [
        "one un une uno una один одна одно",
        "two deux dos два две",
        "three trois tres три",
        "four quatre cuatro четыре",
        "five cinq cinco пять",
        "six seis шесть",
        "seven sept siete семь",
        "eight huit ocho восемь",
        "nine neuf nueve девять",
        "ten dix diez десять",
        "eleven onze once одиннадцать",
        "twelve douze doce двенадцать",
    ],
    start=1,
):
    for _w in _ws.split():
        _CARDINALS[_w] = _i
for _i, _ws in enumerate(
    [
        "first premier première primer primero primera первый первая первое первого первой",
        "second deuxième seconde segundo segunda второй вторая второе второго",
        "third troisième tercer tercero tercera третий третья третье третьего",
        "fourth quatrième cuarto cuarta четвертый четвертая четвертое четвертого",
        "fifth cinquième quinto quinta пятый пятая пятое пятого",
        "sixth sixième sexto sexta шестой шестая шестое шестого",
        "seventh septième séptimo séptima седьмой седьмая",
        "eighth huitième octavo octava восьмой восьмая",
        "ninth neuvième noveno novena девятый девятая",
        "tenth dixième décimo décima десятый десятая",
    ],
    start=1,
):
    for _w in _ws.split():
        _ORDINALS[fold(_w)] = _i
_CARDINALS = {fold(k): v for k, v in _CARDINALS.items()}
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_ZH_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_NUM = "一二两三四五六七八九十百千万"
# Measure words that make a Chinese numeral a count ("八项文书", "一个席位").
_ZH_COUNT_RE = re.compile(rf"(?<![第{_ZH_NUM}])([{_ZH_NUM}]+)(?=项|个|名|份|次|届|条|部|所)")
_ZH_ORDINAL_RE = re.compile(rf"第([{_ZH_NUM}]+)(?=个|项|次|届|份|部|条)")


def zh_numeral(text: str) -> int | None:
    """Value of a Chinese numeral below 100,000 ("八" 8, "十二" 12, "二十五" 25)."""
    total, current = 0, 0
    for ch in text:
        if ch in _ZH_DIGITS:
            current = _ZH_DIGITS[ch]
        elif ch in "十百千万":
            unit = {"十": 10, "百": 100, "千": 1000, "万": 10000}[ch]
            total += (current or 1) * unit
            current = 0
        else:
            return None
    return total + current


@dataclass(frozen=True)
class Quantity:
    """A value read from text.

    Attributes:
        kind: ``year``, ``range`` (two years), ``ident`` (a treaty or protocol number),
            ``count`` or ``ordinal``.
        value: The value(s): one number, or the first and last year of a range.
        start: Offset in the normalized text.
        end: End offset in the normalized text.
        text: The words as written.
        bracketed: In parentheses, so it qualifies what precedes it.
        in_title: Inside a title (《...》), so it is part of a name, not a stated fact.
    """

    kind: Kind
    value: tuple[int, ...]
    start: int
    end: int
    text: str
    bracketed: bool = False
    in_title: bool = False
    relation: str = "="

    def shown(self) -> str:
        """The value as a reader would write it."""
        if self.kind == "range":
            return f"{self.value[0]}-{self.value[1]}"
        if self.kind == "ident":
            return f"No. {self.value[0]}"
        if self.kind == "ordinal":
            return f"#{self.value[0]}"
        if len(self.value) == 2:  # a decimal: digits and number of decimals
            digits, places = self.value
            return f"{digits / 10**places:.{places}f}"
        return str(self.value[0])


def normalize(text: str) -> str:
    """NFKC (full-width digits and brackets to ASCII) with the same length as ``text``.

    Characters whose NFKC form is not a single character are kept as they are, so offsets in
    the result are offsets in ``text``.
    """
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


def _enclosures(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(parenthesized spans, title spans 《...》 / quoted names) of ``text``."""
    parens = [(m.start(), m.end()) for m in re.finditer(r"\([^()]*\)", text)]
    titles = [(m.start(), m.end()) for m in re.finditer(r"《[^《》]*》|“[^“”]*”|«[^«»]*»", text)]
    return parens, titles


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _range_end(a: int, b: str) -> int:
    return int(b) if len(b) == 4 else (a // 100) * 100 + int(b)


# A year that bounds the fact rather than dates it: "before 2017", "2017 年之前", "since 2016".
_BEFORE = re.compile(
    r"(?<!\w)(?:before|prior to|until|till|by|no later than|avant|jusqu['’]?\s?(?:en|à)|d['’]ici|"
    r"antes de|hasta|до|к|قبل|حتى)\s*(?:the end of\s*|fin\s*|finales de\s*)?$",
    re.I,
)
_AFTER = re.compile(
    r"(?:(?<!\w)(?:after|since|après|depuis|después de|desde|после|с|منذ|بعد)|自|从)\s*$", re.I
)
_ZH_AFTER_YEAR = re.compile(r"\s*年?\s*(之前|以前|前|之后|以后|后|以来)")


def _relation(text: str, start: int, end: int) -> str:
    """``<`` (at the latest), ``>`` (at the earliest) or ``=`` for a year at ``start:end``."""
    head = text[max(0, start - 24) : start]
    if _BEFORE.search(head):
        return "<"
    if _AFTER.search(head):
        return ">"
    m = _ZH_AFTER_YEAR.match(text, end)
    if m:
        return "<" if m.group(1) in ("之前", "以前", "前") else ">"
    return "="


def _spaced_letter(ch: str) -> bool:
    """A Latin, Greek or Cyrillic letter (scripts whose words are set apart by spaces)."""
    return ch.isalpha() and unicodedata.name(ch, "").startswith(("LATIN", "GREEK", "CYRILLIC"))


def quantities(text: str) -> list[Quantity]:
    """Years, year ranges, treaty numbers, counts and ordinals in ``text`` (normalized)."""
    t = normalize(text)
    parens, titles = _enclosures(t)
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    def add(kind: Kind, value: tuple[int, ...], s: int, e: int) -> None:
        taken.append((s, e))
        rel = _relation(t, s, e) if kind in ("year", "range") else "="
        out.append(Quantity(kind, value, s, e, t[s:e], _inside(s, parens), _inside(s, titles), rel))

    for m in _IDENT_RE.finditer(t):
        n = m.group("n") or m.group("z") or m.group("c") or m.group("w")
        # "no 2016" is not a treaty number; neither is a bare "n" before a year.
        if n and not re.fullmatch(_YEAR, n):
            add("ident", (int(n),), m.start(), m.end())
    for rx in (_BETWEEN_RE, _RANGE_RE):
        for m in rx.finditer(t):
            if not free(m.start(), m.end()):
                continue
            a = int(m.group("a"))
            b = _range_end(a, m.group("b"))
            if a < b <= a + 30:
                add("range", (a, b), m.start(), m.end())
    for m in _NUMBER_RE.finditer(t):
        if not free(m.start(), m.end()):
            continue
        raw = m.group(0)
        decimal = re.fullmatch(r"\d+[.,]\d{1,2}", raw)
        if decimal:  # 0.7: the digits and the number of decimals
            whole, frac = re.split(r"[.,]", raw)
            add("count", (int(whole + frac), len(frac)), m.start(), m.end())
            continue
        digits = re.sub(r"\D", "", raw)
        value = int(digits)
        kind: Kind = "year" if re.fullmatch(_YEAR, digits) else "count"
        # A digit glued to a letter of an alphabet that spaces its words is part of a name or a
        # reference ("60/251", "COVID-19", "A2"); kana, hangul and Han run on into numbers
        # ("ベルギーは2031年").
        before = t[m.start() - 1] if m.start() else " "
        after = t[m.end()] if m.end() < len(t) else " "
        if before in "/-‐" or after in "/" or _spaced_letter(before):
            continue
        if kind == "count" and re.match(r"\s*(?:条|款|段|article|art\.)", t[m.end() :]):
            continue
        if kind == "count" and re.search(
            r"(?:articles?|arts?\.|art[íi]culos?|стать\w+|第|para\w*|§|\d\(|\d\)\s*(?:and|et|y|и|和)\s*)\s*$",
            t[: m.start()],
            re.I,
        ):
            continue
        if kind == "count" and re.match(r"\(\d", t[m.end() :]):
            continue  # "17(7)": an article and its paragraph
        add(kind, (value,), m.start(), m.end())
    for m in _WORD_RE.finditer(t):
        w = fold(m.group(0))
        if w in _CARDINALS and free(m.start(), m.end()):
            rest = t[m.end() : m.end() + 4].lstrip()
            # "one of", "un des": a pronoun, not a count; "un/una" before a noun is an article.
            if w in ("un", "une", "uno", "una", "one") or rest.startswith(("of ", "des", "de ")):
                continue
            add("count", (_CARDINALS[w],), m.start(), m.end())
        elif w in _ORDINALS and free(m.start(), m.end()):
            add("ordinal", (_ORDINALS[w],), m.start(), m.end())
    for m in _ZH_ORDINAL_RE.finditer(t):
        v = zh_numeral(m.group(1))
        if v and free(m.start(), m.end()):
            add("ordinal", (v,), m.start(), m.end())
    for m in _ZH_COUNT_RE.finditer(t):
        v = zh_numeral(m.group(1))
        # "一个" / "一项" is mostly the article "a"; only larger counts are facts.
        if v and v > 1 and free(m.start(), m.end()):
            add("count", (v,), m.start(), m.end())
    return sorted(out, key=lambda q: q.start)


# -- modality and polarity cues --------------------------------------------------------------------

# Commitment, intention, future and continuing: the act is not (only) done.
_PLEDGED: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"\b(will|shall|pledg\w*|commit\w*|undert(?:ake|akes|aking|ook|aken)|promis\w*|intend\w*"
        r"|plans to|planned to|planning to|aims to|aiming to|seeks? to|seeking to|striv\w*"
        r"|endeavou?r\w*"
        r"|going to|vow\w*|resolv\w+ to|determined to|working to"
        r"|is developing|are developing|being developed)\b",
        re.I,
    ),
    "fr": re.compile(
        r"(s['’]\s?engag\w*|\bengag\w+ à|\bpromet\w*|\bpromis\b|\bentend\w*|\bcompte\b|\bprévoi\w*"
        r"|\bvise\w* à|\bva\b|\bvont\b|\bintention\b"
        r"|\bs['’]\s?efforce\w*"
        r"|\b\w{2,}(?:erai|eras|era|erons|erez|eront)\b|\b(?:sera|seront|aura|auront|fera|feront"
        r"|ira|iront|pourra)\b|\ben cours\b)",
        re.I,
    ),
    "es": re.compile(
        r"\b(se compromete\w*|se comprometió|comprometid\w+|compromet\w+|promete\w*|prometió"
        r"|prev[ée]\w*|pretende\w*|procura\w*|se propone|tiene previsto|va a|van a"
        r"|\w{2,}(?:rá|rán|remos|réis)|intenci[óo]n|se esfuerza\w*"
        r"|en curso)\b",
        re.I,
    ),
    "ru": re.compile(
        r"(обяза\w+|обязуется|будет|будут|намер\w+|планир\w+|стрем\w+|обеща\w+|пообеща\w+"
        r"|наме\w+|собира\w+|разрабатыва\w+)",
        re.I,
    ),
    "zh": re.compile(
        r"(承诺|保证|将|致力于|决心|决意|计划|打算|拟|争取|努力|正在|准备|愿意|力求|立志)"
    ),
    "ar": re.compile(r"(تعهد\w*|تتعهد|يتعهد|تلتزم|التزمت|تعتزم|سوف|\bس[تين]\w+|تسعى|ستعمل)"),
}
# Continuing what is already done ("will continue to", "维持", "poursuivre"): a pledge, but one
# that says nothing against a claim that the thing is done.
_ONGOING: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"\b(continu\w+|maintain\w*|keep\w*|remain\w*|still)\b", re.I),
    "fr": re.compile(r"\b(continu\w+|poursuiv\w+|maint\w+|demeur\w+|rest\w+|toujours)\b", re.I),
    "es": re.compile(r"\b(contin[úu]\w+|segui\w+|seguir\w*|mant\w+|sigue\w*)\b", re.I),
    "ru": re.compile(r"(продолж\w+|сохран\w+|поддерживать|по-прежнему)", re.I),
    "zh": re.compile(r"(继续|维持|保持|一贯|始终|一直|仍然|仍将)"),
    "ar": re.compile(r"(تواصل|ستواصل|يواصل|مواصلة|تحافظ|ستظل|لا تزال)"),
}
# Completed: perfect and past forms, "already".
_DONE: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"\b(already|(?:has|have|had)(?: also| already| not| never| now)?"
        r" (?:been|become|\w+ed|\w+en"
        r"|won|held|made|done|got|joined|signed)|(?:was|were) \w+ed|did)\b",
        re.I,
    ),
    "fr": re.compile(
        r"(\bdéjà\b|\b(?:a|ont|avait|avaient|eut|est|sont|était|étaient)"
        r"(?: déjà| aussi| également)?"
        r" (?:\w+é|\w+ée|\w+és|\w+ées|\w+i|\w+is|\w+it|\w+u|\w+us|été|fait)\b)",
        re.I,
    ),
    "es": re.compile(
        r"\b(ya|(?:ha|han|había|habían|hubo)(?: ya| también)? \w+(?:ado|ada|ido|ida|to|cho)"
        r"|fue|fueron)\b",
        re.I,
    ),
    "ru": re.compile(r"(уже|\bбыл[аио]?\b)", re.I),
    "zh": re.compile(r"(已经|已|曾经|曾|(?<![为除到])了(?!解))"),
    "ar": re.compile(r"(\bقد\b|بالفعل|سبق)"),
}
# A past-tense verb right after the country named as subject ("Belgium ratified", "Бельгия
# ратифицировала", "Bélgica ratificó"); Arabic puts the verb first ("صدقت بلجيكا").
_PAST_AFTER_SUBJECT: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"^(?:\s*(?:also|then|later|in \d{4},?))?\s*(\w+ed|was|were|became|won|held|"
        r"took|made|joined|signed|gave|sat|led|chaired|hosted)\b",
        re.I,
    ),
    "es": re.compile(r"^\s*(\w+(?:ó|aron|ieron)|fue|fueron)\b", re.I),
    "ru": re.compile(r"^\s*(\w+(?:л|ла|ло|ли|лась|лся|лись))\b", re.I),
}
_AR_PAST_FIRST = re.compile(r"^\s*(?!س)[" + char_class(ARABIC[:1]) + r"]{2,}ت\s")
_NEGATION: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"\b(not|no|never|none|neither|nor|without|cannot|n't|lacks?|fail\w*)\b", re.I
    ),
    "fr": re.compile(r"\b(ne|n['’]|pas|jamais|aucun\w*|sans|ni)\b|\bn['’]", re.I),
    "es": re.compile(r"\b(no|nunca|jamás|ningún|ninguna|ninguno|sin|ni|tampoco)\b", re.I),
    "ru": re.compile(r"\b(не|нет|никогда|ни|без)\b", re.I),
    "zh": re.compile(r"(没有|没|未|无|不|非|从未|尚未|并非)"),
    "ar": re.compile(r"(\bلا\b|\bلم\b|\bلن\b|\bليس\w*|\bغير\b|\bدون\b|\bبدون\b)"),
}
# Verbs that deny the act they govern ("withdrew from", "refused to"), read in claims only: in
# pledges the same words name what is fought ("反对种族主义", "lutter contre").
_DENIAL: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"\b(withdr[ae]w\w*|refus\w+|reject\w*|declin\w+ to|ceas\w+|abandon\w*|"
        r"revok\w+|suspend\w*|denounc\w+|opt\w* out)\b",
        re.I,
    ),
    "fr": re.compile(
        r"\b(retir\w+|refus\w+|rejet\w+|renonc\w+|abandonn\w+|suspend\w+|"
        r"dénonc\w+|révoqu\w+)\b",
        re.I,
    ),
    "es": re.compile(
        r"\b(retir\w+|rechaz\w+|neg[óo] a|renunci\w+|abandon\w+|suspend\w+|"
        r"denunci\w+|revoc\w+)\b",
        re.I,
    ),
    "ru": re.compile(r"(отказ\w+|вышл\w+|выход\w+|отозвал\w+|приостанов\w+|денонс\w+)", re.I),
    "zh": re.compile(r"(退出|拒绝|放弃|撤销|撤回|中止|暂停|停止)"),
    "ar": re.compile(r"(انسحب\w*|رفض\w*|تخلت|علقت|ألغت)"),
}
#: Indefinite quantifiers ("several overdue reports"): they assert that something exists, which
#: is what polarity compares, so they are not words left unchecked.
QUANTIFIERS = frozenset(
    (  # noqa: SIM905
        "several many some various multiple numerous plusieurs certains certaines nombreux"
        " nombreuses divers diverses varios varias algunos algunas muchos muchas numerosos"
        " numerosas несколько многие многих ряд некоторые 若干 一些 多个 多项 许多 عدة بعض العديد"
    ).split()
)
# A conditional clause ("if there is no ...") asserts nothing.
_CONDITIONAL = re.compile(r"^\s*(?:如果|若|假如|if\b|si\b|если\b|إذا)", re.I)
# Chinese commitment words are also nouns ("坚定承诺，", "作出承诺以来", "的努力"): as verbs they
# take an object or a list (a Chinese character or "：" follows), as nouns they end a phrase or
# follow a determiner.
_ZH_NOUN_BEFORE = "的出和其与"
_ZH_VERBAL_NOUNS = ("承诺", "计划", "努力", "保证", "决心")
# Clause and list-item boundaries.
_CLAUSE_CUTS = re.compile(r"[，,；;：:]|\s[-–—]\s")


def _cue_spans(rx: re.Pattern[str], text: str, lang: str, after: str = "") -> list[tuple[int, int]]:
    """Spans of cue ``rx`` in a clause; ``after`` is the character that ends the clause."""
    spans = []
    for m in rx.finditer(text):
        if lang == "zh" and m.group(0) in _ZH_VERBAL_NOUNS:
            nxt = text[m.end() : m.end() + 1] or after
            if m.start() and text[m.start() - 1] in _ZH_NOUN_BEFORE:
                continue
            if not (nxt == "：" or nxt == ":" or (has_han(nxt) and nxt not in "的以和与")):
                continue
            if m.group(0) == "计划" and text[max(0, m.start() - 2) : m.start()] == "行动":
                continue
        spans.append((m.start(), m.end()))
    return spans


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the clause around ``pos`` (cut at ， , ； ; ： : outside brackets)."""
    depth = 0
    cuts = [0]
    for i, ch in enumerate(text):
        if ch in "(《（“«":
            depth += 1
        elif ch in ")》）”»":
            depth = max(0, depth - 1)
        elif depth == 0 and _CLAUSE_CUTS.match(text, i):
            cuts.append(i + 1)
    cuts.append(len(text) + 1)
    start = max(c for c in cuts if c <= pos)
    end = min(c for c in cuts if c > pos) - 1
    return start, min(end, len(text))


def modality_of(
    text: str,
    lang: str,
    focus: int,
    subject_ends: Sequence[int] = (),
    cross: bool = False,
) -> Modality:
    """The modality label of :func:`modality_cue`."""
    return modality_cue(text, lang, focus, subject_ends, cross)[0]


def modality_cue(
    text: str,
    lang: str,
    focus: int,
    subject_ends: Sequence[int] = (),
    cross: bool = False,
) -> tuple[Modality, str]:
    """Whether ``text`` reports the act at ``focus`` as done or pledged (or both, or neither).

    The clause holding ``focus`` decides. With ``cross`` (a claim: one proposition), earlier
    clauses decide when it has no cue ("Belgium pledged to ratify, as soon as possible, ...");
    in a pledge sentence an earlier clause is often another proposition ("比利时致力于..., 将其
    作为..., 比利时在 2019-2020 年..."), so it is not read. Pledged cues win over done cues in one
    clause ("has pledged to ratify" is a pledge), except in Chinese, where "已经通过或正在制定"
    names both.
    """
    if lang not in CUE_LANGUAGES:
        return "none", ""
    cs, ce = clause_bounds(text, focus)
    clauses = [(cs, ce)]
    pos = cs - 1
    while cross and pos > 0:
        s, e = clause_bounds(text, pos - 1)
        clauses.append((s, e))
        pos = s - 1
    for s, e in clauses:
        piece = text[s:e]
        after = text[e : e + 1]
        pledged = _cue_spans(_PLEDGED[lang], piece, lang, after)
        done = _cue_spans(_DONE[lang], piece, lang, after)
        ongoing = _cue_spans(_ONGOING[lang], piece, lang, after)
        if (pledged or ongoing) and done and lang == "zh":
            return "mixed", ", ".join(piece[a:b] for a, b in sorted(pledged + ongoing + done))
        if ongoing:
            return "ongoing", piece[ongoing[0][0] : ongoing[0][1]]
        if pledged:
            return "pledged", piece[pledged[0][0] : pledged[0][1]]
        if done:
            return "done", piece[done[0][0] : done[0][1]]
    for end in subject_ends:
        rx = _PAST_AFTER_SUBJECT.get(lang)
        m = rx.match(text[end:]) if rx else None
        if m:
            return "done", m.group(1)
    m = _AR_PAST_FIRST.match(text) if lang == "ar" else None
    if m:
        return "done", m.group(0).strip()
    return "none", ""


def negated(text: str, lang: str, start: int) -> bool:
    """A negation cue shortly before offset ``start`` in the same clause."""
    if lang not in _NEGATION:
        return False
    cs, _ = clause_bounds(text, start)
    clause_head = text[cs:start]
    if _CONDITIONAL.match(text[cs:]):
        return False
    if has_han(text[start : start + 1]) or lang == "zh":
        window = clause_head[-4:]
    else:
        window = " ".join(clause_head.split()[-3:])
    return bool(_NEGATION[lang].search(window))


# -- topics ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """Where a topic of the claim is named in a text."""

    key: str  # concept id, or "ident:190"
    start: int
    end: int
    text: str


def _fold_offsets(text: str) -> tuple[str, list[int]]:
    """``fold`` per character, with the offset in ``text`` of each folded character."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        f = fold(ch)
        out.append(f)
        index.extend([i] * len(f))
    return "".join(out), index


def _compact_offsets(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        c = compact(ch)
        out.append(c)
        index.extend([i] * len(c))
    return "".join(out), index


def anchors(text: str, weighted_only: bool = False) -> list[Anchor]:
    """Glossary concepts and treaty numbers named in ``text``, with offsets in ``text``."""
    folded, fidx = _fold_offsets(text)
    compacted, cidx = _compact_offsets(text)
    out: list[Anchor] = []
    for concept, spans in default_glossary().find_views(folded, compacted):
        if weighted_only and concept.weight <= 0:
            continue
        for view, s, e in spans:
            idx = fidx if view == "f" else cidx
            if not idx or s >= len(idx):
                continue
            a, b = idx[s], idx[min(e, len(idx)) - 1] + 1
            out.append(Anchor(concept.id, a, b, text[a:b]))
    for q in quantities(text):
        if q.kind == "ident":
            out.append(Anchor(f"ident:{q.value[0]}", q.start, q.end, q.text))
    return sorted(out, key=lambda a: (a.start, a.end))


# -- the claim -------------------------------------------------------------------------------------


@dataclass
class ClaimFacets:
    """What a claim asserts, in checkable parts."""

    text: str
    language: str
    topics: list[str]
    idents: list[int]
    values: list[Quantity]
    modality: Modality
    negated: bool
    anchors: list[Anchor] = field(default_factory=list)
    modality_cue: str = ""
    #: Whether ``topics`` holds a topic the glossary weighs (or an office), not only the
    #: framing concepts a claim falls back to ("s'engage" names "cooperation").
    topical: bool = False

    @property
    def cues_known(self) -> bool:
        """Whether modality and negation can be read in the claim's language."""
        return self.language in CUE_LANGUAGES


def claim_language(text: str) -> str:
    """ISO 639-1 code of a claim, among all languages the identifier knows (not only the six).

    A claim in Italian or Portuguese must not be read with Spanish cue tables.
    """
    lang = detect_language(text)
    if lang in ("zh", "ru", "ar"):
        return lang
    guess, prob = identify(text)
    if guess in ("en", "fr", "es"):
        return str(guess)
    # Short sentences are easy to misread: trust another language only when the identifier is
    # sure of it, and then no cue table applies.
    return str(guess) if prob >= 0.9 else lang


def _subject_ends(text: str) -> list[int]:
    """Offsets right after each country name in ``text`` (the usual subject of a claim)."""
    latin_re, cjk_re, _ = country_matchers()
    folded, fidx = _fold_offsets(text)
    compacted, cidx = _compact_offsets(text)
    ends = [fidx[m.end() - 1] + 1 for m in latin_re.finditer(folded) if m.end() > m.start()]
    ends += [cidx[m.end() - 1] + 1 for m in cjk_re.finditer(compacted) if m.end() > m.start()]
    return sorted(set(ends))


def rule_words(claim: str, language: str) -> set[str]:
    """Words of a claim the rules read.

    Words of ``claim`` the rules read: values, the word after a year ("году", "年"), and
    modality and negation cues. They are not topic words to look up in the pledges.
    """
    text = normalize(claim)
    out: set[str] = set()
    for q in quantities(text):
        out.add(q.text)
        out.add(fold(q.text))
        if q.kind in ("year", "range"):
            nxt = re.match(r"\s*([^\W\d_]+)", text[q.end :])
            prv = re.search(r"([^\W\d_]+)\s*$", text[: q.start])
            for m in (nxt, prv):
                if m:
                    out.add(fold(m.group(1)))
    for table in (_PLEDGED, _DONE, _NEGATION, _DENIAL):
        rx = table.get(language)
        if rx is None:
            continue
        for m in rx.finditer(text):
            for w in re.findall(r"[^\W\d_]+", m.group(0)):
                out.add(fold(w))
    return out


def read_claim(claim: str, language: str | None = None) -> ClaimFacets:
    """Topics, treaty numbers, values, modality and polarity of a claim."""
    text = normalize(claim)
    lang = language or claim_language(text)
    found = anchors(text)
    weighted = {c.id for c in default_glossary().coverage if c.weight > 0} | set(OFFICES)
    topics = list(dict.fromkeys(a.key for a in found if a.key in weighted))
    topical = bool(topics)
    if not topics:
        topics = list(dict.fromkeys(a.key for a in found if not a.key.startswith("ident:")))
    qs = quantities(text)
    idents = [q.value[0] for q in qs if q.kind == "ident"]
    values = [q for q in qs if q.kind != "ident" and not q.in_title]
    first = next((a for a in found if a.key in topics), None)
    focus = first.start if first else len(text) // 2
    modality: Modality = "none"
    cue = ""
    if lang in CUE_LANGUAGES:
        modality, cue = modality_cue(text, lang, focus, _subject_ends(text), cross=True)
    neg = False
    if lang in CUE_LANGUAGES:
        neg = negated(text, lang, first.start) if first else False
        if not neg and _DENIAL[lang].search(text[: first.start] if first else text):
            neg = True
        if not neg and lang in _NEGATION:
            # A negated main verb: "Belgium has not ratified ...", "比利时尚未批准...".
            for end in _subject_ends(text):
                head = text[end : end + 16]
                # Chinese: only a negation that opens the predicate ("没有", "未", "尚未");
                # "有逾期未提交" (has overdue reports) has its "未" inside the topic.
                if _NEGATION[lang].search(" ".join(head.split()[:3]) if lang != "zh" else head[:2]):
                    neg = True
    return ClaimFacets(claim, lang, topics, idents, values, modality, neg, found, cue, topical)


def states_something(facets: ClaimFacets, content_words: Sequence[str]) -> bool:
    """Whether a claim has a topic to check against the pledges.

    A claim needs a topic beyond the country it is about and the framing of a pledge: a
    glossary topic or office, a treaty number, content words of its own (``content_words``:
    the claim's words outside the glossary, countries, stopwords and the words the rules read
    as values or cues), or a value stated of one of the glossary's general concepts ("eight
    United Nations human rights instruments"). "Belgium", "Belgium pledged", "Belgium pledged
    to ratify", "比利时承诺", "x" or "Belgium in 2016" have none: nearly every sentence of a
    pledge would "support" them, so they are not checked.
    """
    general = bool(facets.topics) and bool(facets.values)
    return facets.topical or bool(facets.idents) or bool(content_words) or general


# -- checking one evidence sentence ------------------------------------------------------------


@dataclass
class Finding:
    """One facet compared between the claim and an evidence sentence."""

    facet: Literal["topic", "value", "modality", "polarity"]
    outcome: Literal["match", "conflict", "unchecked"]
    claim_part: str
    evidence_part: str = ""
    note: str = ""
    key: str = ""


@dataclass
class SentenceCheck:
    """The facets of a claim compared with one sentence of a pledge paragraph."""

    sentence: str
    start: int
    end: int
    findings: list[Finding]
    topic_hits: int
    keys: frozenset[str] = frozenset()

    @property
    def conflicts(self) -> list[Finding]:
        """The findings that conflict with the claim."""
        return [f for f in self.findings if f.outcome == "conflict"]

    @property
    def unchecked(self) -> list[Finding]:
        """The findings no rule could check (topics aside)."""
        return [f for f in self.findings if f.outcome == "unchecked" and f.facet != "topic"]


_ITEM_CUTS = re.compile(r"[、，,；;：:]")


def _top_level_cuts(text: str) -> list[int]:
    """Offsets of list and clause separators outside brackets and titles."""
    depth = 0
    cuts = []
    for i, ch in enumerate(text):
        if ch in "(《（“«":
            depth += 1
        elif ch in ")》）”»":
            depth = max(0, depth - 1)
        elif depth == 0 and _ITEM_CUTS.match(ch):
            cuts.append(i)
    return cuts


def _bind(
    qs: Sequence[Quantity], marks: Sequence[Anchor], text: str, cjk: bool
) -> dict[int, set[str]]:
    """The topics each quantity qualifies (index in ``qs`` -> anchor keys).

    A value qualifies the stretch of text between it and the nearest separator or other value:
    a bracketed value what precedes it ("《伊斯坦布尔公约》(2016 年)", "plan (2021-2025)"); in
    Chinese a bare value what follows it, as time phrases stand before the verb ("在 2016 年担任
    副主席"); elsewhere a bare value what precedes it ("ratified X in 2016"), or what follows it
    when nothing topical precedes it ("In 2016, ...").
    """
    cuts = _top_level_cuts(text)
    out: dict[int, set[str]] = {}
    for i, q in enumerate(qs):
        prev_q = max((p.end for p in qs if p.end <= q.start), default=0)
        next_q = min((p.start for p in qs if p.start >= q.end), default=len(text))
        lo = max([prev_q, *[c + 1 for c in cuts if c < q.start]])
        hi = min([next_q, *[c for c in cuts if c >= q.end]])
        if cjk and not q.bracketed:
            # A Chinese modifier runs to its head noun across "、" ("第四个妇女、和平与安全
            # 国家行动计划"), not across a clause.
            hi = min([next_q, *[c for c in cuts if c >= q.end and text[c] != "、"]])
        back = {a.key for a in marks if lo <= a.start and a.end <= q.start}
        ahead = {a.key for a in marks if q.end <= a.start and a.end <= hi}
        if q.bracketed:
            keys = back
        elif cjk:
            keys = ahead or back
        else:
            keys = back or ahead
        if keys:
            out[i] = keys
    return out


def _compare_value(cq: Quantity, ev: Sequence[Quantity]) -> tuple[str, Quantity | None]:
    """``match`` / ``conflict`` / ``unchecked`` for one claim value against evidence values."""
    kinds = {
        "year": ("year", "range"),
        "range": ("range", "year"),
        "count": ("count",),
        "ordinal": ("ordinal",),
    }[cq.kind]
    cands = [q for q in ev if q.kind in kinds]
    if not cands:
        return "unchecked", None
    if cq.relation != "=" and cq.kind == "year":
        # "before 2017" holds when the stated year (or the range's end) is earlier.
        bound = cq.value[0]
        for q in cands:
            lo, hi = q.value[0], q.value[-1]
            if (cq.relation == "<" and hi <= bound) or (cq.relation == ">" and lo >= bound):
                return "match", q
        return "conflict", cands[0]
    for q in cands:
        if cq.kind == "year" and q.kind == "range" and q.value[0] <= cq.value[0] <= q.value[1]:
            return "match", q
        if cq.kind == q.kind and cq.value == q.value:
            return "match", q
    if cq.kind == "range":
        years = {q.value[0] for q in cands if q.kind == "year"}
        if cq.value[0] in years and cq.value[1] in years:
            return "match", None
    return "conflict", cands[0]


# (claim, pledge) modality -> outcome; pairs not listed cannot be judged.
_MODALITY_OUTCOME: dict[tuple[str, str], Literal["match", "conflict"]] = {
    ("done", "done"): "match",
    ("done", "pledged"): "conflict",
    ("pledged", "pledged"): "match",
    ("pledged", "ongoing"): "match",
    ("pledged", "done"): "conflict",
    ("ongoing", "ongoing"): "match",
    ("ongoing", "pledged"): "match",
}


def check_sentence(
    claim: ClaimFacets,
    sentence: str,
    language: str,
    context: str = "",
    doc_year: int | None = None,
) -> SentenceCheck:
    """Compare ``claim`` with one pledge sentence.

    Args:
        claim: The claim's facets (:func:`read_claim`).
        sentence: An exact sentence of a pledge paragraph.
        language: The paragraph's language.
        context: Text that governs the sentence (the lead-in of a list item), read for modality.
        doc_year: The year of the pledge, so that a sentence naming only earlier years reads
            as done when it carries no other cue.
    """
    text = normalize(sentence)
    cjk = language == "zh" or has_han(text)
    marks = anchors(text)
    keys = {a.key for a in marks}
    wanted = set(claim.topics) | {f"ident:{n}" for n in claim.idents}
    findings: list[Finding] = []
    hits = len(wanted & keys)
    for key in sorted(wanted):
        label = next((a.text for a in claim.anchors if a.key == key), key)
        if key in keys:
            ev = next(a.text for a in marks if a.key == key)
            findings.append(Finding("topic", "match", label, ev, key=key))
        else:
            findings.append(
                Finding("topic", "unchecked", label, note="not named in this sentence", key=key)
            )
    own = [a for a in marks if a.key in wanted]
    if not own:
        return SentenceCheck(sentence, 0, len(sentence), findings, hits, frozenset(keys))
    focus = own[0]
    qs = [q for q in quantities(text) if q.kind != "ident" and not q.in_title]
    bound = _bind(qs, marks, text, cjk)
    # A treaty number names one treaty of a list: only its own values count.
    valued = {f"ident:{n}" for n in claim.idents} or wanted
    topical = [q for i, q in enumerate(qs) if bound.get(i, set()) & valued]
    if not topical:
        # Values that qualify no named topic, in a clause that names the claim's topic.
        spans = [clause_bounds(text, a.start) for a in own]
        topical = [
            q
            for i, q in enumerate(qs)
            if i not in bound and any(s <= q.start < e + 1 for s, e in spans)
        ]
    for cq in claim.values:
        outcome, eq = _compare_value(cq, topical)
        findings.append(
            Finding(
                "value",
                outcome,
                cq.text.strip(),
                eq.text.strip() if eq else "",
                "" if outcome != "unchecked" else "the sentence states no such value",
            )
        )
    # Modality of the act the claim names.
    if claim.modality in ("done", "pledged", "ongoing"):
        ev_mod, ev_cue = modality_cue(text, language, focus.start, _subject_ends(text))
        if ev_mod == "none" and context:
            ctx = normalize(context).rstrip()
            ev_mod, ev_cue = modality_cue(ctx, language, max(0, len(ctx) - 1), cross=True)
        if ev_mod == "none" and doc_year:
            years = [q for q in qs if q.kind in ("year", "range")]
            if years and max(q.value[-1] for q in years) < doc_year:
                ev_mod, ev_cue = (
                    "done",
                    f"years before {doc_year}: " + ", ".join(q.text.strip() for q in years),
                )
        claim_side = f"{claim.modality} ({claim.modality_cue!r})"
        outcome = _MODALITY_OUTCOME.get((claim.modality, ev_mod))
        if outcome is not None:
            findings.append(Finding("modality", outcome, claim_side, f"{ev_mod} ({ev_cue!r})"))
        else:
            note = {
                "ongoing": f"the pledge promises to continue it ({ev_cue!r}), which does not"
                " say whether it is done",
                "mixed": f"the pledge names it as both done and under way ({ev_cue!r})",
            }.get(ev_mod, "the quoted sentence does not say whether it is done or pledged")
            findings.append(Finding("modality", "unchecked", claim_side, ev_mod, note))
    if claim.cues_known:
        ev_neg = negated(text, language, focus.start)
        outcome = "match" if ev_neg == claim.negated else "conflict"
        findings.append(
            Finding(
                "polarity",
                outcome,
                "negative" if claim.negated else "affirmative",
                "negative" if ev_neg else "affirmative",
                focus.text,
            )
        )
    return SentenceCheck(sentence, 0, len(sentence), findings, hits, frozenset(keys))


@dataclass
class RuleVerdict:
    """Outcome of the rule checks over the evidence sentences."""

    status: Status
    best: SentenceCheck | None
    reasons: list[str]
    unchecked: list[str]


def _describe_conflict(f: Finding) -> str:
    if f.facet == "value":
        return f"the claim says {f.claim_part!r}, the pledge says {f.evidence_part!r}"
    if f.facet == "modality":
        return f"the claim presents it as {f.claim_part}, the pledge as {f.evidence_part}"
    return (
        f"the claim is {f.claim_part}, the pledge states it in the {f.evidence_part}"
        f" (at {f.note!r})"
    )


def judge(
    claim: ClaimFacets, checks: Iterable[SentenceCheck], unverified_words: Sequence[str] = ()
) -> RuleVerdict:
    """Verdict over the checked sentences.

    ``supported`` needs one sentence that names every topic of the claim (a treaty number
    names its treaty) and matches every value, the modality and the polarity. ``contradicted``
    needs a sentence on the claim's topic (with its treaty number, if it has one) that states
    a different value or modality, or the opposite polarity, and no sentence that supports the
    claim. Anything else is ``related``.
    """
    checks = list(checks)
    idents = {f"ident:{n}" for n in claim.idents}

    def has(c: SentenceCheck, key: str) -> bool:
        return any(f.facet == "topic" and f.outcome == "match" and f.key == key for f in c.findings)

    def complete(c: SentenceCheck) -> bool:
        if idents:
            return all(has(c, k) for k in idents)
        return all(has(c, k) for k in claim.topics)

    def on_topic(c: SentenceCheck) -> bool:
        if idents:
            return all(has(c, k) for k in idents)
        return c.topic_hits > 0

    full = [c for c in checks if complete(c)]
    for c in full:
        rest = [f for f in c.findings if f.facet != "topic"]
        if claim.cues_known and all(f.outcome == "match" for f in rest):
            return RuleVerdict("supported", c, [], list(unverified_words))
    # A contradiction needs a sentence naming every topic of the claim, and no such sentence
    # that agrees: "the CAT amendments (2016)" is not contradicted by "will ratify OPCAT".
    conflicting = [c for c in full if c.conflicts]
    agreeing = [
        c
        for c in full
        if not c.conflicts
        and not any(f.facet == "value" for f in c.unchecked)
        and (
            claim.values
            or claim.modality == "none"
            or not any(f.facet == "modality" for f in c.unchecked)
        )
    ]
    if conflicting and not agreeing:
        hard = [c for c in conflicting if any(f.facet != "polarity" for f in c.conflicts)]
        best = hard[0] if hard else conflicting[0]
        reasons = [_describe_conflict(f) for f in best.conflicts]
        left = [
            w
            for w in unverified_words
            if w not in QUANTIFIERS
            and not word_occurs(w, fold(best.sentence), compact(best.sentence))
        ]
        if not hard and left:
            # "on time" versus "overdue" is one fact stated the other way round: with words
            # that could not be read, an opposite polarity is no proof of a false claim.
            return RuleVerdict(
                "related",
                best,
                [
                    *reasons,
                    "words of the claim that were not checked may state it the other way round",
                ],
                list(unverified_words),
            )
        return RuleVerdict("contradicted", best, reasons, list(unverified_words))
    pool = full or [c for c in checks if on_topic(c)] or checks
    best = max(pool, key=lambda c: (c.topic_hits, -len(c.unchecked)), default=None)
    notes: list[str] = []
    if not claim.cues_known:
        notes.append(
            f"modality and negation cannot be read in this claim's language ({claim.language})"
        )
    if best is not None:
        for f in best.findings:
            if f.outcome != "unchecked":
                continue
            if f.facet == "topic" and not (idents and complete(best)):
                notes.append(f"{f.claim_part!r} is not named in the quoted sentence")
            elif f.facet == "value":
                notes.append(
                    f"{f.claim_part!r} is not stated for this topic in the quoted sentence"
                )
            elif f.facet == "modality":
                notes.append(f.note)
    return RuleVerdict("related", best, notes, list(unverified_words))


# -- generated answers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """A cited paragraph as the checks read it."""

    text: str
    language: str
    lead_in: str = ""
    year: int | None = None

    @classmethod
    def of(cls, hit: SearchHit) -> Passage:
        """The passage of a retrieved paragraph."""
        doc, para = hit.document, hit.paragraph
        return cls(
            para.text, doc.language or "en", para.lead_in or "", doc.date.year if doc.date else None
        )


def screen_answer(text: str, passages: Mapping[int, Passage]) -> tuple[str, list[str]]:
    """Remove the sentences of a generated answer that conflict with the paragraphs they cite.

    Each sentence carrying markers ([1]) is read as a claim and checked against every sentence
    of the cited paragraphs with :func:`judge`; a ``contradicted`` sentence (a wrong year,
    "ratified" for "pledged to ratify", a lost negation) is replaced by a note, so the answer
    never presents it as the pledge's words.

    Returns:
        The screened text and one warning per removed sentence.
    """
    out: list[str] = []
    warnings: list[str] = []
    pos = 0
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        cited = [int(n) for n in MARKER_RE.findall(sentence) if int(n) in passages]
        if not cited:
            continue
        plain = MARKER_RE.sub("", sentence).strip()
        facets = read_claim(plain)
        if not facets.topics and not facets.idents:
            continue
        checks = []
        for n in cited:
            p = passages[n]
            for ps, pe in sentence_spans(p.text):
                checks.append(check_sentence(facets, p.text[ps:pe], p.language, p.lead_in, p.year))
        verdict = judge(facets, checks)
        if verdict.status != "contradicted":
            continue
        markers = ", ".join(f"[{n}]" for n in cited)
        out.append(text[pos:s])
        out.append(f"[sentence removed: it conflicts with {markers}]")
        pos = e
        warnings.append(
            f"removed a sentence that conflicts with {markers} ({'; '.join(verdict.reasons)}):"
            f" {plain[:100]!r}"
        )
    out.append(text[pos:])
    return "".join(out), warnings
