"""The HTTP API under ``/v1``: a thin FastAPI layer over :class:`assistant.service.PledgeService`.

Every endpoint parses its input into a pydantic model, calls one service method in the threadpool
(the service is blocking: embedding, Chroma, the LLM) and returns a record. Errors leave as JSON
``{"error": {"code": ..., "message": ...}}`` with the status the :mod:`ingest.errors` class
declares; request validation failures use the same shape with status 422.

Access control, from :class:`ui.settings.ServerSettings`:

* writes (upload, delete) need ``Authorization: Bearer <PLEDGES_ADMIN_TOKEN>``; without an admin
  token configured they are disabled (403);
* reads are open unless ``PLEDGES_API_TOKEN`` is set, then they need that bearer token (or the
  admin token);
* ``/healthz``, ``/openapi.json`` and ``/docs`` stay open.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import queue
import threading
import time
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from assistant.fetching import MAX_SYMBOLS, normalize_symbol
from assistant.indexing import IngestBatch
from assistant.limits import (
    Limits,
    RequestGuard,
    apply_limits,
    check_history,
    check_question,
    limited,
    mib,
)
from assistant.service import PledgeService
from assistant.types import Answer, FetchReport, IngestReport, Verdict
from ingest.errors import PledgeError, echoed
from ingest.records import Document, Language, Paragraph
from ui.settings import Settings
from vectorstore.records import Filters, SearchHit

log = logging.getLogger(__name__)

API_VERSION = "0.1.0"

#: File types an upload may have (lower-case suffix → what the readers parse).
ALLOWED_SUFFIXES: dict[str, str] = {
    ".txt": "plain text",
    ".md": "Markdown",
    ".pdf": "PDF",
    ".docx": "Word (DOCX)",
    ".html": "HTML",
    ".htm": "HTML",
}


# -- errors -------------------------------------------------------------------------------------


class ApiError(PledgeError):
    """An error raised by the HTTP layer itself (authentication, upload limits)."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        self.status_code = status_code
        self.code = code
        super().__init__(message)


class ErrorBody(BaseModel):
    """What went wrong, for a program (``code``) and for a person (``message``)."""

    code: str = Field(description="Stable machine-readable code, e.g. not_found, unauthorized")
    message: str = Field(description="What was expected and what was found")


class ErrorResponse(BaseModel):
    """Every error the API returns has this shape."""

    error: ErrorBody


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Any:
    body = ErrorResponse(error=ErrorBody(code=code, message=message))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}

_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Missing bearer token"},
    403: {"model": ErrorResponse, "description": "Wrong token, or writes disabled"},
    413: {"model": ErrorResponse, "description": "Request over PLEDGES_MAX_REQUEST_KB"},
    422: {"model": ErrorResponse, "description": "Invalid request"},
    500: {"model": ErrorResponse, "description": "Unexpected failure (the server log has it)"},
    503: {"model": ErrorResponse, "description": "The store cannot be reached"},
}

#: FastAPI's detail for a body it cannot decode (not UTF-8, a broken multipart form).
_UNPARSABLE_BODY = "There was an error parsing the body"


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PledgeError)
    async def _pledge_error(request: Request, exc: PledgeError) -> Any:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if exc.status_code >= 500:
            log.error("%s %s failed: %s: %s", request.method, request.url.path, exc.code, exc)
        return _error(exc.status_code, exc.code, str(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Any:
        return _error(422, "validation_error", _describe_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if exc.status_code == 400:
            # FastAPI's and Starlette's answer to a body that is not UTF-8 JSON or not a
            # well-formed form: an invalid request like any other (422), saying what to send.
            kind = request.headers.get("content-type") or "no Content-Type"
            why = "" if exc.detail == _UNPARSABLE_BODY else f" ({str(exc.detail).rstrip('.')})"
            return _error(
                422,
                "validation_error",
                f"the request body could not be read as {kind}{why}: send UTF-8 JSON with"
                " 'Content-Type: application/json' (uploads: multipart/form-data with a 'file')",
            )
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return _error(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Any:
        log.exception("%s %s failed unexpectedly", request.method, request.url.path)
        return _error(
            500,
            "internal_error",
            f"unexpected {type(exc).__name__} while serving {request.url.path};"
            " the server log has the details",
        )


# -- request and response models ----------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AskRequest(_Model):
    """A question, with earlier questions of the conversation for follow-ups."""

    question: str = Field(
        min_length=1,
        description="The question to answer",
        json_schema_extra=limited("question_chars"),
    )
    history: list[Annotated[str, Field(json_schema_extra=limited("question_chars"))]] = Field(
        default_factory=list,
        description="Earlier questions of the conversation, oldest first",
        json_schema_extra=limited("history_turns"),
    )
    filters: Filters | None = Field(default=None, description="Restrict retrieval")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "What did Belgium commit to on the death penalty?",
                    "history": [],
                    "filters": {"country": "BEL"},
                }
            ]
        },
    )


