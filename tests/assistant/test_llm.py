"""The LLM path over a real HTTP round trip to a local OpenAI-compatible stub server.

The chain talks to the stub through LangChain's ``ChatOpenAI`` exactly as it would to Ollama or
vLLM; each test scripts the stub's replies and checks what the user finally gets.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from assistant.errors import LLMError
from assistant.llm import invoke_text, make_chat_model, normalize_base_url
from assistant.prompts import CANNOT_ANSWER
from assistant.service import PledgeService
from assistant.settings import LLMSettings
from assistant.types import Answer
from ingest.errors import ConfigError
from tests.assistant.stub_llm import StubLLM
from ui.settings import Settings

QUESTION = "What did Belgium commit to on the death penalty?"
GOAL = "推动实现普遍废除死刑的目标"


@pytest.fixture(scope="module")
def stub_server() -> Any:
    with StubLLM() as server:
        yield server


@pytest.fixture
def stub(stub_server: Any) -> Any:
    """The module's stub server with a fresh script and request log."""
    stub_server.replies = ["ok"]
    stub_server.requests = []
    return stub_server


def llm_service(sample_store: Any, url: str) -> PledgeService:
    settings = Settings(llm=LLMSettings(url=url, model="stub-model", api_key="k", timeout_s=10))
    return PledgeService(settings=settings, store=sample_store)


def passage_markers(request: dict[str, Any]) -> str:
    return request["messages"][-1]["content"]  # the passages travel in the user turn


def test_valid_llm_answer_keeps_markers_and_verified_quotes(sample_store, sample_text, stub):
    stub.replies = [f'Belgium will keep the death penalty on the agenda, aiming at "{GOAL}" [1].']
    answer = llm_service(sample_store, stub.url).ask(QUESTION)
    assert answer.mode == "llm" and not answer.abstained
    assert answer.warnings == []
    assert [(c.marker, c.number, c.quote) for c in answer.citations] == [("[1]", "8", GOAL)]
    assert GOAL in sample_text["8"]
    # The request really went over HTTP with the retrieved paragraph as passage [1].
    (req,) = stub.requests
    assert req["model"] == "stub-model"
    assert "[1] Belgium" in passage_markers(req) and sample_text["8"] in passage_markers(req)


def test_invented_marker_is_removed_and_flagged(sample_store, stub):
    stub.replies = [
        "Belgium will keep the death penalty on the agenda [1]. It abolished it in 1996 [9]."
    ]
    answer = llm_service(sample_store, stub.url).ask(QUESTION)
    assert answer.mode == "llm"
    assert "[9]" not in answer.answer and "[1]" in answer.answer
    assert [c.marker for c in answer.citations] == ["[1]"]
    assert any("[9]" in w and "no retrieved paragraph" in w for w in answer.warnings)


def test_misquote_is_removed_and_flagged(sample_store, sample_text, stub):
    misquote = "比利时已经在全世界废除了死刑"
    assert misquote not in sample_text["8"]
    stub.replies = [f'Belgium says "{misquote}" [1].']
    answer = llm_service(sample_store, stub.url).ask(QUESTION)
    assert misquote not in answer.answer
    assert "quotation removed" in answer.answer
    assert any("not found verbatim" in w for w in answer.warnings)
    # The citation still quotes the paragraph exactly (its best sentence), never the misquote.
    for c in answer.citations:
        assert c.quote in sample_text[c.number]


def test_malformed_reply_falls_back_to_extractive_and_says_so(sample_store, sample_text, stub):
    stub.replies = [b"this is not json {"]
    answer = llm_service(sample_store, stub.url).ask(QUESTION)
    assert answer.mode == "extractive" and not answer.abstained
    assert answer.citations[0].number == "8"
    assert answer.citations[0].quote == sample_text["8"]
    assert any("answered extractively" in w for w in answer.warnings)


def test_reply_without_any_valid_marker_falls_back(sample_store, stub):
    stub.replies = ["Belgium is against the death penalty [42]."]  # passages are [1]-[5]
    answer = llm_service(sample_store, stub.url).ask(QUESTION)
    assert answer.mode == "extractive"
    assert any("[42]" in w for w in answer.warnings)
    assert any("cited no retrieved paragraph" in w for w in answer.warnings)


def test_cannot_answer_reply_abstains(sample_store, stub):
    stub.replies = [CANNOT_ANSWER]
    answer = llm_service(sample_store, stub.url).ask(QUESTION)
    assert answer.abstained and answer.citations == [] and answer.mode == "llm"


def test_llm_judges_what_the_rule_cannot_check(sample_store, stub):
    question = "What did Belgium say about space debris?"
    stub.replies = [CANNOT_ANSWER]
    answer = llm_service(sample_store, stub.url).ask(question)
    assert answer.abstained and answer.mode == "llm" and len(stub.requests) == 1
    # The rule's clear abstentions never reach the model.
    stub.requests = []
    answer = llm_service(sample_store, stub.url).ask("What did Norway pledge on torture?")
    assert answer.abstained and stub.requests == []


def test_unreachable_llm_falls_back_with_a_warning(sample_store):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    answer = llm_service(sample_store, f"http://127.0.0.1:{port}/v1").ask(QUESTION)
    assert answer.mode == "extractive" and answer.citations[0].number == "8"
    assert any("unreachable" in w and str(port) in w for w in answer.warnings)


