"""The chat endpoint of the mounted Gradio app, called through gradio_client."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import DEATH_PENALTY, LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(live_app: LiveServer):
    from gradio_client import Client

    return Client(live_app.url, verbose=False, analytics_enabled=False, download_files=False)


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content if isinstance(part, dict))


def test_chat_endpoint_is_public_and_named(client) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    assert "/chat" in api["named_endpoints"], sorted(api["named_endpoints"])
    params = [p["parameter_name"] for p in api["named_endpoints"]["/chat"]["parameters"]]
    assert params[0] == "message"
    # Admin upload and internal events are not part of the public API.
    assert "/upload" not in api["named_endpoints"]


def test_chat_answers_with_paragraph_8_and_a_follow_up(client) -> None:
    history, panel, question = client.predict(DEATH_PENALTY, [], "", "", "", api_name="/chat")
    assert question == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert _text(history[0]) == DEATH_PENALTY
    answer = _text(history[1])
    assert not answer.startswith("⚠️"), answer
    # The marker of paragraph 8 links to its card in the citation panel.
    card = re.search(r'<div class="cite-card" id="(cite-0-\d+)" data-paragraph="[^"]*:¶8"', panel)
    assert card, panel[:2000]
    assert f"(#{card.group(1)})" in answer
    assert "<mark>" in panel  # the quoted span is highlighted
    assert "死刑" in panel  # the whole paragraph is shown

    # Follow-up: the earlier question travels with the history.
    history2, panel2, _ = client.predict("And on racism?", history, "", "", "", api_name="/chat")
    assert [m["role"] for m in history2] == ["user", "assistant"] * 2
    assert not _text(history2[3]).startswith("⚠️"), history2[3]
    assert re.search(r'data-paragraph="[^"]*:¶(16|27)"', panel2), panel2[:2000]


def test_chat_filters_come_from_the_store(client) -> None:
    history, panel, _ = client.predict(
        DEATH_PENALTY, [], "BEL", "zh", "2023-2025", api_name="/chat"
    )
    assert re.search(r'data-paragraph="[^"]*:¶8"', panel), _text(history[-1])
    # A language no stored document has is not a choice.
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError):
        client.predict(DEATH_PENALTY, [], "", "fr", "", api_name="/chat")


def test_chat_needs_the_api_token_when_reads_are_protected(e2e_service) -> None:
    """With PLEDGES_API_TOKEN set the chat is no back door around the API's read protection."""
    from gradio_client import Client

    from assistant.service import PledgeService
    from tests.e2e.conftest import READER, server_settings
    from ui.server import build_server_app

    settings = server_settings(e2e_service.settings, api_token=READER)
    service = PledgeService(settings, store=e2e_service.store, embedder=e2e_service.embedder)
    with LiveServer(build_server_app(service)) as server:
        from gradio_client.exceptions import AuthenticationError

        with pytest.raises(AuthenticationError):
            Client(server.url, verbose=False, analytics_enabled=False)
        with pytest.raises(ValueError, match="Could not login"):
            Client(server.url, verbose=False, analytics_enabled=False, auth=("me", "wrong"))
        client = Client(server.url, verbose=False, analytics_enabled=False, auth=("me", READER))
        history, panel, _ = client.predict(DEATH_PENALTY, [], "", "", "", api_name="/chat")
        assert re.search(r'data-paragraph="[^"]*:¶8"', panel), _text(history[-1])
