"""Errors a person can act on: the base of the project's error tree, and ingest's own.

Every message says what was expected and what was found, and names the file or setting involved.
The CLI, the HTTP API and the UI turn these into a one-line message or an HTTP status, never a
traceback. Each layer defines the errors it raises next to its code (``vectorstore.errors``,
``assistant.errors``), all below :class:`PledgeError`.
"""

from __future__ import annotations

import os
import unicodedata

#: Unicode's explicit directional formatting characters (bidi classes LRE, RLE, LRO, RLO, PDF,
#: LRI, RLI, FSI, PDI): they change the order in which the characters around them are *shown*
#: ("Trojan Source"). The implicit marks (LRM, RLM, ALM) that Arabic text uses are not among them.
BIDI_CONTROLS = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def unshown(ch: str) -> bool:
    """Whether ``ch`` is not shown as itself: a control, a surrogate or a directional override.

    C0 and C1 controls (ESC drives terminals), surrogate code points (an undecodable byte, or
    half of a UTF-16 pair: no UTF-8 output can hold one) and :data:`BIDI_CONTROLS`. Questions
    holding one are refused (:func:`assistant.limits.check_question`) and file names show them
    as escapes (:func:`shown_name`).
    """
    return unicodedata.category(ch) in ("Cc", "Cs") or unicodedata.bidirectional(ch) in (
        BIDI_CONTROLS
    )


def shown_name(name: object) -> str:
    r"""A file name as messages, reports and records show it: every character visible.

    A path comes from the file system as bytes; a byte that is not UTF-8 reaches Python as a
    lone surrogate (``os.fsdecode``), which no output, JSON file or Chroma record can hold, and
    a control character (ESC) or a directional override in a name would drive the terminal it
    is printed on or reorder the message around it. Those are written as escapes (``\xe9``,
    ``\x1b``, ``\u202e``); any other name is returned as it is.
    """
    text = os.fsdecode(name) if isinstance(name, (bytes, os.PathLike)) else str(name)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unshown(ch):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


#: Characters of a value a request or a command gave that an error message repeats.
ECHO_CHARS = 80


def echoed(value: str, quoted: bool = True) -> str:
    """A value given by the asker, for an error message: at most :data:`ECHO_CHARS` of it.

    A 404 for a document id or a path repeats what was asked so the asker sees the typo; a
    value of 60,000 characters (a URL as long as the server takes) is cut, with its length, so
    a message stays one readable line and an error never answers more than was sent. Quoted
    with ``repr`` unless ``quoted`` is off (a URL path, shown as it is).
    """
    head = value[:ECHO_CHARS]
    text = repr(head) if quoted else head
    if len(value) <= ECHO_CHARS:
        return text
    return f"{text}… ({len(value):,} characters)"


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
        self.path = shown_name(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UnsupportedFormatError(IngestError):
    """The file's type is not one the readers handle."""

    status_code = 415
    code = "unsupported_format"
