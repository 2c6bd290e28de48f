"""Pure functions: language, countries, glossary terms, sentences, markers and quote checks."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.citations import (
    CheckedText,
    check_markers,
    check_quotes,
    clause_window,
    find_verbatim,
    sentence_spans,
    split_sentences,
)
from assistant.prompts import ALL_PROMPTS, PromptSpec, _spec, check_prompts
from assistant.terms import question_terms
from ingest.countries import find_countries
from ingest.errors import ConfigError
from ingest.language import detect_language
from vectorstore.glossary import Glossary, default_glossary


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("What did Belgium commit to on the death penalty?", "en"),
        ("Quels engagements la Belgique a-t-elle pris sur la peine de mort ?", "fr"),
        ("¿Qué dice Bélgica sobre la libertad de expresión?", "es"),
        ("比利时在死刑问题上作出了什么承诺？", "zh"),
        ("Что Бельгия обещает в отношении смертной казни?", "ru"),
        ("ما الذي تعهدت به بلجيكا بشأن عقوبة الإعدام؟", "ar"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_countries_in_six_languages_and_traps():
    assert find_countries("Belgium, Norvège, 挪威 et Bélgica") == [
        ("BEL", "Belgium"),
        ("NOR", "Norway"),
    ]
    assert find_countries("South Sudan and Sudan") == [("SSD", "South Sudan"), ("SDN", "Sudan")]
    # "发展中国家" (developing countries) contains 中国 but names no country.
    assert find_countries("发展中国家的人权") == []
    assert find_countries("a woman's rights") == []


def test_question_terms_cross_language_concepts():
    en = question_terms("What did Belgium commit to on the death penalty?")
    zh = question_terms("比利时在死刑问题上作出了什么承诺？")
    fr = question_terms("Quels engagements la Belgique a-t-elle pris sur la peine de mort ?")
    for t in (en, zh, fr):
        assert [c.id for c in t.topical] == ["death_penalty"]
        assert t.countries == [("BEL", "Belgium")]
        assert t.words == []
    death = en.topical[0]
    assert death.occurs_in("", "推动实现普遍废除死刑的目标")
    nuclear = question_terms("nuclear disarmament").topical
    assert {c.id for c in nuclear} == {"nuclear", "disarmament"}
    # 核心 ("core") must not count as nuclear.
    assert not any(c.occurs_in("", "核心原则") for c in nuclear)


def test_words_outside_the_glossary_are_kept_for_literal_checks():
    t = question_terms("比利时在气候变化方面作出了什么承诺？")
    assert [c.id for c in t.topical] == ["climate"] and t.words == []
    t = question_terms("What does Belgium say about space debris?")
    assert t.topical == [] and t.words == ["space", "debris"]


def test_glossary_load_checks_its_shape(tmp_path):
    assert len(default_glossary().coverage) > 80
    bad = tmp_path / "g.json"
    bad.write_text('{"concepts": [{"id": "x", "en": "not a list"}]}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"g\.json: concept 1 is malformed: 'en' must be a list"):
        Glossary.load(bad)
    bad.write_text('{"concepts": [{"id": "x", "en": ["a"], "expand_only": ["b"]}]}', "utf-8")
    with pytest.raises(ConfigError, match=r"expand_only.*\['b'\]"):
        Glossary.load(bad)
    bad.write_text('{"concepts": [{"id": "x", "en": ["a"]}, {"id": "x", "fr": ["b"]}]}', "utf-8")
    with pytest.raises(ConfigError, match="'x' appears twice"):
        Glossary.load(bad)


def test_coverage_skips_broad_concepts_and_expand_only_terms(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(
        json.dumps(
            {
                "concepts": [
                    {"id": "climate", "en": ["climat*"], "expand": False},
                    {
                        "id": "environment",
                        "en": ["climate change", "environment"],
                        "expand_only": ["climate change"],
                    },
                    {"id": "wide", "en": ["weather"], "cover": False},
                ]
            }
        ),
        encoding="utf-8",
    )
    g = Glossary.load(path)
    assert [c.id for c in g.coverage] == ["climate", "environment"]
    assert [c.id for c in g.expansion] == ["environment", "wide"]
    assert [c.id for c, _ in g.find("climate change")] == ["climate"]
    assert [c.id for c, _ in g.find("the environment")] == ["environment"]
    # The bundled file keeps the fine-grained split the abstention relies on.
    assert {c.id for c in question_terms("nuclear disarmament").topical} == {
        "nuclear",
        "disarmament",
    }
    assert [c.id for c in question_terms("climate change").topical] == ["climate"]


def test_sentences_cjk_and_latin():
    text = "比利时将促进落实妇女和女童的各种权利。将特别关注加强参与；打击性别暴力"
    assert split_sentences(text) == [
        "比利时将促进落实妇女和女童的各种权利。",
        "将特别关注加强参与；",
        "打击性别暴力",
    ]
    latin = "Belgium, e.g. under No. 5, will act. It will do more!  Then (A/77/89) ends."
    assert split_sentences(latin) == [
        "Belgium, e.g. under No. 5, will act.",
        "It will do more!",
        "Then (A/77/89) ends.",
    ]


@given(st.text(alphabet="ab 。；,.!?，\n比利时", max_size=80))
def test_sentence_spans_are_exact_ordered_slices(text):
    last = 0
    for s, e in sentence_spans(text):
        assert last <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
        last = e


@given(st.text(alphabet="abc ，、,:：比利时", min_size=1, max_size=400), st.data())
def test_clause_window_is_a_slice_within_the_sentence(text, data):
    focus = data.draw(st.integers(0, len(text) - 1))
    s, e = clause_window(text, 0, len(text), focus, limit=40)
    assert 0 <= s <= e <= len(text)
    if len(text) <= 40:
        assert (s, e) == (0, len(text))


def test_find_verbatim_tolerates_only_whitespace():
    text = "比利时将继续 促进人人享有体面工作"
    assert find_verbatim("促进人人享有", text) == (7, 13)
    s, e = find_verbatim("继续促进", text)
    assert text[s:e] == "继续 促进"
    assert find_verbatim("继续推动", text) is None


def test_check_markers_removes_unknown_ones():
    checked = check_markers("A [1]. B [3]. C [2] [12].", allowed=[1, 2])
    assert checked.text == "A [1]. B. C [2]."
    assert checked.used == [1, 2]
    assert checked.warnings == [
        "removed citation marker(s) [3], [12]: they match no retrieved paragraph"
    ]


def test_check_quotes_keeps_verbatim_and_removes_misquotes():
    passages = {1: "比利时将继续将死刑问题列入理事会议程", 2: "Belgium will act on racism."}
    text = "Belgium says 「死刑问题列入理事会议程」 [1]. It says «Belgium will never act» [2]."
    checked = check_quotes(CheckedText(text=text, used=[1, 2]), passages)
    assert checked.quotes == {1: ["死刑问题列入理事会议程"]}
    assert "«Belgium will never act»" not in checked.text
    assert "quotation removed" in checked.text
    assert checked.warnings and "[2]" in checked.warnings[0]


def test_prompts_check_their_variables():
    check_prompts(ALL_PROMPTS)
    bad = _spec("bad", [("system", "{context} {typo}")], {"context"})
    with pytest.raises(ConfigError, match="prompt 'bad': expected variables"):
        check_prompts((bad,))
    assert all(isinstance(p, PromptSpec) for p in ALL_PROMPTS)
