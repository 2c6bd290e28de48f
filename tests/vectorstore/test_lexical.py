"""Tokenizer, BM25 index and glossary expansion (no embedder needed)."""

from __future__ import annotations

import json

import pytest

from ingest.language import UN_LANGUAGES
from vectorstore.glossary import DEFAULT_GLOSSARY, Glossary, default_glossary
from vectorstore.lexical import LexicalEntry, LexicalIndex, tokenize


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("比利时在死刑问题上作出了什么承诺？", None, ["比利时", "死刑", "承诺"]),
        ("What did Belgium commit to on the death penalty?", "en", ["death", "penalti"]),
        ("Commitments COMMITTED", "en", ["commit", "commit"]),
        ("la peine de mort", "fr", ["pein", "mort"]),
        ("смертной казни", None, ["смертн", "казн"]),
        ("Смертная казнь", None, ["смертн", "казн"]),
        ("عقوبة الإعدام", None, ["عقوب", "اعدام"]),
        ("ＣＯＶＩＤ－１９ (2021-2025)", None, ["covid", "19", "2021", "2025"]),
    ],
)
def test_tokenize(text: str, language: str | None, expected: list[str]) -> None:
    tokens = tokenize(text, language)
    for term in expected:
        assert term in tokens, (text, tokens)


def test_tokenize_drops_stopwords_and_punctuation() -> None:
    assert tokenize("the of and , . ；。") == []
    assert "的" not in tokenize("人权的普遍性")


def test_bm25_ranks_and_filters() -> None:
    index = LexicalIndex()
    index.replace_all(
        [
            LexicalEntry("a", tokenize("继续将死刑问题列入理事会议程"), {"language": "zh"}),
            LexicalEntry("b", tokenize("极端贫困和人权问题"), {"language": "zh"}),
            LexicalEntry("c", tokenize("the death penalty must end"), {"language": "en"}),
        ]
    )
    assert [rid for rid, _ in index.search(tokenize("死刑"), 5)] == ["a"]
    assert [rid for rid, _ in index.search(tokenize("death penalty 死刑"), 5)] == ["a", "c"] or [
        rid for rid, _ in index.search(tokenize("death penalty 死刑"), 5)
    ] == ["c", "a"]
    only_en = index.search(tokenize("death penalty 死刑"), 5, lambda m: m["language"] == "en")
    assert [rid for rid, _ in only_en] == ["c"]
    assert index.search(tokenize("unknown words"), 5) == []
    index.update(remove=["a"])
    assert index.search(tokenize("死刑"), 5) == []
    assert len(index) == 2


def test_glossary_file_is_complete() -> None:
    data = json.loads(DEFAULT_GLOSSARY.read_text(encoding="utf-8"))
    ids = [c["id"] for c in data["concepts"]]
    assert len(ids) == len(set(ids)) >= 40
    for concept in data["concepts"]:
        for lang in UN_LANGUAGES:
            assert concept.get(lang), f"{concept['id']} lacks {lang}"


@pytest.mark.parametrize(
    ("query", "concept", "term"),
    [
        ("What did Belgium commit to on the death penalty?", "death_penalty", "死刑"),
        ("Quels engagements sur la peine de mort ?", "death_penalty", "死刑"),
        ("Что Бельгия говорит о смертной казни?", "death_penalty", "peine de mort"),
        ("موقف بلجيكا من عقوبة الإعدام", "death_penalty", "death penalty"),
        ("比利时如何保护人权维护者？", "civil_society_hrd", "human rights defenders"),
        ("Has it ratified OPCAT?", "torture", "酷刑"),
        ("LGBTI rights", "lgbti", "同性恋"),
    ],
)
def test_glossary_expands_across_languages(query: str, concept: str, term: str) -> None:
    expansion = default_glossary().expand(query)
    assert concept in expansion.concepts
    assert term in expansion.text()


def test_glossary_ignores_unrelated_queries() -> None:
    assert not default_glossary().expand("What is the weather like in Brussels?")


def test_custom_glossary(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "g.json"
    path.write_text(
        json.dumps({"concepts": [{"id": "x", "en": ["blue whale"], "zh": ["蓝鲸"]}]}),
        encoding="utf-8",
    )
    g = Glossary.load(path)
    assert g.expand("blue whales").terms == {"en": ["blue whale"], "zh": ["蓝鲸"]}
    assert g.expand("关于蓝鲸").concepts == ["x"]
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    from ingest.errors import ConfigError

    with pytest.raises(ConfigError, match=r"bad\.json"):
        Glossary.load(bad)


@pytest.mark.parametrize(
    "phrase",
    [
        "human rights",
        "Human Rights Council",
        "droits de l'homme",
        "derechos humanos",
        "права человека",
        "حقوق الإنسان",
        "人权理事会",
        "voluntary pledges and commitments",
        "international cooperation",
        "promote and protect human rights",
    ],
)
def test_generic_phrases_expand_to_nothing(phrase: str) -> None:
    """Words every pledge uses must not drag a concept into every query."""
    assert default_glossary().expand(phrase).concepts == []


def test_query_language_is_detected_for_stemming() -> None:
    assert tokenize("¿Qué dice Bélgica sobre la libertad de expresión?") == [
        "dic",
        "belgic",
        "libert",
        "expresion",
    ]


def test_longest_glossary_match_wins() -> None:
    glossary = default_glossary()
    assert glossary.expand("Universal Periodic Review").concepts == ["upr"]
    assert glossary.expand("universality of human rights").concepts == ["universality"]
    assert set(glossary.expand("death penalty and torture").concepts) == {
        "death_penalty",
        "torture",
    }


def test_expansion_uses_its_share_of_the_glossary(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "g.json"
    path.write_text(
        json.dumps(
            {
                "concepts": [
                    {"id": "generic", "en": ["human rights"], "expand": False},
                    {"id": "ratify", "en": ["ratif*", "ratification"], "zh": ["批准"]},
                    {"id": "env", "en": ["climate change"], "expand_only": ["climate change"]},
                ]
            }
        ),
        encoding="utf-8",
    )
    g = Glossary.load(path)
    assert [c.id for c in g.expansion] == ["ratify", "env"]
    assert g.expand("human rights").concepts == []
    assert g.expand("ratification").terms == {"en": ["ratification"], "zh": ["批准"]}
    assert g.expand("climate change").concepts == ["env"]


def test_latin_stems_need_equality() -> None:
    """French "fait" is not English "faith" (religion): Latin stems get no prefix leeway."""
    glossary = default_glossary()
    query = "Qu'a fait la Belgique pendant son mandat au Conseil de sécurité ?"
    assert glossary.expand(query).concepts == ["security_council"]


def test_uneven_russian_stems_still_match() -> None:
    glossary = default_glossary()
    assert glossary.expand("Сотрудничает ли Бельгия с договорными органами?").concepts == [
        "treaty_bodies"
    ]
