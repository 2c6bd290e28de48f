"""``pledges serve``: the chat UI at ``/`` and the HTTP API at ``/v1``, in one process."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from ui.cli._common import StoreOption, app, console, make_service


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 7860,
    store: StoreOption = None,
    sample: Annotated[
        bool,
        typer.Option(help="Ingest the bundled sample pledge when the store is empty."),
    ] = True,
) -> None:
    """Serve the chat UI at [bold]/[/] and the HTTP API at [bold]/v1[/] (docs at /docs)."""
    import uvicorn

    from ui.server import build_server_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each index build at DEBUG
    service = make_service(store)
    # A store that cannot be reached does not stop the server: it answers with the store's
    # error and recovers once the store is up.
    server_app = build_server_app(service, sample=sample)
    console.print(
        f"Pledge Assistant: chat at http://{host}:{port}/ · API docs at http://{host}:{port}/docs",
        highlight=False,
        soft_wrap=True,
    )
    uvicorn.run(server_app, host=host, port=port, log_level="info")
