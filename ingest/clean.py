"""Cleaning that keeps the words verbatim.

Two jobs, both conservative:

* drop lines that are not text of the pledge: undocs.org hyperlink lines, UN running headers and
  footers (a document symbol with a page number, job numbers such as ``22-09876 (C)``, date
  stamps, barcodes such as ``*2209876*``, "Please recycle"), lone page numbers; and strip the
  footnote marks glued to words (``暂定项目表*``, ``Council¹``) of the footnotes the document
  holds: a mark is only a footnote's mark when a footnote opens with it (``* A/77/50.``,
  ``¹ See ...``); without one, ``*``, ``¹`` or a digit after a word is text (``**now**``);
* rejoin lines that the PDF wrapped: nothing between two CJK characters, one space between Latin
  (or Arabic, Cyrillic) words, one space between a CJK character and a Latin letter or digit (the
  spacing UN Chinese documents use), and de-hyphenation only of real hyphenation.

Nothing else is touched: no case change, no normalisation of punctuation or digits, no spelling.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ingest.language import CJK, CJK_PUNCTUATION, char_class, in_ranges, is_cjk
from ingest.lines import Line

#: Punctuation that takes no space either side in CJK text, besides the CJK ranges.
_WIDE_EXTRA = "·—…“”‘’"

# -- character classes ---------------------------------------------------------------------------


def is_cjk_punct(ch: str) -> bool:
    """CJK and full-width punctuation (、。，《》（）…), which never takes a space either side."""
    return in_ranges(ch, CJK_PUNCTUATION) or ch in _WIDE_EXTRA


def is_wide(ch: str) -> bool:
    """A character that takes no space either side: CJK script or CJK punctuation."""
    return is_cjk(ch) or is_cjk_punct(ch)


#: The characters :func:`is_wide` accepts, as one class (counting them is then linear in C).
_WIDE_RE = re.compile(f"[{char_class(CJK + CJK_PUNCTUATION)}{_WIDE_EXTRA}]")


def display_width(text: str) -> int:
    """Width in columns: CJK and full-width characters count two."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for _ in _WIDE_RE.finditer(text))


# -- junk lines ----------------------------------------------------------------------------------

#: A GA/ECOSOC/SC-style document symbol, e.g. A/77/89, A/HRC/52/1, A/77/89/Add.1.
SYMBOL_RE = r"(?:A|E|S)/(?:[A-Z][A-Z0-9.]*/)*\d{1,4}(?:/\d{1,4})*(?:/(?:Add|Corr|Rev)\.\d+)*"

_URL_TOKEN = re.compile(
    r"(?:https?://)?(?:www\.)?(?:undocs\.org|[\w.-]*\.un\.org)(?:/\S*)?", re.IGNORECASE
)
_RECYCLE = re.compile(r"(?:♲\s*)?please\s+recycle\s*(?:♲)?", re.IGNORECASE)
_SYMBOL_TOKEN = re.compile(rf"{SYMBOL_RE}\*?")
_PAGE_OR_JOB = re.compile(r"\d{1,3}/\d{1,3}|\d{2}-\d{5}|\*\d{6,9}\*")
_HEADER_TOKEN = re.compile(r"\d{1,3}/\d{1,3}|\d{2}-\d{5}|\([A-Z]\)|\d{6}|\*\d{6,9}\*|♲")
_STRAY = re.compile(r"\d{1,3}|\*+|[¹²³⁰⁴-⁹]+")


