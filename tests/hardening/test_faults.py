"""Faults: ``kill -9`` of an ingest in progress, and a Chroma server that goes away mid-request.

After a kill the store holds no half document (every stored paragraph belongs to a committed
document with the same sha256, every committed document has all its paragraphs), the lexical
index matches Chroma, and running the same ingest again completes. A Chroma server stopped while
requests are in flight gives a one-line StoreError (HTTP 503), and the app answers again once
the server is back.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.run import ThreadedServer
from tests.conftest import _chroma_bin_args, _free_port
from vectorstore.errors import StoreError

PLEDGES = str(Path(sys.executable).parent / "pledges")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGES_")}
    env.update(ANONYMIZED_TELEMETRY="False", HF_HUB_OFFLINE="1", **extra)
    return env


def _stored_rows(store_dir: Path) -> int:
    """Rows Chroma has written so far (read-only look at its SQLite file)."""
    db = store_dir / "chroma.sqlite3"
    if not db.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as c:
            return int(c.execute("select count(*) from embeddings").fetchone()[0])
    except sqlite3.Error:
        return 0


def assert_consistent(store: Any, expected: dict[str, int]) -> None:
    """No half document, nothing uncommitted left, lexical index == Chroma.

    Args:
        store: A freshly opened store (leftovers swept).
        expected: Paragraph count of each file's document, by doc_id.
    """
    committed = {d.doc_id: d.sha256 for d in store.documents()}
    raw = store._col.get(include=["metadatas"])
    per_doc: dict[str, int] = {}
    for rid, meta in zip(raw["ids"], raw["metadatas"], strict=True):
        assert meta["doc_id"] in committed, f"{rid} belongs to no committed document"
        assert meta["sha256"] == committed[meta["doc_id"]], f"{rid} is of another version"
        per_doc[meta["doc_id"]] = per_doc.get(meta["doc_id"], 0) + 1
    for doc_id in committed:
        assert per_doc.get(doc_id) == expected[doc_id], f"{doc_id} is incomplete"
    assert store.lexical.ids() == set(raw["ids"])
    assert store.count() == len(raw["ids"])


@pytest.mark.slow
def test_kill_9_during_ingest_leaves_a_consistent_store(tmp_path: Path, embedder: Any) -> None:
    from bench.synthetic import write_corpus
    from vectorstore.settings import StoreSettings
    from vectorstore.store import PledgeStore

    corpus = write_corpus(tmp_path / "corpus", paragraphs=240, per_document=12)
    expected = {d.doc_id: d.paragraphs for d in corpus.documents}
    store_dir = tmp_path / "store"
    cmd = [PLEDGES, "ingest", str(corpus.directory), "--store", str(store_dir), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    deadline = time.monotonic() + 240
    try:
        # Kill once a few documents are in, while the rest are still being written.
        while _stored_rows(store_dir) < 40 and proc.poll() is None:
            assert time.monotonic() < deadline, "ingest wrote nothing within 240 s"
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"

    # Reopen as a later run would once the grace period is over: leftovers are swept.
    settings = StoreSettings(store=store_dir)
    store = PledgeStore.from_settings(settings, embedder=embedder, sweep_grace_s=0)
    assert 0 < len(store.documents()) < len(corpus.documents)
    assert_consistent(store, expected)
    store.close()
    del store

    again = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=600)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    store = PledgeStore.from_settings(settings, embedder=embedder, sweep_grace_s=0)
    assert sorted(d.doc_id for d in store.documents()) == sorted(expected)
    assert_consistent(store, expected)


class ChromaProcess:
    """``chroma run`` on a fixed loopback port and data path, which can be stopped and
    started again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [*_chroma_bin_args(), "--path", str(self.path), "--host", "127.0.0.1"]
        cmd += ["--port", str(self.port)]
        log = (self.path.parent / "chroma.log").open("ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=_env())
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None, "chroma run exited"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            assert time.monotonic() < deadline, f"chroma did not answer on {self.url}"
            time.sleep(0.2)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=15)


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaProcess]:
    server = ChromaProcess(tmp_path / "chroma-data")
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.mark.server
@pytest.mark.slow
def test_chroma_stopped_mid_request_gives_503_then_recovers(
    chroma: ChromaProcess, embedder: Any, sample_parsed: Any, tmp_path: Path
) -> None:
    from assistant.service import PledgeService
    from tests.hardening.conftest import offline_settings
    from ui.api import create_app
    from vectorstore.settings import StoreSettings
    from vectorstore.store import PledgeStore

    settings = offline_settings(tmp_path / "unused")
    settings = settings.model_copy(
        update={"store": StoreSettings(chroma_url=chroma.url, collection="faults")}
    )
    store = PledgeStore.from_settings(settings.store, embedder=embedder)
    store.upsert(sample_parsed)
    service = PledgeService(settings, store=store, embedder=embedder, llm=None)
    question = {"question": "What did Belgium commit to on the death penalty?"}

    statuses: list[int] = []
    bodies: list[dict[str, Any]] = []
    stop = threading.Event()
    with ThreadedServer(create_app(service, settings=settings)) as server:
        http = httpx.Client(base_url=server.url, timeout=120)
        assert http.post("/v1/ask", json=question).status_code == 200

        def hammer() -> None:
            while not stop.is_set():
                r = http.post("/v1/ask", json=question)
                statuses.append(r.status_code)
                bodies.append(r.json())

        worker = threading.Thread(target=hammer, daemon=True)
        worker.start()
        time.sleep(0.5)
        chroma.kill()  # while asks are in flight
        time.sleep(2.0)
        stop.set()
        worker.join(timeout=120)
        assert set(statuses) <= {200, 503}, statuses
        assert 503 in statuses
        error = bodies[statuses.index(503)]["error"]
        assert error["code"] == "store_error"
        assert "\n" not in error["message"] and chroma.url.split("//")[1] in error["message"]

        with pytest.raises(StoreError) as raised:
            service.ask("What did Belgium commit to on the death penalty?")
        assert len(str(raised.value).splitlines()) == 1

        chroma.start()  # same port, same data
        r = http.post("/v1/ask", json=question)
        assert r.status_code == 200, r.text
        assert r.json()["citations"], "the restarted server lost the sample"
        http.close()


