"""A glossary term counts only when the question really uses it (the literal reading).

The glossary's matchers read a question in all six UN languages whatever its language, so an
ordinary word of one language can be another language's glossary term: German "war" (was) is
the English "war". These tests run the real embedder over the sample pledge (Belgium, Chinese)
and check that such coincidences no longer steer retrieval, the decision or the quotes, while
the matches that are right (a UN-language question in its own terms, an acronym or a name in
another language's wording) still count. Every test here failed before the reading existed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from bm25s import stopwords as sw

from ingest.language import compact, fold
from vectorstore.glossary import Concept, Glossary, default_glossary
from vectorstore.literal import LATENT_MIN, is_own, read_literal
from vectorstore.records import QueryReading

GLOSSARY = default_glossary()

#: The commonest words of some languages (bm25s's stopword lists): the words a question in that
#: language cannot avoid, and that say nothing about its topic.
ORDINARY: dict[str, list[str]] = {
    "de": sw.STOPWORDS_GERMAN,
    "nl": sw.STOPWORDS_DUTCH,
    "it": sw.STOPWORDS_ITALIAN,
    "pt": sw.STOPWORDS_PORTUGUESE,
    "sv": sw.STOPWORDS_SWEDISH,
    "tr": sw.STOPWORDS_TURKISH,
    "es": sw.STOPWORDS_SPANISH,
    "fr": sw.STOPWORDS_FRENCH,
    "en": sw.STOPWORDS_EN_PLUS,
}

#: Real questions about the sample pledge, by language, none of them about the concepts their
#: ordinary words collide with (membership, the Security Council, trafficking, racism, the death
#: penalty, torture).
SENTENCES: dict[str, list[str]] = {
    "de": [
        "Wann war Belgien zuletzt Mitglied des Menschenrechtsrates?",
        "War Belgien schon einmal Vizepräsident des Menschenrechtsrates?",
        "Was war das Ergebnis der belgischen Amtszeit im Sicherheitsrat?",
    ],
    "pt": [
        "Quando foi a Bélgica membro do Conselho de Direitos Humanos?",
        "Eu queria saber o que a Bélgica promete sobre a pena de morte.",
        "Em que anos a Bélgica foi membro do Conselho de Segurança?",
    ],
    "it": [
        "Il Belgio ha un piano d'azione nazionale contro la tratta di esseri umani?",
        "Il Belgio ha avuto un ruolo nel Consiglio di sicurezza?",
    ],
    "es": ["¿Tiene Bélgica un plan de acción nacional contra la trata de personas?"],
    "fr": [
        "La Belgique a-t-elle un plan d'action contre le racisme ?",
        "Quels engagements la Belgique a-t-elle pris sur la peine de mort ?",
    ],
    "tr": ["Belçika idam cezasına karşı mı, onu her yerde kaldırmak istiyor mu?"],
    "en": ["Don't Belgium's pledges say what it will do against torture?"],
}


def _single_language(lang: str) -> Glossary:
    """The glossary restricted to one language's terms (found with the glossary's own API)."""
    return Glossary(
        [
            Concept(c.id, {lang: c.terms[lang]}, c.weight, c.expand, c.cover, c.expand_only)
            for c in GLOSSARY.concepts
            if lang in c.terms
        ]
    )


PER_LANGUAGE = {lang: _single_language(lang) for lang in ("en", "fr", "es", "ru", "ar", "zh")}


def concepts_of_word(word: str, language: str) -> set[str]:
    """Concepts a word alone matches only in glossary languages other than ``language``."""
    own = PER_LANGUAGE.get(language)
    own_ids = {c.id for c, _ in own.find(word)} | set(own.expand(word).concepts) if own else set()
    other = set()
    for lang, glossary in PER_LANGUAGE.items():
        if lang != language:
            other |= {c.id for c, _ in glossary.find(word)} | set(glossary.expand(word).concepts)
    return other - own_ids


def collisions() -> dict[str, dict[str, set[str]]]:
    """Per language, its ordinary words that another language's glossary terms match."""
    out: dict[str, dict[str, set[str]]] = {}
    for lang, words in ORDINARY.items():
        for word in words:
            found = concepts_of_word(word, lang)
            if found:
                out.setdefault(lang, {})[fold(word)] = found
    return out


