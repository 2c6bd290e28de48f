"""Fixtures for fault, load and hostile-input tests: a service over its own temp-dir store with the
sample pledge, served over loopback with writes allowed (the shared ``sample_store`` stays
read-only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.service import PledgeService
from assistant.settings import LLMSettings, RequestSettings
from bench.run import ThreadedServer
from ui.settings import ServerSettings, Settings

ADMIN = "hardening-admin-token"


def offline_settings(store_dir: Path, **server: Any) -> Settings:
    """Settings for an embedded store at ``store_dir``, extractive answers, explicit server
    settings (nothing leaks in from the environment)."""
    settings = Settings().with_store(store_dir)
    values: dict[str, Any] = {"admin_token": ADMIN, "api_token": None, "max_upload_mb": 20.0}
    values.update(server)
    limits = {k: v for k, v in values.items() if k in RequestSettings.model_fields}
    own = {k: v for k, v in values.items() if k not in limits}
    return settings.model_copy(
        update={
            "store": settings.store.model_copy(update={"chroma_url": None}),
            "llm": LLMSettings(url=None),
            "server": ServerSettings(**own),
            "requests": RequestSettings(**limits),
        }
    )


@dataclass
class Served:
    """A live API over a writable store holding the sample."""

    service: PledgeService
    http: httpx.Client
    sample_doc_id: str
    sample_paragraphs: int


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, embedder: Any, sample_parsed: Any
) -> Iterator[Served]:
    from ui.api import create_app
    from vectorstore.store import PledgeStore

    store_dir = tmp_path_factory.mktemp("hardening-store")
    settings = offline_settings(store_dir)
    store = PledgeStore.from_settings(settings.store, embedder=embedder)
    store.upsert(sample_parsed)
    service = PledgeService(settings, store=store, embedder=embedder, llm=None)
    with (
        ThreadedServer(create_app(service, settings=settings)) as server,
        httpx.Client(base_url=server.url, timeout=300) as http,
    ):
        yield Served(
            service=service,
            http=http,
            sample_doc_id=sample_parsed.document.doc_id,
            sample_paragraphs=len(sample_parsed.paragraphs),
        )
