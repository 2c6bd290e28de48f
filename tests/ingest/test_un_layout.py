"""An English pledge laid out as pypdf extracts a UN PDF: masthead, running headers and footers
between pages, a wrapped note verbale, the annex and its numbered body, no blank lines."""

from __future__ import annotations

import datetime as dt

from ingest.pipeline import parse_bytes
from ingest.records import Country

EXTRACTED = """United Nations A/77/89
General Assembly Distr.: General
27 June 2022
Original: English
22-09876 (E) 290622
*2209876*
Seventy-seventh session
Item 117 (c) of the provisional agenda*
Elections to fill vacancies in subsidiary organs and
other elections: election of members of the Human
Rights Council
Note verbale dated 21 June 2022 from the Permanent Mission of
Belgium to the United Nations addressed to the President of the
General Assembly
The Permanent Mission of Belgium to the United Nations presents its compliments
to the President of the General Assembly and has the honour to refer to the
candidature of Belgium for membership of the Human Rights Council for the term
2023–2025, at the elections to be held during the seventy-seventh session of the
General Assembly.
The Permanent Mission has the honour to transmit herewith the voluntary pledges
and commitments of Belgium, made in accordance with General Assembly
resolution 60/251 (see annex).
* A/77/50.
https://undocs.org/en/A/77/50
https://undocs.org/en/A/RES/60/251
Please recycle
A/77/89
2/5 22-09876
Annex to the note verbale dated 21 June 2022 from the Permanent
Mission of Belgium to the United Nations addressed to the President
of the General Assembly
Candidature of Belgium for membership of the Human Rights
Council, 2023–2025
Voluntary pledges and commitments pursuant to General Assembly
resolution 60/251
1. The Kingdom of Belgium hereby presents its candidature for a seat on the
Human Rights Council for the term 2023–2025.
2. Belgium is firmly committed to multilateralism and to all three pillars of the
Charter of the United Nations.
I. Four thematic areas
3. As a candidate, Belgium will focus on four thematic areas:
A. Strengthening accountability and the rule of law
4. Belgium will continue, with its partners, to keep the question of the death
penalty on the agenda of the Council, with a view to its universal abolition.
22-09876 3/5
A/77/89
5. Belgium has been a founding member of the Group of Friends on Children and
Armed Conflict and is committed to the fight against impunity for grave vio-
lations against children, and to the protection of their rights in post-conflict
reconstruction.
II. Promoting and protecting human rights
6. Belgium pledges to:
• Continue to work resolutely for the promotion and protection of human rights
throughout the world;
• Maintain its standing invitation to all special procedures mandate holders.
7. Belgium has adopted several national action plans, for example:
(a) The sixth national action plan to combat gender-based violence
(2021–2025);
(b) The fourth national action plan on women and peace and security
(2022–2026).
"""


def test_un_pdf_layout() -> None:
    parsed = parse_bytes(EXTRACTED.encode("utf-8"), "a-77-89.txt")
    doc = parsed.document
    assert doc.symbol == "A/77/89"
    assert doc.doc_id == "a-77-89.en"
    assert doc.country == Country(code="BEL", name="Belgium")
    assert (doc.language, doc.term, doc.session) == ("en", "2023-2025", 77)
    assert doc.date == dt.date(2022, 6, 21)  # the note's date, not "Distr.: General 27 June 2022"
    assert (
        doc.title == "Candidature of Belgium for membership of the Human Rights Council, 2023–2025"
    )
    numbers = [p.number for p in parsed.paragraphs]
    assert numbers == [
        "note.1", "note.2", "1", "2", "3", "4", "5", "6", "6.1", "6.2", "7", "7(a)", "7(b)",
    ]  # fmt: skip
    by = {p.number: p for p in parsed.paragraphs}
    assert by["note.1"].text.endswith("during the seventy-seventh session of the General Assembly.")
    assert (
        by["4"].section
        == "I. Four thematic areas > A. Strengthening accountability and the rule of law"
    )
    assert by["6.2"].section == "II. Promoting and protecting human rights"
    # Page furniture between pages 2 and 3 is gone and the word broken there is whole again.
    assert by["5"].text == (
        "Belgium has been a founding member of the Group of Friends on Children and Armed"
        " Conflict and is committed to the fight against impunity for grave violations against"
        " children, and to the protection of their rights in post-conflict reconstruction."
    )
    assert by["7(a)"].text == (
        "The sixth national action plan to combat gender-based violence (2021–2025);"
    )
    for p in parsed.paragraphs:
        assert "undocs" not in p.text and "22-09876" not in p.text and "A/77/89" not in p.text
