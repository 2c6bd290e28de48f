"""Cleaning keeps words verbatim: junk lines go, footnote marks go, wrapped lines rejoin."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.clean import (
    clean_lines,
    footnote_mark,
    join_lines,
    join_pair,
    junk_reason,
    strip_footnote_marks,
    vocabulary,
)
from ingest.lines import Line


def test_junk_lines() -> None:
    junk = [
        "https://undocs.org/ch/A/RES/60/251",
        "https://undocs.org/en/A/77/50 https://undocs.org/en/A/RES/60/251",
        "A/77/89    2/5",
        "3/5    A/77/89",
        "22-09876 (C)    270622    280622",
        "22-09876 (C)",
        "*2209876*",
        "Please recycle",
        "Please recycle ♲",
        "12",
        "*",
    ]
    for line in junk:
        assert junk_reason(line) is not None, line
    # The document's own symbol alone is a running header; another document's is text.
    assert junk_reason("A/77/89", own_symbol="A/77/89") is not None
    assert junk_reason("A/77/50", own_symbol="A/77/89") is None
    assert junk_reason("A/77/50") is None
    kept = [
        "8. Belgium will continue to oppose the death penalty.",
        "* A/77/50.",  # a footnote's text is kept (and not made a paragraph)
        "2023-2025",
        "See https://undocs.org/A/77/50 for the agenda.",
        "一. 四个专题领域",
        "A. Strengthening accountability",
    ]
    for line in kept:
        assert junk_reason(line) is None, line


def test_footnote_marks() -> None:
    every = {"*", "1", "2"}
    assert strip_footnote_marks("暂定项目表* 项目 117(c)", every) == "暂定项目表 项目 117(c)"
    assert strip_footnote_marks("resolution 60/251¹ and", every) == "resolution 60/251 and"
    assert strip_footnote_marks("the Council.2 Belgium", every) == "the Council. Belgium"
    assert strip_footnote_marks("* A/77/50。", every) == "* A/77/50。"
    # Not marks: numbers that belong to the text.
    for text in ("Article 3.2 of the Covenant", "LGBTQI+ persons", "in 2030. The", "(c) x"):
        assert strip_footnote_marks(text, every) == text
    # A mark that opens no footnote of the document is text: "**now**" keeps its stars.
    for text in ("details: **now** `code`", "the Council* and", "Council¹ and", "Council.2 B"):
        assert strip_footnote_marks(text, set()) == text
    assert strip_footnote_marks("the Council¹ and **now**", {"1"}) == "the Council and **now**"


def test_footnote_marks_are_the_footnotes_own() -> None:
    assert footnote_mark(" * A/77/50。") == "*"
    assert footnote_mark("¹ Established by General Assembly resolution 60/251.") == "1"
    assert footnote_mark("2 See A/RES/60/251.") == "2"
    for text in ("8. Belgium will continue", "2023-2025", "**now**", "12 May 2023"):
        assert footnote_mark(text) is None, text
    cleaned = clean_lines(
        [Line("1. The Council¹ and **now** items*"), Line("¹ See A/RES/60/251.", brk=True)]
    )
    assert [c.text for c in cleaned] == ["1. The Council and **now** items*", "¹ See A/RES/60/251."]


def test_clean_lines_keeps_breaks_of_dropped_lines() -> None:
    lines = [Line("1. First."), Line("https://undocs.org/A/1", brk=True), Line("2. Second.")]
    cleaned = clean_lines(lines)
    assert [c.text for c in cleaned] == ["1. First.", "2. Second."]
    assert cleaned[1].brk


def test_join_rules() -> None:
    assert join_pair("以便从人权", "角度就这一问题") == "以便从人权角度就这一问题"
    assert join_pair("在 2018", "年担任") == "在 2018 年担任"
    assert join_pair("(第", "130 号)") == "(第 130 号)"
    assert join_pair("议定书》", "(第 207 号议定书)") == "议定书》(第 207 号议定书)"
    assert join_pair("the Human Rights", "Council") == "the Human Rights Council"
    assert join_pair("Правам", "человека") == "Правам человека"
    assert join_pair("مجلس", "حقوق") == "مجلس حقوق"
    assert join_pair("COVID-", "19 recovery") == "COVID-19 recovery"
    assert join_pair("2023-", "2025") == "2023-2025"
    assert join_pair("imple\u00ad", "mentation") == "implementation"


def test_dehyphenation_only_of_real_hyphenation() -> None:
    vocab = vocabulary(["self-determination is a right", "implementation of the plan"])
    assert join_pair("the imple-", "mentation", vocab) == "the implementation"
    assert join_pair("peoples' self-", "determination", vocab) == "peoples' self-determination"
    # Unknown words: lower-case continuation is hyphenation unless the head is a compound prefix.
    assert join_pair("a strength-", "ening", frozenset()) == "a strengthening"
    assert join_pair("a non-", "discriminatory", frozenset()) == "a non-discriminatory"
    assert join_pair("the Jean-", "Pierre", frozenset()) == "the Jean-Pierre"
    assert join_pair("c'est-à-", "dire", frozenset()) == "c'est-à-dire"
    assert join_pair("la sous-", "région", frozenset()) == "la sous-région"


# -- properties ----------------------------------------------------------------------------------

LATIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéàçñ", min_size=1, max_size=10)
CJK = st.text(alphabet="比利时将与其合作伙伴一道继续死刑问题人权理事会", min_size=1, max_size=8)
PUNCT = st.sampled_from(["", ",", ".", ";", ":", "。", "，", "；"])
WORD = st.one_of(
    st.tuples(LATIN, PUNCT).map("".join),
    st.tuples(CJK, PUNCT).map("".join),
    st.integers(0, 3000).map(str),
)
TEXT_WORD = st.one_of(st.tuples(LATIN, PUNCT).map("".join), st.tuples(CJK, PUNCT).map("".join))
# A line of text starts with a word (a line that is only a number is a page number, dropped).
LINE = st.tuples(TEXT_WORD, st.lists(WORD, max_size=11)).map(lambda t: " ".join([t[0], *t[1]]))


@settings(max_examples=150, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=8))
def test_cleaning_and_joining_never_change_a_word(lines: list[str]) -> None:
    """Words come back as they were; only the line breaks between them change."""
    cleaned = clean_lines(Line(text) for text in lines)
    kept = [c.text for c in cleaned]
    assert kept == lines  # no text line is dropped or altered
    joined = join_lines(kept)
    words_in = [w for t in lines for w in t.split()]
    assert "".join(joined.split()) == "".join(words_in)
    # Latin words keep their boundaries: every Latin token of the output is an input token.
    inputs = set(words_in)
    for token in joined.split():
        if token.isascii():
            assert token in inputs or any(token.startswith(w) for w in inputs)


def test_no_break_spaces_are_kept() -> None:
    cleaned = clean_lines([Line("3.\tLa Ruritanie s’engage à\u00a0:  coopérer\u202f;")])
    assert cleaned[0].text == "3. La Ruritanie s’engage à\u00a0: coopérer\u202f;"
