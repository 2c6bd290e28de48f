"""Split cleaned lines into blocks: headings and the UN's numbered paragraphs.

Numbering contract (DESIGN.md): ``"8"`` paragraph 8; ``"20"`` the lead-in of paragraph 20 and
``"20.5"`` its 5th bullet; ``"27(a)"`` a lettered sub-item (``"27(a)(ii)"`` a roman sub-sub-item);
``"note.1"`` ... the unnumbered paragraphs before the first numbered one (the covering note).
A document with no paragraph numbers at all (a web page, a brochure) gets numbers of its own that
never look like the UN's: ``"p1"``, ``"p2"`` ... in reading order, ``"p3.1"`` a bullet and
``"p3(a)"`` a lettered item under the lead-in ``"p3"``.

Where the line breaks are gone (a text copied from a viewer as one line), :func:`split_inline`
first cuts lines where a marker inside them continues its sequence. Titles, mastheads and
headings are short blocks with no sentence or clause end inside; anything longer is a paragraph,
so no text of the body is ever set aside as a title. In hard-wrapped text without numbers, a short
line that stops mid-clause ends its paragraph only when the next line's first unbreakable unit
(:func:`first_unit`) would have fit after it; otherwise the typesetter wrapped it. Long unnumbered
text with no break in it is cut into groups of whole sentences.

A document is read in regions:

* **header** — lines before the note's title (session, agenda item, distribution lines);
* **note title** — "Note verbale dated ..." / "...的普通照会" / "Вербальная нота ..." ...;
* **note** — the covering note's paragraphs, up to the annex line ("Annex to the note verbale",
  "...的附件", "Annexe", "Anexo", "Приложение", "المرفق");
* **title** — the annex's title lines, up to the first numbered paragraph or heading;
* **body** — numbered paragraphs, headings, bullets and lettered items.

Markers are recognised in the six UN languages: paragraph numbers ``8.`` / ``8 -`` / ``٨-``;
level-1 headings in Roman numerals (``II.``), Chinese numerals (``二.``, ``二、``) or Arabic ordinal
words (``ثانيا -``); level-2 headings in Latin or Cyrillic capitals (``B.``, ``Б.``) or Arabic
letter names (``باء -``); items ``(a)``, ``a)``, ``а)``, ``(أ)``, ``(一)``; sub-items ``(i)``;
bullets ``•``. A marker only counts when it continues its sequence (``9.`` after ``8.``), so a
wrapped line that happens to start with "2016." or "A." is not taken for a new paragraph. Sub-item
letters are numbered by position, so ``27(c)`` is the third item whether the source wrote ``c)``,
``в)`` or ``(ج)``: the same number in every language version.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import sentencex

from ingest.clean import CleanLine, display_width, is_wide, join_pair
from ingest.language import HAN, char_class, is_arabic, is_cjk

#: Chinese characters, as the inside of a character class.
_HAN = char_class(HAN)

BlockKind = Literal[
    "header",
    "note_title",
    "note",
    "footnote",
    "annex",
    "title",
    "heading",
    "para",
    "bullet",
    "item",
    "subitem",
    "text",
]

#: Block kinds that become Paragraph records.
PARAGRAPH_KINDS: frozenset[str] = frozenset({"note", "para", "bullet", "item", "subitem", "text"})

# -- alphabets -----------------------------------------------------------------------------------

LATIN_LOWER = "abcdefghijklmnopqrstuvwxyz"
LATIN_UPPER = LATIN_LOWER.upper()
# Russian UN documents letter their lists without й, ё, ъ, ы, ь.
CYRILLIC_LOWER = "абвгдежзиклмнопрстуфхцчшщэюя"
CYRILLIC_UPPER = CYRILLIC_LOWER.upper()
# Arabic lists follow the abjad order.
ARABIC_ABJAD = ["أ", "ب", "ج", "د", "هـ", "و", "ز", "ح", "ط", "ي", "ك", "ل", "م", "ن", "س", "ع"]
ARABIC_LETTER_NAMES = [
    "ألف", "باء", "جيم", "دال", "هاء", "واو", "زاي", "حاء", "طاء", "ياء", "كاف", "لام", "ميم",
    "نون",
]  # fmt: skip
ARABIC_ORDINALS = [
    "أولا", "ثانيا", "ثالثا", "رابعا", "خامسا", "سادسا", "سابعا", "ثامنا", "تاسعا", "عاشرا",
]  # fmt: skip
CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}

_ARABIC_DIACRITICS = re.compile(r"[\u064b-\u0652\u0670\u0640]")


def strip_arabic_diacritics(text: str) -> str:
    """Arabic text without short-vowel marks and tatweel (for matching, never for output)."""
    return _ARABIC_DIACRITICS.sub("", text)


def chinese_number(text: str) -> int | None:
    """Value of a Chinese numeral up to 999 (一, 十二, 七十七, 一百零三)."""
    if not text:
        return None
    total, current = 0, 0
    for ch in text:
        if ch in CHINESE_DIGITS:
            current = CHINESE_DIGITS[ch]
        elif ch == "零":
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def roman_number(text: str) -> int | None:
    """Value of a Roman numeral (either case), or None when it is not one."""
    s = text.lower()
    if not s or any(ch not in ROMAN for ch in s):
        return None
    total = 0
    for i, ch in enumerate(s):
        v = ROMAN[ch]
        total += -v if i + 1 < len(s) and ROMAN[s[i + 1]] > v else v
    return total if to_roman(total) == s else None


def to_roman(n: int) -> str:
    """A positive int as a lower-case Roman numeral."""
    out = ""
    for v, sym in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v")):
        while n >= v:
            out += sym
            n -= v
    return out + ("iv" if n == 4 else "i" * n)


def to_int(digits: str) -> int:
    """ASCII, Arabic-Indic or Eastern Arabic-Indic digits as an int."""
    return int("".join(str(unicodedata.digit(ch)) for ch in digits))


# -- markers -------------------------------------------------------------------------------------

MarkerKind = Literal["para", "h1", "h2", "item", "subitem", "bullet"]


@dataclass(frozen=True)
class Marker:
    """One possible reading of a line's leading marker."""

    kind: MarkerKind
    index: int  # value in its sequence (1-based); 0 for bullets
    length: int  # characters of the marker, including the spaces after it


