"""The answer chain's settings section, and the settings a service is built from.

| variable | meaning | default |
| --- | --- | --- |
| ``PLEDGES_LLM_URL`` | OpenAI-compatible base URL (Ollama, vLLM, llama.cpp) | unset: extractive |
| ``PLEDGES_LLM_MODEL`` / ``PLEDGES_LLM_API_KEY`` | model name and key for that endpoint | unset |

Collaborators are created by the ``get_*`` factories (the chat model by
:func:`assistant.llm.make_chat_model`), never as module-level singletons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings

from vectorstore.embedders import Embedder, make_embedder
from vectorstore.settings import EmbedderSettings, StoreSettings, env_config
from vectorstore.store import PledgeStore


class LLMSettings(BaseSettings):
    """Optional OpenAI-compatible chat model; without it answers are extractive."""

    model_config = env_config("PLEDGES_LLM_")

    url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout_s: float = Field(default=60.0, gt=0)
    temperature: float = Field(default=0.0, ge=0, le=2)

    @property
    def enabled(self) -> bool:
        """Whether a chat model is configured (``PLEDGES_LLM_URL`` is set)."""
        return bool(self.url)


class ServiceSettings(BaseModel):
    """The sections a :class:`assistant.service.PledgeService` needs: store, embedder, LLM.

    :class:`ui.settings.Settings` adds the front ends' section to these.
    """

    store: StoreSettings = Field(default_factory=StoreSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    def with_store(self, path: Path | str | None) -> Any:
        """A copy (of the same class) whose embedded store lives at ``path`` (``--store``)."""
        if path is None:
            return self
        store = self.store.model_copy(update={"store": Path(path)})
        return self.model_copy(update={"store": store})

    def get_embedder(self) -> Embedder:
        """The configured embedder."""
        return make_embedder(self.embedder)

    def get_store(self, embedder: Embedder | None = None, **kwargs: Any) -> PledgeStore:
        """The configured store: embedded under ``store`` or a client of ``chroma_url``."""
        return PledgeStore.from_settings(
            self.store, embedder=embedder or self.get_embedder(), **kwargs
        )
