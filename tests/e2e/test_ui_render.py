"""How the chat UI renders answers and citation cards (pure functions, no server)."""

from __future__ import annotations

import html

from assistant.types import AlignedText, Answer, Citation
from ingest.records import Country, Document
from ui.app import card_id, render_answer, render_card, render_panel

DOC = Document(
    doc_id="bel-zh",
    country=Country(code="BEL", name="Belgium"),
    language="zh",
    term="2023-2025",
    source="sample.txt",
    sha256="0" * 64,
)


def citation(marker: str, number: str, quote: str, **kw: object) -> Citation:
    return Citation(
        marker=marker,
        id=f"bel-zh:¶{number}",
        doc_id="bel-zh",
        number=number,
        country="BEL",
        country_name="Belgium",
        language="zh",
        quote=quote,
        **kw,  # type: ignore[arg-type]
    )


def test_markers_link_to_their_cards_and_unknown_markers_stay_text() -> None:
    answer = Answer(
        question="q",
        answer="Belgium keeps it on the agenda [1]; see also [3].",
        abstained=False,
        citations=[citation("[1]", "8", "死刑")],
    )
    md = render_answer(answer, turn=2)
    assert "[\\[1\\]](#cite-2-1)" in md
    # Not a citation: no link, the characters shown as they are.
    assert "&#91;3&#93;" in md and "#cite-2-3" not in md
    assert "Belgium ¶8" in md
    assert card_id(2, "[1]") == "cite-2-1"
    assert "Searched as" not in md
    follow_up = answer.model_copy(
        update={"question": "And on racism?", "standalone_question": "Belgium racism pledges"}
    )
    assert "Searched as: Belgium racism pledges" in render_answer(follow_up, turn=3)


def test_card_shows_whole_paragraph_with_quote_marked_and_escaped() -> None:
    text = "8. <b>比利时</b> 将继续将死刑问题列入理事会议程。"
    c = citation(
        "[1]",
        "8",
        "死刑问题",
        aligned=[AlignedText(doc_id="bel-en", language="en", number="8", text="death <penalty>")],
        url="https://undocs.org/ch/A/77/89",
    )
    html = render_card(c, 0, text, DOC)
    assert 'id="cite-0-1"' in html
    assert "&lt;b&gt;比利时&lt;/b&gt;" in html  # paragraph text is escaped, never markup
    assert "<mark>死刑问题</mark>" in html
    assert "¶8" in html and "Belgium (BEL)" in html and "Chinese" in html
    assert "Belgium pledge 2023-2025" in html  # label when the symbol is unknown
    assert "English ¶8" in html and "death &lt;penalty&gt;" in html
    assert 'href="https://undocs.org/ch/A/77/89"' in html


def test_card_without_symbol_says_there_is_no_official_link() -> None:
    html = render_card(citation("[2]", "7", "not in text"), 1, "7. 国际刑事法院", DOC)
    assert "<mark>" not in html
    assert "Quoted: “not in text”" in html
    assert "does not carry its UN symbol" in html


def test_panel_opens_latest_answer_and_folds_earlier_ones() -> None:
    turns = [
        {"question": "first <q>", "html": "<p>a</p>"},
        {"question": "second", "html": "<p>b</p>"},
    ]
    html = render_panel(turns)
    assert html.index("Q2: second") < html.index("Q1: first &lt;q&gt;")
    assert '<details class="turn" data-turn="1" open>' in html
    assert '<details class="turn" data-turn="0">' in html
    assert "Ask a question" in render_panel([])


def test_abstained_answer_shows_related_paragraphs_as_such(e2e_service) -> None:
    from ui.app import render_turn

    answer = e2e_service.ask("What did Belgium commit to on nuclear disarmament?")
    assert answer.abstained and not answer.citations
    html = render_turn(e2e_service, answer, 3)
    if answer.related:
        assert "Related paragraphs (the answer abstained)" in html
        ids = [f'id="cite-3-r{i}"' for i in range(1, len(answer.related) + 1)]
        assert all(i in html for i in ids), html[:500]
    else:
        assert "No paragraph of the stored pledges answers this question." in html
    md = render_answer(answer, 3)
    assert "#cite-3-" not in md.split("Related paragraphs")[0]  # no answer markers


def test_quotes_are_isolated_and_never_scanned_for_markers() -> None:
    quote_ar = "ستنشئ روريتانيا مؤسسة وطنية [1] بحلول نهاية عام 2026."
    answer = Answer(
        question="q",
        answer=f"تقول التعهدات:\n- A/78/812, ¶5: “{quote_ar}” [1]\n- ¶8: “死刑” [2]",
        abstained=False,
        citations=[
            citation("[1]", "5", quote_ar).model_copy(update={"language": "ar"}),
            citation("[2]", "8", "死刑"),
        ],
    )
    md = render_answer(answer, turn=0)
    # The quote is its own bidi run, so the closing mark and the marker after it stay after it
    # in a left-to-right line; the "[1]" written inside the pledge's text is not a marker.
    shown = "ستنشئ روريتانيا مؤسسة وطنية &#91;1&#93; بحلول نهاية عام 2026&#46;"
    assert f'“<bdi dir="auto" lang="ar">{shown}</bdi>” &rlm;[\\[1\\]](#cite-0-1)' in md
    assert '“<bdi dir="auto" lang="zh">死刑</bdi>” &rlm;[\\[2\\]](#cite-0-2)' in md
    assert md.count("](#cite-0-1)") == 2  # the answer's marker and the Sources line, no more
    # The answer is written in Arabic: it reads right to left, as one block of markdown.
    assert md.startswith('<div dir="rtl">\n\n') and md.endswith("\n\n</div>")
    english = answer.model_copy(update={"answer": answer.answer.replace("تقول التعهدات", "Say")})
    assert render_answer(english, turn=0).startswith('<div dir="ltr">')
    assert "&lrm;[\\[1\\]](#cite-0-1)" in render_answer(english, turn=0)


def test_a_fetch_line_shows_its_error_as_text() -> None:
    # A failed version's reason can carry what a server or a file said: shown as characters,
    # never as a link or an image in the admin tab.
    from assistant.types import FetchItem
    from ui.app import fetch_lines

    item = FetchItem(
        symbol="A/78/812",
        language="fr",
        status="failed",
        url="https://documents.un.org/x",
        official_url="https://undocs.org/A/78/812",
        error="not a readable PDF: [click](http://127.0.0.2/) ![x](http://127.0.0.2/p.png)",
    )
    line = fetch_lines(item)
    assert "](" not in line and "[click" not in line, line
    assert html.unescape(line).endswith(
        "failed: not a readable PDF: [click](http://127.0.0.2/) ![x](http://127.0.0.2/p.png)"
    )