@pytest.mark.server
@pytest.mark.slow
def test_chroma_stopped_mid_ingest_names_the_url_and_leaves_no_half_document(
    chroma: ChromaProcess, embedder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.service import PledgeService
    from tests.e2e.test_api import NORWAY
    from tests.hardening.conftest import ADMIN, offline_settings
    from tests.vectorstore.helpers import EN_PLEDGE, FR_PLEDGE, make_parsed
    from ui.api import create_app
    from vectorstore.settings import StoreSettings
    from vectorstore.store import PledgeStore

    settings = offline_settings(tmp_path / "unused")
    settings = settings.model_copy(
        update={"store": StoreSettings(chroma_url=chroma.url, collection="midingest")}
    )
    store = PledgeStore.from_settings(settings.store, embedder=embedder)
    store.upsert(make_parsed("bel.en", EN_PLEDGE))

    # The server dies after the paragraphs of a new document are written, before its commit.
    commit = store.backend.commit

    def commit_after_the_server_died(*args: Any, **kwargs: Any) -> None:
        chroma.kill()
        commit(*args, **kwargs)

    monkeypatch.setattr(store.backend, "commit", commit_after_the_server_died)
    with pytest.raises(StoreError) as raised:
        store.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))
    monkeypatch.undo()
    message = str(raised.value)
    # Was "writing document ... failed: [Errno 111] Connection refused".
    assert "\n" not in message and "'fra.fr'" in message, message
    assert f"the Chroma server at {chroma.url} cannot be reached (PLEDGES_CHROMA_URL" in message

    with pytest.raises(StoreError) as raised:  # was "collection 'midingest' ... is gone"
        store.documents()
    assert "is gone" not in str(raised.value)
    assert f"the Chroma server at {chroma.url} cannot be reached" in str(raised.value)

    service = PledgeService(settings, store=store, embedder=embedder, llm=None)
    upload = {"file": ("norway.txt", NORWAY.encode(), "text/plain")}
    admin = {"Authorization": f"Bearer {ADMIN}"}
    with ThreadedServer(create_app(service, settings=settings)) as server:
        http = httpx.Client(base_url=server.url, timeout=120)
        # A store that is down is the server's problem (503), not a file it cannot ingest (422).
        r = http.post("/v1/documents", files=upload, headers=admin)
        assert r.status_code == 503, r.text
        error = r.json()["error"]
        assert error["code"] == "store_error" and chroma.url in error["message"]

        chroma.start()  # same port, same data: no half document of fra.fr
        fresh = PledgeStore.from_settings(settings.store, embedder=embedder, sweep_grace_s=0)
        assert [d.doc_id for d in fresh.documents()] == ["bel.en"]
        assert_consistent(fresh, {"bel.en": len(EN_PLEDGE)})

        r = http.post("/v1/documents", files=upload, headers=admin)
        assert r.status_code == 200, r.text
        assert r.json()["files"][0]["status"] == "added"
        http.close()
