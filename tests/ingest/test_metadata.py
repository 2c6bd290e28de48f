"""Metadata comes from the text (or from overrides); what the text does not say stays null."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ingest.countries import detect_country
from ingest.errors import IngestError
from ingest.language import detect_language
from ingest.lines import Line
from ingest.metadata import detect_date, detect_session, detect_symbol, detect_term
from ingest.pipeline import make_doc_id, parse_bytes, parse_file
from ingest.records import Country
from tests.ingest.test_sample import SAMPLE_FILE

BELGIUM = Country(code="BEL", name="Belgium")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Belgium is a candidate. Belgium will cooperate with the Council."),
        ("fr", "La Belgique présente sa candidature. La Belgique coopérera."),
        ("es", "Bélgica presenta su candidatura. Bélgica cooperará plenamente."),
        ("ru", "Бельгия выдвигает свою кандидатуру. Правительство Бельгии будет сотрудничать."),
        ("ar", "تقدم بلجيكا ترشيحها. وستتعاون بلجيكا مع المجلس."),
        ("zh", "比利时作为候选国参加选举。比利时将与合作伙伴一道。"),
    ],
)
def test_country_in_six_languages(language: str, text: str) -> None:
    assert detect_language(text) == language
    assert detect_country(text, language) == BELGIUM


def test_candidate_is_the_most_named_and_titles_count_more() -> None:
    text = "Costa Rica will work with Belgium. Costa Rica pledges. Costa Rica reports."
    assert detect_country(text, "en") == Country(code="CRI", name="Costa Rica")
    title = ["Candidature of Belgium to the Human Rights Council"]
    assert detect_country(text, "en", title) == BELGIUM
    # "developing countries" contains 中国 but is not China.
    assert detect_country("支持发展中国家的发展。", "zh") is None
    assert detect_country("The Republic of Ruritania pledges.", "en") is None


def test_russian_multiword_names_in_other_cases() -> None:
    text = "Кандидатура Российской Федерации. Российская Федерация обязуется."
    assert detect_country(text, "ru") == Country(code="RUS", name="Russian Federation")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "2022 年 6 月 21 日比利时常驻联合国代表团给大会主席的普通照会"),
        ("en", "Note verbale dated 21 June 2022 from the Permanent Mission of Belgium"),
        ("en", "Letter dated June 21, 2022 from the Permanent Representative"),
        ("fr", "Note verbale datée du 21 juin 2022, adressée au Président"),
        ("es", "Nota verbal de fecha 21 de junio de 2022 dirigida a la Presidencia"),
        ("ru", "Вербальная нота Постоянного представительства от 21 июня 2022 года"),
        ("ar", "مذكرة شفوية مؤرخة 21 حزيران/يونيه 2022 موجهة إلى رئيس الجمعية العامة"),
        ("ar", "مذكرة شفوية مؤرخة ٢١ حزيران/يونيه ٢٠٢٢"),
    ],
)
def test_note_date_in_six_languages(language: str, text: str) -> None:
    assert detect_date([text], language) == dt.date(2022, 6, 21)


def test_no_date_is_null() -> None:
    assert detect_date(["Note verbale from the Permanent Mission of Belgium"], "en") is None


@pytest.mark.parametrize(
    ("language", "text", "session"),
    [
        ("zh", "第七十七届会议", 77),
        ("en", "Seventy-seventh session", 77),
        ("en", "during the 77th session of the General Assembly", 77),
        ("fr", "Soixante-dix-septième session", 77),
        ("fr", "Quatre-vingtième session", 80),
        ("es", "Septuagésimo séptimo período de sesiones", 77),
        ("ru", "Семьдесят седьмая сессия", 77),
        ("ar", "الدورة السابعة والسبعون", 77),
        ("ar", "الدورة الثمانون", 80),
    ],
)
def test_session_in_words(language: str, text: str, session: int) -> None:
    assert detect_session([text], language, None) == session


def test_session_falls_back_to_own_symbol_only() -> None:
    assert detect_session(["no session here"], "en", "A/76/123") == 76
    assert detect_session(["no session here"], "en", None) is None


def test_term() -> None:
    text = "2019-2020 Council; term 2023-2025; previous term 2016 至 2018; plan (2021-2025)."
    assert detect_term(text, ["for the term 2023–2025"]) == "2023-2025"
    assert detect_term("2019-2020 and 2021-2025 only") is None


def test_own_symbol_only() -> None:
    top = [Line("United Nations A/77/89"), Line("General Assembly Distr.: General")]
    assert detect_symbol(top) == "A/77/89"
    assert detect_symbol([Line("A/77/89*")]) == "A/77/89"
    body = [Line(f"Paragraph {i} of the text.") for i in range(12)]
    referenced = [
        *body,
        Line("* A/77/50."),
        Line("A/RES/60/251"),
        Line("See A/77/50 for the agenda."),
        Line("https://undocs.org/ch/A/77/50"),
    ]
    assert detect_symbol(referenced) is None
    assert detect_symbol([Line("A/RES/60/251")]) is None
    running = [*body, Line("A/78/9  2/3", page=2), Line("3/3  A/78/9", page=3)]
    assert detect_symbol(running) == "A/78/9"


def test_doc_id_rules() -> None:
    sha = "ab" * 32
    assert make_doc_id("A/77/89", "BEL", "2023-2025", "zh", "x", sha) == "a-77-89.zh"
    assert make_doc_id(None, "BEL", "2023-2025", "zh", "x", sha) == "bel-2023-2025.zh"
    assert make_doc_id(None, "BEL", None, "zh", "My Pledge", sha) == "my-pledge-abababab.zh"
    assert make_doc_id(None, None, None, None, "", sha) == "document-abababab"


def test_doc_id_of_a_file_with_a_long_name_fits_the_record(tmp_path: Path) -> None:
    # A file name may be 255 bytes long; the id derived from its stem used to pass the
    # 160-character limit of doc_id, and the file was refused ("expected lower-case letters").
    text = "Pledge\n\n1. Utopia will protect journalists and end torture.\n"
    path = tmp_path / ("b" * 251 + ".txt")
    path.write_text(text, encoding="utf-8")
    parsed = parse_file(path)
    sha = parsed.document.sha256
    assert parsed.document.doc_id == "b" * (160 - 12) + f"-{sha[:8]}.en"
    assert parsed.paragraphs[0].id == f"{parsed.document.doc_id}:¶1"
    upload = parse_bytes(text.encode(), "Ministry report " * 20 + ".txt")
    assert len(upload.document.doc_id) <= 160
    assert upload.document.doc_id.startswith("ministry-report-ministry-report-")
    assert upload.document.doc_id.endswith(f"-{sha[:8]}.en")
    # An id given by hand is still held to the limit, and the message says what the limit is.
    with pytest.raises(IngestError, match="at most 160 characters"):
        parse_file(path, overrides={"doc_id": "x" * 161})


def test_doc_id_survives_an_edit_of_the_file(tmp_path: Path) -> None:
    original = SAMPLE_FILE.read_text(encoding="utf-8")
    edited = original.replace("比利时王国谨此提出", "比利时王国谨此正式提出")
    a = parse_bytes(original.encode(), "a.txt")
    b = parse_bytes(edited.encode(), "b.txt")
    assert a.document.sha256 != b.document.sha256
    assert a.document.doc_id == b.document.doc_id == "bel-2023-2025.zh"
    assert [p.id for p in a.paragraphs] == [p.id for p in b.paragraphs]


def test_overrides_and_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "pledge.txt"
    path.write_bytes(SAMPLE_FILE.read_bytes())
    parsed = parse_file(path, overrides={"symbol": "A/77/89", "session": "77"})
    assert parsed.document.symbol == "A/77/89"
    assert parsed.document.doc_id == "a-77-89.zh"
    assert parsed.document.url == "https://undocs.org/ch/A/77/89"
    assert parsed.paragraphs[0].id == "a-77-89.zh:¶note.1"

    (tmp_path / "pledge.meta.json").write_text(
        json.dumps({"country": "Belgique", "term": "2023-2025", "date": None, "title": "T"}),
        encoding="utf-8",
    )
    from_sidecar = parse_file(path)
    assert from_sidecar.document.country == BELGIUM
    assert from_sidecar.document.date is None  # null in the sidecar clears the detected date
    assert from_sidecar.document.title == "T"
    # --meta wins over the sidecar.
    both = parse_file(path, overrides={"title": "From the command line", "language": "zh"})
    assert both.document.title == "From the command line"


def test_a_bad_given_value_is_named_without_a_command_line_flag() -> None:
    # The same values come from the API's form fields and from sidecars, where "--meta
    # language=..." named an option the person never used.
    text = b"1. Utopia will protect journalists.\n\n2. Utopia will end torture.\n"
    with pytest.raises(IngestError) as e:
        parse_bytes(text, "n.txt", overrides={"language": "sw"})
    assert str(e.value) == "n.txt: language='sw': expected one of ar, en, es, fr, ru, zh"
    with pytest.raises(IngestError) as e:
        parse_bytes(text, "n.txt", overrides={"country": "ZZZ"})
    assert str(e.value) == "n.txt: country='ZZZ': not an ISO 3166 code or country name"
