"""``pledges bench``: ingest, query and load figures from one run (see :mod:`bench.run`).

The command reaches the ``pledges`` CLI through the ``pledges.commands`` entry point of this
project's distribution, so the CLI itself never imports the bench.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ui.cli._common import JsonOption, console, emit_json, err_console, styled


def bench(
    paragraphs: Annotated[
        int,
        typer.Option(
            "--paragraphs", min=100, help="Synthetic paragraphs really parsed and embedded."
        ),
    ] = 10_000,
    big: Annotated[
        int,
        typer.Option(
            "--big",
            min=0,
            help="Grow the store to this many paragraphs (re-used vectors) for a second set of "
            "latency figures; 0 skips it.",
        ),
    ] = 100_000,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="New or empty directory for the bench's corpus and stores (kept afterwards); "
            "a temporary one, removed afterwards, by default. Never an existing store.",
        ),
    ] = None,
    clients: Annotated[
        int, typer.Option("--clients", min=0, help="Concurrent HTTP clients; 0 skips load.")
    ] = 8,
    load_seconds: Annotated[
        float, typer.Option("--load-seconds", min=0, help="Duration of the load test.")
    ] = 20.0,
    rounds: Annotated[
        int, typer.Option("--rounds", min=1, help="Passes over the 8 questions per figure.")
    ] = 3,
    json_out: JsonOption = False,
) -> None:
    """Measure ingest throughput, the embedder's bound, search/ask latency, load and memory.

    The default run embeds 10,000 synthetic paragraphs (a few minutes here) and times queries at
    10,000 and, with re-used vectors, 100,000 paragraphs.
    """
    from bench.run import run_bench

    def progress(message: str) -> None:
        err_console.print(styled("bench:", "dim", f" {message}"), highlight=False)

    try:
        result = run_bench(
            paragraphs=paragraphs,
            big=big,
            workdir=store,
            clients=clients,
            load_seconds=load_seconds,
            rounds=rounds,
            progress=progress,
        )
    except FileExistsError as e:
        raise typer.BadParameter(str(e), param_hint="--store") from e
    if json_out:
        emit_json(result)
    else:
        _print(result)


def _print(r: dict[str, Any]) -> None:
    e = r["embedder"]
    console.print(
        f"embedder {e['name']}: {e['passages_per_s']} passages/s standalone"
        f" (bound {e.get('compute_bound_passages_per_s', '?')}/s:"
        f" {e.get('compute_bound_method', 'not estimated')})"
        + (
            f"; with the latent-terms head {e['both_heads_passages_per_s']} passages/s"
            if e.get("both_heads_passages_per_s")
            else ""
        ),
        highlight=False,
    )
    table = Table("ingest", "paragraphs", "para/s", "parse s", "embed s", "store s")
    for name, f in r["ingest"].items():
        table.add_row(
            name,
            str(f["paragraphs"]),
            str(f["paragraphs_per_s"]),
            str(f["parse_s"]),
            str(f["embed_s"]),
            str(f["store_s"]),
        )
    console.print(table)
    lat = Table("paragraphs", "query", "filter", "p50 ms", "p95 ms")
    for size, fig in r["latency"].items():
        label = size + (" (re-used vectors)" if fig.get("vectors_reused") else "")
        for kind in ("search", "ask"):
            for filt, p in fig[kind].items():
                lat.add_row(label, kind, filt, str(p["p50_ms"]), str(p["p95_ms"]))
    console.print(lat)
    d = r["dense_country_filter"]
    console.print(
        f"dense top-{d['k']} with a country filter ({d['rows_kept']:.1%} of rows): Chroma where"
        f" p95 {d['chroma_where']['p95_ms']} ms, store strategy p95"
        f" {d['store_strategy']['p95_ms']} ms",
        highlight=False,
    )
    if "load" in r:
        ld = r["load"]
        console.print(
            f"load: {ld['clients']} clients, {ld['requests']} asks in {ld['seconds']} s,"
            f" {ld['requests_per_s']}/s, p95 {ld['latency'].get('p95_ms')} ms,"
            f" {ld['errors']} errors",
            highlight=False,
        )
    console.print(
        f"store {r['store_size_mb']} MB on disk, peak RSS {r['peak_rss_mb']} MB,"
        f" {r['seconds']} s in all",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``pledges bench`` to the command line ``app``."""
    app.command()(bench)
