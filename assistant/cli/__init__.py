"""The ``pledges`` command line.

Each command only parses its options, calls :class:`assistant.service.PledgeService` and renders
the record it gets back: a readable table by default, the DESIGN.md JSON with ``--json``.
Commands live in one module per concern and register themselves on :data:`app`.
"""

from __future__ import annotations

import sys

from assistant.cli._common import app, err_console
from assistant.errors import PledgeError


def _register_optional() -> None:
    """Register command modules that exist (the CLI grows one module per concern)."""
    import importlib

    for name in ("_parse", "_store", "_answer", "_serve", "_bench", "_fetch"):
        try:
            importlib.import_module(f"assistant.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"assistant.cli.{name}":
                raise


_register_optional()


def main() -> None:
    """Console-script entry point: run the app, turning known errors into one line."""
    try:
        app()
    except PledgeError as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main"]
