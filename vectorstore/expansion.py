"""Cross-language query expansion from a glossary of UN human-rights terms.

A delegate asks in English about a pledge filed in Chinese. The embedder bridges most of that
gap, but fixed UN terms ("death penalty" / 死刑, "standing invitation" / 长期邀请) are where a
small model slips and where BM25 cannot help at all across scripts. The glossary
(``glossary.json``, read by :mod:`vectorstore.glossary`) lists such terms per concept in the six
UN languages; a query that mentions one term of a concept is expanded with the concept's terms in
the other languages. Concepts marked ``"expand": false`` (words every pledge uses) and prefix
terms written with ``*`` (used only by the assistant's key-term coverage) are left out.

Matching is done on index terms (:func:`vectorstore.lexical.tokenize`), so inflections match
("смертной казни" and "смертная казнь" share their stems) and stopwords do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from vectorstore.glossary import DEFAULT_GLOSSARY, GlossaryEntry, bundled_glossary, load_glossary
from vectorstore.lexical import normalize_text, tokenize

__all__ = ["DEFAULT_GLOSSARY", "Concept", "Expansion", "Glossary", "default_glossary"]
_LATIN = ("en", "fr", "es")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Concept:
    """One glossary entry: an id and its terms per language."""

    id: str
    terms: dict[str, tuple[str, ...]]


@dataclass
class Expansion:
    """What a query matched and the terms it adds, per language."""

    concepts: list[str] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.concepts)

    def add(self, concept: Concept, max_terms: int) -> None:
        """Add a concept and its first ``max_terms`` terms per language."""
        self.concepts.append(concept.id)
        for lang, terms in concept.terms.items():
            bucket = self.terms.setdefault(lang, [])
            for t in terms[:max_terms]:
                if t not in bucket:
                    bucket.append(t)

    def text(self, languages: list[str] | None = None) -> str:
        """Expansion terms as one string (only the given languages, when given)."""
        langs = languages if languages else list(self.terms)
        return "; ".join(t for lang in langs for t in self.terms.get(lang, []))


class Glossary:
    """Concepts and a matcher over them.

    Args:
        concepts: The glossary entries.
        max_terms: Terms per language and concept used for expansion (the first ones are the
            canonical names; later ones are variants that only help matching).
    """

    def __init__(self, concepts: list[Concept], max_terms: int = 3) -> None:
        self.concepts = concepts
        self.max_terms = max_terms
        # Per concept: (language, token sequence) of non-CJK terms and normalized CJK strings.
        self._patterns: list[tuple[Concept, list[tuple[str, tuple[str, ...]]], list[str]]] = []
        for c in concepts:
            seqs: list[tuple[str, tuple[str, ...]]] = []
            cjk: list[str] = []
            for lang, terms in c.terms.items():
                for term in terms:
                    if lang == "zh":
                        cjk.append(normalize_text(term).replace(" ", ""))
                    else:
                        toks = tuple(tokenize(term, lang))
                        # A phrase that stopwords reduced to one word ("estado de derecho" ->
                        # "derech") would match far too much: keep only what stays specific.
                        if toks and (len(toks) > 1 or len(_WORD.findall(term)) == 1):
                            seqs.append((lang, toks))
            self._patterns.append((c, seqs, cjk))

    @classmethod
    def load(cls, path: Path | str | None = None) -> Glossary:
        """Read a glossary JSON file (the bundled one by default).

        Raises:
            ConfigError: The file is missing or not shaped like ``glossary.json``.
        """
        return cls.from_entries(load_glossary(path))

    @classmethod
    def from_entries(cls, entries: Iterable[GlossaryEntry]) -> Glossary:
        """The expansion glossary of the entries marked for expansion, without prefix terms."""
        concepts = []
        for e in entries:
            if not e.expand:
                continue
            terms = {
                lang: kept
                for lang, ts in e.terms.items()
                if (kept := tuple(t for t in ts if "*" not in t))
            }
            if terms:
                concepts.append(Concept(e.id, terms))
        return cls(concepts)

    def expand(self, query: str) -> Expansion:
        """The concepts ``query`` mentions and their terms in every language.

        When two concepts match overlapping words, only the longer match counts
        ("Universal Periodic Review" is the review, not "universality").
        """
        # A term is compared with the query stemmed the way the term's language stems, so a
        # short query whose language is misdetected still matches (en/fr/es stem differently).
        q_tokens = {lang: tokenize(query, lang) for lang in _LATIN}
        # Words a pattern's first word can match (see _same_stem): a quick test that skips
        # nearly every pattern before the positional scan.
        q_first = {
            lang: set(toks) | {t[:4] for t in toks if len(t) >= 4 and not t.isascii()}
            for lang, toks in q_tokens.items()
        }
        q_cjk = normalize_text(query).replace(" ", "")
        # (concept index, where: language key or "zh", start, end) of every match
        matches: list[tuple[int, str, int, int]] = []
        for ci, (_concept, seqs, cjk) in enumerate(self._patterns):
            for lang, seq in seqs:
                key = lang if lang in _LATIN else "en"
                first = seq[0]
                if first not in q_first[key] and (
                    first.isascii() or len(first) < 4 or first[:4] not in q_first[key]
                ):
                    continue
                # Stopwords are one set for all languages and every other word gives one
                # token, so positions agree across the en/fr/es token lists: one key.
                for start in _find(q_tokens[key], seq):
                    matches.append((ci, "words", start, start + len(seq)))
            for term in cjk:
                start = q_cjk.find(term) if term else -1
                while start >= 0:
                    matches.append((ci, "zh", start, start + len(term)))
                    start = q_cjk.find(term, start + 1)
        kept = {
            ci
            for ci, key, a, b in matches
            if not any(
                cj != ci and k2 == key and a2 <= a and b <= b2 and (b2 - a2) > (b - a)
                for cj, k2, a2, b2 in matches
            )
        }
        out = Expansion()
        for ci in sorted(kept):
            out.add(self._patterns[ci][0], self.max_terms)
        return out

    def concept(self, concept_id: str) -> Concept:
        """The concept with this id.

        Raises:
            KeyError: No such concept.
        """
        for c in self.concepts:
            if c.id == concept_id:
                return c
        raise KeyError(concept_id)


def _find(haystack: list[str], needle: tuple[str, ...]) -> list[int]:
    """Start positions of ``needle`` as a contiguous run in ``haystack``."""
    n = len(needle)
    if n == 0 or n > len(haystack):
        return []
    return [
        i
        for i in range(len(haystack) - n + 1)
        if all(_same_stem(h, w) for h, w in zip(haystack[i : i + n], needle, strict=True))
    ]


def _same_stem(a: str, b: str) -> bool:
    """Equal, or one of at least 4 letters is a prefix of the other that is at most 2 letters
    longer: Snowball stems inflected forms unevenly ("органы" -> "орга", "органами" ->
    "орган"), while "прав" must not match "правозащитник"."""
    if a == b:
        return True
    if a.isascii() or b.isascii():
        # Latin words are stemmed evenly by Snowball; prefix leeway there only makes false
        # friends across languages (French "fait" is not English "faith").
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and len(long_) - len(short) <= 2 and long_.startswith(short)


@lru_cache(maxsize=4)
def default_glossary(path: str | None = None) -> Glossary:
    """The expansion glossary, built once per process from the shared glossary file."""
    return Glossary.from_entries(bundled_glossary(path))
