"""The Gradio chat app: conversation, citation panel, filters, documents and admin upload.

The app only parses what the user typed, calls :class:`assistant.service.PledgeService` and
renders the records it gets back. Citation markers in answers are links to cards in the citation
panel; a small script in the page head opens and highlights the card a marker points to.
Nothing is loaded from the internet: analytics are off and the theme uses bundled fonts.
"""

from __future__ import annotations

import html
import logging
import os
import queue
import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr
from fastapi import FastAPI

from assistant.fetching import MAX_SYMBOLS
from assistant.limits import LimitError, check_history, check_question
from assistant.render import language_name, md_literal, render_markdown
from assistant.service import PledgeService
from assistant.types import Answer, Citation
from ingest.errors import PledgeError
from ingest.language import UN_LANGUAGES
from ingest.records import Document
from ui.api import access_error, check_upload_size, ingest_upload
from ui.settings import Settings
from vectorstore.errors import StoreError
from vectorstore.records import Filters

log = logging.getLogger(__name__)

#: Example questions, in several languages (each answered by the bundled sample pledge).
EXAMPLES: list[str] = [
    "What did Belgium commit to on the death penalty?",
    "Quels engagements la Belgique a-t-elle pris sur la peine de mort ?",
    "比利时对国际刑事法院的立场是什么？",
    "¿Qué dice Bélgica sobre la libertad de expresión?",
    "Which national action plans has Belgium adopted?",
    "Does Belgium extend a standing invitation to special procedures?",
]

ALL = ""  # dropdown value meaning "no filter"

_MARKER = re.compile(r"\[(\d+)\]")


CSS = """
#citations .turn > summary { cursor: pointer; font-weight: 600; margin: 0.4em 0; }
#citations .cite-card { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 0.7em 0.9em; margin: 0 0 0.8em 0; background: var(--background-fill-primary);
  transition: box-shadow 0.2s, border-color 0.2s; }
#citations .cite-card.active { border-color: var(--color-accent);
  box-shadow: 0 0 0 3px var(--color-accent-soft); }
#citations .cite-head { display: flex; flex-wrap: wrap; gap: 0.4em; align-items: baseline; }
#citations .cite-marker { font-weight: 700; color: var(--color-accent); }
#citations .cite-meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
#citations .cite-num { font-weight: 600; }
#citations .cite-text { margin: 0.5em 0; line-height: 1.6; white-space: pre-wrap; }
#citations mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
#citations .aligned { margin-top: 0.4em; font-size: 0.92em; }
#citations .aligned p { margin: 0.3em 0; white-space: pre-wrap; }
#citations .cite-link { font-size: 0.9em; }
#citations .note { color: var(--body-text-color-subdued); font-size: 0.9em; }
#citations .empty { color: var(--body-text-color-subdued); }
#chat a[href*="#cite-"] { text-decoration: none; font-weight: 600; color: var(--color-accent);
  font-size: 0.85em; vertical-align: super; padding: 0 1px; }
#chat a[href*="#cite-"]:hover { text-decoration: underline; }
#chat div[dir] { text-align: start; }
"""

#: Delegated click handler: a marker link ``#cite-…`` opens, scrolls to and highlights its card.
HEAD = """
<script>
(function () {
  function show(id) {
    var el = document.getElementById(id);
    if (!el) { return false; }
    var d = el.closest("details");
    while (d) { d.open = true; d = d.parentElement ? d.parentElement.closest("details") : null; }
    document.querySelectorAll(".cite-card.active").forEach(function (e) {
      e.classList.remove("active");
    });
    el.classList.add("active");
    el.scrollIntoView({behavior: "smooth", block: "center"});
    return true;
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest('a[href*="#cite-"]') : null;
    if (!a) { return; }
    var id = a.getAttribute("href").split("#").pop();
    if (show(id)) { ev.preventDefault(); ev.stopPropagation(); }
  }, true);
})();
</script>
"""


# -- rendering -----------------------------------------------------------------------------------


def card_id(turn: int, marker: str) -> str:
    """The HTML id of the citation card for ``marker`` (e.g. "[1]") in answer number ``turn``."""
    return f"cite-{turn}-{marker.strip('[]')}"


