"""The one settings object: every layer's section, plus the front ends' own.

| variable | meaning | default |
| --- | --- | --- |
| ``PLEDGES_ADMIN_TOKEN`` | bearer token for writes over HTTP; no writes without it | unset |
| ``PLEDGES_API_TOKEN`` | bearer token for reads over HTTP; reads are open without it | unset |
| ``PLEDGES_MAX_UPLOAD_MB`` | largest upload over HTTP or the chat | 20 |

The other sections are defined in their layers (:mod:`vectorstore.settings`,
:mod:`assistant.settings`) and read the same way, from the environment and an optional ``.env``.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings

from assistant.settings import ServiceSettings
from vectorstore.settings import env_config


class ServerSettings(BaseSettings):
    """HTTP API and chat UI."""

    model_config = env_config("PLEDGES_")

    admin_token: str | None = Field(default=None, description="Bearer token for writes")
    api_token: str | None = Field(default=None, description="Bearer token for reads")
    max_upload_mb: float = Field(default=20.0, gt=0)


class Settings(ServiceSettings):
    """Every setting of the application, one section per layer (and the front ends')."""

    server: ServerSettings = Field(default_factory=ServerSettings)

    @classmethod
    def of(cls, settings: ServiceSettings) -> Settings:
        """``settings`` with the front ends' section (read from the environment if it lacks one).

        Args:
            settings: A service's settings, which a test may have built without the server
                section.
        """
        if isinstance(settings, cls):
            return settings
        return cls(store=settings.store, embedder=settings.embedder, llm=settings.llm)
