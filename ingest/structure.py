"""Split cleaned lines into blocks: headings and the UN's numbered paragraphs.

Numbering contract (DESIGN.md): ``"8"`` paragraph 8; ``"20"`` the lead-in of paragraph 20 and
``"20.5"`` its 5th bullet; ``"27(a)"`` a lettered sub-item (``"27(a)(ii)"`` a roman sub-sub-item);
``"note.1"`` ... the unnumbered paragraphs before the first numbered one (the covering note).

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

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from ingest.clean import CleanLine, display_width, join_pair
from ingest.language import is_arabic

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
]

#: Block kinds that become Paragraph records.
PARAGRAPH_KINDS: frozenset[str] = frozenset({"note", "para", "bullet", "item", "subitem"})

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
_P_DASH_BULLET = re.compile(r"[-–—]\s+(?=\S)")


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
            at the start read as a bullet (a wrapped line may start with a dash).
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
_TERMINAL = tuple("。．.!?！？;；:：")
_SENTENCE_END = tuple("。．.!?！？")
# A note verbale's title ends with its addressee or sender: "... of the General Assembly".
_TITLE_END = re.compile(
    r"(?:General Assembly|United Nations|Assemblée générale|Nations Unies|Asamblea General"
    r"|Naciones Unidas|Генеральной Ассамблеи|Объединенных Наций|الجمعية العامة|الأمم المتحدة"
    r"|普通照会|的信|附件)\s*$"
)


def is_annex_line(text: str) -> bool:
    """The line that opens the annex ("Annex to the note verbale ...", "...的附件", ...)."""
    s = text.strip()
    return bool(_ANNEX_START.match(strip_arabic_diacritics(s)) or _ANNEX_END_ZH.search(s))


def is_note_title(text: str) -> bool:
    """The title line of a covering note verbale or letter."""
    return bool(_NOTE_TITLE.search(strip_arabic_diacritics(text)))


_FOOTNOTE = re.compile(
    r"^(?:\*+|\d{1,2}|[¹²³⁰⁴-⁹]+)\s+(?=(?:A/|E/|S/|See |Voir |Véase |Cf\. |См\. |انظر|https?://))"
)


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


_SUPERSCRIPT_START = re.compile(r"[¹²³⁰⁴-⁹]+\s*[^\W\d_]")


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


def split_blocks(lines: list[CleanLine], vocab: frozenset[str] = frozenset()) -> list[Block]:
    """Group cleaned lines into numbered blocks (see the module docstring for the rules).

    Every kept line ends up in exactly one block, so no text is lost; only blocks whose kind is
    in :data:`PARAGRAPH_KINDS` become paragraphs.
    """
    if not lines:
        return []
    width = typical_width(lines)
    lines = _merge_marker_lines(lines)
    # The covering note and the annex line come before paragraph 1; an "Annex" heading after
    # it (a list of treaties, say) belongs to the body.
    first = next((i for i, line in enumerate(lines) if _starts_paragraph_one(line)), len(lines))
    annex = next((i for i in range(first) if is_annex_line(lines[i].text)), None)
    limit = annex if annex is not None else first
    note_title = next((i for i in range(limit) if is_note_title(lines[i].text)), None)
    st = _State()
    current: Block | None = None
    region = "header" if note_title is not None else "note"
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
        if is_footnote(line.text):
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
            boundary = current is None or title_done or _unnumbered_break(prev, line, width)
        if boundary:
            kind: BlockKind = "title" if region == "title" else region  # type: ignore[assignment]
            start(kind, line)
        else:
            current.lines.append(line)

    _finish(st.blocks, vocab)
    return st.blocks


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
    return pw < short * width


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


def _finish(blocks: list[Block], vocab: frozenset[str]) -> None:
    """Join each block's lines, number the note paragraphs and fill sections."""
    notes = 0
    h1: Block | None = None
    h2: Block | None = None
    has_annex = any(b.kind == "annex" for b in blocks)
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
        if block.kind == "note" and not text.rstrip(")）]»”\"'").endswith(_TERMINAL):
            # A line that ends without punctuation is a title or masthead, not note prose.
            block.kind = "header" if has_annex else "title"
        elif block.kind == "title" and text.rstrip(")）]»”\"'").endswith(_SENTENCE_END):
            # Prose between the annex title and paragraph 1 (an unnumbered introduction) is
            # text to search and cite, not a title.
            block.kind = "note"
        if block.kind == "note":
            notes += 1
            block.number = f"note.{notes}"
        if block.kind == "heading":
            if block.level == 1:
                h1, h2 = block, None
            else:
                h2 = block
        elif block.kind in ("para", "bullet", "item", "subitem"):
            parts = [b.text for b in (h1, h2) if b is not None]
            block.section = " > ".join(parts) or None
