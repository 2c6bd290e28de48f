"""A synthetic pledge corpus of any size, built from the project's own multilingual texts.

The paragraphs come from the bundled sample pledge (Belgium, Chinese) and, in a source checkout,
from the fictional Ruritania pledge the ingest tests render in English, French, Spanish, Russian
and Arabic (``tests/ingest/pledges.py``). Each synthetic paragraph joins one base paragraph with
the first sentence of another of the same language, so a few hundred base texts give many
thousand distinct paragraphs of realistic length and script.

Each document is a ``.txt`` file of numbered paragraphs with a ``.meta.json`` sidecar giving its
country (one of ``countries`` real ISO codes, so a country filter keeps ``1/countries`` of the
rows), language, term and doc_id; ``pledges ingest DIR`` ingests the folder as it is.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry

from ingest.pipeline import parse_file

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "ui" / "data" / "sample" / "000_954a802aa9703412.txt"
FIXTURES = REPO / "tests" / "ingest" / "pledges.py"

#: Council terms the synthetic documents cycle through.
TERMS = tuple(f"{y}-{y + 3}" for y in range(2007, 2031, 3))

_SENTENCE_END = re.compile(r"(?<=[.;:。；：!?！？])\s*")


@dataclass
class SyntheticDocument:
    """One written document: its file, id and metadata, and its paragraph count."""

    path: Path
    doc_id: str
    country: str
    language: str
    term: str
    paragraphs: int


@dataclass
class SyntheticCorpus:
    """A folder of synthetic pledge files."""

    directory: Path
    documents: list[SyntheticDocument] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def paragraphs(self) -> int:
        """Paragraphs in the corpus."""
        return sum(d.paragraphs for d in self.documents)

    @property
    def files(self) -> list[Path]:
        """The corpus files."""
        return [d.path for d in self.documents]


@lru_cache(maxsize=1)
def base_paragraphs() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """Base paragraph texts by language, and where they came from.

    Returns:
        ``({language: texts}, sources)``: the sample's paragraphs (``zh``) always; the
        fictional fixture pledge in five languages when the test fixtures are present.
    """
    pool: dict[str, list[str]] = {}
    sources = []
    parsed = parse_file(SAMPLE)
    pool[parsed.document.language or "zh"] = [p.text for p in parsed.paragraphs]
    sources.append(str(SAMPLE.relative_to(REPO)))
    if FIXTURES.is_file():
        spec = importlib.util.spec_from_file_location("_pledge_fixtures", FIXTURES)
        if spec is not None and spec.loader is not None:
            module = sys.modules.get(spec.name) or importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module  # dataclasses look their module up there
            spec.loader.exec_module(module)
            for name in ("EN", "FR", "ES", "RU", "AR"):
                pledge = getattr(module, name, None)
                if pledge is None:
                    continue
                texts = [*pledge.notes, *pledge.paras.values()]
                pool.setdefault(pledge.language, []).extend(texts)
            sources.append(str(FIXTURES.relative_to(REPO)))
    return {k: tuple(v) for k, v in pool.items()}, tuple(sources)


def _first_sentence(text: str) -> str:
    parts = [p for p in _SENTENCE_END.split(text) if p.strip()]
    return parts[0].strip() if parts else text


def paragraph_text(pool: tuple[str, ...], language: str, doc: int, i: int) -> str:
    """The ``i``-th synthetic paragraph of document ``doc``: two base texts joined."""
    n = len(pool)
    a = pool[(i + doc) % n]
    b = pool[(7 * i + 3 * doc + 1) % n]
    if a == b:
        return a
    joiner = "" if language == "zh" else " "
    return a + joiner + _first_sentence(b)


@lru_cache(maxsize=1)
def countries(n: int = 50) -> tuple[tuple[str, str], ...]:
    """``n`` real (ISO alpha-3, English name) pairs, in a fixed order."""
    every = sorted((c.alpha_3, c.name) for c in pycountry.countries)
    step = max(1, len(every) // n)
    return tuple(every[::step][:n])


def write_corpus(
    directory: Path,
    paragraphs: int = 10_000,
    per_document: int = 50,
    n_countries: int = 50,
) -> SyntheticCorpus:
    """Write documents until they hold at least ``paragraphs`` paragraphs.

    Args:
        directory: Where the ``.txt`` files and their ``.meta.json`` sidecars go (created).
        paragraphs: Total paragraphs wanted.
        per_document: Paragraphs per document (real pledges hold some 20 to 80).
        n_countries: Distinct countries; a country filter keeps about ``1/n_countries``.

    Returns:
        The corpus: its files with their metadata and paragraph counts.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    pool, sources = base_paragraphs()
    languages = sorted(pool)
    nations = countries(n_countries)
    corpus = SyntheticCorpus(directory=directory, sources=list(sources))
    written = 0
    doc = 0
    while written < paragraphs:
        count = min(per_document, paragraphs - written)
        language = languages[doc % len(languages)]
        code, name = nations[doc % len(nations)]
        term = TERMS[(doc // len(nations)) % len(TERMS)]
        doc_id = f"syn-{doc:06d}.{language}"
        lines = [f"Voluntary pledges and commitments of {name}, {term}", ""]
        for i in range(count):
            lines.append(f"{i + 1}. {paragraph_text(pool[language], language, doc, i)}")
            lines.append("")
        path = directory / f"{doc:06d}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        meta = {"doc_id": doc_id, "country": code, "language": language, "term": term}
        (directory / f"{doc:06d}.txt.meta.json").write_text(json.dumps(meta), encoding="utf-8")
        corpus.documents.append(SyntheticDocument(path, doc_id, code, language, term, count))
        written += count
        doc += 1
    return corpus
