"""The extractive chain on the real sample store: citations, languages, follow-ups, abstention."""

from __future__ import annotations

import pytest
from langchain_core.runnables import Runnable

from assistant.chain import AnswerChain, Asked, Decided
from assistant.service import PledgeService
from assistant.terms import question_terms
from assistant.types import Answer
from vectorstore.records import Filters

DEATH_PENALTY_8 = (
    "比利时将与其合作伙伴一道，继续将死刑问题列入理事会议程，以便从人权角度就这一问题展开实质性辩论，"
    "推动实现普遍废除死刑的目标。"
)


def assert_citations_exact(answer: Answer, sample_text: dict[str, str]) -> None:
    """Every citation quotes its paragraph verbatim and its marker is in the answer text."""
    retrieved = {r.id for r in answer.retrieved}
    for c in answer.citations:
        assert c.quote and c.quote in sample_text[c.number], (c.number, c.quote)
        assert c.id in retrieved
        assert c.marker in answer.answer


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        (
            "What did Belgium commit to on the death penalty?",
            "The pledges say (quoted verbatim, in Chinese, the language of the stored text):",
        ),
        ("比利时在死刑问题上作出了什么承诺？", "承诺文件原文（逐字引用）："),
        (
            "Quels engagements la Belgique a-t-elle pris sur la peine de mort ?",
            "Les engagements disent (citation textuelle, en chinois, la langue du texte"
            " enregistré) :",
        ),
    ],
)
def test_death_penalty_quotes_paragraph_8(service, sample_text, question, lead):
    answer = service.ask(question)
    assert not answer.abstained
    assert answer.mode == "extractive"
    first = answer.citations[0]
    assert (first.marker, first.number, first.language, first.country) == ("[1]", "8", "zh", "BEL")
    assert first.quote == DEATH_PENALTY_8 == sample_text["8"]
    assert f"“{DEATH_PENALTY_8}” [1]" in answer.answer
    # The lead is in the question's language and says which language is quoted when it differs.
    assert answer.answer.splitlines()[0] == lead
    assert_citations_exact(answer, sample_text)
    assert answer.retrieved[0].cited


def test_long_sentences_are_cut_to_an_exact_clause_window(service, sample_text):
    answer = service.ask("Did Belgium ratify the Istanbul Convention?")
    assert not answer.abstained
    c = answer.citations[0]
    assert c.number == "24"
    assert "伊斯坦布尔公约" in c.quote
    assert len(c.quote) < len(sample_text["24"])
    assert_citations_exact(answer, sample_text)


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What did Belgium commit to on nuclear disarmament?", "nuclear"),
        ("How many refugees will Belgium resettle each year?", "refugees"),
        ("比利时在气候变化方面作出了什么承诺？", "climate"),
        ("What did Norway pledge on the rights of indigenous peoples?", "Norway"),
    ],
)
def test_out_of_scope_questions_abstain_without_citations(service, question, missing):
    answer = service.ask(question)
    assert answer.abstained
    assert answer.citations == []
    # The question is not repeated: the reason names the missing topic instead.
    assert question not in answer.answer
    assert missing in answer.answer
    # Nearest paragraphs may be offered, but as related reading, never as answer markers.
    assert all(not c.marker.startswith("[") for c in answer.related)
    assert "[1]" not in answer.answer
    assert not any(r.cited for r in answer.retrieved)


@pytest.mark.parametrize(
    "question",
    ["What did Belgium say about space debris?", "Does Belgium pledge to abolish the monarchy?"],
)
def test_topics_outside_the_glossary_abstain_on_semantic_evidence(service, question):
    answer = service.ask(question)
    assert answer.abstained and answer.citations == []
    assert "no retrieved paragraph is about" in answer.answer


def test_other_country_named_as_topic_must_be_in_the_evidence(service):
    answer = service.ask("What is Belgium's position on the armed conflict in Ukraine?")
    assert answer.abstained and "Ukraine" in answer.answer


def test_country_filter_without_stored_pledge_abstains(service):
    answer = service.ask("What was pledged on the death penalty?", filters=Filters(country="FRA"))
    assert answer.abstained and answer.citations == []


