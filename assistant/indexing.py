"""Ingest batches: parse files, embed and upsert them, one report line per file.

A file that cannot be read, parsed or stored becomes a ``failed`` line with a one-line error;
the other files still land.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from assistant.types import FileReport, IngestReport
from ingest.errors import PledgeError
from ingest.pipeline import iter_files, parse_file
from ingest.records import ParsedDocument
from vectorstore.store import PledgeStore

#: (files done, files total, paragraphs embedded so far), called as work progresses.
ProgressFn = Callable[[int, int, int], None]


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


def ingest_paths(
    store: PledgeStore,
    paths: list[Path],
    overrides: dict[str, str] | None = None,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Parse, embed and upsert every file under ``paths``.

    Args:
        store: Where the documents go.
        paths: Files and directories.
        overrides: Metadata that replaces what is detected (``--meta country=BEL``).
        progress: Called after each embedded batch and after each file.

    Returns:
        One :class:`FileReport` per file, in order, and the elapsed seconds.
    """
    started = time.perf_counter()
    files = list(expand_paths([Path(p) for p in paths]))
    total = len(files)
    report = IngestReport()
    embedded = 0
    for done, path in enumerate(files):

        def on_batch(n: int, _done: int = done) -> None:
            nonlocal embedded
            embedded += n
            if progress:
                progress(_done, total, embedded)

        try:
            parsed = parse_file(path, overrides=overrides)
            status = store.upsert(parsed, on_progress=on_batch)
            report.files.append(stored_file_report(str(path), status, parsed))
        except Exception as e:  # one bad file never stops the batch
            report.files.append(FileReport(path=str(path), status="failed", error=_one_line(e)))
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
