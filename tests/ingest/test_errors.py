"""Each bad input gives one clear error naming the file; a bad file never stops a batch."""

from __future__ import annotations

import codecs
import io
import json
import os
from pathlib import Path

import pytest

from ingest.errors import IngestError, UnsupportedFormatError
from ingest.pipeline import SUPPORTED_SUFFIXES, iter_files, parse_bytes, parse_file
from ingest.records import ParsedDocument
from tests.ingest.pledges import EN, NUMBERS, write_txt


def expect_error(path: Path, fragment: str, kind: type[IngestError] = IngestError) -> IngestError:
    with pytest.raises(kind) as info:
        parse_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert fragment in message, message
    assert "\n" not in message
    return info.value


def test_supported_suffixes() -> None:
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".pdf", ".docx", ".html", ".htm", ".md"}


def test_unsupported_missing_and_empty(tmp_path: Path) -> None:
    sheet = tmp_path / "pledge.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    err = expect_error(sheet, "unsupported file type (.xlsx)", UnsupportedFormatError)
    assert err.status_code == 415
    expect_error(tmp_path / "missing.txt", "file not found")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n\n")
    expect_error(empty, "file is empty")


def test_text_encodings(tmp_path: Path) -> None:
    source = write_txt(EN, tmp_path / "utf8.txt").read_text(encoding="utf-8")
    expected = [p.text for p in parse_file(tmp_path / "utf8.txt").paragraphs]
    variants = {
        "bom.txt": codecs.BOM_UTF8 + source.encode("utf-8"),
        "utf16.txt": source.encode("utf-16"),  # with BOM
        "utf16le.txt": source.encode("utf-16-le"),  # without BOM
        "utf16be.txt": source.encode("utf-16-be"),
    }
    for name, data in variants.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert [p.text for p in parse_file(path).paragraphs] == expected, name
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("1. La République s’engage à coopérer.".encode("cp1252"))
    expect_error(bad, "cannot decode as UTF-8: invalid byte 0xe9 at offset 7")


def test_corrupted_pdf(tmp_path: Path, pledge_files: dict[tuple[str, str], Path]) -> None:
    good = pledge_files[("en", "pdf")].read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(good[: len(good) // 2])
    expect_error(truncated, "not a readable PDF")
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"this is not a PDF at all\n" * 10)
    expect_error(garbage, "not a readable PDF")


def test_encrypted_pdf(tmp_path: Path, pledge_files: dict[tuple[str, str], Path]) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(pledge_files[("en", "pdf")]))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "locked.pdf"
    path.write_bytes(buffer.getvalue())
    expect_error(path, "encrypted with a password")


def test_image_only_pdf(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    for i in range(20):  # a "scanned page": shapes, no text layer
        pdf.rect(20, 20 + i * 12, 170, 8, style="F")
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    expect_error(path, "no text layer")


def test_corrupted_docx_and_empty_html(tmp_path: Path) -> None:
    docx = tmp_path / "broken.docx"
    docx.write_bytes(b"PK\x03\x04 not really a zip archive")
    expect_error(docx, "not a readable DOCX file")
    html = tmp_path / "blank.html"
    html.write_text("<html><head><script>var a = 1;</script></head><body> </body></html>")
    expect_error(html, "no text found")


def test_bad_overrides_and_sidecar(tmp_path: Path) -> None:
    path = write_txt(EN, tmp_path / "pledge.txt")
    with pytest.raises(IngestError, match=r"unknown metadata key\(s\) colour"):
        parse_file(path, overrides={"colour": "blue"})
    with pytest.raises(IngestError, match="expected an ISO date"):
        parse_file(path, overrides={"date": "14/03/2024"})
    with pytest.raises(IngestError, match="not an ISO 3166 code"):
        parse_file(path, overrides={"country": "Ruritania"})
    sidecar = tmp_path / "pledge.txt.meta.json"
    sidecar.write_text("{not json", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        parse_file(path)
    assert str(info.value).startswith(f"{sidecar}: metadata sidecar is not valid UTF-8 JSON")


def test_batch_with_a_bad_file_yields_the_others(tmp_path: Path) -> None:
    write_txt(EN, tmp_path / "a-good.txt")
    (tmp_path / "b-bad.pdf").write_bytes(b"%PDF-1.7\n garbage")
    (tmp_path / "c-good.md").write_text("1. Ruritania pledges.\n\n2. It reports.\n")
    (tmp_path / "c-good.md.meta.json").write_text(json.dumps({"country": "FIN"}))
    (tmp_path / ".hidden.txt").write_text("1. Hidden.")
    (tmp_path / "notes.xlsx").write_bytes(b"PK")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "d-good.html").write_text("<p>1. Nested pledge.</p>")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "e.txt").write_text("1. Not a pledge.")

    files = list(iter_files([tmp_path]))
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "a-good.txt",
        "b-bad.pdf",
        "c-good.md",
        "sub/d-good.html",
    ]
    parsed: list[ParsedDocument] = []
    failed: list[str] = []
    for f in files:
        try:
            parsed.append(parse_file(f))
        except IngestError as e:
            failed.append(str(e))
    assert [len(p.paragraphs) for p in parsed] == [len(NUMBERS), 2, 1]
    assert parsed[1].document.country is not None and parsed[1].document.country.code == "FIN"
    assert len(failed) == 1 and failed[0].startswith(f"{tmp_path / 'b-bad.pdf'}: not a readable")


def test_iter_files_names_a_missing_path(tmp_path: Path) -> None:
    given = tmp_path / "pledge.txt"
    given.write_text("1. Text.")
    assert list(iter_files([given])) == [given]
    with pytest.raises(IngestError, match="no such file or directory") as info:
        list(iter_files([given, tmp_path / "nope"]))
    assert info.value.path == str(tmp_path / "nope")


def test_upload_name_never_becomes_a_path(tmp_path: Path) -> None:
    data = b"1. Ruritania pledges.\n\n2. It reports.\n"
    parsed = parse_bytes(data, "../../etc/passwd.txt")
    assert parsed.document.source == "passwd.txt"
    assert parsed.document.doc_id.startswith("passwd-")
    with pytest.raises(UnsupportedFormatError, match=r"^upload\.exe: unsupported file type"):
        parse_bytes(data, "upload.exe")


def test_an_error_shows_a_file_name_with_escapes_or_bad_bytes_escaped(tmp_path: Path) -> None:
    # The name is printed by the command line and returned by the API: an ESC in it would
    # drive the terminal, a byte that is not UTF-8 could not be printed at all.
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9 \x1b]8;;x\x07\xe2\x80\xae.txt")
    with open(raw, "wb") as fh:
        fh.write(b"   \n")
    with pytest.raises(IngestError) as info:
        parse_file(Path(os.fsdecode(raw)))
    assert str(info.value) == f"{tmp_path}/caf\\xe9 \\x1b]8;;x\\x07\\u202e.txt: file is empty"
