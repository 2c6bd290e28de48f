"""Official copies: fetch each language version of a UN symbol, keep its bytes, ingest it.

The UN publishes every pledge under one symbol in the six official languages, with the same
paragraph numbering; storing each language version under that symbol is what lets an answer
cite the paragraph in the asker's language (see :mod:`assistant.chain`).

Per symbol and language the steps are: download and check (:class:`ingest.un.UNClient`: a PDF,
complete, of that symbol) → parse (the symbol and language given as metadata) → keep the bytes
under ``<store>/official/<sha256>.pdf`` → store it through the same checks as ``pledges ingest``
(:class:`assistant.indexing.IngestBatch`, one batch per fetch run) → record the version in
``<store>/official/index.json``. Every write is atomic (a temporary file renamed into place), the
index is written last, and a version is only ever "unchanged" when the same bytes were recorded
and the store already holds them: running a fetch twice changes nothing.

Because fetched copies go through the ingest batch, bytes already stored under another document
id are a ``duplicate`` of that document (not stored twice), and a version whose document id an
earlier version of the same run took fails, naming both, instead of replacing it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.indexing import IngestBatch
from assistant.types import FetchItem, FetchReport
from ingest.errors import ConfigError, PledgeError
from ingest.language import UN_LANGUAGES
from ingest.pipeline import parse_bytes
from ingest.records import LibraryEntry, official_url
from vectorstore.errors import StoreError

if TYPE_CHECKING:
    from ingest.un import UNClient
    from vectorstore.store import PledgeStore

#: Called after each language version: (the item, versions done, versions planned).
FetchProgress = Callable[[FetchItem, int, int], None]

#: Folder of the store directory that holds the official copies.
OFFICIAL_DIR = "official"

#: What the error of a version whose document id an earlier version of the run took advises.
TAKEN_ID_REMEDY = (
    "fetch it with --no-ingest and ingest the kept PDF with --meta doc_id=... --meta symbol=..."
)

#: Most symbols one request may name (the API and the chat; a session lists about twenty).
MAX_SYMBOLS = 100


def parse_languages_option(value: str | Sequence[str] | None) -> list[str]:
    """``all`` (or nothing) → the six UN languages; ``en,fr`` → those, in the order given.

    Raises:
        ConfigError: A code is not one of the six UN languages.
    """
    if value is None:
        return list(UN_LANGUAGES)
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = [v.strip().lower() for v in items if v.strip()]
    if not codes or codes == ["all"]:
        return list(UN_LANGUAGES)
    bad = [c for c in codes if c not in UN_LANGUAGES]
    if bad:
        raise ConfigError(
            f"--languages: {', '.join(bad)} is not a UN language; expected 'all' or a"
            f" comma-separated list of {', '.join(UN_LANGUAGES)}"
        )
    return list(dict.fromkeys(codes))


def normalize_symbol(symbol: str) -> str:
    """A symbol as the UN writes it: no spaces, upper-case letters (``a/77/89`` → ``A/77/89``).

    Raises:
        ConfigError: The text does not look like a UN document symbol.
    """
    s = re.sub(r"\s+", "", symbol)
    if not re.fullmatch(r"[A-Za-z]{1,4}(?:/[A-Za-z0-9.()\-]+){1,6}", s):
        raise ConfigError(f"{symbol!r} is not a UN document symbol such as A/77/89")
    parts = s.split("/")
    return "/".join(p.upper() if p.isalpha() or "." not in p else p for p in parts)


class OfficialCopies:
    """Official PDFs kept by content hash, and which symbol and language each one is.

    Args:
        root: The folder (``<store>/official``); created on first write.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()

    @property
    def index_path(self) -> Path:
        """The index file of the kept copies."""
        return self.root / "index.json"

    def path(self, sha256: str) -> Path:
        """Where the copy with this SHA-256 is kept."""
        return self.root / f"{sha256}.pdf"

    def index(self) -> dict[str, dict[str, dict[str, Any]]]:
        """``{symbol: {language: {"sha256", "url", "fetched"}}}``; empty when nothing is kept."""
        try:
            data = json.loads(self.index_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            raise ConfigError(
                f"{self.index_path}: cannot read the index of official copies ({e}); move it"
                " away and fetch again"
            ) from e
        return data if isinstance(data, dict) else {}

    def entry(self, symbol: str, language: str) -> dict[str, Any]:
        """What is recorded for one language version.

        What is recorded for this version (``sha256``, ``url``, ``etag``,
        ``last_modified``, ``fetched``); empty when nothing is, or its bytes are gone.
        """
        entry = self.index().get(symbol, {}).get(language) or {}
        sha = entry.get("sha256") if isinstance(entry, dict) else None
        return entry if isinstance(sha, str) and self.path(sha).is_file() else {}

    def known(self, symbol: str, language: str) -> str | None:
        """The SHA-256 recorded for this version, when its bytes are still on disk."""
        return self.entry(symbol, language).get("sha256")

    def save(self, data: bytes) -> tuple[str, Path]:
        """Keep ``data`` under its hash (atomically; a no-op when already kept)."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if not target.is_file():
            self._write(target, data)
        return sha, target

    def record(
        self,
        symbol: str,
        language: str,
        sha256: str,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Note which symbol and language some kept bytes are.

        Note which symbol and language the kept bytes ``sha256`` are, with the validators
        for the next conditional request (written last; left untouched when it already says
        so).
        """
        with self._lock:
            index = self.index()
            old = index.get(symbol, {}).get(language) or {}
            new = {"sha256": sha256, "url": url, "etag": etag, "last_modified": last_modified}
            if all(old.get(k) == v for k, v in new.items()):
                return
            index.setdefault(symbol, {})[language] = {
                **new,
                "fetched": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            text = json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True)
            self._write(self.index_path, text.encode("utf-8"))

    def _write(self, target: Path, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _file_name(symbol: str, language: str) -> str:
    return symbol.replace("/", "_") + f"-{language.upper()}.pdf"


def fetch_symbols(
    client: UNClient,
    copies: OfficialCopies,
    store: Callable[[], PledgeStore] | None,
    symbols: Iterable[str],
    languages: Sequence[str],
    progress: FetchProgress | None = None,
    entries: dict[str, LibraryEntry] | None = None,
) -> FetchReport:
    """Fetch every language version of every symbol; ingest each into ``store`` unless None.

    Args:
        client: The UN client (base URLs, politeness).
        copies: Where the bytes are kept.
        store: Opens the store to ingest into, on the first accepted download (so an offline
            run fails before the embedder loads); None keeps the bytes only (``--no-ingest``).
        symbols: UN symbols.
        languages: Language codes to fetch.
        progress: Called after each language version.
        entries: Digital Library entries by symbol: their languages narrow what is asked for,
            their country is given to the parser as metadata.

    Returns:
        One item per symbol and language, in order.

    Raises:
        UnreachableError: The UN's document system cannot be reached; what was fetched before
            stays stored, nothing is half-written.
        StoreError: The store cannot be read or written (a Chroma server that is down): the
            fetch stops there, as for the UN; the copy in progress is kept but not recorded,
            so the next fetch ingests it.
    """
    started = time.perf_counter()
    plan: list[tuple[str, str]] = []
    for symbol in dict.fromkeys(normalize_symbol(raw) for raw in symbols):
        entry = (entries or {}).get(symbol)
        wanted = [
            lang
            for lang in languages
            if not entry or not entry.languages or lang in entry.languages
        ]
        plan.extend((symbol, lang) for lang in wanted)
    report = FetchReport()
    batch: IngestBatch | None = None

    def open_batch() -> IngestBatch:
        nonlocal batch
        if batch is None:  # one ingest batch for the whole run, opened on first use
            assert store is not None  # only handed on with a store
            batch = IngestBatch(store(), remedy=TAKEN_ID_REMEDY)
        return batch

    for done, (symbol, lang) in enumerate(plan, start=1):
        entry = (entries or {}).get(symbol)
        try:
            item = _fetch_one(
                client, copies, open_batch if store is not None else None, symbol, lang, entry
            )
        except StoreError as e:  # every later version would fail the same way: stop here
            stored = sum(1 for i in report.items if i.status in ("fetched", "unchanged"))
            raise type(e)(
                f"{str(e).splitlines()[0]}; fetch stopped at {symbol} {lang} (version {done} of"
                f" {len(plan)}), with {stored} version(s) stored before it: run the same fetch"
                " again once the store is back"
            ) from e
        report.items.append(item)
        if progress:
            progress(item, done, len(plan))
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _fetch_one(
    client: UNClient,
    copies: OfficialCopies,
    open_batch: Callable[[], IngestBatch] | None,
    symbol: str,
    lang: str,
    entry: LibraryEntry | None,
) -> FetchItem:
    kept = copies.entry(symbol, lang)
    got = client.download(symbol, lang, kept.get("etag"), kept.get("last_modified"))
    item = FetchItem(
        symbol=symbol,
        language=lang,  # type: ignore[arg-type]
        status="failed",
        url=got.url,
        official_url=official_url(symbol, lang),
    )
    data, url = got.data, got.url
    etag, modified = got.etag, got.last_modified
    if got.status == "not_modified":  # the kept copy is current: nothing was sent again
        try:
            data = copies.path(kept["sha256"]).read_bytes()
        except OSError as e:
            return item.model_copy(update={"error": f"cannot read the kept copy: {e}"})
        url = kept.get("url") or url
        etag, modified = etag or kept.get("etag"), modified or kept.get("last_modified")
    elif got.status != "ok":
        return item.model_copy(update={"status": got.status, "error": got.reason})
    sha = hashlib.sha256(data).hexdigest()
    same = kept.get("sha256") == sha
    name = _file_name(symbol, lang)
    try:
        parsed = file = None
        batch = open_batch() if open_batch is not None else None
        if batch is not None:
            meta = {"symbol": symbol, "language": lang}
            if entry and entry.country:
                meta["country"] = entry.country.code
            parsed = parse_bytes(data, name, overrides=meta, source=url)
        _, path = copies.save(data)
        if batch is not None and parsed is not None:
            file = batch.add(name, parsed)  # the checks of ``pledges ingest``, then the upsert
            if file.status == "failed":  # an earlier version of this run took its id
                return item.model_copy(update={"error": file.error, "sha256": sha})
        copies.record(symbol, lang, sha, url, etag, modified)
    except StoreError:
        raise  # not this version's fault: every later one would fail the same way
    except PledgeError as e:
        return item.model_copy(update={"error": str(e).splitlines()[0], "sha256": sha})
    except OSError as e:
        return item.model_copy(
            update={"error": f"cannot keep the copy under {copies.root}: {e}", "sha256": sha}
        )
    if file is not None and file.status == "duplicate":
        return item.model_copy(
            update={
                "status": "duplicate",
                "sha256": sha,
                "file": str(path),
                "doc_id": file.doc_id,
                "note": file.note,
            }
        )
    status = file.status if file is not None else None
    unchanged = same and status in (None, "unchanged")
    return item.model_copy(
        update={
            "status": "unchanged" if unchanged else "fetched",
            "sha256": sha,
            "file": str(path),
            "doc_id": file.doc_id if file else None,
            "ingest": status,
            "paragraphs": file.paragraphs if file else 0,
            "warnings": file.warnings if file else [],
        }
    )
