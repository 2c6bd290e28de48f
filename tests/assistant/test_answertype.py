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
from assistant.abstain import AbstainSignal
from assistant.answertype import (
    FIGURE_THRESHOLD,
    asks_for,
    check,
    cjk_value,
    llm_cites_no_figure,
    missing_numbers,
    question_numbers,
    states_figure,
    states_kind,
)
from assistant.terms import question_terms
from ingest.errors import ConfigError
from ingest.records import Country, Document, Paragraph
from vectorstore.asktype import FigureDirection, calibrated, load_prototypes
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
    assert "¶20.8" in answer.answer and "state no amount" in answer.answer
    assert answer.related[0].number == "20.8"  # the paragraph on the topic, as related reading
    assert answer.abstain_reason and "asks for an amount" in answer.abstain_reason


def test_the_figure_abstention_is_in_the_askers_language(service):
    """Old rule: answered with ¶20.8 (a French question on the same near miss)."""
    answer = service.ask(
        "Combien la Belgique verse-t-elle chaque année au Haut-Commissariat aux droits de l'homme ?"
    )
    assert answer.abstained and answer.citations == []
    no_figure, _ = prompts.ANSWER_TYPE_LEADS["fr"]
    assert answer.answer.startswith(no_figure.split("{kind}")[0])
    assert prompts.ANSWER_KINDS["fr"]["amount"] in answer.answer
    assert "¶20.8" in answer.answer


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        ("In which years did Belgium sit on the Security Council?", "3"),
        ("When was Belgium last a member of the Human Rights Council?", "4"),
        ("В каком году Бельгия ратифицировала Стамбульскую конвенцию?", "24"),
        # ¶25 states its count in Chinese numerals (八项).
        ("How many UN human rights instruments has Belgium ratified?", "25"),
    ],
)
def test_a_year_or_count_the_pledge_gives_is_answered(service, question, gold):
    """The check on false positives: figure questions the pledge answers (¶25 in Chinese
    numerals, 八项) are answered from the paragraph that states the figure, and the first
    quote states one."""
    answer = service.ask(question)
    assert not answer.abstained, answer.answer
    assert gold in cited(answer)
    assert states_kind(answer.citations[0].quote), answer.citations[0].quote


def test_a_figure_in_an_on_topic_paragraph_quoted_second_is_found(service):
    """Old rule: abstained. Rule 6 read only the paragraphs the answer quoted, and ¶23 (on
    national human rights institutions) was quoted before ¶25, which states the count."""
    answer = service.ask(
        "Quanti strumenti delle Nazioni Unite sui diritti umani ha ratificato il Belgio?"
    )
    assert not answer.abstained, answer.answer
    first = answer.citations[0]
    assert first.number == "25" and "八项" in first.quote  # the figure is in the quoted words
    assert "八项" in answer.answer.splitlines()[1]


def test_the_decision_and_the_answer_quote_the_same_sentences(service):
    """The quotes are chosen once: the decision's and the answer's are the same objects."""
    from assistant.chain import Asked

    question = "Quanti strumenti delle Nazioni Unite sui diritti umani ha ratificato il Belgio?"
    state = service.chain.prefix.invoke(Asked(question))
    answer = service.chain.answer_step(state)
    assert [(e.hit.paragraph.id, e.quote) for e in state.extracts] == [
        (c.id, c.quote) for c in answer.citations
    ]


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


# -- review fixes ---------------------------------------------------------------------------------


def test_a_follow_ups_own_number_is_a_premise(service):
    """Old rule: "And in 2031?" was answered with ¶5 (only the standalone question was read)."""
    answer = service.ask(
        "And in 2031?", history=["When was Belgium a member of the Human Rights Council?"]
    )
    assert answer.abstained and answer.citations == []
    assert "2031" in answer.answer


@pytest.mark.parametrize("count", ["24", "20"])
def test_a_number_equal_to_a_paragraph_number_is_still_a_premise(service, count):
    """Old rule: "24" was taken for a reference to the retrieved ¶24 and the question answered
    citing ¶24; "20" (no such paragraph retrieved) abstained. Both are counts the pledge does
    not state."""
    answer = service.ask(f"Did Belgium ratify {count} ILO conventions in 2017?")
    assert answer.abstained and answer.citations == []
    assert count in answer.answer.split(":")[-1]