_P_PARA = re.compile(r"(\d{1,3})(?:\s*[.．]|\s*[-–])(?:\s+(?=\S)|\s*$)")
_P_PARA_AR = re.compile(r"([٠-٩۰-۹]{1,3})\s*[.．\-–]\s*(?=\S)")
_P_ROMAN = re.compile(r"([IVXL]{1,6})\s*(?:[.．]|\s[-–])\s+(?=\S)")
_P_CHINESE = re.compile(r"([一二三四五六七八九十]{1,3})\s*[.．、]\s*(?=\S)")
_P_AR_ORD = re.compile(r"(" + "|".join(ARABIC_ORDINALS) + r")\s*[-–.:]\s*(?=\S)")
_P_LATIN_CAP = re.compile(r"([A-Z])\s*[.．]\s+(?=\S)")
_P_CYR_CAP = re.compile(r"([" + CYRILLIC_UPPER + r"])\s*[.．]\s+(?=\S)")
_P_AR_NAME = re.compile(r"(" + "|".join(ARABIC_LETTER_NAMES) + r")\s*[-–.]\s*(?=\S)")
_P_ITEM_PAREN = re.compile(
    r"[(（]\s*([a-z]|[" + CYRILLIC_LOWER + r"]|هـ|[أبجدهوزحطيكلمنسع]|[一二三四五六七八九十]{1,2})"
    r"\s*[)）]\s*(?=\S)"
)
_P_ITEM_BARE = re.compile(r"([a-z]|[" + CYRILLIC_LOWER + r"])\)\s+(?=\S)")
_P_SUB_PAREN = re.compile(r"[(（]\s*([ivx]{1,5})\s*[)）]\s*(?=\S)")
_P_SUB_BARE = re.compile(r"([ivx]{1,5})\)\s+(?=\S)")
_P_BULLET = re.compile(r"[•●▪■◦○‣∙\uf0b7\uf0a7\uf0d8\uf076]\s*(?=\S)")
#: A dash or a star opening a line after a paragraph break: a plain-text list's bullet.
_P_DASH_BULLET = re.compile(r"[-–—*]\s+(?=\S)")


def _item_index(letter: str) -> int | None:
    if letter in LATIN_LOWER:
        return LATIN_LOWER.index(letter) + 1
    if letter in CYRILLIC_LOWER:
        return CYRILLIC_LOWER.index(letter) + 1
    if letter in ("هـ", "ه"):
        return 5
    if letter in ARABIC_ABJAD:
        return ARABIC_ABJAD.index(letter) + 1
    return chinese_number(letter)


def markers(text: str, hard_break: bool = False) -> list[Marker]:
    """Every reading of the marker that starts ``text`` (a stripped line), most likely first.

    Args:
        text: The line, without leading spaces.
        hard_break: The source marks a paragraph break before the line; only then does a dash
            or a star at the start read as a bullet (a wrapped line may start with a dash).
    """
    out: list[Marker] = []
    # Arabic marker words may carry short vowels ("أولاً"): match them without diacritics, then
    # measure the marker on the original text.
    plain = strip_arabic_diacritics(text) if _has_arabic(text[:12]) else text

    def add(kind: MarkerKind, index: int | None, end: int) -> None:
        if index:
            out.append(Marker(kind, index, end))

    if m := _P_PARA.match(text):
        add("para", int(m.group(1)), m.end())
    if m := _P_PARA_AR.match(text):
        add("para", to_int(m.group(1)), m.end())
    if m := _P_LATIN_CAP.match(text):
        add("h2", LATIN_UPPER.index(m.group(1)) + 1, m.end())
    if m := _P_ROMAN.match(text):
        add("h1", roman_number(m.group(1)), m.end())
    if m := _P_CHINESE.match(text):
        add("h1", chinese_number(m.group(1)), m.end())
    if m := _P_CYR_CAP.match(text):
        add("h2", CYRILLIC_UPPER.index(m.group(1)) + 1, m.end())
    if m := _P_AR_ORD.match(plain):
        add("h1", ARABIC_ORDINALS.index(m.group(1)) + 1, _original_end(text, m.end()))
    if m := _P_AR_NAME.match(plain):
        add("h2", ARABIC_LETTER_NAMES.index(m.group(1)) + 1, _original_end(text, m.end()))
    if m := _P_ITEM_PAREN.match(text):
        add("item", _item_index(m.group(1)), m.end())
    if m := _P_ITEM_BARE.match(text):
        add("item", _item_index(m.group(1)), m.end())
    if m := _P_SUB_PAREN.match(text):
        add("subitem", roman_number(m.group(1)), m.end())
    if m := _P_SUB_BARE.match(text):
        add("subitem", roman_number(m.group(1)), m.end())
    if (m := _P_BULLET.match(text)) or (hard_break and (m := _P_DASH_BULLET.match(text))):
        out.append(Marker("bullet", 0, m.end()))
    return out


def _original_end(text: str, plain_end: int) -> int:
    """The offset in ``text`` that corresponds to ``plain_end`` in its diacritic-free form."""
    seen, i = 0, 0
    while i < len(text) and seen < plain_end:
        if not _ARABIC_DIACRITICS.fullmatch(text[i]):
            seen += 1
        i += 1
    while i < len(text) and _ARABIC_DIACRITICS.fullmatch(text[i]):
        i += 1
    return i


def _has_arabic(text: str) -> bool:
    return is_arabic(text)


# -- regions -------------------------------------------------------------------------------------

