r"""Fit the rescoring stage's weights (``vectorstore/rescore.json``) on tuning questions.

For every in-scope question of the given eval files, the question is condensed and narrowed as
the answer chain does (:meth:`assistant.chain.AnswerChain.retrieve`), and the retriever reports,
for its first ``--pool`` fused candidates before rescoring, the fused score and the concept
agreement (:meth:`vectorstore.retrieval.HybridRetriever.rescoring_features`). A listwise
logistic model (softmax over a question's candidates, the likelihood of its gold paragraphs,
L2 penalty) is fitted on those two features. Before the weights are written, they are judged on
questions they were not fitted on: k-fold cross-validation by question (several shuffles) and
leave-one-file-out, each against the plain fused order.

Usage (the store holds the bundled sample pledge)::

    pledges ingest ui/data/sample --store /tmp/S
    .venv/bin/python eval/fit_rescore.py --store /tmp/S ../shared/eval/dev.jsonl \
        ../shared/eval/dev2.jsonl eval/decision_tuning.jsonl eval/rerank_tuning.jsonl

Never give it a held-out set.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from assistant.condense import condense
from assistant.evaluation import gold_matches, load_eval
from ui.cli._common import make_service
from vectorstore.rescore import DEFAULT_RESCORE, RescoreWeights, default_rescore


@dataclass
class Question:
    """One tuning question's candidates: features (n, 2) and which are gold."""

    file: str
    features: np.ndarray
    gold: np.ndarray


def collect(store: Path, files: list[Path], pool: int, depth: int) -> list[Question]:
    """The rescoring features of every in-scope question of ``files``."""
    service = make_service(store)
    chain = service.chain
    retriever = chain.retriever
    retriever.rescore = False
    update = {"pool": pool, "depth": depth}
    retriever.rescore_weights = default_rescore().model_copy(update=update)
    out: list[Question] = []
    for f in files:
        for it in load_eval(f):
            if not it.in_scope:
                continue
            condensed = condense(it.question, it.history, llm=service.llm)
            retrieval = chain.retrieve(condensed.question, k=1, scope=condensed.scope)
            rows = retriever.rescoring_features(retrieval.query, retrieval.filters)
            numbers = {}
            for rid, _, _ in rows:
                resolved = retriever.store.resolve(rid)
                numbers[rid] = resolved[0].number if resolved else ""
            feats = np.array([[fused, agreement] for _, fused, agreement in rows], dtype=float)
            gold = np.array(
                [any(gold_matches(numbers[rid], g) for g in it.gold) for rid, _, _ in rows],
                dtype=bool,
            )
            out.append(Question(f.name, feats.reshape(-1, 2), gold))
    return out


def fit(questions: list[Question], l2: float) -> np.ndarray:
    """Weights maximising the listwise likelihood of the gold candidates, L2-penalised."""
    usable = [q for q in questions if q.gold.any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * float(w @ w), 2 * l2 * w
        for q in usable:
            s = q.features @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            pg = float(p[q.gold].sum())
            total -= np.log(pg + 1e-12)
            grad = grad - q.features.T @ (np.where(q.gold, p, 0.0) / (pg + 1e-12) - p)
        return total, grad

    return np.asarray(minimize(loss, np.zeros(2), jac=True, method="L-BFGS-B").x)


def ranks(questions: list[Question], w: np.ndarray | None) -> list[int | None]:
    """Rank of each question's first gold candidate, by ``w`` (None: the fused order)."""
    out: list[int | None] = []
    for q in questions:
        order = (
            np.arange(len(q.gold)) if w is None else np.argsort(-(q.features @ w), kind="stable")
        )
        hit = np.flatnonzero(q.gold[order])
        out.append(int(hit[0]) + 1 if hit.size else None)
    return out


def recall(rs: list[int | None], depth: int) -> float:
    """Share of ranks at most ``depth``."""
    return round(sum(r is not None and r <= depth for r in rs) / len(rs), 4) if rs else 0.0


def cross_validate(
    questions: list[Question], l2: float, folds: int, seeds: int
) -> dict[str, dict[str, float]]:
    """Recall@1/5 of weights judged on questions they were not fitted on, against fused order."""
    k_fold: list[int | None] = []
    for seed in range(seeds):
        perm = np.random.RandomState(seed).permutation(len(questions))
        for k in range(folds):
            test = set(perm[k::folds].tolist())
            w = fit([q for i, q in enumerate(questions) if i not in test], l2)
            k_fold += ranks([q for i, q in enumerate(questions) if i in test], w)
    base = ranks(questions, None)
    out = {
        "all (fused)": {"recall@1": recall(base, 1), "recall@5": recall(base, 5)},
        f"all ({folds}-fold x {seeds})": {
            "recall@1": recall(k_fold, 1),
            "recall@5": recall(k_fold, 5),
        },
    }
    for name in dict.fromkeys(q.file for q in questions):
        test = [q for q in questions if q.file == name]
        w = fit([q for q in questions if q.file != name], l2)
        b, r = ranks(test, None), ranks(test, w)
        out[f"{name} (fused -> left out)"] = {
            "n": len(test),
            "recall@1": f"{recall(b, 1)} -> {recall(r, 1)}",  # type: ignore[dict-item]
            "recall@5": f"{recall(b, 5)} -> {recall(r, 5)}",  # type: ignore[dict-item]
        }
    return out


def main(argv: list[str] | None = None) -> int:
    """Collect, cross-validate, fit on everything, and write the weights file."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path, help="tuning eval files (JSONL)")
    ap.add_argument("--store", type=Path, required=True, help="store holding the sample pledge")
    ap.add_argument("--out", type=Path, default=DEFAULT_RESCORE, help="weights file to write")
    ap.add_argument("--pool", type=int, default=20, help="fused candidates rescored")
    ap.add_argument("--depth", type=int, default=2, help="places of the concept order counted")
    ap.add_argument("--l2", type=float, default=0.1, help="L2 penalty")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    args = ap.parse_args(argv)
    questions = collect(args.store, args.files, args.pool, args.depth)
    report = cross_validate(questions, args.l2, args.folds, args.seeds)
    w = fit(questions, args.l2)
    weights = RescoreWeights(
        pool=args.pool,
        fused=round(float(w[0]), 4),
        concept=round(float(w[1]), 4),
        depth=args.depth,
        fitted=(
            f"eval/fit_rescore.py --pool {args.pool} --depth {args.depth} --l2 {args.l2} on "
            + ", ".join(f.name for f in args.files)
            + f" ({len(questions)} in-scope questions); "
            + "; ".join(f"{k}: {v}" for k, v in report.items())
        ),
    )
    print(json.dumps({"cross_validation": report, "weights": weights.model_dump()}, indent=2))
    if not args.dry_run:
        args.out.write_text(json.dumps(weights.model_dump(), indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