class SearchRequest(_Model):
    """A search query: ranked paragraphs, no answer."""

    query: str = Field(
        min_length=1, description="What to search for", json_schema_extra=limited("question_chars")
    )
    k: int = Field(default=5, ge=1, le=50, description="How many paragraphs to return")
    filters: Filters | None = None


class SearchResponse(_Model):
    """Ranked paragraphs for a query."""

    query: str
    hits: list[SearchHit]


class VerifyRequest(_Model):
    """A claim to check against the pledges."""

    claim: str = Field(
        min_length=1, description="The claim to check", json_schema_extra=limited("question_chars")
    )
    filters: Filters | None = None


class FetchRequest(_Model):
    """Official copies to fetch from the UN by symbol, or one session's candidature notes."""

    symbols: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=MAX_SYMBOLS, description="UN symbols, e.g. A/77/89"
    )
    session: int | None = Field(
        default=None, ge=1, le=200, description="General Assembly session: find its notes"
    )
    languages: list[Language] | Literal["all"] = Field(
        default="all", description='"all" or language codes'
    )
    ingest: bool = Field(default=True, description="Ingest what is fetched (else keep the PDFs)")
    list_only: bool = Field(default=False, description="With session: list, download nothing")
    stream: bool = Field(
        default=False,
        description=(
            "Answer with NDJSON progress: one {'event': 'progress'} line per language version,"
            " then {'event': 'report'} (or {'event': 'error'})"
        ),
    )

    @field_validator("symbols")
    @classmethod
    def _symbols(cls, value: list[str]) -> list[str]:
        try:
            return [normalize_symbol(v) for v in value]
        except PledgeError as e:
            raise ValueError(str(e)) from e


class DocumentInfo(Document):
    """A stored document, with its display label and the link to its official copy."""

    @computed_field(description="Short human name: symbol, else country and term")  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        """Short human name of the document."""
        return Document.label.fget(self)  # type: ignore[attr-defined,no-any-return]

    @computed_field(description="Official copy on undocs.org, when the symbol is known")  # type: ignore[prop-decorator]
    @property
    def url(self) -> str | None:
        """Link to the official copy, when the symbol is known."""
        return Document.url.fget(self)  # type: ignore[attr-defined,no-any-return]

    @classmethod
    def of(cls, doc: Document) -> DocumentInfo:
        """The API view of a stored document."""
        return cls.model_validate(doc.model_dump())


class DocumentList(_Model):
    """Every stored document."""

    documents: list[DocumentInfo]


class ParagraphResponse(_Model):
    """One paragraph and the document it belongs to."""

    paragraph: Paragraph
    document: DocumentInfo | None = None


class DeleteResponse(_Model):
    """The document that was removed."""

    deleted: str


class Health(_Model):
    """Liveness and a glance at the store."""

    status: str = "ok"
    version: str = API_VERSION
    documents: int
    llm: bool = Field(description="True when an LLM writes the answers (else extractive)")


# -- access control ------------------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="Bearer token (PLEDGES_API_TOKEN / ADMIN)")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


