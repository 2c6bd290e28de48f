"""A Chroma server that is down: when the server starts, and while files are being stored.

``pledges serve`` starts anyway, answers 503 with the store's error (the chat and the Documents
tab say it too), and serves the store once the Chroma server is up, without a restart (a first
start then ingests the sample). An upload or an ingest while the store is down is the store's
failure, never reported as a broken file, and leaves no half document.
"""

from __future__ import annotations

import html
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.run import ThreadedServer
from tests.e2e.conftest import DEATH_PENALTY
from tests.hardening.conftest import ADMIN, offline_settings
from tests.hardening.test_faults import PLEDGES, ChromaProcess, _env, assert_consistent
from vectorstore.errors import StoreError

pytestmark = [pytest.mark.server, pytest.mark.slow]

UNREACHABLE = "cannot be reached (PLEDGES_CHROMA_URL; is it running?)"


def _until(check: Callable[[], bool], seconds: float, why: Callable[[], str]) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, why()
        time.sleep(0.5)


def _status(url: str) -> int:
    try:
        return httpx.get(url + "/healthz", timeout=5).status_code
    except httpx.TransportError:
        return 0


def test_serve_starts_while_chroma_is_down_answers_503_and_recovers(tmp_path: Path) -> None:
    chroma = ChromaProcess(tmp_path / "chroma-data")  # its port, nothing listening yet
    from tests.conftest import _free_port

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = _env(PLEDGES_CHROMA_URL=chroma.url, PLEDGES_ADMIN_TOKEN=ADMIN)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [PLEDGES, "serve", "--port", str(port), "--store", str(tmp_path / "store")],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
    try:
        # It serves (it exited with "error: could not reach the Chroma server" before).
        _until(lambda: proc.poll() is not None or _status(url) != 0, 240, log.read_text)
        assert proc.poll() is None, log.read_text()
        with httpx.Client(base_url=url, timeout=120) as http:
            for response in (
                http.get("/healthz"),
                http.post("/v1/ask", json={"question": DEATH_PENALTY}),
                http.get("/v1/documents"),
                http.post(
                    "/v1/documents",
                    files={"file": ("bel.txt", b"Belgium pledges.", "text/plain")},
                    headers={"Authorization": f"Bearer {ADMIN}"},
                ),
            ):
                assert response.status_code == 503, response.text
                error = response.json()["error"]
                assert error["code"] == "store_error", error
                assert f"the Chroma server at {chroma.url} {UNREACHABLE}" in error["message"]

            chroma.start()  # recovery needs no restart of the server
            _until(lambda: _status(url) == 200, 120, log.read_text)
            # The first start's sample is ingested once the (empty) store can be reached.
            _until(lambda: http.get("/healthz").json()["documents"] == 1, 120, log.read_text)
            answer = http.post("/v1/ask", json={"question": DEATH_PENALTY}).json()
            assert "8" in [c["number"] for c in answer["citations"]], answer
        text = log.read_text()
        assert "Traceback" not in text, text
        # One warning per reason, not one per retry (the retries sleep in between).
        assert text.count("the store is not ready") == 1, text
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        chroma.kill()


def _ui_call(demo: Any, name: str, *args: Any) -> Any:
    """Call the chat app's event handler ``name`` as Gradio would, with the given inputs."""
    for block_fn in demo.fns.values():
        if getattr(block_fn.fn, "__name__", "") == name:
            return block_fn.fn(*args)
    raise AssertionError(f"no event handler {name} in the app")