# Page furniture a web page, a viewer or a printer adds around the text, in the six languages.
# Each pattern must match a whole (short) line: a sentence that mentions these words is text.
_VIEWER = re.compile(
    r"(?:Total\s+Pages?|Pages?|File\s+(?:Type|Name|Size)|Document\s+Type|Nombre\s+de\s+pages"
    r"|Type\s+de\s+fichier|Tipo\s+de\s+archivo|Всего\s+страниц|Тип\s+файла|عدد\s+الصفحات"
    r"|نوع\s+الملف|总页数|文件类型|文件名)\s*[:：]\s*\S.{0,80}"
    r"|(?:Page|Página|Страница|صفحة|第)\s*\d{1,4}\s*(?:of|de|sur|из|من|/|页[,，]?\s*共)\s*\d{1,4}\s*页?"
    r"|(?:Page|Página|Страница|صفحة)\s*\d{1,4}|[-–—]\s*\d{1,4}\s*[-–—]",
    re.IGNORECASE,
)
_WEB = re.compile(
    r"(?:Skip\s+to\s+(?:main\s+)?content|Skip\s+navigation|Aller\s+au\s+contenu(?:\s+principal)?"
    r"|Passer\s+au\s+contenu(?:\s+principal)?|Saltar\s+al\s+contenido(?:\s+principal)?"
    r"|Ir\s+al\s+contenido(?:\s+principal)?|Перейти\s+к\s+(?:основному\s+)?(?:содержанию|содержимому)"
    r"|(?:انتقل|تخطي|تخطى)\s+إلى\s+المحتوى(?:\s+الرئيسي)?|跳(?:到|至|转到)(?:主要)?(?:内容|正文)"
    r"|Share(?:\s+this(?:\s+page)?)?|Partager(?:\s+cette\s+page)?|Compartir(?:\s+esta\s+página)?"
    r"|Поделиться|شارك\s+هذه\s+الصفحة|مشاركة|分享(?:此页|本页)?|Print(?:\s+this\s+page)?"
    r"|Imprimer|Imprimir|Печать|طباعة|打印|Back\s+to\s+top|Retour\s+en\s+haut|Volver\s+arriba"
    r"|Наверх|العودة\s+إلى\s+الأعلى|返回顶部)[\s.:!|>»]*"
    r"|(?:Last\s+updated|Updated|Page\s+last\s+updated|Dernière\s+mise\s+à\s+jour|Mis\s+à\s+jour"
    r"|Última\s+actualización|Actualizado|Последнее\s+обновление|Обновлено|آخر\s+تحديث"
    r"|最后更新|更新时间|更新日期)(?:\s*[:：]\s*\S.{0,60}|\s+(?:on\s+|le\s+|el\s+)?\d.{0,40})",
    re.IGNORECASE,
)
_COOKIES = re.compile(r"cookie|куки|ملفات\s+تعريف\s+الارتباط|الكوكيز", re.IGNORECASE)
#: Breadcrumbs: three or more short parts joined by ">" / "/" / "»" / "|" (Home > Policy > ...).
_CRUMBS = re.compile(r"[^>»|/]{1,40}(?:\s[>»|/]\s[^>»|/]{1,40}){2,}")


def furniture_reason(text: str) -> str | None:
    """Why a line is page furniture of a web page or a document viewer, or None.

    >>> furniture_reason("Total Page:3")
    'document viewer line'
    >>> furniture_reason("Skip to main content")
    'web page navigation'
    >>> furniture_reason("Share this page"), furniture_reason("We share values.") is None
    ('web page navigation', True)
    """
    s = text.strip()
    if len(s) > 300:
        return None
    if _VIEWER.fullmatch(s):
        return "document viewer line"
    if _WEB.fullmatch(s) or _CRUMBS.fullmatch(s):
        return "web page navigation"
    if _COOKIES.search(s) and len(s) <= 300:
        return "cookie notice"
    return None


def junk_reason(text: str, own_symbol: str | None = None) -> str | None:
    """Why a line is not pledge text, or None when it is.

    A running header is made of the document's own symbol, page numbers ("2/5"), job numbers
    ("22-09876 (C)"), date stamps and barcodes. Another document's symbol alone on a line is
    kept: it may be the end of a sentence that cites it.

    >>> junk_reason("https://undocs.org/ch/A/77/50")
    'hyperlink line'
    >>> junk_reason("22-09876 (C)    270622    280622")
    'running header or footer'
    >>> junk_reason("8. Belgium will continue") is None
    True
    """
    s = text.strip()
    if not s:
        return "blank"
    tokens = s.split()
    if all(_URL_TOKEN.fullmatch(t) for t in tokens):
        return "hyperlink line"
    if _RECYCLE.fullmatch(s):
        return "recycling notice"
    paged = any(_PAGE_OR_JOB.fullmatch(t) for t in tokens)
    own = [t for t in tokens if _SYMBOL_TOKEN.fullmatch(t)]
    if (paged or (own and all(t.rstrip("*") == own_symbol for t in own))) and all(
        _HEADER_TOKEN.fullmatch(t) or _SYMBOL_TOKEN.fullmatch(t) for t in tokens
    ):
        return "running header or footer"
    if _STRAY.fullmatch(s):
        return "stray page number or footnote mark"
    return furniture_reason(s)


