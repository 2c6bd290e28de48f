"""Citations a reader can check: sentence spans, markers, verbatim quotes, links, other languages.

Every :class:`~assistant.types.Citation` built here quotes an exact substring of the paragraph it
points at (slices of ``Paragraph.text``, never re-typed text). For LLM answers, markers are checked
against the passages the model was given and quoted text is looked up verbatim in the cited
paragraph; what fails is removed and reported in ``Answer.warnings``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.types import AlignedText, Citation
from ingest.language import UN_LANGUAGES
from ingest.records import Document
from vectorstore.errors import NotFoundError
from vectorstore.glossary import default_glossary
from vectorstore.records import SearchHit

#: A citation marker in answer text: [1], [12].
MARKER_RE = re.compile(r"\[(\d{1,3})\]")
#: Quoted spans: “…”, "…", 「…」, 『…』, «…», „…“.
QUOTE_RE = re.compile(
    r"“([^”]{2,}?)”|\"([^\"]{2,}?)\"|「([^」]{2,}?)」|『([^』]{2,}?)』|«\s?([^»]{2,}?)\s?»|„([^“]{2,}?)“"
)

# Sentence ends: CJK full stop, semicolon, exclamation and question marks end a sentence where they
# stand; a Latin . ! ? ; ends one when followed by a space (or the end), and the dot is not part of
# an abbreviation such as "No." or "e.g.".
_CJK_END = "。；！？"
_ABBREV = re.compile(
    r"(?:\b(?:No|Nos|Art|para|paras|e\.g|i\.e|etc|Mr|Mrs|Ms|Dr|St|cf|vol|pp|p|op|cit|Inc|Ltd|Co|"
    r"n°|art|al|M|Mme|Sr|Sra|núm|núms|арт|ст|г|гг)\.|\b[A-Z]\.)$"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of the sentences of ``text`` (CJK and Latin punctuation).

    Offsets slice ``text`` itself, so every sentence is an exact substring. Leading and trailing
    whitespace is excluded from each span; empty pieces are dropped.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        end: int | None = None
        if ch in _CJK_END:
            end = i + 1
            # Keep closing brackets/quotes with the sentence they close.
            while end < n and text[end] in "」』”)）":
                end += 1
        elif ch in ".!?;" and (i + 1 == n or text[i + 1].isspace()):
            if ch == "." and _ABBREV.search(text[max(0, i - 6) : i + 1]):
                end = None
            else:
                end = i + 1
                while end < n and text[end] in "\"')”»":
                    end += 1
        if end is not None:
            _push(text, start, end, spans)
            start = end
            i = end
            continue
        i += 1
    _push(text, start, n, spans)
    return spans


def _push(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and re.search(r"\w", text[start:end]):
        spans.append((start, end))


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as exact substrings."""
    return [text[s:e] for s, e in sentence_spans(text)]


def clause_window(text: str, start: int, end: int, focus: int, limit: int = 220) -> tuple[int, int]:
    """Narrow a long sentence ``text[start:end]`` to contiguous clauses around offset ``focus``.

    Clauses are cut after ，、,: and the window grows from the clause holding ``focus`` until it
    would pass ``limit`` characters. The result is still an exact slice of ``text``.
    """
    if end - start <= limit:
        return start, end
    cuts = [start]
    for m in re.finditer(r"[，、,:：]\s*", text[start:end]):
        cuts.append(start + m.end())
    cuts.append(end)
    cuts = sorted(set(cuts))
    idx = max(i for i, c in enumerate(cuts[:-1]) if c <= max(focus, start))
    lo, hi = idx, idx + 1
    while True:
        grew = False
        if hi < len(cuts) - 1 and cuts[hi + 1] - cuts[lo] <= limit:
            hi += 1
            grew = True
        if lo > 0 and cuts[hi] - cuts[lo - 1] <= limit:
            lo -= 1
            grew = True
        if not grew:
            break
    s, e = cuts[lo], cuts[hi]
    while e > s and text[e - 1] in " ，、,:：":
        e -= 1
    return s, e


def find_verbatim(quote: str, text: str) -> tuple[int, int] | None:
    """Where ``quote`` occurs in ``text``, allowing only differences in whitespace.

    Returns offsets into ``text`` (so ``text[s:e]`` is the exact wording), or None.
    """
    quote = quote.strip()
    if not quote:
        return None
    pos = text.find(quote)
    if pos != -1:
        return pos, pos + len(quote)
    chars = [re.escape(c) for c in quote if not c.isspace()]
    if not chars:
        return None
    m = re.search(r"\s*".join(chars), text)
    return (m.start(), m.end()) if m else None


# -- building citations --------------------------------------------------------------------------


def aligned_versions(
    documents: Sequence[Document],
    document: Document,
    number: str,
    languages: Iterable[str],
    get_paragraph: Any,
) -> list[AlignedText]:
    """The same-numbered paragraph from other stored language versions of ``document``.

    A version is another document with the same symbol, or the same country, term and date.
    Only versions in ``languages`` are returned; a version lacking that paragraph is skipped.
    """
    wanted = set(languages) - {document.language}
    out: list[AlignedText] = []
    for other in documents:
        if other.doc_id == document.doc_id or other.language not in wanted:
            continue
        same = bool(document.symbol and other.symbol == document.symbol) or bool(
            document.country
            and other.country
            and other.country.code == document.country.code
            and document.term
            and other.term == document.term
            and document.date
            and other.date == document.date
        )
        if not same:
            continue
        try:
            para = get_paragraph(other.doc_id, number)
        except NotFoundError:
            continue
        out.append(
            AlignedText(
                doc_id=other.doc_id,
                language=other.language,
                number=number,
                text=para.text,
                url=other.url,
            )
        )
    return out