def test_unreachable_llm_error_is_actionable(sample_store):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = make_chat_model(LLMSettings(url=f"http://127.0.0.1:{port}", timeout_s=5))
    with pytest.raises(LLMError, match=r"PLEDGES_LLM_URL"):
        invoke_text(llm, "hello")


def test_streaming_yields_chunks_then_the_checked_answer(sample_store, stub):
    text = f'Belgium will keep the issue on the Council agenda, "{GOAL}" [1]. Also [7].'
    stub.replies = [text]
    items = list(llm_service(sample_store, stub.url).stream_ask(QUESTION))
    chunks, final = items[:-1], items[-1]
    assert len(chunks) > 2 and all(isinstance(c, str) for c in chunks)
    assert "".join(chunks) == text  # the raw stream, as the model wrote it
    assert isinstance(final, Answer) and final.mode == "llm"
    assert "[7]" not in final.answer and final.citations[0].quote == GOAL
    assert stub.requests[-1]["stream"] is True


def test_llm_condenses_follow_ups_and_rule_is_the_fallback(sample_store, stub):
    stub.replies = ["What did Belgium commit to on racism?", "Belgium fights racism [1]."]
    svc = llm_service(sample_store, stub.url)
    answer = svc.ask("And on racism?", history=[QUESTION])
    assert answer.standalone_question == "What did Belgium commit to on racism?"
    assert "Rewrite" in stub.requests[0]["messages"][0]["content"]
    assert answer.citations and answer.citations[0].number in {"16", "27(f)"}

    stub.replies = ["line one\nline two\nline three", "Belgium fights racism [1]."]
    answer = svc.ask("And on racism?", history=[QUESTION])
    assert answer.standalone_question == "And on racism? [country: Belgium]"  # the rule's
    assert any("rewritten by rule" in w for w in answer.warnings)


def test_llm_judges_a_contradicted_claim(sample_store, stub):
    stub.replies = ["CONTRADICTED\n[1]"]
    verdict = llm_service(sample_store, stub.url).verify(
        "Belgium pledged to keep the death penalty off the Council agenda"
    )
    assert verdict.status == "contradicted"
    assert verdict.evidence and verdict.evidence[0].number == "8"


def test_llm_supported_over_a_year_mismatch_is_overruled(sample_store, stub):
    stub.replies = ["SUPPORTED\n[1]"]
    verdict = llm_service(sample_store, stub.url).verify(
        "Belgium ratified the Istanbul Convention in 2019"
    )
    assert verdict.status == "contradicted"
    assert verdict.evidence[0].number == "24"
    assert any("language model said SUPPORTED; overruled" in w for w in verdict.warnings)
    assert "'2019'" in verdict.explanation and "2016" in verdict.explanation
    # The model judged the quoted sentences, numbered as the evidence is.
    (req,) = stub.requests
    user = req["messages"][-1]["content"]
    assert f"[1]\n{verdict.evidence[0].quote}\n<<<end" in user


def test_llm_judges_wording_the_rules_leave_related(sample_store, stub):
    claim = "Belgium supports the universal abolition of the death penalty"
    svc = llm_service(sample_store, stub.url)
    stub.replies = ["SUPPORTED\n[1]"]
    assert svc.verify(claim).status == "supported"
    stub.replies = ["NOT_FOUND"]
    verdict = svc.verify(claim)
    assert verdict.status == "related" and "did not find" in verdict.explanation


def test_llm_answer_sentence_with_a_wrong_year_is_removed(sample_store, stub):
    stub.replies = [
        "Belgium ratified the Istanbul Convention in 2019 [1]. "
        "Belgium ratified ILO Convention No. 187 in 2018 [1]."
    ]
    answer = llm_service(sample_store, stub.url).ask(
        "When did Belgium ratify the Istanbul Convention?"
    )
    assert answer.mode == "llm"
    assert "in 2019" not in answer.answer
    assert "No. 187 in 2018 [1]" in answer.answer
    assert any("conflicts with [1]" in w and "'2019'" in w for w in answer.warnings)


def test_llm_cannot_turn_missing_evidence_into_support(sample_store, stub):
    stub.replies = ["SUPPORTED\n[1]"]
    verdict = llm_service(sample_store, stub.url).verify("Belgium pledged to resettle refugees")
    assert verdict.status == "not_found" and verdict.evidence == []
    assert stub.requests == []  # no evidence: the model is not even asked


def test_base_url_gets_v1_and_bad_urls_are_config_errors():
    assert normalize_base_url("http://127.0.0.1:11434") == "http://127.0.0.1:11434/v1"
    assert normalize_base_url("http://h:8000/v1/") == "http://h:8000/v1"
    with pytest.raises(ConfigError, match="expected an http"):
        normalize_base_url("localhost:11434")


def test_ask_command_streams_then_prints_the_checked_answer(sample_store, stub, monkeypatch):
    from typer.testing import CliRunner

    import ui.cli._answer as answer_cli
    from ui.cli import app

    svc = llm_service(sample_store, stub.url)
    monkeypatch.setattr(answer_cli, "make_service", lambda store, **_: svc)
    stub.replies = [f'Belgium aims at "{GOAL}" [1]. It also promised a lot [8].']
    result = CliRunner().invoke(app, ["ask", QUESTION])
    assert result.exit_code == 0, result.output
    raw, checked = result.stdout.split("--- checked answer ---")
    assert "[8]" in raw  # what the model streamed
    assert "[8]" not in checked.split("warning:")[0]  # what survived the checks
    assert "warning: removed citation marker(s) [8]" in checked
    assert f"“{GOAL}”" in checked