# -- footnotes and their marks --------------------------------------------------------------------

_FOOTNOTE = re.compile(
    r"^(?:\*+|\d{1,2}|[¹²³⁰⁴-⁹]+)\s+(?=(?:A/|E/|S/|See |Voir |Véase |Cf\. |См\. |انظر|https?://))"
)
_SUPERSCRIPT_START = re.compile(r"[¹²³⁰⁴-⁹]+\s*[^\W\d_]")
_LEADING_MARK = re.compile(r"\*+|\d{1,2}|[¹²³⁰⁴-⁹]+")
_SUPERSCRIPT_DIGITS = str.maketrans("¹²³⁰⁴⁵⁶⁷⁸⁹", "1230456789")


def is_footnote(text: str) -> bool:
    """Whether a line is a footnote's own text.

    A footnote's own text: "* A/77/50.", "1 See A/RES/60/251.", "² Available at ..." (a
    superscript number opening a line); never a numbered paragraph.
    """
    return (
        text.startswith(("* ", "*A/"))
        or bool(_FOOTNOTE.match(text))
        or bool(_SUPERSCRIPT_START.match(text))
    )


def footnote_mark(text: str) -> str | None:
    """The mark a footnote's own text opens with, or None when the line is no footnote.

    Superscript digits are read as digits, so the footnote "1 See ..." is the one that
    "Council¹" refers to.

    >>> footnote_mark(" * A/77/50。"), footnote_mark("¹ Established by resolution 60/251.")
    ('*', '1')
    >>> footnote_mark("8. Belgium will continue") is None
    True
    """
    s = text.strip()
    if not is_footnote(s):
        return None
    m = _LEADING_MARK.match(s)
    return m.group(0).translate(_SUPERSCRIPT_DIGITS) if m else None


def glued_marks(texts: Iterable[str]) -> frozenset[str]:
    """The marks glued to words anywhere in ``texts`` (``agenda*``, ``Council¹`` → ``*``, ``1``).

    >>> sorted(glued_marks(["provisional agenda*", "the Council¹ and", "**now**"]))
    ['*', '**', '1']
    """
    found: set[str] = set()
    for text in texts:
        for pattern in (_MARK_STAR, _MARK_SUPER, _MARK_GLUED):
            found.update(m.group(0).translate(_SUPERSCRIPT_DIGITS) for m in pattern.finditer(text))
    return frozenset(found)


def is_document_footnote(text: str, referenced: Collection[str]) -> bool:
    """Whether a line is a footnote of a document whose words carry the marks ``referenced``.

    A line that opens with a reference ("* A/77/50.", "1 See ...") or a superscript number is
    a footnote; one that opens with "* " and anything else is a footnote only when a word of
    the document carries a ``*`` ("provisional agenda*"); otherwise it is a bullet of a plain
    text list ("* ratify the Convention;") and stays text.

    >>> is_document_footnote("* ratify the Convention;", set())
    False
    >>> is_document_footnote("* Reissued for technical reasons.", {"*"})
    True
    """
    s = text.strip()
    if not is_footnote(s):
        return False
    if s.startswith("* ") and not _FOOTNOTE.match(s):
        return "*" in referenced
    return True


_MARK_STAR = re.compile(r"(?<=\S)\*+(?=\s|$|[\u3000-\u303f\uff00-\uffef])")
_MARK_SUPER = re.compile(r"(?<=\S)[¹²³⁰⁴⁵⁶⁷⁸⁹]+(?=\s|$|[.,;:)\u3000-\u303f\uff00-\uffef])")
# "Council.1 Belgium": a footnote number glued after a word and its punctuation.
_MARK_GLUED = re.compile(r"(?<=[^\W\d_]{2}[.,;:])\d{1,2}(?=\s|$)")


