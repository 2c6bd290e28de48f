"""Small real records for store tests (a few short paragraphs embed in well under a second)."""

from __future__ import annotations

import hashlib
from typing import Any

from ingest.records import Country, Document, Paragraph, ParsedDocument, paragraph_id


def make_parsed(
    doc_id: str,
    texts: list[str],
    *,
    version: str = "v1",
    language: Any = "en",
    country: tuple[str, str] | None = ("BEL", "Belgium"),
    term: str | None = "2023-2025",
    symbol: str | None = None,
    lead_in: dict[int, str] | None = None,
) -> ParsedDocument:
    """A document whose sha256 depends on ``version`` and the texts (a "file" in a test)."""
    sha = hashlib.sha256(f"{doc_id}|{version}|{'|'.join(texts)}".encode()).hexdigest()
    doc = Document(
        doc_id=doc_id,
        symbol=symbol,
        country=Country(code=country[0], name=country[1]) if country else None,
        language=language,
        term=term,
        title=f"Pledge {doc_id}",
        source=f"/tmp/{doc_id}-{version}.txt",
        sha256=sha,
    )
    paragraphs = [
        Paragraph(
            id=paragraph_id(doc_id, str(i)),
            doc_id=doc_id,
            number=str(i),
            text=text,
            section="I. Commitments",
            lead_in=(lead_in or {}).get(i),
        )
        for i, text in enumerate(texts, start=1)
    ]
    return ParsedDocument(document=doc, paragraphs=paragraphs)


EN_PLEDGE = [
    "Belgium will keep the question of the death penalty on the Council's agenda, with a view "
    "to its universal abolition.",
    "Belgium supports the International Criminal Court and its independence.",
    "Belgium will promote the rights of women and girls and fight gender-based violence.",
]
FR_PLEDGE = [
    "La France continuera de lutter contre la peine de mort en toutes circonstances.",
    "La France soutient les défenseurs des droits de l'homme et la société civile.",
]
