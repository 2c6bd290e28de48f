"""``pledges ask`` and ``pledges verify``: cited answers and claim checks on the command line."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from assistant.render import answer_json, render_markdown, render_text, render_verdict
from assistant.types import Answer
from ingest.language import UN_LANGUAGES
from ui.cli._common import (
    JsonOption,
    StoreOption,
    app,
    console,
    emit_json,
    make_filters,
    make_service,
)


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
    service = make_service(store, existing=True)
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
    r"""Check a claim against the pledges, quoting the sentence that decides it.

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
    service = make_service(store, existing=True)
    verdict = service.verify(claim, filters=make_filters(country, lang))
    if json_out:
        emit_json(verdict)
    else:
        console.print(render_verdict(verdict), markup=False, highlight=False, soft_wrap=True)
