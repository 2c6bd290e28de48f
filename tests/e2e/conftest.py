"""Fixtures for end-to-end tests: a real service over the bundled sample, served by uvicorn on
loopback (the API alone, and the API with the chat UI mounted), called over real HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

# No telemetry from Gradio or its client; no model-hub lookups.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.service import PledgeService
from assistant.settings import LLMSettings, RequestSettings
from bench.run import ThreadedServer as LiveServer
from ui.settings import ServerSettings, Settings

ADMIN = "test-admin-token"
READER = "test-read-token"
DEATH_PENALTY = "What did Belgium commit to on the death penalty?"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


def server_settings(base: Settings, **server: object) -> Settings:
    """A copy of ``base`` with explicit server and request-limit settings (the environment does
    not leak in); each keyword goes to the section that defines it."""
    values: dict[str, object] = {"admin_token": None, "api_token": None, "max_upload_mb": 20.0}
    values.update(server)
    limits = {k: v for k, v in values.items() if k in RequestSettings.model_fields}
    own = {k: v for k, v in values.items() if k not in limits}
    return Settings.of(base).model_copy(
        update={
            "server": ServerSettings(**own),  # type: ignore[arg-type]
            "requests": RequestSettings(**limits),  # type: ignore[arg-type]
        }
    )


@pytest.fixture(scope="session")
def e2e_service(tmp_path_factory: pytest.TempPathFactory, embedder: object) -> PledgeService:
    """A real service over its own temp-dir store, filled the way a first start fills it:
    :func:`ui.server.ensure_sample` ingests the bundled sample pledge."""
    from ui.server import ensure_sample

    store_dir = tmp_path_factory.mktemp("e2e-store")
    settings = Settings().with_store(store_dir)
    settings = settings.model_copy(
        update={
            "store": settings.store.model_copy(update={"chroma_url": None}),
            "llm": LLMSettings(url=None),  # extractive answers: deterministic, offline
        }
    )
    service = PledgeService(settings, embedder=embedder, llm=None)  # type: ignore[arg-type]
    report = ensure_sample(service)
    assert report is not None and not report.failed, report
    assert ensure_sample(service) is None  # a second start does not ingest again
    return service


@pytest.fixture(scope="session")
def live_app(e2e_service: PledgeService) -> Iterator[LiveServer]:
    """The full server as ``pledges serve`` builds it: /v1 API plus the chat UI at /, writes
    allowed with the admin token, a 1 MB upload limit."""
    from ui.server import build_server_app

    settings = server_settings(e2e_service.settings, admin_token=ADMIN, max_upload_mb=1.0)
    service = PledgeService(settings, store=e2e_service.store, embedder=e2e_service.embedder)
    with LiveServer(build_server_app(service)) as server:
        yield server


@pytest.fixture(scope="session")
def http(live_app: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_app.url, timeout=120) as client:
        yield client


@pytest.fixture(scope="session")
def locked_api(e2e_service: PledgeService) -> Iterator[httpx.Client]:
    """The API with no admin token (writes disabled) and a read token set."""
    from ui.api import create_app

    settings = server_settings(e2e_service.settings, admin_token=None, api_token=READER)
    with (
        LiveServer(create_app(e2e_service, settings=settings)) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        yield client