_ANNEX_START = re.compile(
    r"^(?:Annex|ANNEX|Annexe|ANNEXE|Anexo|ANEXO|Приложение|ПРИЛОЖЕНИЕ|المرفق|مرفق)(?:\b|\s|$)"
)
_ANNEX_END_ZH = re.compile(r"(?:的附件|^附件(?:[一二三四五六七八九十]+)?)\s*$")
_NOTE_TITLE = re.compile(
    r"^(?:note verbale|letter dated|lettre datée|nota verbal|carta de fecha|вербальная нота"
    r"|письмо|مذكرة شفوية|رسالة مؤرخة)|(?:普通照会|的信)\s*$",
    re.IGNORECASE,
)
_TERMINAL = tuple("。．.!?！？;；:：؛؟")
_SENTENCE_END = tuple("。．.!?！？؟")
# A note verbale's title ends with its addressee or sender: "... of the General Assembly".
_TITLE_END = re.compile(
    r"(?:General Assembly|United Nations|Assemblée générale|Nations Unies|Asamblea General"
    r"|Naciones Unidas|Генеральной Ассамблеи|Объединенных Наций|الجمعية العامة|الأمم المتحدة"
    r"|普通照会|的信|附件)\s*$"
)
_TITLE_END_INLINE = re.compile(_TITLE_END.pattern.removesuffix(r"\s*$"))


def is_annex_line(text: str) -> bool:
    """The line that opens the annex ("Annex to the note verbale ...", "...的附件", ...)."""
    s = text.strip()
    return bool(_ANNEX_START.match(strip_arabic_diacritics(s)) or _ANNEX_END_ZH.search(s))


def is_note_title(text: str) -> bool:
    """The title line of a covering note verbale or letter."""
    return bool(_NOTE_TITLE.search(strip_arabic_diacritics(text)))


# -- blocks --------------------------------------------------------------------------------------


@dataclass
class Block:
    """A run of lines that forms one unit: a heading, a paragraph, a bullet, a title line..."""

    kind: BlockKind
    lines: list[CleanLine]
    marker_len: int = 0
    number: str | None = None
    level: int = 0
    parent: Block | None = None
    text: str = ""
    section: str | None = None

    @property
    def body(self) -> str:
        """The block's text without its marker."""
        return self.text[self.body_offset :]

    @property
    def body_offset(self) -> int:
        """Offset of the block's first character in the cleaned document text."""
        off = self.marker_len
        while off < len(self.text) and self.text[off].isspace():
            off += 1
        return off

    @property
    def page(self) -> int | None:
        """1-based page of the block's first line (PDF only)."""
        return self.lines[0].page if self.lines else None


@dataclass
class _State:
    para: Block | None = None
    item: Block | None = None
    last_para: int = 0
    last_h1: int = 0
    last_h2: int = 0
    item_pos: int = 0
    sub_pos: int = 0
    bullets: int = 0
    blocks: list[Block] = field(default_factory=list)


def typical_width(lines: list[CleanLine]) -> int:
    """The column width of the text: the 90th percentile of line widths."""
    widths = sorted(display_width(line.text) for line in lines)
    if not widths:
        return 0
    return widths[min(len(widths) - 1, int(len(widths) * 0.9))]


def split_blocks(
    lines: list[CleanLine], vocab: frozenset[str] = frozenset(), language: str | None = None
) -> list[Block]:
    """Group cleaned lines into numbered blocks (see the module docstring for the rules).

    Every kept line ends up in exactly one block, so no text is lost; only blocks whose kind is
    in :data:`PARAGRAPH_KINDS` become paragraphs.

    Args:
        lines: The cleaned lines.
        vocab: Words of the document (for de-hyphenation).
        language: The text's language, when known: sentence boundaries for grouping long
            unnumbered text follow its rules.
    """
    if not lines:
        return []
    width = typical_width(lines)
    lines = _merge_marker_lines(split_inline(lines))
    # The covering note and the annex line come before paragraph 1; an "Annex" heading after
    # it (a list of treaties, say) belongs to the body.
    first = next((i for i, line in enumerate(lines) if _starts_paragraph_one(line)), len(lines))
    annex = next((i for i in range(first) if is_annex_line(lines[i].text)), None)
    limit = annex if annex is not None else first
    note_title = next((i for i in range(limit) if is_note_title(lines[i].text)), None)
    st = _State()
    current: Block | None = None
    region = "header" if note_title is not None else "note"
    plain = note_title is None and annex is None  # no covering note: a web page, a brochure
    in_body = False

    def start(kind: BlockKind, line: CleanLine, marker_len: int = 0, **kw: object) -> Block:
        nonlocal current
        block = Block(kind, [line], marker_len=marker_len, **kw)  # type: ignore[arg-type]
        st.blocks.append(block)
        current = block
        return block

    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        if annex is not None and i == annex:
            region = "title"
            start("annex", line)
            continue
        if note_title is not None and i == note_title:
            region = "note"
            start("note_title", line)
            continue
        if line.footnote:
            st.blocks.append(Block("footnote", [line]))
            continue  # ``current`` stays: text after a footnote continues the paragraph

        if not in_body and (annex is None or i > annex) and _body_start(line) is not None:
            in_body = True
        if in_body:
            if not _body_line(st, line, prev, width, start):
                if current is None:
                    start("note", line)
                else:
                    current.lines.append(line)
            continue

        # Bullets and lettered items under a lead-in, in text without paragraph numbers.
        if region != "header":
            m = _unnumbered_marker(line, current)
            if m is not None:
                start(m.kind, line, m.length, level=m.index)  # parent and number: _finish
                continue

        # Unnumbered regions: header, note, title.
        title_done = (
            not line.hard
            and current is not None
            and current.kind in ("note_title", "annex")
            and prev is not None
            and bool(_TITLE_END.search(strip_arabic_diacritics(prev.text)))
        )
        if current is not None and current.kind == "title":
            # Title lines are short and centred, so width says nothing: a title ends at a stop,
            # a source break, or where the "voluntary pledges" subtitle begins.
            boundary = _unnumbered_break(prev, line, width, short=0.0) or bool(
                _PLEDGES_SUBTITLE.search(line.text)
            )
        else:
            boundary = (
                current is None
                or title_done
                or (current.kind in ("bullet", "item") and _item_ends(current, line))
                or _unnumbered_break(prev, line, width)
                or (
                    plain
                    and prev is not None
                    and len(current.lines) == 1
                    and all(len(b.lines) == 1 for b in st.blocks)  # still in the title lines
                    and _title_then_text(prev, line, width)
                )
            )
        if boundary:
            kind: BlockKind = "title" if region == "title" else region  # type: ignore[assignment]
            start(kind, line)
        else:
            current.lines.append(line)

    return _finish(st.blocks, vocab, language)


