"""``pledges fetch``: official copies from the UN by symbol, or one session's notes."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from assistant.types import FetchItem, FetchReport
from ingest.records import LibraryEntry
from ui.cli._common import (
    DUPLICATE_EXIT,
    JsonOption,
    StoreOption,
    app,
    console,
    emit_json,
    err_console,
    make_service,
)

_COLORS = {
    "fetched": "green",
    "unchanged": "dim",
    "duplicate": "yellow",
    "not_published": "yellow",
    "failed": "red",
}


@app.command()
def fetch(
    symbols: Annotated[
        list[str] | None, typer.Argument(help="UN symbols, e.g. A/77/89 A/77/90.")
    ] = None,
    languages: Annotated[
        str,
        typer.Option(
            "--languages", "-l", help="'all' or a comma-separated list: ar,zh,en,fr,ru,es."
        ),
    ] = "all",
    session: Annotated[
        int | None,
        typer.Option(
            "--session",
            help="A General Assembly session: find its candidature notes in the Digital Library.",
        ),
    ] = None,
    list_only: Annotated[
        bool,
        typer.Option("--list", help="With --session: show what was found, download nothing."),
    ] = False,
    ingest_session: Annotated[
        bool,
        typer.Option("--ingest", help="With --session: fetch and ingest everything listed."),
    ] = False,
    no_ingest: Annotated[
        bool, typer.Option("--no-ingest", help="Keep the PDFs only; do not ingest them.")
    ] = False,
    store: StoreOption = None,
    json_out: JsonOption = False,
) -> None:
    """Download each language version of UN documents by symbol, check it, keep it and ingest it.

    Reports per language: fetched, unchanged (the same bytes were already stored), duplicate
    (the same bytes are stored under another document id; not stored twice), not published,
    or failed with the reason. Running it again changes nothing. Exits as ``pledges ingest``
    does: 1 when any version failed (a version whose document id an earlier one of the run
    took fails), else 3 when a version was skipped as a duplicate, else 0.
    """
    if session is not None and not (list_only or ingest_session or no_ingest or symbols):
        raise typer.BadParameter(
            "with --session, say --list (show what is found) or --ingest (fetch it all)",
            param_hint="--session",
        )
    if (list_only or ingest_session) and session is None:
        raise typer.BadParameter("--list and --ingest need --session N", param_hint="--session")
    service = make_service(store)
    progress = None if json_out or list_only else _progress_printer()
    report = service.fetch(
        symbols or [],
        session=session,
        languages=languages,
        ingest=not no_ingest,
        list_only=list_only,
        progress=progress,
    )
    if json_out:
        emit_json(report)
    else:
        if report.listed:
            _print_listed(report.listed, session)
        elif session is not None:
            console.print(f"The Digital Library lists no candidature note for session {session}.")
        if report.items:
            _print_items(report)
    if report.failed:
        raise typer.Exit(1)
    if report.duplicates:
        raise typer.Exit(DUPLICATE_EXIT)


def _progress_printer() -> Any:
    def show(item: FetchItem, done: int, total: int) -> None:
        color = _COLORS[item.status]
        why = f" ({item.error})" if item.error else ""
        err_console.print(
            Text.assemble(
                f"[{done}/{total}] {item.symbol} {item.language}: ",
                (item.status.replace("_", " "), color),
                why,
            ),
            highlight=False,
        )

    return show


def _print_listed(entries: list[LibraryEntry], session: int | None) -> None:
    table = Table(title=f"Session {session}: {len(entries)} candidature note(s)")
    for col in ("symbol", "country", "date", "languages", "title"):
        table.add_column(col, overflow="fold")
    for e in entries:
        table.add_row(
            e.symbol,
            f"{e.country.code} {e.country.name}" if e.country else (e.body or ""),
            e.date.isoformat() if e.date else "",
            ",".join(e.languages),
            e.title or "",
        )
    console.print(table)


def _print_items(report: FetchReport) -> None:
    table = Table(title="Fetch summary")
    for col in ("symbol", "lang", "status", "doc_id", "¶", "detail"):
        table.add_column(col, overflow="fold")
    for i in report.items:
        table.add_row(
            i.symbol,
            i.language,
            Text(i.status.replace("_", " "), style=_COLORS[i.status]),
            i.doc_id or "",
            str(i.paragraphs) if i.paragraphs else "",
            i.error or i.note or i.official_url,
        )
    console.print(table)
    counts = {s: sum(1 for i in report.items if i.status == s) for s in _COLORS}
    console.print(
        ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items())
        + f" in {report.seconds:.1f} s",
        highlight=False,
    )
