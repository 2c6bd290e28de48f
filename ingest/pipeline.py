"""The ingest pipeline: file → read → clean → split → detect metadata → records.

Public interface (other folders code against it):

* :func:`parse_file` / :func:`parse_bytes` → :class:`~ingest.records.ParsedDocument`;
* :func:`iter_files` — the files a list of paths stands for (directories recursed);
* :data:`SUPPORTED_SUFFIXES`.

Ids. ``doc_id`` is derived from what the document *is*, so that a corrected or re-extracted copy of
the same pledge keeps its id and replaces the old paragraphs when re-ingested:

1. the document's own symbol and language when the symbol is known: ``a-77-89.zh``;
2. else the candidate country, term and language: ``bel-2023-2025.zh``;
3. else the file stem and the first 8 hex digits of the bytes' SHA-256: ``pledge-1a2b3c4d.zh``
   (only then does an edit change the id).

The language suffix is left out when the language is unknown. ``--meta doc_id=...`` overrides.
Paragraph ids are ``{doc_id}:¶{number}`` (:func:`ingest.records.paragraph_id`). The same bytes
always give the same records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ingest.clean import clean_lines, display_width, vocabulary
from ingest.countries import country_from_value, detect_country
from ingest.errors import IngestError, UnsupportedFormatError, shown_name
from ingest.language import HAN, KANA, UN_LANGUAGES, char_class, detect_language
from ingest.lines import Line
from ingest.metadata import detect_date, detect_session, detect_symbol, detect_term
from ingest.readers import SUPPORTED_SUFFIXES, read_bytes, utf8_text
from ingest.records import (
    FIELD_RULES,
    MAX_DOC_ID_CHARS,
    Document,
    Paragraph,
    ParsedDocument,
    RemovedText,
    TextReport,
    paragraph_id,
)
from ingest.structure import PARAGRAPH_KINDS, Block, split_blocks

__all__ = [
    "OVERRIDE_KEYS",
    "SUPPORTED_SUFFIXES",
    "iter_files",
    "make_doc_id",
    "parse_bytes",
    "parse_file",
    "sidecar_path",
]

log = logging.getLogger(__name__)

#: Keys accepted by ``--meta key=value`` and in a ``<file>.meta.json`` sidecar.
OVERRIDE_KEYS = ("doc_id", "symbol", "country", "language", "date", "term", "session", "title")

#: Separator between blocks in the cleaned document text that offsets point into.
BLOCK_SEPARATOR = "\n\n"

#: Largest file parsed, in MB, unless ``PLEDGES_MAX_FILE_MB`` says otherwise. A pledge is a few
#: hundred KB; a bigger file is refused before it is read, so memory stays bounded.
DEFAULT_MAX_FILE_MB = 50.0


def max_file_bytes() -> int:
    """The file size limit in bytes: ``PLEDGES_MAX_FILE_MB`` (default 50 MB)."""
    raw = os.environ.get("PLEDGES_MAX_FILE_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_FILE_MB
    except ValueError:
        mb = DEFAULT_MAX_FILE_MB
    return int((mb if mb > 0 else DEFAULT_MAX_FILE_MB) * 1_000_000)


def _check_size(size: int, name: object) -> None:
    limit = max_file_bytes()
    if size > limit:
        raise IngestError(
            name,
            f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit for one document"
            " (PLEDGES_MAX_FILE_MB); a pledge is usually under 1 MB",
        )


def parse_file(path: Path, overrides: Mapping[str, str] | None = None) -> ParsedDocument:
    """Parse one pledge file into a document and its numbered paragraphs.

    A sidecar ``<file>.meta.json`` (e.g. ``pledge.pdf.meta.json``) next to the file supplies
    metadata overrides; ``overrides`` (``--meta``) win over the sidecar.

    Args:
        path: A .txt, .pdf, .docx, .html/.htm or .md file.
        overrides: Metadata that replaces what detection found (keys in :data:`OVERRIDE_KEYS`;
            an empty value clears the field).

    Raises:
        UnsupportedFormatError: The suffix is not supported.
        IngestError: The file is missing, unreadable, or holds no text; the message starts with
            the file name.
    """
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UnsupportedFormatError(
            path,
            f"unsupported file type ({path.suffix or 'no suffix'});"
            f" expected one of {', '.join(SUPPORTED_SUFFIXES)}",
        )
    if not path.exists():
        raise IngestError(path, "file not found")
    if not path.is_file():
        raise IngestError(path, "not a regular file")
    try:
        _check_size(path.stat().st_size, path)
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(path, f"cannot read file ({e.strerror or e})") from e
    merged: dict[str, Any] = dict(_read_sidecar(path))
    merged.update(overrides or {})
    name = shown_name(path)  # recorded as the source: bytes that are not UTF-8 as escapes
    return _parse(data, name, name, path.stem, merged)


def parse_bytes(
    data: bytes,
    filename: str,
    overrides: Mapping[str, str] | None = None,
    source: str | None = None,
) -> ParsedDocument:
    """Parse a file's bytes (an HTTP upload).

    Parse a file's bytes (an HTTP upload). ``filename`` only picks the reader by its suffix
    and names the file in errors; it is never opened as a path.

    Args:
        data: The file's bytes.
        filename: The client's file name (only its last component is used).
        overrides: As for :func:`parse_file`.
        source: What to record as the document's source (default: the file name).
    """
    name = re.split(r"[\\/]", filename)[-1] or "upload"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return _parse(data, name, source or name, stem, dict(overrides or {}))


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files the given paths stand for: files as given, directories recursed.

    Directories yield, in sorted order, the files with a supported suffix, skipping hidden files
    and folders and ``*.meta.json`` sidecars. A file given explicitly is yielded whatever its
    suffix (parsing it then says whether it is supported).

    Raises:
        IngestError: A path does not exist.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                rel = found.relative_to(path).parts
                if any(part.startswith(".") for part in rel):
                    continue
                if not found.is_file() or found.name.endswith(".meta.json"):
                    continue
                if found.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield found
        elif path.exists():
            yield path
        else:
            raise IngestError(path, "no such file or directory")


def sidecar_path(path: Path) -> Path | None:
    """The metadata sidecar of a file, if one exists.

    The metadata sidecar of ``path`` if one exists: ``<name>.meta.json`` or
    ``<stem>.meta.json``.
    """
    for candidate in (path.with_name(path.name + ".meta.json"), path.with_suffix(".meta.json")):
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # "<name>.meta.json" of a 250-byte file name is too long to exist
            continue
    return None


def _read_sidecar(path: Path) -> dict[str, str]:
    side = sidecar_path(path)
    if side is None:
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise IngestError(side, f"metadata sidecar is not valid UTF-8 JSON ({e})") from e
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise IngestError(side, f"metadata sidecar must be a JSON object, got {kind}")
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


def make_doc_id(
    symbol: str | None,
    country: str | None,
    term: str | None,
    language: str | None,
    stem: str,
    sha256: str,
) -> str:
    """The stable document id (see the module docstring)."""
    suffix = f".{language}" if language else ""
    if symbol:
        base = _slug(symbol)[: MAX_DOC_ID_CHARS - len(suffix)].rstrip("-")
    elif country and term:
        base = f"{country.lower()}-{term}"
    else:
        # A file name may be up to 255 bytes; the id keeps as much of its stem as fits.
        room = MAX_DOC_ID_CHARS - len(suffix) - len("-") - 8
        base = f"{_slug(stem)[:room].rstrip('-') or 'document'}-{sha256[:8]}"
    return base + suffix


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-")


# -- the pipeline --------------------------------------------------------------------------------


def _parse(
    data: bytes, name: str, source: str, stem: str, overrides: dict[str, Any]
) -> ParsedDocument:
    unknown = sorted(set(overrides) - set(OVERRIDE_KEYS))
    if unknown:
        raise IngestError(
            name,
            f"unknown metadata key(s) {', '.join(unknown)}; expected {', '.join(OVERRIDE_KEYS)}",
        )
    _check_size(len(data), name)
    sha = hashlib.sha256(data).hexdigest()
    lines = read_bytes(data, name)
    return build_document(
        lines, name=name, source=source, stem=stem, sha256=sha, overrides=overrides
    )


def build_document(
    lines: list[Line],
    *,
    name: str,
    source: str,
    stem: str,
    sha256: str,
    overrides: Mapping[str, Any] | None = None,
) -> ParsedDocument:
    """Records from a reader's lines (the steps after reading; useful for tests)."""
    own_symbol = detect_symbol(lines)
    dropped: list[tuple[str, str]] = []
    cleaned = clean_lines(lines, own_symbol, dropped)
    if not cleaned:
        raise IngestError(name, "no text left after removing headers, footers and links")
    vocab = vocabulary(line.text for line in cleaned)
    # A language given by the user also steers the other detectors (country names, dates).
    given = str((overrides or {}).get("language") or "").strip()
    text_language = given if given in UN_LANGUAGES else None
    if text_language is None:
        text_language = detect_language(" ".join(line.text for line in cleaned[:400]), default=None)
    blocks = split_blocks(cleaned, vocab, text_language)

    text, offsets = _document_text(blocks)
    kept = [b for b in blocks if b.kind in PARAGRAPH_KINDS and b.body.strip()]
    if not kept:
        raise IngestError(name, "no paragraphs found in the text")

    body_text = "\n".join(b.body for b in kept)
    language = given if given in UN_LANGUAGES else detect_language(body_text, default=None)
    # Headings above the first paragraph read like titles ("Our pledge" / "2025-2027").
    first_para = next(i for i, b in enumerate(blocks) if b in kept)
    titles = [
        b.text
        for i, b in enumerate(blocks)
        if b.kind in ("note_title", "annex", "title") or (b.kind == "heading" and i < first_para)
    ]
    country = detect_country(body_text, language, titles)
    term = detect_term(body_text, titles)
    note_titles = [b.text for b in blocks if b.kind == "note_title"]
    annex = [b.text for b in blocks if b.kind == "annex"]
    notes = [b.text for b in blocks if b.kind in ("note", "header")]
    # Without a covering note, a short dated line (a closing "Accra, 15 March 2023") dates it.
    dated = [b.text for b in blocks if b.kind in ("title", "text") and display_width(b.text) <= 60]
    date = detect_date(note_titles + annex + notes + (dated if not note_titles else []), language)
    headers = [b.text for b in blocks if b.kind in ("header", "note_title", "note")]
    session = detect_session(headers, language, own_symbol)
    title = next((b.text for b in blocks if b.kind == "title"), None) or (
        note_titles[0] if note_titles else None
    )

    fields: dict[str, Any] = {
        "symbol": own_symbol,
        "country": country,
        "language": language,
        "date": date,
        "term": term,
        "session": session,
        "title": title,
    }
    doc_id_override = _apply_overrides(fields, overrides or {}, name)
    country_code = fields["country"].code if fields["country"] else None
    doc_id = doc_id_override or make_doc_id(
        fields["symbol"], country_code, fields["term"], fields["language"], stem, sha256
    )
    given = {k for k, v in (overrides or {}).items() if v is not None and str(v).strip()}
    document = _document(name, given, doc_id=doc_id, source=source, sha256=sha256, **fields)

    paragraphs: list[Paragraph] = []
    for block in kept:
        assert block.number is not None
        start = offsets[id(block)] + block.body_offset
        end = offsets[id(block)] + len(block.text)
        paragraphs.append(
            Paragraph(
                id=paragraph_id(doc_id, block.number),
                doc_id=doc_id,
                number=block.number,
                text=block.body,
                section=block.section,
                lead_in=(block.parent.body or None) if block.parent is not None else None,
                page=block.page,
                start=start,
                end=end,
            )
        )
    _check_unique(paragraphs, name)
    _check_offsets(text, paragraphs, name)
    report = text_report(lines, blocks, dropped, name)
    return ParsedDocument(document=document, paragraphs=paragraphs, report=report)


