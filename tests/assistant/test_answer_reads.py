"""An answer reads one version of the store, and the documents' indexes agree with a full walk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.citations import aligned_versions, in_language
from ingest.records import Country, Document, Paragraph, paragraph_id
from tests.vectorstore.test_read_costs import QUESTION, counting
from vectorstore.cache import Catalog
from vectorstore.records import Filters, SearchHit


def test_an_answer_reads_one_version_of_the_store(service: Any) -> None:
    store = service.store
    service.ask(QUESTION)
    with (
        counting(store.backend, "remote_version") as versions,
        counting(store, "documents") as listings,
    ):
        answer = service.ask(QUESTION)
        service.ask("What about the rights of women?", filters=Filters(country="BEL"))
    assert not answer.abstained and answer.citations[0].number == "8"
    assert len(versions) == 2  # one per question, not one per read
    assert listings == []  # countries and language versions come from the catalog


_COUNTRIES = [None, ("BEL", "Belgium"), ("FRA", "France")]
_documents = st.lists(
    st.tuples(
        st.sampled_from([None, "A/77/89", "A/78/1"]),
        st.sampled_from(_COUNTRIES),
        st.sampled_from(["en", "fr", "zh", "ar"]),
        st.sampled_from([None, "2023-2025", "2024-2026"]),
        st.sampled_from([None, dt.date(2022, 5, 1), dt.date(2023, 1, 9)]),
    ),
    min_size=1,
    max_size=12,
)


def _docs(rows: list[tuple[Any, ...]]) -> dict[str, Document]:
    out: dict[str, Document] = {}
    for i, (symbol, country, language, term, date) in enumerate(rows):
        doc_id = f"d{(i * 7) % 13:02d}.{language}"  # insertion order is not doc_id order
        out[doc_id] = Document(
            doc_id=doc_id,
            symbol=symbol,
            country=Country(code=country[0], name=country[1]) if country else None,
            language=language,
            term=term,
            date=date,
            title=None,
            source=f"/tmp/{doc_id}.txt",
            sha256="0" * 64,
        )
    return out


def _paragraph(doc_id: str, number: str) -> Paragraph:
    return Paragraph(id=paragraph_id(doc_id, number), doc_id=doc_id, number=number, text=doc_id)


@settings(max_examples=80, deadline=None)
@given(rows=_documents, language=st.sampled_from(["en", "fr", "zh", "ar", "ru"]))
def test_catalog_indexes_give_what_a_walk_over_every_document_gives(
    rows: list[tuple[Any, ...]], language: str
) -> None:
    docs = _docs(rows)
    catalog = Catalog("v1", docs)
    everything = sorted(docs.values(), key=lambda d: d.doc_id)
    assert list(catalog.documents) == everything
    assert catalog.countries == {d.country.code: d.country.name for d in everything if d.country}
    assert catalog.countries_complete == all(d.country for d in everything)
    languages = ["ar", "en", "fr", "ru", "zh"]
    for doc in everything:
        assert aligned_versions(
            catalog.versions_of(doc), doc, "1", languages, _paragraph
        ) == aligned_versions(everything, doc, "1", languages, _paragraph)
    hits = [
        SearchHit(paragraph=_paragraph(d.doc_id, "1"), document=d, score=1.0 / (i + 1))
        for i, d in enumerate(everything)
    ]
    assert in_language(
        hits, language, list(catalog.by_symbol_in(language).values()), _paragraph
    ) == in_language(hits, language, everything, _paragraph)
    for doc in everything:
        if doc.country:
            first = next(d for d in docs.values() if d.country)
            code = catalog.country_code(doc.country.name.upper())
            assert code is not None
            # The first document in the store's order that carries that name decides.
            named = [d for d in docs.values() if d.country and d.country.name == doc.country.name]
            assert code == named[0].country.code
            assert catalog.country_code(first.country.code.lower()) == first.country.code
