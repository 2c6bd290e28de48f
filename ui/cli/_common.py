"""Shared pieces of the command line: the app, the consoles, ``--store`` and JSON output."""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.text import Text

from assistant.service import PledgeService
from ingest.errors import ConfigError
from ingest.language import UN_LANGUAGES
from ui.settings import Settings
from vectorstore.records import Filters
from vectorstore.store import store_exists

app = typer.Typer(
    name="pledges",
    help=(
        "Pledge Assistant: search and cite UN Human Rights Council candidature pledges"
        " in the six UN languages."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)

#: Exit status of an ``ingest`` or ``fetch`` that failed on nothing but skipped a file (or a
#: language version) as a duplicate: its bytes are stored under another document id.
DUPLICATE_EXIT = 3

# What the consoles print is data: file names, paragraph text, titles, queries, errors quoting
# them. Rich markup and emoji codes are off, so "[/b]" or "[link=…]" in a pledge prints as
# those characters (it crashed `parse` and `search`, or became a terminal hyperlink); styles
# are applied with :func:`styled`.
console = Console(markup=False, emoji=False)
err_console = Console(stderr=True, markup=False, emoji=False)


def styled(label: str, style: str, rest: str = "") -> Text:
    """``label`` in ``style``, then ``rest`` as plain text (never read as markup)."""
    return Text.assemble((label, style), rest)


StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar="PLEDGES_STORE",
        help="Embedded store directory (ignored when PLEDGES_CHROMA_URL points at a server).",
        show_default=".pledges",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (DESIGN.md contract).")]


def make_settings(store: Path | None) -> Settings:
    """Settings from the environment, with ``--store`` applied."""
    return Settings().with_store(store)


def make_service(store: Path | None, *, existing: bool = False) -> PledgeService:
    """A service over the configured store.

    Args:
        store: ``--store``, when given.
        existing: The command only reads: an embedded store that does not exist is an error.
            Opening creates a store, so a mistyped ``--store`` (or the default ``.pledges`` of
            another working directory) was created empty, and ``ask`` and ``verify`` answered
            that the pledges do not say what was asked.

    Raises:
        ConfigError: ``existing`` and no store at the configured directory.
    """
    settings = make_settings(store)
    if existing and not store_exists(settings.store):
        path = settings.store.store
        raise ConfigError(
            f"no store at {path} (--store, PLEDGES_STORE): point --store at a store, or"
            f" create one with `pledges ingest FILES --store {path}`"
        )
    return PledgeService(settings)


def to_jsonable(obj: Any) -> Any:
    """Records and lists of records as plain JSON values."""
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, list | tuple):
        return [to_jsonable(o) for o in obj]
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    return obj


def emit_json(obj: Any) -> None:
    """Write ``obj`` as UTF-8 JSON on stdout (CJK text stays readable)."""
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def parse_meta(values: list[str] | None) -> dict[str, str]:
    """``--meta key=value`` options as a dict; a malformed one is a usage error."""
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"expected key=value, got {item!r}", param_hint="--meta")
        out[key.strip()] = value.strip()
    return out


def make_filters(country: str | None, lang: str | None, term: str | None = None) -> Filters | None:
    """Filters from ``--country`` / ``--lang`` / ``--term``; a bad value is a usage error."""
    if lang is not None and lang not in UN_LANGUAGES:
        raise typer.BadParameter(
            f"expected one of {', '.join(UN_LANGUAGES)}, got {lang!r}", param_hint="--lang"
        )
    try:
        filters = Filters(country=country, language=lang, term=term)  # type: ignore[arg-type]
    except ValidationError as e:
        # The bounds are the model's (the API's too): a value too long names its option.
        error = e.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "country"
        got = f", got {len(error['input']):,}" if isinstance(error.get("input"), str) else ""
        raise typer.BadParameter(f"{error['msg']}{got}", param_hint=f"--{field}") from None
    return None if filters.is_empty() else filters


def reflow_help(typer_app: typer.Typer) -> None:
    r"""Give each command without an explicit help its docstring with one line a paragraph.

    Typer's rich help keeps a docstring's line breaks, so a paragraph wrapped at the source's
    100 columns broke mid-sentence in a terminal of any other width. A paragraph starting with
    ``\b`` (Click's "do not rewrap" mark, for aligned lists) keeps its lines, without the
    mark, which the rich help printed as it is.
    """
    for info in typer_app.registered_commands:
        doc = info.callback.__doc__ if info.callback is not None else None
        if info.help is not None or not doc:
            continue
        paragraphs = re.split(r"\n\s*\n", inspect.cleandoc(doc))
        info.help = "\n\n".join(
            p[2:].lstrip("\n") if p.startswith(r"\b") else " ".join(p.split()) for p in paragraphs
        )
