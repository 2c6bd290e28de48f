"""Load: concurrent clients on ``POST /v1/ask`` over loopback for a bounded time."""

from __future__ import annotations

from typing import Any

import pytest

from bench.run import ThreadedServer, probe_embedder, run_load

CLIENTS = 8
SECONDS = 15.0


@pytest.mark.slow
def test_concurrent_asks_all_succeed_and_never_overlap_in_the_embedder(
    sample_store: Any, embedder: Any, tmp_path: Any
) -> None:
    from assistant.service import PledgeService
    from tests.hardening.conftest import offline_settings
    from ui.api import create_app

    settings = offline_settings(tmp_path / "unused")
    service = PledgeService(settings, store=sample_store, embedder=embedder, llm=None)
    with (
        probe_embedder(embedder) as probe,
        ThreadedServer(create_app(service, settings=settings)) as server,
    ):
        result = run_load(server.url, clients=CLIENTS, seconds=SECONDS, countries=["BEL"])
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] >= CLIENTS
    assert result["requests_per_s"] > 0
    assert 0 < result["latency"]["p50_ms"] <= result["latency"]["p95_ms"]
    # Every request stops by itself: the run ends soon after the deadline.
    assert result["seconds"] < SECONDS + 120
    assert probe is not None and probe.calls >= result["requests"]
    assert probe.max_active == 1, "two threads were inside the embedding engine at once"


def test_load_refuses_a_non_loopback_target() -> None:
    with pytest.raises(ValueError, match="loopback"):
        run_load("http://10.1.2.3:8000", clients=1, seconds=0.1)