def render_answer(answer: Answer, turn: int) -> str:
    """The answer as chat markdown, each known ``[n]`` marker a link to its citation card.

    Everything but the marker links is text (quotes, labels, warnings), shown literally.
    """
    known = {c.marker for c in answer.citations}
    # The direction the answer is written in (its first strong letter: the frame sentence),
    # as a mark before each marker: a number after right-to-left text (an Arabic document
    # title before a quote) is otherwise drawn inside that text, far from where it belongs.
    mark = "&rlm;" if _right_to_left(answer.answer) else "&lrm;"
    pieces: list[str] = []
    for text, language in _quote_spans(answer):
        if language is not None:
            # A quote is data: never scanned for markers, and isolated, so that a right-to-left
            # quote in a left-to-right line (or the reverse) keeps its quotation marks and the
            # marker after it in place instead of taking them into its own direction.
            lang = f' lang="{language}"' if language else ""
            pieces.append(f'<bdi dir="auto"{lang}>{md_literal(text)}</bdi>')
            continue
        pos = 0
        for m in _MARKER.finditer(text):
            pieces.append(md_literal(text[pos : m.start()]))
            marker = m.group(0)
            if marker in known:
                pieces.append(f"{mark}[\\[{m.group(1)}\\]](#{card_id(turn, marker)})")
            else:
                pieces.append(md_literal(marker))
            pos = m.end()
        pieces.append(md_literal(text[pos:]))
    lines = ["".join(pieces)]
    if answer.standalone_question and answer.standalone_question != answer.question:
        lines.append(f"\n<small>Searched as: {md_literal(answer.standalone_question)}</small>")
    if answer.citations:
        sources = " · ".join(
            f"[\\[{c.marker.strip('[]')}\\]](#{card_id(turn, c.marker)}) "
            f"{md_literal(c.country_name or c.country or '')} ¶{md_literal(c.number)}"
            for c in answer.citations
        )
        lines.append(f"\n<small>Sources: {sources}</small>")
    if answer.abstained and answer.related:
        related = ", ".join(f"¶{md_literal(c.number)}" for c in answer.related)
        lines.append(f"\n<small>Related paragraphs (not an answer): {related}</small>")
    for warning in answer.warnings:
        lines.append(f"\n<small>Note: {md_literal(warning)}</small>")
    # The block takes the answer's direction (an Arabic frame reads right to left); the blank
    # lines keep its content markdown.
    direction = "rtl" if mark == "&rlm;" else "ltr"
    return f'<div dir="{direction}">\n\n' + "\n".join(lines) + "\n\n</div>"


