"""The one settings object: every layer's section, plus the front ends' own.

| variable | meaning | default |
| --- | --- | --- |
| ``PLEDGES_ADMIN_TOKEN`` | bearer token for writes over HTTP; no writes without it | unset |
| ``PLEDGES_API_TOKEN`` | bearer token for reads over HTTP; reads are open without it | unset |
| ``PLEDGES_CORS_ORIGINS`` | JSON list of origins whose pages may call the API | none |

The other sections are defined in their layers (:mod:`vectorstore.settings`,
:mod:`assistant.settings`, where the request limits live: the service checks questions against
them too) and read the same way, from the environment and an optional ``.env``.
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
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins (https://host:port) whose pages may call the API; none by default",
    )


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
        return cls(**{name: getattr(settings, name) for name in type(settings).model_fields})
