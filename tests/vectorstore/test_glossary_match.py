"""Glossary matching finds exactly what every word pattern, run over the whole text, finds.

Each word pattern is only run where its first word occurs (a substring test first); these
tests compare that with running every pattern, on texts made of the glossary's own wordings
(plurals, capitals, apostrophes, neighbours) and other words.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.language import compact, fold
from vectorstore.glossary import Concept, Span, default_glossary

GLOSSARY = default_glossary()
LATIN_VARIANTS = sorted(
    {
        v.replace("*", "")
        for c in GLOSSARY.coverage
        for lang, vs in c.variants.items()
        if lang not in ("zh", "ar")
        for v in vs
    }
)
OTHER = ["Belgium", "will", "the", "of", "promote", "s", "es", "l'", "d'", "-", ",", "un", "no"]


def every_pattern(concept: Concept, folded: str) -> list[Span]:
    """The word spans of ``concept`` from every one of its patterns, none skipped."""
    latin, _ = concept._matchers
    return [("f", m.start(), m.end()) for _, pat in latin for m in pat.finditer(folded)]


pieces = st.lists(
    st.one_of(
        st.sampled_from(LATIN_VARIANTS),
        st.sampled_from(LATIN_VARIANTS).map(str.upper),
        st.sampled_from(LATIN_VARIANTS).map(lambda v: v + "s"),
        st.sampled_from(OTHER),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(parts=pieces, glue=st.sampled_from([" ", "-", "'", ", ", ""]))
def test_spans_and_occurrence_equal_running_every_pattern(parts: list[str], glue: str) -> None:
    text = glue.join(parts)
    folded, compacted = fold(text), compact(text)
    for concept in GLOSSARY.coverage:
        expected = every_pattern(concept, folded)
        found = concept.spans(folded, compacted)
        assert [s for s in found if s[0] == "f"] == expected, concept.id
        literal = any(s[0] == "c" for s in found)
        assert concept.occurs_in(folded, compacted) == (bool(expected) or literal), concept.id


def test_a_variant_is_found_in_a_sentence() -> None:
    text = "Belgium will keep the Death Penalty on the agenda and supports the ICC."
    found = {c.id for c, _ in GLOSSARY.find(text)}
    assert "death_penalty" in found