def _right_to_left(text: str) -> bool:
    """Whether the first strong letter of ``text`` is right-to-left (Arabic, Hebrew…)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("L", "R", "AL"):
            return kind != "L"
    return False


def _quote_spans(answer: Answer) -> list[tuple[str, str | None]]:
    """The answer's text cut into runs: ``(text, None)`` outside quotes, ``(quote, language)``.

    A quote is a citation's ``quote`` where the answer shows it, in order; the language is the
    citation's ("" when unknown). An LLM's prose that does not repeat a quote has no quote runs.
    """
    text = answer.answer
    runs: list[tuple[str, str | None]] = []
    pos = 0
    for c in answer.citations:
        if not c.quote:
            continue
        start = text.find(c.quote, pos)
        if start < 0:  # not shown (an LLM's prose), or shown out of order
            continue
        runs.append((text[pos:start], None))
        runs.append((c.quote, c.language or ""))
        pos = start + len(c.quote)
    runs.append((text[pos:], None))
    return [(t, lang) for t, lang in runs if t]


def _highlight(text: str, quote: str) -> str:
    """The paragraph as HTML with the quoted span wrapped in ``<mark>``."""
    if quote and quote in text:
        i = text.index(quote)
        return (
            html.escape(text[:i])
            + "<mark>"
            + html.escape(quote)
            + "</mark>"
            + html.escape(text[i + len(quote) :])
        )
    return html.escape(text)


def render_card(
    citation: Citation,
    turn: int,
    paragraph_text: str | None,
    document: Document | None,
    anchor: str | None = None,
) -> str:
    """One citation card: where the words come from, the whole paragraph, other languages.

    Args:
        citation: What the answer cites.
        turn: Index of the answer in the conversation (card ids are unique per answer).
        paragraph_text: The whole paragraph from the store (None when it could not be read).
        document: The cited document, for its label and link.
        anchor: The card's HTML id; by default derived from the turn and the marker.
    """
    c = citation
    label = c.symbol or (document.label if document else None) or c.title or c.doc_id
    country = c.country_name or (document.country.name if document and document.country else None)
    meta = " · ".join(
        html.escape(part)
        for part in (
            f"{country} ({c.country})" if country and c.country else country or c.country or "",
            label,
            language_name(c.language),
        )
        if part
    )
    text = paragraph_text if paragraph_text is not None else c.quote
    body = _highlight(text, c.quote)
    lang_attr = f' lang="{c.language}"' if c.language else ""
    parts = [
        f'<div class="cite-card" id="{anchor or card_id(turn, c.marker)}"'
        f' data-paragraph="{html.escape(c.id)}">',
        '<div class="cite-head">',
        f'<span class="cite-marker">{html.escape(c.marker)}</span>',
        f'<span class="cite-num">¶{html.escape(c.number)}</span>',
        f'<span class="cite-meta">{meta}</span>',
        "</div>",
        f'<div class="cite-text" dir="auto"{lang_attr}>{body}</div>',
    ]
    if paragraph_text is not None and c.quote and c.quote not in paragraph_text:
        parts.append(f'<div class="note">Quoted: “{html.escape(c.quote)}”</div>')
    if c.aligned:
        langs = ", ".join(language_name(a.language) for a in c.aligned)
        parts.append(f'<details class="aligned"><summary>Also in: {html.escape(langs)}</summary>')
        for a in c.aligned:
            a_lang = f' lang="{a.language}"' if a.language else ""
            link = (
                f' <a href="{html.escape(a.url)}" target="_blank" rel="noopener noreferrer">'
                "official copy</a>"
                if a.url
                else ""
            )
            parts.append(
                f'<p dir="auto"{a_lang}><b>'
                f"{html.escape(language_name(a.language))} ¶{html.escape(a.number)}"
                f"</b> {html.escape(a.text)}{link}</p>"
            )
        parts.append("</details>")
    url = c.url or (document.url if document else None)
    if url:
        parts.append(
            f'<div class="cite-link"><a href="{html.escape(url)}" target="_blank"'
            f' rel="noopener noreferrer">Official copy ({html.escape(url)})</a></div>'
        )
    else:
        parts.append(
            '<div class="note">No link to an official copy: the document does not carry'
            " its UN symbol.</div>"
        )
    parts.append("</div>")
    return "\n".join(parts)


def render_turn(service: PledgeService, answer: Answer, turn: int) -> str:
    """The citation cards of one answer.

    The citation cards of one answer (whole paragraphs fetched from the store); when the
    answer abstained, the related paragraphs instead, marked as such.
    """
    docs = {d.doc_id: d for d in _safe_documents(service)}
    cards = []
    related = not answer.citations
    for i, c in enumerate(answer.related if related else answer.citations, 1):
        try:
            text: str | None = service.paragraph(c.doc_id, c.number).text
        except PledgeError as e:
            log.warning("citation %s: paragraph not found: %s", c.id, e)
            text = None
        anchor = f"cite-{turn}-r{i}" if related else None
        cards.append(render_card(c, turn, text, docs.get(c.doc_id), anchor=anchor))
    if not cards:
        return '<p class="empty">No paragraph of the stored pledges answers this question.</p>'
    if related:
        cards.insert(0, '<p class="note">Related paragraphs (the answer abstained):</p>')
    return "\n".join(cards)


def render_panel(turns: Sequence[dict[str, Any]]) -> str:
    """The panel: the latest answer's cards open, earlier answers folded below."""
    if not turns:
        return '<p class="empty">Ask a question: the paragraphs it cites appear here.</p>'
    out = []
    last = len(turns) - 1
    for i in range(last, -1, -1):
        t = turns[i]
        question = html.escape(t["question"])
        opened = " open" if i == last else ""
        out.append(
            f'<details class="turn" data-turn="{i}"{opened}><summary>Q{i + 1}: {question}'
            f"</summary>{t['html']}</details>"
        )
    return "\n".join(out)


def _safe_documents(service: PledgeService) -> list[Document]:
    return _documents_or_error(service)[0]


