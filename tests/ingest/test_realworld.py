"""Real-world layouts: web pages, brochures, one-line UN texts, viewer dumps, DOCX and PDF.

What must hold on every one of them: no file is rejected, every word of the body lands in a
paragraph in reading order, only page furniture is removed (and reported), UN numbers are found
where the line breaks are gone, unnumbered text gets stable ``p`` numbers, bullets hang on their
lead-in, headings become sections, and the metadata the text states is read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.pipeline import count_words, parse_bytes, parse_file
from ingest.records import ParsedDocument
from tests.ingest.realworld import TEXTS, RealText

_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]|[^\W\d_]+")
# The UN markers the fixtures write before a paragraph, item or heading.
_MARKER = re.compile(
    r"^(?:\d{1,3}\.|[a-zа-я]\)|\([a-z]\)|[IVX]{1,4}\.|[A-ZА-Я]\.|[一二三四五六七八九十]、)\s*"
)
_OWN_NUMBER = re.compile(r"p\d+(?:\.\d+|\([a-z]\))?")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def kept_in_order(body: list[str], paragraphs: list[str]) -> tuple[float, list[str]]:
    """Share of the body's words found, in order, in the paragraphs; and the words missed."""
    have = [w for p in paragraphs for w in words(p)]
    want = [w for b in body for w in words(_MARKER.sub("", b))]
    missed: list[str] = []
    pos = 0
    for w in want:
        try:
            pos = have.index(w, pos) + 1
        except ValueError:
            missed.append(w)
    return (1 - len(missed) / len(want) if want else 1.0), missed


@pytest.fixture(scope="module")
def parsed_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ParsedDocument]:
    directory = tmp_path_factory.mktemp("realworld")
    return {t.name: parse_file(t.write(directory)) for t in TEXTS}


def test_the_fixtures_cover_the_layouts_languages_and_formats() -> None:
    assert len(TEXTS) >= 8
    assert {t.language for t in TEXTS} == {"en", "fr", "es", "ru", "ar", "zh"}
    assert {t.suffix for t in TEXTS} == {"txt", "html", "pdf", "docx"}
    assert {t.layout for t in TEXTS} >= {"web", "brochure", "oneline", "viewer", "docx", "pdf"}


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: t.name)
def test_every_body_word_lands_in_a_paragraph(
    text: RealText, parsed_texts: dict[str, ParsedDocument]
) -> None:
    parsed = parsed_texts[text.name]
    share, missed = kept_in_order(text.body, [p.text for p in parsed.paragraphs])
    assert share == 1.0, f"{text.name}: missed {missed}"
    # Furniture never reaches a paragraph, and what was removed is reported.
    joined = "\n".join(p.text for p in parsed.paragraphs)
    for line in (*text.top, *text.bottom):
        if text.layout in ("web", "viewer"):
            assert line not in joined
    report = parsed.report
    assert report is not None
    assert report.paragraph_words >= 0.97 * sum(count_words(_MARKER.sub("", b)) for b in text.body)
    assert report.words >= report.paragraph_words + report.heading_words


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: t.name)
def test_numbers_sections_and_lead_ins(
    text: RealText, parsed_texts: dict[str, ParsedDocument]
) -> None:
    parsed = parsed_texts[text.name]
    numbers = [p.number for p in parsed.paragraphs]
    assert len(numbers) == len(set(numbers))
    assert parsed.report is not None
    if text.numbers:
        assert parsed.report.numbering == "un"
        un = [n for n in numbers if not n.startswith("note.")]
        assert un == [n for n in text.numbers if not n.startswith("note.")]
    else:
        # No numbering in the document: numbers of its own, never taken for UN numbers.
        assert parsed.report.numbering == "ingest"
        assert all(_OWN_NUMBER.fullmatch(n) for n in numbers), numbers
    by_text = {_MARKER.sub("", p.text): p for p in parsed.paragraphs}
    # Bullets hang on the lead-in before them, numbered under it.
    lead = None
    for kind, body in text.blocks:
        if kind == "lead":
            lead = by_text[body]
        elif kind == "bullet":
            bullet = by_text[body]
            assert lead is not None and bullet.lead_in == lead.text
            assert bullet.number.startswith(lead.number + ".")
        elif kind in ("p", "closing"):
            lead = None
    for prefix, section in text.sections.items():
        para = next(p for p in parsed.paragraphs if _MARKER.sub("", prefix) in p.text[:40])
        assert para.section == section


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: t.name)
def test_metadata_the_text_states(text: RealText, parsed_texts: dict[str, ParsedDocument]) -> None:
    doc = parsed_texts[text.name].document
    assert doc.language == text.language
    assert (doc.country.code if doc.country else None) == text.country
    assert doc.term == text.term
    assert doc.date == text.date
    assert doc.title is not None and "Skip" not in doc.title


def test_reingesting_the_same_file_gives_the_same_numbers(tmp_path: Path) -> None:
    for text in TEXTS:
        path = text.write(tmp_path)
        first, again = parse_file(path), parse_file(path)
        assert first == again
        assert [p.id for p in first.paragraphs] == [p.id for p in again.paragraphs]


