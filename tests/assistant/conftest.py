"""Fixtures for the answer chain: a service over the shared sample store, without an LLM."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.service import PledgeService
from assistant.settings import LLMSettings
from ui.settings import Settings


def no_llm_settings() -> Settings:
    """Settings with the LLM explicitly off (the environment must not switch it on in tests)."""
    return Settings(llm=LLMSettings(url=None, model=None, api_key=None))


@pytest.fixture(scope="session")
def service(sample_store: Any) -> PledgeService:
    """Extractive service over the sample pledge (Belgium 2023-2025, Chinese)."""
    return PledgeService(settings=no_llm_settings(), store=sample_store)


@pytest.fixture(scope="session")
def sample_text(sample_store: Any) -> dict[str, str]:
    """Paragraph number → text of the stored sample."""
    (doc,) = sample_store.documents()
    return {p.number: p.text for p in sample_store.paragraphs(doc.doc_id)}
