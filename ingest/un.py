"""Official copies from the UN, and the Digital Library's lists.

Official copies from the UN: one language version of a document by its symbol, and the
Digital Library's list of the candidature notes of one General Assembly session.

Why a client of its own: the UN's document system answers in ways a plain download gets wrong.

* ``{PLEDGES_UN_DOCUMENTS_URL}/api/symbol/access?s=A/77/89&l=fr&t=pdf`` redirects (302) to the
  PDF of that language version; for a symbol or a language it does not hold it may answer
  **200 with a small HTML page of its web app** instead of a 404. A download is therefore only
  accepted when it is a PDF (content type and ``%PDF-`` magic bytes), complete (``%%EOF`` near
  its end, the announced length received) and of the symbol that was asked for (the symbol printed
  on its first page). The web-app page and a 404 mean "not published"; anything else is a failure
  with its reason.
* ``{PLEDGES_UN_LIBRARY_URL}/search?p=...&of=xm&rg=...&jrec=...`` lists catalogue records as
  MARCXML. The fields read are 191 $a (symbol), 245 (title), 269 / 260 $c (date), 710 / 610 $a
  (the body or country that issued the note), 041 $a and 856 / FFT (the language versions).
  Parsing is tolerant: a field that is missing or odd leaves that value empty, never the record.

Politeness: one configured User-Agent, at most one request every ``PLEDGES_UN_MIN_INTERVAL_S``
seconds, retries with exponential backoff on 429 and 5xx honouring ``Retry-After`` (up to a
limit), timeouts, and a size cap checked while the body streams in. When the host cannot be
reached at all the client raises :class:`UnreachableError` ("cannot reach documents.un.org: ...");
nothing is written here (the caller stores only accepted bytes).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.countries import country_from_value, detect_country
from ingest.errors import PledgeError
from ingest.language import UN_LANGUAGES
from ingest.records import LibraryEntry

__all__ = [
    "DEFAULT_LIBRARY_QUERY",
    "Download",
    "LibraryEntry",
    "UNClient",
    "UNError",
    "UNSettings",
    "UnreachableError",
    "parse_languages",
    "parse_marcxml",
    "symbol_on_first_page",
]

#: Digital Library query for the candidature notes of one session (``{session}`` is filled in).
#: Results are filtered again here (symbol of that session, "Human Rights Council" in the record),
#: so a broader query only costs pages, never wrong rows.
DEFAULT_LIBRARY_QUERY = '191__a:A/{session}/* AND "Human Rights Council" AND candidature'


#: A whole request (redirect and body) may take this many ``timeout_s``.
WHOLE_REQUEST_TIMEOUTS = 10


def deadline_s(settings: UNSettings) -> float:
    """Seconds a whole request may take: :data:`WHOLE_REQUEST_TIMEOUTS` × ``timeout_s``."""
    return WHOLE_REQUEST_TIMEOUTS * settings.timeout_s


class UNSettings(BaseSettings):
    """Where and how politely official copies are fetched (``PLEDGES_UN_*``)."""

    model_config = SettingsConfigDict(env_prefix="PLEDGES_UN_", env_file=".env", extra="ignore")

    documents_url: str = Field(
        default="https://documents.un.org", description="UN document system (ODS) base URL"
    )
    library_url: str = Field(
        default="https://digitallibrary.un.org", description="UN Digital Library base URL"
    )
    library_query: str = Field(
        default=DEFAULT_LIBRARY_QUERY,
        description="Digital Library search for one session's candidature notes ({session})",
    )
    user_agent: str = Field(
        default="PledgeAssistant/0.1 (UN Human Rights Council pledges; polite single client)",
        description="User-Agent sent with every request",
    )
    min_interval_s: float = Field(default=1.0, ge=0, description="Seconds between two requests")
    timeout_s: float = Field(default=30.0, gt=0, description="Connect and read timeout")
    retries: int = Field(default=3, ge=0, le=10, description="Retries on 429, 5xx and drops")
    backoff_s: float = Field(default=2.0, ge=0, description="First retry delay; doubles each time")
    max_retry_after_s: float = Field(
        default=120.0, ge=0, description="Longest Retry-After honoured; longer is a failure"
    )
    max_mb: float = Field(default=20.0, gt=0, description="Largest PDF accepted, in MB")


class UNError(PledgeError):
    """A UN service answered, but not with something usable."""

    status_code = 502
    code = "un_error"


class UnreachableError(UNError):
    """The UN host cannot be reached at all (DNS, refused connection, connect timeout)."""

    status_code = 503
    code = "un_unreachable"


@dataclass
class Download:
    """The outcome of asking for one language version of one symbol."""

    symbol: str
    language: str
    status: Literal["ok", "not_modified", "not_published", "failed"]
    url: str
    data: bytes = b""
    reason: str | None = None
    content_type: str | None = None
    #: Validators of the answer, for a conditional request next time.
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class _Answer:
    status: int
    content_type: str | None
    data: bytes
    url: str
    etag: str | None
    last_modified: str | None


# -- the client ----------------------------------------------------------------------------------


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class UNClient:
    """A polite HTTP client for the UN document system and Digital Library.

    Args:
        settings: Base URLs, User-Agent, rate, retries, timeouts and size cap.
        transport: An httpx transport (tests may pass one; the default is the network).
        sleep: How to wait (tests of the backoff may record instead of sleeping).
    """

    def __init__(
        self,
        settings: UNSettings | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or UNSettings()
        s = self.settings
        self._http = httpx.Client(
            headers={"User-Agent": s.user_agent},
            timeout=httpx.Timeout(s.timeout_s, connect=min(s.timeout_s, 10.0)),
            follow_redirects=True,
            max_redirects=5,
            transport=transport,
        )
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last = 0.0
        #: (seconds waited, reason) for every retry, oldest first: what the backoff did.
        self.waits: list[tuple[float, str]] = []

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> UNClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- documents ------------------------------------------------------------------------------

    def access_url(self, symbol: str, language: str) -> str:
        """The document system's address of one language version (before its redirect)."""
        base = self.settings.documents_url.rstrip("/")
        q = httpx.QueryParams({"s": symbol, "l": language, "t": "pdf"})
        return f"{base}/api/symbol/access?{q}"

    def download(
        self,
        symbol: str,
        language: str,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Download:
        """Fetch and check one language version of ``symbol``.

        Args:
            symbol: The UN symbol.
            language: One of the six language codes.
            etag: The ETag of the copy already kept; sent as ``If-None-Match`` (with
                ``last_modified`` as ``If-Modified-Since``) so an unchanged PDF is not sent again.
            last_modified: The Last-Modified of the copy already kept.

        Returns:
            ``ok`` with the PDF's bytes; ``not_modified`` when the server says the kept copy is
            current (304); ``not_published`` for a 404/410 or the web-app page; ``failed`` with a
            one-line reason for anything else (not a PDF, truncated, another symbol, too large,
            too many retries).

        Raises:
            UnreachableError: The host cannot be reached.
        """
        url = self.access_url(symbol, language)
        host = _host(self.settings.documents_url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            got = self._get(url, host, cap=self._cap(), headers=headers)
        except UNError as e:
            if isinstance(e, UnreachableError):
                raise
            return Download(symbol, language, "failed", url, reason=str(e))
        status, ctype, data = got.status, got.content_type, got.data
        d = Download(
            symbol,
            language,
            "failed",
            got.url,
            content_type=ctype,
            etag=got.etag,
            last_modified=got.last_modified,
        )
        if status == 304 and headers:
            d.status = "not_modified"
            return d
        lname = language
        if status in (404, 410):
            d.status, d.reason = "not_published", f"{host} has no {lname} version ({status})"
            return d
        if status != 200:
            d.reason = f"{host} answered HTTP {status}"
            return d
        head = data[:512].lstrip().lower()
        is_pdf = data.startswith(b"%PDF-")
        if not is_pdf and ("html" in (ctype or "") or head.startswith((b"<!doctype", b"<html"))):
            d.status = "not_published"
            d.reason = f"{host} answered with its web page, not a PDF: no {lname} version"
            return d
        shown = _printable(ctype or "none")
        if not is_pdf:
            d.reason = f"not a PDF (content type {shown}, starts {data[:8]!r})"
            return d
        if ctype and not any(t in ctype for t in ("pdf", "octet-stream")):
            d.reason = f"expected a PDF, the content type is {shown}"
            return d
        if b"%%EOF" not in data[-2048:]:
            d.reason = f"the PDF is truncated ({len(data)} bytes, no %%EOF end marker)"
            return d
        found = symbol_on_first_page(data, symbol)
        if found is not True:
            d.reason = found
            return d
        d.status, d.data = "ok", data
        return d

    # -- Digital Library ------------------------------------------------------------------------

    def search_session(
        self, session: int, max_pages: int = 10, page: int = 200
    ) -> list[LibraryEntry]:
        """The candidature notes of one General Assembly session, from the Digital Library.

        Pages through the MARCXML results (``rg``/``jrec``) until the total the library
        announces is read, a page comes back short, or ``max_pages`` were read; keeps records
        whose symbol belongs to the session (``A/{session}/...``) and that mention the Human
        Rights Council; one entry per symbol, sorted by symbol.

        Raises:
            UnreachableError: The library cannot be reached.
            UNError: The library answered with something that is not MARCXML.
        """
        base = self.settings.library_url.rstrip("/")
        host = _host(base)
        query = self.settings.library_query.format(session=session)
        found: dict[str, LibraryEntry] = {}
        jrec = 1
        for _ in range(max_pages):
            params = httpx.QueryParams(
                {"p": query, "of": "xm", "rg": str(page), "jrec": str(jrec), "ln": "en"}
            )
            got = self._get(f"{base}/search?{params}", host, cap=self._cap())
            if got.status != 200:
                raise UNError(f"{host} search answered HTTP {got.status}")
            entries, total, n = parse_marcxml(got.data, host)
            for entry in entries:
                if _in_session(entry, session):
                    found.setdefault(_symbol_key(entry.symbol), entry)
            jrec += n
            if n < page or (total is not None and jrec > total) or n == 0:
                break
        return sorted(found.values(), key=lambda e: _symbol_sort(e.symbol))

    # -- transport ------------------------------------------------------------------------------

    def _cap(self) -> int:
        return int(self.settings.max_mb * 1_000_000)

    def _pace(self) -> None:
        """Wait until ``min_interval_s`` has passed since the previous answer ended."""
        with self._lock:
            wait = self._last + self.settings.min_interval_s - time.monotonic()
            if wait > 0:
                self._sleep(wait)

    def _get(self, url: str, host: str, cap: int, headers: dict[str, str] | None = None) -> _Answer:
        """GET with pacing and retries, following redirects."""
        s = self.settings
        delay = s.backoff_s
        last = ""
        for attempt in range(s.retries + 1):
            if attempt:
                self.waits.append((delay, last))
                self._sleep(delay)
                delay *= 2
            self._pace()
            try:
                return self._get_once(url, host, cap, headers or {})
            except _Retry as r:
                last = r.reason
                if r.wait is not None:
                    if r.wait > s.max_retry_after_s:
                        raise UNError(
                            f"{host} asks to wait {r.wait:g} s (Retry-After), more than"
                            f" PLEDGES_UN_MAX_RETRY_AFTER_S={s.max_retry_after_s:g}; try later"
                        ) from None
                    delay = max(delay, r.wait)
            except (httpx.ConnectError, httpx.ConnectTimeout) as e:
                raise UnreachableError(f"cannot reach {host}: {_why(e)}") from e
            except httpx.TooManyRedirects as e:
                raise UNError(f"{host} redirected more than 5 times") from e
            except httpx.TransportError as e:  # read timeout, dropped connection, short body
                last = _why(e)
            finally:
                self._last = time.monotonic()
        raise UNError(f"{host}: {last} (gave up after {s.retries + 1} tries)")

    def _get_once(self, url: str, host: str, cap: int, headers: dict[str, str]) -> _Answer:
        # Timeouts are per network read; a body that trickles in is cut off as a whole too.
        deadline = time.monotonic() + deadline_s(self.settings)
        with self._http.stream("GET", url, headers=headers) as r:
            if r.status_code == 429 or r.status_code >= 500:
                raise _Retry(f"HTTP {r.status_code}", _retry_after(r.headers.get("retry-after")))
            ctype = r.headers.get("content-type")
            length = r.headers.get("content-length")
            if length and length.isdigit() and int(length) > cap:
                raise UNError(
                    f"{host} offers {int(length) / 1e6:.1f} MB, over the"
                    f" {cap / 1e6:g} MB limit (PLEDGES_UN_MAX_MB)"
                )
            buf = bytearray()
            for chunk in r.iter_bytes():
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(
                        f"the whole answer took over {deadline_s(self.settings):g} s"
                    )
                buf.extend(chunk)
                if len(buf) > cap:
                    raise UNError(
                        f"{host} sent more than {cap / 1e6:g} MB, the limit (PLEDGES_UN_MAX_MB)"
                    )
            return _Answer(
                status=r.status_code,
                content_type=ctype,
                data=bytes(buf),
                url=str(r.url),
                etag=r.headers.get("etag"),
                last_modified=r.headers.get("last-modified"),
            )


def _printable(text: str, limit: int = 60) -> str:
    """A header value as shown in a report line: printable ASCII, short."""
    cleaned = "".join(ch if 32 < ord(ch) < 127 else " " for ch in text).strip()
    return cleaned[:limit] + ("…" if len(cleaned) > limit else "")


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _why(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if isinstance(e, httpx.TimeoutException):
        return f"no answer in time ({type(e).__name__}{': ' + text if text else ''})"
    if isinstance(e, httpx.RemoteProtocolError):
        return f"connection closed early ({text or type(e).__name__})"
    return text or type(e).__name__


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


# -- checks --------------------------------------------------------------------------------------

_SYMBOL_TOKEN = re.compile(
    r"(?<![\w/])(?:A|E|S)/(?:[A-Z][A-Z0-9.]*/)*\d{1,4}(?:/\d{1,4})*(?:/(?:Add|Corr|Rev)\.\d+)*",
    re.I,
)


def _symbol_key(symbol: str) -> str:
    return re.sub(r"\s+", "", symbol).upper()


def symbol_on_first_page(data: bytes, symbol: str) -> bool | str:
    """True when the PDF's first page shows ``symbol``; else the reason it does not.

    The symbol must stand alone: ``A/77/8`` is not found in ``A/77/89``, nor ``A/77/89`` in
    ``A/77/89/Add.1``. Whitespace inside the extracted symbol is ignored.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return "the PDF is encrypted"
        text = reader.pages[0].extract_text() if reader.pages else ""
    except (PyPdfError, ValueError, KeyError, IndexError, TypeError, OSError) as e:
        return (
            f"not a readable PDF ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})"
        )
    compact = re.sub(r"[ \t]+(?=/)|(?<=/)[ \t]+", "", text or "")
    want = _symbol_key(symbol)
    seen = [_symbol_key(m.group(0)) for m in _SYMBOL_TOKEN.finditer(compact)]
    if want in seen:
        return True
    others = [s for s in dict.fromkeys(seen) if "/RES/" not in s]
    if others:
        return f"the first page shows {others[0]}, not {symbol}: another document"
    return f"the first page does not show the symbol {symbol}"


# -- MARCXML -------------------------------------------------------------------------------------

_TOTAL = re.compile(rb"Search-Engine-Total-Number-Of-Results:\s*(\d+)")
#: How the library names the language of a file: a code in the file name or a language name.
_FILE_LANG = re.compile(r"[-_.](AR|ZH|EN|FR|RU|ES)\.pdf\b", re.I)
_LANG_NAMES = {
    "arabic": "ar", "chinese": "zh", "english": "en", "french": "fr", "russian": "ru",
    "spanish": "es", "ara": "ar", "chi": "zh", "zho": "zh", "eng": "en", "fre": "fr",
    "fra": "fr", "rus": "ru", "spa": "es", "العربية": "ar", "中文": "zh", "français": "fr",
    "русский": "ru", "español": "es",
}  # fmt: skip


def parse_languages(values: list[str]) -> list[str]:
    """Language codes named by file names, language names or MARC 041 codes, in UN order."""
    found: set[str] = set()
    for value in values:
        v = value.strip()
        m = _FILE_LANG.search(v)
        if m:
            found.add(m.group(1).lower())
            continue
        low = v.casefold()
        if low in UN_LANGUAGES:
            found.add(low)
        elif low in _LANG_NAMES:
            found.add(_LANG_NAMES[low])
    return [lang for lang in UN_LANGUAGES if lang in found]


def parse_marcxml(
    data: bytes, host: str = "the Digital Library"
) -> tuple[list[LibraryEntry], int | None, int]:
    """Entries from a MARCXML search result, the announced total, and how many records it held.

    Namespace-agnostic; a record without a 191 $a symbol is counted but skipped.

    Raises:
        UNError: ``data`` is not XML (an error page, a web-app page).
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise UNError(f"{host} did not answer with MARCXML ({str(e).splitlines()[0]})") from e
    m = _TOTAL.search(data[:4096])
    total = int(m.group(1)) if m else None
    records = [el for el in root.iter() if _local(el.tag) == "record"]
    entries = [e for e in (_entry(r) for r in records) if e is not None]
    return entries, total, len(records)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _fields(record: object) -> Iterator[tuple[str, dict[str, list[str]]]]:
    for df in record.iter():  # type: ignore[attr-defined]
        if _local(df.tag) != "datafield":
            continue
        subs: dict[str, list[str]] = {}
        for sf in df:
            if _local(sf.tag) == "subfield":
                subs.setdefault(sf.get("code", ""), []).append((sf.text or "").strip())
        yield df.get("tag", ""), subs


def _entry(record: object) -> LibraryEntry | None:
    by_tag: dict[str, list[dict[str, list[str]]]] = {}
    for tag, subs in _fields(record):
        by_tag.setdefault(tag, []).append(subs)
    recid = next(
        (
            (cf.text or "").strip()
            for cf in record.iter()  # type: ignore[attr-defined]
            if _local(cf.tag) == "controlfield" and cf.get("tag") == "001"
        ),
        None,
    )

    def first(tag: str, code: str) -> str | None:
        for subs in by_tag.get(tag, []):
            for value in subs.get(code, []):
                if value:
                    return value
        return None

    symbol = first("191", "a")
    if not symbol:
        return None
    title = (
        " ".join(
            v.strip(" /:;")
            for subs in by_tag.get("245", [])[:1]
            for code in ("a", "b")
            for v in subs.get(code, [])
            if v
        )
        or None
    )
    date = _marc_date(first("269", "a") or first("260", "c") or first("264", "c"))
    body = first("710", "a") or first("610", "a")
    country = None
    for value in [first("710", "a"), first("610", "a")]:
        if value and country is None:
            country = country_from_value(re.split(r"\.\s", value)[0].strip(" ."))
    if country is None and title:
        country = detect_country(title, "en", [title])
    files = [
        v
        for tag in ("856", "FFT")
        for subs in by_tag.get(tag, [])
        for code in ("u", "a", "y")
        for v in subs.get(code, [])
    ]
    languages = parse_languages(files) or parse_languages(
        [v for subs in by_tag.get("041", []) for v in subs.get("a", [])]
    )
    subjects = list(
        dict.fromkeys(
            v
            for tag, codes in (("650", "a"), ("991", "bd"))
            for subs in by_tag.get(tag, [])
            for code in codes
            for v in subs.get(code, [])
            if v
        )
    )
    return LibraryEntry(
        symbol=symbol.strip(),
        title=title,
        date=date,
        country=country,
        body=body,
        languages=languages,  # type: ignore[arg-type]
        subjects=subjects,
        record_id=recid,
    )


def _marc_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    digits = re.sub(r"\D", "", value)
    for fmt, n in (("%Y%m%d", 8), ("%Y%m", 6)):
        if len(digits) >= n:
            try:
                return dt.datetime.strptime(digits[:n], fmt).date()
            except ValueError:
                continue
    return None


def _in_session(entry: LibraryEntry, session: int) -> bool:
    """Whether a library entry is a Council document of the session.

    A document of the session whose title, body, subjects or agenda name the Council (a note
    verbale's title often does not: its agenda item does).
    """
    if not _symbol_key(entry.symbol).startswith(f"A/{session}/"):
        return False
    text = " ".join([entry.title or "", entry.body or "", *entry.subjects]).casefold()
    return "human rights council" in text


def _symbol_sort(symbol: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", symbol))
