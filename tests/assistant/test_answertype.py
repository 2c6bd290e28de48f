"""The answer-type rules: numbers the question states, and figures or dates it asks for.

Every end-to-end test runs on the sample pledge (Belgium, Chinese) through the real embedder.
The ones marked "old rule" were answered before the decision checked the kind of answer: the
topic rules alone found the paragraph on the topic and quoted it.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant import prompts
from assistant.answertype import (
    FIGURE_THRESHOLD,
    asks_for,
    cjk_value,
    missing_numbers,
    question_numbers,
    states_figure,
)
from ingest.errors import ConfigError
from ingest.records import Country, Document, Paragraph
from vectorstore.asktype import FigureDirection, load_prototypes
from vectorstore.embedders import embed_queries
from vectorstore.records import SearchHit


def cited(answer: Any) -> list[str]:
    return [c.number for c in answer.citations]


# -- end to end, on the sample pledge ----------------------------------------------------------


def test_a_figure_question_on_a_mentioned_topic_abstains_naming_the_paragraph(service):
    """Old rule: answered with ¶20.8, which pledges support for the OHCHR and states no sum."""
    answer = service.ask("How much money will Belgium give the OHCHR each year?")
    assert answer.abstained
    assert answer.citations == []
    assert "¶20.8" in answer.answer and "no figure or date" in answer.answer
    assert answer.related[0].number == "20.8"  # the paragraph on the topic, as related reading
    assert answer.abstain_reason and "asks for an amount" in answer.abstain_reason


def test_the_figure_abstention_is_in_the_askers_language(service):
    """Old rule: answered with ¶20.8 (a French question on the same near miss)."""
    answer = service.ask(
        "Combien la Belgique verse-t-elle chaque année au Haut-Commissariat aux droits de l'homme ?"
    )
    assert answer.abstained and answer.citations == []
    no_figure, _ = prompts.ANSWER_TYPE_LEADS["fr"]
    assert answer.answer.startswith(no_figure.split("«")[0])
    assert "¶20.8" in answer.answer


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        ("In which years did Belgium sit on the Security Council?", "3"),
        ("When was Belgium last a member of the Human Rights Council?", "4"),
        ("В каком году Бельгия ратифицировала Стамбульскую конвенцию?", "24"),
        ("Quanti strumenti delle Nazioni Unite sui diritti umani ha ratificato il Belgio?", "25"),
    ],
)
def test_a_year_or_count_the_pledge_gives_is_answered(service, question, gold):
    """The check on false positives: figure questions the pledge answers (¶25 in Chinese
    numerals, 八项) are answered from the paragraph that states the figure."""
    answer = service.ask(question)
    assert not answer.abstained, answer.answer
    assert gold in cited(answer)


def test_a_number_the_evidence_does_not_state_abstains(service):
    """Old rule: answered (the question is about the Council, which the pledge names)."""
    answer = service.ask("Did Belgium chair the Human Rights Council in 2031?")
    assert answer.abstained and answer.citations == []
    assert "2031" in answer.answer
    assert answer.abstain_reason and "2031" in answer.abstain_reason


def test_a_number_the_evidence_states_is_a_premise_that_holds(service):
    answer = service.ask("Which ILO conventions did Belgium ratify in 2016?")
    assert not answer.abstained, answer.answer
    assert "24" in cited(answer)


@pytest.mark.parametrize(
    "question",
    [
        "In che anno il Belgio vuole vedere abolita la pena di morte in tutto il mondo?",  # it
        "Ubelgiji inasaidia watoto wangapi walioathiriwa na vita?",  # Swahili
        "Hoeveel geld geeft België elk jaar aan het Bureau van de Hoge Commissaris voor de"
        " Mensenrechten?",  # Dutch
    ],
)
def test_figure_questions_in_languages_without_prototypes_abstain(service, question):
    """Old rule: each was answered by quoting a paragraph that states no year or amount."""
    assert not {p.lang for p in load_prototypes()} & {"it", "sw", "nl"}
    answer = service.ask(question)
    assert answer.abstained, answer.answer
    assert answer.citations == []


# -- what a question asks for, by meaning ------------------------------------------------------

#: Pairs in languages absent from the prototype file: (asks what or whether, asks a figure).
OTHER_LANGUAGES = [
    (
        "Il Belgio sostiene il Tribunale penale internazionale?",
        "Quanti soldi dà il Belgio al Tribunale penale internazionale?",
    ),  # Italian
    (
        "Ubelgiji inasema nini kuhusu wakimbizi?",
        "Ubelgiji itapokea wakimbizi wangapi mwaka huu?",
    ),  # Swahili
    (
        "벨기에는 고문방지협약 선택의정서를 비준합니까?",
        "벨기에는 언제까지 고문방지협약 선택의정서를 비준합니까?",
    ),  # Korean
    ("Wat zegt België over kinderarbeid?", "Hoeveel kinderen werken in België?"),  # Dutch
    (
        "Belçika işkenceye karşı ne yapıyor?",
        "Belçika işkence sözleşmesini hangi yıl onayladı?",
    ),  # Turkish
]


def test_the_figure_direction_reads_languages_absent_from_the_prototypes(sample_store):
    langs = {p.lang for p in load_prototypes()}
    assert not langs & {"it", "sw", "ko", "nl", "tr"}
    direction = FigureDirection.of(sample_store.embedder)
    texts = [t for pair in OTHER_LANGUAGES for t in pair]
    vectors = embed_queries(sample_store.embedder, texts)
    scores = [direction.score(v) for v in vectors]
    topic, figure = scores[0::2], scores[1::2]
    assert all(s < FIGURE_THRESHOLD for s in topic), topic
    assert all(s >= FIGURE_THRESHOLD for s in figure), figure


def test_amount_and_date_questions_are_told_apart(sample_store):
    direction = FigureDirection.of(sample_store.embedder)
    amount, date = embed_queries(
        sample_store.embedder,
        [
            "Ubelgiji itapokea wakimbizi wangapi mwaka huu?",
            "Belçika işkence sözleşmesini hangi yıl onayladı?",
        ],
    )
    assert asks_for(direction.date_score(amount)) == "amount"
    assert asks_for(direction.date_score(date)) == "date"


def test_prototype_file_errors_name_the_file(tmp_path: Path):
    bad = tmp_path / "asktype.json"
    bad.write_text(json.dumps({"pairs": [{"lang": "en", "topic": "What?"}]}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"asktype\.json: pair 1 lacks"):
        load_prototypes(bad)
    bad.write_text(
        json.dumps({"pairs": [{"lang": "en", "topic": "a", "figure": "b", "asks": "size"}]}),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="'asks' must be one of amount, date"):
        load_prototypes(bad)


# -- numbers, in any script ----------------------------------------------------------------------

_DOC = Document(
    doc_id="bel.zh",
    symbol="A/77/89",
    country=Country(code="BEL", name="Belgium"),
    language="zh",
    term="2023-2025",
    session=77,
    title="t",
    source="s",
    sha256="0" * 64,
)


def _hit(number: str, text: str) -> SearchHit:
    para = Paragraph(id=f"bel.zh:¶{number}", doc_id="bel.zh", number=number, text=text)
    return SearchHit(paragraph=para, document=_DOC, score=1.0)


def _digits(year: int, zero: str) -> str:
    return "".join(chr(ord(zero) + int(d)) for d in str(year))


@given(
    st.integers(min_value=1950, max_value=2099),
    # ASCII, full-width, Arabic-Indic, Devanagari, Bengali zeros
    st.sampled_from(["0", "０", "٠", "०", "০"]),
)
def test_a_year_reads_the_same_in_any_scripts_digits(year, zero):
    assert unicodedata.digit(zero) == 0
    (q,) = question_numbers(f"Did Belgium do it in {_digits(year, zero)}?")
    assert q.value[0] == year


def test_references_are_not_premises():
    hits = [_hit("20.8", "继续向联合国人权事务高级专员办事处提供政治和财政支持")]
    for question in [
        "What does paragraph 8 say?",
        "What does ¶20.8 say?",
        "What does 20.8 say?",
        "What does resolution 60/251 ask of candidates?",
        "What about the COVID-19 recovery?",
        "What does article 8 of the convention say?",
    ]:
        assert question_numbers(question, hits) == [], question


def test_a_year_inside_a_stated_range_is_stated():
    hits = [_hit("4", "比利时在担任人权理事会成员的前几个任期(最近一任是 2016 至 2018 年)期间")]
    assert missing_numbers("Was Belgium on the Council in 2017?", hits, hits) == []
    assert missing_numbers("Was Belgium on the Council in 2012?", hits, hits) == ["2012"]
    # The document's metadata (its term) counts as stated.
    assert missing_numbers("What did Belgium pledge for 2023-2025?", hits, hits) == []


def test_chinese_numerals_are_read():
    assert cjk_value("二〇一六") == 2016 and cjk_value("二十五") == 25 and cjk_value("八") == 8
    hit = _hit("25", "比利时还批准或加入了八项联合国人权文书")
    assert missing_numbers("比利时批准了8项文书吗？", [hit], [hit]) == []
    assert states_figure(hit, "amount") and not states_figure(hit, "date")


def test_a_year_in_a_title_is_not_a_stated_date():
    hit = _hit("26", "比利时承诺尽最大努力尽快批准《2019 年暴力和骚扰公约》(第 190 号)")
    assert not states_figure(hit, "date") and not states_figure(hit, "figure")
