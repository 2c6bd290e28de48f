"""Fixtures for fetching official copies: PDFs of one fictional pledge in several languages
(generated with fpdf2, as the ingest tests do) and the loopback stand-in for the UN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.un import UNClient, UNSettings
from tests.fetch.un_server import UNServer, serve
from tests.ingest.pledges import EN, FR, SYMBOL, write_pdf

#: A second symbol: the English pledge printed under it is "a PDF of another symbol".
OTHER_SYMBOL = "A/78/999"


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """``en`` and ``fr`` versions of :data:`SYMBOL`, and ``other``: the English text under
    :data:`OTHER_SYMBOL`."""
    d = tmp_path_factory.mktemp("official")
    return {
        "en": write_pdf(EN, d / "en.pdf").read_bytes(),
        "fr": write_pdf(FR, d / "fr.pdf").read_bytes(),
        "other": write_pdf(EN, d / "other.pdf", symbol=OTHER_SYMBOL).read_bytes(),
    }


@pytest.fixture
def un() -> Iterator[UNServer]:
    with serve() as state:
        yield state


def fast_settings(url: str, **kw: object) -> UNSettings:
    """Client settings for loopback tests: no pacing, short backoff and timeout."""
    base: dict[str, object] = {
        "documents_url": url,
        "library_url": url,
        "min_interval_s": 0.0,
        "backoff_s": 0.05,
        "timeout_s": 2.0,
        "retries": 2,
    }
    base.update(kw)
    return UNSettings(**base)  # type: ignore[arg-type]


@pytest.fixture
def client(un: UNServer) -> Iterator[UNClient]:
    with UNClient(fast_settings(un.url)) as c:
        yield c


__all__ = ["OTHER_SYMBOL", "SYMBOL", "fast_settings"]


def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def store_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())
