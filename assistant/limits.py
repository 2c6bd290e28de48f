"""Request limits: one set, enforced once at the edge, shared by the HTTP API and the chat UI.

Every request to ``pledges serve`` passes :class:`RequestGuard` (an ASGI middleware wrapped
around the whole server, API and mounted chat alike) before any route sees it:

1. a declared ``Content-Length`` over the limit is refused (413) before a byte is read;
2. a route that needs a token (see :func:`ui.api.access_error`) is refused (401/403)
   from the headers alone, before its body is read or parsed;
3. the body is counted as it streams in (chunked bodies declare no length) and the request is
   refused the moment it passes the limit, so at most one limit plus one network chunk is ever
   held or written to disk.

The limits on what a question may be (:func:`check_question`, :func:`check_history`) are applied
by every front end that takes one (``/v1`` and the chat) through the same functions, with the same
settings; and the query embedder never embeds more than
:data:`vectorstore.embedders.MAX_EMBED_CHARS` characters, so one question costs at most one
embedding of a bounded text.
"""

from __future__ import annotations

import json
import logging
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.errors import PledgeError, unshown

log = logging.getLogger(__name__)

MIB = 1024 * 1024
KIB = 1024


class LimitError(PledgeError):
    """A request is over one of the limits (HTTP 413 for sizes, 422 for the question itself)."""

    status_code = 422
    code = "limit_exceeded"

    def __init__(self, message: str, status_code: int = 422) -> None:
        self.status_code = status_code
        super().__init__(message)


@dataclass(frozen=True)
class Limits:
    """What one request may hold. Built from :class:`assistant.settings.RequestSettings`.

    Attributes:
        question_chars: Longest question, query or claim (``PLEDGES_MAX_QUESTION_CHARS``).
        history_turns: Most earlier questions sent with one (``PLEDGES_MAX_HISTORY_TURNS``).
        history_chars: Most characters in all of them together.
        request_bytes: Largest request body other than an upload (``PLEDGES_MAX_REQUEST_KB``).
        upload_bytes: Largest upload (``PLEDGES_MAX_UPLOAD_MB``).
        upload_files: Most uploads the chat accepts in an hour (``PLEDGES_MAX_PENDING_UPLOADS``);
            it deletes uploaded files after an hour, so this bounds the disk they take.
    """

    question_chars: int = field(default=2000, metadata={"setting": "PLEDGES_MAX_QUESTION_CHARS"})
    history_turns: int = field(default=20, metadata={"setting": "PLEDGES_MAX_HISTORY_TURNS"})
    history_chars: int = field(
        default=40_000,
        metadata={"setting": "PLEDGES_MAX_QUESTION_CHARS × PLEDGES_MAX_HISTORY_TURNS"},
    )
    request_bytes: int = field(default=512 * KIB, metadata={"setting": "PLEDGES_MAX_REQUEST_KB"})
    upload_bytes: int = field(default=20 * MIB, metadata={"setting": "PLEDGES_MAX_UPLOAD_MB"})
    upload_files: int = field(default=50, metadata={"setting": "PLEDGES_MAX_PENDING_UPLOADS"})

    @staticmethod
    def setting(name: str) -> str:
        """The environment variable that sets the limit ``name`` (e.g. ``question_chars``)."""
        for f in fields(Limits):
            if f.name == name:
                return str(f.metadata["setting"])
        raise KeyError(f"no request limit {name!r}")


#: JSON-schema key that marks a request field bounded by a limit (its value: a field of
#: :class:`Limits`). :func:`apply_limits` turns it into the constraint the limit sets, so the
#: published schema reads the same settings object as the checks below.
LIMIT_KEY = "x-request-limit"


def limited(name: str) -> dict[str, Any]:
    """``json_schema_extra`` for a field bounded by the limit ``name`` (a field of Limits)."""
    Limits.setting(name)  # a misspelt name fails where the model is defined
    return {LIMIT_KEY: name}


def apply_limits(schema: Any, limits: Limits) -> None:
    """Replace every :data:`LIMIT_KEY` mark in ``schema`` by the limit's constraint, in place.

    A string gets ``maxLength`` (characters, or bytes for a binary upload), an array
    ``maxItems``; a described field also names the value and its setting.
    """
    if isinstance(schema, list):
        for item in schema:
            apply_limits(item, limits)
        return
    if not isinstance(schema, dict):
        return
    name = schema.pop(LIMIT_KEY, None)
    if isinstance(name, str):
        value = getattr(limits, name)
        array = schema.get("type") == "array"
        schema["maxItems" if array else "maxLength"] = value
        if "description" in schema:
            binary = schema.get("format") == "binary" or "contentMediaType" in schema
            unit = "items" if array else "bytes" if binary else "characters"
            schema["description"] += f" (at most {value:,} {unit}, {Limits.setting(name)})"
    for value in schema.values():
        apply_limits(value, limits)


