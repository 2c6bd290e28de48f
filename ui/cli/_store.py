"""Store commands: ``ingest``, ``documents``, ``delete``, ``search`` and ``eval``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from assistant.claim_eval import STATUSES, evaluate_claims, load_claims
from assistant.evaluation import evaluate_ablation, evaluate_service, load_eval
from assistant.service import PledgeService
from assistant.types import IngestReport
from ingest.language import UN_LANGUAGES
from ingest.pipeline import REMOVED_WARN_SHARE
from ui.cli._common import (
    DUPLICATE_EXIT,
    JsonOption,
    StoreOption,
    app,
    console,
    emit_json,
    err_console,
    make_filters,
    make_service,
    parse_meta,
    styled,
)
from vectorstore.records import SearchHit


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or directories (txt, pdf, docx, html, md).")
    ],
    meta: Annotated[
        list[str] | None,
        typer.Option("--meta", help="Override detected metadata, e.g. --meta country=BEL."),
    ] = None,
    store: StoreOption = None,
    json_out: JsonOption = False,
) -> None:
    """Parse, embed and store pledge files; a bad file is reported and the rest still lands.

    Exits 1 when any file failed (two files of one run with the same document id: the second
    fails), else 3 when a file was skipped as a duplicate (its bytes are stored under another
    id), else 0.
    """
    overrides = parse_meta(meta)
    service = make_service(store)
    service.store  # open (and check) the store before the progress bar starts  # noqa: B018
    if json_out:
        report = service.ingest(paths, meta=overrides or None)
        emit_json(_report_json(report))
        _print_warnings(report)
    else:
        report = _ingest_with_progress(service, paths, overrides)
        _print_report(report)
    if report.failed:
        raise typer.Exit(1)
    if report.duplicates:
        raise typer.Exit(DUPLICATE_EXIT)


def _ingest_with_progress(
    service: PledgeService, paths: list[Path], overrides: dict[str, str]
) -> IngestReport:
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]ingest[/]"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} files"),
        TextColumn("· {task.fields[paragraphs]} ¶ · {task.fields[rate]} ¶/s"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        task = bar.add_task("ingest", total=None, paragraphs=0, rate="–")

        def progress(done: int, total: int, paragraphs: int) -> None:
            elapsed = max(time.perf_counter() - started, 1e-6)
            bar.update(
                task,
                completed=done,
                total=total,
                paragraphs=paragraphs,
                rate=f"{paragraphs / elapsed:.1f}",
            )

        return service.ingest(paths, meta=overrides or None, progress=progress)


def _print_warnings(report: IngestReport) -> None:
    """Each file's warnings (text removed from it), one line each on stderr."""
    for f in report.files:
        for warning in f.warnings:
            err_console.print(
                styled("warning:", "yellow", f" {warning}"), highlight=False, soft_wrap=True
            )


def _report_json(report: IngestReport) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    data["paragraphs"] = report.paragraphs
    data["failed"] = len(report.failed)
    data["duplicates"] = len(report.duplicates)
    data["paragraphs_per_s"] = (
        round(report.paragraphs / report.seconds, 2) if report.seconds > 0 else None
    )
    return data


def _print_report(report: IngestReport) -> None:
    table = Table(title="Ingest summary", show_lines=False)
    table.add_column("file", overflow="fold")
    table.add_column("status")
    table.add_column("doc_id", overflow="fold")
    table.add_column("¶", justify="right")
    table.add_column("error or note", overflow="fold")
    colors = {
        "added": "green",
        "replaced": "cyan",
        "unchanged": "dim",
        "duplicate": "yellow",
        "failed": "red",
    }
    for f in report.files:
        table.add_row(
            f.path,
            Text(f.status, style=colors[f.status]),
            f.doc_id or "",
            str(f.paragraphs),
            f.error or f.note or "",
        )
    console.print(table)
    _print_warnings(report)
    rate = report.paragraphs / report.seconds if report.seconds > 0 else 0.0
    console.print(
        f"{len(report.files)} file(s), {len(report.failed)} failed, {len(report.duplicates)}"
        f" skipped as duplicates, {report.paragraphs} "
        f"paragraph(s) embedded in {report.seconds:.1f} s ({rate:.1f} ¶/s)",
        highlight=False,
    )
    read = [f for f in report.files if f.words]
    if read:
        words = sum(f.words for f in read)
        kept = sum(f.kept_words for f in read)
        warned = sum(1 for f in read if f.warnings)
        console.print(
            f"kept {kept} of {words} words ({kept / words:.0%}) in paragraphs and headings;"
            f" {warned} file(s) lost over {REMOVED_WARN_SHARE:.0%}",
            highlight=False,
        )