#: A warning names the file when more than this share of its words was removed.
REMOVED_WARN_SHARE = 0.05

_WORD_RE = re.compile(f"[{char_class(HAN[:2] + KANA)}]" + r"|[^\W\d_]+")


def count_words(text: str) -> int:
    """Words in ``text``: runs of letters, each CJK character counting as one."""
    return sum(1 for _ in _WORD_RE.finditer(text))


def text_report(
    lines: list[Line], blocks: list[Block], dropped: list[tuple[str, str]], name: str
) -> TextReport:
    """How much of the text read from a file the paragraphs kept, and what was removed."""
    words = sum(count_words(line.text) for line in lines)
    paragraph_words = heading_words = 0
    removed: list[RemovedText] = []
    # Every dropped line is listed, a lone page number (no words) too: nothing goes unreported.
    for reason, line_text in dropped:
        removed.append(
            RemovedText(reason=reason, text=line_text[:120], words=count_words(line_text))
        )
    for block in blocks:
        n = count_words(block.text)
        if block.kind in PARAGRAPH_KINDS:
            paragraph_words += n
        elif block.kind == "footnote":
            removed.append(RemovedText(reason="footnote", text=block.text[:120], words=n))
        else:
            heading_words += n
    removed_words = sum(r.words for r in removed)
    warnings: list[str] = []
    if words and removed_words > REMOVED_WARN_SHARE * words:
        reasons: dict[str, int] = {}
        for r in removed:
            reasons[r.reason] = reasons.get(r.reason, 0) + r.words
        listed = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))
        warnings.append(
            f"{name}: {removed_words} of {words} words ({removed_words / words:.0%}) were removed"
            f" ({listed}); check them with `pledges parse --json` (report.removed)"
        )
    return TextReport(
        numbering="un" if any(b.kind == "para" for b in blocks) else "ingest",
        words=words,
        paragraph_words=paragraph_words,
        heading_words=heading_words,
        removed_words=removed_words,
        removed=removed,
        warnings=warnings,
    )


