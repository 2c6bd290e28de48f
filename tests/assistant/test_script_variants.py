"""A question is read the same whatever variant of its script it is written in.

Traditional and simplified Chinese characters, kana with their voicing marks, Hangul syllables:
the matching views (:func:`ingest.language.fold`, :func:`ingest.language.compact`) must neither
tell apart what is the same word (比利時 and 比利时) nor merge what is not (ベ and ヘ), and the
answer-or-abstain decision must not mistake a left-over word for a glossary concept.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import opencc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.language import compact, fold
from vectorstore.glossary import default_glossary

TO_TRADITIONAL = opencc.OpenCC("s2t")


def cited(answer: Any) -> list[str]:
    return [c.number for c in answer.citations]


# -- the views -----------------------------------------------------------------------------------


def test_every_chinese_glossary_term_is_found_alike_in_traditional_characters() -> None:
    """Each zh term names the same concepts written in simplified or traditional characters."""
    glossary = default_glossary()
    differ = []
    for concept in glossary.concepts:
        for term in concept.variants.get("zh", ()):
            simplified = {c.id for c, _ in glossary.find(f"比利时关于{term}的承诺")}
            traditional = TO_TRADITIONAL.convert(f"比利时关于{term}的承诺")
            assert traditional != f"比利时关于{term}的承诺"
            if {c.id for c, _ in glossary.find(traditional)} != simplified:
                differ.append((concept.id, term))
    assert differ == []


def test_traditional_and_simplified_text_compact_alike() -> None:
    assert compact("比利時對廢除死刑作出了什麼承諾") == compact("比利时对废除死刑作出了什么承诺")
    # Text without Chinese characters is left as it is.
    assert compact("Peine de mort") == "peinedemort"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ベルギーは条約機関に協力しますか", "ベルギーは条約機関に協力しますか"),  # ベ is not ヘ
        ("क्या बेल्जियम", "क्या बेल्जियम"),  # the virama stays
        ("벨기에는 사형제도에", "벨기에는 사형제도에"),  # syllables, not loose jamo
        ("Peine de MORT, pena de muerte é", "peine de mort, pena de muerte e"),
        ("Ελευθερία της έκφρασης", "ελευθερια της εκφρασης"),
        ("عُقُوبَة", "عقوبة"),
    ],
)
def test_fold_strips_accents_only_where_writers_drop_them(text: str, expected: str) -> None:
    assert fold(text) == expected


SPACELESS_SCRIPTS = (
    [chr(c) for c in range(0x3041, 0x3097)]  # hiragana, with the voiced forms
    + [chr(c) for c in range(0x30A1, 0x30FB)]  # katakana
    + [chr(c) for c in range(0xAC00, 0xAC00 + 400)]  # Hangul syllables
    + [chr(c) for c in range(0x0915, 0x0940)]  # Devanagari letters and vowel signs
    + ["\u094d", "\u093c", " "]  # virama, nukta
)


@given(st.text(alphabet=st.sampled_from(SPACELESS_SCRIPTS), max_size=40))
def test_fold_keeps_the_words_of_scripts_without_optional_accents(text: str) -> None:
    """In kana, Hangul and Devanagari fold changes nothing but whitespace runs."""
    expected = " ".join(unicodedata.normalize("NFC", text).split(" "))
    assert fold(text).split() == expected.split()


# -- the decision --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("比利時對氣候變化有什麼承諾？", "比利时对气候变化有什么承诺？"),
        ("比利時在打擊種族主義方面有什麼計劃？", "比利时在打击种族主义方面有什么计划？"),
        (
            "比利時會資助聯合國人權事務高級專員辦事處嗎？",
            "比利时会资助联合国人权事务高级专员办事处吗？",
        ),
    ],
)
def test_a_question_in_traditional_characters_is_decided_as_in_simplified(
    service: Any, traditional: str, simplified: str
) -> None:
    """Before: the traditional climate question was answered from ¶2 (the glossary's 气候 did
    not match 氣候) and the other two cited other paragraphs than their simplified forms."""
    t, s = service.ask(traditional), service.ask(simplified)
    assert t.abstained == s.abstained
    assert cited(t) == cited(s)


def test_a_left_over_word_spelled_like_a_concept_does_not_stand_for_it(service: Any) -> None:
    """Before: "LGBTI" glued to Japanese particles was left over as the word "lgbti" and, spelled
    like the concept's id, counted as the LGBTI concept missing: the question abstained."""
    answer = service.ask("ベルギーはLGBTIの人々に対する暴力にどう取り組みますか？")
    assert not answer.abstained, answer.answer
    assert "15" in cited(answer)