def test_references_are_known_by_their_form_alone():
    assert question_numbers("What does 20.8 say?") == []
    assert question_numbers("What does 27(b) say about trafficking?") == []
    assert question_numbers("Quid de l'alinéa 18 (5) ?") == []
    assert question_numbers("What does § 12 say?") == []
    # A decimal with a percent sign is a figure, not a reference.
    (q,) = question_numbers("Does Belgium give 0.7% of its income?")
    assert q.value == (7, 1)
    # A paragraph's number that the question uses as a count is a premise.
    hits = [_hit("24", "比利时于 2016 年批准了国际劳工组织的公约")]
    assert [q.text for q in question_numbers("Did Belgium ratify 24 conventions?", hits)] == ["24"]


def test_a_stated_year_lets_a_yes_no_figure_question_through():
    """Old rule: abstained though ¶4 states 2016 (rule 6 read the question as asking for a
    figure). The scores are those the embedder gives the Hindi question (0.004, -0.047); the
    rule is checked on ¶4 alone, whichever paragraph the ranking puts first."""
    hit = _hit("4", "比利时在担任人权理事会成员的前几个任期(最近一任是 2016 至 2018 年)期间")
    question = "क्या बेल्जियम २०१६ में मानवाधिकार परिषद का उपाध्यक्ष था?"
    terms = question_terms(question)
    checked = check(
        AbstainSignal(abstain=False, reason="topic"), question, terms, [hit], 0.01, -0.047
    )
    assert not checked.signal.abstain, checked.signal.reason
    # The paragraph stating the year is quoted by its words stating it.
    assert [e.hit.paragraph.number for e in checked.extracts] == ["4"]
    assert "2016" in checked.extracts[0].quote
    # A year stated does not answer a count clearly asked for (date score -0.093).
    counted = "How many victims did Belgium help in 2016?"
    signal = check(
        AbstainSignal(abstain=False, reason="topic"), counted, terms, [hit], 0.08, -0.093
    ).signal
    assert signal.abstain and "state no amount" in signal.reason


def test_a_stated_year_does_not_answer_a_count_asked(service):
    """A year the cited paragraph states is not the count asked for (rule 6 still applies)."""
    answer = service.ask("Hoeveel slachtoffers van mensenhandel heeft België in 2022 geholpen?")
    assert answer.abstained and answer.citations == []
    assert answer.abstain_reason and "state no amount" in answer.abstain_reason


@pytest.mark.parametrize(
    "question",
    [
        "ベルギーは2031年に人権理事会の議長を務めましたか？",
        "벨기에는2031년에 인권이사회 의장을 맡았습니까?",
        "比利时二〇三一年担任人权理事会主席吗？",
        "Was Belgium a member of the Human Rights Council on 31/12/2031?",
    ],
)
def test_years_glued_to_kana_hangul_han_or_in_a_date_are_premises(service, question):
    """Old rule: each was answered (with ¶5 or ¶4): the year was not read."""
    answer = service.ask(question)
    assert answer.abstained and answer.citations == []
    reason = answer.abstain_reason or ""
    assert "2031" in reason or "二〇三一" in reason, reason


def test_years_are_read_in_every_written_form():
    for question in [
        "ベルギーは2031年に議長でしたか",
        "벨기에는2031년에",
        "比利时二〇三一年是成员吗",
        "By 31/12/2031?",
        "By 31.12.2031?",
        "On 2031-12-31?",
    ]:
        assert [q.value for q in question_numbers(question)] == [(2031,)], question
    # Latin, Greek and Cyrillic letters still glue a number into a name.
    assert question_numbers("What about COVID-19 and A2 and Б12?") == []


def test_the_number_message_names_the_paragraphs_on_the_topic(service):
    answer = service.ask("Did Belgium chair the Human Rights Council in 2031?")
    assert answer.abstained
    assert "none of the paragraphs on this topic (¶" in answer.answer
    assert "no retrieved paragraph" not in answer.answer


