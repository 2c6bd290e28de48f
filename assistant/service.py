"""The one object the CLI, the HTTP API and the chat UI call.

Callers parse their input, call a method here and render the record it returns; none of them
reaches into ``ingest``, ``vectorstore`` or the answer chain directly.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import PledgeError
from assistant.limits import check_history, check_question
from assistant.settings import Settings
from assistant.types import (
    Answer,
    Document,
    FetchItem,
    FetchReport,
    FileReport,
    Filters,
    IngestReport,
    Paragraph,
    ParsedDocument,
    SearchHit,
    Verdict,
)

if TYPE_CHECKING:
    from vectorstore.embedders import Embedder
    from vectorstore.store import PledgeStore

#: Called as ingest progresses: (files done, files total, paragraphs embedded so far).
ProgressFn = Callable[[int, int, int], None]


class PledgeService:
    """Facade over ingest, retrieval and answering.

    Args:
        settings: Application settings; read from the environment when omitted.
        store: A ready store (tests inject a temp-dir one); built from settings when omitted.
        embedder: A ready embedder; built from settings when omitted.
        llm: A LangChain chat model; built from settings when omitted (None: extractive answers).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        store: PledgeStore | None = None,
        embedder: Embedder | None = None,
        llm: Any | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._store = store
        self._embedder = embedder
        self._llm = llm

    # -- collaborators, created on first use -------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._store.embedder if self._store else self.settings.get_embedder()
        return self._embedder

    @property
    def store(self) -> PledgeStore:
        if self._store is None:
            self._store = self.settings.get_store(embedder=self.embedder)
        return self._store

    @cached_property
    def llm(self) -> Any | None:
        return self._llm if self._llm is not None else self.settings.get_llm()

    # -- ingest --------------------------------------------------------------------------------

    def parse(self, path: Path | str, meta: dict[str, str] | None = None) -> ParsedDocument:
        """Parse one file into records without touching the store."""
        from ingest.pipeline import parse_file

        return parse_file(Path(path), overrides=meta)

    def ingest(
        self,
        paths: Iterable[Path | str],
        meta: dict[str, str] | None = None,
        progress: ProgressFn | None = None,
    ) -> IngestReport:
        """Parse, embed and upsert files; a bad file is reported and the rest still lands."""
        from assistant.indexing import ingest_paths

        return ingest_paths(self.store, [Path(p) for p in paths], overrides=meta, progress=progress)

    def ingest_bytes(
        self,
        data: bytes,
        filename: str,
        meta: dict[str, str] | None = None,
        progress: ProgressFn | None = None,
    ) -> IngestReport:
        """Parse, embed and upsert one uploaded file from its bytes (HTTP API, chat upload).

        ``filename`` only picks the reader by its suffix and is recorded as the source; it is
        never opened or joined into a path. A file that fails is reported, not raised.
        """
        import time

        from assistant.indexing import stored_file_report
        from ingest.pipeline import parse_bytes

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
            status = self.store.upsert(parsed, on_progress=on_batch)
            file = stored_file_report(name, status, parsed)
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
        """Official copies from the UN: each language version of each symbol, checked, kept
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
        from assistant.errors import ConfigError
        from assistant.fetching import (
            OFFICIAL_DIR,
            OfficialCopies,
            fetch_symbols,
            normalize_symbol,
            parse_languages_option,
        )

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
        return self.store.documents()

    def document(self, doc_id: str) -> Document:
        """One stored document; NotFoundError when there is none with that id."""
        return self.store.get_document(doc_id)

    def delete(self, doc_id: str) -> None:
        self.store.delete_document(doc_id)

    def paragraph(self, doc_id: str, number: str) -> Paragraph:
        return self.store.get_paragraph(doc_id, number)

    # -- retrieval and answers -----------------------------------------------------------------

    def warm(self) -> int:
        """Build the BM25 index, embed the glossary's term lists for the stored languages and
        answer one question now (a server calls this as it starts, so that no user's question
        pays for them); returns how many term lists are cached."""
        from vectorstore.expansion import default_glossary
        from vectorstore.retrieval import ConceptVectors

        self.store.prepare()
        glossary = default_glossary()
        cached = ConceptVectors.of(self.store.embedder).warm(glossary, self.store.languages())
        # The framing questions projected out of a question, one set per stored country.
        from vectorstore.topic import scorer_for

        scorer = scorer_for(self.store.embedder)
        stored = {d.country.code: d.country.name for d in self.store.documents() if d.country}
        for code, name in stored.items():
            scorer.basis(code, name)
        scorer.basis(None)
        # One real question loads what answering loads lazily (the chain's modules, language
        # and country matchers), so the first user's question is not the slow one. It is
        # answered extractively: warming up never calls a configured LLM.
        from assistant.settings import LLMSettings

        extractive = self.settings.model_copy(update={"llm": LLMSettings(url=None)})
        PledgeService(extractive, store=self.store, embedder=self.embedder).ask(
            "What are the commitments on the death penalty?"
        )
        # What is loaded now lives as long as the process: keep it out of the garbage
        # collector's full passes (one costs about 0.25 s over a 100,000-paragraph store, and
        # it would land on whichever question happens to trigger it).
        gc.freeze()
        return cached

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[SearchHit]:
        from vectorstore.retrieval import HybridRetriever

        query = check_question(query, self.settings.server.limits, what="query")
        return HybridRetriever(self.store).search(query, k=k, filters=filters)

    def ask(
        self, question: str, history: Sequence[str] = (), filters: Filters | None = None
    ) -> Answer:
        from assistant.chain import answer_question

        limits = self.settings.server.limits
        question = check_question(question, limits)
        history = check_history(history, limits)
        return answer_question(self, question, history=history, filters=filters)

    def stream_ask(
        self, question: str, history: Sequence[str] = (), filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """Yield text chunks as an LLM writes them, then the validated Answer last."""
        from assistant.chain import stream_answer

        limits = self.settings.server.limits
        question = check_question(question, limits)
        history = check_history(history, limits)
        return stream_answer(self, question, history=history, filters=filters)

    def verify(self, claim: str, filters: Filters | None = None) -> Verdict:
        from assistant.claims import verify_claim

        claim = check_question(claim, self.settings.server.limits, what="claim")
        return verify_claim(self, claim, filters=filters)