#: Where the mounted chat UI receives its file uploads (limited like the API's).
GRADIO_UPLOAD_PATH = "/gradio_api/upload"

#: The write endpoints: uploading (POST) to and deleting (DELETE) under this path.
DOCUMENTS_PATH = "/v1/documents"
#: Where official copies are fetched from the UN (admin).
FETCH_PATH = "/v1/fetch"


def access_error(settings: Settings, need: str, authorization: str | None) -> ApiError | None:
    """Whether a request may read or write, from its Authorization header.

    Whether a request with this ``Authorization`` header may read (``need="read"``) or write
    (``need="admin"``); None when it may. The one rule behind both the route dependencies and
    :class:`assistant.limits.RequestGuard` (which applies it before a body is read).
    """
    server = settings.server
    scheme, _, given = (authorization or "").partition(" ")
    token = given.strip() if scheme.lower() == "bearer" and given.strip() else None
    if need == "admin":
        if not server.admin_token:
            return ApiError(
                403,
                "writes_disabled",
                "writes are disabled: the server has no PLEDGES_ADMIN_TOKEN configured",
            )
        if token is None:
            return ApiError(
                401, "unauthorized", "writes need 'Authorization: Bearer <PLEDGES_ADMIN_TOKEN>'"
            )
        if not _same(token, server.admin_token):
            return ApiError(403, "forbidden", "the bearer token does not match PLEDGES_ADMIN_TOKEN")
        return None
    if not server.api_token:
        return None
    if token is None:
        return ApiError(
            401, "unauthorized", "reads need 'Authorization: Bearer <PLEDGES_API_TOKEN>'"
        )
    if _same(token, server.api_token) or bool(
        server.admin_token and _same(token, server.admin_token)
    ):
        return None
    return ApiError(403, "forbidden", "the bearer token does not match PLEDGES_API_TOKEN")


def route_access(app: FastAPI, method: str, path: str) -> str | None:
    """What a ``/v1`` request needs: admin, read, or nothing, read from the routes.

    ``"admin"`` when the endpoint that serves the request depends on the admin guard (the
    writes), ``"read"`` for any other request under ``/v1`` (one no endpoint serves included:
    its 404 or 405 is for readers), None for what stays open (``/healthz``, docs, the chat,
    CORS preflights). ``path`` may also be a schema path (``/v1/documents/{doc_id}``).
    """
    if method == "OPTIONS" or not (path == "/v1" or path.startswith("/v1/")):
        return None
    scope = {"type": "http", "method": method, "path": path}
    admin = getattr(app.state, "require_admin", None)
    for route in app.router.routes:
        if isinstance(route, APIRoute) and route.matches(scope)[0] is Match.FULL:
            if any(d.dependency is admin for d in route.dependencies):
                return "admin"
            return "read"
    return "read"


def make_authorize(
    settings: Settings, app: FastAPI
) -> Callable[[str, str, str | None], tuple[int, str, str] | None]:
    """The header-only access check :class:`assistant.limits.RequestGuard` runs first."""

    def authorize(method: str, path: str, authorization: str | None) -> tuple[int, str, str] | None:
        need = route_access(app, method, path)
        if need is None:
            return None
        error = access_error(settings, need, authorization)
        return None if error is None else (error.status_code, error.code, str(error))

    return authorize


def _make_guards(settings: Settings) -> tuple[Callable[..., None], Callable[..., None]]:
    def header(credentials: HTTPAuthorizationCredentials | None) -> str | None:
        return f"Bearer {credentials.credentials}" if credentials is not None else None

    def require_read(credentials: Credentials) -> None:
        error = access_error(settings, "read", header(credentials))
        if error is not None:
            raise error

    def require_admin(credentials: Credentials) -> None:
        error = access_error(settings, "admin", header(credentials))
        if error is not None:
            raise error

    return require_read, require_admin


# -- uploads -------------------------------------------------------------------------------------

#: The fields of an upload form: the file and the metadata it may override.
UPLOAD_FIELDS = ("file", "country", "language", "term", "symbol")


