"""The one object the CLI, the HTTP API and the chat UI call.

Callers parse their input, call a method here and render the record it returns; none of them
reaches into ``ingest``, ``vectorstore`` or the answer chain directly.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.chain import AnswerChain
from assistant.claims import verify_claim
from assistant.fetching import (
    OFFICIAL_DIR,
    OfficialCopies,
    fetch_symbols,
    normalize_symbol,
    parse_languages_option,
)
from assistant.indexing import IngestBatch, ingest_paths
from assistant.limits import check_history, check_question
from assistant.llm import make_chat_model
from assistant.settings import LLMSettings, ServiceSettings
from assistant.types import Answer, FetchItem, FetchReport, FileReport, IngestReport, Verdict
from ingest.errors import ConfigError, PledgeError
from ingest.pipeline import parse_bytes, parse_file
from ingest.records import Document, Paragraph, ParsedDocument
from vectorstore.asktype import FigureDirection, calibrated
from vectorstore.embedders import Embedder
from vectorstore.errors import StoreError
from vectorstore.glossary import default_glossary
from vectorstore.latent import FramingLatents
from vectorstore.records import Filters, SearchHit
from vectorstore.retrieval import ConceptVectors, HybridRetriever
from vectorstore.store import PledgeStore
from vectorstore.topic import scorer_for

#: Called as ingest progresses: (files done, files total, paragraphs embedded so far).
ProgressFn = Callable[[int, int, int], None]


class PledgeService:
    """Facade over ingest, retrieval and answering.

    The store is opened on first use. When it cannot be opened (a Chroma server that is down),
    every call raises the :class:`StoreError` that says why, and the next call after
    :attr:`STORE_RETRY_S` seconds tries again: a server started without its store serves the
    error and recovers when the store comes up, trying once an interval, not once a request.

    Args:
        settings: Application settings; read from the environment when omitted.
        store: A ready store (tests inject a temp-dir one); built from settings when omitted.
        embedder: A ready embedder; built from settings when omitted.
        llm: A LangChain chat model; built from settings when omitted (None: extractive answers).
    """

    def __init__(
        self,
        settings: ServiceSettings | None = None,
        store: PledgeStore | None = None,
        embedder: Embedder | None = None,
        llm: Any | None = None,
    ) -> None:
        self.settings = settings or ServiceSettings()
        self._store = store
        self._embedder = embedder
        self._llm = llm
        # One thread opens the store; the others wait for it instead of opening their own.
        self._store_lock = threading.Lock()
        #: When the last attempt to open the store failed, and why.
        self._store_failure: tuple[float, StoreError] | None = None

    #: After the store failed to open, calls raise that error again for this many seconds
    #: before the next attempt (an outage costs one connection attempt an interval).
    STORE_RETRY_S = 2.0

    # -- collaborators, created on first use -------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        """The embedder: the given one, the store's, or the configured one."""
        if self._embedder is None:
            self._embedder = self._store.embedder if self._store else self.settings.get_embedder()
        return self._embedder

    @property
    def store(self) -> PledgeStore:
        """The store: the given one, or the configured one (opened on first use).

        Raises:
            StoreError: The store cannot be opened (the same error, without a new attempt,
                until :attr:`STORE_RETRY_S` seconds have passed since the last one).
        """
        store = self._store
        if store is not None:
            return store
        with self._store_lock:
            if self._store is None:
                self._store = self._open_store()
            return self._store

    def _open_store(self) -> PledgeStore:
        failure = self._store_failure
        if failure is not None and time.monotonic() - failure[0] < self.STORE_RETRY_S:
            error = failure[1]
            raise type(error)(str(error)) from error
        try:
            store = self.settings.get_store(embedder=self.embedder)
        except StoreError as e:
            self._store_failure = (time.monotonic(), e)
            raise
        self._store_failure = None
        return store

    @cached_property
    def llm(self) -> Any | None:
        """The chat model: the given one, the configured one, or None (extractive answers)."""
        if self._llm is not None:
            return self._llm
        return make_chat_model(self.settings.llm) if self.settings.llm.enabled else None

    # -- ingest --------------------------------------------------------------------------------

    def parse(self, path: Path | str, meta: dict[str, str] | None = None) -> ParsedDocument:
        """Parse one file into records without touching the store."""
        return parse_file(Path(path), overrides=meta)

    def ingest(
        self,
        paths: Iterable[Path | str],
        meta: dict[str, str] | None = None,
        progress: ProgressFn | None = None,
    ) -> IngestReport:
        """Parse, embed and upsert files; a bad file is reported and the rest still lands.

        Raises:
            StoreError: The store failed; the ingest stops there (see
                :func:`assistant.indexing.ingest_paths`).
        """
        return ingest_paths(self.store, [Path(p) for p in paths], overrides=meta, progress=progress)

    def ingest_batch(self) -> IngestBatch:
        """A batch for several uploads of one request (see :class:`IngestBatch`)."""
        return IngestBatch(self.store)

    def ingest_bytes(
        self,
        data: bytes,
        filename: str,
        meta: dict[str, str] | None = None,
        progress: ProgressFn | None = None,
        batch: IngestBatch | None = None,
    ) -> IngestReport:
        """Parse, embed and upsert one uploaded file from its bytes (HTTP API, chat upload).

        ``filename`` only picks the reader by its suffix and is recorded as the source; it is
        never opened or joined into a path. A file that cannot be read or parsed is reported as
        ``failed``, not raised. Uploads of one request share ``batch``, so that two of them with
        the same document id do not overwrite each other; without one the file is a batch of
        its own.

        Raises:
            StoreError: The store cannot be read or written (a Chroma server that is down): the
                file is not at fault, and nothing of it is committed.
        """
        started = time.perf_counter()
        name = filename.replace("\\", "/").rsplit("/", 1)[-1] or "upload"
        embedded = 0

        def on_batch(n: int) -> None:
            nonlocal embedded
            embedded += n
            if progress:
                progress(0, 1, embedded)

        try:
            parsed = parse_bytes(data, name, overrides=meta)
            file = (batch or IngestBatch(self.store)).add(name, parsed, on_progress=on_batch)
        except StoreError:
            raise  # the store's failure, not the file's: the caller says the store is down
        except PledgeError as e:
            file = FileReport(path=name, status="failed", error=str(e).splitlines()[0])
        if progress:
            progress(1, 1, embedded)
        return IngestReport(files=[file], seconds=round(time.perf_counter() - started, 3))

    def fetch(
        self,
        symbols: Sequence[str] = (),
        session: int | None = None,
        languages: str | Sequence[str] | None = None,
        ingest: bool = True,
        list_only: bool = False,
        progress: Callable[[FetchItem, int, int], None] | None = None,
    ) -> FetchReport:
        """Official copies from the UN, kept and ingested.

        Official copies from the UN: each language version of each symbol, checked, kept
        under ``<store>/official`` by hash and (unless ``ingest`` is False) ingested.

        Args:
            symbols: UN symbols such as ``A/77/89``.
            session: A General Assembly session: its candidature notes are found through the
                Digital Library and listed in ``FetchReport.listed`` (fetched too, unless
                ``list_only``).
            languages: ``"all"`` (the default), ``"en,fr"`` or a list of codes.
            ingest: Ingest what is fetched (False keeps the bytes only).
            list_only: With ``session``: list, download nothing.
            progress: Called after each language version with (item, done, planned).

        Raises:
            ConfigError: Neither symbols nor a session, a bad symbol or language.
            UnreachableError: The UN cannot be reached (one line naming the host).
        """
        langs = parse_languages_option(languages)
        if not symbols and session is None:
            raise ConfigError("name at least one UN symbol (e.g. A/77/89) or a --session")
        started = time.perf_counter()
        with self.settings.get_un_client() as client:
            listed = client.search_session(session) if session is not None else []
            if list_only:
                return FetchReport(listed=listed, seconds=round(time.perf_counter() - started, 3))
            entries = {normalize_symbol(e.symbol): e for e in listed}
            wanted = [*symbols, *entries]
            copies = OfficialCopies(Path(self.settings.store.store) / OFFICIAL_DIR)
            report = fetch_symbols(
                client,
                copies,
                (lambda: self.store) if ingest else None,
                wanted,
                langs,
                progress=progress,
                entries=entries,
            )
        return report.model_copy(
            update={"listed": listed, "seconds": round(time.perf_counter() - started, 3)}
        )

    def documents(self) -> list[Document]:
        """Every stored document."""
        return self.store.documents()

    def document(self, doc_id: str) -> Document:
        """One stored document; NotFoundError when there is none with that id."""
        return self.store.get_document(doc_id)

    def delete(self, doc_id: str) -> None:
        """Remove a document and its paragraphs; NotFoundError when there is none."""
        self.store.delete_document(doc_id)

    def paragraph(self, doc_id: str, number: str) -> Paragraph:
        """One stored paragraph; NotFoundError when there is none."""
        return self.store.get_paragraph(doc_id, number)

    # -- retrieval and answers -----------------------------------------------------------------

    def warm(self) -> int:
        """Prepare what answering loads lazily.

        Build the BM25 index, embed the glossary's term lists for the stored languages and
        answer one question now (a server calls this as it starts, so that no user's question
        pays for them); returns how many term lists are cached.
        """
        self.store.prepare()
        glossary = default_glossary()
        cached = ConceptVectors.of(self.store.embedder).warm(glossary, self.store.languages())
        # The framing questions projected out of a question, one set per stored country.
        scorer = scorer_for(self.store.embedder)
        stored = {d.country.code: d.country.name for d in self.store.documents() if d.country}
        head = self.store.sparse_embedder
        for code, name in stored.items():
            scorer.basis(code, name)
            if head is not None:  # the same framing as latent terms, for the decision
                FramingLatents.of(head).indices(code, name)
        scorer.basis(None)
        # The direction that tells a question asking for a figure or a date (one batch).
        if calibrated(self.store.embedder):
            FigureDirection.of(self.store.embedder).axes()
        # One real question loads what answering loads lazily (the chain's modules, language
        # and country matchers), so the first user's question is not the slow one. It is
        # answered extractively: warming up never calls a configured LLM.
        extractive = self.settings.model_copy(update={"llm": LLMSettings(url=None)})
        PledgeService(extractive, store=self.store, embedder=self.embedder).ask(
            "What are the commitments on the death penalty?"
        )
        # What is loaded now lives as long as the process: keep it out of the garbage
        # collector's full passes (one costs about 0.25 s over a 100,000-paragraph store, and
        # it would land on whichever question happens to trigger it).
        gc.freeze()
        return cached

    @cached_property
    def retriever(self) -> HybridRetriever:
        """Hybrid search over the store (dense, glossary-moved dense, BM25)."""
        return HybridRetriever(self.store)

    @cached_property
    def chain(self) -> AnswerChain:
        """The answer chain, built once from the retriever, the store and the chat model."""
        # Rule 6's thresholds hold for the model they were calibrated on only.
        embedder = self.store.embedder
        figure = FigureDirection.of(embedder) if calibrated(embedder) else None
        return AnswerChain(self.retriever, self.store, self.llm, figure=figure)

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[SearchHit]:
        """The ``k`` best paragraphs for ``query``."""
        query = check_question(query, self.settings.requests.limits, what="query")
        return self.retriever.search(query, k=k, filters=filters)

    def ask(
        self, question: str, history: Sequence[str] = (), filters: Filters | None = None
    ) -> Answer:
        """A cited answer to ``question`` (with its earlier turns), or an abstention."""
        limits = self.settings.requests.limits
        question = check_question(question, limits)
        history = check_history(history, limits)
        return self.chain.ask(question, history=history, filters=filters)

    def stream_ask(
        self, question: str, history: Sequence[str] = (), filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """Yield text chunks as an LLM writes them, then the validated Answer last."""
        limits = self.settings.requests.limits
        question = check_question(question, limits)
        history = check_history(history, limits)
        return self.chain.stream(question, history=history, filters=filters)

    def verify(self, claim: str, filters: Filters | None = None) -> Verdict:
        """Check a claim against the stored pledges."""
        claim = check_question(claim, self.settings.requests.limits, what="claim")
        return verify_claim(self.chain, claim, filters=filters)