@pytest.mark.parametrize(
    ("history", "question", "expected_query", "gold"),
    [
        (
            ["What did Belgium commit to on the death penalty?"],
            "And on racism?",
            "And on racism? [country: Belgium]",
            {"16", "27(f)"},
        ),
        (
            ["比利时对国际刑事法院的立场是什么？"],
            "那么关于儿童权利呢？",
            "那么关于儿童权利呢？ [country: Belgium]",
            {"10", "20.11", "20.13"},
        ),
    ],
)
def test_follow_ups_carry_the_country_and_find_the_new_topic(
    service, sample_text, history, question, expected_query, gold
):
    answer = service.ask(question, history=history)
    assert answer.standalone_question == expected_query
    assert not answer.abstained
    assert {c.number for c in answer.citations} & gold
    # The earlier topic does not leak into the new answer.
    assert all(c.number not in ("8", "7") for c in answer.citations)
    assert_citations_exact(answer, sample_text)


@pytest.mark.parametrize(
    ("history", "question"),
    [
        (["Was hat Belgien zur Todesstrafe versprochen?"], "Und zur Religionsfreiheit?"),
        (["Belçika ölüm cezası konusunda ne taahhüt etti?"], "Peki ya din özgürlüğü?"),
    ],
)
def test_follow_ups_in_languages_without_a_rule_keep_their_topic(service, history, question):
    # These used to be wrapped in another language's template ("What did Belgium pledge on
    # Peki ya din özgürlüğü?", detected as Spanish), which buried the topic: ¶20.15 fell out of
    # the retrieved paragraphs and the answer abstained.
    answer = service.ask(question, history=history)
    assert answer.standalone_question == f"{question} [country: Belgium]"
    assert any(r.id.endswith("¶20.15") for r in answer.retrieved[:5]), answer.retrieved
    if not answer.abstained:
        assert "20.15" in {c.number for c in answer.citations}


def test_follow_up_keeps_a_country_without_stored_pledge_in_focus(service):
    answer = service.ask(
        "Und zur Folter?", history=["Was hat Norwegen zur Todesstrafe versprochen?"]
    )
    assert answer.abstained
    assert "Norway" in answer.answer


def test_follow_up_without_topic_reuses_the_earlier_topic(service):
    answer = service.ask(
        "And Norway?", history=["What did Belgium commit to on the death penalty?"]
    )
    assert answer.standalone_question == "What did Norway commit to on the death penalty?"
    assert answer.abstained  # no Norwegian pledge is stored


def test_chain_is_an_lcel_runnable_over_typed_records(service):
    chain = service.chain
    assert isinstance(chain, AnswerChain)
    assert service.chain is chain  # built once by the service
    assert isinstance(chain.runnable, Runnable)
    asked = Asked("Does Belgium support the International Criminal Court?")
    answer = chain.runnable.invoke(asked)
    assert isinstance(answer, Answer)
    assert answer.citations[0].number == "7"
    # The steps before the answer hand on one typed record a reader can follow.
    state = chain.prefix.invoke(asked)
    assert isinstance(state, Decided)
    assert state.asked is asked
    assert state.condensed.question == asked.question
    assert state.retrieval.hits[0].paragraph.number == "7"
    assert state.signal.abstain is False


def test_stream_without_llm_yields_text_then_answer(service):
    items = list(service.stream_ask("What did Belgium commit to on the death penalty?"))
    assert isinstance(items[-1], Answer)
    assert items[:-1] == [items[-1].answer]
    assert items[-1].citations[0].number == "8"


def test_concept_rescue_finds_unranked_paragraphs_through_the_lexical_index(service):
    """A topic missing from the ranked hits is looked up by its wording in every language."""
    question = "¿Qué dice Bélgica sobre la pena de muerte?"
    concepts = question_terms(question).topical
    assert concepts, "the glossary should know the death penalty"

    retriever = service.retriever
    rescued = retriever.rescue(concepts, None, exclude=set(), limit=3)
    assert rescued and all("死刑" in h.paragraph.text for h in rescued)
    # Paragraphs already retrieved are not added twice; filters apply to the lookup.
    seen = {h.paragraph.id for h in rescued}
    assert not {h.paragraph.id for h in retriever.rescue(concepts, None, seen, 3)} & seen
    assert retriever.rescue(concepts, Filters(country="FRA"), set(), 3) == []
    assert retriever.rescue([], None, set(), 3) == []


def test_service_builds_its_chain_from_retriever_store_and_llm(sample_store):
    service = PledgeService(store=sample_store, llm=None)
    chain = service.chain
    assert chain.retriever is service.retriever
    assert chain.reader is sample_store
    assert chain.llm is None