def mib(size: int) -> str:
    """A byte count as MiB, the unit the size settings use (``PLEDGES_MAX_UPLOAD_MB``)."""
    return f"{size / MIB:.1f} MiB"


def _has_words(text: str) -> bool:
    """Whether a text holds a letter or a digit.

    True when ``text`` holds a letter or a digit in any script (not only punctuation,
    symbols, emoji or invisible format characters).
    """
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


#: Line breaks and tabs, the only control characters a question may hold.
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _control_character(text: str) -> tuple[int, str] | None:
    """The first character of ``text`` that is not shown as itself, with its position.

    C0 and C1 controls (NUL, escape, DEL, NEL…) other than tab and line breaks, surrogate code
    points (a byte that was not UTF-8, from a terminal in another encoding) and the explicit
    directional overrides, embeddings and isolates (the set the ingest readers remove from
    documents): see :func:`ingest.errors.unshown`. A question with them is not what it shows,
    and they would reach the logs, the prompt, the embedder and the citation bundle. The
    implicit marks (LRM, RLM, ALM) that Arabic and Hebrew text uses are allowed.
    """
    for i, ch in enumerate(text):
        if ch not in _ALLOWED_CONTROLS and unshown(ch):
            return i, ch
    return None


def _describe(ch: str) -> str:
    """``U+001B (ESCAPE)``; a surrogate says what it stands for."""
    if 0xD800 <= ord(ch) <= 0xDFFF:
        return f"U+{ord(ch):04X} (a byte that is not UTF-8, or half a surrogate pair)"
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'a control character')})"


def check_question(text: str, limits: Limits, what: str = "question") -> str:
    """The question, stripped, or an error a person can act on.

    Raises:
        LimitError: empty, longer than ``question_chars``, holding a control character other
            than a tab or a line break or a directional override, or without a letter or digit.
    """
    text = text or ""
    found = _control_character(text)  # before stripping: str.strip() removes some controls
    if found is not None:
        pos, ch = found
        raise LimitError(
            f"the {what} contains {_describe(ch)} at character {pos + 1}: control"
            " characters other than tabs and line breaks, directional overrides and text that"
            " is not UTF-8 are not accepted; remove it"
        )
    # The length as sent (spaces included), the measure the API schema's maxLength states.
    if len(text) > limits.question_chars:
        raise LimitError(
            f"the {what} has {len(text):,} characters, over the limit of"
            f" {limits.question_chars:,} (PLEDGES_MAX_QUESTION_CHARS)"
        )
    text = text.strip()
    if not text:
        raise LimitError(f"the {what} is empty")
    if not _has_words(text):
        raise LimitError(f"the {what} has no words to search for (only symbols or punctuation)")
    return text


def check_history(history: Sequence[str], limits: Limits) -> list[str]:
    """Earlier questions of a conversation, checked against the history limits.

    Raises:
        LimitError: more than ``history_turns`` questions, or more than ``history_chars``
            characters in all, or one of them longer than ``question_chars``.
    """
    sent = [str(x) for x in history or ()]
    # Counted as sent (blank ones too), the measure the API schema's maxItems states.
    if len(sent) > limits.history_turns:
        raise LimitError(
            f"the conversation has {len(sent)} earlier questions, over the limit of"
            f" {limits.history_turns} (PLEDGES_MAX_HISTORY_TURNS); start a new conversation"
        )
    items = [h for h in sent if h.strip()]
    for h in items:
        found = _control_character(h)
        if found is not None:
            raise LimitError(
                f"an earlier question contains {_describe(found[1])} at character"
                f" {found[0] + 1}: control characters other than tabs and line breaks,"
                " directional overrides and text that is not UTF-8 are not accepted; remove it"
            )
    longest = max((len(h) for h in items), default=0)
    if longest > limits.question_chars:
        raise LimitError(
            f"an earlier question has {longest:,} characters, over the limit of"
            f" {limits.question_chars:,} (PLEDGES_MAX_QUESTION_CHARS)"
        )
    total = sum(len(h) for h in items)
    if total > limits.history_chars:
        raise LimitError(
            f"the conversation's earlier questions hold {total:,} characters, over the limit of"
            f" {limits.history_chars:,}; start a new conversation"
        )
    return items


