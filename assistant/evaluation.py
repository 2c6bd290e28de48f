"""Retrieval quality figures over a JSONL eval file (DESIGN.md contract).

Each line is ``{"question": str, "gold": [paragraph numbers], "history": [earlier questions]?}``.
Questions with an empty ``gold`` are out of scope (the right response is to abstain) and do
not count towards retrieval figures. A gold number ``g`` is matched by a retrieved number ``r``
when ``r == g`` or ``r`` starts with ``g + "."`` or ``g + "("`` (gold "27" is matched by
"27(d)"). Until follow-ups are condensed, a question with history is searched with the history
joined to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.types import SearchHit

#: Hits considered for MRR (a gold paragraph ranked lower counts as not found).
MRR_DEPTH = 10

SearchFn = Callable[[str, int], list[SearchHit]]


@dataclass
class EvalItem:
    """One line of an eval file."""

    question: str
    gold: list[str]
    history: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def in_scope(self) -> bool:
        return bool(self.gold)

    def search_text(self) -> str:
        """The text retrieval sees: earlier questions, then this one."""
        return " ".join([*self.history, self.question]) if self.history else self.question


def load_eval(path: Path | str) -> list[EvalItem]:
    """Read an eval JSONL file.

    Raises:
        ConfigError: The file is missing or a line is not shaped like the contract.
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"{p}: cannot read the eval file: {e}") from e
    items: list[EvalItem] = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            question = obj["question"]
            gold = [str(g) for g in obj.get("gold", [])]
            history = [str(h) for h in obj.get("history", []) or []]
            if not isinstance(question, str) or not question.strip():
                raise ValueError("'question' must be a non-empty string")
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigError(
                f'{p}:{i}: expected {{"question": str, "gold": [numbers], "history"?: [str]}}, '
                f"got {line[:120]!r} ({e})"
            ) from e
        items.append(EvalItem(question=question, gold=gold, history=history, line=i))
    if not items:
        raise ConfigError(f"{p}: no questions found (expected one JSON object a line)")
    return items


def gold_matches(retrieved: str, gold: str) -> bool:
    """DESIGN.md rule: ``r == g`` or ``r`` starts with ``g.`` or ``g(``."""
    return retrieved == gold or retrieved.startswith(gold + ".") or retrieved.startswith(gold + "(")


def first_match_rank(numbers: Sequence[str], gold: Sequence[str]) -> int | None:
    """1-based rank of the first retrieved number matching any gold, or None."""
    for rank, r in enumerate(numbers, start=1):
        if any(gold_matches(r, g) for g in gold):
            return rank
    return None


def evaluate_retrieval(items: list[EvalItem], search: SearchFn) -> dict[str, Any]:
    """recall@1, recall@5 and MRR (@10) over the in-scope items.

    Args:
        items: Eval lines (out-of-scope ones are counted but not searched).
        search: ``search(text, k)`` returning hits best first.

    Returns:
        ``{"n", "recall@1", "recall@5", "mrr", "out_of_scope", "details"}``; ``details`` has one
        entry per in-scope question with the numbers retrieved and the rank of the first match.
    """
    details: list[dict[str, Any]] = []
    r1 = r5 = rr = 0.0
    scoped = [it for it in items if it.in_scope]
    for it in scoped:
        hits = search(it.search_text(), MRR_DEPTH)
        numbers = [h.paragraph.number for h in hits]
        rank = first_match_rank(numbers, it.gold)
        r1 += rank == 1
        r5 += rank is not None and rank <= 5
        rr += 1.0 / rank if rank else 0.0
        details.append(
            {
                "line": it.line,
                "question": it.question,
                "history": it.history,
                "gold": it.gold,
                "retrieved": numbers[:5],
                "rank": rank,
            }
        )
    n = len(scoped)
    return {
        "n": n,
        "recall@1": round(r1 / n, 4) if n else 0.0,
        "recall@5": round(r5 / n, 4) if n else 0.0,
        "mrr": round(rr / n, 4) if n else 0.0,
        "out_of_scope": len(items) - n,
        "details": details,
    }
