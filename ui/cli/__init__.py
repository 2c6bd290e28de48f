"""The ``pledges`` command line.

Each command only parses its options, calls :class:`assistant.service.PledgeService` and renders
the record it gets back: a readable table by default, the DESIGN.md JSON with ``--json``.
Commands live in one module per concern and register themselves on :data:`app`.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

from ingest.errors import PledgeError
from ui.cli import _answer, _fetch, _parse, _serve, _store  # noqa: F401  (each registers its commands)
from ui.cli._common import app, err_console, reflow_help, styled

#: Entry-point group through which installed tools add commands (``pledges bench`` is one).
PLUGIN_GROUP = "pledges.commands"


def _register_plugins() -> None:
    """Add the commands of installed plugins: each entry point names a ``register(app)``."""
    for ep in entry_points(group=PLUGIN_GROUP):
        try:
            register = ep.load()
        except ModuleNotFoundError as e:
            # The plugin's own package is not installed (the bench in a product-only install):
            # the command is simply not offered. A plugin that fails otherwise is an error.
            if e.name and ep.module.split(".")[0] == e.name.split(".")[0]:
                continue
            raise
        register(app)


_register_plugins()
reflow_help(app)


def main() -> None:
    """Console-script entry point: run the app, turning known errors into one line."""
    try:
        app()
    except PledgeError as e:
        err_console.print(styled("error:", "bold red", f" {e}"), highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main"]