def strip_footnote_marks(text: str, marks: Collection[str]) -> str:
    """Remove the marks of the document's footnotes glued to a word; the word is never changed.

    Args:
        text: One line.
        marks: The marks the document's footnotes open with (:func:`footnote_mark`); a mark
            that opens no footnote is text and stays.

    >>> strip_footnote_marks("暂定项目表* 项目 117(c)", {"*"})
    '暂定项目表 项目 117(c)'
    >>> strip_footnote_marks("the Human Rights Council.2 Belgium", {"2"})
    'the Human Rights Council. Belgium'
    >>> strip_footnote_marks("details: **now** and Council.2 Belgium", {"*"})
    'details: **now** and Council.2 Belgium'
    """
    if not marks:
        return text
    if text.lstrip().startswith("*"):
        # A footnote's own text ("* A/77/50."): keep its leading mark, strip the others.
        head, _, rest = text.partition("*")
        return head + "*" + _strip_inline(rest, marks)
    return _strip_inline(text, marks)


def _strip_inline(text: str, marks: Collection[str]) -> str:
    def drop(m: re.Match[str]) -> str:
        return "" if m.group(0).translate(_SUPERSCRIPT_DIGITS) in marks else m.group(0)

    text = _MARK_STAR.sub(drop, text)
    text = _MARK_SUPER.sub(drop, text)
    return _MARK_GLUED.sub(drop, text)


# -- cleaned lines -------------------------------------------------------------------------------


_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")


@dataclass(frozen=True)
class CleanLine:
    """A kept line: text stripped of surrounding spaces and footnote marks, plus layout hints.

    ``footnote``: the line is the text of one of the document's footnotes
    (:func:`is_document_footnote`).
    """

    text: str
    page: int | None
    brk: bool
    heading: bool
    lead_ws: bool
    trail_ws: bool
    hard: bool = False
    footnote: bool = False


def clean_lines(
    lines: Iterable[Line],
    own_symbol: str | None = None,
    dropped: list[tuple[str, str]] | None = None,
) -> list[CleanLine]:
    """Drop junk lines and strip footnotes' marks; keep every other character as it was.

    Only the marks of footnotes the document holds are stripped (see
    :func:`strip_footnote_marks`).

    A dropped line passes its ``brk`` on to the next kept line, so a paragraph break is never lost.

    Args:
        lines: The reader's lines.
        own_symbol: The document's own symbol, when known: lines carrying only it are headers.
        dropped: When given, receives ``(reason, line)`` for every line dropped, so that what
            was removed can be reported.
    """
    lines = list(lines)
    repeated = running_lines(lines)
    # Footnotes and the marks that refer to them: each is one only when the other is there.
    referenced = glued_marks(line.text for line in lines)
    footnotes = [is_document_footnote(line.text, referenced) for line in lines]
    marks = frozenset(
        m
        for line, note in zip(lines, footnotes, strict=True)
        if note and (m := footnote_mark(line.text))
    )
    out: list[CleanLine] = []
    pending_brk = False
    for line, note in zip(lines, footnotes, strict=True):
        # Tabs are layout (after a paragraph number); no-break spaces are text (French "à :").
        raw = line.text.replace("\t", " ")
        reason = junk_reason(raw, own_symbol)
        if reason is None and line.page is not None and _page_key(raw) in repeated:
            reason = "running header or footer"
        if reason is not None:
            if dropped is not None and reason != "blank":
                dropped.append((reason, raw.strip()))
            pending_brk = pending_brk or line.brk
            continue
        # Justified PDF lines come out with runs of spaces; one space keeps every word intact.
        text = _SPACES.sub(" ", strip_footnote_marks(raw, marks))
        stripped = text.strip()
        if not stripped:
            pending_brk = pending_brk or line.brk
            continue
        out.append(
            CleanLine(
                text=stripped,
                page=line.page,
                brk=line.brk or pending_brk,
                heading=line.heading,
                lead_ws=raw[:1].isspace(),
                trail_ws=raw[-1:].isspace(),
                hard=line.hard,
                footnote=note,
            )
        )
        pending_brk = False
    return out


def _page_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()))


