"""``pledges ask`` and ``pledges verify``: cited answers and claim checks on the command line."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from assistant.cli._common import JsonOption, StoreOption, app, console, emit_json, make_service
from assistant.terms import LANGUAGE_NAMES
from assistant.types import UN_LANGUAGES, Answer, Citation, Filters, Verdict


class OutputFormat(StrEnum):
    """How ``pledges ask`` prints its answer."""

    text = "text"
    json = "json"
    markdown = "markdown"


CountryOption = Annotated[
    str | None,
    typer.Option("--country", help="Only pledges of this country (ISO alpha-3 code or name)."),
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help=f"Only documents in this language ({', '.join(UN_LANGUAGES)})."),
]


def make_filters(country: str | None, lang: str | None) -> Filters | None:
    """Filters from ``--country`` / ``--lang``; an unknown language is a usage error."""
    if lang is not None and lang not in UN_LANGUAGES:
        raise typer.BadParameter(
            f"expected one of {', '.join(UN_LANGUAGES)}, got {lang!r}", param_hint="--lang"
        )
    filters = Filters(country=country, language=lang)  # type: ignore[arg-type]
    return None if filters.is_empty() else filters


# -- rendering -----------------------------------------------------------------------------------


def _source_label(c: Citation) -> str:
    return c.symbol or c.title or c.doc_id


def _who(c: Citation) -> str:
    """Country and source without repeating the country when the title already names it."""
    label = _source_label(c)
    if c.country_name and c.country_name not in label:
        return f"{c.country_name}, {label}"
    return label


def _lang_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "", code or "unknown language")


def render_text(answer: Answer) -> str:
    """The answer, its citations (with aligned language versions), related paragraphs, warnings."""
    lines = [answer.answer, ""]
    if answer.standalone_question and answer.standalone_question != answer.question:
        lines.insert(0, f"(searched as: {answer.standalone_question})\n")
    for c in answer.citations:
        lines.append(
            f"{c.marker} {_who(c)} ¶{c.number} ({_lang_name(c.language)}) {c.url or ''}".replace(
                "  ", " "
            ).strip()
        )
        lines.append(f"    “{c.quote}”")
        for al in c.aligned:
            lines.append(f"    {_lang_name(al.language)} version, ¶{al.number}: {al.text}")
    if answer.abstained and answer.related:
        lines.append("Related paragraphs (not an answer):")
        for c in answer.related:
            lines.append(f"  ¶{c.number} {_source_label(c)}: {c.quote}")
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
            f"{c.marker} {who}{_source_label(c)}, paragraph {c.number} ({_lang_name(c.language)})"
        )
        out.append("")
        out.append(f"> {c.quote}")
        out.append("")
        for al in c.aligned:
            out.append(f"> *{_lang_name(al.language)} version, paragraph {al.number}:* {al.text}")
            out.append("")
        link = c.url or "no official link (the document's UN symbol is unknown)"
        out.append(f"- Link: {link}")
        out.append(f"- Paragraph id: `{c.id}`")
        out.append(f"- Retrieved: {when}")
        out.append("")
    if answer.abstained and answer.related:
        out += ["**Related paragraphs (not an answer)**", ""]
        for c in answer.related:
            out.append(f"- {_source_label(c)}, paragraph {c.number}: {c.quote}")
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
            f"{c.marker} {_who(c)} ¶{c.number} ({_lang_name(c.language)}) {c.url or ''}".replace(
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


# -- commands ------------------------------------------------------------------------------------


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in any UN language.")],
    history: Annotated[
        list[str] | None,
        typer.Option("--history", help="An earlier question of the conversation (repeatable)."),
    ] = None,
    country: CountryOption = None,
    lang: LangOption = None,
    json_out: JsonOption = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="text, json, or a markdown citation bundle.")
    ] = OutputFormat.text,
    store: StoreOption = None,
) -> None:
    """Answer a question with verbatim, cited paragraphs, or say the pledges do not cover it."""
    filters = make_filters(country, lang)
    service = make_service(store)
    if json_out:
        fmt = OutputFormat.json
    if fmt is OutputFormat.text and service.llm is not None:
        # Stream the model's words, then print the checked answer with its citations.
        answer: Answer | None = None
        streamed = []
        for chunk in service.stream_ask(question, history=history or [], filters=filters):
            if isinstance(chunk, Answer):
                answer = chunk
            else:
                streamed.append(chunk)
                sys.stdout.write(chunk)
                sys.stdout.flush()
        assert answer is not None
        sys.stdout.write("\n\n--- checked answer ---\n")
        console.print(render_text(answer), markup=False, highlight=False, soft_wrap=True)
        return
    answer = service.ask(question, history=history or [], filters=filters)
    if fmt is OutputFormat.json:
        emit_json(answer_json(answer))
    elif fmt is OutputFormat.markdown:
        sys.stdout.write(render_markdown(answer))
    else:
        console.print(render_text(answer), markup=False, highlight=False, soft_wrap=True)


@app.command()
def verify(
    claim: Annotated[str, typer.Argument(help='A claim, e.g. "Belgium pledged to ratify OPCAT".')],
    country: CountryOption = None,
    lang: LangOption = None,
    json_out: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """Check a claim against the pledges, quoting the sentence that decides it.

    \b
    supported:    a quoted sentence names the claim's topic and states
                  every year, range, number and treaty number of it,
                  with the same modality (done or pledged) and polarity
    contradicted: a sentence on the topic states another value, the
                  other modality or the opposite polarity (both quoted)
    related:      the topic is there, but the wording cannot be judged
                  without a language model: read the quotes
    not_found:    no stored pledge addresses the claim's topic
    """
    service = make_service(store)
    verdict = service.verify(claim, filters=make_filters(country, lang))
    if json_out:
        emit_json(verdict)
    else:
        console.print(render_verdict(verdict), markup=False, highlight=False, soft_wrap=True)