def test_a_decimal_or_sub_paragraph_in_the_evidence_does_not_vouch_for_its_parts():
    article = _hit("17", "比利时将落实第 18(5)条的规定")
    assert missing_numbers("Did Belgium give 18.5% of it?", [article], [article]) == ["18.5"]
    assert missing_numbers("Did Belgium give 5 million?", [article], [article]) == ["5"]
    share = _hit("18", "比利时提供了 18.5% 的资金")
    assert missing_numbers("Did Belgium give 18.5% of it?", [share], [share]) == []
    assert missing_numbers("Did Belgium give 5% of it?", [share], [share]) == ["5"]


def test_the_abstention_does_not_echo_the_question(service):
    """Old rule: the message quoted the question, so a crafted one could speak for the
    assistant."""
    crafted = "How much money will Belgium give the OHCHR each year” Belgium pays 9 billion. “?"
    answer = service.ask(crafted)
    assert answer.abstained
    assert "9 billion" not in answer.answer and "Belgium pays" not in answer.answer
    for no_figure, no_number in prompts.ANSWER_TYPE_LEADS.values():
        assert "{question}" not in no_figure + no_number


def test_rule_6_holds_for_a_language_models_answer(sample_store):
    """Old rule: with an LLM configured, the model's answer to a figure question stood even
    when the paragraph it cited states no figure."""
    from assistant.service import PledgeService
    from assistant.settings import LLMSettings
    from tests.assistant.stub_llm import StubLLM
    from ui.settings import Settings

    with StubLLM() as stub:
        settings = Settings(
            llm=LLMSettings(url=stub.url, model="stub-model", api_key="k", timeout_s=10)
        )
        llm_service = PledgeService(settings=settings, store=sample_store)
        stub.replies = ["Belgium will give political and financial support to the OHCHR [1]."]
        answer = llm_service.ask("How much money will Belgium give the OHCHR each year?")
        assert stub.requests, "the model was asked"
    assert answer.abstained and answer.citations == []
    assert answer.mode == "llm"
    assert "state no amount" in answer.answer
    assert answer.abstain_reason and "language model" in answer.abstain_reason


def test_rule_6_on_llm_citations_keeps_an_answer_that_states_the_figure():
    signal = AbstainSignal(abstain=False, reason="", asks="amount")
    assert (
        llm_cites_no_figure(signal, [_hit("25", "比利时还批准或加入了八项联合国人权文书")]) is None
    )
    assert llm_cites_no_figure(AbstainSignal(abstain=False, reason=""), [_hit("4", "支持")]) is None
    out = llm_cites_no_figure(signal, [_hit("20.8", "继续向人权高专办提供政治和财政支持")])
    assert out is not None and out.abstain and out.mentioned == ["20.8"]


@pytest.mark.slow
def test_rule_6_is_off_for_an_embedder_it_was_not_calibrated_on(tmp_path, sample_parsed, embedder):
    """Rule 6's thresholds are multilingual-e5-small's; with the English MiniLM the figure
    question is answered from its topic paragraph, while rule 5 (numbers) still abstains."""
    from assistant.service import PledgeService
    from tests.assistant.conftest import no_llm_settings
    from tests.conftest import _embedded_store
    from tests.vectorstore.test_embedders import _minilm_path
    from vectorstore.embedders import SentenceTransformerEmbedder

    assert calibrated(embedder)
    minilm = SentenceTransformerEmbedder(str(_minilm_path()))
    assert not calibrated(minilm)
    store = _embedded_store(tmp_path / "store", minilm)
    store.upsert(sample_parsed)
    other = PledgeService(settings=no_llm_settings(), store=store)
    assert other.chain.figure is None
    answer = other.ask("How much money will Belgium give the OHCHR each year?")
    assert answer.abstain_reason is None or "asks for" not in answer.abstain_reason
    premise = other.ask("Did Belgium chair the Human Rights Council in 2031?")
    assert premise.abstained and "2031" in premise.answer
