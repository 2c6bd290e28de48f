"""Fuzzing the readers and the splitter: any bytes under any supported name either parse into
well-formed records or raise an IngestError with a one-line message naming the file."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import IngestError
from ingest.pipeline import parse_bytes
from ingest.readers import SUPPORTED_SUFFIXES, read_bytes

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

# Text shaped like pledges: numbers, letters and markers of six scripts, CJK, breaks, controls.
ALPHABET = st.sampled_from(
    list("0123456789.()-–•\n\n\n  \tabcxyzAIVX")
    + list("éàñçбжحسة比利时承诺。，；")
    + ["\x0b", "\x1b", "\x7f", "\u202e", "\ufeff", "\r", "\x0c"]
)


def _well_formed(parsed: object) -> None:
    from ingest.records import ParsedDocument

    assert isinstance(parsed, ParsedDocument)
    ids = [p.id for p in parsed.paragraphs]
    assert len(ids) == len(set(ids))
    for p in parsed.paragraphs:
        assert p.text.strip()
        assert p.id == f"{parsed.document.doc_id}:¶{p.number}"


def _clear(error: IngestError, name: str) -> None:
    message = str(error)
    assert message.startswith(name)
    assert message.strip()


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUPPORTED_SUFFIXES))
def test_readers_take_any_bytes(data: bytes, suffix: str) -> None:
    name = f"fuzz{suffix}"
    try:
        lines = read_bytes(data, name)
    except IngestError as e:
        _clear(e, name)
        return
    assert any(line.text.strip() for line in lines)


@FUZZ
@given(text=st.text(alphabet=ALPHABET, max_size=1500))
def test_splitter_takes_any_text(text: str) -> None:
    try:
        parsed = parse_bytes(text.encode("utf-8"), "fuzz.txt")
    except IngestError as e:
        _clear(e, "fuzz.txt")
        return
    _well_formed(parsed)


@FUZZ
@given(
    items=st.lists(
        st.tuples(
            st.sampled_from(["1.", "2.", "(a)", "a)", "•", "I.", "A.", "١ -", "10.", ""]),
            st.text(alphabet=ALPHABET, min_size=1, max_size=120),
        ),
        min_size=1,
        max_size=25,
    ),
    sep=st.sampled_from(["\n", "\n\n", "\n\n\n"]),
)
def test_splitter_takes_numbered_lists(items: list[tuple[str, str]], sep: str) -> None:
    text = sep.join(f"{marker} {body}" for marker, body in items)
    try:
        parsed = parse_bytes(text.encode("utf-8"), "list.txt")
    except IngestError as e:
        _clear(e, "list.txt")
        return
    _well_formed(parsed)


@FUZZ
@given(
    tags=st.lists(st.sampled_from(["div", "p", "li", "ol", "ul", "td", "span", "h2"]), max_size=40),
    body=st.text(alphabet=ALPHABET, max_size=300),
)
def test_html_reader_takes_any_nesting(tags: list[str], body: str) -> None:
    html = "".join(f"<{t}>" for t in tags) + body + "".join(f"</{t}>" for t in reversed(tags))
    try:
        parsed = parse_bytes(html.encode("utf-8"), "fuzz.html")
    except IngestError as e:
        _clear(e, "fuzz.html")
        return
    _well_formed(parsed)
