"""A snapshot of what opening a store would otherwise rebuild from Chroma.

Opening a store needs every committed paragraph (text and metadata), its BM25 terms and index,
the vector mirror and the sparse (latent terms) index. Reading all of that from Chroma and
re-tokenizing it takes tens of seconds at 100,000 paragraphs; loading a snapshot takes a few.
Chroma stays the store of record: a snapshot is a cache, written atomically, stamped with

* the identity of what it was made from (Chroma collection id, collection name, location,
  embedder name and dimension, record schema, tokenizer version), so that a snapshot of another
  store or collection ("foreign") is never used, and
* the store's ``version`` token at the time, so that the store catches up from it by reading
  only the documents whose committed revision changed since (a stale snapshot is corrected,
  never trusted as current).

Every file's size and CRC-32 are recorded; a snapshot that fails any check (missing or
truncated file, changed bytes, unreadable data, lengths that do not agree) is ignored with a
warning and rebuilt from Chroma.

On disk, under the snapshot directory::

    CURRENT                  name of the generation in use (replaced atomically)
    g-<token>/meta.json      identity, version, counts, sizes and checksums
    g-<token>/records.pickle documents, paragraphs (record id, text, metadata), BM25 terms
    g-<token>/vectors.npy    the mirror's normalized vectors (memory-mapped when loaded)
    g-<token>/bm25/          the BM25 index (``bm25s`` save format, memory-mapped when loaded)
    g-<token>/sparse-*.npy   the sparse index's CSC arrays (memory-mapped when loaded; only
                             with an embedder that has a sparse head)

``records.pickle`` holds only plain values (dicts, lists, tuples, strings, numbers) and is
read with an unpickler that refuses every class, so a snapshot cannot run code.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore.sparse import SparseMatrix

log = logging.getLogger(__name__)

#: Layout version of the snapshot files; a snapshot of another format is rebuilt.
SNAPSHOT_FORMAT = 2
_CURRENT = "CURRENT"
_META = "meta.json"
_RECORDS = "records.pickle"
_VECTORS = "vectors.npy"
_BM25 = "bm25"
_SPARSE = ("sparse-indptr.npy", "sparse-indices.npy", "sparse-data.npy")
#: Generations other than the current one are removed once older than this (a process that
#: read ``CURRENT`` just before it changed may still be loading the previous one).
_KEEP_OLD_S = 60.0


class SnapshotError(Exception):
    """A snapshot cannot be used (absent, foreign, corrupt or of another format)."""


@dataclass
class SnapshotData:
    """What a store holds after opening, in plain values.

    Attributes:
        version: The store's version token the data is consistent with.
        documents: Metadata of each committed document record, as Chroma holds it.
        unreadable: doc_id -> why its record cannot be read.
        rows: One ``(record id, text, metadata, BM25 terms)`` per committed paragraph.
        vector_ids: Record ids of the mirror's rows, in order.
        vectors: ``(len(vector_ids), dim)`` normalized vectors.
        lexical_order: Record ids in the order of the BM25 index's documents.
        bm25: The built ``bm25s.BM25`` index, or None when there are no paragraphs.
        sparse: The built sparse index, or None when the embedder has no sparse head.
    """

    version: str | None
    documents: list[dict[str, Any]]
    unreadable: dict[str, str]
    rows: list[tuple[str, str, dict[str, Any], list[str]]]
    vector_ids: list[str]
    vectors: np.ndarray
    lexical_order: list[str] = field(default_factory=list)
    bm25: Any = None
    sparse: SparseMatrix | None = None


class _PlainUnpickler(pickle.Unpickler):
    """Reads plain values only: any class or function reference is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"snapshot refers to {module}.{name}; only plain values")


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            crc = zlib.crc32(chunk, crc)
    return crc


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != _META)


