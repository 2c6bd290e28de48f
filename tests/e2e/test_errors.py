"""A failing store shows up as a JSON error from the API and as a message in the chat, never as
a traceback. The failure is real: the store points at a Chroma server that is not there."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from assistant.service import PledgeService
from assistant.settings import LLMSettings
from tests.e2e.conftest import DEATH_PENALTY, LiveServer
from ui.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def broken_server(embedder: object) -> Iterator[LiveServer]:
    from ui.server import build_server_app

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    base = Settings()
    settings = base.model_copy(
        update={
            "store": base.store.model_copy(update={"chroma_url": f"http://127.0.0.1:{dead}"}),
            "llm": LLMSettings(url=None),
        }
    )
    service = PledgeService(settings, embedder=embedder)  # type: ignore[arg-type]
    with LiveServer(build_server_app(service)) as server:
        yield server


def test_api_maps_store_errors_to_503_json(broken_server: LiveServer) -> None:
    with httpx.Client(base_url=broken_server.url, timeout=120) as http:
        for response in (
            http.get("/healthz"),
            http.post("/v1/ask", json={"question": DEATH_PENALTY}),
            http.get("/v1/documents"),
        ):
            assert response.status_code == 503, response.text
            error = response.json()["error"]
            assert error["code"] == "store_error"
            assert "PLEDGES_CHROMA_URL" in error["message"]
            assert "Traceback" not in response.text


def test_chat_shows_store_errors_as_a_message(broken_server: LiveServer) -> None:
    from gradio_client import Client

    client = Client(broken_server.url, verbose=False, analytics_enabled=False)
    history, panel, _ = client.predict(DEATH_PENALTY, [], "", "", "", api_name="/chat")
    content = history[-1]["content"]
    text = content if isinstance(content, str) else content[0]["text"]
    assert history[-1]["role"] == "assistant"
    assert text.startswith("⚠️")
    assert "Chroma server" in text
    assert "Traceback" not in text
    assert "cite-card" not in panel
