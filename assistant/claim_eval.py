"""Claim-check quality over a JSONL claims file (``pledges eval-claims``).

Each line is ``{"claim": str, "truth": "true" | "false" | "uncovered", "error"?: str,
"gold"?: [paragraph numbers], "lang"?: str}``. ``truth`` says what the pledges make of the claim:
``true`` (they state it), ``false`` (they state otherwise on the same topic; ``error`` names
how: ``year``, ``range``, ``number``, ``modality``, ``polarity`` or ``other``) or ``uncovered``
(they do not address it). The figures are the confusion table of truth against verdict status
and the rates a journalist relies on: no false claim ``supported``, no true claim
``contradicted``, false claims with a wrong value or modality ``contradicted``, uncovered claims
``not_found``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.evaluation import read_jsonl
from assistant.service import PledgeService

TRUTHS = ("true", "false", "uncovered")
STATUSES = ("supported", "contradicted", "related", "not_found")
#: Errors the rules are meant to catch: a wrong value or the wrong modality.
VALUE_ERRORS = ("year", "range", "number", "modality")


@dataclass
class ClaimItem:
    """One line of a claims file."""

    claim: str
    truth: str
    error: str | None = None
    gold: list[str] = field(default_factory=list)
    lang: str | None = None
    line: int = 0


def _claim_item(obj: dict[str, Any], line: int) -> ClaimItem:
    claim, truth = obj["claim"], obj["truth"]
    if not isinstance(claim, str) or not claim.strip():
        raise ValueError("'claim' must be a non-empty string")
    if truth not in TRUTHS:
        raise ValueError(f"'truth' must be one of {', '.join(TRUTHS)}")
    return ClaimItem(
        claim=claim,
        truth=truth,
        error=obj.get("error"),
        gold=[str(g) for g in obj.get("gold", []) or []],
        lang=obj.get("lang"),
        line=line,
    )


def load_claims(path: Path | str) -> list[ClaimItem]:
    """Read a claims JSONL file.

    Raises:
        ConfigError: The file is missing or a line is not shaped like the format above.
    """
    shape = '{"claim": str, "truth": "true"|"false"|"uncovered", "error"?: str, "gold"?: [numbers]}'
    return read_jsonl(path, "claims", shape, _claim_item)


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def evaluate_claims(items: list[ClaimItem], service: PledgeService) -> dict[str, Any]:
    """Verify every claim and count verdicts by truth.

    Returns:
        ``n``, ``confusion`` (truth -> status -> count, with false claims also split by error),
        the four rates and ``details`` (one line per claim).
    """
    confusion: dict[str, Counter[str]] = {t: Counter() for t in TRUTHS}
    by_error: dict[str, Counter[str]] = {}
    details = []
    for item in items:
        verdict = service.verify(item.claim)
        confusion[item.truth][verdict.status] += 1
        if item.truth == "false":
            by_error.setdefault(item.error or "other", Counter())[verdict.status] += 1
        details.append(
            {
                "line": item.line,
                "claim": item.claim,
                "truth": item.truth,
                "error": item.error,
                "status": verdict.status,
                "evidence": [c.number for c in verdict.evidence],
                "explanation": verdict.explanation,
            }
        )
    n_false = sum(confusion["false"].values())
    n_true = sum(confusion["true"].values())
    n_unc = sum(confusion["uncovered"].values())
    valued = [c for e, c in by_error.items() if e in VALUE_ERRORS]
    n_valued = sum(sum(c.values()) for c in valued)
    return {
        "n": len(items),
        "confusion": {t: {s: confusion[t][s] for s in STATUSES} for t in TRUTHS},
        "false_by_error": {e: {s: c[s] for s in STATUSES} for e, c in sorted(by_error.items())},
        "false_supported": confusion["false"]["supported"],
        "true_contradicted": confusion["true"]["contradicted"],
        "value_errors_contradicted": _rate(sum(c["contradicted"] for c in valued), n_valued),
        "false_contradicted": _rate(confusion["false"]["contradicted"], n_false),
        "true_supported": _rate(confusion["true"]["supported"], n_true),
        "uncovered_not_found": _rate(confusion["uncovered"]["not_found"], n_unc),
        "details": details,
    }