class SnapshotStore:
    """Reads and writes the snapshots of one store in one directory.

    Args:
        directory: Where the snapshots of this store and collection live (created on write).
        identity: What a usable snapshot must have been made from (plain JSON values).
    """

    def __init__(self, directory: Path, identity: dict[str, Any]) -> None:
        self.directory = Path(directory)
        self.identity = {**identity, "format": SNAPSHOT_FORMAT}

    # -- reading -------------------------------------------------------------------------------

    def load(self) -> SnapshotData | None:
        """The current snapshot, or None.

        The current snapshot, or None when there is none or it cannot be used (then a
        warning says why, except when there simply is none).
        """
        current = self.directory / _CURRENT
        if not current.exists():
            return None
        try:
            return self._load(self.directory / current.read_text().strip())
        except Exception as e:
            log.warning(
                "ignoring the store snapshot in %s (%s); rebuilding it from Chroma",
                self.directory,
                " ".join(str(e).split())[:300] or type(e).__name__,
            )
            return None

    def _load(self, gen: Path) -> SnapshotData:
        if gen.parent != self.directory or not gen.name.startswith("g-"):
            raise SnapshotError(f"CURRENT names {gen.name!r}, not a snapshot generation")
        meta = json.loads((gen / _META).read_text())
        found = meta.get("identity")
        if found != self.identity:
            diff = sorted(k for k in self.identity if (found or {}).get(k) != self.identity[k])
            raise SnapshotError(f"made from another store or format (differs in {diff})")
        sums = meta.get("files") or {}
        present = {str(p.relative_to(gen)) for p in _files(gen)}
        if set(sums) != present:
            raise SnapshotError(f"files differ: expected {sorted(sums)}, found {sorted(present)}")
        for name, (size, crc) in sums.items():
            path = gen / name
            if path.stat().st_size != size or _crc(path) != crc:
                raise SnapshotError(f"{name} was changed or truncated")
        with (gen / _RECORDS).open("rb") as f:
            records = _PlainUnpickler(f).load()
        vectors = np.load(gen / _VECTORS, mmap_mode="c", allow_pickle=False)
        bm25 = None
        if (gen / _BM25).exists():
            import bm25s

            bm25 = bm25s.BM25.load(str(gen / _BM25), mmap=True)
        sparse = None
        if "sparse_ids" in records:
            indptr, indices, data_ = (
                np.load(gen / file_name, mmap_mode="c", allow_pickle=False) for file_name in _SPARSE
            )
            sparse = SparseMatrix(
                records["sparse_ids"], indptr, indices, data_, int(records["sparse_dim"])
            )
        data = SnapshotData(
            version=records["version"],
            documents=records["documents"],
            unreadable=records["unreadable"],
            rows=records["rows"],
            vector_ids=records["vector_ids"],
            vectors=vectors,
            lexical_order=records["lexical_order"],
            bm25=bm25,
            sparse=sparse,
        )
        if data.version != meta.get("version"):
            raise SnapshotError("records and meta.json disagree on the version")
        if vectors.ndim != 2 or vectors.shape != (len(data.vector_ids), self.identity["dim"]):
            raise SnapshotError(f"vectors have shape {vectors.shape}")
        if len(data.lexical_order) != len(data.rows):
            raise SnapshotError("the BM25 order does not cover the paragraphs")
        if data.rows and (bm25 is None or int(bm25.scores["num_docs"]) != len(data.rows)):
            raise SnapshotError("the BM25 index does not cover the paragraphs")
        if sparse is not None and not set(sparse.ids) <= {row[0] for row in data.rows}:
            raise SnapshotError("the sparse index names paragraphs the snapshot does not hold")
        return data

    # -- writing -------------------------------------------------------------------------------

    def save(self, data: SnapshotData) -> Path:
        """Write a new snapshot generation and make it current.

        Write ``data`` as a new generation and make it current (atomically: a reader sees
        the previous snapshot or this one, whole). Returns the generation's directory.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"g-{int(time.time())}-{uuid.uuid4().hex[:12]}"
        tmp = self.directory / f"tmp-{name}"
        tmp.mkdir()
        try:
            records = {
                "version": data.version,
                "documents": data.documents,
                "unreadable": data.unreadable,
                "rows": data.rows,
                "vector_ids": data.vector_ids,
                "lexical_order": data.lexical_order,
            }
            if data.sparse is not None:
                records["sparse_ids"] = data.sparse.ids
                records["sparse_dim"] = data.sparse.dim
                arrays = (data.sparse.indptr, data.sparse.indices, data.sparse.data)
                for file_name, array in zip(_SPARSE, arrays, strict=True):
                    np.save(tmp / file_name, np.ascontiguousarray(array))
            with (tmp / _RECORDS).open("wb") as f:
                pickle.dump(records, f, protocol=5)
            np.save(tmp / _VECTORS, np.ascontiguousarray(data.vectors, dtype=np.float32))
            if data.bm25 is not None:
                data.bm25.save(str(tmp / _BM25), show_progress=False)
            files = {str(p.relative_to(tmp)): (p.stat().st_size, _crc(p)) for p in _files(tmp)}
            meta = {
                "identity": self.identity,
                "version": data.version,
                "files": files,
                "paragraphs": len(data.rows),
                "written": time.time(),
            }
            (tmp / _META).write_text(json.dumps(meta, sort_keys=True))
            gen = self.directory / name
            tmp.rename(gen)
            pointer = self.directory / f"{_CURRENT}.{uuid.uuid4().hex[:8]}"
            pointer.write_text(name)
            os.replace(pointer, self.directory / _CURRENT)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._remove_old(keep=name)
        return gen

    def _remove_old(self, keep: str) -> None:
        now = time.time()
        for path in self.directory.iterdir():
            if path.name == keep or not path.name.startswith(("g-", "tmp-g-")):
                continue
            try:
                if now - path.stat().st_mtime > _KEEP_OLD_S:
                    shutil.rmtree(path, ignore_errors=True)
            except OSError:
                continue
