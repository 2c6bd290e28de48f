"""Fetching official copies end to end: the loopback UN, a real temp-dir store with the bundled
embedder, the ``pledges fetch`` / ``pledges ask`` commands, ``POST /v1/fetch``."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.service import PledgeService
from assistant.settings import LLMSettings
from ingest.un import UnreachableError
from tests.fetch.conftest import SYMBOL, fast_settings, store_files, unused_port
from tests.fetch.un_server import UNServer
from tests.ingest.pledges import EN, FR
from ui.cli import app
from ui.settings import Settings
from vectorstore.settings import StoreSettings

pytestmark = pytest.mark.slow


def make_service(store_dir: Path, url: str, embedder: Any, **un: object) -> PledgeService:
    settings = Settings(
        store=StoreSettings(store=store_dir, chroma_url=None),
        llm=LLMSettings(url=None, model=None, api_key=None),
        un=fast_settings(url, **un),
    )
    return PledgeService(settings, store=settings.get_store(embedder=embedder), embedder=embedder)


def test_fetch_stores_both_versions_and_a_rerun_changes_nothing(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, embedder: Any
) -> None:
    un.publish(SYMBOL, "en", pdfs["en"])
    un.publish(SYMBOL, "fr", pdfs["fr"])
    svc = make_service(tmp_path / "store", un.url, embedder)
    seen: list[tuple[str, int, int]] = []
    report = svc.fetch(
        [SYMBOL], languages="en,fr", progress=lambda i, d, t: seen.append((i.language, d, t))
    )
    assert seen == [("en", 1, 2), ("fr", 2, 2)]
    assert [(i.language, i.status, i.ingest, i.doc_id) for i in report.items] == [
        ("en", "fetched", "added", "a-78-812.en"),
        ("fr", "fetched", "added", "a-78-812.fr"),
    ]
    docs = {d.doc_id: d for d in svc.documents()}
    assert {(d.symbol, d.language) for d in docs.values()} == {(SYMBOL, "en"), (SYMBOL, "fr")}
    official = tmp_path / "store" / "official"
    kept = {p.name for p in official.glob("*.pdf")}
    assert kept == {f"{i.sha256}.pdf" for i in report.items}
    assert (official / f"{report.items[1].sha256}.pdf").read_bytes() == pdfs["fr"]
    numbers = {p.number for p in svc.store.paragraphs("a-78-812.en")}
    assert numbers == {p.number for p in svc.store.paragraphs("a-78-812.fr")}  # aligned

    before = {p: p.stat().st_mtime_ns for p in store_files(official)}
    sent = len(un.log)
    again = svc.fetch([SYMBOL], languages=["en", "fr"])
    assert [(i.status, i.ingest) for i in again.items] == [("unchanged", "unchanged")] * 2
    # The kept copies' ETags went with the requests: the PDFs were not sent again.
    assert [r.status for r in un.log[sent:] if r.path.startswith("/pdf/")] == [304, 304]
    assert {p: p.stat().st_mtime_ns for p in store_files(official)} == before
    assert {d.doc_id: d for d in svc.documents()} == docs

    # A corrected version replaces the stored one and is reported as fetched again.
    un.publish(SYMBOL, "fr", pdfs["fr"].replace(b"%%EOF", b"%%EOF\n% corrected", 1))
    third = svc.fetch([SYMBOL], languages="fr")
    assert [(i.status, i.ingest) for i in third.items] == [("fetched", "replaced")]


def test_web_app_page_is_not_published_and_nothing_is_stored(
    un: UNServer, tmp_path: Path, embedder: Any
) -> None:
    svc = make_service(tmp_path / "store", un.url, embedder)
    report = svc.fetch(["A/78/404"], languages="en,fr")
    assert [i.status for i in report.items] == ["not_published", "not_published"]
    assert svc.documents() == []
    assert not (tmp_path / "store" / "official").exists()


def test_failures_store_nothing(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, embedder: Any
) -> None:
    un.publish(SYMBOL, "en", pdfs["other"])
    un.publish(SYMBOL, "fr", pdfs["fr"], kind="cut")
    svc = make_service(tmp_path / "store", un.url, embedder)
    report = svc.fetch([SYMBOL], languages="en,fr")
    assert [i.status for i in report.items] == ["failed", "failed"]
    assert "A/78/999" in (report.items[0].error or "")
    assert svc.documents() == []
    assert not (tmp_path / "store" / "official").exists()


def test_unreachable_un_is_one_error_and_nothing_is_stored(tmp_path: Path, embedder: Any) -> None:
    svc = make_service(tmp_path / "store", f"http://127.0.0.1:{unused_port()}", embedder)
    with pytest.raises(UnreachableError, match=r"^cannot reach 127\.0\.0\.1:\d+: "):
        svc.fetch([SYMBOL])
    assert svc.documents() == []
    assert not (tmp_path / "store" / "official").exists()


def test_rerun_without_validators_downloads_and_still_changes_nothing(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, embedder: Any
) -> None:
    un.publish(SYMBOL, "en", pdfs["en"], validators=False)
    svc = make_service(tmp_path / "store", un.url, embedder)
    assert [i.status for i in svc.fetch([SYMBOL], languages="en").items] == ["fetched"]
    index = (tmp_path / "store" / "official" / "index.json").read_bytes()
    assert [i.status for i in svc.fetch([SYMBOL], languages="en").items] == ["unchanged"]
    assert [r.status for r in un.log if r.path.startswith("/pdf/")] == [200, 200]
    assert (tmp_path / "store" / "official" / "index.json").read_bytes() == index


def test_no_ingest_keeps_the_pdf_only(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, embedder: Any
) -> None:
    un.publish(SYMBOL, "en", pdfs["en"])
    svc = make_service(tmp_path / "store", un.url, embedder)
    (item,) = svc.fetch([SYMBOL], languages="en", ingest=False).items
    assert (item.status, item.ingest, item.doc_id) == ("fetched", None, None)
    assert Path(item.file or "").read_bytes() == pdfs["en"]
    assert svc.documents() == []
    (again,) = svc.fetch([SYMBOL], languages="en", ingest=False).items
    assert again.status == "unchanged"


def test_answers_cite_the_askers_language_with_official_links(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, embedder: Any
) -> None:
    un.publish(SYMBOL, "en", pdfs["en"])
    un.publish(SYMBOL, "fr", pdfs["fr"])
    svc = make_service(tmp_path / "store", un.url, embedder)
    svc.fetch([SYMBOL], languages="en,fr")
    cases = [
        ("Will Ruritania ratify the Optional Protocol against Torture?", "en", EN, "fr", FR),
        ("La Ruritanie va-t-elle ratifier le Protocole facultatif contre la torture ?", "fr", FR,
         "en", EN),
    ]  # fmt: skip
    for question, lang, pledge, other, other_pledge in cases:
        answer = svc.ask(question)
        assert not answer.abstained, question
        c = answer.citations[0]
        assert (c.number, c.language, c.symbol) == ("6", lang, SYMBOL)
        assert c.quote in pledge.paras["6"]
        assert c.url == f"https://undocs.org/{lang}/{SYMBOL}"
        assert all(x.language == lang for x in answer.citations)
        beside = {a.language: a for a in c.aligned}
        assert beside[other].text == other_pledge.paras["6"]
        assert beside[other].url == f"https://undocs.org/{other}/{SYMBOL}"


# -- command line --------------------------------------------------------------------------------


def cli_environment(monkeypatch: pytest.MonkeyPatch, un: UNServer, tmp_path: Path) -> None:
    """The CLI reads the loopback UN server and an embedded store under ``tmp_path``."""
    for key, value in {
        "PLEDGES_UN_DOCUMENTS_URL": un.url,
        "PLEDGES_UN_MIN_INTERVAL_S": "0",
        "PLEDGES_STORE": str(tmp_path / "store"),
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("PLEDGES_CHROMA_URL", "PLEDGES_EMBEDDER", "PLEDGES_LLM_URL"):
        monkeypatch.delenv(key, raising=False)


def test_cli_fetch_twice_then_ask_in_two_languages(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's acceptance run, through the commands a user types."""
    un.publish(SYMBOL, "en", pdfs["en"])
    un.publish(SYMBOL, "fr", pdfs["fr"])
    cli_environment(monkeypatch, un, tmp_path)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> Any:
        result = runner.invoke(app, [*args, "--json"])
        assert result.exit_code == code, result.output
        return json.loads(result.stdout)

    first = run("fetch", SYMBOL, "--languages", "en,fr")
    assert [(i["language"], i["status"]) for i in first["items"]] == [
        ("en", "fetched"),
        ("fr", "fetched"),
    ]
    second = run("fetch", SYMBOL, "--languages", "en,fr")
    assert [i["status"] for i in second["items"]] == ["unchanged", "unchanged"]
    for question, lang in [
        ("Will Ruritania ratify the Optional Protocol against Torture?", "en"),
        ("La Ruritanie va-t-elle ratifier le Protocole facultatif contre la torture ?", "fr"),
    ]:
        answer = run("ask", question)
        c = answer["citations"][0]
        assert (c["number"], c["language"], c["url"]) == (
            "6",
            lang,
            f"https://undocs.org/{lang}/{SYMBOL}",
        )
    missing = run("fetch", "A/78/404", "--languages", "en")
    assert [i["status"] for i in missing["items"]] == ["not_published"]
    assert {d["symbol"] for d in run("documents")} == {SYMBOL}

    text = runner.invoke(app, ["fetch", "A/78/404", "--languages", "en,fr"])
    assert text.exit_code == 0 and "not published" in text.output


