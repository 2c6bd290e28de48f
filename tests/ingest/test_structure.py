"""Numbering and heading conventions of the six UN languages, on small texts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.clean import clean_lines
from ingest.errors import IngestError
from ingest.lines import Line
from ingest.pipeline import document_text, parse_bytes
from ingest.records import ParsedDocument
from ingest.structure import (
    PARAGRAPH_KINDS,
    chinese_number,
    first_unit,
    markers,
    roman_number,
    split_blocks,
)


def parse_text(text: str, name: str = "pledge.txt") -> ParsedDocument:
    return parse_bytes(text.encode("utf-8"), name)


def numbers(parsed: ParsedDocument) -> list[str]:
    return [p.number for p in parsed.paragraphs]


def test_numerals() -> None:
    assert chinese_number("七十七") == 77
    assert chinese_number("十二") == 12
    assert chinese_number("一百零三") == 103
    assert roman_number("XIV") == 14
    assert roman_number("iv") == 4
    assert roman_number("IIII") is None
    kinds = {m.kind for m in markers("I. Introduction")}
    assert kinds == {"h1", "h2"}  # Roman one or the letter I: the sequence decides


def test_chinese_headings_and_items() -> None:
    text = (
        "一、总体承诺\n\n1. 第一段。\n\n2. 第二段，例如：\n\n(一) 甲项；\n\n(二) 乙项。\n\n"
        "二、国家一级\n\nA. 机构\n\n3. 第三段。\n"
    )
    parsed = parse_text(text)
    assert numbers(parsed) == ["1", "2", "2(a)", "2(b)", "3"]
    by = {p.number: p for p in parsed.paragraphs}
    assert by["1"].section == "一、总体承诺"
    assert by["2(b)"].text == "乙项。"
    assert by["2(b)"].lead_in == "第二段，例如："
    assert by["3"].section == "二、国家一级 > A. 机构"


def test_russian_cyrillic_letters() -> None:
    text = (
        "I. Введение\n\nА. Общие положения\n\n1. Первый пункт:\n\n(а) первое;\n\n(б) второе.\n\n"
        "Б. Другое\n\n2. Второй пункт.\n"
    )
    parsed = parse_text(text)
    assert numbers(parsed) == ["1", "1(a)", "1(b)", "2"]
    assert parsed.paragraphs[-1].section == "I. Введение > Б. Другое"


def test_arabic_digits_without_spaces() -> None:
    text = (
        "أولاً - مقدمة\n\n١- الفقرة الأولى.\n\n٢- الفقرة الثانية:\n\n"
        "(أ) البند الأول؛\n\n(ب) البند الثاني.\n"
    )
    parsed = parse_text(text)
    assert numbers(parsed) == ["1", "2", "2(a)", "2(b)"]
    assert parsed.paragraphs[0].text == "الفقرة الأولى."
    assert parsed.paragraphs[0].section == "أولاً - مقدمة"


def test_roman_sub_items() -> None:
    text = (
        "1. Ruritania will:\n\n(a) Ratify:\n\n(i) the first treaty;\n\n(ii) the second treaty;\n\n"
        "(b) Report.\n\n2. End.\n"
    )
    parsed = parse_text(text)
    assert numbers(parsed) == ["1", "1(a)", "1(a)(i)", "1(a)(ii)", "1(b)", "2"]
    by = {p.number: p for p in parsed.paragraphs}
    assert by["1(a)(ii)"].lead_in == "Ratify:"


def test_wrapped_lines_starting_with_numbers_or_letters_continue() -> None:
    """Text extracted from a PDF without blank lines: a wrapped line that starts like a marker but
    breaks the sequence ("2016.", "A.", "(c)") continues the paragraph."""
    text = "\n".join(
        [
            "1. Ruritania served on the Council from 2014 to",
            "2016. It then chaired the working group led by",
            "A. Smith and supported item",
            "(c) of the agenda.",
            "2. Ruritania pledges to continue.",
        ]
    )
    parsed = parse_text(text)
    assert numbers(parsed) == ["1", "2"]
    assert parsed.paragraphs[0].text == (
        "Ruritania served on the Council from 2014 to 2016. It then chaired the working group"
        " led by A. Smith and supported item (c) of the agenda."
    )


def test_plain_pledge_without_note_or_annex() -> None:
    text = (
        "Candidature of the Republic of Ruritania to the Human Rights Council, 2026-2028\n\n"
        "1. Ruritania presents its candidature.\n\n2. Ruritania will cooperate.\n\n"
        "4. Ruritania will report.\n"
    )
    parsed = parse_text(text)
    # A gap in the numbering is kept as written when the source marks the paragraph break.
    assert numbers(parsed) == ["1", "2", "4"]
    assert parsed.document.title is None or "Candidature" in parsed.document.title
    assert parsed.document.term == "2026-2028"


def test_markdown_headings_and_dash_bullets() -> None:
    text = (
        "# I. Introduction\n\n1. Ruritania pledges to:\n\n- cooperate with the"
        " [special procedures](https://example.org);\n- report on time.\n\n"
        "## A. Details\n\n2. More.\n"
    )
    parsed = parse_text(text, "pledge.md")
    assert numbers(parsed) == ["1", "1.1", "1.2", "2"]
    by = {p.number: p for p in parsed.paragraphs}
    assert by["1.1"].text == "cooperate with the special procedures;"
    assert by["2"].section == "I. Introduction > A. Details"


def test_html_ordered_list_and_br() -> None:
    html = (
        "<html><body><h2>I. Pledges</h2><p>1. Ruritania will:</p>"
        '<ol type="a"><li>ratify the Optional Protocol;</li><li>report<br>on time.</li></ol>'
        "<p>2. End.</p></body></html>"
    )
    parsed = parse_bytes(html.encode(), "page.html")
    assert numbers(parsed) == ["1", "1(a)", "1(b)", "2"]
    assert {p.number: p for p in parsed.paragraphs}["1(b)"].text == "report on time."


# -- property: splitting loses no text -----------------------------------------------------------

MARKERS = st.sampled_from(
    ["", "", "", "1. ", "2. ", "3. ", "I. ", "II. ", "A. ", "B. ", "(a) ", "(b) ", "b) ", "• ",
     "一. ", "А. ", "١ - ", "(i) ", "Annex ", "Note verbale dated 1 May 2020 "]
)  # fmt: skip
WORDS = st.lists(
    st.one_of(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzАБВабв", min_size=1, max_size=9),
        st.text(alphabet="比利时人权理事会承诺", min_size=1, max_size=6),
        st.sampled_from(["2016.", "60/251", "(c)", "A.", "2023-2025", "。", ";", ":"]),
    ),
    min_size=1,
    max_size=14,
).map(" ".join)
DOC_LINES = st.lists(
    st.tuples(MARKERS, WORDS, st.booleans(), st.booleans()), min_size=1, max_size=25
)


@settings(max_examples=200, deadline=None)
@given(DOC_LINES)
def test_splitting_loses_no_text(rows: list[tuple[str, str, bool, bool]]) -> None:
    """Every character of every kept line lands in exactly one block, in reading order, and each
    paragraph's offsets point at its text in the cleaned document."""
    lines = [Line(marker + words, brk=brk, hard=hard) for marker, words, brk, hard in rows]
    cleaned = clean_lines(lines)
    blocks = split_blocks(cleaned)
    assert "".join("".join(b.text.split()) for b in blocks) == "".join(
        "".join(c.text.split()) for c in cleaned
    )
    text = document_text(blocks)
    for block in blocks:
        assert block.text in text
    numbers = [b.number for b in blocks if b.kind in PARAGRAPH_KINDS]
    assert len(numbers) == len(set(numbers))  # paragraph ids are unique


