"""``pledges parse``: a table by default, the DESIGN.md JSON with --json, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tests.ingest.test_sample import SAMPLE_FILE
from ui.cli import app

runner = CliRunner()


def test_parse_json_contract() -> None:
    result = runner.invoke(app, ["parse", str(SAMPLE_FILE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"document", "paragraphs", "report"}
    assert data["report"]["numbering"] == "un" and data["report"]["warnings"] == []
    doc = data["document"]
    assert doc["country"] == {"code": "BEL", "name": "Belgium"}
    assert (doc["language"], doc["term"], doc["date"], doc["symbol"]) == (
        "zh",
        "2023-2025",
        "2022-06-21",
        None,
    )
    first = data["paragraphs"][3]
    assert {"id", "number", "text", "section", "lead_in", "page", "start", "end"} <= set(first)
    assert first["id"] == "bel-2023-2025.zh:¶1"
    assert "比利时王国" in first["text"]  # CJK stays readable, not \\u-escaped
    numbers = [p["number"] for p in data["paragraphs"]]
    assert "20.18" in numbers and "27(f)" in numbers


def test_parse_table_and_meta() -> None:
    result = runner.invoke(
        app, ["parse", str(SAMPLE_FILE), "--meta", "symbol=A/77/89", "--meta", "session=77"]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "a-77-89.zh" in out and "A/77/89" in out and "BEL (Belgium)" in out
    assert "27(f)" in out and "20.18" in out
    bad = runner.invoke(app, ["parse", str(SAMPLE_FILE), "--meta", "symbol"])
    assert bad.exit_code != 0


def test_corrupted_pdf_is_one_line_naming_the_file(tmp_path: Path) -> None:
    """The real console script: non-zero exit, exactly one stderr line, no traceback."""
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ngarbage")
    script = Path(sys.executable).with_name("pledges")
    proc = subprocess.run(
        [str(script), "parse", str(broken)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(broken) in lines[0] and "not a readable PDF" in lines[0]
    assert "Traceback" not in proc.stderr


VIEWER_DUMP = (
    "Total Page:3\nFile Type: PDF\n"
    "Ruritania is a candidate for the Human Rights Council for 2026-2028. It pledges to\n"
    "cooperate with all mechanisms of the Council.\n"
)


def test_parse_reports_what_was_kept_and_warns_naming_the_file(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(VIEWER_DUMP, encoding="utf-8")
    result = runner.invoke(app, ["parse", str(dump)])
    assert result.exit_code == 0, result.output
    assert "20 of 25 words in paragraphs (80%)" in result.stdout
    assert "document viewer line: 5" in result.stdout
    (warning,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert warning.startswith(f"warning: {dump}: 5 of 25 words (20%) were removed")
    data = json.loads(runner.invoke(app, ["parse", str(dump), "--json"]).stdout)
    assert data["report"]["numbering"] == "ingest"
    assert [p["number"] for p in data["paragraphs"]] == ["p1"]


def test_ingest_reports_the_share_kept_per_file(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(VIEWER_DUMP, encoding="utf-8")
    store = tmp_path / "store"
    result = runner.invoke(app, ["ingest", str(dump), "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    (file,) = json.loads(result.stdout)["files"]
    assert (file["status"], file["words"], file["kept_words"]) == ("added", 25, 20)
    assert file["warnings"][0].startswith(f"{dump}: 5 of 25 words")
    assert f"warning: {dump}: 5 of 25 words" in result.stderr
    again = runner.invoke(app, ["ingest", str(dump), "--store", str(store)])
    assert again.exit_code == 0, again.output
    assert "kept 20 of 25 words (80%) in paragraphs and headings; 1 file(s)" in again.stdout


#: A pledge whose text and file name hold what Rich would read as console markup.
BRACKETS = (
    "Pledge of Utopia [/b] for the Council\n\n"
    "1. Utopia will abolish the death penalty [link=https://evil.example]see the official"
    " copy[/link] and [red]torture[/red].\n\n"
    "2. Utopia will protect journalists :warning: [/note].\n"
)


def test_parse_prints_brackets_in_a_pledge_as_text(tmp_path: Path) -> None:
    # Before, "[/b]" crashed the table with a MarkupError traceback, "[link=…]" became a
    # terminal hyperlink and "[v2]" vanished from the file name.
    path = tmp_path / "utopia[v2].txt"
    path.write_text(BRACKETS, encoding="utf-8")
    result = runner.invoke(app, ["parse", str(path)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Pledge of Utopia [/b] for the Council" in out
    assert "[link=https://evil.example]see the official copy[/link]" in out
    assert "[red]torture[/red]" in out and ":warning: [/note]" in out
    assert "utopia[v2].txt" in out


def test_error_line_keeps_brackets_of_the_file_name(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("pledges")
    missing = tmp_path / "[draft] pledge.txt"
    proc = subprocess.run(
        [str(script), "parse", str(missing)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"error: {missing}: file not found"


def _description(help_text: str) -> list[list[str]]:
    """The paragraphs of a command's description in its rendered help (lines, trailing blanks
    cut): between the usage line and the first panel."""
    lines = help_text.splitlines()
    start = next(i for i, line in enumerate(lines) if "Usage:" in line) + 1
    end = next(i for i, line in enumerate(lines) if line.lstrip().startswith("╭"))
    paragraphs: list[list[str]] = [[]]
    for line in lines[start:end]:
        if line.strip():
            paragraphs[-1].append(line.rstrip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def test_every_commands_help_wraps_at_the_terminals_width_not_the_sources():
    """Old rule: a docstring's own line breaks were kept, so `fetch`, `ingest` and `bench` broke
    sentences mid-line ("duplicate" alone on a line) at 80 columns. Every line of a paragraph
    but its last is now filled; `verify`'s aligned list keeps its lines, without Click's mark."""
    names = [info.name or info.callback.__name__ for info in app.registered_commands]
    assert {"fetch", "ingest", "verify"} <= set(names)
    for name in names:
        result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
        assert result.exit_code == 0, result.output
        assert "\\b" not in result.output
        if name == "verify":
            assert any(line.strip().startswith("not_found:") for line in result.output.splitlines())
            continue
        for paragraph in _description(result.output):
            assert all(len(line) >= 60 for line in paragraph[:-1]), (name, paragraph)
