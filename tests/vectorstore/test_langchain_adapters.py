"""The LangChain adapters under LangChain's own standard suites (``langchain-tests``), plus the
call-time arguments those suites do not cover: ``filters`` and a bad ``k``.

The suites are real: the bundled multilingual embedder and the sample store, no fakes.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import (
    EmbeddingsIntegrationTests,
    RetrieversIntegrationTests,
)
from langchain_tests.unit_tests import EmbeddingsUnitTests

from vectorstore.langchain import PledgeEmbeddings, PledgeRetriever
from vectorstore.records import Filters
from vectorstore.retrieval import HybridRetriever

DEATH_PENALTY = "What did Belgium commit to on the death penalty?"


class _WithEmbedder:
    """Hands the session's bundled embedder to the suite's constructor parameters."""

    _embedder: Any = None

    @pytest.fixture(autouse=True)
    def _bind(self, embedder: Any) -> None:
        type(self)._embedder = embedder

    @property
    def embeddings_class(self) -> type[Embeddings]:
        return PledgeEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"embedder": self._embedder}


class TestPledgeEmbeddingsUnit(_WithEmbedder, EmbeddingsUnitTests):
    """LangChain's unit suite for ``Embeddings`` implementations."""


class TestPledgeEmbeddingsIntegration(_WithEmbedder, EmbeddingsIntegrationTests):
    """LangChain's integration suite: query and document embeddings, sync and async."""


class TestPledgeRetrieverIntegration(RetrieversIntegrationTests):
    """LangChain's retriever suite: ``k`` at construction and at call time, sync and async."""

    _hybrid: Any = None

    @pytest.fixture(autouse=True)
    def _bind(self, sample_store: Any) -> None:
        type(self)._hybrid = HybridRetriever(sample_store)

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return PledgeRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"retriever": self._hybrid}

    @property
    def retriever_query_example(self) -> str:
        return DEATH_PENALTY


def test_call_time_filters_override_the_constructed_ones(sample_store: Any) -> None:
    """A call's ``filters`` replace the retriever's own; before they were silently dropped and
    a query for Norway returned Belgian paragraphs."""
    lc = HybridRetriever(sample_store).as_langchain(k=3, filters=Filters(country="BEL"))
    assert {d.metadata["country"] for d in lc.invoke(DEATH_PENALTY)} == {"BEL"}
    assert lc.invoke(DEATH_PENALTY, filters=Filters(country="NOR")) == []
    assert lc.invoke(DEATH_PENALTY, filters={"country": "NOR"}) == []
    # The constructed filters still hold for the next call without its own.
    assert len(lc.invoke(DEATH_PENALTY)) == 3


def test_call_time_k_is_checked(sample_store: Any) -> None:
    lc = HybridRetriever(sample_store).as_langchain(k=2)
    assert len(lc.invoke(DEATH_PENALTY, k=4)) == 4
    with pytest.raises(ValueError, match="k must be"):
        lc.invoke(DEATH_PENALTY, k=0)
    with pytest.raises(TypeError):
        lc.invoke(DEATH_PENALTY, top_k=1)
