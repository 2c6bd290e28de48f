"""Readers: one function per file format, each turning bytes into :class:`~ingest.lines.Line` s.

Readers only extract; they never clean or interpret. Every failure is an
:class:`~ingest.errors.IngestError` whose message starts with the file name and says what was
wrong and what to do about it. Heavy libraries (pypdf, python-docx, BeautifulSoup) load lazily.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import io
import itertools
import logging
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from ingest.errors import BIDI_CONTROLS, IngestError, UnsupportedFormatError
from ingest.language import has_han
from ingest.lines import Line
from ingest.structure import to_roman

#: File suffixes the readers handle (lower case, with the dot).
SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".pdf", ".docx", ".html", ".htm", ".md")

#: Below this many letters over the whole file, a PDF is taken to have no text layer.
MIN_PDF_LETTERS = 20

#: A DOCX whose parts unpack to more than this is refused before it is parsed (a zip bomb).
MAX_DOCX_UNPACKED_MB = 200

#: HTML nested this deep is refused: real pages nest a few dozen levels, and lxml stops
#: building the tree at 256 levels while BeautifulSoup would go on for seconds per MB.
MAX_HTML_DEPTH = 255


def read_bytes(data: bytes, name: str) -> list[Line]:
    """Extract the lines of a file from its bytes; the suffix of ``name`` picks the reader.

    Args:
        data: The file's bytes.
        name: File name or path, used for the suffix and in error messages only.

    Returns:
        The file's lines in reading order.

    Raises:
        UnsupportedFormatError: The suffix is not one of :data:`SUPPORTED_SUFFIXES`.
        IngestError: The bytes cannot be read as that format, or hold no text.
    """
    suffix = _suffix(name)
    reader = _READERS.get(suffix)
    if reader is None:
        shown = suffix or "no suffix"
        raise UnsupportedFormatError(
            name,
            f"unsupported file type ({shown}); expected one of {', '.join(SUPPORTED_SUFFIXES)}",
        )
    if not data.strip():
        raise IngestError(name, "file is empty")
    lines = [_without_controls(line) for line in reader(data, name)]
    if not any(line.text.strip() for line in lines):
        raise IngestError(name, f"no text found in this {suffix[1:].upper()} file")
    return lines


#: C0/C1 control characters other than tab: never text, and some (ESC) drive terminals.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SPACING_CONTROL_RE = re.compile("[\x0b\x0c]")

# The directional overrides (BIDI_CONTROLS) make a quote read differently from the text that is
# searched and cited; the implicit marks (LRM, RLM, ALM) that Arabic text uses stay.

#: Invisible characters that split a word without showing anything: zero-width space, word
#: joiner, zero-width no-break space (a BOM inside the text), and a soft hyphen inside a line
#: (one at the end of a line is a typesetter's break that joining the lines reads).
#: "tor\u200bture" shows as "torture" but no keyword search finds it. The joiners that
#: scripts need (ZWJ, ZWNJ) stay.
_INVISIBLE = "\u200b\u2060\ufeff"

#: Both sets as one character class (the bidi controls read from the Unicode database once),
#: and soft hyphens anywhere but at the end of a line.
_FORMATTING_RE = re.compile(
    "["
    + re.escape(_INVISIBLE)
    + "".join(
        re.escape(chr(cp))
        for cp in range(0x10000)
        if unicodedata.bidirectional(chr(cp)) in BIDI_CONTROLS
    )
    + "]|\u00ad(?!\\s*$)"
)


#: UTF-16 surrogate code points: in a Python string they stand for nothing on their own.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def utf8_text(text: str) -> str:
    """``text`` as characters UTF-8 can write: surrogate halves paired, a lone half U+FFFD.

    A PDF's text layer maps glyphs to UTF-16 code units (its ToUnicode table), so a damaged or
    hand-made table gives the halves of a pair as two characters, or one half alone; such a
    string cannot be embedded, stored in Chroma or printed. A lone half becomes the
    replacement character (U+FFFD), which shows where a character could not be read.
    """
    if not _SURROGATE_RE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _without_controls(line: Line) -> Line:
    """The line without control and invisible formatting characters.

    C0/C1 controls are removed (vertical tab and form feed become spaces), and so are the
    directional overrides and the invisible word splitters above: what is stored, searched
    and quoted is what a reader sees. Surrogate code points are paired or replaced
    (:func:`utf8_text`).
    """
    text = line.text
    if text.isascii() and text.isprintable():
        return line
    text = utf8_text(text)
    text = _CONTROL_RE.sub("", _SPACING_CONTROL_RE.sub(" ", text))
    text = _FORMATTING_RE.sub("", text)
    return dataclasses.replace(line, text=text) if text != line.text else line


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    slash = max(name.rfind("/"), name.rfind("\\"))
    return name[dot:].lower() if dot > slash + 1 else ""


# -- text ----------------------------------------------------------------------------------------


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM) or UTF-16 (with BOM, or BOM-less).

    Raises:
        IngestError: The bytes are neither; the message names the first bad byte and its offset.
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif len(data) >= 4 and _looks_utf16(data):
        encoding = "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        bad = data[e.start : e.start + 1].hex()
        raise IngestError(
            name,
            f"cannot decode as {encoding.upper()}: invalid byte 0x{bad} at offset {e.start};"
            " save the file as UTF-8 or UTF-16",
        ) from e
    if "\x00" in text:
        raise IngestError(name, f"decoded as {encoding.upper()} but contains NUL characters")
    return text


def _looks_utf16(data: bytes) -> bool:
    """BOM-less UTF-16: one byte of most pairs is NUL (Latin text) — and UTF-8 would fail."""
    sample = data[:4000]
    zeros = max(sample[0::2].count(0), sample[1::2].count(0))
    return zeros > len(sample) // 4


def text_to_lines(text: str) -> list[Line]:
    """Split plain text into lines, deciding what a blank line means.

    Text extracted from a PDF often puts a blank line after *every* line; there blank lines say
    nothing and paragraph breaks must be inferred (``brk=False``, except after two or more blank
    lines). In ordinary prose files a blank line separates paragraphs (``brk=True``).
    """
    raw = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    gaps: list[int] = []  # blank lines before each non-blank line
    lines: list[str] = []
    blank = 0
    for item in raw:
        if item.strip():
            gaps.append(blank)
            lines.append(item)
            blank = 0
        else:
            blank += 1
    inner = gaps[1:]
    # Extraction that double-spaces wrapped lines: a blank line after nearly every line, and
    # many lines broken mid-sentence (the next one goes on in lower case or CJK), which prose
    # with one paragraph per line never is.
    wraps = sum(1 for a, b in itertools.pairwise(lines) if _is_wrap(a, b))
    double_spaced = (
        len(inner) >= 3
        and sum(1 for g in inner if g >= 1) >= 0.8 * len(inner)
        and wraps >= 0.25 * len(inner)
    )
    # Blank lines between paragraphs make the line structure reliable; without any blank line
    # (or with one after every line) paragraph breaks must be inferred.
    hard = not double_spaced and any(g >= 1 for g in inner)
    out: list[Line] = []
    for i, (item, gap) in enumerate(zip(lines, gaps, strict=True)):
        brk = i > 0 and (gap >= 2 if double_spaced else gap >= 1)
        out.append(Line(item, brk=brk, hard=hard))
    return out


_STOPS = tuple(".。;；:：!?！？)）")


_LIST_MARKER = re.compile(r"(?:\d{1,3}\s*[.．)\-–]|[a-zа-я]\)|[ivx]{1,4}\))\s")


def _is_wrap(line: str, following: str) -> bool:
    """Whether ``following`` reads as the continuation of a line broken mid-sentence."""
    end, start = line.rstrip(), following.lstrip()
    if not end or not start or end.endswith(_STOPS) or _LIST_MARKER.match(start):
        return False
    first = start[0]
    return first.islower() or first.isdigit() or has_han(first)


def read_txt(data: bytes, name: str) -> list[Line]:
    """Plain text (UTF-8, UTF-8 with BOM, UTF-16)."""
    return text_to_lines(decode_text(data, name))


_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def read_md(data: bytes, name: str) -> list[Line]:
    """Read Markdown.

    Markdown: headings lose their ``#`` and are flagged, list dashes become bullets, links
    keep their text.
    """
    lines = text_to_lines(decode_text(data, name))
    out: list[Line] = []
    for line in lines:
        text = _MD_LINK.sub(r"\1", line.text)
        m = _MD_HEADING.match(text)
        if m:
            out.append(Line(m.group(2), brk=True, heading=True, hard=line.hard))
            continue
        text = _MD_BULLET.sub(r"\1• ", text, count=1)
        out.append(Line(text, page=line.page, brk=line.brk, hard=line.hard))
    return out


# -- PDF -----------------------------------------------------------------------------------------


def read_pdf(data: bytes, name: str) -> list[Line]:
    """PDF text layer through pypdf, one line list per page (pages are 1-based).

    Raises:
        IngestError: The PDF is damaged, encrypted with a password, or has no text layer.
    """
    try:
        from pypdf import PdfReader
    except ImportError as e:  # pragma: no cover - pypdf is a core dependency
        raise IngestError(name, "reading PDF needs pypdf: pip install pypdf") from e

    with _quiet_pypdf():
        return _read_pdf(data, name, PdfReader)


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Pypdf logs and warns about every repair it makes; the outcome is reported as one error."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _read_pdf(data: bytes, name: str, PdfReader: Any) -> list[Line]:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as e:
                raise IngestError(
                    name,
                    f"PDF is encrypted and cannot be opened ({e});"
                    " save an unprotected copy and ingest that",
                ) from e
            if not opened:
                raise IngestError(
                    name,
                    "PDF is encrypted with a password; save an unprotected copy and ingest that",
                )
        pages = [page.extract_text() or "" for page in reader.pages]
        if _arabic_letters(pages) >= MIN_PDF_LETTERS:
            # pypdf's default mode reorders right-to-left runs assuming glyphs drawn in visual
            # order (as Word does); PDFs drawn in logical order come out reversed. Layout mode
            # keeps drawing order: keep whichever reads as logical Arabic.
            layout = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
            if _logical_arabic_score(layout) > _logical_arabic_score(pages):
                pages = layout
    except IngestError:
        raise
    except Exception as e:  # pypdf raises many types on damaged files; report them as one
        detail = str(e).strip() or type(e).__name__
        raise IngestError(name, f"not a readable PDF (damaged or truncated: {detail})") from e
    if not pages:
        raise IngestError(name, "PDF has no pages")
    letters = sum(1 for text in pages for ch in text if ch.isalpha())
    if letters < MIN_PDF_LETTERS:
        raise IngestError(
            name,
            f"PDF has no text layer ({len(pages)} page(s), {letters} letters of text): it is"
            " probably scanned or image-only; run OCR (e.g. ocrmypdf) and ingest the result",
        )
    out: list[Line] = []
    for number, text in enumerate(pages, start=1):
        for item in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if item.strip():
                out.append(Line(item, page=number))
    return out


_ARABIC_WORD = re.compile(r"[\u0621-\u064a]{2,}")


def _arabic_letters(pages: list[str]) -> int:
    return sum(len(m.group(0)) for text in pages for m in _ARABIC_WORD.finditer(text))


def _logical_arabic_score(pages: list[str]) -> int:
    """How much the Arabic words read in logical order.

    How much the Arabic words read in logical order: the article "ال" starts words and
    "ة" ends them; reversed text has "لا" at word ends and "ة" at word starts.
    """
    score = 0
    for text in pages:
        for m in _ARABIC_WORD.finditer(text):
            w = m.group(0)
            score += w.startswith("ال") + w.endswith("ة") - w.endswith("لا") - w.startswith("ة")
    return score


# -- DOCX ----------------------------------------------------------------------------------------


def read_docx(data: bytes, name: str) -> list[Line]:
    """DOCX through python-docx: body paragraphs and table cells in document order.

    Each DOCX paragraph starts a new line with ``brk=True``; soft line breaks inside one give
    further lines with ``brk=False``. Heading and Title styles set ``heading``.
    """
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph as DocxParagraph
    except ImportError as e:  # pragma: no cover - python-docx is a core dependency
        raise IngestError(name, "reading DOCX needs python-docx: pip install python-docx") from e

    _check_unpacked_size(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:
        detail = str(e).strip() or type(e).__name__
        raise IngestError(name, f"not a readable DOCX file ({detail})") from e

    out: list[Line] = []
    numbering = _DocxNumbering(document)

    def add_paragraph(par: DocxParagraph) -> None:
        style = (par.style.name if par.style is not None else "") or ""
        heading = style.lower().startswith(("heading", "title"))
        parts = par.text.split("\n")
        label = numbering.label(par) if any(p.strip() for p in parts) else ""
        for i, part in enumerate(parts):
            if part.strip():
                text = label + part if i == 0 and label else part
                out.append(Line(text, brk=i == 0, heading=heading, hard=True))

    try:
        # Page headers carry the running symbol ("A/77/89"); read them first so the symbol
        # detector sees them where a PDF has them, at the top.
        for section in document.sections[:1]:
            for part in (section.first_page_header, section.header):
                if not part.is_linked_to_previous:
                    for par in part.paragraphs:
                        if par.text.strip():
                            out.append(Line(par.text.strip(), brk=True, hard=True))
        body = document.element.body
        for child in body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                add_paragraph(DocxParagraph(child, document))
            elif tag == "tbl":
                for row in Table(child, document).rows:
                    for cell in row.cells:
                        for par in cell.paragraphs:
                            add_paragraph(par)
    except Exception as e:
        detail = str(e).strip() or type(e).__name__
        raise IngestError(name, f"DOCX content could not be read ({detail})") from e
    return out


def _check_unpacked_size(data: bytes, name: str) -> None:
    """Refuse a DOCX that unpacks too large.

    Refuse a DOCX whose declared unpacked size is over :data:`MAX_DOCX_UNPACKED_MB`
    (zipfile never reads past a member's declared size, so this bounds memory).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as e:
        raise IngestError(name, f"not a readable DOCX file (not a ZIP archive: {e})") from e
    if unpacked > MAX_DOCX_UNPACKED_MB * 1_000_000:
        raise IngestError(
            name,
            f"DOCX unpacks to {unpacked / 1e6:.0f} MB, over the {MAX_DOCX_UNPACKED_MB} MB limit"
            " for one document (a zip bomb, or a file full of images); save the text alone",
        )


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _DocxNumbering:
    """Renders Word's automatic list numbering ("1.", "(a)", "•"), which is not in the text."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self._counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.iter(f"{_W}abstractNum"):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in an.iter(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                    fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{_W}val", "") if text is not None else "",
                    int(start.get(f"{_W}val", "1")) if start is not None else 1,
                )
            abstract[an.get(f"{_W}abstractNumId", "")] = levels
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{_W}val", ""), {}).items():
                self._levels[(num.get(f"{_W}numId", ""), ilvl)] = spec

    def label(self, par: Any) -> str:
        """The marker Word draws before this paragraph, with a trailing space; "" if none."""
        num_pr = _num_pr(par)
        if num_pr is None:
            return ""
        num_id_el, ilvl_el = num_pr.find(f"{_W}numId"), num_pr.find(f"{_W}ilvl")
        num_id = num_id_el.get(f"{_W}val", "") if num_id_el is not None else ""
        ilvl = int(ilvl_el.get(f"{_W}val", "0")) if ilvl_el is not None else 0
        spec = self._levels.get((num_id, ilvl))
        if spec is None or num_id == "0":
            return ""
        fmt, text, start = spec
        if fmt == "bullet":
            return "• "
        counters = self._counters.setdefault(num_id, [0] * 9)
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        label = text or f"%{ilvl + 1}."
        for level in range(9):
            spec_l = self._levels.get((num_id, level))
            value = counters[level] or (spec_l[2] if spec_l else 1)
            label = label.replace(
                f"%{level + 1}", _format_number(value, spec_l[0] if spec_l else fmt)
            )
        return label + " "


def _num_pr(par: Any) -> Any:
    p_pr = par._p.pPr
    if p_pr is not None and p_pr.numPr is not None:
        return p_pr.numPr
    style = par.style
    while style is not None:
        s_pr = style.element.pPr
        if s_pr is not None and s_pr.numPr is not None:
            return s_pr.numPr
        style = style.base_style
    return None


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = to_roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    return str(n)


# -- HTML ----------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
        "blockquote",
        "pre",
        "section",
        "article",
        "dd",
        "dt",
        "caption",
    ]
)
_SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "nav", "head", "footer", "aside", "form", "button"]
)
_WS = re.compile(r"[ \t\r\n\f\v]+")  # HTML white space; a no-break space is text


def _html_encoding(data: bytes) -> str | None:
    """UTF-8 for a page that declares no charset and is valid UTF-8; else None (let bs4 decide).

    Without this, BeautifulSoup guesses from the bytes, and a short page with two accented
    characters (or a directional mark) can be read as CP932 or Windows-1251: mojibake.
    A page's own ``<meta charset>`` and a byte order mark still win.
    """
    from bs4.dammit import EncodingDetector

    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if EncodingDetector.find_declared_encoding(data, is_html=True) is not None:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "utf-8"


def read_html(data: bytes, name: str) -> list[Line]:
    """HTML (e.g. a UN documents page) through BeautifulSoup with lxml.

    Each innermost block element (p, li, h1-h6, td, ...) gives one line with ``brk=True``; ``<br>``
    gives a soft line break; list items get the marker a browser would draw ("•", "1.", "(a)").
    """
    try:
        from bs4 import BeautifulSoup, NavigableString, Tag
    except ImportError as e:  # pragma: no cover - beautifulsoup4 is a core dependency
        raise IngestError(name, "reading HTML needs beautifulsoup4 and lxml") from e

    if _html_depth(data) >= MAX_HTML_DEPTH:
        raise IngestError(
            name,
            f"HTML elements are nested {MAX_HTML_DEPTH} or more levels deep; expected a document"
            " page (a few dozen levels)",
        )
    try:
        soup = BeautifulSoup(data, "lxml", from_encoding=_html_encoding(data))
    except Exception as e:
        raise IngestError(name, f"not a readable HTML file ({e})") from e
    root = soup.body or soup
    out: list[Line] = []

    def list_marker(li: Tag) -> str:
        parent = li.parent
        if not isinstance(parent, Tag) or parent.name != "ol":
            return "• "
        siblings = [c for c in parent.children if isinstance(c, Tag) and c.name == "li"]
        try:
            start = int(str(parent.get("start", "1")))
        except ValueError:
            start = 1
        n = start + siblings.index(li)
        kind = str(parent.get("type", "1"))
        if kind == "a":
            return f"({chr(ord('a') + n - 1)}) "
        if kind == "A":
            return f"{chr(ord('A') + n - 1)}. "
        return f"{n}. "

    def emit(el: Tag) -> None:
        buffer: list[str] = []
        first = True
        marker = el.name == "li"

        def flush() -> None:
            nonlocal first, marker
            text = _WS.sub(" ", "".join(buffer)).strip()
            buffer.clear()
            if text:
                heading = el.name in {"h1", "h2", "h3", "h4", "h5", "h6"}
                if marker:
                    text = list_marker(el) + text
                    marker = False
                out.append(Line(text, brk=first, heading=heading, hard=True))
                first = False

        def walk(node: Tag) -> None:
            nonlocal first
            for child in node.children:
                if isinstance(child, NavigableString):
                    if type(child).__name__ in ("Comment", "Doctype", "CData", "Declaration"):
                        continue
                    buffer.append(str(child))
                elif isinstance(child, Tag):
                    if child.name in _SKIP_TAGS:
                        continue
                    if child.name == "br":
                        flush()
                    elif child.name in _BLOCK_TAGS:
                        flush()
                        visit(child)
                        first = True
                    else:
                        walk(child)

        walk(el)
        flush()

    def visit(el: Tag) -> None:
        if el.name in _SKIP_TAGS:
            return
        emit(el)

    try:
        visit(root)
    except RecursionError as e:
        raise IngestError(name, "HTML is nested too deeply to read") from e
    return out


def _html_depth(data: bytes) -> int:
    """Deepest element nesting, found with lxml's pull parser (fast; stops at the limit)."""
    from lxml import etree

    parser = etree.HTMLPullParser(events=("start", "end"))
    depth = deepest = 0
    step = 1 << 16
    for i in range(0, len(data), step):
        parser.feed(data[i : i + step])
        for event, _ in parser.read_events():
            if event == "start":
                depth += 1
                deepest = max(deepest, depth)
                if deepest >= MAX_HTML_DEPTH:
                    return deepest
            else:
                depth -= 1
    return deepest


_READERS: dict[str, Callable[[bytes, str], list[Line]]] = {
    ".txt": read_txt,
    ".md": read_md,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
}
