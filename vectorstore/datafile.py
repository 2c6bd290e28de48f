"""Reading the JSON data files that ship with the package (glossary, prototypes, weights).

One reader, so every bundled or user-given file fails the same way: one line naming the file,
what it should hold, and what went wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.errors import ConfigError


def read_json(path: Path, expected: str, key: str | None = None) -> Any:
    """The parsed content of a JSON file, or its ``key`` list.

    Args:
        path: The file.
        expected: What the file should hold, for the error ("expected a JSON object with …").
        key: When given, the file must be an object whose ``key`` is a list; that list is
            returned.

    Raises:
        ConfigError: The file is missing or unreadable, is not JSON, or (with ``key``) lacks
            the list: ``"{path}: {expected}: {why}"``.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if key is None:
            return data
        items = data[key]
        if not isinstance(items, list):
            raise TypeError(f"'{key}' is a {type(items).__name__}, not a list")
        return items
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(f"{path}: {expected}: {e}") from e
