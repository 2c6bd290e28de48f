"""Invisible formatting characters never reach the stored text.

Directional overrides make a quote *look* different from the text that is searched, cited and
checked; zero-width characters split a word that reads whole ("tor\u200bture"), so no keyword
search finds it. Readers remove both; the marks and joiners that scripts need stay.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.errors import IngestError
from ingest.pipeline import parse_bytes

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u2060\ufeff"


def _texts(data: bytes, name: str) -> dict[str, str]:
    return {p.number: p.text for p in parse_bytes(data, name).paragraphs}


def test_zero_width_and_soft_hyphens_inside_words_are_removed() -> None:
    text = (
        "Pledge of Utopia\n\n"
        "1. Utopia will end tor\u200bture in all places of deten\u00adtion.\n\n"
        "2. Utopia will ratify the con\u2060vention on the rights of the \ufeffchild.\n"
    )
    assert _texts(text.encode(), "utopia.txt") == {
        "1": "Utopia will end torture in all places of detention.",
        "2": "Utopia will ratify the convention on the rights of the child.",
    }


def test_directional_overrides_are_removed_so_the_text_reads_as_it_shows() -> None:
    # Shown, "\u202eLLIK\u202c" reads "KILL"; stored, it would be searched and quoted as "LLIK".
    text = (
        "<html><body><h1>Pledge of Utopia</h1>"
        "<p>1. Utopia will &#8238;LLIK&#8236; protect children.</p>"
        "<p>2. Utopia will \u2067end\u2069 child labour.</p></body></html>"
    )
    assert _texts(text.encode(), "utopia.html") == {
        "1": "Utopia will LLIK protect children.",
        "2": "Utopia will end child labour.",
    }


def test_marks_and_joiners_that_scripts_need_stay() -> None:
    # RLM and ALM order neutral characters in Arabic text; ZWNJ and ZWJ shape letters.
    text = (
        "١. ستواصل\u200f بلجيكا العمل\u061c من أجل إلغاء عقوبة الإعدام.\n\n"
        "٢. می\u200cخواهم\u200d.\n"
    )
    texts = _texts(text.encode(), "ar.txt")
    joined = "".join(texts.values())
    for ch in "\u200f\u061c\u200c\u200d":
        assert ch in joined, unicodedata.name(ch)


def test_a_soft_hyphen_at_the_end_of_a_line_still_joins_the_word() -> None:
    text = (
        "1. Belgium will continue to support the universal abolition of the death penalty and to\n"
        "promote the full respon\u00ad\n"
        "sibility of States for their international obligations in this regard.\n"
    )
    assert "full responsibility of States" in _texts(text.encode(), "be.txt")["1"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(list("abc xyz.\n") + list(BIDI_CONTROLS + ZERO_WIDTH)),
            min_size=1,
            max_size=40,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_no_paragraph_holds_an_override_or_a_zero_width_space(items: list[str]) -> None:
    text = "\n\n".join(f"{i}. Utopia pledges {body}" for i, body in enumerate(items, 1))
    try:
        parsed = parse_bytes(text.encode(), "fuzz.txt")
    except IngestError:
        return
    for p in parsed.paragraphs:
        assert not set(BIDI_CONTROLS + ZERO_WIDTH) & set(p.text + (p.section or "")), repr(p.text)
    assert not set(BIDI_CONTROLS + ZERO_WIDTH) & set(parsed.document.title or "")


def _runs(codes: list[int]) -> list[list[int]]:
    """Consecutive integers grouped: [1, 2, 4] -> [[1, 2], [4]]."""
    runs: list[list[int]] = []
    for c in codes:
        if runs and runs[-1][-1] == c - 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def _pdf_mapping_glyphs_to(mapping: dict[str, str], lines: list[str]) -> bytes:
    """A one-page PDF whose text layer maps each glyph in ``mapping`` to UTF-16 code units.

    A damaged or hand-made ToUnicode CMap can map a glyph to half of a surrogate pair, so the
    PDF's text extracts as a lone surrogate: a string that cannot be written as UTF-8.
    """
    chars = "".join(f"<{ord(k):02X}> <{v}>\n" for k, v in mapping.items())
    # Every other printable ASCII character stands for itself.
    same = [c for c in range(0x20, 0x7F) if chr(c) not in mapping]
    ranges = [f"<{run[0]:02X}> <{run[-1]:02X}> <{run[0]:04X}>\n" for run in _runs(same)]
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(mapping)} beginbfchar\n{chars}endbfchar\n"
        f"{len(ranges)} beginbfrange\n{''.join(ranges)}endbfrange\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()
    shown = " ".join(f"({line}) Tj 0 -30 Td" for line in lines)
    content = f"BT /F1 14 Tf 50 750 Td {shown} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def test_a_pdf_text_layer_with_lone_surrogates_is_stored_as_utf8() -> None:
    # "#" draws the high half of U+1F600 and "~" its low half: next to each other they are
    # one emoji; "^" maps to a high surrogate alone, which no encoding can write.
    pdf = _pdf_mapping_glyphs_to(
        {"#": "D83D", "~": "DE00", "^": "D800"},
        [
            "Pledge of Utopia",
            "1. Utopia will protect the rights ^ of every child #~ in all its regions.",
            "2. Utopia supports the Human Rights Council and its special procedures.",
        ],
    )
    parsed = parse_bytes(pdf, "utopia.pdf")
    texts = {p.number: p.text for p in parsed.paragraphs}
    assert (
        texts["1"]
        == "Utopia will protect the rights \ufffd of every child \U0001f600 in all its regions."
    )
    # Every record can be written as UTF-8 (Chroma, the embedder and JSON output need it).
    parsed.document.model_dump_json().encode("utf-8")
    for p in parsed.paragraphs:
        p.model_dump_json().encode("utf-8")
