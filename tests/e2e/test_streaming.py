"""With an LLM configured the chat streams the answer as it is written, then shows the validated
answer with its citation cards. The LLM is the only fake: a local OpenAI-compatible stub server."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest

from assistant.service import PledgeService
from assistant.settings import LLMSettings
from tests.assistant.stub_llm import StubLLM
from tests.e2e.conftest import DEATH_PENALTY, LiveServer

pytestmark = pytest.mark.slow

REPLY = (
    "Belgium will keep the death penalty on the Council's agenda with its partners, "
    "aiming at universal abolition [1]. It also backs the International Criminal Court [2]."
)


@pytest.fixture(scope="module")
def llm_server(e2e_service: PledgeService) -> Iterator[tuple[LiveServer, StubLLM]]:
    from ui.server import build_server_app

    with StubLLM() as stub:
        stub.replies = [REPLY]
        llm = LLMSettings(url=stub.url, model="stub-model", api_key="none", timeout_s=30)
        settings = e2e_service.settings.model_copy(update={"llm": llm})
        service = PledgeService(settings, store=e2e_service.store, embedder=e2e_service.embedder)
        assert service.llm is not None
        with LiveServer(build_server_app(service)) as server:
            yield server, stub


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content if isinstance(part, dict))


def test_chat_streams_then_shows_the_validated_answer(llm_server) -> None:
    from gradio_client import Client

    server, stub = llm_server
    client = Client(server.url, verbose=False, analytics_enabled=False)
    job = client.submit(DEATH_PENALTY, [], "", "", "", api_name="/chat")
    seen = [_text(out[0][-1]) for out in job if out and out[0]]
    history, panel, _ = job.result()

    # Partial texts arrived before the end, each a growing prefix of the model's words (shown
    # as literal characters: the chat writes punctuation as character references).
    partial = [html.unescape(t) for t in seen if t.endswith("▌")]
    assert len(partial) >= 2, seen
    assert all(REPLY.startswith(t.removesuffix(" ▌")) for t in partial), partial
    assert any(stub_req.get("stream") for stub_req in stub.requests)

    final = _text(history[-1])
    assert "▌" not in final
    assert "universal abolition" in final
    cards = re.findall(r'<div class="cite-card" id="(cite-0-\d+)"', panel)
    assert cards, panel[:1500]
    assert all(f"(#{c})" in final for c in cards)