# -- the ASGI guard ------------------------------------------------------------------------------

#: ``authorize(method, path, authorization header) -> (status, code, message)`` or None to pass.
Authorize = Callable[[str, str, str | None], tuple[int, str, str] | None]


class _TooLarge(Exception):
    pass


def _json_error(status: int, code: str, message: str) -> tuple[dict[str, object], bytes]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    start: dict[str, object] = {"type": "http.response.start", "status": status, "headers": headers}
    return start, body


class RequestGuard:
    """ASGI middleware enforcing the request limits before any route.

    ASGI middleware: sizes and tokens checked from the headers, then the body counted as it
    streams, before any route buffers, parses or writes it.

    Args:
        app: The wrapped application (the API with the chat mounted).
        limits: The limits to enforce.
        upload_paths: POST paths whose bodies are file uploads (limit ``upload_bytes``; every
            other body is limited to ``request_bytes``).
        authorize: Decides from the method, path and Authorization header whether a request
            may proceed at all (before its body is read).
        quota_paths: Upload paths open to anyone (the chat's): at most ``upload_files``
            requests an hour are accepted, the files they leave being deleted after an hour.
    """

    #: The window of the upload quota, in seconds.
    QUOTA_WINDOW_S = 3600.0

    #: Multipart framing around one file (boundaries, part headers).
    MULTIPART_SLACK = 64 * KIB

    def __init__(
        self,
        app: ASGIApp,
        limits: Limits,
        upload_paths: Sequence[str] = (),
        authorize: Authorize | None = None,
        quota_paths: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.limits = limits
        self.upload_paths = tuple(upload_paths)
        self.authorize = authorize
        self.quota_paths = tuple(quota_paths)
        self._accepted: deque[float] = deque()

    def _limit(self, method: str, path: str) -> tuple[int, str]:
        if method == "POST" and path in self.upload_paths:
            return self.limits.upload_bytes + self.MULTIPART_SLACK, "PLEDGES_MAX_UPLOAD_MB"
        return self.limits.request_bytes, "PLEDGES_MAX_REQUEST_KB"

    def _take_upload_slot(self) -> bool:
        """Count one upload against the hourly quota; False when it is used up."""
        now = time.monotonic()
        while self._accepted and now - self._accepted[0] > self.QUOTA_WINDOW_S:
            self._accepted.popleft()
        if len(self._accepted) >= self.limits.upload_files:
            return False
        self._accepted.append(now)
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request's size and access, then pass it on with its body counted."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        headers = dict(scope.get("headers") or [])
        limit, setting = self._limit(method, path)

        async def refuse(status: int, code: str, message: str) -> None:
            start, body = _json_error(status, code, message)
            await send(start)
            await send({"type": "http.response.body", "body": body})

        length = headers.get(b"content-length", b"").decode("latin-1").strip()
        if length.isdigit() and int(length) > limit:
            await refuse(413, "payload_too_large", _over(limit, setting, path, int(length)))
            return
        if self.authorize is not None:
            auth = headers.get(b"authorization")
            denied = self.authorize(method, path, auth.decode("latin-1") if auth else None)
            if denied is not None:
                await refuse(*denied)
                return
        if method == "POST" and path in self.quota_paths and not self._take_upload_slot():
            await refuse(
                429,
                "too_many_uploads",
                f"{self.limits.upload_files} uploads were received in the last hour, the limit"
                " (PLEDGES_MAX_PENDING_UPLOADS); retry later",
            )
            return

        received = 0
        over = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, over
            if over:
                raise _TooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if over:
                # The route turned the interrupted read into an error of its own (a parser's
                # 400): the client gets the 413 that says why, once.
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await refuse(413, "payload_too_large", _over(limit, setting, path))
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except Exception:
            if not over:
                raise
        if over:
            log.warning("%s %s refused: body over %d bytes", method, path, limit)
            if not started:
                await refuse(413, "payload_too_large", _over(limit, setting, path))


def _over(limit: int, setting: str, path: str, declared: int | None = None) -> str:
    size = f" of {mib(declared)}" if declared is not None else ""
    return f"the request body{size} to {path} is over the limit of {mib(limit)} ({setting})"
