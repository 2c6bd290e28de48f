"""What one question costs the store, counted (never timed): version checks, counts, catalogs.

At 100,000 paragraphs a question spent more time asking Chroma whether another process had
written (once per read, a dozen times a question), counting the collection and walking every
stored document than searching. These tests count those calls, so they fail when a change
brings the per-read work back, whatever the machine's speed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.vectorstore.helpers import EN_PLEDGE, FR_PLEDGE, make_parsed
from vectorstore.records import Filters
from vectorstore.retrieval import HybridRetriever

QUESTION = "What did Belgium commit to on the death penalty?"


@contextmanager
def counting(obj: Any, name: str) -> Iterator[list[int]]:
    """Count calls of ``obj.name`` inside the block (the real method still runs)."""
    real = getattr(obj, name)
    calls: list[int] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    setattr(obj, name, wrapper)
    try:
        yield calls
    finally:
        delattr(obj, name)  # the instance attribute goes; the class's method is back


@pytest.mark.parametrize("filters", [None, Filters(country="BEL")])
def test_a_search_checks_the_store_version_once_and_never_counts_chroma(
    sample_store: Any, filters: Filters | None
) -> None:
    # 20 candidates a ranking: Chroma is asked for 40 rows, fewer than the 54 stored.
    retriever = HybridRetriever(sample_store, candidates=20)
    retriever.search(QUESTION, k=5, filters=filters)  # first use builds what it builds
    with (
        counting(sample_store.backend, "remote_version") as versions,
        counting(sample_store.backend, "count") as counts,
        counting(sample_store, "documents") as listings,
    ):
        hits = retriever.search(QUESTION, k=5, filters=filters)
    assert [h.paragraph.number for h in hits][:1] == ["8"]
    assert len(versions) == 1
    assert counts == []  # the cache holds more than the rows asked for
    assert listings == []  # the framing country comes from the catalog


def test_chroma_is_counted_when_the_store_holds_fewer_rows_than_asked(sample_store: Any) -> None:
    vector = sample_store.embedder.embed_query(QUESTION)
    with counting(sample_store.backend, "count") as counts:
        (few,) = sample_store.chroma_search(vector, 5)
        (many,) = sample_store.chroma_search(vector, 60)  # 140 rows wanted, 54 stored
    assert len(counts) == 1
    assert len(few) == 5 and len(many) == sample_store.count()


def test_the_catalog_is_built_once_per_version_and_follows_writes(
    open_store: Callable[..., Any],
) -> None:
    writer = open_store()
    reader = open_store()
    assert reader.catalog().countries == {}
    first = writer.catalog()
    assert writer.catalog() is first  # no write, no new catalog

    writer.upsert(make_parsed("bel.en", EN_PLEDGE))
    after_write = writer.catalog()
    assert after_write is not first
    assert after_write.countries == {"BEL": "Belgium"}
    assert [d.doc_id for d in writer.documents()] == ["bel.en"]
    assert writer.languages() == ["en"]

    # The other handle sees the write at its next read, and a read view keeps the version it
    # opened with until it closes.
    with reader.reading():
        seen = reader.catalog()
        writer.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))
        assert reader.catalog() is seen
        assert set(seen.countries) == {"BEL"}
        assert reader.resolve_filters(Filters(country="France")) == {"country": "FRA"}
    assert set(reader.catalog().countries) == {"BEL", "FRA"}
    assert reader.catalog().country_code("france") == "FRA"
    assert reader.languages() == ["en", "fr"]

    writer.delete_document("bel.en")
    assert writer.catalog().countries == {"FRA": "France"}
    assert reader.catalog().countries == {"FRA": "France"}
    assert [d.doc_id for d in reader.documents()] == ["fra.fr"]


def test_writes_inside_a_read_view_still_catch_up_first(open_store: Callable[..., Any]) -> None:
    a = open_store()
    b = open_store()
    a.upsert(make_parsed("bel.en", EN_PLEDGE))
    with b.reading():
        # b has not looked since a wrote; its own write must not lose a's document.
        b.upsert(make_parsed("fra.fr", FR_PLEDGE, language="fr", country=("FRA", "France")))
        assert set(b.catalog().countries) == {"BEL", "FRA"}
    assert [d.doc_id for d in a.documents()] == ["bel.en", "fra.fr"]