COLLISIONS = collisions()


def collision_cases() -> list[tuple[str, str, str, set[str]]]:
    """(language, sentence, colliding word, its concepts) for every collision in a sentence.

    A concept the sentence names anyway once the word is blanked out is left out.
    """
    cases = []
    for lang, sentences in SENTENCES.items():
        for sentence in sentences:
            folded = fold(sentence)
            for word, concepts in COLLISIONS.get(lang, {}).items():
                where = re.search(rf"(?<![\w']){re.escape(word)}(?![\w])", folded)
                if where is None:
                    continue
                rest = folded[: where.start()] + " " * len(word) + folded[where.end() :]
                named = {c.id for c, _ in GLOSSARY.find_views(rest, compact(rest))}
                named |= set(GLOSSARY.expand(rest).concepts)
                if concepts - named:
                    cases.append((lang, sentence, word, concepts - named))
    return cases


CASES = collision_cases()


def read(service: Any, question: str) -> tuple[QueryReading, Any]:
    """The search's reading of a question and the answer chain's retrieval of it."""
    reading = QueryReading()
    service.chain.retriever.search(question, k=5, reading=reading)
    return reading, service.chain.retrieve(question)


def test_an_ordinary_word_of_the_question_is_not_another_languages_term(service: Any) -> None:
    # The property is only worth something with collisions to check, in several languages
    # (German "war", Portuguese "foi" and "eu", Romance "un", Turkish "onu", English "don't").
    assert len(CASES) >= 10
    assert len({lang for lang, *_ in CASES}) >= 6
    assert any(word == "war" and "armed_conflict" in c for _, _, word, c in CASES)
    wrong = []
    for _lang, sentence, word, concepts in CASES:
        reading, retrieval = read(service, sentence)
        assert reading.literal is not None
        named = {c.id for c in retrieval.terms.concepts}
        # Retrieval (expansion and the concept order read `counted`) and the chain (decision,
        # rescue, quotes read `terms.concepts`) both leave the concept out, and the word is not
        # a topic word to look for in the evidence either.
        if (
            concepts & reading.literal.counted
            or not concepts <= reading.literal.unconfirmed
            or concepts & named
            or word in retrieval.terms.words
        ):
            wrong.append((sentence, word, sorted(concepts), reading.literal))
    assert not wrong


def test_german_was_is_not_armed_conflict_and_its_paragraphs_are_not_quoted(
    service: Any,
) -> None:
    question = "Wann war Belgien zuletzt Mitglied des Menschenrechtsrates?"
    answer = service.ask(question)
    shown = {c.number for c in answer.citations} | {c.number for c in answer.related}
    assert not shown & {"10", "20.11", "20.13"}, answer.answer
    assert "armed_conflict" not in (answer.abstain_reason or "")
    retrieval = service.chain.retrieve(question)
    assert "armed_conflict" not in {c.id for c in retrieval.terms.concepts}
    assert "4" in [h.paragraph.number for h in retrieval.hits[:5]]


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("La Belgique soutient-elle l'ICC ?", "icc"),  # an English acronym in French
        ("Che cosa dice il Belgio sulla libertà di religione?", "religion"),  # a cognate
        ("Was sagt Belgien zur Universal Periodic Review?", "upr"),  # an English name
        ("Il Belgio collabora con l'ONU sui diritti umani?", "united_nations"),  # "ONU"
    ],
)
def test_another_languages_term_counts_when_the_embedder_reads_it(
    service: Any, question: str, concept: str
) -> None:
    reading, retrieval = read(service, question)
    assert reading.literal is not None
    (match,) = [m for m in reading.literal.matches if m.concept == concept]
    assert not match.own
    assert match.counts and match.support is not None and match.support >= LATENT_MIN
    assert concept in {c.id for c in retrieval.terms.concepts}


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("Quels engagements la Belgique a-t-elle pris sur la peine de mort ?", "death_penalty"),
        ("¿Qué dice Bélgica sobre la libertad de expresión?", "expression"),
        ("比利时在死刑问题上作出了什么承诺？", "death_penalty"),
        ("Что Бельгия обещает в отношении свободы выражения мнений?", "expression"),
        ("Quelle est la position de la Belgique sur les personnes LGBTI ?", "lgbti"),
        ("Did Belgium ratify the Istanbul Convention?", "istanbul"),
    ],
)
def test_a_un_language_question_in_its_own_terms_counts_without_support(
    service: Any, question: str, concept: str
) -> None:
    reading, retrieval = read(service, question)
    assert reading.literal is not None
    (match,) = [m for m in reading.literal.matches if m.concept == concept]
    assert match.own and match.counts and match.support is None
    assert concept in {c.id for c in retrieval.terms.concepts}