# -- numbering where the line breaks are gone --------------------------------------------------

#: Where a marker may start inside a line: after white space or CJK punctuation, at something
#: shaped like a marker (a cheap filter before :func:`markers` reads it).
_INLINE_CANDIDATE = re.compile(
    r"(?:(?<=\s)|(?<=[。．！？；：" + _HAN + r"]))"
    r"(?=\d{1,3}\s*[.．\-–]|[٠-٩۰-۹]{1,3}\s*[.．\-–]|[(（]|[a-zа-я]\)|[IVXL]{1,6}\s*[.．\-–]"
    r"|[A-ZА-Я]\s*[.．]|[一二三四五六七八九十]{1,3}\s*[.．、]|[•●▪■◦○‣∙\uf0b7\uf0a7\uf0d8\uf076]"
    r"|[\u0621-\u064a]{3,6}[\u064b-\u0652]?\s*[-–.:])"
)
_CLOSERS = ")）]»”\"'’"
#: What may end the text before an inline paragraph number or heading: a sentence or a clause.
_CLAUSE_END = tuple("。．.!?！？;；:：")
#: What may end the text before an inline lettered item: a lead-in or the previous item.
_ITEM_LEAD_END = tuple(":：;；.。,，、؛")
#: A heading found inline is at most this wide (display columns) and has no sentence in it.
INLINE_HEADING_MAX = 90
#: The note's title, the annex line and the subtitle are looked for inside lines wider than this
#: (a text whose line breaks were lost); a wrapped line holds no more than a title.
FRONT_MATTER_LINE = 300
# Where the covering note's title, the annex line and the pledges subtitle start inside a line.
_INLINE_NOTE_TITLE = re.compile(
    r"(?:Note verbale dated|Letter dated|Note verbale datée|Lettre datée|Nota verbal de fecha"
    r"|Carta de fecha|Вербальная нота|Письмо Постоянного|مذكرة شفوية|رسالة مؤرخة)"
)
_INLINE_NOTE_TITLE_ZH = re.compile(
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^。，；]{0,80}?(?:普通照会|的信)(?:的附件)?"
)
_INLINE_ANNEX = re.compile(
    r"(?<=[.。)）]\s)(?:Annex to|Annexe à|Annexe de|Anexo de|Приложение к|مرفق)\b"
)
_INLINE_SUBTITLE = re.compile(
    r"(?<=\s)(?:Voluntary pledges and commitments|Contributions et engagements volontaires"
    r"|Engagements volontaires|Promesas y compromisos voluntarios|Compromisos y promesas"
    r"|Добровольные обязательства|التعهدات والالتزامات الطوعية)"
)


def _clause_end(prefix: str) -> str:
    """The last character of ``prefix`` that is not a space or a closing bracket or quote."""
    return prefix.rstrip().rstrip(_CLOSERS)[-1:]


@dataclass
class _Inline:
    """The numbering seen so far, for :func:`split_inline`."""

    para: int = 0
    h1: int = 0
    h2: int = 0
    item: int = 0
    sub: int = 0

    def see(self, m: Marker, brk: bool) -> bool:
        """Take ``m`` (a marker at the start of a line) if it continues its sequence."""
        if m.kind == "para" and (
            m.index == self.para + 1 or (brk and self.para < m.index <= self.para + 3)
        ):
            self.para, self.item, self.sub = m.index, 0, 0
            return True
        if m.kind == "h1" and m.index == self.h1 + 1:
            self.h1, self.h2 = m.index, 0
            return True
        if m.kind == "h2" and m.index in (self.h2 + 1, 1):
            self.h2 = m.index
            return True
        if m.kind == "item" and m.index == self.item + 1:
            self.item, self.sub = m.index, 0
            return True
        if m.kind == "subitem" and self.item and m.index == self.sub + 1:
            self.sub = m.index
            return True
        return False


def split_inline(lines: list[CleanLine]) -> list[CleanLine]:
    """Cut lines where UN numbering runs on inside them (a text whose line breaks were lost).

    A marker inside a line starts a new line only when it continues its sequence: ``5.`` after
    paragraph 4 and after the end of a sentence, ``(b)`` after item (a) and a ``;``, ``II.``
    after heading I. as a short heading that the next paragraph number ends. So numbers inside
    sentences (dates, "No. 190", "20(1)", "60/251", "paragraph 3.") never cut a paragraph. Before
    paragraph 1, the covering note's title, the annex line and the pledges subtitle are cut out
    too. Only spaces at the cuts are lost; every other character stays, in order.
    """
    state = _Inline()
    out: list[CleanLine] = []
    for line in lines:
        for m in markers(line.text, line.brk):
            if state.see(m, line.brk):
                break
        cuts = _inline_cuts(line.text, state)
        if not cuts:
            out.append(line)
            continue
        bounds = [0, *cuts, len(line.text)]
        for n, (a, b) in enumerate(itertools.pairwise(bounds)):
            piece = line.text[a:b].strip()
            if not piece:
                continue
            out.append(
                replace(
                    line,
                    text=piece,
                    brk=line.brk if n == 0 else True,
                    heading=line.heading and n == 0,
                    lead_ws=line.lead_ws if n == 0 else False,
                    trail_ws=line.trail_ws if b == len(line.text) else False,
                )
            )
    return out