def _documents_or_error(service: PledgeService) -> tuple[list[Document], PledgeError | None]:
    """The stored documents, or none and the reason they cannot be listed."""
    try:
        return service.documents(), None
    except PledgeError as e:
        log.warning("could not list documents: %s", e)
        return [], e


def documents_notice(error: PledgeError | None) -> str:
    """What the Documents tab says above its table: nothing, or why it is empty.

    A store that cannot be reached says so with the store's own message (which names the
    server and the setting) and what to do; the table is empty because of it, not because
    nothing is stored.
    """
    if error is None:
        return ""
    if isinstance(error, StoreError) and error.status_code == 503:
        return (
            "⚠️ **The store cannot be reached, so no document can be listed and questions"
            f" cannot be answered.** {md_literal(str(error))}\n\nOnce it is back, reload"
            " this page: the server reconnects by itself, no restart needed."
        )
    return f"⚠️ **The documents cannot be listed.** {md_literal(str(error))}"


def bundle_markdown(answer: Answer) -> str:
    """The citation bundle of an answer, as markdown (the CLI's formatter)."""
    return render_markdown(answer)


def filter_choices(
    docs: Sequence[Document],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(label, value) choices for the country, language and term filters, from the store."""
    countries = sorted({(d.country.name, d.country.code) for d in docs if d.country})
    languages = sorted({d.language for d in docs if d.language})
    terms = sorted({d.term for d in docs if d.term})
    return (
        [("All countries", ALL), *countries],
        [("All languages", ALL)] + [(language_name(x), x) for x in languages],
        [("All terms", ALL)] + [(t, t) for t in terms],
    )


def document_rows(docs: Sequence[Document]) -> list[list[str]]:
    """The documents table: one row per stored document."""
    return [
        [
            d.label,
            d.country.name if d.country else "",
            language_name(d.language),
            d.term or "",
            d.date.isoformat() if d.date else "",
            d.doc_id,
        ]
        for d in docs
    ]


def _message_text(message: dict[str, Any]) -> str:
    """Text of a chat message, as the user typed it.

    Text of a chat message in Gradio 6's normalised format (content is a list of parts),
    as the user typed it. Only text parts count: the chat never takes files.
    """
    content = message.get("content")
    if isinstance(content, str):
        return html.unescape(content)
    if isinstance(content, list):
        return html.unescape(
            " ".join(
                str(part.get("text") or "")
                for part in content
                if isinstance(part, dict) and part.get("type", "text") == "text"
            ).strip()
        )
    return ""


def text_history(history: Sequence[Any]) -> list[dict[str, str]]:
    """The chat history reduced to text messages.

    The chat history reduced to text messages: what the client sends back is data, and a
    message that is not text (a file, a component) is dropped rather than echoed.
    """
    out: list[dict[str, str]] = []
    for m in history or ():
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        content = m.get("content")
        if isinstance(content, list) and any(
            isinstance(p, dict) and p.get("type", "text") != "text" for p in content
        ):
            continue
        text = _message_text(m)
        if text:
            out.append(
                {
                    "role": m["role"],
                    "content": md_literal(text) if m["role"] == "user" else _raw_text(m),
                }
            )
    return out


def _raw_text(message: dict[str, Any]) -> str:
    """An assistant message as the server rendered it (markdown built by :func:`render_answer`)."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    return " ".join(str(p.get("text") or "") for p in content or () if isinstance(p, dict)).strip()


def _filters(country: str | None, language: str | None, term: str | None) -> Filters | None:
    filters = Filters(
        country=country or None,
        language=language if language in UN_LANGUAGES else None,
        term=term or None,
    )
    return None if filters.is_empty() else filters


def _error_text(e: BaseException) -> str:
    if isinstance(e, PledgeError):
        return f"⚠️ {md_literal(str(e))}"
    return (
        f"⚠️ Something went wrong while answering ({type(e).__name__}). "
        "The server log has the details; please try again or rephrase."
    )


# -- official copies ---------------------------------------------------------------------------

_FETCH_MARKS = {
    "fetched": "✓",
    "unchanged": "=",
    "duplicate": "≡",
    "not_published": "–",
    "failed": "✗",
}


def fetch_lines(item: Any) -> str:
    """One markdown line for one language version of a fetch (document text never inside)."""
    what = item.status.replace("_", " ")
    if item.error:  # may quote what a server or a file said: shown as characters
        detail = f": {md_literal(item.error)}"
    elif item.status == "duplicate":  # the same bytes are stored as this document
        detail = f" of `{item.doc_id}`, not stored twice"
    else:
        detail = f", {item.paragraphs} ¶" if item.paragraphs else ""
    return f"- {_FETCH_MARKS[item.status]} `{item.symbol}` {item.language}: {what}{detail}"


def run_fetch(
    service: PledgeService,
    symbols_text: str,
    languages: Sequence[str] | None,
    ingest: bool,
    session: int | None = None,
) -> Iterator[str]:
    """Fetch official copies, yielding the status as each version is done.

    Fetch official copies (the caller has checked the admin token), yielding the status
    markdown as each language version is done; the summary comes last. With ``session``, the
    Digital Library's candidature notes of that General Assembly session are fetched too.
    """
    symbols = [s for s in re.split(r"[\s,;]+", symbols_text or "") if s]
    if not symbols and session is None:
        yield "Name at least one UN symbol, e.g. `A/77/89`, or a session."
        return
    if len(symbols) > MAX_SYMBOLS:
        yield f"{len(symbols)} symbols is over the limit of {MAX_SYMBOLS} for one fetch."
        return
    events: queue.Queue[Any] = queue.Queue()

    def progress(item: Any, done: int, total: int) -> None:
        events.put((item, done, total))

    def run() -> None:
        try:
            events.put(  # the store serialises writes
                service.fetch(
                    symbols,
                    session=session,
                    languages=list(languages or []) or None,
                    ingest=ingest,
                    progress=progress,
                )
            )
        except Exception as e:  # shown as a line, never as a traceback
            if not isinstance(e, PledgeError):
                log.exception("fetch of %s failed", symbols)
            events.put(e)

    threading.Thread(target=run, name="fetch-ui", daemon=True).start()
    lines: list[str] = []
    while True:
        event = events.get()
        if isinstance(event, tuple):
            item, done, total = event
            lines.append(fetch_lines(item))
            yield f"Fetching… {done}/{total}\n\n" + "\n".join(lines)
            continue
        if isinstance(event, BaseException):
            yield "\n".join([*lines, f"- ✗ {_error_text(event)}"])
            return
        counts = {s: sum(1 for i in event.items if i.status == s) for s in _FETCH_MARKS}
        summary = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items() if n)
        yield f"Done in {event.seconds:.1f} s: {summary or 'nothing to do'}\n\n" + "\n".join(lines)
        return