async def check_upload_form(request: Request) -> None:
    """Refuse an upload form with a field the endpoint does not read, or more than one file.

    Form parsing keeps the last value of a repeated field and ignores unknown ones, so a second
    file was never stored and a misspelt override ("contry") left detection in place, both
    without a word.

    Raises:
        ApiError: 422 naming the unknown fields, or the number of files sent.
    """
    form = await request.form()  # parsed once: the endpoint's own parameters reuse it
    keys = [k for k, _ in form.multi_items()]
    unknown = sorted({k for k in keys if k not in UPLOAD_FIELDS})
    if unknown:
        raise ApiError(
            422,
            "validation_error",
            f"unknown form field(s) {', '.join(repr(k) for k in unknown)}: an upload takes"
            f" {', '.join(UPLOAD_FIELDS)}",
        )
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    files = keys.count("file")
    if files > 1:
        raise ApiError(
            422,
            "validation_error",
            f"{files} files in one request: upload one file per request (form field 'file')",
        )
    if repeated:
        raise ApiError(
            422,
            "validation_error",
            f"form field(s) {', '.join(repr(k) for k in repeated)} given more than once",
        )


def safe_upload_name(filename: str | None) -> tuple[str, str]:
    """The checked display name and suffix of an uploaded file.

    The display name and the lower-case suffix of an uploaded file, checked against the
    allowed types. The name is only ever shown, never joined into a path.

    Raises:
        ApiError: 415 when the suffix is not one of :data:`ALLOWED_SUFFIXES`.
    """
    raw = (filename or "").replace("\\", "/")
    base = PurePosixPath(raw).name
    # Drop control and format characters (RTL overrides, NULs) from what is displayed.
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()[:200]
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = ", ".join(sorted(ALLOWED_SUFFIXES))
        found = f"'{suffix}'" if suffix else "no extension"
        raise ApiError(
            415,
            "unsupported_media_type",
            f"{base or 'upload'}: expected one of {allowed}, found {found}",
        )
    return base or f"upload{suffix}", suffix


def ingest_upload(
    service: PledgeService,
    data: bytes,
    filename: str | None,
    meta: dict[str, str] | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    batch: IngestBatch | None = None,
) -> IngestReport:
    """Ingest one uploaded file through the service, from its bytes.

    Only the checked base name of the upload reaches the service (to pick the reader and to be
    recorded as the source); it never becomes a path. Uploads of one request share ``batch``
    (:meth:`PledgeService.ingest_batch`).

    Raises:
        ApiError: 415 for a type outside :data:`ALLOWED_SUFFIXES`.
    """
    display, _ = safe_upload_name(filename)
    return service.ingest_bytes(data, display, meta=meta or None, progress=progress, batch=batch)


def _too_large(size: int, limit: int, name: str = "upload") -> str:
    return f"{name} of {mib(size)} is over the limit of {mib(limit)} (PLEDGES_MAX_UPLOAD_MB)"


def check_upload_size(size: int, limits: Limits, name: str = "upload") -> None:
    """Refuse an upload over ``PLEDGES_MAX_UPLOAD_MB`` (the API's and the chat's rule).

    Raises:
        ApiError: 413 when ``size`` bytes is over ``limits.upload_bytes``.
    """
    if size > limits.upload_bytes:
        raise ApiError(413, "payload_too_large", _too_large(size, limits.upload_bytes, name))


def fetch_events(service: PledgeService, args: dict[str, Any]) -> Iterator[str]:
    """NDJSON lines of a fetch as it runs.

    NDJSON lines of a fetch as it runs: progress per language version, then the report (or
    the error). The fetch runs in a thread of its own.
    """
    events: queue.Queue[dict[str, Any] | None] = queue.Queue()

    def progress(item: Any, done: int, total: int) -> None:
        events.put(
            {
                "event": "progress",
                "done": done,
                "total": total,
                "item": item.model_dump(mode="json"),
            }
        )

    def run() -> None:
        try:
            report = service.fetch(**args, progress=progress)  # the store serialises writes
            events.put({"event": "report", "report": report.model_dump(mode="json")})
        except PledgeError as e:
            events.put({"event": "error", "error": {"code": e.code, "message": str(e)}})
        except Exception as e:  # the stream has started: the error travels in it
            log.exception("fetch failed")
            events.put({"event": "error", "error": {"code": "internal_error", "message": repr(e)}})
        finally:
            events.put(None)

    threading.Thread(target=run, name="fetch", daemon=True).start()
    while (event := events.get()) is not None:
        yield json.dumps(event, ensure_ascii=False) + "\n"


