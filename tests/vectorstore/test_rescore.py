"""The rescoring stage: concept agreement, its weights file, and what it changes on the sample."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.errors import ConfigError
from vectorstore.rescore import (
    DEFAULT_RESCORE,
    RescoreWeights,
    concept_agreement,
    concept_order,
    load_rescore,
)
from vectorstore.retrieval import ABLATION, HybridRetriever

ROOT = Path(__file__).resolve().parents[2]


def numbers(hits: list[Any]) -> list[str]:
    return [h.paragraph.number for h in hits]


# -- the weights file ---------------------------------------------------------------------------


def test_bundled_weights_are_read_and_say_how_they_were_fitted() -> None:
    weights = load_rescore()
    assert weights == RescoreWeights.model_validate_json(DEFAULT_RESCORE.read_text())
    assert 1 <= weights.pool <= 200 and weights.fused > 0 and weights.concept > 0
    assert weights.depth >= 1
    assert weights.fitted.startswith("eval/fit_rescore.py")
    assert "heldout" not in weights.fitted


@pytest.mark.parametrize(
    ("content", "names"),
    [
        ('{"pool": 20, "fused": 7.0, "depth": 2}', "concept"),
        ('{"pool": 0, "fused": 7.0, "concept": 1.0, "depth": 2}', "pool"),
        ('{"pool": 20, "fused": -1, "concept": 1.0, "depth": 2}', "fused"),
        ('{"pool": 20, "fused": 7.0, "concept": 1.0, "depth": 0}', "depth"),
        ('{"pool": 20, "fused": 7.0, "concept": 1.0, "depth": 2, "temperature": 2}', "temperature"),
        ('{"pool": 20, "fused": 7.0,', "Expecting"),
        ("[1, 2]", "(top level)"),
    ],
)
def test_a_bad_weights_file_is_a_one_line_error_naming_file_and_field(
    tmp_path: Path, content: str, names: str
) -> None:
    path = tmp_path / "rescore.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rescore(path)
    message = str(err.value)
    assert "\n" not in message
    expected = "expected a JSON object with 'pool', 'fused', 'concept' and 'depth'"
    assert message.startswith(f"{path}: {expected}")
    assert names in message


def test_a_missing_weights_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"rescore\.json"):
        load_rescore(tmp_path / "rescore.json")


# -- concept order and agreement ----------------------------------------------------------------


def test_concepts_the_question_names_come_first_then_by_meaning() -> None:
    sims = {"a": 0.30, "b": 0.25, "c": 0.25, "d": 0.10}
    assert concept_order(sims, []) == {"a": 1, "b": 2, "c": 2, "d": 4}
    # "d" is named in the glossary's wording: it outranks every concept found by meaning.
    assert concept_order(sims, ["d", "unknown"]) == {"d": 1, "a": 2, "b": 3, "c": 3}
    order = concept_order(sims, ["d"])
    assert concept_agreement(["d", "a"], order, depth=2) == 0.0
    assert concept_agreement(["a"], order, depth=2) == pytest.approx(-math.log(2))
    # Past the counted places, a concept counts as none named.
    assert concept_agreement(["b"], order, depth=2) == pytest.approx(-math.log(3))
    assert concept_agreement(["b"], order, depth=5) == pytest.approx(-math.log(3))
    assert concept_agreement(["x"], order, depth=5) == pytest.approx(-math.log(6))
    assert concept_agreement([], {}, depth=1) == pytest.approx(-math.log(2))


@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.floats(-1, 1), min_size=1),
    st.lists(st.sampled_from("abcdefghij"), max_size=4),
    st.lists(st.sampled_from("abcdefghij"), max_size=4),
    st.floats(0.1, 100),
    st.integers(1, 20),
)
def test_rescoring_never_lowers_a_fused_score(
    sims: dict[str, float], literal: list[str], named: list[str], rrf_k: float, depth: int
) -> None:
    order = concept_order(sims, literal)
    assert sorted(set(order.values()))[0] == 1
    agreement = concept_agreement(named, order, depth)
    assert -math.log(depth + 1) <= agreement <= 0.0
    weights = RescoreWeights(pool=20, fused=7.0, concept=1.9, depth=depth)
    assert weights.bonus(agreement, rrf_k) >= 0.0


# -- on the sample pledge (Chinese) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        # Turkish and Greek: the death penalty; plain fusion puts ¶26 (ratifications) first.
        ("Belçika ölüm cezası konusunda ne taahhüt etti?", {"8"}),
        ("Τι δεσμεύτηκε το Βέλγιο για τη θανατική ποινή;", {"8"}),
        # Korean, human rights defenders: plain fusion has none of the three in its top 5.
        ("벨기에는 인권 옹호자를 어떻게 지원합니까?", {"11", "12", "20.12"}),
        # Dutch, regional human rights bodies: plain fusion puts ¶23 (national institutions) first.
        ("Hoe werkt België samen met regionale mensenrechtenorganisaties?", {"9"}),
    ],
)
def test_cross_language_questions_where_a_neighbour_wins_under_plain_fusion(
    sample_store: Any, question: str, gold: set[str]
) -> None:
    plain = numbers(HybridRetriever(sample_store, rescore=False).search(question, k=5))
    assert plain[0] not in gold
    hits = HybridRetriever(sample_store).search(question, k=5)
    assert numbers(hits)[0] in gold
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and min(scores) > 0


def test_rescoring_keeps_what_the_decision_reads_on_the_hits(sample_store: Any) -> None:
    question = "Τι δεσμεύτηκε το Βέλγιο για τη θανατική ποινή;"
    plain_hits = HybridRetriever(sample_store, rescore=False).search(question, k=20)
    plain = {h.paragraph.id: h for h in plain_hits}
    for hit in HybridRetriever(sample_store).search(question, k=5):
        before = plain[hit.paragraph.id]
        assert (hit.topic_score, hit.latent_score) == (before.topic_score, before.latent_score)
    top = HybridRetriever(sample_store).search(question, k=1)[0]
    assert top.concept == "death_penalty"


def test_rescoring_features_are_the_fused_pool_in_fused_order(sample_store: Any) -> None:
    retriever = HybridRetriever(sample_store, rescore=False)
    question = "Belçika ölüm cezası konusunda ne taahhüt etti?"
    rows = retriever.rescoring_features(question)
    assert len(rows) == retriever.rescore_weights.pool
    fused = [f for _, f, _ in rows]
    assert fused == sorted(fused, reverse=True)
    plain = retriever.search(question, k=5)
    ids = [sample_store.resolve(rid)[0].id for rid, _, _ in rows]
    assert ids[:5] == [h.paragraph.id for h in plain]
    agreement = {pid: a for pid, (_, _, a) in zip(ids, rows, strict=True)}
    assert agreement["bel-2023-2025.zh:¶8"] == max(agreement.values())


def test_ablation_measures_the_rescoring_as_its_own_step() -> None:
    steps = list(ABLATION)
    i = steps.index("... + concept-agreement rescoring")
    assert ABLATION[steps[i - 1]].get("rescore") is False
    assert "rescore" not in ABLATION[steps[i]]
    assert all(ABLATION[s].get("rescore") is False for s in steps[:i])


# -- the fitting script -------------------------------------------------------------------------


def _fit_module() -> Any:
    spec = importlib.util.spec_from_file_location("fit_rescore", ROOT / "eval" / "fit_rescore.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fit_rescore"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_fit_learns_to_prefer_agreement_and_is_judged_on_left_out_questions() -> None:
    fit = _fit_module()
    rng = np.random.RandomState(0)
    questions = []
    for i in range(30):
        # Gold second by fused score but first by agreement.
        fused = np.sort(rng.uniform(0.5, 1.0, 6))[::-1]
        agreement = -np.log(np.arange(2, 8, dtype=float))
        agreement[1] = 0.0
        gold = np.zeros(6, dtype=bool)
        gold[1] = True
        feats = np.column_stack([fused, agreement])
        questions.append(fit.Question(f"set{i % 2}.jsonl", feats, gold))
    w = fit.fit(questions, 0.1)
    assert w[1] > 0
    assert fit.ranks(questions, None) == [2] * 30
    assert fit.ranks(questions, w) == [1] * 30
    report = fit.cross_validate(questions, 0.1, folds=5, seeds=1)
    assert report["all (fused)"]["recall@1"] == 0.0
    assert report["all (5-fold x 1)"]["recall@1"] == 1.0
    assert report["set0.jsonl (fused -> left out)"]["recall@1"] == "0.0 -> 1.0"


def test_bundled_weights_file_is_what_the_script_writes() -> None:
    data = json.loads(DEFAULT_RESCORE.read_text(encoding="utf-8"))
    assert set(data) == set(RescoreWeights.model_fields)


def test_bundled_data_files_fail_in_one_line_naming_the_file(tmp_path):
    """The glossary, prototype and weights loaders share one reader and its message."""
    from ingest.errors import ConfigError
    from vectorstore.asktype import load_prototypes
    from vectorstore.glossary import load_glossary

    not_a_list = tmp_path / "pairs.json"
    not_a_list.write_text('{"pairs": 3}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pairs\.json: expected .*'pairs' is a int, not a list"):
        load_prototypes(not_a_list)
    not_json = tmp_path / "glossary.json"
    not_json.write_text("nope", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"glossary\.json: expected a glossary JSON object"):
        load_glossary(not_json)
    with pytest.raises(ConfigError, match=r"missing\.json: expected a JSON object with 'pool'"):
        load_rescore(tmp_path / "missing.json")