@settings(max_examples=60, deadline=None)
@given(DOC_LINES)
def test_parse_bytes_offsets_and_determinism(rows: list[tuple[str, str, bool, bool]]) -> None:
    body = "\n\n".join(marker + words for marker, words, _, _ in rows)
    data = body.encode("utf-8")
    try:
        first = parse_bytes(data, "doc.txt")
    except IngestError:
        return  # e.g. nothing but a masthead: "no paragraphs found" is the right answer
    assert parse_bytes(data, "doc.txt") == first
    for p in first.paragraphs:
        assert p.start is not None and p.end is not None and p.end - p.start == len(p.text)


def test_marker_alone_on_its_line() -> None:
    text = "1.\nRuritania pledges to:\n(a)\nratify;\n(b)\nreport.\n2.\nEnd."
    parsed = parse_text(text)
    assert numbers(parsed) == ["1", "1(a)", "1(b)", "2"]
    assert parsed.paragraphs[0].text == "Ruritania pledges to:"


def test_annex_heading_after_the_body_is_not_the_covering_note() -> None:
    text = (
        "1. Ruritania pledges to ratify the treaties listed below.\n\n"
        "2. Ruritania will report.\n\nAnnex I\n\n3. The Convention against Torture.\n"
    )
    parsed = parse_text(text)
    assert numbers(parsed) == ["1", "2", "3"]
    assert parsed.paragraphs[1].text == "Ruritania will report."
    assert parsed.paragraphs[2].section == "Annex I"


