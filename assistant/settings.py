"""The answer chain's settings section, and the settings a service is built from.

| variable | meaning | default |
| --- | --- | --- |
| ``PLEDGES_LLM_URL`` | OpenAI-compatible base URL (Ollama, vLLM, llama.cpp) | unset: extractive |
| ``PLEDGES_LLM_MODEL`` / ``PLEDGES_LLM_API_KEY`` | model name and key for that endpoint | unset |
| ``PLEDGES_MAX_UPLOAD_MB`` | largest upload, MiB | 20 |
| ``PLEDGES_MAX_REQUEST_KB`` | largest other request body, KiB | 512 |
| ``PLEDGES_MAX_QUESTION_CHARS`` | longest question, query or claim | 2000 |
| ``PLEDGES_MAX_HISTORY_TURNS`` | most earlier questions sent with one | 20 |
| ``PLEDGES_MAX_PENDING_UPLOADS`` | chat uploads accepted in an hour | 50 |
| ``PLEDGES_UN_DOCUMENTS_URL`` | UN document system (``pledges fetch``) | the UN's |
| ``PLEDGES_UN_LIBRARY_URL`` | UN Digital Library (``pledges fetch --session``) | the UN's |
| ``PLEDGES_UN_*`` | rate, retries, timeouts, size cap: :class:`ingest.un.UNSettings` | |

Collaborators are created by the ``get_*`` factories (the chat model by
:func:`assistant.llm.make_chat_model`), never as module-level singletons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings

from assistant.limits import Limits
from ingest.un import UNClient, UNSettings
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


class RequestSettings(BaseSettings):
    """How much one request may hold.

    How much one request may hold: the service checks questions against these, and the
    front ends' guard checks request sizes (see :mod:`assistant.limits`).
    """

    model_config = env_config("PLEDGES_")

    max_upload_mb: float = Field(default=20.0, gt=0, description="Largest upload, in MiB")
    max_request_kb: int = Field(
        default=512, gt=0, description="Largest request body other than an upload, in KiB"
    )
    max_question_chars: int = Field(default=2000, gt=0, description="Longest question or query")
    max_history_turns: int = Field(
        default=20, ge=0, description="Most earlier questions sent with a question"
    )
    max_pending_uploads: int = Field(
        default=50, gt=0, description="Most chat uploads accepted in an hour"
    )

    @property
    def limits(self) -> Limits:
        """The request limits these settings describe (see :mod:`assistant.limits`)."""
        return Limits(
            question_chars=self.max_question_chars,
            history_turns=self.max_history_turns,
            history_chars=self.max_question_chars * max(self.max_history_turns, 1),
            request_bytes=self.max_request_kb * 1024,
            upload_bytes=int(self.max_upload_mb * 1024 * 1024),
            upload_files=self.max_pending_uploads,
        )


class ServiceSettings(BaseModel):
    """The sections a :class:`assistant.service.PledgeService` needs: store, embedder, LLM, limits.

    :class:`ui.settings.Settings` adds the front ends' section to these.
    """

    store: StoreSettings = Field(default_factory=StoreSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    requests: RequestSettings = Field(default_factory=RequestSettings)
    un: UNSettings = Field(default_factory=UNSettings)

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

    def get_un_client(self) -> UNClient:
        """A client of the UN document system and Digital Library (``PLEDGES_UN_*``)."""
        return UNClient(self.un)