def _inline_cuts(text: str, state: _Inline) -> list[int]:
    """Offsets in ``text`` where a new line starts (see :func:`split_inline`); updates ``state``."""
    if len(text) < 4:
        return []
    cuts: set[int] = set()
    if state.para == 0 and display_width(text) > FRONT_MATTER_LINE:
        cuts.update(_front_matter_cuts(text))
    para_cuts: list[int] = []
    for found in _INLINE_CANDIDATE.finditer(text):
        p = found.start()
        if p == 0:
            continue
        end = _clause_end(text[max(0, p - 16) : p])
        for m in markers(text[p : p + 64]):
            if m.kind == "para" and m.index == state.para + 1:
                if (
                    end in _CLAUSE_END
                    or _after_heading(text, p)
                    or (m.index == 1 and _later_para(text, p + m.length, 2))
                ):
                    state.para, state.item, state.sub = m.index, 0, 0
                    para_cuts.append(p)
                    break
            elif m.kind == "item" and m.index == state.item + 1 and end in _ITEM_LEAD_END:
                if m.index == 1 and end not in ":：":
                    continue  # a list opens after its lead-in's colon
                state.item, state.sub = m.index, 0
                para_cuts.append(p)
                break
            elif m.kind == "subitem" and state.item and m.index == state.sub + 1:
                if end in (":：" if m.index == 1 else _ITEM_LEAD_END):
                    state.sub = m.index
                    para_cuts.append(p)
                    break
            elif m.kind == "bullet":
                para_cuts.append(p)
                break
    cuts.update(para_cuts)
    # A heading run on between two paragraphs: "... in 2016. II. Engagements 3. Le Sénégal".
    heads = [
        found.start()
        for found in _INLINE_CANDIDATE.finditer(text)
        if found.start() > 0
        and found.start() not in cuts
        and any(m.kind in ("h1", "h2") for m in markers(text[found.start() : found.start() + 64]))
    ]
    ends = sorted({*para_cuts, *heads, len(text)})
    for p in heads:
        stop = next(e for e in ends if e > p)
        rest = text[p:stop].rstrip()
        if display_width(rest) > INLINE_HEADING_MAX or rest.rstrip(_CLOSERS).endswith(_TERMINAL):
            continue
        end = _clause_end(text[max(0, p - 16) : p])
        for m in markers(text[p : p + 64]):
            if m.kind not in ("h1", "h2"):
                continue
            tail = rest[m.length :]
            if not tail or not (tail[0].isupper() or _has_arabic(tail[:1]) or is_cjk(tail[0])):
                continue
            if any(ch in tail for ch in "。.!?;；"):
                continue
            if stop == len(text) and end not in _CLAUSE_END:
                continue  # only a paragraph number after it shows where the heading ends
            if m.kind == "h1" and m.index == state.h1 + 1:
                state.h1, state.h2 = m.index, 0
            elif m.kind == "h2" and m.index in (state.h2 + 1, 1) and (state.h1 or state.h2):
                state.h2 = m.index
            else:
                continue
            cuts.add(p)
            break
    return sorted(cuts)


def _after_heading(text: str, p: int) -> bool:
    """Whether run-on headings come just before a position.

    Whether the text just before ``p`` is one or two run-on headings after a sentence's end
    ("... protocole. II. Engagements A. Au niveau national" then ``p``).
    """
    window = text[max(0, p - 2 * INLINE_HEADING_MAX) : p]
    stops = [i for i, ch in enumerate(window) if ch in "。.!?！？;；:："]
    if p <= 2 * INLINE_HEADING_MAX:
        stops.insert(0, -1)  # the line's start
    # The last stop that is not a heading marker's own dot ("II.", "A.").
    for i in reversed(stops):
        segment = window[i + 1 :].strip()
        if segment and any(m.kind in ("h1", "h2") for m in markers(segment[:64])):
            return display_width(segment) <= 2 * INLINE_HEADING_MAX
        if i < 0:
            return False
        before = window[:i].rstrip()
        token = before.split()[-1] if before.split() else before
        if not _HEADING_TOKEN.fullmatch(token):
            return False
    return False


_HEADING_TOKEN = re.compile(r"[IVXL]{1,6}|[A-ZА-Я]|[一二三四五六七八九十]{1,3}|.*[" + _HAN + "]")


def _later_para(text: str, start: int, index: int) -> bool:
    """Whether paragraph ``index`` follows in ``text`` after a sentence's end."""
    for found in _INLINE_CANDIDATE.finditer(text, start, start + 5000):
        p = found.start()
        if _clause_end(text[max(0, p - 16) : p]) in _CLAUSE_END and any(
            m.kind == "para" and m.index == index for m in markers(text[p : p + 64])
        ):
            return True
    return False


def _front_matter_cuts(text: str) -> list[int]:
    """Cuts before paragraph 1: the note's title (and after it), the annex line, the subtitle."""
    cuts: list[int] = []
    for m in _INLINE_NOTE_TITLE_ZH.finditer(text):
        cuts.extend((m.start(), m.end()))
    for m in _INLINE_NOTE_TITLE.finditer(text):
        cuts.append(m.start())
        # The title ends with its addressee or sender, where the note's first sentence begins.
        for t in _TITLE_END_INLINE.finditer(text, m.end()):
            after = text[t.end() :].lstrip()
            if after[:1].isupper():
                cuts.append(t.end())
                break
    cuts.extend(m.start() for m in _INLINE_ANNEX.finditer(text))
    cuts.extend(m.start() for m in _INLINE_SUBTITLE.finditer(text))
    return [c for c in cuts if 0 < c < len(text)]


def _starts_paragraph_one(line: CleanLine) -> bool:
    return any(m.kind == "para" and m.index == 1 for m in markers(line.text, line.brk))


_MARKER_ONLY = re.compile(
    r"(?:\d{1,3}[.．]|[٠-٩]{1,3}\s*[-–]|\d{1,3}\s+[-–]|[(（]\w{1,4}[)）]|\w\)|[IVXL]{1,6}\."
    r"|[A-ZА-Я]\.|[一二三四五六七八九十]{1,3}[.、．]|[•●▪■◦○‣∙\uf0b7\uf0a7])"
)


