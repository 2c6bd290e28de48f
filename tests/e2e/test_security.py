"""Attacks on ``pledges serve`` over real HTTP (issue 10), each of which worked before the fix.

The server is built the way ``pledges serve`` builds it (API + chat UI) over its own temp-dir
store holding the sample and a hostile pledge, wrapped in a probe that counts the request-body
bytes the application actually consumed (what it could have buffered or written to disk).
"""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.service import PledgeService
from bench.run import ThreadedServer as LiveServer
from tests.e2e.conftest import ADMIN, DEATH_PENALTY, READER, server_settings

#: A pledge whose second paragraph carries markup and a request to another host.
HTML_PARAGRAPH = "<b>x</b><img src=http://127.0.0.2/p.png>"
HOSTILE = f"""\
Letter dated 2 May 2024 from the Permanent Mission of Norway to the United Nations addressed to the
President of the General Assembly

Voluntary pledges and commitments of Norway, candidate for membership of the Human Rights
Council for the term 2025-2027, pursuant to General Assembly resolution 60/251

1. Norway presents its candidature for membership of the Human Rights Council for 2025-2027.

2. Norway will defend the freedom of the press and protect journalists {HTML_PARAGRAPH} in all \
circumstances.

3. Norway will continue to advocate for the rights of indigenous peoples, including the Sami
people.
"""
PRESS_QUESTION = "What did Norway pledge on the freedom of the press and journalists?"