def test_a_word_like_letter_in_the_body_is_not_a_note_title() -> None:
    text = "1. Руритания направила письмо Председателю.\n\n2. Письмо было опубликовано.\n"
    assert numbers(parse_text(text)) == ["1", "2"]


def test_arabic_markers_with_short_vowels() -> None:
    text = (
        "أولاً - مقدّمة\n\n١ - تتشرّف روريتانيا بتقديم ترشيحها.\n\n"
        "ثانياً - التعهّدات\n\n٢ - تتعهّد بما يلي.\n"
    )
    parsed = parse_text(text)
    assert numbers(parsed) == ["1", "2"]
    assert parsed.paragraphs[0].text == "تتشرّف روريتانيا بتقديم ترشيحها."
    assert parsed.paragraphs[0].section == "أولاً - مقدّمة"
    assert parsed.paragraphs[1].section == "ثانياً - التعهّدات"


def test_unnumbered_introduction_in_the_annex_is_searchable() -> None:
    text = (
        "Note verbale dated 1 March 2024 from the Permanent Mission of Ruritania\n\n"
        "The Permanent Mission of Ruritania has the honour to transmit its pledges.\n\n"
        "Annex to the note verbale dated 1 March 2024\n\n"
        "Candidature of Ruritania to the Human Rights Council, 2026-2028\n\n"
        "Ruritania has always worked for human rights, at home and abroad.\n\n"
        "1. Ruritania pledges to report.\n"
    )
    parsed = parse_text(text)
    assert numbers(parsed) == ["note.1", "note.2", "1"]
    assert parsed.paragraphs[1].text.startswith("Ruritania has always worked")
    assert (
        parsed.document.title == "Candidature of Ruritania to the Human Rights Council, 2026-2028"
    )


def test_footnotes_are_not_paragraph_text() -> None:
    text = "\n".join(
        [
            "1. Ruritania supports the Council¹ and its mechanisms, in particular the",
            "¹ Established by General Assembly resolution 60/251.",
            "2 See A/RES/60/251.",
            "universal periodic review.",
            "2. Ruritania reports.",
        ]
    )
    parsed = parse_text(text)
    assert numbers(parsed) == ["1", "2"]
    assert parsed.paragraphs[0].text == (
        "Ruritania supports the Council and its mechanisms, in particular the universal"
        " periodic review."
    )


def test_a_star_opens_a_footnote_only_when_a_word_carries_the_star() -> None:
    """ "* item" lines of a plain-text list are bullets (they were removed as footnotes); a
    document whose agenda line carries a star has its "* ..." line as that footnote."""
    listed = "Pledges of Ruritania\n\n1. Ruritania will:\n\n* ratify the Convention;\n\n* report.\n"
    parsed = parse_text(listed)
    assert [(p.number, p.text) for p in parsed.paragraphs] == [
        ("1", "Ruritania will:"),
        ("1.1", "ratify the Convention;"),
        ("1.2", "report."),
    ]
    assert parsed.report is not None and parsed.report.removed == []
    wrapped = parse_text("Pledges of Ruritania\n\n1. Ruritania will:\n* ratify;\n* report.\n")
    assert [p.text for p in wrapped.paragraphs] == ["Ruritania will: * ratify; * report."]
    starred = parse_text(
        "Item 118 (c) of the provisional agenda*\n\n1. Ruritania will report.\n\n"
        "* Reissued for technical reasons.\n"
    )
    assert [p.text for p in starred.paragraphs] == ["Ruritania will report."]
    assert starred.report is not None
    assert [(r.reason, r.text) for r in starred.report.removed] == [
        ("footnote", "* Reissued for technical reasons.")
    ]


def test_number_alone_before_its_bullets() -> None:
    text = "1. Ruritania pledges.\n2.\n• to ratify;\n• to report.\n3. End."
    parsed = parse_text(text)
    assert numbers(parsed) == ["1", "2.1", "2.2", "3"]
    assert parsed.paragraphs[1].lead_in is None


BROCHURE_HTML = (
    "<html><body><h1>Norway for the Human Rights Council 2025-2027</h1>"
    "<h2>Our commitments</h2>"
    "<p>Norway will promote freedom of expression and the safety of journalists.</p>"
    "<p>Norway will work to abolish the death penalty worldwide.</p>"
    "<h2>At home</h2><p>Norway will report on time to the treaty bodies.</p></body></html>"
)