# -- the app -------------------------------------------------------------------------------------


def build_ui(service: PledgeService) -> gr.Blocks:
    """The chat app over ``service`` (not yet mounted; see :func:`mount_ui`)."""
    settings = Settings.of(service.settings)
    limits = settings.requests.limits

    def store_views() -> tuple[Any, ...]:
        """Rows of the documents table, why it is empty if the store failed, filter choices."""
        docs, error = _documents_or_error(service)
        countries, languages, terms = filter_choices(docs)
        return (
            document_rows(docs),
            documents_notice(error),
            gr.Dropdown(choices=countries),
            gr.Dropdown(choices=languages),
            gr.Dropdown(choices=terms),
        )

    def chat(
        message: str,
        history: list[dict[str, Any]],
        turns: list[dict[str, Any]],
        country: str,
        language: str,
        term: str,
    ) -> Iterator[tuple[Any, ...]]:
        """Answer one chat message, streaming the text when an LLM writes it.

        The question and the earlier questions pass the same limits as ``/v1/ask``
        (:mod:`assistant.limits`) before any work is done on them.
        """
        history = text_history(history)
        turns = list(turns or [])
        if not (message or "").strip():
            yield history, render_panel(turns), turns, ""
            return
        try:
            earlier = check_history(
                [_message_text(m) for m in history if m.get("role") == "user"], limits
            )
            message = check_question(message, limits)
        except LimitError as e:
            shown = (message or "").strip()
            shown = shown if len(shown) <= 200 else shown[:200] + "…"
            history.append({"role": "user", "content": md_literal(shown)})
            history.append({"role": "assistant", "content": _error_text(e)})
            yield history, render_panel(turns), turns, ""
            return
        history.append({"role": "user", "content": md_literal(message)})
        yield [*history, {"role": "assistant", "content": "…"}], render_panel(turns), turns, ""
        turn = len(turns)
        try:
            filters = _filters(country, language, term)
            answer: Answer | None = None
            if service.llm is not None:
                text = ""
                for chunk in service.stream_ask(message, history=earlier, filters=filters):
                    if isinstance(chunk, Answer):
                        answer = chunk
                    else:
                        text += chunk
                        partial = {"role": "assistant", "content": md_literal(text) + " ▌"}
                        yield [*history, partial], render_panel(turns), turns, ""
            else:
                answer = service.ask(message, history=earlier, filters=filters)
            if answer is None:
                raise PledgeError("the answer stream ended without an answer")
            turns.append(
                {
                    "question": message,
                    "answer": answer.model_dump(mode="json"),
                    "html": render_turn(service, answer, turn),
                }
            )
            history.append({"role": "assistant", "content": render_answer(answer, turn)})
        except Exception as e:  # shown as a message, never as a traceback
            if not isinstance(e, PledgeError):
                log.exception("chat failed for %r", message)
            history.append({"role": "assistant", "content": _error_text(e)})
        yield history, render_panel(turns), turns, ""

    def copy_bundle(turns: list[dict[str, Any]]) -> Any:
        if not turns:
            gr.Info("Ask a question first: the bundle cites the latest answer.")
            return gr.Code(value="", visible=True)
        answer = Answer.model_validate(turns[-1]["answer"])
        try:
            return gr.Code(value=bundle_markdown(answer), visible=True)
        except Exception as e:
            log.exception("citation bundle failed")
            return gr.Code(value=f"Could not build the citation bundle: {e}", visible=True)

    def clear() -> tuple[Any, ...]:
        return [], render_panel([]), [], "", gr.Code(value="", visible=False)

    def upload(
        files: list[str] | None,
        token: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        """Ingest uploaded files (admins only), reporting progress per file."""
        # The API's rule, with the token typed in the admin tab as the bearer token.
        denied = access_error(settings, "admin", f"Bearer {token}" if token else None)
        if denied is not None and denied.code == "writes_disabled":
            return (
                "⚠️ Uploads are disabled on this server: set PLEDGES_ADMIN_TOKEN and restart.",
                *store_views(),
            )
        if denied is not None:
            return ("⚠️ The admin token is missing or wrong.", *store_views())
        if not files:
            return ("Choose one or more files to ingest first.", *store_views())
        lines = []
        batch = service.ingest_batch()  # files of one upload do not overwrite each other
        for i, f in enumerate(files):
            path = Path(f)
            name = path.name
            progress((i, len(files)), desc=f"Ingesting {name}", unit="files")
            try:
                check_upload_size(path.stat().st_size, limits, name)

                def embedded(
                    _done: int, _total: int, paragraphs: int, _i: int = i, _name: str = name
                ) -> None:
                    progress((_i, len(files)), desc=f"Embedding {_name}: {paragraphs} paragraphs")

                report = ingest_upload(
                    service, path.read_bytes(), name, progress=embedded, batch=batch
                )
                for r in report.files:
                    if r.status == "failed":
                        lines.append(f"- ✗ **{md_literal(r.path)}**: {md_literal(r.error or '')}")
                    elif r.status == "duplicate":
                        lines.append(f"- = **{md_literal(r.path)}**: {md_literal(r.note or '')}")
                    else:
                        lines.append(
                            f"- ✓ **{md_literal(r.path)}**: {r.status}, {r.paragraphs} paragraphs"
                        )
            except StoreError as e:  # the store's failure, not the file's: stop here
                left = len(files) - i - 1
                rest = f"; {left} more file(s) not tried" if left else ""
                lines.append(
                    f"- ✗ **{md_literal(name)}** was not ingested: the store failed, not the"
                    f" file{rest}. {md_literal(str(e))}"
                )
                break
            except PledgeError as e:
                lines.append(f"- ✗ {md_literal(str(e))}")
            except Exception as e:
                log.exception("upload of %s failed", name)
                lines.append(
                    f"- ✗ {md_literal(name)}: {type(e).__name__}; the server log has the details"
                )
        progress((len(files), len(files)), desc="Done", unit="files")
        return ("\n".join(lines), *store_views())

    def fetch_official(
        symbols_text: str,
        session: float | None,
        languages: list[str],
        no_ingest: bool,
        token: str,
    ) -> Iterator[tuple[Any, ...]]:
        """Fetch official copies from the UN (admins only), with a line per language version."""
        # The API's rule, with the token typed in the admin tab as the bearer token.
        denied = access_error(settings, "admin", f"Bearer {token}" if token else None)
        if denied is not None and denied.code == "writes_disabled":
            yield (
                "⚠️ Fetching is disabled on this server: set PLEDGES_ADMIN_TOKEN and restart.",
                *store_views(),
            )
            return
        if denied is not None:
            yield ("⚠️ The admin token is missing or wrong.", *store_views())
            return
        text = ""
        number = int(session) if session else None
        for text in run_fetch(service, symbols_text, languages, not no_ingest, number):
            yield (text, *(gr.skip() for _ in store_outputs))
        yield (text, *store_views())

    # Choices known when the app is built (API clients are checked against these); every page
    # load refreshes them, so documents uploaded later show up.
    initial = filter_choices(_safe_documents(service))

    # Files uploaded for ingest are deleted after an hour (checked every ten minutes); the
    # server accepts at most PLEDGES_MAX_PENDING_UPLOADS chat uploads an hour (assistant.limits).
    with gr.Blocks(
        title="Pledge Assistant", analytics_enabled=False, delete_cache=(600, 3600)
    ) as demo:
        turns_state = gr.State([])
        gr.Markdown(
            "## Pledge Assistant\n"
            "Cited answers from the voluntary pledges of candidates to the UN Human Rights "
            "Council. Click a marker such as **[1]** to see the paragraph it stands on."
        )
        with gr.Tab("Ask"), gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    label="Conversation",
                    height=480,
                    buttons=["copy"],
                    feedback_options=None,
                    placeholder="Ask in any of the six UN languages.",
                    # Answers are text: no math rendering, HTML sanitised besides
                    # (render_answer already writes quoted text as literal characters).
                    latex_delimiters=[],
                    sanitize_html=True,
                )
                with gr.Row():
                    question = gr.Textbox(
                        elem_id="question",
                        show_label=False,
                        placeholder="Ask a question about the pledges…",
                        scale=5,
                        lines=1,
                        max_lines=4,
                        max_length=limits.question_chars,
                    )
                    ask_btn = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                with gr.Row():
                    country = gr.Dropdown(
                        initial[0], value=ALL, label="Country", elem_id="f-country"
                    )
                    language = gr.Dropdown(
                        initial[1], value=ALL, label="Language", elem_id="f-lang"
                    )
                    term = gr.Dropdown(initial[2], value=ALL, label="Term", elem_id="f-term")
                gr.Examples(EXAMPLES, inputs=question, label="Example questions")
                new_btn = gr.Button("New conversation", size="sm", elem_id="new")
            with gr.Column(scale=2):
                gr.Markdown("### Cited paragraphs")
                panel = gr.HTML(render_panel([]), elem_id="citations", js_on_load=None)
                copy_btn = gr.Button("Copy citation", size="sm", elem_id="copy-citation")
                bundle = gr.Code(
                    language="markdown",
                    label="Citation bundle (markdown)",
                    visible=False,
                    elem_id="bundle",
                    interactive=False,
                    wrap_lines=True,
                )
        with gr.Tab("Documents"):
            docs_notice = gr.Markdown(elem_id="documents-notice")
            docs_table = gr.Dataframe(
                headers=["Document", "Country", "Language", "Term", "Date", "doc_id"],
                interactive=False,
                elem_id="documents",
                wrap=True,
            )
            with gr.Accordion("Add documents (admins)", open=False):
                gr.Markdown(
                    "Upload pledge files (txt, md, pdf, docx, html) to ingest them. "
                    "Needs the server's admin token (PLEDGES_ADMIN_TOKEN)."
                )
                token = gr.Textbox(label="Admin token", type="password", elem_id="admin-token")
                files = gr.File(
                    label="Files",
                    file_count="multiple",
                    file_types=[".txt", ".md", ".pdf", ".docx", ".html", ".htm"],
                    type="filepath",
                    elem_id="upload-files",
                )
                ingest_btn = gr.Button("Ingest", variant="primary", elem_id="ingest")
                status = gr.Markdown(elem_id="ingest-status")
            with gr.Accordion("Fetch official copies from the UN (admins)", open=False):
                gr.Markdown(
                    "Download each language version of UN documents by symbol from the UN's"
                    " document system, check it, keep it and ingest it. Uses the admin token"
                    " above."
                )
                fetch_symbols_box = gr.Textbox(
                    label="Symbols", placeholder="A/77/89 A/77/90", elem_id="fetch-symbols"
                )
                fetch_session = gr.Number(
                    label="…or a General Assembly session (its candidature notes, found in the"
                    " UN Digital Library)",
                    precision=0,
                    minimum=1,
                    maximum=200,
                    value=None,
                    elem_id="fetch-session",
                )
                fetch_langs = gr.CheckboxGroup(
                    choices=[(language_name(c), c) for c in UN_LANGUAGES],
                    value=list(UN_LANGUAGES),
                    label="Languages",
                    elem_id="fetch-languages",
                )
                fetch_no_ingest = gr.Checkbox(label="Keep the PDFs only (do not ingest)")
                fetch_btn = gr.Button("Fetch", variant="primary", elem_id="fetch")
                fetch_status = gr.Markdown(elem_id="fetch-status")

        store_outputs = [docs_table, docs_notice, country, language, term]
        demo.load(store_views, outputs=store_outputs, api_visibility="private")
        chat_inputs = [question, chatbot, turns_state, country, language, term]
        chat_outputs = [chatbot, panel, turns_state, question]
        question.submit(chat, chat_inputs, chat_outputs, api_name="chat")
        ask_btn.click(chat, chat_inputs, chat_outputs, api_visibility="private")
        cleared = [chatbot, panel, turns_state, question, bundle]
        new_btn.click(clear, None, cleared, api_visibility="private")
        chatbot.clear(clear, None, cleared, api_visibility="private")
        copy_btn.click(copy_bundle, turns_state, bundle, api_visibility="private").then(
            None,
            bundle,
            None,
            js="(t) => { if (t && navigator.clipboard) { navigator.clipboard.writeText(t)"
            ".catch(() => {}); } }",
        )
        ingest_btn.click(
            upload,
            [files, token],
            [status, *store_outputs],
            api_visibility="private",
        )
        fetch_btn.click(
            fetch_official,
            [fetch_symbols_box, fetch_session, fetch_langs, fetch_no_ingest, token],
            [fetch_status, *store_outputs],
            api_visibility="private",
        )
    return demo


