"""Retrieval quality figures over a JSONL eval file (DESIGN.md contract).

Each line is ``{"question": str, "gold": [paragraph numbers], "history": [earlier questions]?}``.
Questions with an empty ``gold`` are out of scope (the right response is to abstain) and do
not count towards retrieval figures. A gold number ``g`` is matched by a retrieved number ``r``
when ``r == g`` or ``r`` starts with ``g + "."`` or ``g + "("`` (gold "27" is matched by
"27(d)"). :func:`evaluate_retrieval` on its own searches a question with history as the history
joined to it; :func:`evaluate_service` (``pledges eval``) condenses follow-ups with the answer
chain's real step and adds the answer figures of :func:`evaluate_answers`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from assistant.condense import condense
from assistant.service import PledgeService
from ingest.errors import ConfigError
from vectorstore.errors import NotFoundError
from vectorstore.records import SearchHit
from vectorstore.retrieval import ABLATION, HybridRetriever
from vectorstore.store import PledgeStore

#: Hits considered for MRR (a gold paragraph ranked lower counts as not found).
MRR_DEPTH = 10

#: Searches an eval item (its question, with its history as the caller sees fit) for k hits.
SearchFn = Callable[["EvalItem", int], list[SearchHit]]


@dataclass
class EvalItem:
    """One line of an eval file."""

    question: str
    gold: list[str]
    history: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def in_scope(self) -> bool:
        """Whether the corpus answers the question (its gold is not empty)."""
        return bool(self.gold)

    def search_text(self) -> str:
        """The text retrieval sees: earlier questions, then this one."""
        return " ".join([*self.history, self.question]) if self.history else self.question


_T = TypeVar("_T")


def read_jsonl(
    path: Path | str, kind: str, shape: str, parse: Callable[[dict[str, Any], int], _T]
) -> list[_T]:
    """Read a JSONL file of ``kind`` ("eval", "claims") one object a line, blank lines skipped.

    Args:
        path: The file.
        kind: What the file holds, for messages ("questions" are the items of "eval").
        shape: The expected object, quoted in the error a bad line gets.
        parse: Builds an item from a line's object and its line number; raises ValueError,
            KeyError or TypeError on a line that does not fit.

    Raises:
        ConfigError: The file is missing, a line is not shaped like ``shape``, or it holds no
            line at all.
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"{p}: cannot read the {kind} file: {e}") from e
    items: list[_T] = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(parse(json.loads(line), i))
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"{p}:{i}: expected {shape}, got {line[:120]!r} ({e})") from e
    if not items:
        noun = "questions" if kind == "eval" else kind
        raise ConfigError(f"{p}: no {noun} found (expected one JSON object a line)")
    return items


def _eval_item(obj: dict[str, Any], line: int) -> EvalItem:
    question = obj["question"]
    gold = [str(g) for g in obj.get("gold", [])]
    history = [str(h) for h in obj.get("history", []) or []]
    if not isinstance(question, str) or not question.strip():
        raise ValueError("'question' must be a non-empty string")
    return EvalItem(question=question, gold=gold, history=history, line=line)


def load_eval(path: Path | str) -> list[EvalItem]:
    """Read an eval JSONL file.

    Raises:
        ConfigError: The file is missing or a line is not shaped like the contract.
    """
    shape = '{"question": str, "gold": [numbers], "history"?: [str]}'
    return read_jsonl(path, "eval", shape, _eval_item)


def gold_matches(retrieved: str, gold: str) -> bool:
    """DESIGN.md rule: ``r == g`` or ``r`` starts with ``g.`` or ``g(``."""
    return retrieved == gold or retrieved.startswith(gold + ".") or retrieved.startswith(gold + "(")


def first_match_rank(numbers: Sequence[str], gold: Sequence[str]) -> int | None:
    """1-based rank of the first retrieved number matching any gold, or None."""
    for rank, r in enumerate(numbers, start=1):
        if any(gold_matches(r, g) for g in gold):
            return rank
    return None


def evaluate_retrieval(
    items: list[EvalItem],
    search: SearchFn,
) -> dict[str, Any]:
    """recall@1, recall@5 and MRR (@10) over the in-scope items.

    Args:
        items: Eval lines (out-of-scope ones are counted but not searched).
        search: ``search(item, k)`` returning hits best first (a plain retriever searches
            :meth:`EvalItem.search_text`; :func:`evaluate_service` the answer chain's
            condensed question, :func:`service_hits`).

    Returns:
        ``{"n", "recall@1", "recall@5", "mrr", "out_of_scope", "details"}``; ``details`` has one
        entry per in-scope question with the numbers retrieved and the rank of the first match.
    """
    details: list[dict[str, Any]] = []
    r1 = r5 = rr = 0.0
    scoped = [it for it in items if it.in_scope]
    for it in scoped:
        hits = search(it, MRR_DEPTH)
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