def _document(name: str, given: set[str], **fields: Any) -> Document:
    """The document record, checked by the record's own rules.

    The document record, checked by the record's own rules (symbol, term, session and date
    formats and bounds).

    A value the user gave (``--meta``, a sidecar) that breaks a rule is an error naming the file
    and the field; a value detected in the text that does (a misread date, say) is left null,
    with a warning naming both, as any field that cannot be read is.

    Raises:
        IngestError: A given value is out of range (one line).
    """
    for _ in range(len(fields)):
        try:
            return Document(**fields)
        except ValidationError as e:
            problems: dict[str, str] = {}
            for err in e.errors():
                field = str(err.get("loc", ("metadata",))[0])
                value = err.get("input")
                if isinstance(value, dt.date):
                    value = value.isoformat()
                shown = f"={value!r}" if isinstance(value, (str, int, float)) else ""
                problems.setdefault(field, f"{field}{shown}: {FIELD_RULES.get(field, err['msg'])}")
            detected = [f for f in problems if f not in given and f != "doc_id" and f in fields]
            if not detected:
                # A doc_id derived from a bad symbol is wrong because of the symbol: name it first.
                order = sorted(problems, key=lambda f: f == "doc_id")
                raise IngestError(name, "; ".join(problems[f] for f in order[:2])) from e
            for f in detected:
                log.warning("%s: detected %s left empty (%s)", name, f, problems[f])
                fields[f] = None
    raise IngestError(name, "document metadata could not be validated")  # pragma: no cover


