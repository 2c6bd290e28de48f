"""Answers, citations and verdicts as text a person reads: the one renderer of every front end.

The answer chain labels its extractive quotes with :func:`citation_label`; the command line
prints :func:`render_text` and :func:`render_verdict`; the command line, the chat and the HTTP
API's clients get the same citation bundle from :func:`render_markdown`. The chat's HTML cards
are built from the same labels (:mod:`ui.app`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from assistant.types import Answer, Citation, Verdict
from ingest.language import LANGUAGE_NAMES

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
    """A citation bundle a journalist can paste: quote, paragraph, source, language, link, date."""
    when = (retrieved_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"**Question:** {answer.question}", ""]
    if answer.standalone_question and answer.standalone_question != answer.question:
        out += [f"*Searched as:* {answer.standalone_question}", ""]
    out += [f"**Answer:** {answer.answer}", ""]
    if answer.citations:
        out += ["**Sources**", ""]
    for c in answer.citations:
        who = f"{c.country_name} — " if c.country_name else ""
        out.append(
            f"{c.marker} {who}{source_label(c)}, paragraph {c.number} ({language_name(c.language)})"
        )
        out.append("")
        out.append(f"> {c.quote}")
        out.append("")
        for al in c.aligned:
            out.append(
                f"> *{language_name(al.language)} version, paragraph {al.number}:* {al.text}"
            )
            out.append("")
        link = c.url or "no official link (the document's UN symbol is unknown)"
        out.append(f"- Link: {link}")
        out.append(f"- Paragraph id: `{c.id}`")
        out.append(f"- Retrieved: {when}")
        out.append("")
    if answer.abstained and answer.related:
        out += ["**Related paragraphs (not an answer)**", ""]
        for c in answer.related:
            out.append(f"- {source_label(c)}, paragraph {c.number}: {c.quote}")
        out.append("")
    for w in answer.warnings:
        out.append(f"*Note: {w}*")
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