def _merge_marker_lines(lines: list[CleanLine]) -> list[CleanLine]:
    """Join a marker alone on its line to the line after it.

    A marker alone on its line ("8." then the text on the next line, as some PDFs extract a
    hanging indent) is joined to the line that follows it.
    """
    out: list[CleanLine] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (
            i + 1 < len(lines)
            and _MARKER_ONLY.fullmatch(line.text)
            and not markers(lines[i + 1].text, lines[i + 1].brk)
        ):
            nxt = lines[i + 1]
            out.append(replace(line, text=f"{line.text} {nxt.text}", trail_ws=nxt.trail_ws))
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def _unnumbered_marker(line: CleanLine, current: Block | None) -> Marker | None:
    """A bullet, or a lettered item after a lead-in, opening ``line`` in unnumbered text."""
    if current is None:
        lead = False
    else:
        last = current.lines[-1].text.rstrip(_CLOSERS)
        lead = current.kind in ("bullet", "item") or last.endswith((":", "："))
    for m in markers(line.text, line.brk or lead):
        if m.kind == "bullet":
            return m
        if m.kind == "item" and lead and current is not None:
            expected = current.level + 1 if current.kind == "item" else 1
            if m.index == expected:
                return m
    return None


def _item_ends(block: Block, line: CleanLine) -> bool:
    """Whether an unnumbered bullet or item has ended before a line.

    Whether an unnumbered bullet or item has ended before ``line`` (a wrapped bullet goes on
    in lower case; after its full stop comes the next paragraph).
    """
    last = block.lines[-1].text.rstrip(_CLOSERS)
    return line.brk or (last.endswith(_SENTENCE_END) and not line.text[:1].islower())


def _title_then_text(first: CleanLine, line: CleanLine, width: int) -> bool:
    """Whether a first line is a one-line title over hard-wrapped text.

    A one-line title over hard-wrapped text: the first line ends without punctuation and the
    next line starts a sentence, and either the next line's first word would have fit on the
    first line (so the break is the author's, not the typesetter's) or the line is written in
    title case ("Candidatura de Costa Rica al Consejo de Derechos Humanos").
    """
    text = first.text.rstrip(_CLOSERS)
    if not text or text.endswith((*_TERMINAL, ",", "，", "、", "-")):
        return False
    if display_width(text) > TITLE_MAX_WIDTH or not line.text[:1].isupper():
        return False
    # "The next line starts a sentence" is read from letter case, which only cased scripts have:
    # over Arabic or Chinese text a Latin "No. 190" starting the next line says nothing, and
    # taking a wrapped line for a title would move body text out of the paragraphs.
    letters = [c for c in text if c.isalpha()]
    if sum(1 for c in letters if c.isupper() or c.islower()) * 2 < len(letters):
        return False
    if _would_fit(text, line.text, width):
        return True
    long_words = re.findall(r"[^\W\d_]{4,}", text)
    capitals = sum(1 for w in long_words if w[0].isupper())
    return len(long_words) >= 2 and capitals >= 0.6 * len(long_words)


def _body_start(line: CleanLine) -> Marker | None:
    for m in markers(line.text, line.brk):
        if m.index == 1 and m.kind in ("para", "h1", "h2"):
            return m
    return None


_PLEDGES_SUBTITLE = re.compile(
    r"^(?:Voluntary pledges|Pledges and commitments|Contributions et engagements"
    r"|Engagements (?:et contributions|volontaires)|Promesas y|Compromisos y promesas"
    r"|Добровольные|التعهدات|تعهدات)|自愿许诺|自愿承诺",
    re.IGNORECASE,
)


def _unnumbered_break(
    prev: CleanLine | None, line: CleanLine, width: int, short: float = 0.7
) -> bool:
    """Whether ``line`` starts a new paragraph in text without numbers (note, titles)."""
    if prev is None or line.brk or line.heading or prev.heading:
        return True
    if line.hard:
        return False  # the source says this line continues the previous one
    if prev.trail_ws and line.lead_ws:
        return True  # extracted-PDF hint: a paragraph's last line ends with a space
    pw = display_width(prev.text)
    if prev.text.endswith(_TERMINAL) and (pw < 0.9 * width or line.text[:1].isupper()):
        return True
    # A short line that stops mid-clause ends a paragraph only when the typesetter could have
    # gone on: when the next line's first unbreakable unit would not have fit after it, the
    # break was forced and the paragraph goes on (the line is no title or heading).
    return pw < short * width and _would_fit(prev.text, line.text, width)


#: Characters a line never starts with (CJK kinsoku): closing brackets and CJK punctuation.
_NO_LINE_START = frozenset("。．，、；：！？）」』】》〉〕］｝”’…‥・ー")
#: Characters a line never ends with: opening brackets.
_NO_LINE_END = frozenset("（「『【《〈〔［｛“‘")


def first_unit(text: str) -> str:
    """The first unit of ``text`` that a typesetter cannot break across lines.

    A small approximation of line-breaking (UAX #14) that errs on the long side: a line breaks
    at a space, or between two CJK characters unless the second is a closing mark (``。``,
    ``）``…) or the first an opening one. It never breaks between CJK and Latin letters or
    digits ("事2023-2025事"), nor at a hyphen, although UAX #14 allows both: typesetters differ
    there, and a unit taken too long only keeps a wrapped line in its paragraph, where one
    taken too short would move body text into a title.

    Args:
        text: A line's text.

    Returns:
        The leading unit (the whole text when it has no break opportunity).
    """
    text = text.lstrip()
    for k in range(1, len(text)):
        a, b = text[k - 1], text[k]
        if b.isspace():
            return text[:k]
        if is_wide(a) and is_wide(b) and b not in _NO_LINE_START and a not in _NO_LINE_END:
            return text[:k]
    return text


def _would_fit(prev: str, text: str, width: int) -> bool:
    """Whether the first unit of ``text`` would have fit after ``prev`` in ``width`` columns.

    When it would not, the line break between them may be the typesetter's, not the author's.
    """
    unit = first_unit(text)
    if not prev or not unit:
        return True
    gap = 0 if is_wide(prev[-1]) and is_wide(unit[0]) else 1
    return display_width(prev) + gap + display_width(unit) <= width