@app.command()
def documents(store: StoreOption = None, json_out: JsonOption = False) -> None:
    """List the stored documents."""
    service = make_service(store, existing=True)
    docs = service.documents()
    if json_out:
        emit_json(docs)
        return
    if not docs:
        console.print(
            Text.assemble(
                "The store is empty: add pledges with ", ("pledges ingest PATH", "bold"), "."
            )
        )
        return
    table = Table(title=f"{len(docs)} document(s)")
    for col in ("doc_id", "symbol", "country", "lang", "term", "date", "¶", "source"):
        table.add_column(col, overflow="fold")
    for d in docs:
        table.add_row(
            d.doc_id,
            d.symbol or "",
            f"{d.country.code} {d.country.name}" if d.country else "",
            d.language or "",
            d.term or "",
            d.date.isoformat() if d.date else "",
            str(len(service.store.paragraphs(d.doc_id))),
            d.source,
        )
    console.print(table)


@app.command()
def delete(
    doc_id: Annotated[str, typer.Argument(help="Document id, as `pledges documents` lists it.")],
    store: StoreOption = None,
    json_out: JsonOption = False,
) -> None:
    """Delete a document and all its paragraphs."""
    service = make_service(store, existing=True)
    service.delete(doc_id)
    if json_out:
        emit_json({"deleted": doc_id})
    else:
        console.print(f"deleted {doc_id}", highlight=False)


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    p, d = hit.paragraph, hit.document
    return {
        "id": p.id,
        "number": p.number,
        "doc_id": p.doc_id,
        "symbol": d.symbol,
        "country": d.country.code if d.country else None,
        "language": d.language,
        "section": p.section,
        "text": p.text,
        "score": hit.score,
        "dense_rank": hit.dense_rank,
        "lexical_rank": hit.lexical_rank,
    }


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="A question or keywords, in any UN language.")],
    k: Annotated[int, typer.Option("-k", "--k", help="Number of paragraphs.", min=1)] = 5,
    country: Annotated[str | None, typer.Option(help="ISO alpha-3 code or country name.")] = None,
    lang: Annotated[
        str | None, typer.Option(help=f"Document language: {', '.join(UN_LANGUAGES)}.")
    ] = None,
    term: Annotated[str | None, typer.Option(help="Council term, e.g. 2023-2025.")] = None,
    store: StoreOption = None,
    json_out: JsonOption = False,
) -> None:
    """Rank stored paragraphs for a query (dense + BM25, fused)."""
    filters = make_filters(country, lang, term)
    service = make_service(store, existing=True)
    hits = service.search(query, k=k, filters=filters)
    if json_out:
        emit_json([_hit_json(h) for h in hits])
        return
    if not hits:
        console.print("No paragraph found (is anything ingested? try `pledges documents`).")
        return
    table = Table(title=f"{query}", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("¶")
    table.add_column("document", overflow="fold")
    table.add_column("text", overflow="fold", ratio=1)
    table.add_column("score", justify="right")
    for i, h in enumerate(hits, start=1):
        table.add_row(
            str(i),
            h.paragraph.number,
            h.document.label,
            h.paragraph.text,
            f"{h.score:.4f}",
        )
    console.print(table)


@app.command("eval")
def eval_cmd(
    file: Annotated[Path, typer.Argument(help="JSONL: question, gold, history?")],
    details: Annotated[
        bool, typer.Option("--details", help="Add one line per question (rank, retrieved).")
    ] = False,
    ablation: Annotated[
        bool,
        typer.Option(
            "--ablation",
            help="Retrieval figures for each step instead: dense, +BM25, +glossary, all.",
        ),
    ] = False,
    store: StoreOption = None,
    json_out: JsonOption = False,
) -> None:
    """Quality: recall@1/@5 and MRR, abstention, answered in scope, citation validity."""
    items = load_eval(file)
    service = make_service(store, existing=True)
    if not service.documents():
        err_console.print(
            "warning: the store is empty; ingest the pledges the questions are about first",
            highlight=False,
        )
    if ablation:
        steps = evaluate_ablation(items, service.store)
        if json_out:
            emit_json(steps)
            return
        grid = Table(title=f"Retrieval steps on {file.name}")
        for col in ("step", "n", "recall@1", "recall@5", "mrr"):
            grid.add_column(col, justify="left" if col == "step" else "right")
        for name, r in steps.items():
            grid.add_row(name, str(r["n"]), str(r["recall@1"]), str(r["recall@5"]), str(r["mrr"]))
        console.print(grid)
        return
    # Follow-ups go through the answer chain's condensing step; answers add abstention and
    # citation figures.
    result = evaluate_service(items, service)
    if not details:
        result.pop("details")
        result.pop("answer_details")
    if json_out:
        emit_json(result)
        return
    table = Table(title=f"Retrieval on {file.name}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key in (
        "n",
        "recall@1",
        "recall@5",
        "mrr",
        "out_of_scope",
        "abstention_accuracy",
        "answered_in_scope",
        "citation_validity",
        "followup_recall@5",
        "first_recall@5",
    ):
        table.add_row(key, str(result[key]))
    console.print(table)
    if details:
        rows = Table(title="Per question")
        for col in ("line", "rank", "gold", "retrieved", "question"):
            rows.add_column(col, overflow="fold")
        for d in result["details"]:
            rows.add_row(
                str(d["line"]),
                str(d["rank"] or "–"),
                ", ".join(d["gold"]),
                ", ".join(d["retrieved"]),
                " / ".join([*d["history"], d["question"]]),
            )
        console.print(rows)


@app.command("eval-claims")
def eval_claims_cmd(
    file: Annotated[
        Path, typer.Argument(help='JSONL: claim, truth ("true", "false", "uncovered"), error?')
    ],
    details: Annotated[bool, typer.Option("--details", help="Add one line per claim.")] = False,
    store: StoreOption = None,
    json_out: JsonOption = False,
) -> None:
    """Claim checks: confusion table of truth against verdict status, and the key rates."""
    items = load_claims(file)
    service = make_service(store, existing=True)
    if not service.documents():
        err_console.print(
            "warning: the store is empty; ingest the pledges the claims are about first",
            highlight=False,
        )
    result = evaluate_claims(items, service)
    if not details:
        result.pop("details")
    if json_out:
        emit_json(result)
        return
    grid = Table(title=f"Claims in {file.name}: truth (rows) by verdict (columns)")
    grid.add_column("truth")
    for s in STATUSES:
        grid.add_column(s, justify="right")
    for truth, row in result["confusion"].items():
        grid.add_row(truth, *(str(row[s]) for s in STATUSES))
    for error, row in result["false_by_error"].items():
        grid.add_row(f"  false: {error}", *(str(row[s]) for s in STATUSES))
    console.print(grid)
    for key in (
        "false_supported",
        "true_contradicted",
        "value_errors_contradicted",
        "false_contradicted",
        "true_supported",
        "uncovered_not_found",
    ):
        console.print(f"{key}: {result[key]}", highlight=False)
    if details:
        for d in result["details"]:
            console.print(
                f"{d['line']:>3} {d['truth']:<9} {d['status']:<12} {d['claim']}",
                markup=False,
                highlight=False,
            )
