"""What a user types: symbols and language lists, and the kept-copies index."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.fetching import OfficialCopies, normalize_symbol, parse_languages_option
from ingest.errors import ConfigError


@pytest.mark.parametrize(
    ("typed", "symbol"),
    [
        ("A/77/89", "A/77/89"),
        (" a/77/89 ", "A/77/89"),
        ("a/hrc/52/L.1", "A/HRC/52/L.1"),
        ("A/77/89/Add.1", "A/77/89/Add.1"),
        ("A / 77 / 89", "A/77/89"),
    ],
)
def test_symbols_are_written_as_the_un_does(typed: str, symbol: str) -> None:
    assert normalize_symbol(typed) == symbol


@pytest.mark.parametrize("typed", ["", "Belgium", "A77", "../../etc/passwd", "A/77/89?x=1"])
def test_what_is_not_a_symbol_is_refused(typed: str) -> None:
    with pytest.raises(ConfigError, match="is not a UN document symbol"):
        normalize_symbol(typed)


def test_languages_option() -> None:
    six = ["ar", "en", "es", "fr", "ru", "zh"]
    assert parse_languages_option(None) == six
    assert parse_languages_option("all") == six
    assert parse_languages_option("fr, EN,fr") == ["fr", "en"]
    assert parse_languages_option(["zh"]) == ["zh"]
    with pytest.raises(ConfigError, match=r"^--languages: de, it is not a UN language"):
        parse_languages_option("en,de,it")


def test_kept_copies_are_named_by_hash_and_indexed(tmp_path: Path) -> None:
    copies = OfficialCopies(tmp_path / "official")
    assert copies.known("A/77/89", "en") is None
    sha, path = copies.save(b"%PDF-1.7 bytes")
    assert path == tmp_path / "official" / f"{sha}.pdf" and path.read_bytes() == b"%PDF-1.7 bytes"
    assert copies.known("A/77/89", "en") is None  # kept, but not yet recorded as that version
    copies.record("A/77/89", "en", sha, "http://x/en.pdf")
    assert copies.known("A/77/89", "en") == sha
    assert [p.name for p in (tmp_path / "official").iterdir() if p.name.startswith(".")] == []
    path.unlink()  # the bytes went missing: the version is not known any more
    assert copies.known("A/77/89", "en") is None


def test_a_damaged_index_names_the_file(tmp_path: Path) -> None:
    copies = OfficialCopies(tmp_path)
    copies.index_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"index\.json: cannot read the index of official copies"):
        copies.index()