def test_french_commitments_are_not_english_engagement(service: Any) -> None:
    # French "engagements" (commitments) is the English coverage term "engage*"
    # (cooperation): the French terms of the same question count, the English one does not.
    reading, _ = read(service, "Quels engagements la Belgique a-t-elle pris sur la peine de mort ?")
    assert reading.literal is not None
    assert "cooperation" in reading.literal.unconfirmed
    assert "death_penalty" in reading.literal.counted
    answer = service.ask("Quels engagements la Belgique a-t-elle pris sur la peine de mort ?")
    assert [c.number for c in answer.citations][:1] == ["8"]


def test_portuguese_was_does_not_steer_retrieval_to_religion(service: Any) -> None:
    # Portuguese "foi" (was) is the French expansion term "foi" (faith): before, the query was
    # moved towards freedom of religion and ¶20.15 came first.
    question = "Quando foi a Bélgica membro do Conselho de Direitos Humanos?"
    hits = service.chain.retriever.search(question, k=3)
    assert "20.15" not in [h.paragraph.number for h in hits]


# -- the rule itself, without the embedder ---------------------------------------------------


def test_a_language_the_question_may_be_in_is_its_own() -> None:
    assert is_own(frozenset({"en"}), {"en": 0.15, "la": 0.3})
    assert not is_own(frozenset({"en"}), {"de": 0.98, "en": 0.01})
    assert is_own(frozenset({"en", "fr"}), {"fr": 0.9, "en": 0.0})


def test_only_foreign_matches_are_asked_for_support() -> None:
    asked: list[list[str]] = []

    def support(ids: Any) -> dict[str, float]:
        asked.append(list(ids))
        return {"armed_conflict": 0.01, "religion": 0.2}

    reading = read_literal(
        {
            "armed_conflict": frozenset({"en"}),
            "religion": frozenset({"en", "fr"}),
            "hrc": frozenset({"de"}),  # the question's own language
        },
        {"de": 0.97, "en": 0.001},
        support,
        0.04,
    )
    assert asked == [["armed_conflict", "religion"]]
    assert reading.counted == {"religion", "hrc"}
    assert reading.unconfirmed == {"armed_conflict"}


def test_languages_of_a_match_come_from_the_glossary() -> None:
    war = GLOSSARY.concept("armed_conflict")
    assert war.languages_in(fold("Wann war Belgien"), compact("Wann war Belgien")) == {"en"}
    text = "La Belgique et les droits des personnes LGBTI"
    assert GLOSSARY.concept("lgbti").languages_in(fold(text), compact(text)) >= {"en", "fr"}
    assert GLOSSARY.expand("比利时与死刑").languages["death_penalty"] == {"zh"}
