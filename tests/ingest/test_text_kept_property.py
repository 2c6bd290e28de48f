"""Property: the text of a numbered paragraph is the file's text.

For arbitrary printable lines inside a numbered paragraph (any script, punctuation, symbols,
markup-like characters such as ``**``, ``_``, ``<b>``, ``[x](y)``), the stored paragraph text
holds every non-whitespace character of the source, in order, and nothing else: cleaning may
change the spacing where it rejoins the lines, never a character. Checked for txt (the reader
where ``**now**`` lost its closing ``**``), HTML and DOCX, which carry any Unicode text, and for
PDF over the characters its test font draws.

Lines the parser reads as structure (a paragraph number that continues the sequence, a
heading, a footnote, page furniture) are not paragraph text; such draws are set aside with
``assume`` (they are few) and what they do is covered by the structure and cleaning tests.
"""

from __future__ import annotations

import html
import io
import string
from itertools import pairwise

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ingest.pipeline import parse_bytes
from ingest.records import ParsedDocument

#: Printable characters: no controls, no invisible formatting characters (both removed on
#: purpose as a file is read, see tests/ingest/test_invisible.py), no surrogates or unassigned
#: code points, no line or paragraph separators (line breaks are drawn separately).
PRINTABLE = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
)
#: The same, weighted towards ASCII punctuation and symbols, where markup lives.
MARKUP = st.sampled_from([*"*_`~#[](){}<>|\\/!?.,;:'\"-+=^&%$@¹²³†‡§", "**", "__"])
CHUNK = st.one_of(
    st.text(PRINTABLE, min_size=1, max_size=12),
    st.text(st.sampled_from(string.ascii_letters), min_size=2, max_size=9),
    MARKUP,
)
LINE = st.lists(CHUNK, min_size=1, max_size=8).map(" ".join).filter(lambda s: s.strip())
LINES = st.lists(LINE, min_size=1, max_size=5)

TITLE = "Voluntary pledges and commitments of Ruritania"
LEAD = "Ruritania pledges"
LAST = "Ruritania will report to the treaty bodies on time."


def visible(text: str) -> str:
    return "".join(text.split())


def paragraph_one(parsed: ParsedDocument) -> str:
    """The text of paragraph 1, when the lines stayed inside it and nothing was removed."""
    numbers = [p.number for p in parsed.paragraphs]
    assume(numbers == ["1", "2"])
    assume(parsed.report is None or not parsed.report.removed)
    assert parsed.paragraphs[1].text == LAST
    return parsed.paragraphs[0].text


def hyphenated_break(lines: list[str]) -> bool:
    """Does a line end in a word and a hyphen with the next line going on in lower case?

    That is how a typesetter hyphenates ("recon-" / "struction"): joining the lines takes the
    hyphen out on purpose (``ingest.clean.join_pair``), so the draw is not plain text kept.
    """
    return any(
        len(a.rstrip()) >= 2
        and a.rstrip()[-1] in "-‐"
        and a.rstrip()[-2].isalpha()
        and b.lstrip()[:1].islower()
        for a, b in pairwise(lines)
    )


def parse_txt(lines: list[str]) -> ParsedDocument:
    text = f"{TITLE}\n\n1. {LEAD} " + "\n".join(lines) + f"\n\n2. {LAST}\n"
    return parse_bytes(text.encode("utf-8"), "pledge.txt")


@given(LINES)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(["details: **now** `code` www.evil.example"])  # the closing ** was dropped
@example(["the Council* and its mechanisms"])
@example(["the Council.2 Belgium", "resolution 60/251¹ and"])
def test_txt_paragraph_keeps_every_character(lines: list[str]) -> None:
    assume(not hyphenated_break(lines))  # found by this test: ["A-", "a"] is hyphenation
    got = paragraph_one(parse_txt(lines))
    assert visible(got) == visible(f"{LEAD} " + "".join(lines))


@given(LINES)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(["details: **now** `code`"])
def test_html_paragraph_keeps_every_character(lines: list[str]) -> None:
    body = html.escape(f"1. {LEAD} " + "\n".join(lines))
    page = (
        f'<html><head><meta charset="utf-8"></head><body><h1>{html.escape(TITLE)}</h1>'
        f"<p>{body}</p><p>2. {html.escape(LAST)}</p></body></html>"
    )
    got = paragraph_one(parse_bytes(page.encode("utf-8"), "pledge.html"))
    assert visible(got) == visible(f"{LEAD} " + "".join(lines))


@given(LINES)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(["details: **now** `code`"])
def test_docx_paragraph_keeps_every_character(lines: list[str]) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    par = document.add_paragraph(f"1. {LEAD} ")
    for i, line in enumerate(lines):
        run = par.add_run(line)
        if i < len(lines) - 1:
            run.add_break()  # a line break inside the paragraph (Shift+Enter)
    document.add_paragraph(f"2. {LAST}")
    buffer = io.BytesIO()
    document.save(buffer)
    got = paragraph_one(parse_bytes(buffer.getvalue(), "pledge.docx"))
    assert visible(got) == visible(f"{LEAD} " + "".join(lines))


#: What the PDF test font draws and a PDF's text layer gives back one for one: printable ASCII,
#: Latin-1 letters and signs, Cyrillic, typographic punctuation and superscript digits.
PDF_CHARS = st.sampled_from(
    sorted(
        set(string.ascii_letters + string.digits + string.punctuation)
        | set("éèàçñüöäßÉÀ«»¿¡§°±×÷µ¹²³")
        | set("абвгдежзийклмнопрстуфхцчшщыэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЫЭЮЯ")
        | set("–—‘’“”…•†‡")
    )
)
PDF_LINE = (
    st.lists(
        st.one_of(st.text(PDF_CHARS, min_size=1, max_size=10), MARKUP.filter(str.isprintable)),
        min_size=1,
        max_size=8,
    )
    .map(" ".join)
    .filter(lambda s: s.strip())
)


@given(st.lists(PDF_LINE, min_size=1, max_size=4))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(["details: **now** `code`"])
def test_pdf_paragraph_keeps_every_character(lines: list[str]) -> None:
    from fpdf import FPDF

    from tests.ingest.pledges import pdf_font

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(pdf_font()))
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    for text in (TITLE, f"1. {LEAD} " + " ".join(lines), f"2. {LAST}"):
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    got = paragraph_one(parse_bytes(bytes(pdf.output()), "pledge.pdf"))
    assert visible(got) == visible(f"{LEAD} " + "".join(lines))