# -- cross-origin ----------------------------------------------------------------------------------


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS rules, with a refused preflight answered in the API's JSON error shape.

    Starlette answers a preflight it refuses with the plain text "Disallowed CORS origin".
    """

    def preflight_response(self, request_headers: Headers) -> Response:
        """The preflight answer; a refusal is ``{"error": {"code": "cors_refused", ...}}``."""
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        what = bytes(response.body).decode("utf-8", "replace").removeprefix("Disallowed CORS ")
        origin = request_headers.get("origin", "")
        body = ErrorResponse(
            error=ErrorBody(
                code="cors_refused",
                message=f"cross-origin request from {origin!r} refused ({what}); the allowed"
                " origins are listed in PLEDGES_CORS_ORIGINS",
            )
        )
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-type")
        }
        return JSONResponse(body.model_dump(), status_code=response.status_code, headers=headers)


# -- bootstrap -----------------------------------------------------------------------------------


#: Called once the store is open, before warming up (``pledges serve`` ingests the sample).
WhenReady = Callable[[PledgeService], object]


def warm_service(service: PledgeService) -> None:
    """Embed the glossary term lists in the background (see :meth:`PledgeService.warm`)."""
    started = time.perf_counter()
    try:
        cached = service.warm()
    except PledgeError as e:  # questions then embed the term lists they need on first use
        log.warning("could not prepare the glossary vectors: %s", e)
        return
    log.info("glossary vectors ready: %d in %.1f s", cached, time.perf_counter() - started)


def open_when_reachable(
    service: PledgeService, stop: threading.Event, when_ready: WhenReady | None = None
) -> bool:
    """Open the store once it can be reached, then run ``when_ready`` and warm the service up.

    A server started while its store is down serves meanwhile (requests answer 503 with the
    store's error); this runs in a thread of its own and tries again every
    :attr:`PledgeService.STORE_RETRY_S` seconds, sleeping in between, until it opens the store
    or ``stop`` is set (the server shuts down). A request may open the store first: this then
    finds it open. Returns whether the store was opened.
    """
    logged = ""
    while True:
        try:
            service.store  # noqa: B018  (opens it)
            break
        except PledgeError as e:
            if str(e) != logged:  # once per distinct reason, not once per attempt
                logged = str(e)
                log.warning(
                    "the store is not ready: %s; requests answer 503 until it is, trying"
                    " again every %.0f s",
                    e,
                    service.STORE_RETRY_S,
                )
        if stop.wait(service.STORE_RETRY_S):
            return False
    if logged:
        log.info("the store can be reached now: serving it")
    if when_ready is not None:
        try:
            when_ready(service)
        except PledgeError as e:
            log.warning("preparing the store failed: %s", e)
    warm_service(service)
    return True


# -- the app -------------------------------------------------------------------------------------


def create_app(
    service: PledgeService | None = None,
    settings: Settings | None = None,
    when_ready: WhenReady | None = None,
) -> FastAPI:
    """The FastAPI app with the ``/v1`` API and ``/healthz``.

    The FastAPI app with the ``/v1`` API and ``/healthz`` (the chat UI is mounted separately,
    see :func:`ui.server.build_server_app`). As it starts it opens the store; when the store
    cannot be reached it serves anyway (503 with the store's error) and opens it in the
    background once it can (:func:`open_when_reachable`).

    Args:
        service: The service to call; built from ``settings`` when omitted.
        settings: Server settings (tokens, upload limit); the service's settings when omitted.
        when_ready: Run once the store is open, before warming up (in the background).
    """
    if settings is None:
        settings = Settings.of(service.settings) if service is not None else Settings()
    svc = service or PledgeService(settings)
    max_bytes = int(settings.requests.max_upload_mb * 1024 * 1024)
    require_read, require_admin = _make_guards(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Open the store before the first request (one attempt: a store that is down does
        # not hold the start up); the rest, and the retries while it is down, run aside.
        with contextlib.suppress(PledgeError):  # open_when_reachable logs why
            await run_in_threadpool(lambda: svc.store)
        stop = threading.Event()
        threading.Thread(
            target=open_when_reachable, args=(svc, stop, when_ready), name="store", daemon=True
        ).start()
        yield
        stop.set()

    # FastAPIOffline: /docs and /redoc with Swagger UI and ReDoc served from the wheel, not a CDN.
    app = FastAPIOffline(
        title="Pledge Assistant API",
        version=API_VERSION,
        summary="Cited answers over UN Human Rights Council candidature pledges",
        description=(
            "Ask questions, search paragraphs and check claims against the voluntary pledges "
            "and commitments of candidates to the Human Rights Council. Every answer cites "
            "numbered paragraphs (`{doc_id}:¶{number}`).\n\n"
            "Writes need `Authorization: Bearer <PLEDGES_ADMIN_TOKEN>` and are disabled when no "
            "admin token is configured; reads are open unless `PLEDGES_API_TOKEN` is set. "
            'Errors are JSON: `{"error": {"code": ..., "message": ...}}`.'
        ),
        lifespan=lifespan,
    )
    app.state.service = svc
    app.state.require_admin = require_admin  # what marks a write (see route_access)
    app.state.settings = settings
    _install_error_handlers(app)
    limits = settings.requests.limits
    _describe_in_schema(app, settings, limits)
    # Sizes and tokens are checked from the headers and the body is counted as it streams,
    # before any route (the API's or the mounted chat's) reads it.
    app.add_middleware(
        RequestGuard,
        limits=limits,
        upload_paths=(DOCUMENTS_PATH, GRADIO_UPLOAD_PATH),
        authorize=make_authorize(settings, app),
        quota_paths=(GRADIO_UPLOAD_PATH,),
    )
    # Cross-origin pages may call the API only from the configured origins, without cookies;
    # configuring this on the parent app also stops Gradio from echoing localhost origins.
    app.add_middleware(
        JsonCORSMiddleware,
        allow_origins=list(settings.server.cors_origins),
        allow_credentials=False,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )

    read = [Depends(require_read)]
    write = [Depends(require_admin)]

    @app.get("/healthz", response_model=Health, tags=["meta"])
    def healthz() -> Health:
        """Liveness: the store answers and how many documents it holds."""
        return Health(documents=len(svc.documents()), llm=svc.settings.llm.enabled)

    @app.post(
        "/v1/ask", response_model=Answer, dependencies=read, tags=["answers"],
        responses=_ERROR_RESPONSES,
    )  # fmt: skip
    def ask(body: AskRequest) -> Answer:
        """Answer a question with cited paragraphs, or abstain when the pledges do not say."""
        question = check_question(body.question, limits)
        history = check_history(body.history, limits)
        return svc.ask(question, history=history, filters=body.filters)

    @app.post(
        "/v1/search", response_model=SearchResponse, dependencies=read, tags=["answers"],
        responses=_ERROR_RESPONSES,
    )  # fmt: skip
    def search(body: SearchRequest) -> SearchResponse:
        """Ranked paragraphs for a query (hybrid dense + lexical retrieval)."""
        query = check_question(body.query, limits, what="query")
        return SearchResponse(
            query=body.query, hits=svc.search(query, k=body.k, filters=body.filters)
        )

    @app.post(
        "/v1/verify", response_model=Verdict, dependencies=read, tags=["answers"],
        responses=_ERROR_RESPONSES,
    )  # fmt: skip
    def verify(body: VerifyRequest) -> Verdict:
        """Check a claim against the pledges, quoting the deciding sentence.

        Statuses: **supported** (a quoted sentence names the claim's topic and states every
        year, range, number and treaty number of it, with the same modality, done or pledged,
        and polarity); **contradicted** (a sentence on the topic states a different value,
        the other modality or the opposite polarity; both are quoted); **related** (the topic
        is there but the wording cannot be judged without a language model: read the quotes
        and `not_checked`); **not_found** (no pledge addresses the topic). `checks` lists each
        part of the claim compared with evidence [1].
        """
        return svc.verify(check_question(body.claim, limits, what="claim"), filters=body.filters)

    @app.get(
        "/v1/documents", response_model=DocumentList, dependencies=read, tags=["documents"],
        responses=_ERROR_RESPONSES,
    )  # fmt: skip
    def documents() -> DocumentList:
        """Every stored document."""
        return DocumentList(documents=[DocumentInfo.of(d) for d in svc.documents()])

    @app.get(
        "/v1/documents/{doc_id}/paragraphs/{number}",
        response_model=ParagraphResponse,
        dependencies=read,
        tags=["documents"],
        responses={**_ERROR_RESPONSES, 404: {"model": ErrorResponse}},
    )
    def paragraph(doc_id: str, number: str) -> ParagraphResponse:
        """One paragraph by document and number ("8", "20.5", "27(a)", "note.1")."""
        doc = svc.document(doc_id)
        return ParagraphResponse(
            paragraph=svc.paragraph(doc_id, number), document=DocumentInfo.of(doc)
        )

    @app.post(
        "/v1/documents",
        response_model=IngestReport,
        dependencies=[*write, Depends(check_upload_form)],
        tags=["documents"],
        responses={
            **_ERROR_RESPONSES,
            413: {"model": ErrorResponse, "description": "Upload over PLEDGES_MAX_UPLOAD_MB"},
            415: {"model": ErrorResponse, "description": "File type not allowed"},
        },
    )
    def upload(
        file: Annotated[
            UploadFile,
            File(
                description="txt, md, pdf, docx or html", json_schema_extra=limited("upload_bytes")
            ),
        ],
        country: Annotated[str | None, Form(description="Override: ISO alpha-3 code")] = None,
        language: Annotated[str | None, Form(description="Override: ISO 639-1 code")] = None,
        term: Annotated[str | None, Form(description="Override: term, e.g. 2023-2025")] = None,
        symbol: Annotated[str | None, Form(description="Override: UN symbol")] = None,
    ) -> IngestReport:
        """Upload one file and ingest it (admin).

        A file that fails to parse is a 422/415; a store that cannot be reached is a 503.
        """
        safe_upload_name(file.filename)  # 415 before reading the bytes
        data = file.file.read(max_bytes + 1)
        check_upload_size(len(data), settings.requests.limits)
        meta = {
            k: v.strip()
            for k, v in {
                "country": country,
                "language": language,
                "term": term,
                "symbol": symbol,
            }.items()
            if v and v.strip()
        }
        started = time.perf_counter()
        # The store serialises writes; a store that fails raises its StoreError (503: the
        # server's problem, try again), a file that cannot be ingested is a failed file (422).
        report = ingest_upload(svc, data, file.filename, meta)
        for failed in report.failed:
            raise ApiError(422, "ingest_error", failed.error or f"{failed.path}: not ingested")
        log.info(
            "upload %s: %s in %.1f s",
            report.files[0].path if report.files else "?",
            report.files[0].status if report.files else "nothing",
            time.perf_counter() - started,
        )
        return report

    @app.post(
        FETCH_PATH,
        response_model=FetchReport,
        dependencies=write,
        tags=["documents"],
        responses={
            **_ERROR_RESPONSES,
            502: {"model": ErrorResponse, "description": "The UN answered unusably"},
            503: {"model": ErrorResponse, "description": "The UN or the store cannot be reached"},
        },
    )
    def fetch(body: FetchRequest) -> Any:
        """Fetch official copies from the UN by symbol (admin).

        Fetch official copies from the UN by symbol (admin): each language version is
        checked, kept and ingested; with ``session``, the Digital Library's list of that
        session's candidature notes is fetched too (or only listed, with ``list_only``).
        """
        if not body.symbols and body.session is None:
            raise ApiError(422, "validation_error", "give symbols or a session")
        args = {
            "symbols": body.symbols,
            "session": body.session,
            "languages": body.languages,
            "ingest": body.ingest,
            "list_only": body.list_only,
        }
        if not body.stream:
            return svc.fetch(**args)
        return StreamingResponse(fetch_events(svc, args), media_type="application/x-ndjson")

    @app.delete(
        "/v1/documents/{doc_id}",
        response_model=DeleteResponse,
        dependencies=write,
        tags=["documents"],
        responses={**_ERROR_RESPONSES, 404: {"model": ErrorResponse}},
    )
    def delete(doc_id: str) -> DeleteResponse:
        """Remove a document and its paragraphs (admin)."""
        svc.delete(doc_id)  # NotFoundError (404) for an unknown doc_id
        log.info("deleted document %s", doc_id)
        return DeleteResponse(deleted=doc_id)

    # Last among the API's routes (the chat is mounted after them): whatever the method.
    no_endpoint = NoEndpoint(app)
    for path in ("/v1/{rest:path}", "/v1", "/healthz"):
        app.router.add_route(path, no_endpoint, methods=None, include_in_schema=False)

    return app


class NoEndpoint:
    """The answer under ``/v1`` and at ``/healthz`` when no endpoint takes the request.

    405 with an ``Allow`` header when endpoints serve the path with other methods, else 404;
    both in the API's error shape. Without it the chat UI mounted at ``/`` would answer with
    its own ``{"detail": ...}`` body. It is an ASGI app rather than an endpoint function, so
    that routing hands it every method, including ones no list names (``QUERY``, ``PURGE``).

    Args:
        app: The API, whose routes say which methods a path takes.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 405 (with ``Allow``) or 404."""
        path = scope["path"]
        allowed = allowed_methods(self.app, scope)
        if allowed:
            response = _error(
                405,
                "method_not_allowed",
                f"{scope['method']} is not allowed on {echoed(path, quoted=False)}: it takes"
                f" {', '.join(allowed)};"
                " see /docs for the API",
                headers={"Allow": ", ".join(allowed)},
            )
        else:
            response = _error(
                404, "not_found", f"no endpoint {echoed(path, quoted=False)}; see /docs for the API"
            )
        await response(scope, receive, send)


def _describe_in_schema(app: FastAPI, settings: Settings, limits: Limits) -> None:
    """Make the served schema state this server's request limits and read access.

    Fields marked with :func:`assistant.limits.limited` get the limit's ``maxLength`` or
    ``maxItems`` from ``limits``, the object the checks read, so the schema and what is
    enforced cannot drift; a 413 names the body limit of its operation.

    The bearer scheme is declared on every route; without a read token a read takes the token
    or nothing (``security: [{}, {"HTTPBearer": []}]``), so a client generated from the schema
    does not insist on one.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        apply_limits(schema, limits)
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                too_large = operation.get("responses", {}).get("413")
                if too_large is not None:
                    upload = method.upper() == "POST" and path == DOCUMENTS_PATH
                    size, name = (
                        (limits.upload_bytes, "upload_bytes")
                        if upload
                        else (limits.request_bytes, "request_bytes")
                    )
                    what = "Upload" if upload else "Request body"
                    too_large["description"] = f"{what} over {mib(size)} ({Limits.setting(name)})"
        if settings.server.api_token:
            return schema
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                security = operation.get("security")
                needs = route_access(app, method.upper(), path)
                if needs == "read" and security and {} not in security:
                    operation["security"] = [{}, *security]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """The methods the app's own endpoints take on the path of ``scope`` (none: no endpoint).

    Read from the routes, so the ``Allow`` header of a 405 lists exactly what the path serves.
    """
    allowed: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            match, _ = route.matches(scope)
            if match in (Match.FULL, Match.PARTIAL):
                allowed |= route.methods
    return sorted(allowed)
