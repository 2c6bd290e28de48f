"""``pledges parse FILE``: parse one file without touching the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ingest.records import ParsedDocument, TextReport
from ui.cli._common import (
    JsonOption,
    app,
    console,
    emit_json,
    err_console,
    make_service,
    parse_meta,
    styled,
)

MetaOption = Annotated[
    list[str] | None,
    typer.Option(
        "--meta",
        help=(
            "Override detected metadata, e.g. --meta symbol=A/77/89 --meta country=BEL"
            " (keys: doc_id symbol country language date term session title)."
        ),
    ),
]


@app.command("parse")
def parse_command(
    file: Annotated[Path, typer.Argument(help="A .txt, .pdf, .docx, .html/.htm or .md file.")],
    json_out: JsonOption = False,
    meta: MetaOption = None,
) -> None:
    """Parse one pledge file into its document metadata and numbered paragraphs."""
    parsed = make_service(None).parse(file, meta=parse_meta(meta))
    if parsed.report is not None:
        for warning in parsed.report.warnings:
            err_console.print(
                styled("warning:", "yellow", f" {warning}"), highlight=False, soft_wrap=True
            )
    if json_out:
        emit_json(parsed)
        return
    render(parsed)


def kept_summary(report: TextReport) -> str:
    """One line: how many of the file's words the paragraphs kept, and what was removed."""
    words = max(report.words, 1)
    line = (
        f"{report.paragraph_words} of {report.words} words in paragraphs"
        f" ({report.paragraph_words / words:.0%}), {report.heading_words} in titles and"
        f" headings, {report.removed_words} removed"
    )
    reasons: dict[str, tuple[int, int]] = {}  # reason -> (words, lines)
    for removed in report.removed:
        words_so_far, lines = reasons.get(removed.reason, (0, 0))
        reasons[removed.reason] = (words_so_far + removed.words, lines + 1)
    if reasons:
        shown = [
            f"{k}: {w}" if w else f"{k}: {n} line{'s' if n > 1 else ''} without words"
            for k, (w, n) in reasons.items()
        ]
        line += " (" + ", ".join(shown) + ")"
    return line


_NUMBERING = {
    "un": "the document's own (8, 20.5, 27(a), note.1)",
    "ingest": "none in the document: p1, p2 … in reading order, bullets p3.1",
}


def render(parsed: ParsedDocument) -> None:
    """A readable view: the document's metadata, then one table row per paragraph."""
    doc = parsed.document
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    country = f"{doc.country.code} ({doc.country.name})" if doc.country else "—"
    for key, value in [
        ("doc_id", doc.doc_id),
        ("symbol", doc.symbol or "—"),
        ("country", country),
        ("language", doc.language or "—"),
        ("date", doc.date.isoformat() if doc.date else "—"),
        ("term", doc.term or "—"),
        ("session", str(doc.session) if doc.session is not None else "—"),
        ("title", doc.title or "—"),
        ("source", doc.source),
        ("paragraphs", str(len(parsed.paragraphs))),
        ("numbering", _NUMBERING[parsed.report.numbering] if parsed.report else "—"),
        ("kept", kept_summary(parsed.report) if parsed.report else "—"),
    ]:
        meta.add_row(key, value)
    console.print(meta)

    table = Table(show_lines=False, expand=True)
    table.add_column("¶", style="bold cyan", no_wrap=True)
    table.add_column("section", style="dim", ratio=1, overflow="fold")
    table.add_column("text", ratio=3, overflow="fold")
    if any(p.page is not None for p in parsed.paragraphs):
        table.add_column("page", justify="right", no_wrap=True)
    has_page = len(table.columns) == 4
    last_section: str | None = None
    for p in parsed.paragraphs:
        section = p.section if p.section != last_section else ""
        last_section = p.section
        row = [p.number, section or "", p.text]
        if has_page:
            row.append(str(p.page) if p.page is not None else "")
        table.add_row(*row)
    console.print(table)
