"""Property: in every real-world layout, the words of every body sentence land in the paragraphs,
in order.

Hypothesis writes documents from random sentences (Latin, Cyrillic, Arabic and CJK words, with
numbers inside sentences such as "No. 190", "20(1)", "60/251" and years), optionally numbered the
UN way, with headings and bullet lists under a lead-in, and lays them out as a web page, a
hard-wrapped brochure, a text with blank lines between paragraphs, a viewer's dump with its own
lines on top, or one long line with every break lost.
"""

from __future__ import annotations

import textwrap
from html import escape

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ingest.clean import display_width
from ingest.pipeline import parse_bytes
from tests.ingest.test_realworld import kept_in_order

LATIN = st.text(alphabet="abcdefghijklmnoprstuvwyzéàç", min_size=2, max_size=9)
CYRILLIC = st.text(alphabet="абвгдежзиклмнопрстуфхцчшщыэюя", min_size=2, max_size=9)
ARABIC = st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي", min_size=2, max_size=8)
CJK = st.text(alphabet="比利时人权理事会承诺国家报告合作促进保护", min_size=2, max_size=8)
TRICKY = st.sampled_from(
    ["No. 190", "20(1)", "60/251", "2016", "8 May 2023", "2023-2025", "art. 5"]
)


@st.composite
def sentence(draw: st.DrawFn, script: str) -> str:
    if script == "zh":
        parts = draw(st.lists(st.one_of(CJK, TRICKY), min_size=2, max_size=6))
        return "".join(parts) + draw(st.sampled_from(["。", "；"]))
    words = {"latin": LATIN, "cyrillic": CYRILLIC, "arabic": ARABIC}[script]
    parts = draw(st.lists(st.one_of(words, words, words, TRICKY), min_size=3, max_size=14))
    first = parts[0][:1].upper() + parts[0][1:]
    return " ".join([first, *parts[1:]]) + draw(st.sampled_from([".", ".", ";", "!"]))


@st.composite
def document(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]], bool]:
    """(script, blocks, numbered): blocks are (kind, text) with kinds heading, para, lead and
    bullet; ``numbered`` documents carry UN paragraph numbers."""
    script = draw(st.sampled_from(["latin", "cyrillic", "arabic", "zh"]))
    numbered = draw(st.booleans())
    blocks: list[tuple[str, str]] = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            head = draw(st.lists(LATIN if script != "zh" else CJK, min_size=1, max_size=3))
            blocks.append(("heading", " ".join(head).capitalize()))
        shape = draw(st.sampled_from(["para", "para", "list"]))
        if shape == "para":
            text = " ".join(draw(st.lists(sentence(script), min_size=1, max_size=4)))
            blocks.append(("para", text))
        else:
            lead = draw(sentence(script))[:-1] + ":"
            blocks.append(("lead", lead))
            for item in draw(st.lists(sentence(script), min_size=2, max_size=4)):
                blocks.append(("bullet", item[:1].lower() + item[1:]))
    if numbered:
        n = 0
        out = []
        for kind, text in blocks:
            if kind in ("para", "lead"):
                n += 1
                text = f"{n}. {text}"
            out.append((kind, text))
        blocks = out
    return script, blocks, numbered


def wrap_cjk(text: str, width: int) -> list[str]:
    """Lines of ``width`` display columns (a CJK character takes two), broken as a typesetter
    does: between CJK characters or at a space, never inside a Latin word or a number, and
    never before a full stop or comma (kinsoku)."""

    def fits(line: str) -> bool:
        return display_width(line) <= width

    def may_break(k: int) -> bool:
        a, b = text[k - 1], text[k]
        if b in "。，、；：！？）":
            return False
        return b == " " or not (a.isascii() or b.isascii())

    lines: list[str] = []
    start = 0
    while not fits(text[start:]):
        end = start + 1
        while fits(text[start : end + 1]):
            end += 1
        cut = end
        while cut > start + 1 and not may_break(cut):
            cut -= 1
        if cut == start + 1:
            cut = end
        lines.append(text[start:cut])
        start = cut
    return [*lines, text[start:]]


def render(layout: str, script: str, blocks: list[tuple[str, str]]) -> tuple[str, bytes]:
    if layout == "web":
        body = []
        for kind, text in blocks:
            tag = {"heading": "h2", "bullet": "li"}.get(kind, "p")
            body.append(f"<{tag}>{escape(text)}</{tag}>")
        html = "<html><body><a href='#main'>Skip to main content</a><main>"
        return "page.html", (html + "".join(body) + "</main></body></html>").encode()
    if layout == "oneline":
        sep = "" if script == "zh" else " "
        return "one.txt", sep.join(text for _, text in blocks).encode()
    lines: list[str] = []
    for kind, text in blocks:
        if layout == "blank":
            lines.append(("• " if kind == "bullet" else "") + text)
            lines.append("")
            continue
        width = 30 if script == "zh" else 70
        wrapped = (
            wrap_cjk(text, 2 * width)
            if script == "zh"
            else textwrap.wrap(text, width, break_on_hyphens=False) or [text]
        )
        if kind == "bullet":
            wrapped[0] = "• " + wrapped[0]
        lines.extend(wrapped)
    if layout == "viewer":
        lines = ["Total Page:2", "File Type: PDF", *lines]
    return "doc.txt", "\n".join(lines).encode()


@settings(max_examples=120, deadline=None)
@given(document(), st.sampled_from(["web", "brochure", "blank", "viewer", "oneline"]))
# Found by this test: a wrapped Arabic lead-in whose next line starts with a Latin "No. 190" was
# taken for a one-line title (letter case read on a script that has none), losing its words.
@example(
    (
        "arabic",
        [
            (
                "lead",
                "اا اا ااا ااا اااا اااا ااااا ااااا اااااااا No. 190 No. 190 60/251 No. 190:",
            ),
            ("bullet", "اا اا اا."),
            ("bullet", "اا اا اا ااا اااا اااا اااااا ااااااا ااااااا اااااااا No. 190 20(1)."),
        ],
        False,
    ),
    "brochure",
)
# Found by this test: an unnumbered Chinese paragraph wrapped before a unit that could not be
# broken ("事2023-20252023-2025事") left a short first line with no stop, which was taken for a
# paragraph end and then for the title, losing its words.
@example(
    (
        "zh",
        [
            (
                "para",
                "事事事事事事事事事事事事事事事事； 事事事2023-20252023-2025事事事事事事。"
                " 事事事事。 事事事事。",
            )
        ],
        False,
    ),
    "brochure",
)
# Found by this test: in a text of lines all narrower than its width, a heading line joined the
# clause before it ("事事事事；事事"), and the block was taken for the title.
@example(
    (
        "zh",
        [
            ("para", "事事事事；"),
            ("heading", "事事"),
            ("para", "事事事事。"),
            ("para", "事事事事。"),
        ],
        False,
    ),
    "brochure",
)
def test_every_body_sentence_lands_in_the_paragraphs(
    doc: tuple[str, list[tuple[str, str]], bool], layout: str
) -> None:
    script, blocks, _numbered = doc
    name, data = render(layout, script, blocks)
    parsed = parse_bytes(data, name)  # never "no paragraphs found": there is a body
    body = [text for kind, text in blocks if kind != "heading"]
    share, missed = kept_in_order(body, [p.text for p in parsed.paragraphs])
    assert share == 1.0, missed
    numbers = [p.number for p in parsed.paragraphs]
    assert len(numbers) == len(set(numbers))
