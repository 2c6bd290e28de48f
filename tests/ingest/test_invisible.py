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
