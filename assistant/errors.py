"""Errors of the answer chain."""

from __future__ import annotations

from ingest.errors import PledgeError


class LLMError(PledgeError):
    """The configured language model could not be reached or answered unusably."""

    status_code = 502
    code = "llm_error"