def _body_line(
    st: _State,
    line: CleanLine,
    prev: CleanLine | None,
    width: int,
    start: Callable[..., Block],
) -> bool:
    """Place one body line; returns False when it merely continues the current block."""
    evidence = line.brk or prev is None or prev.text.endswith(_TERMINAL)
    # A heading stands on its own line: after a sentence's end, another heading or a short line.
    after_heading = bool(st.blocks) and st.blocks[-1].kind == "heading"
    first = st.last_para == st.last_h1 == st.last_h2 == 0  # the line that opened the body
    heading_ok = (
        evidence
        or after_heading
        or first
        or (prev is not None and display_width(prev.text) < 0.8 * width)
    )
    for m in markers(line.text, line.brk):
        if m.kind == "para" and (
            m.index == st.last_para + 1 or (evidence and st.last_para < m.index <= st.last_para + 3)
        ):
            st.last_para = m.index
            st.para = start("para", line, m.length, number=str(m.index))
            st.item, st.item_pos, st.bullets = None, 0, 0
            return True
        if m.kind == "h1" and m.index == st.last_h1 + 1 and heading_ok:
            st.last_h1, st.last_h2 = m.index, 0
            start("heading", line, m.length, level=1)
            st.para, st.item = None, None
            return True
        if m.kind == "h2" and heading_ok and (m.index == st.last_h2 + 1 or m.index == 1):
            st.last_h2 = m.index
            start("heading", line, m.length, level=2)
            st.para, st.item = None, None
            return True
        if m.kind == "item" and st.para is not None and m.index == st.item_pos + 1:
            st.item_pos, st.sub_pos = m.index, 0
            number = f"{st.para.number}({LATIN_LOWER[(m.index - 1) % 26]})"
            st.item = start("item", line, m.length, number=number, parent=st.para)
            return True
        if m.kind == "subitem" and st.item is not None and m.index == st.sub_pos + 1:
            st.sub_pos = m.index
            number = f"{st.item.number}({to_roman(m.index)})"
            start("subitem", line, m.length, number=number, parent=st.item)
            return True
        if m.kind == "bullet" and st.para is not None:
            st.bullets += 1
            number = f"{st.para.number}.{st.bullets}"
            start("bullet", line, m.length, number=number, parent=st.para)
            return True
    unmarked_heading = (
        line.hard
        and line.brk
        and len(line.text) <= 80
        and not line.text.rstrip(")）]»”\"'").endswith((*_TERMINAL, ",", "，", "、"))
    )
    if (line.heading or unmarked_heading) and line.brk:
        start("heading", line, 0, level=2 if st.last_h1 else 1)
        st.para, st.item = None, None
        return True
    return False


#: Widest (in display columns) that a title, heading or masthead block may be: a longer block is
#: text, and becomes a paragraph whatever its punctuation.
TITLE_MAX_WIDTH = 160
HEADER_MAX_WIDTH = 400
#: Unnumbered text longer than this (display columns) with no break in it is cut into groups of
#: whole sentences of about :data:`GROUP_WIDTH` columns.
GROUP_OVER = 900
GROUP_WIDTH = 450


def _finish(blocks: list[Block], vocab: frozenset[str], language: str | None) -> list[Block]:
    """Join each block's lines, settle what unnumbered blocks are, number them, fill sections."""
    for block in blocks:
        text = ""
        for line in block.lines:
            if not text:
                text = line.text
            elif line.brk and block.kind in ("para", "item", "subitem", "bullet", "note"):
                text = text + "\n" + line.text
            else:
                text = join_pair(text, line.text, vocab)
        block.text = text
    _classify(blocks)
    blocks = _group_sentences(blocks, language)
    _number(blocks)
    return blocks


_SENTENCE_INSIDE = re.compile(r"[.。!?！？]\s*[A-ZА-ЯЁ\u0621-\u064a" + _HAN + "]")
#: A clause's end with more text after it ("…承诺； 事事", "…rights; the State"): a title holds
#: none, but a paragraph's first line joined to the start of its next line does.
_CLAUSE_INSIDE = re.compile(r"[;；؛]\s*\w")


def _holds_prose(text: str) -> bool:
    """Whether ``text`` holds a sentence's or a clause's end with more text after it."""
    return bool(_SENTENCE_INSIDE.search(text) or _CLAUSE_INSIDE.search(text))


def _heads(blocks: list[Block], i: int) -> bool:
    """Whether a short unpunctuated block is a heading.

    Whether the short unpunctuated block ``blocks[i]`` is a heading: one line (or a line the
    source marks as its own), followed by a paragraph that opens anew.
    """
    block = blocks[i]
    following = next((b for b in blocks[i + 1 :] if b.kind != "footnote"), None)
    prose = following is not None and (
        following.kind in ("bullet", "item")
        or (
            following.kind in ("note", "text", "title")  # a title not yet settled: prose?
            and (_ends_sentence(following.text) or display_width(following.text) > TITLE_MAX_WIDTH)
        )
    )
    return (
        following is not None
        and prose
        and _starts_anew(following.text)
        and (len(block.lines) == 1 or all(line.hard for line in block.lines))
    )


def _heading_below_title(blocks: list[Block], i: int, numbered: bool) -> bool:
    """Whether a short line before the text heads the paragraphs below it.

    In a document without UN numbering, a line the source marks as a heading (HTML ``<h2>``,
    a DOCX Heading style) that follows the title and opens the prose below it is a heading,
    like the same line further down; before this it was taken for a second title line and
    its paragraphs got no section.
    """
    return (
        not numbered
        and i > 0
        and blocks[i - 1].kind == "title"
        and all(line.heading for line in blocks[i].lines)
        and _heads(blocks, i)
    )


def _starts_anew(text: str) -> bool:
    """Whether a text can open a paragraph.

    Whether ``text`` can open a paragraph (a wrapped sentence goes on in lower case or with a
    number).
    """
    head = text.lstrip()[:1]
    return bool(head) and not head.islower() and not head.isdigit()


