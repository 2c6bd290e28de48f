"""Ingest batches: parse files, embed and upsert them, one report line per file.

A file that cannot be read or parsed becomes a ``failed`` line with a one-line error; the other
files still land. A store that fails (a Chroma server that is down) is not a fault of the file
being stored: the batch stops with a :class:`vectorstore.errors.StoreError` that says which
files were stored before it (the store's commit marker means nothing of the file in progress
is visible). Nothing a batch holds is dropped silently:

* the bytes of a stored document (the same SHA-256) under another file name are a
  ``duplicate`` of that document and are not stored a second time (``doc_id`` names it);
* a file whose document id was already taken by an earlier file of the same batch fails,
  naming both files and the id, instead of replacing what that file just stored. A later
  batch still replaces a stored document with a new version of it (that is how a corrected
  file is ingested).

The check and the write of one content are one step within a process: :data:`CONTENT_LOCKS`
holds a lock per (store, SHA-256) from the duplicate check to the end of the upsert, so two
uploads of the same bytes at the same moment (two API requests, the chat and the API, a fetch)
store it once. Other documents never wait for it. Across processes sharing a Chroma server no
lock is held; see the README ("Several writers").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.types import FileReport, IngestReport
from ingest.errors import PledgeError, shown_name
from ingest.pipeline import iter_files, parse_file
from ingest.records import Document, ParsedDocument
from vectorstore.errors import StoreError
from vectorstore.store import EmbedProgress, PledgeStore

#: (files done, files total, paragraphs embedded so far), called as work progresses.
ProgressFn = Callable[[int, int, int], None]


class KeyedLocks:
    """One lock per key, kept only while a thread holds or waits for it.

    ``with locks.hold(key):`` serialises the threads that use the same key; threads with other
    keys never wait for each other.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        #: key -> (its lock, how many threads hold or wait for it)
        self._locks: dict[Hashable, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: Hashable) -> Iterator[None]:
        """Hold the lock of ``key`` for the block."""
        with self._guard:
            lock, users = self._locks.get(key, (None, 0))
            lock = lock or threading.Lock()
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                users = self._locks[key][1] - 1
                if users:
                    self._locks[key] = (lock, users)
                else:
                    del self._locks[key]

    def __len__(self) -> int:
        """Keys held or waited for now."""
        with self._guard:
            return len(self._locks)


#: The process's locks on (store location, SHA-256): every batch of the process shares them,
#: whichever front end made it, which is what makes check-and-write one step in the process.
CONTENT_LOCKS = KeyedLocks()


def expand_paths(paths: list[Path]) -> Iterator[Path]:
    """Files named by ``paths``: files as given, directories walked for readable files.

    A path that does not exist is yielded as is so that it is reported as failed.
    """
    for path in paths:
        if path.is_dir():
            yield from iter_files([path])
        else:
            yield path


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    first = text.splitlines()[0]
    return first if isinstance(error, PledgeError) else f"{type(error).__name__}: {first}"