def running_lines(lines: list[Line], edge: int = 2) -> frozenset[str]:
    """Lines a printer repeats at the top or bottom of the pages.

    Lines a printer repeats at the top or bottom of the pages (a brochure's running title, a
    "page N" footer): among the first and last ``edge`` lines of each page, those found on at
    least two pages and on half of them (digits are compared as one, so "2" and "3" match).
    """
    pages: dict[int, list[str]] = {}
    for line in lines:
        if line.page is not None and line.text.strip():
            pages.setdefault(line.page, []).append(_page_key(line.text))
    if len(pages) < 2:
        return frozenset()
    seen: dict[str, int] = {}
    for texts in pages.values():
        for key in {*texts[:edge], *texts[-edge:]}:
            seen[key] = seen.get(key, 0) + 1
    need = max(2, (len(pages) + 1) // 2)
    return frozenset(k for k, n in seen.items() if n >= need and len(k) <= 200)


# -- rejoining wrapped lines ---------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:[-‐][^\W\d_]+)*")
_HYPHENS = "-‐"
#: Prefixes that form real compounds: "self-\ndetermination" keeps its hyphen.
COMPOUND_PREFIXES = frozenset(
    [
        "self",
        "non",
        "anti",
        "ex",
        "cross",
        "well",
        "long",
        "follow",
        "decision",
        "gender",
        "human",
        "child",
        "state",
        "country",
        "region",
        "vice",
        # French compounds: peut-être, vis-à-vis, c'est-à-dire, sous-région, au-delà.
        "peut",
        "vis",
        "à",
        "sous",
        "au",
    ]
)


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Lower-cased words (hyphenated ones whole and in parts) seen inside lines of a document.

    Used to decide whether a word broken at a line end was hyphenated by the typesetter
    ("imple-" + "mentation", and "implementation" occurs elsewhere) or is a real compound
    ("self-" + "determination", and "self-determination" occurs elsewhere).
    """
    words: set[str] = set()
    for text in texts:
        for m in _WORD.finditer(text):
            w = m.group(0).lower()
            words.add(w)
            if "-" in w or "‐" in w:
                words.update(re.split(r"[-‐]", w))
    return frozenset(words)


def join_pair(left: str, right: str, vocab: frozenset[str] = frozenset()) -> str:
    """Join a wrapped line ``right`` onto ``left`` with the spacing the script wants."""
    left = left.rstrip()
    right = right.lstrip()
    if not left:
        return right
    if not right:
        return left
    a, b = left[-1], right[0]
    if a == "\u00ad":  # soft hyphen: always a typesetter's break
        return left[:-1] + right
    if a in _HYPHENS and len(left) >= 2 and left[-2].isalpha():
        return left + right if _keep_hyphen(left, right, vocab) else left[:-1] + right
    if a in _HYPHENS and len(left) >= 2 and left[-2].isdigit() and b.isdigit():
        return left + right  # a range broken after its dash: "2023-" + "2025"
    if is_wide(a) and is_wide(b):
        return left + right
    if (is_cjk(a) and b.isascii() and b.isalnum()) or (is_cjk(b) and a.isascii() and a.isalnum()):
        return left + " " + right
    if is_wide(a) or is_wide(b):
        return left + right
    return left + " " + right


def _keep_hyphen(left: str, right: str, vocab: frozenset[str]) -> bool:
    """True when a line-end hyphen belongs to the word (a compound), False for hyphenation."""
    m_left = re.search(r"([^\W\d_]+)[-‐]$", left)
    m_right = re.match(r"[^\W\d_]+", right)
    if not m_left or not m_right:
        return True
    head, tail = m_left.group(1), m_right.group(0)
    if not tail[0].islower():
        return True  # "COVID-\n19", "Jean-\nPierre", "anti-\nRoma": a capital means a compound
    if f"{head}-{tail}".lower() in vocab or f"{head}‐{tail}".lower() in vocab:
        return True
    if (head + tail).lower() in vocab:
        return False
    return head.lower() in COMPOUND_PREFIXES


def join_lines(parts: Iterable[str], vocab: frozenset[str] = frozenset()) -> str:
    """Join the lines of one paragraph (see :func:`join_pair`)."""
    out = ""
    for part in parts:
        out = join_pair(out, part, vocab) if out else part.strip()
    return out