class BodyProbe:
    """ASGI wrapper: counts the body bytes the wrapped application read from the server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.consumed: dict[str, int] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = f"{scope['method']} {scope['path']}"
        self.consumed[key] = 0

        async def counted() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                self.consumed[key] += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture(scope="module")
def hostile_service(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> PledgeService:
    from assistant.settings import LLMSettings
    from ui.server import ensure_sample
    from ui.settings import Settings

    store_dir = tmp_path_factory.mktemp("security-store")
    settings = Settings().with_store(store_dir)
    settings = settings.model_copy(
        update={
            "store": settings.store.model_copy(update={"chroma_url": None}),
            "llm": LLMSettings(url=None),
        }
    )
    service = PledgeService(settings, embedder=embedder, llm=None)
    ensure_sample(service)
    report = service.ingest_bytes(HOSTILE.encode(), "norway-2025-2027.txt")
    assert not report.failed, report
    return service


def _serve(service: PledgeService, **server: Any) -> tuple[LiveServer, BodyProbe]:
    from ui.server import build_server_app

    settings = server_settings(service.settings, **server)
    svc = PledgeService(settings, store=service.store, embedder=service.embedder, llm=None)
    probe = BodyProbe(build_server_app(svc))
    return LiveServer(probe), probe


@pytest.fixture(scope="module")
def open_server(hostile_service: PledgeService) -> Iterator[tuple[str, BodyProbe]]:
    """As the README suggests for a shared deployment: only the admin token set."""
    server, probe = _serve(hostile_service, admin_token=ADMIN, max_upload_mb=1.0)
    with server:
        yield server.url, probe


@pytest.fixture(scope="module")
def locked_server(hostile_service: PledgeService) -> Iterator[tuple[str, BodyProbe]]:
    """Reads need PLEDGES_API_TOKEN too (the chat asks for it as its password)."""
    server, probe = _serve(hostile_service, admin_token=ADMIN, api_token=READER)
    with server:
        yield server.url, probe


def _gradio_call(client: httpx.Client, data: list[Any] | bytes) -> tuple[str, str]:
    """POST /gradio_api/call/chat, then read the event stream: (last event name, its data).

    ``data`` is the call's inputs, or the whole JSON body as bytes (for what ``json`` cannot
    write, such as a lone surrogate escape).
    """
    if isinstance(data, bytes):
        started = client.post(
            "/gradio_api/call/chat", content=data, headers={"Content-Type": "application/json"}
        )
    else:
        started = client.post("/gradio_api/call/chat", json={"data": data})
    assert started.status_code == 200, started.text
    event_id = started.json()["event_id"]
    event, payload = "", ""
    with client.stream("GET", f"/gradio_api/call/chat/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                payload = line.split(":", 1)[1].strip()
                if event in ("complete", "error"):
                    break
    # The chat writes text as markdown-safe character references: compare what a person sees.
    return event, html.unescape(payload)


def _file_message(path: str) -> list[dict[str, Any]]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "file", "file": {"path": path, "meta": {"_type": "gradio.FileData"}}}
            ],
        }
    ]


# -- 1. no server file is read through the chat --------------------------------------------------


@pytest.mark.parametrize("locked", [False, True], ids=["admin-token-only", "api-token-set"])
def test_chat_history_naming_a_server_file_is_refused(
    request: pytest.FixtureRequest, locked: bool, tmp_path: Path
) -> None:
    url, _ = request.getfixturevalue("locked_server" if locked else "open_server")
    secret = tmp_path / "secret.txt"  # under the temp folder, which Gradio allows by default
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    with httpx.Client(base_url=url, timeout=120) as client:
        if locked:
            login = client.post("/login", data={"username": "reader", "password": READER})
            assert login.status_code == 200, login.text
        for path in ("/proc/self/environ", str(secret)):
            event, payload = _gradio_call(client, ["hello", _file_message(path), "", "", ""])
            assert event == "error", (event, payload)
            assert "/gradio_api/file=" not in payload
            assert "TOP-SECRET" not in payload and ADMIN not in payload
            # Nothing was copied where the file route would serve it.
            leaked = client.get(f"/gradio_api/file={path}")
            assert leaked.status_code in (403, 404), leaked.status_code
            assert ADMIN not in leaked.text and "TOP-SECRET" not in leaked.text
        # Nor does the file route serve the working directory or the store.
        store = Path(request.getfixturevalue("hostile_service").settings.store.store).resolve()
        for path in (Path.cwd() / "pyproject.toml", store / "chroma.sqlite3"):
            assert path.is_file()
            assert client.get(f"/gradio_api/file={path}").status_code in (403, 404), path


# -- 2. document text is never markup in the chat (Chromium) -------------------------------------


@pytest.mark.browser
@pytest.mark.slow
def test_html_in_a_paragraph_is_shown_as_text_and_fetches_nothing(
    open_server: tuple[str, BodyProbe],
) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS

    url, _ = open_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            elsewhere: list[str] = []
            page.on(
                "request",
                lambda r: (
                    None if r.url.startswith((url, "data:", "blob:")) else elsewhere.append(r.url)
                ),
            )
            page.goto(url + "/")
            page.wait_for_selector("#question textarea", timeout=60_000)
            page.fill("#question textarea", PRESS_QUESTION)
            page.click("#ask")
            page.locator('#citations .cite-card[data-paragraph$=":¶2"]').first.wait_for(
                timeout=90_000
            )
            bubble = page.locator("#chat .message-row, #chat .message").last
            page.wait_for_function(
                "(s) => (document.querySelector('#chat')?.innerText || '').includes(s)",
                arg=HTML_PARAGRAPH,
                timeout=30_000,
            )
            chat = page.locator("#chat")
            assert HTML_PARAGRAPH in chat.inner_text()
            assert chat.locator("img[src*='127.0.0.2']").count() == 0
            assert chat.locator("b", has_text="x").count() == 0
            assert bubble.count() >= 1
            page.wait_for_timeout(500)
            assert elsewhere == [], f"the page requested {elsewhere}"
        finally:
            browser.close()


def test_render_answer_writes_document_text_as_literal_characters() -> None:
    """The chat markdown of an answer: quotes, labels and warnings are text, markers links."""
    from assistant.types import Answer, Citation
    from ui.app import render_answer

    quote = f"{HTML_PARAGRAPH} **bold** [link](http://127.0.0.2/) $x$ <style>body{{}}</style>"
    citation = Citation(
        marker="[1]", id="d:¶2", doc_id="d", number="2", country="NOR",
        country_name="<i>Norway</i>", quote=quote,
    )  # fmt: skip
    answer = Answer(
        question="q", answer=f"“{quote}” [1]", abstained=False, citations=[citation],
        warnings=["<script>alert(1)</script>"],
    )  # fmt: skip
    md = render_answer(answer, 0)
    # The renderer's own tags: small print, the answer's direction, the isolated quote.
    own = re.compile(r'</?(?:small|div|bdi)(?: dir="(?:ltr|rtl|auto)")?(?: lang="[a-z]{2}")?>')
    for raw in ("<", ">", "**", "](", "$", "http://"):
        assert raw not in own.sub("", md).split("](#cite")[0]
    assert html.unescape(md).count(quote) == 1
    assert "(#cite-0-1)" in md  # the marker is still a link to its card


# -- 3, 4. request limits before bodies are read and before authentication ----------------------


def _chunks(total: int, size: int = 256 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def _post_chunked(url: str, path: str, body: Iterator[bytes], headers: dict[str, str]) -> Any:
    """A chunked POST; the server may answer and close before the body is sent."""
    with httpx.Client(base_url=url, timeout=60) as client:
        try:
            return client.post(path, content=body, headers=headers)
        except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
            return None


FIFTY_MB = 50 * 1000 * 1000


def test_chunked_50mb_upload_without_token_is_refused_before_reading(
    open_server: tuple[str, BodyProbe],
) -> None:
    url, probe = open_server
    head = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
    )
    response = _post_chunked(
        url,
        "/v1/documents",
        iter([head, *_chunks(FIFTY_MB)]),
        {"Content-Type": "multipart/form-data; boundary=b"},
    )
    if response is not None:
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthorized"
    assert probe.consumed["POST /v1/documents"] < 1_000_000, probe.consumed


def test_chunked_50mb_json_is_refused_having_read_under_1mb(
    open_server: tuple[str, BodyProbe],
) -> None:
    url, probe = open_server
    for path in ("/v1/ask", "/gradio_api/call/chat", "/gradio_api/queue/join"):
        body = iter([b'{"question": "', *_chunks(FIFTY_MB), b'"}'])
        response = _post_chunked(url, path, body, {"Content-Type": "application/json"})
        if response is not None:
            assert response.status_code == 413, (path, response.text)
            err = response.json()["error"]
            assert err["code"] == "payload_too_large" and "PLEDGES_MAX_REQUEST_KB" in err["message"]
        assert probe.consumed[f"POST {path}"] < 1_000_000, probe.consumed


def test_chunked_upload_to_the_chat_is_cut_at_the_upload_limit(
    open_server: tuple[str, BodyProbe],
) -> None:
    url, probe = open_server
    head = (
        b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
    )
    response = _post_chunked(
        url,
        "/gradio_api/upload",
        iter([head, *_chunks(FIFTY_MB)]),
        {"Content-Type": "multipart/form-data; boundary=b"},
    )
    if response is not None:
        assert response.status_code == 413, response.text
    # The limit is 1 MiB here (plus multipart framing and one network chunk).
    assert probe.consumed["POST /gradio_api/upload"] < 1.5 * 1024 * 1024, probe.consumed


def test_declared_oversize_body_is_refused_without_reading(
    open_server: tuple[str, BodyProbe],
) -> None:
    import socket
    from urllib.parse import urlparse

    url, probe = open_server
    where = urlparse(url)
    with socket.create_connection((where.hostname, where.port), timeout=30) as sock:
        sock.sendall(
            b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {FIFTY_MB}\r\n\r\n".encode()
            + b'{"question": "'
        )
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"MiB" in reply and b"PLEDGES_MAX_REQUEST_KB" in reply
    assert probe.consumed["POST /v1/ask"] == 0


def test_chat_applies_the_api_question_and_history_limits(
    open_server: tuple[str, BodyProbe],
) -> None:
    url, _ = open_server
    long_question = "death penalty " * 300  # 4,200 characters
    many = [
        {"role": role, "content": [{"type": "text", "text": f"{role} {i}"}]}
        for i in range(25)
        for role in ("user", "assistant")
    ]
    with httpx.Client(base_url=url, timeout=120) as client:
        started = time.monotonic()
        event, payload = _gradio_call(client, [long_question, [], "", "", ""])
        assert time.monotonic() - started < 30
        assert event == "complete" and "PLEDGES_MAX_QUESTION_CHARS" in payload, payload
        event, payload = _gradio_call(client, [DEATH_PENALTY, many, "", "", ""])
        assert event == "complete" and "PLEDGES_MAX_HISTORY_TURNS" in payload, payload

        api = client.post("/v1/ask", json={"question": long_question})
        assert api.status_code == 422 and "PLEDGES_MAX_QUESTION_CHARS" in api.text
        api = client.post(
            "/v1/ask", json={"question": DEATH_PENALTY, "history": [f"q{i}" for i in range(25)]}
        )
        assert api.status_code == 422 and "PLEDGES_MAX_HISTORY_TURNS" in api.text


@pytest.mark.parametrize("question", ["...", "😀", "\u200b", "?!"])
def test_questions_without_words_are_refused(
    open_server: tuple[str, BodyProbe], question: str
) -> None:
    url, _ = open_server
    with httpx.Client(base_url=url, timeout=60) as client:
        response = client.post("/v1/ask", json={"question": question})
        assert response.status_code == 422, response.text
        assert "no words" in response.json()["error"]["message"]
        event, payload = _gradio_call(client, [question, [], "", "", ""])
        assert event == "complete" and "no words" in payload and "¶" not in payload


@pytest.mark.parametrize(
    ("question", "code_point"),
    [
        ("death\x00 penalty", "U+0000"),  # NUL
        ("\x1bdeath penalty", "U+001B"),  # escape, which str.strip() would not remove
        ("\x1cdeath penalty", "U+001C"),  # a C0 control that str.strip() would remove
        ("death penalty\x85", "U+0085"),  # a C1 control (NEL)
        ("What did Belgium commit to on \u202eytlanep htaed?", "U+202E"),  # bidi override
        ("death \u2066penalty\u2069", "U+2066"),  # bidi isolate
    ],
)
def test_questions_with_control_characters_are_refused(
    open_server: tuple[str, BodyProbe], question: str, code_point: str
) -> None:
    url, _ = open_server
    with httpx.Client(base_url=url, timeout=60) as client:
        for path, field in (
            ("/v1/ask", "question"),
            ("/v1/search", "query"),
            ("/v1/verify", "claim"),
        ):
            response = client.post(path, json={field: question})
            assert response.status_code == 422, (path, response.text)
            error = response.json()["error"]
            assert error["code"] == "limit_exceeded" and code_point in error["message"], error
            assert "\n" not in error["message"]
        history = client.post("/v1/ask", json={"question": DEATH_PENALTY, "history": [question]})
        assert history.status_code == 422 and code_point in history.text
        event, payload = _gradio_call(client, [question, [], "", "", ""])
        assert event == "complete" and code_point in payload and "¶" not in payload


def test_chat_refuses_a_question_with_a_lone_surrogate(
    open_server: tuple[str, BodyProbe],
) -> None:
    # JSON may carry "\ud800", which decodes to a string no encoder can write: the API's
    # models refuse it, the chat passed it on and showed "Something went wrong".
    url, _ = open_server
    body = b'{"data": ["What did Belgium commit to on the death penalty \\ud800?", [], "", "", ""]}'
    with httpx.Client(base_url=url, timeout=60) as client:
        event, payload = _gradio_call(client, body)
        assert event == "complete" and "U+D800" in payload, payload
        assert "went wrong" not in payload and "¶" not in payload
        api = client.post(
            "/v1/ask",
            content=b'{"question": "death penalty \\ud800"}',
            headers={"Content-Type": "application/json"},
        )
        assert api.status_code == 422 and api.json()["error"]["code"] == "validation_error"


def test_questions_with_tabs_line_breaks_and_arabic_marks_are_answered(
    open_server: tuple[str, BodyProbe],
) -> None:
    url, _ = open_server
    with httpx.Client(base_url=url, timeout=120) as client:
        for question in (
            "What did Norway pledge on\tthe freedom of the press\r\nand journalists?",
            "ما الذي تعهدت به النرويج\u200f بشأن حرية الصحافة؟",  # with a right-to-left mark
        ):
            response = client.post("/v1/search", json={"query": question, "k": 1})
            assert response.status_code == 200, response.text


# -- 6. CORS and error messages ------------------------------------------------------------------


def test_no_cross_origin_access_with_credentials(open_server: tuple[str, BodyProbe]) -> None:
    url, _ = open_server
    with httpx.Client(base_url=url, timeout=60) as client:
        for origin in ("http://localhost:9999", "http://127.0.0.1:1", "null", "https://evil.test"):
            pre = client.options(
                "/v1/documents/bel-2023-2025.zh",
                headers={"Origin": origin, "Access-Control-Request-Method": "DELETE"},
            )
            assert pre.headers.get("access-control-allow-origin") != origin, origin
            assert pre.headers.get("access-control-allow-credentials") != "true"
            # Refused in the API's error shape (it was the plain text "Disallowed CORS origin").
            assert pre.status_code == 400
            error = pre.json()["error"]
            assert error["code"] == "cors_refused" and "PLEDGES_CORS_ORIGINS" in error["message"]
            got = client.get("/v1/documents", headers={"Origin": origin})
            assert got.headers.get("access-control-allow-origin") != origin
            assert got.headers.get("access-control-allow-credentials") != "true"


def test_not_found_does_not_show_the_store_path(
    open_server: tuple[str, BodyProbe], hostile_service: PledgeService
) -> None:
    url, _ = open_server
    store_dir = str(Path(hostile_service.settings.store.store).resolve())
    with httpx.Client(base_url=url, timeout=60) as client:
        for path in ("/v1/documents/nope/paragraphs/1", "/v1/documents/nope.en/paragraphs/2"):
            response = client.get(path)
            assert response.status_code == 404
            assert store_dir not in response.text and os.sep + "tmp" not in response.text


def test_chat_uploads_are_limited_per_hour_and_cors_allows_only_listed_origins(
    hostile_service: PledgeService,
) -> None:
    allowed = "https://pledges.example.org"
    server, _ = _serve(
        hostile_service, admin_token=ADMIN, max_pending_uploads=2, cors_origins=[allowed]
    )
    with server, httpx.Client(base_url=server.url, timeout=60) as client:
        statuses = [
            client.post(
                "/gradio_api/upload", files={"files": (f"p{i}.txt", b"1. text", "text/plain")}
            ).status_code
            for i in range(3)
        ]
        assert statuses == [200, 200, 429], statuses
        got = client.get("/v1/documents", headers={"Origin": allowed})
        assert got.headers.get("access-control-allow-origin") == allowed
        assert got.headers.get("access-control-allow-credentials") is None
        other = client.get("/v1/documents", headers={"Origin": "https://evil.test"})
        assert other.headers.get("access-control-allow-origin") is None
