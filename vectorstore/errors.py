"""Errors of the store and the embedders."""

from __future__ import annotations

from ingest.errors import PledgeError


class StoreError(PledgeError):
    """The vector store or the lexical index failed or is inconsistent."""

    status_code = 503
    code = "store_error"


class EmbedderMismatchError(StoreError):
    """A collection was opened with another embedder than the one that filled it."""

    status_code = 500
    code = "embedder_mismatch"


class NotFoundError(PledgeError):
    """A document or paragraph that was asked for is not in the store."""

    status_code = 404
    code = "not_found"