def test_chat_and_documents_tab_say_the_store_is_unreachable_then_recover(
    tmp_path: Path, embedder: Any, sample_parsed: Any
) -> None:
    from assistant.service import PledgeService
    from ui.app import build_ui
    from vectorstore.settings import StoreSettings
    from vectorstore.store import PledgeStore

    chroma = ChromaProcess(tmp_path / "chroma-data")
    settings = offline_settings(tmp_path / "unused")
    settings = settings.model_copy(
        update={"store": StoreSettings(chroma_url=chroma.url, collection="down")}
    )
    service = PledgeService(settings, embedder=embedder, llm=None)
    started = time.perf_counter()
    demo = build_ui(service)  # builds although the store cannot be opened
    assert time.perf_counter() - started < 30

    rows, notice, *_ = _ui_call(demo, "store_views")
    assert rows == []
    # Was an empty table with no word of why. (The message is markdown-literal: unescaped.)
    shown = html.unescape(notice)
    assert "The store cannot be reached" in shown, shown
    assert f"the Chroma server at {chroma.url} {UNREACHABLE}" in shown, shown

    *_, last = _ui_call(demo, "chat", DEATH_PENALTY, [], [], "", "", "")
    reply = last[0][-1]["content"]
    assert reply.startswith("⚠️") and "cannot be reached" in reply, reply

    try:
        chroma.start()
        store = PledgeStore.from_settings(settings.store, embedder=embedder)
        store.upsert(sample_parsed)
        service.STORE_RETRY_S = 0.0  # the next call opens the store (no interval to wait)
        rows, notice, *_ = _ui_call(demo, "store_views")
        assert notice == "" and [r[-1] for r in rows] == [sample_parsed.document.doc_id]
        *_, last = _ui_call(demo, "chat", DEATH_PENALTY, [], [], "", "", "")
        assert "cite-" in last[0][-1]["content"], last[0][-1]
    finally:
        chroma.kill()


def test_upload_and_ingest_while_the_store_is_down_blame_the_store_not_the_file(
    tmp_path: Path, embedder: Any
) -> None:
    from assistant.service import PledgeService
    from tests.e2e.test_api import NORWAY
    from tests.vectorstore.helpers import EN_PLEDGE, make_parsed
    from ui.api import create_app
    from vectorstore.settings import StoreSettings
    from vectorstore.store import PledgeStore

    chroma = ChromaProcess(tmp_path / "chroma-data")
    chroma.start()
    try:
        settings = offline_settings(tmp_path / "unused")
        settings = settings.model_copy(
            update={"store": StoreSettings(chroma_url=chroma.url, collection="uploads")}
        )
        store = PledgeStore.from_settings(settings.store, embedder=embedder)
        store.upsert(make_parsed("bel.en", EN_PLEDGE))
        service = PledgeService(settings, store=store, embedder=embedder, llm=None)
        norway = tmp_path / "norway.txt"
        norway.write_text(NORWAY, encoding="utf-8")
        chroma.kill()

        # Was a report with the file "failed" (the API had to ask the store again to say 503).
        with pytest.raises(StoreError) as raised:
            service.ingest_bytes(NORWAY.encode(), "norway.txt")
        assert f"the Chroma server at {chroma.url} {UNREACHABLE}" in str(raised.value)

        # A batch stops at the outage and says where, instead of failing every file after it.
        other = tmp_path / "other.txt"
        other.write_text(NORWAY.replace("Norway", "Iceland"), encoding="utf-8")
        with pytest.raises(StoreError) as raised:
            service.ingest([norway, other])
        message = str(raised.value)
        assert "\n" not in message and UNREACHABLE in message, message
        assert f"ingest stopped at {norway} (file 1 of 2), with 0 file(s) stored" in message

        with ThreadedServer(create_app(service, settings=settings)) as server:
            http = httpx.Client(base_url=server.url, timeout=120)
            r = http.post(
                "/v1/documents",
                files={"file": ("norway.txt", NORWAY.encode(), "text/plain")},
                headers={"Authorization": f"Bearer {ADMIN}"},
            )
            assert r.status_code == 503, r.text
            assert r.json()["error"]["code"] == "store_error"
            http.close()

        chroma.start()  # nothing of norway.txt was committed
        fresh = PledgeStore.from_settings(settings.store, embedder=embedder, sweep_grace_s=0)
        assert [d.doc_id for d in fresh.documents()] == ["bel.en"]
        assert_consistent(fresh, {"bel.en": len(EN_PLEDGE)})
        report = service.ingest_bytes(NORWAY.encode(), "norway.txt")
        assert [f.status for f in report.files] == ["added"], report
    finally:
        chroma.kill()