def test_cli_offline_is_one_line_and_quick(tmp_path: Path) -> None:
    """No UN at the configured address: one line naming it, exit 1, nothing stored, before
    the embedder is even loaded."""
    import os
    import subprocess
    import sys
    import time

    port = unused_port()
    env = {
        **os.environ,
        "PLEDGES_UN_DOCUMENTS_URL": f"http://127.0.0.1:{port}",
        "PLEDGES_STORE": str(tmp_path / "store"),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from ui.cli import main; main()", "fetch", SYMBOL],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"error: cannot reach 127.0.0.1:{port}: [Errno 111] Connection refused"
    )
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "store" / "official").exists()
    assert elapsed < 30, elapsed


def test_cli_session_list(un: UNServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fetch.un_server import marc_record

    un.records = [
        marc_record(SYMBOL, "Candidature of Belgium to the Human Rights Council, 2026-2028",
                    "20240314", "Belgium. Permanent Mission",
                    ("A_78_812-EN.pdf", "A_78_812-FR.pdf")),
    ]  # fmt: skip
    monkeypatch.setenv("PLEDGES_UN_LIBRARY_URL", un.url)
    monkeypatch.setenv("PLEDGES_UN_MIN_INTERVAL_S", "0")
    monkeypatch.setenv("PLEDGES_STORE", str(tmp_path / "store"))
    result = CliRunner().invoke(app, ["fetch", "--session", "78", "--list", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["items"] == []
    (entry,) = data["listed"]
    assert (entry["symbol"], entry["country"]["code"], entry["languages"]) == (
        SYMBOL,
        "BEL",
        ["en", "fr"],
    )
    assert un.requests() == []  # listing downloads nothing
    table = CliRunner().invoke(app, ["fetch", "--session", "78", "--list"])
    assert SYMBOL in table.output and "en,fr" in table.output


# -- HTTP API ------------------------------------------------------------------------------------


def test_api_fetch_needs_the_admin_token_and_streams_progress(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, embedder: Any
) -> None:
    from fastapi.testclient import TestClient

    from ui.api import create_app
    from ui.settings import ServerSettings

    un.publish(SYMBOL, "en", pdfs["en"])
    svc = make_service(tmp_path / "store", un.url, embedder)
    server = ServerSettings(admin_token="s3cret", api_token="reader")
    svc.settings = svc.settings.model_copy(update={"server": server})
    with TestClient(create_app(svc)) as http:
        body = {"symbols": [SYMBOL], "languages": ["en", "fr"]}
        assert http.post("/v1/fetch", json=body).status_code == 401
        bad = http.post("/v1/fetch", json=body, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 403
        reader = http.post("/v1/fetch", json=body, headers={"Authorization": "Bearer reader"})
        assert reader.status_code == 403  # the read token does not fetch
        assert un.log == []
        auth = {"Authorization": "Bearer s3cret"}
        bad_symbol = http.post("/v1/fetch", json={"symbols": ["not a symbol"]}, headers=auth)
        assert bad_symbol.status_code == 422
        r = http.post("/v1/fetch", json={**body, "stream": True}, headers=auth)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
        events = [json.loads(line) for line in r.text.splitlines()]
        assert [e["event"] for e in events] == ["progress", "progress", "report"]
        assert [(e["done"], e["total"], e["item"]["status"]) for e in events[:2]] == [
            (1, 2, "fetched"),
            (2, 2, "not_published"),
        ]
        again = http.post("/v1/fetch", json=body, headers=auth)
        assert again.status_code == 200
        assert [i["status"] for i in again.json()["items"]] == ["unchanged", "not_published"]
        docs = http.get("/v1/documents", headers=auth).json()["documents"]
        assert [(d["symbol"], d["language"], d["url"]) for d in docs] == [
            (SYMBOL, "en", f"https://undocs.org/en/{SYMBOL}")
        ]


def test_chat_admin_fetch_reports_each_version_as_it_goes(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, embedder: Any
) -> None:
    from ui.app import run_fetch

    un.publish(SYMBOL, "en", pdfs["en"])
    un.publish(SYMBOL, "fr", pdfs["other"])
    svc = make_service(tmp_path / "store", un.url, embedder)
    steps = list(run_fetch(svc, f"{SYMBOL}, A/78/404", ["en", "fr"], True))
    assert [s.splitlines()[0] for s in steps] == [
        "Fetching… 1/4",
        "Fetching… 2/4",
        "Fetching… 3/4",
        "Fetching… 4/4",
        steps[-1].splitlines()[0],
    ]
    assert steps[-1].startswith("Done in ")
    assert "1 fetched, 2 not published, 1 failed" in steps[-1]
    assert f"- ✓ `{SYMBOL}` en: fetched, 12 ¶" in steps[-1]
    # A reason is written as literal characters (markdown-safe references): read it as shown.
    assert f"- ✗ `{SYMBOL}` fr: failed: the first page shows A/78/999" in html.unescape(steps[-1])
    assert "- – `A/78/404` en: not published" in steps[-1]
    assert list(run_fetch(svc, "  ", ["en"], True)) == [
        "Name at least one UN symbol, e.g. `A/77/89`, or a session."
    ]


def test_api_fetch_when_the_un_is_unreachable(tmp_path: Path, embedder: Any) -> None:
    from fastapi.testclient import TestClient

    from ui.api import create_app
    from ui.settings import ServerSettings

    port = unused_port()
    svc = make_service(tmp_path / "store", f"http://127.0.0.1:{port}", embedder)
    svc.settings = svc.settings.model_copy(update={"server": ServerSettings(admin_token="s3cret")})
    auth = {"Authorization": "Bearer s3cret"}
    with TestClient(create_app(svc)) as http:
        r = http.post("/v1/fetch", json={"symbols": [SYMBOL]}, headers=auth)
        assert r.status_code == 503
        assert r.json()["error"] == {
            "code": "un_unreachable",
            "message": f"cannot reach 127.0.0.1:{port}: [Errno 111] Connection refused",
        }
        streamed = http.post("/v1/fetch", json={"symbols": [SYMBOL], "stream": True}, headers=auth)
        (event,) = [json.loads(line) for line in streamed.text.splitlines()]
        assert event == {"event": "error", "error": r.json()["error"]}
    assert not (tmp_path / "store" / "official").exists()


def test_session_fetch_asks_for_the_listed_languages_with_the_listed_country(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, embedder: Any
) -> None:
    from tests.fetch.un_server import marc_record

    un.records = [
        marc_record(SYMBOL, "Note verbale dated 14 March 2024 from the Permanent Mission",
                    "20240314", "Belgium. Permanent Mission to the United Nations",
                    ("A_78_812-EN.pdf", "A_78_812-FR.pdf"),
                    agenda="Election of members of the Human Rights Council"),
    ]  # fmt: skip
    un.publish(SYMBOL, "en", pdfs["en"])
    un.publish(SYMBOL, "fr", pdfs["fr"])
    svc = make_service(tmp_path / "store", un.url, embedder)
    listed = svc.fetch(session=78, list_only=True)
    assert [e.symbol for e in listed.listed] == [SYMBOL] and listed.items == []
    assert un.requests() == [] and svc.documents() == []
    report = svc.fetch(session=78)  # languages "all": only the two the library lists
    assert [(i.language, i.status) for i in report.items] == [("en", "fetched"), ("fr", "fetched")]
    assert {(d.language, d.country.code if d.country else None) for d in svc.documents()} == {
        ("en", "BEL"),
        ("fr", "BEL"),
    }
    assert [r.query["l"] for r in un.requests()] == [["en"], ["fr"]]


# -- the ingest checks apply to fetched copies ---------------------------------------------------


def test_fetch_reports_bytes_stored_under_another_id_as_a_duplicate(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, embedder: Any
) -> None:
    """The document system answering a language it has no translation for with the bytes of
    another language version: those bytes are stored once, the second version is a duplicate
    naming the first, as ``pledges ingest`` reports a copy under another name."""
    un.publish(SYMBOL, "en", pdfs["en"])
    un.publish(SYMBOL, "fr", pdfs["en"])  # the English PDF again
    svc = make_service(tmp_path / "store", un.url, embedder)
    report = svc.fetch([SYMBOL], languages="en,fr")
    en, fr = report.items
    assert (en.status, en.ingest, en.doc_id) == ("fetched", "added", "a-78-812.en")
    assert (fr.status, fr.ingest, fr.doc_id) == ("duplicate", None, "a-78-812.en")
    assert fr.sha256 == en.sha256 and "not stored twice" in (fr.note or "")
    assert report.duplicates == [fr] and report.failed == []
    from ui.app import fetch_lines

    assert fetch_lines(fr) == f"- ≡ `{SYMBOL}` fr: duplicate of `a-78-812.en`, not stored twice"
    assert [d.doc_id for d in svc.documents()] == ["a-78-812.en"]
    # Asked again (the kept copy's validators go along): still a duplicate, still one document.
    again = svc.fetch([SYMBOL], languages="en,fr")
    assert [(i.status, i.doc_id) for i in again.items] == [
        ("unchanged", "a-78-812.en"),
        ("duplicate", "a-78-812.en"),
    ]
    assert [d.doc_id for d in svc.documents()] == ["a-78-812.en"]


def test_fetch_fails_a_second_version_that_resolves_to_a_taken_id(
    un: UNServer, tmp_path: Path, embedder: Any
) -> None:
    """Two symbols whose document ids are the same (``A/C.3/78/1`` and ``A/C/3/78/1`` both give
    ``a-c-3-78-1``): the second fails by name instead of replacing what the first just stored."""
    from tests.ingest.pledges import write_pdf

    first_symbol, second_symbol = "A/C.3/78/1", "A/C/3/78/1"
    for n, symbol in enumerate((first_symbol, second_symbol)):
        pdf = write_pdf(EN, tmp_path / f"{n}.pdf", symbol=symbol).read_bytes()
        un.publish(symbol, "en", pdf)
    svc = make_service(tmp_path / "store", un.url, embedder)
    first, second = svc.fetch([first_symbol, second_symbol], languages="en").items
    assert (first.status, first.doc_id) == ("fetched", "a-c-3-78-1.en")
    assert second.status == "failed"
    assert "'a-c-3-78-1.en' was already taken by A_C.3_78_1-EN.pdf" in (second.error or "")
    (doc,) = svc.documents()
    assert (doc.doc_id, doc.symbol) == ("a-c-3-78-1.en", first_symbol)


def test_cli_fetch_of_bytes_already_ingested_under_another_name_exits_3(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pledges ingest`` of a local copy, then ``pledges fetch`` of the same bytes: a duplicate
    of the local copy, exit 3 (as ``pledges ingest`` of a second copy exits), nothing stored
    twice; a failed version still makes it exit 1."""
    un.publish(SYMBOL, "en", pdfs["en"])
    un.publish(SYMBOL, "fr", pdfs["other"])
    local = tmp_path / "downloaded-earlier.pdf"
    local.write_bytes(pdfs["en"])
    cli_environment(monkeypatch, un, tmp_path)
    runner = CliRunner()
    stored = runner.invoke(app, ["ingest", str(local), "--meta", "doc_id=local-copy", "--json"])
    assert stored.exit_code == 0, stored.output

    result = runner.invoke(app, ["fetch", SYMBOL, "--languages", "en", "--json"])
    assert result.exit_code == 3, result.output
    (item,) = json.loads(result.stdout)["items"]
    assert (item["status"], item["doc_id"]) == ("duplicate", "local-copy")
    assert "local-copy" in item["note"] and "downloaded-earlier.pdf" in item["note"]
    docs = json.loads(runner.invoke(app, ["documents", "--json"]).stdout)
    assert [d["doc_id"] for d in docs] == ["local-copy"]

    table = runner.invoke(app, ["fetch", SYMBOL, "--languages", "en"])
    assert table.exit_code == 3 and "duplicate" in table.output
    # A failure outranks a duplicate: exit 1, as for ingest.
    both = runner.invoke(app, ["fetch", SYMBOL, "--languages", "en,fr", "--json"])
    assert both.exit_code == 1, both.output
    assert [i["status"] for i in json.loads(both.stdout)["items"]] == ["duplicate", "failed"]


@pytest.mark.server
def test_fetch_stops_at_a_store_outage_instead_of_failing_every_version(
    un: UNServer, pdfs: dict[str, bytes], tmp_path: Path, embedder: Any
) -> None:
    from tests.hardening.test_faults import ChromaProcess
    from vectorstore.errors import StoreError

    un.publish(SYMBOL, "en", pdfs["en"])
    un.publish(SYMBOL, "fr", pdfs["fr"])
    chroma = ChromaProcess(tmp_path / "chroma-data")
    chroma.start()
    try:
        store = StoreSettings(store=tmp_path / "store", chroma_url=chroma.url, collection="fetch")
        settings = Settings(
            store=store,
            llm=LLMSettings(url=None, model=None, api_key=None),
            un=fast_settings(un.url),
        )
        svc = PledgeService(
            settings, store=settings.get_store(embedder=embedder), embedder=embedder
        )
        chroma.kill()
        sent = len(un.log)
        # Was a report of two "failed" versions, each downloaded and each blamed.
        with pytest.raises(StoreError) as raised:
            svc.fetch([SYMBOL], languages="en,fr")
        message = str(raised.value)
        assert "\n" not in message and f"the Chroma server at {chroma.url} cannot be" in message
        assert f"fetch stopped at {SYMBOL} en (version 1 of 2), with 0 version(s)" in message
        # The French version was not even asked for.
        asked = [r.query.get("l") for r in un.log[sent:] if r.path == "/api/symbol/access"]
        assert asked == [["en"]], asked
    finally:
        chroma.kill()
