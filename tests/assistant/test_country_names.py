"""Country names in questions: written as names, and in the asker's own language.

A question naming a country without a stored pledge abstains ("no stored pledge from …"), and
one naming another country as its topic needs evidence naming it. So a word read as a country
by mistake turns an answerable question into an abstention, and a name that is not read lets
a question about another country be answered from Belgium's pledge.
"""

from __future__ import annotations

from typing import Any

import pycountry
import pytest
from babel import Locale, UnknownLocaleError

from assistant.terms import question_terms
from ingest.countries import country_mentions, find_countries
from ingest.language import _any_identifier


def codes(text: str, language: str | None = None) -> list[str]:
    return [code for code, _, _ in country_mentions(text, language)]


@pytest.mark.parametrize(
    "question",
    [
        "Что Бельгия сделала для того, чтобы защитить детей?",  # "для того" (so that): Togo
        "Does Belgium support a reunion of families?",  # "reunion": Réunion
        "¿Qué dijo Bélgica en la reunión del Consejo?",  # "reunión" (meeting): Réunion
        "Belçika mali yardım yapıyor mu?",  # "mali" (financial): Mali
        "Has Belgium said anything to chad about it?",
    ],
)
def test_a_lower_case_word_is_not_a_country_name(question):
    """Old rule: names were matched in lower-cased text, so these named a second country."""
    assert find_countries(question) == [("BEL", "Belgium")]


def test_a_question_written_all_in_lower_case_still_names_its_countries():
    """An asker who writes no capitals at all gives no case to read: every form counts."""
    assert codes("what did germany promise on torture?") == ["DEU"]
    assert codes("did belgium and the netherlands both pledge?") == ["BEL", "NLD"]


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("Ujerumani iliahidi nini kuhusu adhabu ya kifo?", "DEU"),  # Swahili
        ("Marekani iliahidi nini kuhusu haki za watoto?", "USA"),  # Swahili
        ("Đức đã cam kết gì về án tử hình?", "DEU"),  # Vietnamese, three letters
        ("चीन ने मृत्युदंड के बारे में क्या वादा किया?", "CHN"),  # Hindi
        ("Prancis berjanji apa tentang hukuman mati?", "FRA"),  # Indonesian
        ("Što je Njemačka obećala o smrtnoj kazni?", "DEU"),  # Croatian
    ],
)
def test_names_pycountry_does_not_translate_are_read_in_the_askers_language(question, code):
    """CLDR names every country in every language (old rule: none of these was found)."""
    assert code in codes(question)


def _languages() -> list[str]:
    """Languages py3langid identifies that CLDR names countries in."""
    out = []
    for lang in sorted(_any_identifier().nb_classes):
        try:
            Locale.parse(lang)
        except (ValueError, UnknownLocaleError):  # a code babel does not know
            continue
        out.append(lang)
    return out


SAMPLE_COUNTRIES = ("DE", "FR", "NL", "JP", "BR", "KE", "IN", "US", "CN", "NG", "MX", "EG")


@pytest.mark.parametrize("language", _languages())
def test_every_country_name_of_a_language_is_found_in_that_language(language):
    """Property: in a question identified as written in a language, that language's CLDR name
    of a country (three characters or more, two in scripts without spaces) names it."""
    names = Locale.parse(language).territories
    missed = []
    for region in SAMPLE_COUNTRIES:
        name = names.get(region)
        if not name or len(name) < 2:
            continue
        code = pycountry.countries.get(alpha_2=region).alpha_3
        if code not in codes(f"{name} ?", language):
            missed.append(name)
    assert missed == []


def test_a_swahili_question_about_germany_abstains_naming_it(service: Any):
    """Old rule: "Ujerumani" was not read and ¶8 of Belgium's pledge answered for Germany."""
    answer = service.ask("Ujerumani iliahidi nini kuhusu adhabu ya kifo?")
    assert answer.abstained and answer.citations == []
    assert "Germany" in answer.answer


def test_a_russian_question_with_dlya_togo_is_answered(service: Any):
    """Old rule: abstained with "the retrieved paragraphs do not mention Togo"."""
    answer = service.ask("Что Бельгия сделала для того, чтобы защитить детей?")
    assert not answer.abstained and answer.citations


def test_chinese_in_traditional_characters_names_its_countries_but_not_developing_ones():
    assert codes("德國承諾了什麼？") == ["DEU"]
    assert codes("比利時對發展中國家承諾了什麼？") == ["BEL"]  # 發展中國家: developing countries


#: Particles and prefixes written on the noun itself: Japanese topic and genitive particles,
#: Korean topic, genitive and subject particles, Arabic "and" and "for".
GLUED = {"ja": ("{}は", "{}の"), "ko": ("{}는", "{}의", "{}가"), "ar": ("و{}", "ل{}")}


@pytest.mark.parametrize("language", sorted(GLUED))
def test_a_country_name_with_a_particle_on_it_is_not_left_over_as_a_topic_word(language):
    """Property: in scripts that write particles on the name, the country is named and no
    leftover topic word holds its name ("ベルギーは" and "벨기에의" were)."""
    names = Locale.parse(language).territories
    leftovers = []
    for region in SAMPLE_COUNTRIES:
        name = names.get(region)
        code = pycountry.countries.get(alpha_2=region).alpha_3
        for form in GLUED[language]:
            terms = question_terms(form.format(name) + " 死刑", language="zh")
            assert code in [c for c, _ in terms.countries], form.format(name)
            leftovers += [w for w in terms.words if name in w]
    assert leftovers == []


@pytest.mark.parametrize(
    ("question", "function_words"),
    [
        ("Wie unterstützt Belgien die Zivilgesellschaft?", {"wie", "die"}),
        ("Czy Belgia wspiera Międzynarodowy Trybunał Karny?", {"czy"}),
        ("Τι λέει το Βέλγιο για την ελευθερία της έκφρασης;", {"τι", "το", "για", "την"}),
        ("Что Бельгия обещала по поводу строительства дорог?", {"что"}),
        ("ما هي التزامات بلجيكا بشأن عقوبة الإعدام؟", {"ما", "هي"}),
        ("In welk jaar heeft België het verdrag geratificeerd?", {"welk", "heeft", "het"}),
    ],
)
def test_function_words_of_languages_outside_the_curated_list_are_not_topic_words(
    question, function_words
):
    """stopwords-iso's words for the question's language are dropped, its topic words kept."""
    words = set(question_terms(question).words)
    assert not words & function_words
    assert words  # the topic words are still there


def test_latin_letters_folding_keeps_stay_inside_their_word():
    """ł, ø and ß do not decompose: they were word breaks ("trybuna", "d" + "dsstraf")."""
    assert "trybunał" in question_terms("Czy Belgia wspiera Trybunał Karny?").words
    assert "dødsstraf" in question_terms("Hvad har Belgien lovet om dødsstraf?").words
