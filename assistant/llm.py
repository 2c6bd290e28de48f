"""The optional chat model: any OpenAI-compatible endpoint through LangChain's ``ChatOpenAI``.

Ollama, vLLM, a llama.cpp server and hosted services all speak ``/v1/chat/completions``; the
base URL, model name and key come from ``PLEDGES_LLM_URL``, ``PLEDGES_LLM_MODEL`` and
``PLEDGES_LLM_API_KEY``. Calls go through :func:`invoke_text` / :func:`stream_text`, which turn
every transport or protocol failure into one :class:`~assistant.errors.LLMError` that says which
endpoint failed and how.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from langchain_core.language_models import BaseChatModel

from assistant.errors import LLMError
from assistant.settings import LLMSettings
from ingest.errors import ConfigError


def normalize_base_url(url: str) -> str:
    """The endpoint's base URL with ``/v1`` added when only a host was given.

    Args:
        url: ``http://host:port`` or ``http://host:port/v1`` (or any path the server uses).

    Raises:
        ConfigError: when the URL is not http(s).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"PLEDGES_LLM_URL: expected an http(s) URL such as http://127.0.0.1:11434/v1,"
            f" found {url!r}"
        )
    path = parts.path.rstrip("/")
    if not path:
        path = "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def make_chat_model(settings: LLMSettings) -> BaseChatModel:
    """A LangChain chat model for the configured OpenAI-compatible endpoint.

    Args:
        settings: The LLM section of the settings; ``url`` must be set.

    Raises:
        ConfigError: when no URL is configured or it is malformed.
    """
    if not settings.url:
        raise ConfigError("PLEDGES_LLM_URL is not set: expected the base URL of a chat endpoint")
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=normalize_base_url(settings.url),
        model=settings.model or "default",
        # Local servers ignore the key, but the client insists on one.
        api_key=settings.api_key or "not-needed",  # type: ignore[arg-type]
        timeout=settings.timeout_s,
        temperature=settings.temperature,
        max_retries=0,
    )


def describe(llm: Any) -> str:
    """Where a chat model points, for error messages (``model at URL``)."""
    base = getattr(llm, "openai_api_base", None) or getattr(llm, "base_url", None)
    model = getattr(llm, "model_name", None) or getattr(llm, "model", None)
    if base:
        return f"{model or 'model'} at {base}"
    return type(llm).__name__


def _as_llm_error(llm: Any, exc: BaseException) -> LLMError:
    return LLMError(
        f"language model {describe(llm)} failed: {type(exc).__name__}: {exc}."
        " Check PLEDGES_LLM_URL / PLEDGES_LLM_MODEL,"
        " or unset PLEDGES_LLM_URL for extractive answers"
    )


def _text_of(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(
            b if isinstance(b, str) else str(b.get("text", "")) if isinstance(b, dict) else ""
            for b in content
        )
    raise LLMError(f"language model returned {type(content).__name__}, expected text")


def invoke_text(llm: Any, messages: Any) -> str:
    """Run the chat model once and return its text.

    Raises:
        LLMError: the endpoint is unreachable, answered with an error or with no usable text.
    """
    try:
        message = llm.invoke(messages)
    except LLMError:
        raise
    except Exception as e:  # transport, HTTP and protocol errors all surface here
        raise _as_llm_error(llm, e) from e
    return _text_of(message)


def stream_text(llm: Any, messages: Any) -> Iterator[str]:
    """Stream the chat model's text chunk by chunk.

    Raises:
        LLMError: as for :func:`invoke_text`, possibly after some chunks were yielded.
    """
    try:
        for chunk in llm.stream(messages):
            text = _text_of(chunk)
            if text:
                yield text
    except LLMError:
        raise
    except Exception as e:
        raise _as_llm_error(llm, e) from e