# -- answers: abstention, citations, follow-ups (the answer chain) --------------------------------


def _recall(ranks: list[int | None], depth: int) -> float:
    return (
        round(sum(1 for r in ranks if r is not None and r <= depth) / len(ranks), 4)
        if ranks
        else 0.0
    )


def service_hits(service: PledgeService, it: EvalItem, k: int) -> list[SearchHit]:
    """The paragraphs the answer chain retrieves for an eval item.

    Its condensed question, searched under the scope carried from the item's history.
    """
    condensed = condense(it.question, it.history, llm=service.llm)
    return service.chain.retrieve(condensed.question, k=k, scope=condensed.scope).hits


def evaluate_answers(items: list[EvalItem], service: PledgeService) -> dict[str, Any]:
    """Answer every item through the real chain and measure what a reader would see.

    Figures:

    * ``abstention_accuracy``: share of out-of-scope items (empty gold) that abstained;
    * ``answered_in_scope``: share of in-scope items that did not abstain;
    * ``citation_validity``: share of citations whose quote is an exact substring of a paragraph
      that was retrieved for that answer and that the citation names;
    * ``answer_hit``: share of answered in-scope items citing at least one gold paragraph.
    """
    abstained_oos = oos = answered = scoped = hit = 0
    valid = total_citations = 0
    details: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    for it in items:
        answer = service.ask(it.question, history=it.history)
        retrieved = {r.id for r in answer.retrieved}
        cited_numbers = [c.number for c in answer.citations]
        for c in answer.citations:
            total_citations += 1
            if c.id not in texts:
                try:
                    texts[c.id] = service.paragraph(c.doc_id, c.number).text
                except NotFoundError:
                    texts[c.id] = ""
            valid += bool(c.quote) and c.id in retrieved and c.quote in texts[c.id]
        if it.in_scope:
            scoped += 1
            answered += not answer.abstained
            hit += (not answer.abstained) and any(
                gold_matches(n, g) for n in cited_numbers for g in it.gold
            )
        else:
            oos += 1
            abstained_oos += answer.abstained
        details.append(
            {
                "line": it.line,
                "question": it.question,
                "standalone": answer.standalone_question,
                "gold": it.gold,
                "abstained": answer.abstained,
                "cited": cited_numbers,
                "warnings": answer.warnings,
                "abstain_reason": answer.abstain_reason,
            }
        )
    return {
        "abstention_accuracy": round(abstained_oos / oos, 4) if oos else None,
        "answered_in_scope": round(answered / scoped, 4) if scoped else None,
        "citation_validity": round(valid / total_citations, 4) if total_citations else None,
        "citations": total_citations,
        "answer_hit": round(hit / answered, 4) if answered else None,
        "answer_details": details,
    }


def evaluate_service(items: list[EvalItem], service: PledgeService) -> dict[str, Any]:
    """Retrieval figures (follow-ups searched through the condensing step) and answer figures.

    Besides :func:`evaluate_retrieval`'s and :func:`evaluate_answers`' figures:
    ``followup_recall@1`` / ``followup_recall@5``, the retrieval recall of items with history
    (searched with the question the condensing step produced, under the scope it carried), and
    ``first_recall@…``, the same for in-scope items without history, to compare.
    """
    result = evaluate_retrieval(items, lambda it, k: service_hits(service, it, k))
    # Follow-ups against first questions, from the same retrieval (no second search).
    follow = [d["rank"] for d in result["details"] if d["history"]]
    first = [d["rank"] for d in result["details"] if not d["history"]]
    answers = evaluate_answers(items, service)
    details = answers.pop("answer_details")
    result.update(answers)
    result.update(
        {
            "followups": len(follow),
            "followup_recall@1": _recall(follow, 1),
            "followup_recall@5": _recall(follow, 5),
            "first_recall@1": _recall(first, 1),
            "first_recall@5": _recall(first, 5),
            "answer_details": details,
        }
    )
    return result


def evaluate_ablation(items: list[EvalItem], store: PledgeStore) -> dict[str, dict[str, Any]]:
    """Retrieval figures for each step of the ablation.

    Retrieval figures for each step of :data:`vectorstore.retrieval.ABLATION` on ``store``
    (questions with history are searched with the history joined to them).
    """
    out: dict[str, dict[str, Any]] = {}
    for name, kwargs in ABLATION.items():
        retriever = HybridRetriever(store, **kwargs)
        result = evaluate_retrieval(
            items, lambda it, k, r=retriever: r.search(it.search_text(), k=k)
        )
        result.pop("details")
        out[name] = result
    return out