# -- the failures users met -----------------------------------------------------------------------


def parse_text(text: str, name: str = "pledge.txt") -> ParsedDocument:
    return parse_bytes(text.encode("utf-8"), name)


def test_inline_numbering_one_to_five_with_numbers_inside_sentences() -> None:
    text = (
        "Voluntary pledges of Botswana 1. Botswana presents its candidature, in accordance with"
        " resolution 60/251. 2. Botswana ratified Convention No. 190 on 8 May 2023. 3. Section"
        " 20(1) of the Constitution protects assembly; 12 of 16 districts have a desk. 4."
        " Botswana will report in 2026. 5. Botswana will invite the special procedures.\n"
    )
    parsed = parse_text(text)
    assert [p.number for p in parsed.paragraphs] == ["1", "2", "3", "4", "5"]
    by = {p.number: p.text for p in parsed.paragraphs}
    assert by["2"] == "Botswana ratified Convention No. 190 on 8 May 2023."
    assert by["3"].startswith("Section 20(1) of the Constitution")
    assert by["4"] == "Botswana will report in 2026."
    assert parsed.document.title == "Voluntary pledges of Botswana"


def test_a_number_that_breaks_the_sequence_stays_in_its_sentence() -> None:
    text = (
        "1. Ruritania served from 2014. 2016. was its last year, see paragraph 3. Then it"
        " chaired. 2. Ruritania reports. 4. Out of sequence stays put.\n"
    )
    parsed = parse_text(text)
    assert [p.number for p in parsed.paragraphs] == ["1", "2"]
    assert parsed.paragraphs[1].text == "Ruritania reports. 4. Out of sequence stays put."


@pytest.mark.parametrize(
    ("text", "numbers", "section"),
    [
        (
            "I. Introduction 1. Ruritania pledges. II. At the national level 2. Ruritania will:"
            " (a) ratify the Convention; (b) report on time. 3. Ruritania invites.",
            ["1", "2", "2(a)", "2(b)", "3"],
            "II. At the national level",
        ),
        (
            "I. Introduction 1. La Ruritanie s'engage. II. Au niveau national 2. Elle va : a)"
            " ratifier la Convention ; b) présenter ses rapports. 3. Elle invite.",
            ["1", "2", "2(a)", "2(b)", "3"],
            "II. Au niveau national",
        ),
        (
            "I. Introducción 1. Ruritania se compromete. II. En el plano nacional 2. Ruritania"
            " va a: a) ratificar la Convención; b) informar a tiempo. 3. Ruritania invita.",
            ["1", "2", "2(a)", "2(b)", "3"],
            "II. En el plano nacional",
        ),
        (
            "I. Введение 1. Руритания обязуется. II. На национальном уровне 2. Руритания будет:"
            " а) ратифицировать Конвенцию; б) представлять доклады. 3. Руритания приглашает.",
            ["1", "2", "2(a)", "2(b)", "3"],
            "II. На национальном уровне",
        ),
        (
            "أولا - مقدمة ١ - تتعهد روريتانيا. ثانيا - على الصعيد الوطني ٢ - ستقوم روريتانيا بما"
            " يلي: (أ) التصديق على الاتفاقية؛ (ب) تقديم التقارير. ٣ - تدعو روريتانيا.",
            ["1", "2", "2(a)", "2(b)", "3"],
            "ثانيا - على الصعيد الوطني",
        ),
        (
            "一、导言1. 鲁里塔尼亚作出承诺。二、国家一级2. 鲁里塔尼亚将：(a) 批准公约；"
            "(b) 按时提交报告。3. 鲁里塔尼亚发出邀请。",
            ["1", "2", "2(a)", "2(b)", "3"],
            "二、国家一级",
        ),
    ],
    ids=["en", "fr", "es", "ru", "ar", "zh"],
)
def test_un_numbering_without_line_breaks_in_six_languages(
    text: str, numbers: list[str], section: str
) -> None:
    parsed = parse_text(text + "\n")
    assert [p.number for p in parsed.paragraphs] == numbers
    by = {p.number: p for p in parsed.paragraphs}
    assert by["3"].section == section
    assert by["2(b)"].lead_in == by["2"].text


def test_a_long_unpunctuated_block_is_text_not_a_title() -> None:
    """A body whose last line does not end a sentence (truncated, a page number, a closing
    place and date) was taken for a title and dropped."""
    body = (
        "Candidatura de Ruritania al Consejo de Derechos Humanos 2026-2028\n"
        "Ruritania presenta su candidatura al Consejo de Derechos Humanos para el periodo\n"
        "2026-2028 con la convicción de que la paz y los derechos humanos son inseparables y\n"
        "seguirá cooperando con todos los mecanismos del Consejo y con la sociedad civil en\n"
        "la aplicación de las recomendaciones aceptadas en el examen periódico universal del"
    )
    parsed = parse_text(body)
    assert [p.number for p in parsed.paragraphs] == ["p1"]
    assert parsed.paragraphs[0].text.endswith("examen periódico universal del")
    assert parsed.document.title == (
        "Candidatura de Ruritania al Consejo de Derechos Humanos 2026-2028"
    )


