"""Does each sentence of a language model's answer stand on the paragraphs it cites?

Markers and quotes are checked elsewhere (:mod:`assistant.citations`); a model can still write
a sentence whose claim no cited paragraph makes (an invented detail, or one a passage asked it
to say). Each sentence is checked the way a claim is (:mod:`assistant.claims`) and a question's
evidence is (:func:`assistant.abstain.assess`): its topical terms, in any UN language through the
glossary, must be covered by the paragraphs it cites (by all cited paragraphs when it carries no
marker). What fails is reported as a warning on the answer; the extractive path quotes verbatim
and needs no such check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.abstain import assess
from assistant.citations import MARKER_RE, split_sentences
from assistant.terms import question_terms
from vectorstore.records import SearchHit


def citing_text(text: str, number: int) -> str:
    """The sentences of an answer that cite one paragraph.

    The sentences of ``text`` that carry the marker ``[number]`` (markers removed): what the
    answer claims that paragraph says, to pick the quote a reader is shown.
    """
    marker = f"[{number}]"
    return " ".join(MARKER_RE.sub(" ", s) for s in split_sentences(text) if marker in s).strip()


def ungrounded_sentences(text: str, cited: Mapping[int, SearchHit]) -> list[str]:
    """Warnings for the sentences of ``text`` that the paragraphs they cite do not support.

    Args:
        text: The answer (after marker and quote checks).
        cited: Passage number -> the paragraph the answer cites with ``[n]``.
    """
    warnings: list[str] = []
    everything: Sequence[SearchHit] = list(cited.values())
    for sentence in split_sentences(text):
        numbers = [int(m.group(1)) for m in MARKER_RE.finditer(sentence)]
        hits = [cited[n] for n in numbers if n in cited] or everything
        body = MARKER_RE.sub(" ", sentence).strip()
        if not hits or not body:
            continue
        signal = assess(question_terms(body), hits)
        if not signal.abstain:
            continue
        shown = body if len(body) <= 120 else body[:119] + "…"
        where = ", ".join(f"[{n}]" for n in numbers if n in cited) or "the cited paragraphs"
        if signal.needs_judge:
            warnings.append(f"could not check “{shown}” against {where} (other language)")
        else:
            reason = signal.reason.replace("retrieved", "cited")
            warnings.append(f"“{shown}” is not supported by {where}: {reason}")
    return warnings
