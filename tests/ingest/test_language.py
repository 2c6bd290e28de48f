"""The language of a text: scripts rule languages out; digits, references and acronyms decide
nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.language import (
    asker_language,
    detect_language,
    language_sample,
    language_scripts,
    script_candidates,
)

#: A question in each script, its language, and the UN language it is read as (None: none of
#: the six is written in that script; a question then gets the default, English).
QUESTIONS: list[tuple[str, str, str]] = [
    ("क्या बेल्जियम में मानवाधिकार परिषद का उपाध्यक्ष था?", "hi", "en"),  # Devanagari
    ("벨기에는 사형제도에 대해 무엇을 약속했습니까?", "ko", "en"),  # Hangul
    ("ベルギーはいつ人権理事会の副議長でしたか？", "ja", "zh"),  # kana with Han
    ("Τι υποσχέθηκε το Βέλγιο για τη θανατική ποινή;", "el", "en"),  # Greek
    ("ماذا تعهدت بلجيكا بشأن عقوبة الإعدام؟", "ar", "ar"),  # Arabic
    ("Что Бельгия обещала в отношении смертной казни?", "ru", "ru"),  # Cyrillic
    ("比利时在死刑问题上作出了什么承诺？", "zh", "zh"),  # Han
]

#: What may be inserted: years and numbers (several digit scripts), paragraph references,
#: Latin acronyms and symbols.
NOISE = st.one_of(
    st.integers(min_value=1900, max_value=2099).map(str),
    st.integers(min_value=0, max_value=999).map(str),
    st.sampled_from(["२०१६", "٢٠١٦", "２０１６", "¶25", "¶ 20.8", "§27(b)", "20.8", "60/251"]),
    st.sampled_from(["OHCHR", "UPR", "HRC", "COVID-19", "UN", "ICC", "A/77/89", "LGBTQI+"]),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=6),
)


def _insert(question: str, positions: list[int], tokens: list[str], spaced: list[bool]) -> str:
    """``tokens`` put at word boundaries of ``question`` (anywhere in text without spaces),
    as words of their own or glued to the next word."""
    for pos, token, space in zip(positions, tokens, spaced, strict=False):
        if " " not in question:
            i = pos % (len(question) + 1)
            question = question[:i] + (f" {token} " if space else token) + question[i:]
            continue
        words = question.split(" ")
        i = pos % (len(words) + 1)
        if space:
            words.insert(i, token)
        elif i < len(words):
            words[i] = token + words[i]
        else:
            words[-1] += token
        question = " ".join(words)
    return question


@pytest.mark.parametrize(("question", "language", "un"), QUESTIONS)
def test_each_script_is_read_as_its_language(question, language, un):
    assert asker_language(question) == language
    assert detect_language(question) == un


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(QUESTIONS),
    st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=4),
    st.lists(NOISE, min_size=1, max_size=4),
    st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_digits_references_and_acronyms_never_change_the_language(case, positions, tokens, spaced):
    """Old rule: a Hindi question with ASCII digits was read as French (py3langid, unsure
    among the languages written in Devanagari, fell back to English, French or Spanish)."""
    question, language, un = case
    noisy = _insert(question, positions, tokens, spaced)
    assert language_sample(noisy) == language_sample(question), noisy
    assert asker_language(noisy) == language, noisy
    assert detect_language(noisy) == un, noisy


def test_a_script_rules_out_the_languages_not_written_in_it():
    assert set(script_candidates("क्या बेल्जियम")) <= {
        lang for lang, scripts in language_scripts().items() if "Deva" in scripts
    }
    assert "fr" not in script_candidates("क्या बेल्जियम") and "hi" in script_candidates("क्या")
    # Kana rules Chinese out; Han alone does not rule out Japanese.
    assert script_candidates("ベルギーは何を") == ["ja"]
    assert {"zh", "ja"} <= set(script_candidates("比利时承诺"))
    assert language_scripts()["ko"] == frozenset({"Hang", "Hani"})


def test_latin_names_in_another_script_decide_nothing():
    sample = language_sample("벨기에는 Belgium 과 OHCHR 에 대해 무엇을 약속했습니까? (¶20.8, 2016)")
    assert sample == "벨기에는 과 에 대해 무엇을 약속했습니까"
    # In Latin-script text its words are the language.
    assert language_sample("What did Belgium promise the OHCHR in 2016?") == (
        "What did Belgium promise the in"
    )


def test_a_document_in_a_script_no_un_language_uses_has_no_language():
    text = "बेल्जियम ने मृत्युदंड के उन्मूलन के लिए प्रतिबद्धता जताई है। " * 5
    assert detect_language(text, default=None) is None
    assert detect_language(text) == "en"


_SWAHILI_DOCUMENT = (
    "Tanzania inaahidi kuendelea kulinda haki za binadamu kwa watu wote, ikiwa ni pamoja na"
    " wanawake, watoto na watu wenye ulemavu, kupitia sheria na sera za kitaifa. Tanzania"
    " itaendelea kushirikiana na Baraza la Haki za Binadamu na taratibu zake, na kuwasilisha"
    " ripoti zake kwa wakati kwa vyombo vya mikataba. Tanzania itaimarisha tume ya kitaifa ya"
    " haki za binadamu na utawala bora ili iweze kufanya kazi kwa uhuru kamili."
)
_DUTCH_DOCUMENT = (
    "België zet zich in voor de universele afschaffing van de doodstraf en zal samen met zijn"
    " partners blijven ijveren voor een moratorium op terechtstellingen. België steunt het"
    " Internationaal Strafhof en roept alle staten op het Statuut van Rome te ratificeren."
    " België zal het maatschappelijk middenveld en mensenrechtenverdedigers blijven beschermen"
    " tegen intimidatie en represailles wanneer zij met de Verenigde Naties samenwerken."
)


@pytest.mark.parametrize("text", [_SWAHILI_DOCUMENT, _DUTCH_DOCUMENT])
def test_a_document_in_another_latin_script_language_gets_no_un_language(text):
    """Old: read as English, so the document and its id were labelled ``en``."""
    assert detect_language(text, default=None) is None


def test_documents_in_un_languages_keep_their_language():
    english = "Belgium will continue to support the abolition of the death penalty. " * 6
    french = "La Belgique continuera à soutenir l'abolition universelle de la peine de mort. " * 5
    spanish = (
        "Bélgica seguirá apoyando la abolición universal de la pena de muerte en el mundo. " * 5
    )
    assert detect_language(english, default=None) == "en"
    assert detect_language(french, default=None) == "fr"
    assert detect_language(spanish, default=None) == "es"
    # Questions keep a language to answer in (the document rule is for ingest only).
    assert detect_language(_SWAHILI_DOCUMENT) is not None