def mount_ui(app: FastAPI, service: PledgeService, path: str = "/") -> FastAPI:
    """Mount the chat app on ``app`` at ``path`` (after the API routes, which keep priority).

    When ``PLEDGES_API_TOKEN`` is set the chat asks for it as a password, so the UI is no back
    door around the API's read protection.
    """
    settings = Settings.of(service.settings)
    api_token = settings.server.api_token
    auth = None
    if api_token:

        def auth(username: str, password: str) -> bool:
            # The API's read rule: the read token (or the admin token) as the bearer token.
            return access_error(settings, "read", f"Bearer {password}") is None

    demo = build_ui(service)
    store_dir = Path(settings.store.store).resolve()
    mounted = gr.mount_gradio_app(
        app,
        demo,
        path=path,
        css=CSS,
        head=HEAD,
        footer_links=["api"],
        run_history=False,
        auth=auth,
        auth_message="Enter the server's PLEDGES_API_TOKEN as the password (any user name).",
        ssr_mode=False,
        mcp_server=False,
        max_file_size=settings.requests.limits.upload_bytes,
        show_error=False,
        # Nothing outside Gradio's own upload and cache folders is served; the store is named
        # explicitly in case it lies under the working directory or the temp folder.
        allowed_paths=[],
        blocked_paths=[str(store_dir)],
    )
    # Gradio checks that a file named in a request was uploaded through it (and not any path
    # on the server) only once the app counts as launched: ``launch()`` sets this flag,
    # ``mount_gradio_app`` does not, so without it a chat request naming a server path in its
    # history had that file copied to the cache and served.
    demo.has_launched = True
    return mounted