def _ends_sentence(text: str, stops: tuple[str, ...] = _TERMINAL) -> bool:
    return text.rstrip(_CLOSERS).endswith(stops)


def _classify(blocks: list[Block]) -> None:
    """Settle the kind of the blocks the line pass could not.

    Settle the kind of the blocks the line pass could not: a title, masthead or heading is
    short; a long one is text. Unnumbered prose of a document without UN paragraph numbers is
    ``text``; bullets and items find their lead-in.
    """
    has_annex = any(b.kind == "annex" for b in blocks)
    has_note = has_annex or any(b.kind == "note_title" for b in blocks)
    has_paras = any(b.kind == "para" for b in blocks)
    annex_seen = False
    body_seen = False  # a paragraph-kind block came before
    for i, block in enumerate(blocks):
        width = display_width(block.text)
        if block.kind == "annex":
            annex_seen, body_seen = True, False  # the annex opens with its own titles
        elif (
            block.kind == "note"
            and not _ends_sentence(block.text)
            and width <= TITLE_MAX_WIDTH
            and not _holds_prose(block.text)
        ):
            # A line that ends without punctuation is a title, masthead or heading, not prose:
            # before the text, a title; between paragraphs, the heading of those after it; the
            # last line (a place and date) stays text.
            if has_annex and not annex_seen:
                block.kind = "header"
            elif not body_seen and _heading_below_title(blocks, i, has_note or has_paras):
                # "<h1>Our pledge</h1><h2>Our commitments</h2><p>…": the heading of the
                # paragraphs below it, not a second title line.
                block.kind, block.level = "heading", 1
            elif not body_seen:
                block.kind = "title"
            elif _heads(blocks, i):
                block.kind, block.level = "heading", 1
        elif block.kind == "title" and (
            _ends_sentence(block.text) or width > TITLE_MAX_WIDTH or _holds_prose(block.text)
        ):
            # Prose between the annex title and paragraph 1 (an unnumbered introduction, a
            # lead-in) is text to search and cite, not a title.
            block.kind = "note"
        elif block.kind == "title" and body_seen:
            # After the text has begun, a short line heads the paragraphs below it.
            if _heads(blocks, i):
                block.kind, block.level = "heading", 1
            else:
                block.kind = "note"
        elif block.kind == "header" and width > HEADER_MAX_WIDTH:
            block.kind = "note"  # a masthead is short: a long one is text
        elif block.kind == "heading" and (
            width > TITLE_MAX_WIDTH or _SENTENCE_INSIDE.search(block.text, block.marker_len)
        ):
            block.kind = "note"  # a heading is short and holds no sentence
        if block.kind == "note" and not has_paras and (annex_seen or not has_note):
            block.kind = "text"
        if block.kind in PARAGRAPH_KINDS:
            body_seen = True
    # Bullets and items of unnumbered text hang on the paragraph before them when it leads in
    # to them (ends with a colon); otherwise they are paragraphs of their own.
    lead: Block | None = None
    for block in blocks:
        if block.kind in ("note", "text"):
            lead = block if _ends_sentence(block.text, (":", "：")) else None
        elif block.kind in ("bullet", "item") and block.parent is None and block.number is None:
            if lead is not None:
                block.parent = lead
            else:
                block.kind = "text" if not has_paras and (annex_seen or not has_note) else "note"
        elif block.kind in ("heading", "title", "para"):
            lead = None


def _group_sentences(blocks: list[Block], language: str | None) -> list[Block]:
    """Cut long unnumbered blocks (a text with no line breaks) into groups of whole sentences."""
    out: list[Block] = []
    for block in blocks:
        if block.kind not in ("note", "text") or display_width(block.text) <= GROUP_OVER:
            out.append(block)
            continue
        spans = [
            (b["start_index"], b["end_index"])
            for b in sentencex.get_sentence_boundaries(language or "en", block.text)
        ]
        groups: list[tuple[int, int]] = []
        for a, b in spans:
            if groups and display_width(block.text[groups[-1][0] : groups[-1][1]]) < GROUP_WIDTH:
                groups[-1] = (groups[-1][0], b)
            else:
                groups.append((a, b))
        if len(groups) > 1 and display_width(block.text[groups[-1][0] :]) < GROUP_WIDTH // 3:
            groups[-2:] = [(groups[-2][0], groups[-1][1])]  # no stub at the end
        for n, (a, b) in enumerate(groups):
            start = a if n else 0
            end = b if n + 1 < len(groups) else len(block.text)
            text = block.text[start:end].strip()
            if text:
                out.append(Block(block.kind, [_line_at(block, start)], text=text, marker_len=0))
    return out


def _line_at(block: Block, offset: int) -> CleanLine:
    """The line of ``block`` that holds the character at ``offset`` of its joined text."""
    pos = 0
    for line in block.lines:
        pos += len(line.text) + 1
        if pos > offset:
            return line
    return block.lines[-1]


def _number(blocks: list[Block]) -> None:
    """Number the unnumbered paragraphs and sub-items, and fill sections."""
    notes = texts = 0
    h1: Block | None = None
    h2: Block | None = None
    children: dict[int, int] = {}
    for block in blocks:
        if block.kind == "note":
            notes += 1
            block.number = f"note.{notes}"
        elif block.kind == "text":
            texts += 1
            block.number = f"p{texts}"
        elif block.kind in ("bullet", "item") and block.number is None and block.parent:
            n = children[id(block.parent)] = children.get(id(block.parent), 0) + 1
            if block.kind == "item":
                block.number = f"{block.parent.number}({LATIN_LOWER[(n - 1) % 26]})"
            else:
                block.number = f"{block.parent.number}.{n}"
        if block.kind == "heading":
            if block.level == 1:
                h1, h2 = block, None
            else:
                h2 = block
        elif block.kind in ("para", "bullet", "item", "subitem", "text"):
            parts = [b.text for b in (h1, h2) if b is not None]
            block.section = " > ".join(parts) or None