def in_language(
    hits: Sequence[SearchHit],
    language: str | None,
    documents: Sequence[Document],
    get_paragraph: Any,
) -> list[SearchHit]:
    """Each hit as the same-numbered paragraph of its ``language`` version, when one is stored.

    The UN publishes a pledge under one symbol in six languages with the same paragraph
    numbering, so ¶8 of the French version says what ¶8 of the Chinese one says. A hit whose
    document has a symbol is replaced by that paragraph of the stored version in ``language``
    (same score and ranks); a paragraph reached through several versions is kept once, at its
    best rank. Hits without such a version are kept as they are.
    """
    if language not in UN_LANGUAGES:
        return list(hits)
    versions = {d.symbol: d for d in documents if d.symbol and d.language == language}
    out: list[SearchHit] = []
    seen: set[str] = set()
    for hit in hits:
        doc = hit.document
        other = versions.get(doc.symbol) if doc.symbol and doc.language != language else None
        if other is not None:
            try:
                para = get_paragraph(other.doc_id, hit.paragraph.number)
            except NotFoundError:
                para = None
            if para is not None:
                hit = hit.model_copy(update={"paragraph": para, "document": other})
        if hit.paragraph.id not in seen:
            seen.add(hit.paragraph.id)
            out.append(hit)
    return out


def make_citation(
    marker: str, hit: SearchHit, quote: str, aligned: list[AlignedText] | None = None
) -> Citation:
    """A citation of ``hit`` quoting ``quote``, which must be an exact substring of its text.

    Raises:
        ValueError: when the quote is not in the paragraph (a programming error, never shown
            to users: callers slice quotes from the paragraph).
    """
    para, doc = hit.paragraph, hit.document
    if quote not in para.text:
        raise ValueError(f"quote is not a substring of paragraph {para.id}: {quote[:60]!r}")
    return Citation(
        marker=marker,
        id=para.id,
        doc_id=para.doc_id,
        number=para.number,
        symbol=doc.symbol,
        title=None if doc.symbol else doc.label,
        country=doc.country.code if doc.country else None,
        country_name=doc.country.name if doc.country else None,
        language=doc.language,
        quote=quote,
        url=doc.url,
        score=round(hit.score, 6),
        aligned=aligned or [],
        topics=paragraph_topics(para.text_with_lead_in),
    )


def paragraph_topics(text: str) -> list[str]:
    """The topical glossary concepts a paragraph names, in its own language, by id."""
    return [c.id for c, _ in default_glossary().find(text) if c.weight > 0]


# -- checking LLM output -------------------------------------------------------------------------


@dataclass
class CheckedText:
    """LLM text after marker and quote checks."""

    text: str
    #: Marker number → verified quotes (exact substrings of that passage) in order of use.
    quotes: dict[int, list[str]] = field(default_factory=dict)
    used: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_markers(text: str, allowed: Iterable[int]) -> CheckedText:
    """Remove markers that do not name a passage the model was given; report them."""
    allowed_set = set(allowed)
    bad: list[str] = []
    used: list[int] = []

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n in allowed_set:
            if n not in used:
                used.append(n)
            return m.group(0)
        bad.append(m.group(0))
        return ""

    cleaned = MARKER_RE.sub(repl, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?。；，])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    checked = CheckedText(text=cleaned, used=used)
    if bad:
        checked.warnings.append(
            f"removed citation marker(s) {', '.join(dict.fromkeys(bad))}: they match no"
            " retrieved paragraph"
        )
    return checked


def check_quotes(checked: CheckedText, passages: dict[int, str]) -> CheckedText:
    """Keep quoted text only when it is verbatim in a cited paragraph.

    A quotation is looked up in the paragraphs whose markers follow it in the same sentence,
    else in every paragraph the answer cites. A quotation found nowhere is replaced by a note
    and reported in the warnings.
    """
    text = checked.text
    out: list[str] = []
    pos = 0
    for m in QUOTE_RE.finditer(text):
        quote = next(g for g in m.groups() if g is not None)
        tail = text[m.end() : m.end() + 200]
        stop = re.search(r"[.!?。！？\n]", tail)
        near = [int(x) for x in MARKER_RE.findall(tail[: stop.end() if stop else len(tail)])]
        candidates = [n for n in near if n in passages] or [
            n for n in checked.used if n in passages
        ]
        found = None
        for n in candidates:
            span = find_verbatim(quote, passages[n])
            if span:
                found = (n, passages[n][span[0] : span[1]])
                break
        out.append(text[pos : m.start()])
        if found:
            n, exact = found
            checked.quotes.setdefault(n, []).append(exact)
            out.append(m.group(0))
        else:
            out.append("[quotation removed: not found verbatim in the cited paragraph]")
            where = ", ".join(f"[{n}]" for n in candidates) or "no cited paragraph"
            checked.warnings.append(
                f"removed a quotation not found verbatim in {where}: {quote[:80]!r}"
            )
        pos = m.end()
    out.append(text[pos:])
    checked.text = "".join(out)
    return checked
