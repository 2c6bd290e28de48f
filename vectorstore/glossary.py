"""The multilingual glossary of UN human-rights concepts (``glossary.json``), read once.

One list of concepts serves two uses with their own matching rules:

* query expansion (:mod:`vectorstore.expansion`) matches stemmed index terms and appends a
  concept's canonical names in the other languages; it skips concepts marked
  ``"expand": false`` (vocabulary nearly every pledge uses) and terms written as prefixes;
* key-term coverage and abstention (:mod:`assistant.terms`) match terms with ``*`` as a
  prefix marker ("ratif*" matches "ratified") and weigh each concept (``weight`` 0: never
  decides coverage on its own). Coverage needs fine-grained concepts ("nuclear" and
  "disarmament" are two topics, and a question about both is covered only by evidence about
  both), so it skips concepts marked ``"cover": false`` (broad groupings whose parts are
  concepts of their own) and the terms of a concept listed in ``expand_only`` (they name
  another, narrower concept: "climate change" belongs to ``environment`` for expansion and to
  ``climate`` for coverage). Out-of-scope topics are listed on purpose so that abstention can
  see them missing from the evidence.

File shape: ``{"concepts": [{"id": ..., "weight": 1, "expand": true, "cover": true,
"expand_only": [...], "en": [...], "fr": [...], ...}]}`` with ISO 639-1 keys for the UN
languages; ``weight`` (default 1), ``expand``, ``cover`` (default true) and ``expand_only``
(default none) may be left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.errors import ConfigError
from assistant.types import UN_LANGUAGES

DEFAULT_GLOSSARY = Path(__file__).with_name("glossary.json")


@dataclass(frozen=True)
class GlossaryEntry:
    """One concept of the glossary file.

    Attributes:
        id: Stable identifier ("death_penalty").
        terms: Terms per language, canonical names first.
        weight: Weight in key-term coverage (0: generic vocabulary).
        expand: Whether query expansion uses the concept.
        cover: Whether key-term coverage uses the concept.
        expand_only: Terms (any language) that key-term coverage skips.
    """

    id: str
    terms: dict[str, tuple[str, ...]]
    weight: float = 1.0
    expand: bool = True
    cover: bool = True
    expand_only: frozenset[str] = frozenset()

    def coverage_terms(self) -> dict[str, tuple[str, ...]]:
        """Terms per language for key-term coverage (without the ``expand_only`` ones)."""
        out = {
            lang: tuple(t for t in ts if t not in self.expand_only)
            for lang, ts in self.terms.items()
        }
        return {lang: ts for lang, ts in out.items() if ts}


def load_glossary(path: Path | str | None = None) -> list[GlossaryEntry]:
    """Read a glossary JSON file (the bundled one by default).

    Args:
        path: A file shaped like ``vectorstore/glossary.json``.

    Returns:
        The concepts in file order.

    Raises:
        ConfigError: The file is missing, is not JSON, or an entry is malformed (the message
            names the file and the entry).
    """
    p = Path(path) if path else DEFAULT_GLOSSARY
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        items = data["concepts"]
        if not isinstance(items, list):
            raise TypeError(f"'concepts' is a {type(items).__name__}, not a list")
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(
            f"{p}: expected a glossary JSON object with a 'concepts' list of "
            f"{{'id', 'en', 'fr', ...}} entries: {e}"
        ) from e
    entries: list[GlossaryEntry] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        try:
            cid = str(item["id"])
            terms = {}
            for lang in UN_LANGUAGES:
                values = item.get(lang) or []
                if isinstance(values, str) or not all(isinstance(t, str) for t in values):
                    raise TypeError(f"'{lang}' must be a list of strings, found {values!r}")
                if values:
                    terms[lang] = tuple(t.strip() for t in values if t.strip())
            weight = float(item.get("weight", 1))
            flags = {k: item.get(k, True) for k in ("expand", "cover")}
            for k, v in flags.items():
                if not isinstance(v, bool):
                    raise TypeError(f"'{k}' must be true or false, found {v!r}")
            only = item.get("expand_only") or []
            if isinstance(only, str) or not all(isinstance(t, str) for t in only):
                raise TypeError(f"'expand_only' must be a list of strings, found {only!r}")
            unknown = set(only) - {t for ts in terms.values() for t in ts}
            if unknown:
                raise ValueError(f"'expand_only' names terms the concept lacks: {sorted(unknown)}")
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ConfigError(f"{p}: concept {n} is malformed: {e}") from e
        if cid in seen:
            raise ConfigError(f"{p}: concept id '{cid}' appears twice (entry {n})")
        seen.add(cid)
        entries.append(
            GlossaryEntry(cid, terms, weight, flags["expand"], flags["cover"], frozenset(only))
        )
    return entries


@lru_cache(maxsize=4)
def bundled_glossary(path: str | None = None) -> tuple[GlossaryEntry, ...]:
    """The glossary file's concepts, read once per process (the bundled file by default)."""
    return tuple(load_glossary(path))