def _document_text(blocks: list[Block]) -> tuple[str, dict[int, int]]:
    """The cleaned document text (blocks joined by a blank line) and each block's offset."""
    offsets: dict[int, int] = {}
    parts: list[str] = []
    pos = 0
    for block in blocks:
        offsets[id(block)] = pos
        parts.append(block.text)
        pos += len(block.text) + len(BLOCK_SEPARATOR)
    return BLOCK_SEPARATOR.join(parts), offsets


def document_text(parsed_blocks: list[Block]) -> str:
    """The cleaned text that paragraph offsets point into."""
    return _document_text(parsed_blocks)[0]


def _check_offsets(text: str, paragraphs: list[Paragraph], name: str) -> None:
    """Offsets must point at the paragraph's text (an invariant of the splitter)."""
    for p in paragraphs:
        if text[p.start : p.end] != p.text:  # pragma: no cover - guarded by property tests
            raise IngestError(name, f"internal error: offsets of paragraph {p.number} are wrong")


def _check_unique(paragraphs: list[Paragraph], name: str) -> None:
    seen: set[str] = set()
    for p in paragraphs:
        if p.id in seen:
            raise IngestError(name, f"paragraph number {p.number} occurs twice")
        seen.add(p.id)


def _apply_overrides(fields: dict[str, Any], overrides: Mapping[str, Any], name: str) -> str | None:
    """Replace detected fields with user-given ones; returns a doc_id override, if any."""
    doc_id: str | None = None
    for key, raw in overrides.items():
        # A value typed in a terminal of another encoding holds undecodable bytes (surrogates).
        value = utf8_text(str(raw).strip()) if raw is not None else ""
        if key == "doc_id":
            doc_id = value or None
            continue
        if not value:
            fields[key] = None
            continue
        if key == "country":
            country = country_from_value(value)
            if country is None:
                raise IngestError(name, f"country={value!r}: not an ISO 3166 code or country name")
            fields[key] = country
        elif key == "language":
            if value not in UN_LANGUAGES:
                raise IngestError(
                    name, f"language={value!r}: expected one of {', '.join(UN_LANGUAGES)}"
                )
            fields[key] = value
        elif key == "date":
            try:
                fields[key] = dt.date.fromisoformat(value)
            except ValueError as e:
                raise IngestError(
                    name, f"date={value!r}: expected an ISO date such as 2022-06-21"
                ) from e
        elif key == "session":
            if not (value.isascii() and value.isdigit()):
                raise IngestError(name, f"session={value!r}: expected a number such as 77")
            fields[key] = int(value)
        elif key == "term":
            m = re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", value)
            if not m:
                raise IngestError(name, f"term={value!r}: expected YYYY-YYYY, e.g. 2023-2025")
            fields[key] = f"{m.group(1)}-{m.group(2)}"
        else:
            fields[key] = value
    return doc_id
