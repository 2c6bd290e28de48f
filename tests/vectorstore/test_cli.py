"""``pledges ingest / documents / search / delete / eval`` in-process, on real temp-dir stores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ui.cli import app

GOOD = """Note verbale dated 3 May 2022 from the Permanent Mission of Belgium to the United \
Nations addressed to the President of the General Assembly

Voluntary pledges and commitments of Belgium, candidate for membership of the Human Rights \
Council for the term 2023-2025

1. Belgium will keep the question of the death penalty on the agenda of the Council, with a view \
to its universal abolition.

2. Belgium supports the International Criminal Court and its independence.

3. Belgium will promote decent work and social protection for all.
"""


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("PLEDGES_CHROMA_URL", raising=False)
    monkeypatch.delenv("PLEDGES_EMBEDDER", raising=False)
    return CliRunner()


def run_json(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ingest_exits_1_on_a_bad_file_while_the_good_one_lands(
    runner: CliRunner, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not a PDF")
    store = str(tmp_path / "store")

    result = runner.invoke(app, ["ingest", str(bad), str(good), "--store", store])
    assert result.exit_code == 1, result.output
    assert "bad.pdf" in result.output and "failed" in result.output
    assert "1 failed" in result.output

    docs = run_json(runner, "documents", "--store", store)
    assert [d["doc_id"] for d in docs] == ["bel-2023-2025.en"]
    assert docs[0]["sha256"] and docs[0]["language"] == "en"

    hits = run_json(runner, "search", "peine de mort", "-k", "2", "--store", store)
    assert hits[0]["number"] == "1" and hits[0]["id"] == "bel-2023-2025.en:¶1"
    assert set(hits[0]) >= {"id", "number", "doc_id", "country", "language", "text", "score"}

    # Same bytes again: unchanged, exit 0; JSON summary per file.
    again = run_json(runner, "ingest", str(good), "--store", store)
    assert [f["status"] for f in again["files"]] == ["unchanged"]
    assert again["failed"] == 0

    deleted = run_json(runner, "delete", "bel-2023-2025.en", "--store", store)
    assert deleted == {"deleted": "bel-2023-2025.en"}
    assert run_json(runner, "documents", "--store", store) == []


def test_ingest_json_reports_the_failure(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "notes.xyz"
    bad.write_text("not a pledge format", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(bad), "--store", str(tmp_path / "s"), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["failed"] == 1
    [line] = report["files"]
    assert line["status"] == "failed" and "notes.xyz" in line["error"]
    assert "\n" not in line["error"]


def test_search_ranks_paragraph_8_first_on_the_sample(runner: CliRunner, sample_store: Any) -> None:
    hits = run_json(
        runner,
        "search",
        "What did Belgium commit to on the death penalty?",
        "--store",
        sample_store.location,
    )
    assert hits[0]["number"] == "8" and hits[0]["country"] == "BEL"
    assert len(hits) == 5
    filtered = run_json(
        runner, "search", "death penalty", "--lang", "en", "--store", sample_store.location
    )
    assert filtered == []
    bad = runner.invoke(app, ["search", "x", "--lang", "xx", "--store", sample_store.location])
    assert bad.exit_code != 0


def test_search_table_prints_a_query_with_brackets_as_text(
    runner: CliRunner, sample_store: Any
) -> None:
    # The query is the table's title: "[/x]" was read as a closing tag and crashed the command.
    result = runner.invoke(
        app, ["search", "[/x] death penalty", "-k", "1", "--store", sample_store.location]
    )
    assert result.exit_code == 0, result.output
    assert "[/x] death penalty" in result.stdout


def test_eval_reports_retrieval_figures(
    runner: CliRunner, sample_store: Any, tmp_path: Path
) -> None:
    file = tmp_path / "dev.jsonl"
    lines = [
        {"question": "What did Belgium commit to on the death penalty?", "gold": ["8"]},
        {"question": "比利时对国际刑事法院的立场是什么？", "gold": ["7"]},
        {"question": "What did Norway pledge on the rights of indigenous peoples?", "gold": []},
    ]
    file.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    result = run_json(runner, "eval", str(file), "--store", sample_store.location)
    assert result["n"] == 2 and result["out_of_scope"] == 1
    assert result["recall@1"] == 1.0 and result["recall@5"] == 1.0 and result["mrr"] == 1.0


def test_eval_ablation_measures_each_step(
    runner: CliRunner, sample_store: Any, tmp_path: Path
) -> None:
    file = tmp_path / "x.jsonl"
    question = {
        "question": "Has Belgium ratified the Optional Protocol on torture?",
        "gold": ["26"],
    }
    file.write_text(json.dumps(question), encoding="utf-8")
    steps = run_json(runner, "eval", str(file), "--ablation", "--store", sample_store.location)
    assert list(steps) == [
        "dense",
        "dense+bm25",
        "dense+glossary (wording only)",
        "dense+bm25+glossary (wording only)",
        "dense+bm25+glossary (wording and meaning)",
        "... + latent terms (sparse)",
        "... + concept-agreement rescoring",
        "... + topic ranking",
    ]
    assert all(s["n"] == 1 for s in steps.values())
    assert steps["dense+bm25+glossary (wording and meaning)"]["recall@5"] == 1.0


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "What did Belgium commit to on the death penalty?"],
        ["verify", "Belgium pledged to abolish the death penalty"],
        ["search", "death penalty"],
        ["documents"],
        ["delete", "bel-2023-2025.zh"],
    ],
)
def test_read_commands_refuse_a_store_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    # A mistyped --store used to be created empty: `ask` then said the pledges do not answer
    # the question and `verify` said NOT_FOUND, both with exit 0.
    monkeypatch.delenv("PLEDGES_CHROMA_URL", raising=False)
    typo = tmp_path / "pledgse"
    script = Path(sys.executable).with_name("pledges")
    proc = subprocess.run(
        [str(script), *args, "--store", str(typo)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1, proc.stdout
    assert proc.stdout == ""
    assert proc.stderr.strip() == (
        f"error: no store at {typo} (--store, PLEDGES_STORE): point --store at a store, or"
        f" create one with `pledges ingest FILES --store {typo}`"
    )
    assert not typo.exists()


def test_two_files_with_one_doc_id_in_a_batch_keep_the_first_and_fail_the_second(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "pledges"
    folder.mkdir()
    # Both are Belgium's pledge for 2023-2025 in English: both resolve to bel-2023-2025.en.
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    edited = GOOD.replace("decent work", "decent work and fair wages")
    (folder / "b.txt").write_text(edited, encoding="utf-8")
    other = GOOD.replace("Belgium", "Norway")
    (folder / "c.txt").write_text(other, encoding="utf-8")
    store = str(tmp_path / "store")

    result = runner.invoke(app, ["ingest", str(folder), "--store", store, "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    assert by_name["a.txt"]["status"] == "added"
    assert by_name["c.txt"]["status"] == "added"  # the rest of the batch lands
    failed = by_name["b.txt"]
    assert failed["status"] == "failed" and report["failed"] == 1
    error = failed["error"]
    assert "bel-2023-2025.en" in error and "a.txt" in error and "b.txt" in error
    assert "--meta doc_id=" in error and "b.txt.meta.json" in error and "\n" not in error

    docs = {d["doc_id"]: d for d in run_json(runner, "documents", "--store", store)}
    assert set(docs) == {"bel-2023-2025.en", "nor-2023-2025.en"}
    assert docs["bel-2023-2025.en"]["source"].endswith("a.txt")  # the first was not replaced

    # A later run replaces the stored version with the edited file, as before.
    later = run_json(runner, "ingest", str(folder / "b.txt"), "--store", store)
    assert [f["status"] for f in later["files"]] == ["replaced"]
    hits = run_json(runner, "search", "fair wages", "-k", "1", "--store", store)
    assert "fair wages" in hits[0]["text"]


def test_the_same_bytes_under_another_name_are_a_duplicate_not_a_second_document(
    runner: CliRunner, tmp_path: Path
) -> None:
    # No country or term: the id is the file stem and the hash, so a copy would get its own id.
    text = "Our commitments\n\nWe will abolish the death penalty everywhere.\n"
    first = tmp_path / "pledge.txt"
    first.write_text(text, encoding="utf-8")
    copy = tmp_path / "pledge (1).txt"
    copy.write_bytes(first.read_bytes())
    store = str(tmp_path / "store")

    result = runner.invoke(app, ["ingest", str(first), str(copy), "--store", store, "--json"])
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    added, dup = report["files"]
    assert added["status"] == "added"
    assert dup["status"] == "duplicate" and dup["doc_id"] == added["doc_id"]
    assert added["doc_id"] in dup["note"] and "pledge.txt" in dup["note"]
    assert report["failed"] == 0 and report["duplicates"] == 1
    docs = run_json(runner, "documents", "--store", store)
    assert [d["doc_id"] for d in docs] == [added["doc_id"]]

    # In a later run too, with the table saying so.
    again = runner.invoke(app, ["ingest", str(copy), "--store", store])
    assert again.exit_code == 3, again.output
    assert "duplicate" in again.output and "1 skipped as duplicates" in again.output
    assert len(run_json(runner, "documents", "--store", store)) == 1


@pytest.mark.parametrize("command", ["ask", "verify", "search"])
def test_cli_refuses_a_question_with_a_control_character_in_one_line(
    tmp_path: Path, tmp_store: Any, command: str
) -> None:
    assert tmp_store.count() == 0  # an existing (empty) store at tmp_path / "store"
    script = Path(sys.executable).with_name("pledges")
    question = "What did Belgium commit to on the \u202eytlanep htaed?"
    proc = subprocess.run(
        [str(script), command, question, "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout
    assert proc.stdout == ""
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("error: the ") and "U+202E (RIGHT-TO-LEFT OVERRIDE)" in line


@pytest.mark.parametrize("command", ["ask", "verify", "search"])
def test_cli_refuses_a_question_that_is_not_utf8_in_one_line(
    tmp_path: Path, tmp_store: Any, command: str
) -> None:
    # A terminal in Latin-1 passes "é" as the byte 0xE9, which Python reads as a lone
    # surrogate: the embedder could not encode it and the command ended in a traceback.
    assert tmp_store.count() == 0
    script = Path(sys.executable).with_name("pledges")
    question = b"peine de mort en Belgique \xe9t\xe9"
    proc = subprocess.run(
        [str(script), command.encode(), question, "--store", str(tmp_path / "store")],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout
    assert proc.stdout == b""
    (line,) = proc.stderr.decode().strip().splitlines()
    assert line.startswith("error: the ") and "U+DCE9" in line and "not UTF-8" in line, line


def test_a_file_name_that_is_not_utf8_or_holds_escapes_is_ingested_and_shown_escaped(
    tmp_path: Path,
) -> None:
    # A name in Latin-1 ("résumé") reached Chroma as lone surrogates and the file failed with
    # "Cannot convert Python object to UpdateMetadataValue"; an ESC in a name reached the
    # terminal, which cleared the screen.
    folder = os.fsencode(tmp_path)
    name = b"r\xe9sum\xe9 \x1b[2J\xe2\x80\xae.txt"
    with open(os.path.join(folder, name), "wb") as fh:
        fh.write(GOOD.encode())
    store = str(tmp_path / "store")
    script = str(Path(sys.executable).with_name("pledges"))
    env = {
        k: v for k, v in os.environ.items() if k not in ("PLEDGES_CHROMA_URL", "PLEDGES_EMBEDDER")
    }
    ingest = subprocess.run(
        [script, "ingest", os.path.join(folder, name), "--store", store],
        capture_output=True,
        timeout=300,
        env=env,
    )
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    shown = "r\\xe9sum\\xe9 \\x1b[2J\\u202e.txt"
    for output in (ingest.stdout, ingest.stderr):
        assert b"\x1b" not in output and b"\xe9" not in output and "\u202e".encode() not in output
    listed = subprocess.run(
        [script, "documents", "--json", "--store", store], capture_output=True, timeout=300, env=env
    )
    assert listed.returncode == 0, listed.stderr
    (doc,) = json.loads(listed.stdout.decode("utf-8"))
    assert doc["source"] == os.path.join(str(tmp_path), shown)
    assert doc["doc_id"] == "bel-2023-2025.en"
