"""Errors a person can act on: the base of the project's error tree, and ingest's own.

Every message says what was expected and what was found, and names the file or setting involved.
The CLI, the HTTP API and the UI turn these into a one-line message or an HTTP status, never a
traceback. Each layer defines the errors it raises next to its code (``vectorstore.errors``,
``assistant.errors``), all below :class:`PledgeError`.
"""

from __future__ import annotations


class PledgeError(Exception):
    """Base of every error this project raises on purpose."""

    #: HTTP status the API maps this error to.
    status_code: int = 500
    #: Stable machine-readable code for API clients.
    code: str = "internal_error"


class ConfigError(PledgeError):
    """A setting is missing or invalid (environment variable, .env, command-line option)."""

    status_code = 500
    code = "config_error"


class IngestError(PledgeError):
    """A file could not be read or parsed. The message starts with the file name."""

    status_code = 422
    code = "ingest_error"

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UnsupportedFormatError(IngestError):
    """The file's type is not one the readers handle."""

    status_code = 415
    code = "unsupported_format"
