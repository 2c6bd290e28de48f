"""Answers, citations and verdicts as text a person reads: the one renderer of every front end.

The answer chain labels its extractive quotes with :func:`citation_label`; the command line
prints :func:`render_text` and :func:`render_verdict`; the command line, the chat and the HTTP
API's clients get the same citation bundle from :func:`render_markdown`. The chat's HTML cards
are built from the same labels (:mod:`ui.app`).

Pledge text comes from outside sources and questions from anyone: whatever markdown these
functions write shows it as the characters it is (:func:`md_literal`), never as markup, a link
or an image.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from assistant.types import Answer, Citation, Verdict
from ingest.language import LANGUAGE_NAMES

#: ASCII punctuation that markdown, HTML, autolinks or math could read as markup (all of it
#: but , ; ? ! % ' " which nothing reads on its own; "!" only before "[", which is escaped).
_MD_PUNCT = re.compile(r"[#$&()*+\-./:<=>@\[\\\]^_`{|}~]")


def md_literal(text: str, *, backslashes: bool = False) -> str:
    r"""``text`` as markdown that shows exactly these characters.

    Every ASCII punctuation character that markdown, HTML, autolinks or math could read is
    escaped, so no markup, HTML, link, autolink or math is ever read from ``text``.

    Args:
        text: Text from a pledge, a question or a label.
        backslashes: Escape with a backslash (``\[``), which CommonMark defines for every ASCII
            punctuation character: a pasted citation bundle then reads as the words with a few
            backslashes in its source. By default, numeric character references (``&#91;``),
            which the chat's renderer and its math never read (:func:`html.unescape` reverses
            them).
    """
    if backslashes:
        return _MD_PUNCT.sub(lambda m: "\\" + m.group(0), text)
    return _MD_PUNCT.sub(lambda m: f"&#{ord(m.group(0))};", text)


def _md(text: str) -> str:
    """Text for the citation bundle: literal, with backslash escapes."""
    return md_literal(text, backslashes=True)


def _md_quote(text: str) -> str:
    """A block quote of ``text`` whose every line stays inside the quote."""
    return "\n".join(f"> {_md(line)}".rstrip() for line in text.splitlines() or [""])


# -- plain text and markdown ---------------------------------------------------------------------


def citation_label(c: Citation) -> str:
    """The label of an extractive quote: "Belgium, A/77/89, ¶8", or the document's label and ¶."""
    if c.symbol:
        return (
            f"{c.country_name}, {c.symbol}, ¶{c.number}"
            if c.country_name
            else f"{c.symbol}, ¶{c.number}"
        )
    return f"{c.title or c.country_name or c.doc_id}, ¶{c.number}"


def source_label(c: Citation) -> str:
    """The cited document: its symbol, else its title, else its id."""
    return c.symbol or c.title or c.doc_id


def who(c: Citation) -> str:
    """Country and source without repeating the country when the title already names it."""
    label = source_label(c)
    if c.country_name and c.country_name not in label:
        return f"{c.country_name}, {label}"
    return label


def language_name(code: str | None) -> str:
    """English name of a language code (the code itself, or "unknown language", otherwise)."""
    return LANGUAGE_NAMES.get(code or "", code or "unknown language")


def render_text(answer: Answer) -> str:
    """The answer, its citations (with aligned language versions), related paragraphs, warnings."""
    lines = [answer.answer, ""]
    if answer.standalone_question and answer.standalone_question != answer.question:
        lines.insert(0, f"(searched as: {answer.standalone_question})\n")
    for c in answer.citations:
        lines.append(
            f"{c.marker} {who(c)} ¶{c.number} ({language_name(c.language)}) {c.url or ''}".replace(
                "  ", " "
            ).strip()
        )
        lines.append(f"    “{c.quote}”")
        for al in c.aligned:
            lines.append(f"    {language_name(al.language)} version, ¶{al.number}: {al.text}")
    if answer.abstained and answer.related:
        lines.append("Related paragraphs (not an answer):")
        for c in answer.related:
            lines.append(f"  ¶{c.number} {source_label(c)}: {c.quote}")
    for w in answer.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(answer: Answer, retrieved_at: dt.datetime | None = None) -> str:
    """A citation bundle a journalist can paste: quote, paragraph, source, language, link, date.

    The question, the answer, quotes, labels and warnings are escaped (:func:`md_literal` with
    backslashes): rendered, they read as the exact words; nothing in them becomes a link, an
    image or HTML. The official links and the paragraph ids are the project's own.
    """
    when = (retrieved_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"**Question:** {_md(answer.question)}", ""]
    if answer.standalone_question and answer.standalone_question != answer.question:
        out += [f"*Searched as:* {_md(answer.standalone_question)}", ""]
    out += [f"**Answer:** {_md(answer.answer)}", ""]
    if answer.citations:
        out += ["**Sources**", ""]
    for c in answer.citations:
        who = f"{c.country_name} — " if c.country_name else ""
        label = f"{who}{source_label(c)}, paragraph {c.number} ({language_name(c.language)})"
        out.append(f"{_md(c.marker)} {_md(label)}")
        out.append("")
        out.append(_md_quote(c.quote))
        out.append("")
        for al in c.aligned:
            version = f"{language_name(al.language)} version, paragraph {al.number}:"
            out.append(f"> *{_md(version)}* {_md(al.text)}")
            out.append("")
        link = c.url or "no official link (the document's UN symbol is unknown)"
        out.append(f"- Link: {link}")
        out.append(f"- Paragraph id: `{c.id}`")
        out.append(f"- Retrieved: {when}")
        out.append("")
    if answer.abstained and answer.related:
        out += ["**Related paragraphs (not an answer)**", ""]
        for c in answer.related:
            out.append(f"- {_md(source_label(c))}, paragraph {_md(c.number)}: {_md(c.quote)}")
        out.append("")
    for w in answer.warnings:
        out.append(f"*Note: {_md(w)}*")
    return "\n".join(out).rstrip() + "\n"


def answer_json(answer: Answer) -> dict[str, Any]:
    """The DESIGN.md ``ask --json`` object, with the record's other fields after it."""
    full = answer.model_dump(mode="json")
    head = {
        "answer": full.pop("answer"),
        "abstained": full.pop("abstained"),
        "citations": full.pop("citations"),
    }
    return {**head, **full}


def render_verdict(verdict: Verdict) -> str:
    """A verdict as readable text."""
    lines = [f"{verdict.status.upper()}: {verdict.claim}", verdict.explanation, ""]
    for c in verdict.evidence:
        lines.append(
            f"{c.marker} {who(c)} ¶{c.number} ({language_name(c.language)}) {c.url or ''}".replace(
                "  ", " "
            ).strip()
        )
        lines.append(f"    “{c.quote}”")
    if verdict.checks:
        lines.append("")
        lines.append("Checked against [1]:")
        for k in verdict.checks:
            pair = f"{k.claim!r}" + (f" / {k.evidence!r}" if k.evidence else "")
            lines.append(f"  {k.facet:<9} {k.outcome:<9} {pair}")
    for note in verdict.not_checked:
        lines.append(f"not checked: {note}")
    for w in verdict.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines).rstrip() + "\n"