def test_bullets_after_a_colon_line_are_sub_items() -> None:
    text = (
        "Ruritania will, as a member of the Council, take the following steps at home and\n"
        "abroad, with its partners:\n"
        "- ratify the Optional Protocol to the Convention against Torture;\n"
        "- report to the treaty bodies on time;\n"
        "- invite the special procedures.\n"
        "Ruritania thanks its partners for their support.\n"
    )
    parsed = parse_text(text)
    assert [p.number for p in parsed.paragraphs] == ["p1", "p1.1", "p1.2", "p1.3", "p2"]
    assert parsed.paragraphs[2].text == "report to the treaty bodies on time;"
    assert parsed.paragraphs[2].lead_in == parsed.paragraphs[0].text


def test_viewer_dump_keeps_its_body_and_warns_naming_the_file() -> None:
    text = (
        "Total Page:3\nFile Type: PDF\n"
        "Ruritania is a candidate for the Human Rights Council for 2026-2028. It pledges to\n"
        "cooperate with all mechanisms of the Council.\n"
    )
    parsed = parse_text(text, "dump.txt")
    assert [p.text for p in parsed.paragraphs] == [
        "Ruritania is a candidate for the Human Rights Council for 2026-2028. It pledges to"
        " cooperate with all mechanisms of the Council."
    ]
    report = parsed.report
    assert report is not None
    assert [r.text for r in report.removed] == ["Total Page:3", "File Type: PDF"]
    assert {r.reason for r in report.removed} == {"document viewer line"}
    (warning,) = report.warnings
    assert warning.startswith("dump.txt: 5 of 25 words (20%) were removed")


def test_long_text_without_breaks_is_grouped_by_sentences() -> None:
    sentences = [
        f"Ruritania pledge number {w} covers the rights of {w} people in every region of the"
        f" country, with a report each year."
        for w in ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                  "ninth", "tenth", "eleventh", "twelfth")
    ]  # fmt: skip
    parsed = parse_text(" ".join(sentences) + "\n")
    texts = [p.text for p in parsed.paragraphs]
    assert len(texts) > 1 and all(len(t) < 900 for t in texts)
    assert " ".join(texts) == " ".join(sentences)  # whole sentences, nothing lost
    assert [p.number for p in parsed.paragraphs] == [f"p{i}" for i in range(1, len(texts) + 1)]


def test_unnumbered_annex_keeps_note_numbers_and_numbers_its_own_text() -> None:
    """A note verbale whose annex carries no paragraph numbers: the covering note keeps
    ``note.N``, the annex's text gets ``p`` numbers, a lead-in ending with a colon is text (not a
    title) and its bullets hang on it, and a short line between paragraphs is a heading."""
    text = (
        "Note verbale dated 1 March 2024 from the Permanent Mission of Ruritania addressed to the"
        " President of the General Assembly\n\n"
        "The Permanent Mission of Ruritania has the honour to transmit its pledges.\n\n"
        "Annex to the note verbale dated 1 March 2024\n\n"
        "Candidature of Ruritania to the Human Rights Council, 2026-2028\n\n"
        "Ruritania will work with all states to strengthen the Council:\n\n"
        "• ratify the Optional Protocol;\n\n• report on time.\n\n"
        "At home\n\nRuritania thanks the General Assembly.\n"
    )
    parsed = parse_text(text)
    assert [p.number for p in parsed.paragraphs] == ["note.1", "p1", "p1.1", "p1.2", "p2"]
    by = {p.number: p for p in parsed.paragraphs}
    assert by["p1.2"].lead_in == "Ruritania will work with all states to strengthen the Council:"
    assert by["p2"].section == "At home"
    assert parsed.document.title == (
        "Candidature of Ruritania to the Human Rights Council, 2026-2028"
    )
    assert parsed.document.date is not None and parsed.document.date.isoformat() == "2024-03-01"


def test_front_matter_words_inside_a_wrapped_note_line_do_not_cut_it() -> None:
    text = (
        "The Permanent Mission of Ruritania encloses the Voluntary pledges and commitments of\n"
        "Ruritania. Letter dated 1 May was sent before.\n\n1. Ruritania pledges.\n"
    )
    parsed = parse_text(text)
    assert [p.number for p in parsed.paragraphs] == ["note.1", "1"]
    assert parsed.paragraphs[0].text.startswith("The Permanent Mission of Ruritania encloses")


def test_a_removed_line_without_words_is_reported_too() -> None:
    """A lone number inside a paragraph is taken for a page number and removed; the report
    lists it (with no words), so nothing leaves the text unreported."""
    parsed = parse_text("Title of the pledge\n\n1. Ruritania pledges\n12\nto report.\n", "n.txt")
    assert [p.text for p in parsed.paragraphs] == ["Ruritania pledges to report."]
    assert parsed.report is not None
    assert [(r.reason, r.text, r.words) for r in parsed.report.removed] == [
        ("stray page number or footnote mark", "12", 0)
    ]