def _brochure_docx() -> bytes:
    import io

    import docx

    document = docx.Document()
    document.add_heading("Norway for the Human Rights Council 2025-2027", level=0)
    document.add_heading("Our commitments", level=1)
    document.add_paragraph(
        "Norway will promote freedom of expression and the safety of journalists."
    )
    document.add_paragraph("Norway will work to abolish the death penalty worldwide.")
    document.add_heading("At home", level=1)
    document.add_paragraph("Norway will report on time to the treaty bodies.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_heading_right_below_the_title_heads_the_paragraphs_after_it() -> None:
    # Before, "Our commitments" was read as a second title line: its paragraphs had no section
    # while those under "At home", further down, had theirs.
    for name, data in (
        ("brochure.html", BROCHURE_HTML.encode()),
        ("brochure.docx", _brochure_docx()),
    ):
        parsed = parse_bytes(data, name)
        assert [(p.number, p.section) for p in parsed.paragraphs] == [
            ("p1", "Our commitments"),
            ("p2", "Our commitments"),
            ("p3", "At home"),
        ], name
        document = parsed.document
        assert document.title == "Norway for the Human Rights Council 2025-2027", name
        assert (document.country and document.country.code, document.term) == (
            "NOR",
            "2025-2027",
        ), name


def test_first_unit_breaks_where_every_typesetter_may() -> None:
    assert first_unit("Rapporteur on torture") == "Rapporteur"
    assert first_unit("2023-2025 term") == "2023-2025"  # never at a hyphen
    assert first_unit("比利时承诺") == "比"  # between two Chinese characters
    assert first_unit("事2023-2025事事") == "事2023-2025事"  # never between Han and digits
    assert first_unit("年。比利时") == "年。"  # never before a full stop (kinsoku)
    assert first_unit("（一）项") == "（一）"  # never after an opening bracket
    assert first_unit("اللاإنسانية أو") == "اللاإنسانية"
    assert first_unit("word") == "word"


URL = "https://www.ohchr.org/en/special-procedures/sr-torture"
FORCED_WRAPS = {
    "en": [
        "Belgium will support the mandate of the",
        f"{URL} and the",
        "work of the Special Rapporteur on torture and other cruel, inhuman",
        "or degrading treatment or punishment in every session of the Council.",
    ],
    "ru": [
        "Бельгия будет поддерживать мандат",
        f"{URL} и работу",
        "Специального докладчика по вопросу о пытках и других жестоких видах",
        "обращения и наказания на каждой сессии Совета по правам человека.",
    ],
    "ar": [
        "ستواصل بلجيكا دعم ولاية المقرر الخاص",
        f"{URL} وعمله في",
        "مجال مناهضة التعذيب وغيره من ضروب المعاملة أو العقوبة القاسية أو",
        "اللاإنسانية أو المهينة في كل دورة من دورات مجلس حقوق الإنسان.",
    ],
    "zh": [
        "比利时将继续支持特别报告员的任务",
        f"{URL}及其",
        "关于酷刑和其他残忍、不人道或有辱人格的待遇或处罚问题的工作。",
        "比利时将在人权理事会每届会议上支持这项工作。",
    ],
}


@pytest.mark.parametrize("language", sorted(FORCED_WRAPS))
def test_a_short_first_line_before_a_unit_that_did_not_fit_is_text(language: str) -> None:
    # The first line is short and has no stop because the typesetter could not put the link on
    # it. Before, it was taken for a paragraph end and then for the title: its words were in no
    # paragraph.
    lines = FORCED_WRAPS[language]
    parsed = parse_text("\n".join(lines), "brochure.txt")
    joined = lines[0] + " " + lines[1]
    assert [(p.number, p.text[: len(joined)]) for p in parsed.paragraphs] == [("p1", joined)]
    assert parsed.paragraphs[0].text.endswith(lines[-1])
    assert parsed.document.title is None


def test_a_short_title_over_text_that_could_have_gone_on_stays_the_title() -> None:
    lines = FORCED_WRAPS["en"]
    text = "Candidature of Belgium\n" + "\n".join(lines[2:])
    parsed = parse_text(text, "brochure.txt")
    assert parsed.document.title == "Candidature of Belgium"
    assert [(p.number, p.text) for p in parsed.paragraphs] == [("p1", " ".join(lines[2:]))]


def test_a_clause_and_the_line_after_it_are_not_a_title() -> None:
    # Every line is narrower than the text's width, so a full line ending with "；" runs on into
    # the short line after it; the block holds a clause's end and is text, not the title.
    text = "比利时承诺促进人权；\n国家报告\n比利时将与理事会合作。\n比利时将提交报告。"
    parsed = parse_text(text, "brochure.txt")
    assert parsed.document.title is None
    assert [(p.number, p.text) for p in parsed.paragraphs] == [
        ("p1", "比利时承诺促进人权；国家报告"),
        ("p2", "比利时将与理事会合作。比利时将提交报告。"),
    ]
