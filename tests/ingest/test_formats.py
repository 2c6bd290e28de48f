"""The fictional pledge in five languages and four formats parses to the same numbering."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import parse_bytes, parse_file
from ingest.records import ParsedDocument
from tests.ingest.pledges import (
    DATE,
    FORMATS,
    NUMBERS,
    PLEDGES,
    SESSION,
    SYMBOL,
    TERM,
    write_pdf_reportlab,
    write_txt,
)

CASES = [(lang, fmt) for lang in PLEDGES for fmt in FORMATS]


@pytest.fixture(scope="session")
def parsed_all(pledge_files: dict[tuple[str, str], Path]) -> dict[tuple[str, str], ParsedDocument]:
    return {key: parse_file(path) for key, path in pledge_files.items()}


@pytest.mark.parametrize(("lang", "fmt"), CASES)
def test_paragraphs_numbers_texts_sections(
    parsed_all: dict[tuple[str, str], ParsedDocument], lang: str, fmt: str
) -> None:
    pledge = PLEDGES[lang]
    parsed = parsed_all[(lang, fmt)]
    assert [p.number for p in parsed.paragraphs] == NUMBERS
    for p in parsed.paragraphs:
        assert p.text == pledge.expected_text(p.number), p.number
        assert p.section == pledge.expected_section(p.number), p.number
    by = {p.number: p for p in parsed.paragraphs}
    assert by["3(b)"].lead_in == pledge.expected_text("3")
    assert by["4.2"].lead_in == pledge.expected_text("4")
    assert by["5"].lead_in is None


@pytest.mark.parametrize(("lang", "fmt"), CASES)
def test_metadata(parsed_all: dict[tuple[str, str], ParsedDocument], lang: str, fmt: str) -> None:
    doc = parsed_all[(lang, fmt)].document
    assert doc.language == lang
    assert doc.date == DATE  # the note's date, not the "Distr.: General 20 March 2024" stamp
    assert doc.term == TERM
    assert doc.session == SESSION
    assert doc.country is None  # Ruritania is not an ISO 3166 state: null, never a guess
    assert doc.title == PLEDGES[lang].titles[0]
    if fmt in ("pdf", "docx"):
        # The masthead and running headers (a DOCX page header) carry the document's own
        # symbol; A/78/50 and A/RES/60/251 in the footnotes are references.
        assert doc.symbol == SYMBOL
        assert doc.doc_id == f"a-78-812.{lang}"
    else:
        assert doc.symbol is None
        assert doc.doc_id.startswith("ruritania-") and doc.doc_id.endswith(f".{lang}")


@pytest.mark.parametrize("lang", list(PLEDGES))
def test_pdf_pages_and_no_running_headers(
    parsed_all: dict[tuple[str, str], ParsedDocument], lang: str
) -> None:
    parsed = parsed_all[(lang, "pdf")]
    pages = [p.page for p in parsed.paragraphs]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == 2  # type: ignore[type-var]
    for p in parsed.paragraphs:
        for junk in ("undocs.org", "24-04567", "2404567", "Please recycle", SYMBOL, "¹", "*"):
            assert junk not in p.text, (p.number, junk)


def test_same_number_across_languages(
    parsed_all: dict[tuple[str, str], ParsedDocument],
) -> None:
    """Lettered items are numbered by position: "(b)", "b)", "б)", "(ب)" are all 3(b)."""
    ids = {lang: [p.number for p in parsed_all[(lang, "docx")].paragraphs] for lang in PLEDGES}
    assert all(numbers == ids["en"] for numbers in ids.values())


def test_arabic_indic_digits(tmp_path: Path) -> None:
    path = write_txt(PLEDGES["ar"], tmp_path / "indic.ar.txt", indic=True)
    assert "١ - " in path.read_text(encoding="utf-8")
    parsed = parse_file(path)
    assert [p.number for p in parsed.paragraphs] == NUMBERS
    assert parsed.paragraphs[2].text == PLEDGES["ar"].expected_text("1")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_second_pdf_producer(tmp_path: Path, lang: str) -> None:
    pledge = PLEDGES[lang]
    parsed = parse_file(write_pdf_reportlab(pledge, tmp_path / f"rl.{lang}.pdf"))
    assert [p.number for p in parsed.paragraphs] == NUMBERS
    assert [p.text for p in parsed.paragraphs] == [pledge.expected_text(n) for n in NUMBERS]
    assert parsed.document.symbol == SYMBOL


@pytest.mark.parametrize(
    "body",
    [
        "1. Utopia will éend child€ labour by 2030.",  # read as CP932 before
        "1. Utopia will çend child£ labour by 2030.",  # read as Windows-1250 before
    ],
)
def test_html_without_a_charset_is_read_as_utf8(body: str) -> None:
    page = f"<html><body><h1>Pledge</h1><p>{body}</p></body></html>"
    parsed = parse_bytes(page.encode("utf-8"), "brochure.html")
    assert [p.text for p in parsed.paragraphs] == [body[3:]]


def test_html_charset_declared_by_the_page_still_wins() -> None:
    page = (
        '<html><head><meta charset="windows-1252"></head><body><h1>Engagements</h1>'
        "<p>1. La Belgique protégera les journalistes.</p></body></html>"
    )
    parsed = parse_bytes(page.encode("windows-1252"), "page.html")
    assert parsed.paragraphs[0].text == "La Belgique protégera les journalistes."
