"""The bundled sample pledge (Belgium, HRC 2023-2025, Chinese) parses to the UN's numbering."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from ingest.pipeline import parse_bytes, parse_file
from ingest.records import Country, ParsedDocument

SAMPLE = Path(__file__).resolve().parents[2] / "ui" / "data" / "sample"
SAMPLE_FILE = SAMPLE / "000_954a802aa9703412.txt"


@pytest.fixture(scope="module")
def parsed() -> ParsedDocument:
    return parse_file(SAMPLE_FILE)


def test_numbering_is_the_uns(parsed: ParsedDocument) -> None:
    numbers = [p.number for p in parsed.paragraphs]
    notes = [n for n in numbers if n.startswith("note.")]
    assert notes == ["note.1", "note.2", "note.3"]
    expected = (
        [str(i) for i in range(1, 21)]
        + [f"20.{i}" for i in range(1, 19)]
        + [str(i) for i in range(21, 28)]
        + [f"27({c})" for c in "abcdef"]
    )
    assert numbers[len(notes) :] == expected


def test_metadata_from_the_text(parsed: ParsedDocument) -> None:
    doc = parsed.document
    assert doc.language == "zh"
    assert doc.country == Country(code="BEL", name="Belgium")
    assert doc.term == "2023-2025"
    assert doc.date == dt.date(2022, 6, 21)
    assert doc.session == 77
    assert doc.symbol is None  # A/77/50 and A/RES/60/251 are references, not its own symbol
    assert doc.doc_id == "bel-2023-2025.zh"
    assert doc.title == "比利时作为候选国参加人权理事会 2023-2025 年任期的选举"


def test_no_hyperlinks_or_marks_in_paragraphs(parsed: ParsedDocument) -> None:
    for p in parsed.paragraphs:
        assert "undocs.org" not in p.text
        assert "*" not in p.text
        assert "\n" not in p.text


def test_paragraph_8_is_the_source_sentence_verbatim(parsed: ParsedDocument) -> None:
    raw = SAMPLE_FILE.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(raw) if line.startswith("8. "))
    second = next(i for i in range(first + 1, len(raw)) if raw[i].strip())
    expected = raw[first].removeprefix("8. ").strip() + raw[second].strip()
    p8 = next(p for p in parsed.paragraphs if p.number == "8")
    assert p8.text == expected
    assert p8.text == (
        "比利时将与其合作伙伴一道，继续将死刑问题列入理事会议程，以便从人权"
        "角度就这一问题展开实质性辩论，推动实现普遍废除死刑的目标。"
    )


def test_sections_and_lead_ins(parsed: ParsedDocument) -> None:
    by = {p.number: p for p in parsed.paragraphs}
    assert by["8"].section == "一. 四个专题领域 > A. 加强问责制和法治"
    assert by["17"].section == (
        "一. 四个专题领域 > D. 促进不可分割和相互依存的所有人权、公民权利和政治权利以及经济、"
        "社会和文化权利"
    )
    assert by["20.5"].section == "二. 在人权理事会和整个联合国促进和保护人权"
    assert by["20"].text == "比利时承诺："
    assert by["20.5"].lead_in == "比利时承诺："
    assert by["20.1"].text == (
        "继续坚定地致力于在全世界促进和保护人权，这是和平与发展的一个基本条件；"
    )
    assert by["27(d)"].text == "比利时 LGBTQI+友好型行动计划(2021-2024)；"
    assert by["27(d)"].lead_in == by["27"].text
    assert by["1"].section is None and by["note.1"].lead_in is None
    # Wrapped CJK/digit joins keep the document's own spacing ("第 130 号", "《2030 年议程》").
    assert "(第 130 号)" in by["24"].text
    assert by["20.17"].text.endswith("落实《2030 年议程》；")


def test_offsets_point_into_the_cleaned_text(parsed: ParsedDocument) -> None:
    ends = []
    for p in parsed.paragraphs:
        assert p.start is not None and p.end is not None
        assert p.end - p.start == len(p.text)
        assert p.page is None  # a text file has no pages
        ends.append((p.start, p.end))
    assert ends == sorted(ends)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))


def test_same_bytes_give_same_records(parsed: ParsedDocument) -> None:
    again = parse_bytes(SAMPLE_FILE.read_bytes(), "upload.txt", source=str(SAMPLE_FILE))
    assert again == parsed
    ids = [p.id for p in again.paragraphs]
    assert ids[:2] == ["bel-2023-2025.zh:¶note.1", "bel-2023-2025.zh:¶note.2"]


def test_sample_as_a_pdf_gives_the_same_records(tmp_path: Path, parsed: ParsedDocument) -> None:
    """The sample's lines typeset in a PDF (CJK TTF font, page footers) parse to the same
    paragraphs, word for word, as the extracted text file."""
    from fpdf import FPDF

    from tests.ingest.pledges import cjk_font

    font = cjk_font()

    class UNPdf(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("wqy", size=8)
            self.cell(0, 4, f"22-09876 (C)    {self.page_no()}/{{nb}}", align="R")

    pdf = UNPdf(format="A4")
    pdf.add_font("wqy", "", str(font))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("wqy", size=11)
    for line in SAMPLE_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            pdf.cell(0, 7, line.strip(), new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "sample.zh.pdf"
    pdf.output(str(path))

    from_pdf = parse_file(path)
    assert [(p.id, p.text, p.section, p.lead_in) for p in from_pdf.paragraphs] == [
        (p.id, p.text, p.section, p.lead_in) for p in parsed.paragraphs
    ]
    assert from_pdf.document.model_dump(exclude={"source", "sha256"}) == (
        parsed.document.model_dump(exclude={"source", "sha256"})
    )
    pages = [p.page for p in from_pdf.paragraphs]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == 4  # type: ignore[type-var]


def test_parse_is_unchanged_from_the_recorded_output(parsed: ParsedDocument) -> None:
    """The sample's document and 54 paragraphs are exactly what ``pledges parse --json`` gave
    before ingest learned real-world layouts (``data/sample.parse.json``, recorded then)."""
    import json

    recorded = json.loads((Path(__file__).parent / "data" / "sample.parse.json").read_text("utf-8"))
    now = parsed.model_dump(mode="json", exclude={"report"})
    recorded["document"].pop("source")
    now["document"].pop("source")
    assert len(now["paragraphs"]) == 54
    assert now == recorded
