"""Simultaneous uploads over real HTTP: the duplicate check and the write of one document are one
step, so the same bytes sent at the same moment under several names are stored once.

A real uvicorn on loopback serves the API over a temp-dir store with the bundled embedder; the
requests start together from threads behind a barrier.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.service import PledgeService
from assistant.settings import LLMSettings
from bench.run import ThreadedServer
from tests.e2e.conftest import server_settings
from ui.settings import Settings

ADMIN = {"Authorization": "Bearer race-admin"}

#: No symbol, no term: the document id comes from the file name, so each name is its own id and
#: only the content check can tell that the uploads are one document.
PLEDGE = (
    "Ruritania for the Human Rights Council\n\n"
    "1. Ruritania will ratify the Optional Protocol to the Convention against Torture.\n\n"
    "2. Ruritania will report on time to the treaty bodies and follow up their"
    " recommendations.\n\n"
    "3. Ruritania will abolish the death penalty in law and in practice.\n"
)


@pytest.fixture
def served(tmp_path: Path, embedder: Any) -> Iterator[tuple[PledgeService, str]]:
    from ui.api import create_app

    settings = Settings().with_store(tmp_path / "store")
    settings = settings.model_copy(
        update={
            "store": settings.store.model_copy(update={"chroma_url": None}),
            "llm": LLMSettings(url=None),
        }
    )
    settings = server_settings(settings, admin_token="race-admin")
    service = PledgeService(settings, embedder=embedder, llm=None)
    with ThreadedServer(create_app(service)) as server:
        yield service, server.url


def post_together(url: str, uploads: list[tuple[str, bytes]]) -> list[httpx.Response]:
    """POST every upload at once, each from its own thread and connection."""
    barrier = threading.Barrier(len(uploads))
    out: list[httpx.Response | BaseException | None] = [None] * len(uploads)

    def send(i: int, name: str, data: bytes) -> None:
        try:
            with httpx.Client(base_url=url, timeout=120) as client:
                files = {"file": (name, io.BytesIO(data), "text/plain")}
                barrier.wait()
                out[i] = client.post("/v1/documents", files=files, headers=ADMIN)
        except BaseException as e:  # reported by the caller
            out[i] = e

    threads = [
        threading.Thread(target=send, args=(i, name, data))
        for i, (name, data) in enumerate(uploads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    responses = [r for r in out if isinstance(r, httpx.Response)]
    assert len(responses) == len(uploads), out
    return responses


def test_the_same_bytes_uploaded_at_once_under_four_names_are_stored_once(
    served: tuple[PledgeService, str],
) -> None:
    service, url = served
    data = PLEDGE.encode()
    names = [f"pledge-{c}.txt" for c in "abcd"]
    responses = post_together(url, [(name, data) for name in names])
    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    files = [r.json()["files"][0] for r in responses]
    stored = [d for d in service.documents() if d.sha256 == hashlib.sha256(data).hexdigest()]
    assert len(stored) == 1, [d.doc_id for d in stored]
    (doc,) = stored
    assert sorted(f["status"] for f in files) == ["added", "duplicate", "duplicate", "duplicate"]
    assert {f["doc_id"] for f in files} == {doc.doc_id}  # each duplicate names the stored one
    assert len(service.store.paragraphs(doc.doc_id)) == 3


def test_the_lock_is_held_for_one_content_only(served: tuple[PledgeService, str]) -> None:
    """While the check-and-write of one content is under way, another document's upload goes
    through; an upload of the same content waits for it."""
    from assistant.indexing import CONTENT_LOCKS

    service, url = served
    other = PLEDGE.replace("Ruritania", "Freedonia").encode()
    data = PLEDGE.encode()
    with httpx.Client(base_url=url, timeout=120) as client:

        def send(name: str, body: bytes) -> httpx.Response:
            files = {"file": (name, io.BytesIO(body), "text/plain")}
            return client.post("/v1/documents", files=files, headers=ADMIN)

        key = (service.store.location, hashlib.sha256(data).hexdigest())
        waiting: list[httpx.Response] = []
        with CONTENT_LOCKS.hold(key):
            # Another content is not held up by this one.
            assert send("freedonia.txt", other).json()["files"][0]["status"] == "added"
            same = threading.Thread(target=lambda: waiting.append(send("ruritania.txt", data)))
            same.start()
            time.sleep(1.0)
            assert waiting == []  # held until the first check-and-write is done
        same.join(timeout=120)
        assert [r.json()["files"][0]["status"] for r in waiting] == ["added"]
    assert len(CONTENT_LOCKS) == 0  # a lock lives only while it is held or waited for