class IngestBatch:
    """The files of one ingest run (a CLI ``ingest``, one chat upload of several files).

    Remembers which document id each file of the batch resolved to, so that a second file with
    the same id fails instead of overwriting the first, and reads the store's documents by
    SHA-256 so that the same bytes are never stored under two ids.

    Args:
        store: Where the documents go.
        remedy: What the error of a file whose id was taken tells its user to do (the
            default speaks of files and ``--meta``; a fetch says what a fetch can do).
    """

    def __init__(self, store: PledgeStore, remedy: str | None = None) -> None:
        self.store = store
        self.remedy = remedy
        #: doc_id -> the file of this batch that resolved to it.
        self.taken: dict[str, str] = {}

    def add(
        self, path: str, parsed: ParsedDocument, on_progress: EmbedProgress | None = None
    ) -> FileReport:
        """Store one parsed file, or report why it was not stored.

        Args:
            path: The file's name as the report shows it.
            parsed: Its document and paragraphs.
            on_progress: Called with the number of paragraphs embedded after each batch.

        Returns:
            ``added``, ``replaced`` or ``unchanged`` (the store's status), ``duplicate`` when
            the same bytes are stored under another id (or another file of this batch), or
            ``failed`` when another file of this batch already resolved to the same id.
        """
        # The duplicate check and the write of this content are one step in this process.
        with CONTENT_LOCKS.hold((self.store.location, parsed.document.sha256)):
            return self._add(path, parsed, on_progress)

    def _add(
        self, path: str, parsed: ParsedDocument, on_progress: EmbedProgress | None
    ) -> FileReport:
        doc = parsed.document
        copy = self._stored_copy(parsed)
        if copy is not None:
            source = self.taken.get(copy.doc_id) or copy.source
            return FileReport(
                path=path,
                status="duplicate",
                doc_id=copy.doc_id,
                note=f"{path}: the same bytes as stored document {copy.doc_id!r} (from {source});"
                " not stored twice",
            )
        first = self.taken.get(doc.doc_id)
        if first is not None:
            remedy = self.remedy or (
                f"give one of them its own id with a sidecar {Path(path).name}.meta.json"
                ' holding {"doc_id": "..."}, or ingest it on its own with --meta doc_id=...'
            )
            return FileReport(
                path=path,
                status="failed",
                error=f"{path}: document id {doc.doc_id!r} was already taken by {first} in this"
                f" batch; {remedy}",
            )
        status = self.store.upsert(parsed, on_progress=on_progress)
        self.taken[doc.doc_id] = path
        return stored_file_report(path, status, parsed)

    def _stored_copy(self, parsed: ParsedDocument) -> Document | None:
        """The stored document with the same bytes, unless this file is a new version of it.

        A stored document with the same bytes and the same id is the same document (re-ingested
        with other metadata, it is replaced as any new version is), unless a file of this batch
        put it there: then this file is a second copy.
        """
        doc = parsed.document
        same = [d for d in self.store.documents() if d.sha256 == doc.sha256]
        if any(d.doc_id == doc.doc_id for d in same) and doc.doc_id not in self.taken:
            return None
        return same[0] if same else None


def ingest_paths(
    store: PledgeStore,
    paths: list[Path],
    overrides: dict[str, str] | None = None,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Parse, embed and upsert every file under ``paths``, as one :class:`IngestBatch`.

    Args:
        store: Where the documents go.
        paths: Files and directories.
        overrides: Metadata that replaces what is detected (``--meta country=BEL``).
        progress: Called after each embedded batch and after each file.

    Returns:
        One :class:`FileReport` per file, in order, and the elapsed seconds.

    Raises:
        StoreError: The store failed; its message adds where the ingest stopped and how many
            files were stored before (running the same ingest again stores the rest).
    """
    started = time.perf_counter()
    files = list(expand_paths([Path(p) for p in paths]))
    total = len(files)
    report = IngestReport()
    batch = IngestBatch(store)
    embedded = 0
    for done, path in enumerate(files):

        def on_batch(n: int, _done: int = done) -> None:
            nonlocal embedded
            embedded += n
            if progress:
                progress(_done, total, embedded)

        try:
            parsed = parse_file(path, overrides=overrides)
            report.files.append(batch.add(shown_name(path), parsed, on_progress=on_batch))
        except StoreError as e:  # every later file would fail the same way: stop here
            stored = sum(1 for f in report.files if f.status in ("added", "replaced", "unchanged"))
            raise type(e)(
                f"{_one_line(e)}; ingest stopped at {shown_name(path)} (file {done + 1} of"
                f" {total}), with {stored} file(s) stored before it: run the same ingest again"
                " once the store is back"
            ) from e
        except Exception as e:  # one bad file never stops the batch
            report.files.append(
                FileReport(path=shown_name(path), status="failed", error=_one_line(e))
            )
        if progress:
            progress(done + 1, total, embedded)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def stored_file_report(path: str, status: str, parsed: ParsedDocument) -> FileReport:
    """The report of one stored file: its paragraphs and how much of its text they kept."""
    text = parsed.report
    return FileReport(
        path=path,
        status=status,  # type: ignore[arg-type]  # the store's upsert status
        doc_id=parsed.document.doc_id,
        paragraphs=len(parsed.paragraphs),
        words=text.words if text else 0,
        kept_words=text.words - text.removed_words if text else 0,
        warnings=list(text.warnings) if text else [],
    )
