"""The multilingual glossary of UN human-rights concepts (``glossary.json``) and its two matchers.

A delegate asks in English about a pledge filed in Chinese. The embedder bridges most of that
gap, but fixed UN terms ("death penalty" / 死刑, "standing invitation" / 长期邀请) are where a
small model slips and where BM25 cannot help at all across scripts. The glossary lists such
terms per concept in the six UN languages. One list of :class:`Concept` serves two uses, each
with its own matcher on :class:`Glossary`:

* query expansion (:meth:`Glossary.expand`) matches stemmed index terms
  (:func:`vectorstore.lexical.tokenize`, so "смертной казни" and "смертная казнь" share their
  stems) and adds a concept's canonical names in the other languages; it skips concepts marked
  ``"expand": false`` (vocabulary nearly every pledge uses) and terms written as prefixes;
* key-term coverage and abstention (:meth:`Glossary.find`, :meth:`Concept.occurs_in`) match
  terms on folded text, with ``*`` as a prefix marker ("ratif*" matches "ratified"), Chinese
  and Arabic terms as substrings, and weigh each concept (``weight`` 0: never decides coverage
  on its own). Coverage needs fine-grained concepts ("nuclear" and "disarmament" are two
  topics, and a question about both is covered only by evidence about both), so it skips
  concepts marked ``"cover": false`` (broad groupings whose parts are concepts of their own)
  and the terms of a concept listed in ``expand_only`` (they name another, narrower concept:
  "climate change" belongs to ``environment`` for expansion and to ``climate`` for coverage).
  Out-of-scope topics are listed on purpose so that abstention can see them missing from the
  evidence.

File shape: ``{"concepts": [{"id": ..., "weight": 1, "expand": true, "cover": true,
"expand_only": [...], "en": [...], "fr": [...], ...}]}`` with ISO 639-1 keys for the UN
languages; ``weight`` (default 1), ``expand``, ``cover`` (default true) and ``expand_only``
(default none) may be left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from ingest.errors import ConfigError
from ingest.language import LATIN_LANGUAGES, UN_LANGUAGES, compact, fold, is_cjk
from vectorstore.datafile import read_json
from vectorstore.lexical import normalize_text, tokenize

DEFAULT_GLOSSARY = Path(__file__).with_name("glossary.json")
_WORD = re.compile(r"[^\W_]+")

#: A match of a concept in a text: (view, start, end), view "f" (folded) or "c" (compact).
Span = tuple[str, int, int]


def _latin_key(variant: str) -> str:
    """A substring every match of :func:`_latin_pattern` contains: its first word (stem).

    Testing for it first is a plain substring search; most texts name few of the glossary's
    concepts, so the pattern itself only runs where its first word occurs.
    """
    words = fold(variant).split()
    if not words:
        return ""
    return words[0][:-1] if words[0].endswith("*") else words[0]


def _latin_pattern(variant: str) -> re.Pattern[str]:
    words = fold(variant).split()
    parts = []
    for word in words:
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"[\w']*")
        elif len(word) >= 4:
            parts.append(re.escape(word) + r"(?:s|es)?")
        else:  # short words ("un", "eu") only as themselves: "fe" must not match "fees"
            parts.append(re.escape(word))
    return re.compile(r"(?<![\w])" + r"[\s']+".join(parts) + r"(?![\w])")


@dataclass(frozen=True)
class Concept:
    """One concept of the glossary file, with its coverage matcher.

    Attributes:
        id: Stable identifier ("death_penalty").
        terms: Terms per language, canonical names first, as in the file.
        weight: Weight in key-term coverage (0: generic vocabulary).
        expand: Whether query expansion uses the concept.
        cover: Whether key-term coverage uses the concept.
        expand_only: Terms (any language) that key-term coverage skips.
    """

    id: str
    terms: dict[str, tuple[str, ...]]
    weight: float = 1.0
    expand: bool = True
    cover: bool = True
    expand_only: frozenset[str] = field(default=frozenset())

    @cached_property
    def expansion_terms(self) -> dict[str, tuple[str, ...]]:
        """Terms per language for query expansion (without the prefix terms)."""
        kept = {lang: tuple(t for t in ts if "*" not in t) for lang, ts in self.terms.items()}
        return {lang: ts for lang, ts in kept.items() if ts}

    @cached_property
    def variants(self) -> dict[str, tuple[str, ...]]:
        """Terms per language for key-term coverage (without the ``expand_only`` ones)."""
        out = {
            lang: tuple(t for t in ts if t not in self.expand_only)
            for lang, ts in self.terms.items()
        }
        return {lang: ts for lang, ts in out.items() if ts}

    @cached_property
    def _by_language(
        self,
    ) -> tuple[tuple[tuple[str, str, re.Pattern[str]], ...], tuple[tuple[str, str], ...]]:
        """Word patterns on folded text and substrings of compacted text, with their language.

        ``(language, key, pattern)`` for Latin and Cyrillic terms (``key`` is a substring every
        match contains, :func:`_latin_key`, tested first) and ``(language, substring)`` for
        Chinese and Arabic ones.
        """
        latin: list[tuple[str, str, re.Pattern[str]]] = []
        literal: list[tuple[str, str]] = []
        for lang, vs in self.variants.items():
            for v in vs:
                if lang in ("zh", "ar") or is_cjk(v):
                    literal.append((lang, compact(v)))
                else:
                    latin.append((lang, _latin_key(v), _latin_pattern(v)))
        return tuple(latin), tuple(dict.fromkeys(literal))

    @cached_property
    def _matchers(self) -> tuple[tuple[tuple[str, re.Pattern[str]], ...], tuple[str, ...]]:
        """Word patterns on folded text, and substrings of compacted text (Chinese, Arabic).

        Each word pattern comes with a substring that every match of it contains
        (:func:`_latin_key`), tested first.
        """
        latin, literal = self._by_language
        return (
            tuple((key, pat) for _, key, pat in latin),
            tuple(dict.fromkeys(lit for _, lit in literal)),
        )

    def languages_in(self, folded: str, compacted: str) -> frozenset[str]:
        """The glossary languages whose terms for the concept occur in a text (both views)."""
        latin, literal = self._by_language
        found = {lang for lang, lit in literal if lit in compacted}
        found.update(lang for lang, key, pat in latin if key in folded and pat.search(folded))
        return frozenset(found)

    def spans(self, folded: str, compacted: str) -> list[Span]:
        """Where the concept occurs in a text given folded and compacted."""
        latin, literal = self._matchers
        out: list[Span] = []
        for key, pat in latin:
            if key in folded:
                out.extend(("f", m.start(), m.end()) for m in pat.finditer(folded))
        for lit in literal:
            start = compacted.find(lit)
            while start != -1:
                out.append(("c", start, start + len(lit)))
                start = compacted.find(lit, start + 1)
        return out

    def occurs_in(self, folded: str, compacted: str) -> bool:
        """True when any wording of the concept appears in the text (given in both views)."""
        latin, literal = self._matchers
        if any(lit in compacted for lit in literal):
            return True
        return any(key in folded and pat.search(folded) for key, pat in latin)


@dataclass
class Expansion:
    """What a query matched and the terms it adds, per language."""

    concepts: list[str] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)
    #: Per matched concept, the glossary languages whose terms the query matched (empty for a
    #: concept added by meaning, not by its wording).
    languages: dict[str, frozenset[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.concepts)

    def without(self, concept_ids: Iterable[str], glossary: Glossary) -> Expansion:
        """The same expansion without some concepts (their terms too)."""
        dropped = set(concept_ids)
        out = Expansion()
        for cid in self.concepts:
            if cid not in dropped:
                out.add(glossary.concept(cid), glossary.max_terms)
                if cid in self.languages:
                    out.languages[cid] = self.languages[cid]
        return out

    def add(self, concept: Concept, max_terms: int) -> None:
        """Add a concept and its first ``max_terms`` expansion terms per language."""
        self.concepts.append(concept.id)
        for lang, terms in concept.expansion_terms.items():
            bucket = self.terms.setdefault(lang, [])
            for t in terms[:max_terms]:
                if t not in bucket:
                    bucket.append(t)

    def text(self, languages: list[str] | None = None) -> str:
        """Expansion terms as one string (only the given languages, when given)."""
        langs = languages if languages else list(self.terms)
        return "; ".join(t for lang in langs for t in self.terms.get(lang, []))


class Glossary:
    """The concepts of a glossary file and the two matchers over them.

    Args:
        concepts: Every concept of the file, in file order.
        max_terms: Terms per language and concept used for expansion (the first ones are the
            canonical names; later ones are variants that only help matching).
    """

    def __init__(self, concepts: list[Concept], max_terms: int = 3) -> None:
        self.concepts = concepts
        self.max_terms = max_terms
        #: Concepts query expansion uses.
        self.expansion = [c for c in concepts if c.expand and c.expansion_terms]
        #: Concepts key-term coverage uses.
        self.coverage = [c for c in concepts if c.cover]
        # Per expansion concept: (language, token sequence) of non-CJK terms and normalized
        # CJK strings.
        self._patterns: list[tuple[Concept, list[tuple[str, tuple[str, ...]]], list[str]]] = []
        for c in self.expansion:
            seqs: list[tuple[str, tuple[str, ...]]] = []
            cjk: list[str] = []
            for lang, terms in c.expansion_terms.items():
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
        return cls(load_glossary(path))

    # -- coverage --------------------------------------------------------------------------------

    def find(self, text: str) -> list[tuple[Concept, list[Span]]]:
        """Coverage concepts mentioned in ``text`` with their spans; longer matches win overlaps."""
        return self.find_views(fold(text), compact(text))

    def find_views(self, folded: str, compacted: str) -> list[tuple[Concept, list[Span]]]:
        """Like :meth:`find`, on text already folded and compacted."""
        found = [(c, c.spans(folded, compacted)) for c in self.coverage]
        found = [(c, s) for c, s in found if s]
        # A span inside a longer span of another concept does not count ("sexual violence"
        # is not also "violence against women"; "armed conflict" is not also "war").
        kept: list[tuple[Concept, list[Span]]] = []
        all_spans = [(c.id, sp) for c, spans in found for sp in spans]
        for c, spans in found:
            own = [
                sp
                for sp in spans
                if not any(
                    oid != c.id
                    and osp[0] == sp[0]
                    and osp[1] <= sp[1]
                    and sp[2] <= osp[2]
                    and (osp[2] - osp[1]) > (sp[2] - sp[1])
                    for oid, osp in all_spans
                )
            ]
            if own:
                kept.append((c, own))
        return kept

    # -- expansion -------------------------------------------------------------------------------

    def expand(self, query: str) -> Expansion:
        """The concepts ``query`` mentions and their terms in every language.

        When two concepts match overlapping words, only the longer match counts
        ("Universal Periodic Review" is the review, not "universality").
        """
        # A term is compared with the query stemmed the way the term's language stems, so a
        # short query whose language is misdetected still matches (en/fr/es stem differently).
        q_tokens = {lang: tokenize(query, lang) for lang in LATIN_LANGUAGES}
        # Words a pattern's first word can match (see _same_stem): a quick test that skips
        # nearly every pattern before the positional scan.
        q_first = {
            lang: set(toks) | {t[:4] for t in toks if len(t) >= 4 and not t.isascii()}
            for lang, toks in q_tokens.items()
        }
        q_cjk = normalize_text(query).replace(" ", "")
        # (concept index, where: language key or "zh", start, end, the term's language) of
        # every match
        matches: list[tuple[int, str, int, int, str]] = []
        for ci, (_concept, seqs, cjk) in enumerate(self._patterns):
            for lang, seq in seqs:
                key = lang if lang in LATIN_LANGUAGES else "en"
                first = seq[0]
                if first not in q_first[key] and (
                    first.isascii() or len(first) < 4 or first[:4] not in q_first[key]
                ):
                    continue
                # Stopwords are one set for all languages and every other word gives one
                # token, so positions agree across the en/fr/es token lists: one key.
                for start in _find(q_tokens[key], seq):
                    matches.append((ci, "words", start, start + len(seq), lang))
            for term in cjk:
                start = q_cjk.find(term) if term else -1
                while start >= 0:
                    matches.append((ci, "zh", start, start + len(term), "zh"))
                    start = q_cjk.find(term, start + 1)
        languages: dict[int, set[str]] = {}
        for ci, key, a, b, lang in matches:
            if not any(
                cj != ci and k2 == key and a2 <= a and b <= b2 and (b2 - a2) > (b - a)
                for cj, k2, a2, b2, _ in matches
            ):
                languages.setdefault(ci, set()).add(lang)
        out = Expansion()
        for ci in sorted(languages):
            concept = self._patterns[ci][0]
            out.add(concept, self.max_terms)
            out.languages[concept.id] = frozenset(languages[ci])
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
    """Whether two stems are the same word.

    Equal, or one of at least 4 letters is a prefix of the other that is at most 2 letters
    longer: Snowball stems inflected forms unevenly ("органы" -> "орга", "органами" ->
    "орган"), while "прав" must not match "правозащитник".
    """
    if a == b:
        return True
    if a.isascii() or b.isascii():
        # Latin words are stemmed evenly by Snowball; prefix leeway there only makes false
        # friends across languages (French "fait" is not English "faith").
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and len(long_) - len(short) <= 2 and long_.startswith(short)


def load_glossary(path: Path | str | None = None) -> list[Concept]:
    """Read a glossary JSON file (the bundled one by default).

    Args:
        path: A file shaped like ``vectorstore/glossary.json``.

    Returns:
        The concepts in file order.

    Raises:
        ConfigError: The file is missing, is not JSON, or an entry is malformed (the message
            names the file and the entry).
    """
    p = Path(path) if path else DEFAULT_GLOSSARY
    items = read_json(
        p,
        "expected a glossary JSON object with a 'concepts' list of {'id', 'en', 'fr', ...} entries",
        "concepts",
    )
    entries: list[Concept] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        try:
            cid = str(item["id"])
            terms = {}
            for lang in UN_LANGUAGES:
                values = item.get(lang) or []
                if isinstance(values, str) or not all(isinstance(t, str) for t in values):
                    raise TypeError(f"'{lang}' must be a list of strings, found {values!r}")
                if values:
                    terms[lang] = tuple(t.strip() for t in values if t.strip())
            weight = float(item.get("weight", 1))
            flags = {k: item.get(k, True) for k in ("expand", "cover")}
            for k, v in flags.items():
                if not isinstance(v, bool):
                    raise TypeError(f"'{k}' must be true or false, found {v!r}")
            only = item.get("expand_only") or []
            if isinstance(only, str) or not all(isinstance(t, str) for t in only):
                raise TypeError(f"'expand_only' must be a list of strings, found {only!r}")
            unknown = set(only) - {t for ts in terms.values() for t in ts}
            if unknown:
                raise ValueError(f"'expand_only' names terms the concept lacks: {sorted(unknown)}")
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ConfigError(f"{p}: concept {n} is malformed: {e}") from e
        if cid in seen:
            raise ConfigError(f"{p}: concept id '{cid}' appears twice (entry {n})")
        seen.add(cid)
        entries.append(
            Concept(cid, terms, weight, flags["expand"], flags["cover"], frozenset(only))
        )
    return entries


@lru_cache(maxsize=4)
def default_glossary(path: str | None = None) -> Glossary:
    """The glossary, read and checked once per process (the bundled file by default)."""
    return Glossary(load_glossary(path))
