"""PLEDGES_CHROMA_URL values that are not a Chroma server: a one-line error naming the setting."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ingest.errors import ConfigError
from vectorstore.errors import StoreError
from vectorstore.settings import StoreSettings
from vectorstore.store import PledgeStore, chroma_address


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("http://[::1", "Invalid IPv6 URL"),  # each was a ValueError traceback
        ("http://127.0.0.1:abc", "Port could not be cast"),
        ("http://127.0.0.1:99999", "Port out of range"),
        ("http://127.0.0.1:0", "port 0"),
        ("http://127.0.0.1:8000/chroma", "drop '/chroma'"),  # the path was silently dropped
        ("localhost:8000", None),
        ("ftp://127.0.0.1:8000", None),
    ],
)
def test_a_malformed_url_is_a_one_line_config_error(
    value: str, reason: str | None, embedder: Any, tmp_path: Path
) -> None:
    settings = StoreSettings(store=tmp_path, chroma_url=value)
    with pytest.raises(ConfigError) as raised:
        PledgeStore.from_settings(settings, embedder=embedder)
    message = str(raised.value)
    assert message.startswith(f"PLEDGES_CHROMA_URL must look like http://host:port, got {value!r}")
    assert "\n" not in message
    if reason is not None:
        assert reason in message


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("http://127.0.0.1:8001", ("127.0.0.1", 8001, False)),
        ("http://chroma.internal/", ("chroma.internal", 8000, False)),
        ("https://chroma.example.org", ("chroma.example.org", 443, True)),
        ("http://[::1]:9000", ("::1", 9000, False)),
    ],
)
def test_a_well_formed_url_gives_host_port_and_tls(
    value: str, address: tuple[str, int, bool]
) -> None:
    assert chroma_address(value) == address


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[str]:
    """Another web server (not Chroma) on loopback: its 404 is an HTML page."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _Quiet(*a, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_url_of_another_web_server_is_a_one_line_store_error(
    web_server: str, embedder: Any, tmp_path: Path
) -> None:
    settings = StoreSettings(store=tmp_path, chroma_url=web_server)
    with pytest.raises(StoreError) as raised:
        PledgeStore.from_settings(settings, embedder=embedder)
    message = str(raised.value)
    # Was the whole HTML error page, fourteen lines of it.
    assert "\n" not in message and len(message) < 400, message
    assert message.startswith(f"could not reach the Chroma server at {web_server}")
    assert "PLEDGES_CHROMA_URL" in message and "not Chroma's API" in message
