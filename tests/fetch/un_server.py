"""A loopback stand-in for the UN document system and Digital Library.

It behaves as the issue describes the real services: ``/api/symbol/access?s=&l=&t=pdf``
redirects (302) to the PDF of a published version and answers **200 with a small HTML page of
its web app** for a symbol or language it does not know; ``/search?p=&of=xm&rg=&jrec=`` pages
MARCXML records with Invenio's total-count comment. Individual (symbol, language) pairs can be
told to misbehave: 404, 429 with Retry-After, 503, a slow answer, a body trickling in, a body
cut short, a PDF without its end, a huge body. PDFs carry an ETag and answer ``If-None-Match``
with 304 unless their route's ``validators`` is off.

Every request is logged (path, query, User-Agent, monotonic time) so tests can check pacing,
retries and headers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

WEB_APP_PAGE = (
    b"<!DOCTYPE html><html><head><title>Official Document System</title></head>"
    b'<body><div id="root"></div><script src="/static/js/main.js"></script></body></html>'
)


@dataclass
class Route:
    """How one (symbol, language) is answered.

    kind: ``pdf`` (302 then the bytes), ``404``, ``429`` (``fail_times`` 429s with
    ``retry_after``, then as ``pdf``), ``503`` (``fail_times`` 503s then as ``pdf``), ``slow``
    (``delay`` seconds before the PDF headers), ``trickle`` (the body in 40 pieces, ``delay``
    seconds apart), ``cut`` (announces the full length, sends half
    and closes), ``webapp`` (200 text/html).
    """

    kind: str = "pdf"
    data: bytes = b""
    fail_times: int = 10**9
    retry_after: str | None = "1"
    delay: float = 0.0
    content_type: str = "application/pdf"
    hits: int = 0
    validators: bool = True  # send ETag / Last-Modified and answer conditional requests with 304


@dataclass
class Logged:
    path: str
    query: dict[str, list[str]]
    user_agent: str | None
    at: float
    status: int = 0
    if_none_match: str | None = None


@dataclass
class UNServer:
    """State of the stand-in: routes per (symbol, language), MARCXML pages, the request log."""

    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    records: list[str] = field(default_factory=list)  # MARCXML <record> elements
    log: list[Logged] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(
        self, symbol: str, language: str, data: bytes, kind: str = "pdf", **kw: object
    ) -> Route:
        route = Route(kind=kind, data=data, **kw)  # type: ignore[arg-type]
        self.routes[(symbol, language)] = route
        return route

    def requests(self, path: str = "/api/symbol/access") -> list[Logged]:
        with self.lock:
            return [r for r in self.log if r.path == path]


def marc_record(
    symbol: str,
    title: str,
    date: str = "20240314",
    body: str | None = None,
    files: tuple[str, ...] = (),
    recid: str = "1",
    agenda: str | None = None,
) -> str:
    """One MARCXML record with the fields the client reads."""
    from xml.sax.saxutils import escape

    def datafield(tag: str, code: str, value: str) -> str:
        return (
            f'<datafield tag="{tag}" ind1=" " ind2=" ">'
            f'<subfield code="{code}">{escape(value)}</subfield></datafield>'
        )

    fields = [f'<controlfield tag="001">{recid}</controlfield>']
    fields.append(datafield("191", "a", symbol))
    fields.append(datafield("245", "a", title))
    fields.append(datafield("269", "a", date))
    if body:
        fields.append(datafield("710", "a", body))
    if agenda:
        fields.append(datafield("991", "d", agenda))
    for name in files:
        fields.append(
            f'<datafield tag="856" ind1="4" ind2=" "><subfield code="u">'
            f"https://digitallibrary.un.org/record/{recid}/files/{escape(name)}</subfield>"
            f'<subfield code="s">1234</subfield></datafield>'
        )
    return "<record>" + "".join(fields) + "</record>"


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeUN/1.0"
    state: UNServer

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        with self.state.lock:
            self.state.log.append(
                Logged(
                    parts.path,
                    query,
                    self.headers.get("User-Agent"),
                    time.monotonic(),
                    if_none_match=self.headers.get("If-None-Match"),
                )
            )
        try:
            if parts.path == "/api/symbol/access":
                self._access(query)
            elif parts.path.startswith("/pdf/"):
                self._pdf(parts.path)
            elif parts.path == "/search":
                self._search(query)
            else:
                self._send(404, b"not found", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        with self.state.lock:
            self.state.log[-1].status = status
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _access(self, query: dict[str, list[str]]) -> None:
        symbol = (query.get("s") or [""])[0]
        lang = (query.get("l") or [""])[0]
        route = self.state.routes.get((symbol, lang))
        if route is None or route.kind == "webapp":
            self._send(200, WEB_APP_PAGE, "text/html; charset=utf-8")
            return
        route.hits += 1
        if route.kind == "404":
            self._send(404, b"Not Found", "text/plain")
            return
        if route.kind in ("429", "503") and route.hits <= route.fail_times:
            headers = {"Retry-After": route.retry_after} if route.retry_after else {}
            self._send(int(route.kind), b"busy", "text/plain", headers)
            return
        target = f"/pdf/{quote(symbol, safe='')}/{lang}.pdf"
        with self.state.lock:
            self.state.log[-1].status = 302
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _pdf(self, path: str) -> None:
        _, _, enc_symbol, name = path.split("/", 3)
        from urllib.parse import unquote

        route = self.state.routes.get((unquote(enc_symbol), name.removesuffix(".pdf")))
        if route is None:
            self._send(404, b"gone", "text/plain")
            return
        if route.kind == "slow":
            time.sleep(route.delay)
        if route.validators and route.kind in ("pdf", "slow", "429", "503"):
            import hashlib

            etag = '"' + hashlib.sha256(route.data).hexdigest()[:16] + '"'
            headers = {"ETag": etag, "Last-Modified": "Thu, 14 Mar 2024 10:00:00 GMT"}
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", route.content_type, headers)
                return
            self._send(200, route.data, route.content_type, headers)
            return
        if route.kind == "trickle":  # every read is quick, the whole body is not
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.data)))
            self.end_headers()
            step = max(1, len(route.data) // 40)
            for i in range(0, len(route.data), step):
                self.wfile.write(route.data[i : i + step])
                self.wfile.flush()
                time.sleep(route.delay)
            return
        if route.kind == "cut":
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.data)))
            self.end_headers()
            self.wfile.write(route.data[: len(route.data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(200, route.data, route.content_type)

    def _search(self, query: dict[str, list[str]]) -> None:
        rg = int((query.get("rg") or ["10"])[0])
        jrec = int((query.get("jrec") or ["1"])[0])
        records = self.state.records
        page = records[jrec - 1 : jrec - 1 + rg]
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<!-- Search-Engine-Total-Number-Of-Results: {len(records)} -->\n"
            '<collection xmlns="http://www.loc.gov/MARC21/slim">' + "".join(page) + "</collection>"
        ).encode()
        self._send(200, body, "application/xml; charset=utf-8")


@contextmanager
def serve() -> Iterator[UNServer]:
    """Run the stand-in on 127.0.0.1 (a free port) for the duration of the block."""
    state = UNServer()
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, name="fake-un", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def main() -> None:
    """Serve the stand-in with the fictional pledge published under several symbols of session
    78 (five languages each; Chinese answers with the web-app page), for trying ``pledges fetch``
    and measuring it without the internet::

        python -m tests.fetch.un_server --port 8765 --symbols 4
    """
    import argparse
    import tempfile
    from pathlib import Path

    from tests.ingest.pledges import PLEDGES, write_pdf

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--symbols", type=int, default=4)
    args = parser.parse_args()
    handler_state = UNServer()
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.symbols):
            symbol = f"A/78/{812 + n}"
            names = []
            for lang, pledge in PLEDGES.items():
                path = write_pdf(pledge, Path(tmp) / f"{n}.{lang}.pdf", symbol=symbol)
                handler_state.publish(symbol, lang, path.read_bytes())
                names.append(f"{symbol.replace('/', '_')}-{lang.upper()}.pdf")
            handler_state.records.append(
                marc_record(
                    symbol,
                    "Candidature of Ruritania to the Human Rights Council, 2026-2028",
                    "20240314",
                    None,
                    tuple(names),
                    str(100 + n),
                )
            )
    handler = type("Handler", (_Handler,), {"state": handler_state})
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    print(f"stand-in UN on http://127.0.0.1:{args.port} ({args.symbols} symbols)", flush=True)
    import contextlib

    with contextlib.suppress(KeyboardInterrupt):
        httpd.serve_forever()


if __name__ == "__main__":
    main()
