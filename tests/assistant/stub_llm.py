"""A tiny OpenAI-compatible chat server for tests: ``POST /v1/chat/completions`` on loopback.

Replies are scripted per test (``server.replies``, consumed in order, the last one repeated);
streaming requests get Server-Sent Events chunks like the real API, ending with ``[DONE]``. A reply
given as bytes is sent as the raw HTTP body (to test malformed answers). Every request body is
kept in ``server.requests`` so tests can check what the chain sent.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StubLLM:
    """Start with ``with StubLLM() as stub:``; ``stub.url`` is the ``/v1`` base URL."""

    def __init__(self) -> None:
        self.replies: list[str | bytes] = ["ok"]
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, b'{"error": {"message": "not found"}}')
                    return
                with stub.lock:
                    stub.requests.append(body)
                    reply = stub.replies[0] if len(stub.replies) == 1 else stub.replies.pop(0)
                if isinstance(reply, bytes):
                    self._send(200, reply)
                elif body.get("stream"):
                    self._stream(reply, body.get("model", "stub"))
                else:
                    self._send(200, json.dumps(_completion(reply, body.get("model"))).encode())

            def _send(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                pieces = [text[i : i + 12] for i in range(0, len(text), 12)]
                for i, piece in enumerate(pieces):
                    chunk = _chunk(
                        model,
                        {"role": "assistant", "content": piece} if i == 0 else {"content": piece},
                        None,
                    )
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                end = _chunk(model, {}, "stop")
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StubLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _completion(text: str, model: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model or "stub",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
