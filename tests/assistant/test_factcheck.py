"""The rule checks of claims: values, their binding, modality and polarity (no store needed)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.factcheck import (
    Passage,
    check_sentence,
    judge,
    modality_of,
    negated,
    quantities,
    read_claim,
    screen_answer,
)

# Sentences of the sample pledge (paragraphs 4, 24, 25, 26), as the store holds them.
P24 = (
    "比利时自之前作出自愿许诺和承诺以来，批准了《欧洲委员会预防和打击暴力侵害妇女行为及家庭暴力公约》"
    "(《伊斯坦布尔公约》)(2016 年)、《1967 年残疾、老年和遗属津贴公约》(第 128 号)(2017 年)、"
    "《2006 年促进职业安全与卫生框架公约》(第 187 号)(2018 年)和《1930 年强迫劳动公约议定书》"
    "(第 29 号)(2019 年)。"
)
P26 = (
    "比利时承诺尽最大努力尽快批准《禁止酷刑和其他残忍、不人道或有辱人格的待遇或处罚公约任择议定书》、"
    "《2019 年暴力和骚扰公约》(第 190 号)、《获取官方文件公约》。"
)
P4 = (
    "比利时在担任人权理事会成员的前几个任期(最近一任是 2016 至 2018 年)期间表现出对理事会及其机制的"
    "坚定承诺，特别是在 2016 年担任副主席和在 2018 年担任情况工作组成员。"
)
P25 = "目前，比利时是没有逾期未向条约机构提交报告的国家之一。"


def shown(text: str) -> list[tuple[str, str]]:
    return [(q.kind, q.shown()) for q in quantities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("covers 2021-2025", [("range", "2021-2025")]),
        ("最近一任是 2016 至 2018 年", [("range", "2016-2018")]),
        ("de 2016 à 2018", [("range", "2016-2018")]),
        ("с 2019 по 2020 год", [("range", "2019-2020")]),
        ("between 2019 and 2020", [("range", "2019-2020")]),
        ("ILO Convention No. 190", [("ident", "No. 190")]),
        ("la Convention n° 190", [("ident", "No. 190")]),
        ("Конвенция МОТ № 190", [("ident", "No. 190")]),
        ("《2019 年暴力和骚扰公约》(第 190 号)", [("year", "2019"), ("ident", "No. 190")]),
        ("eight instruments", [("count", "8")]),
        ("八项联合国人权文书", [("count", "8")]),
        ("第四个打击人口贩运国家行动计划", [("ordinal", "#4")]),
        ("its fourth plan", [("ordinal", "#4")]),
        ("resolution 60/251 and COVID-19", []),
        ("第 17(7)条和第 18(5)条修正案", []),
        ("in 2016 and 2018", [("year", "2016"), ("year", "2018")]),
        ("la Convention 190 de l'OIT", [("ident", "No. 190")]),
        ("0.7% of gross national income", [("count", "0.7")]),
    ],
)
def test_values_are_read_in_every_script(text, expected):
    assert shown(text) == expected


@pytest.mark.parametrize(
    ("claim", "outcome"),
    [
        ("Belgium ratified the Istanbul Convention before 2017.", "match"),
        ("Belgium ratified the Istanbul Convention before 2015.", "conflict"),
        ("比利时在2017年之前批准了《伊斯坦布尔公约》。", "match"),
        ("Belgium has been a party to the Istanbul Convention since 2016.", "match"),
        ("Belgium has been a party to the Istanbul Convention since 2018.", "conflict"),
    ],
)
def test_a_bounding_year_is_compared_as_a_bound(claim, outcome):
    check = check_sentence(read_claim(claim), P24, "zh", "", 2022)
    assert [f.outcome for f in check.findings if f.facet == "value"] == [outcome]


def test_a_year_in_a_title_is_part_of_the_name():
    (year, ident) = quantities("《2019 年暴力和骚扰公约》(第 190 号)")
    assert year.in_title and not ident.in_title


@pytest.mark.parametrize(
    ("claim", "outcome", "evidence"),
    [
        ("Belgium ratified the Istanbul Convention in 2016.", "match", "2016"),
        ("Belgium ratified the Istanbul Convention in 2019.", "conflict", ""),
        ("Belgium ratified ILO Convention No. 187 in 2018.", "match", "2018"),
        ("Belgium ratified ILO Convention No. 187 in 2017.", "conflict", "2018"),
        ("Belgium ratified ILO Convention No. 128 in 2017.", "match", "2017"),
    ],
)
def test_each_year_of_a_list_belongs_to_its_own_treaty(claim, outcome, evidence):
    check = check_sentence(read_claim(claim), P24, "zh", "", 2022)
    (value,) = [f for f in check.findings if f.facet == "value"]
    assert value.outcome == outcome
    assert evidence in value.evidence_part


def test_chinese_time_phrase_qualifies_what_follows_it():
    right = check_sentence(
        read_claim("Belgium was vice-president of the Council in 2016."), P4, "zh"
    )
    wrong = check_sentence(
        read_claim("Belgium was vice-president of the Council in 2018."), P4, "zh"
    )
    assert [f.outcome for f in right.findings if f.facet == "value"] == ["match"]
    assert [f.outcome for f in wrong.findings if f.facet == "value"] == ["conflict"]


@pytest.mark.parametrize(
    ("claim", "modality"),
    [
        ("Belgium has already ratified ILO Convention No. 190.", "done"),
        ("Belgium ratified the Istanbul Convention in 2016.", "done"),
        ("Belgium pledged to ratify ILO Convention No. 190.", "pledged"),
        ("Belgium has pledged to ratify ILO Convention No. 190.", "pledged"),
        ("Belgium will keep the death penalty on the agenda.", "ongoing"),
        ("Belgium will continue to support the special procedures.", "ongoing"),
        ("La Belgique a déjà ratifié la Convention n° 190.", "done"),
        ("La Belgique s'engage à ratifier la Convention n° 190.", "pledged"),
        ("Bélgica ratificó el Convenio de Estambul en 2016.", "done"),
        ("Bélgica se compromete a ratificar el Protocolo Facultativo.", "pledged"),
        ("Бельгия уже ратифицировала Конвенцию МОТ № 190.", "done"),
        ("Бельгия обязалась ратифицировать Конвенцию МОТ № 190.", "pledged"),
        ("比利时已经批准了第190号公约。", "done"),
        ("比利时承诺批准第190号公约。", "pledged"),
        ("صدقت بلجيكا على اتفاقية اسطنبول في عام 2016.", "done"),
        ("تتعهد بلجيكا بالتصديق على الاتفاقية رقم 190.", "pledged"),
        ("Belgium's national action plan on trafficking covers 2021-2025.", "none"),
    ],
)
def test_claim_modality_in_the_un_languages(claim, modality):
    assert read_claim(claim).modality == modality


def test_pledge_sentences_modality():
    assert modality_of(P26, "zh", P26.index("任择议定书")) == "pledged"
    assert modality_of(P24, "zh", P24.index("伊斯坦布尔")) == "done"
    # "坚定承诺，" is a noun (a firm commitment), not a pledge; the clause has no cue.
    assert modality_of(P4, "zh", P4.index("副主席")) == "none"
    assert modality_of("比利时已经通过或正在制定一些国家行动计划", "zh", 10) == "mixed"
    assert modality_of("维持向人权理事会所有特别程序任务负责人发出的长期邀请", "zh", 5) == "ongoing"


def test_a_pledge_to_continue_does_not_contradict_what_is_done():
    bullet = "维持向人权理事会所有特别程序任务负责人发出的长期邀请；"
    done = read_claim("Belgium has extended a standing invitation to the special procedures.")
    check = check_sentence(done, bullet, "zh", "比利时承诺：", 2022)
    assert judge(done, [check]).status == "related"
    new = read_claim("Belgium has ratified the Istanbul Convention.")
    pledge = "与所有国家合作，批准《伊斯坦布尔公约》；"
    assert judge(new, [check_sentence(new, pledge, "zh", "比利时承诺：", 2022)]).status == (
        "contradicted"
    )


def test_negation_right_before_the_topic():
    assert negated(P25, "zh", P25.index("逾期"))
    assert read_claim("Belgium has no overdue reports to the treaty bodies.").negated
    assert not read_claim("Belgium has several overdue reports to the treaty bodies.").negated
    assert read_claim("Belgium has not ratified the Istanbul Convention.").negated
    # "有逾期未提交": the "未" is inside the topic, the claim is affirmative.
    assert not read_claim("比利时有逾期未提交的条约机构报告。").negated


def test_a_language_without_cue_tables_is_never_supported():
    facets = read_claim("Il Belgio ha ratificato la Convenzione di Istanbul nel 2016.")
    assert facets.language == "it" and not facets.cues_known
    verdict = judge(facets, [check_sentence(facets, P24, "zh", "", 2022)])
    assert verdict.status == "related"
    assert "(it)" in verdict.reasons[0]


def test_modality_conflict_is_contradicted_and_quoted():
    facets = read_claim("Belgium has already ratified ILO Convention No. 190.")
    verdict = judge(facets, [check_sentence(facets, P26, "zh", "", 2022)])
    assert verdict.status == "contradicted"
    assert verdict.reasons == [
        "the claim presents it as done ('has already ratified'), the pledge as pledged ('承诺')"
    ]


YEARS = st.integers(min_value=1990, max_value=2035)


@settings(max_examples=60, deadline=None)
@given(YEARS, YEARS, st.sampled_from(["en", "fr", "es", "zh"]))
def test_any_year_is_compared_in_any_claim_language(claimed, stated, lang):
    """The year check is a comparison of values, not of the years at hand."""
    claim = {
        "en": f"Belgium ratified the Istanbul Convention in {claimed}.",
        "fr": f"La Belgique a ratifié la Convention d'Istanbul en {claimed}.",
        "es": f"Bélgica ratificó el Convenio de Estambul en {claimed}.",
        "zh": f"比利时于{claimed}年批准了《伊斯坦布尔公约》。",
    }[lang]
    evidence = f"比利时批准了《伊斯坦布尔公约》({stated} 年)、《化学品公约》(第 170 号)(2017 年)。"
    facets = read_claim(claim, language=lang)
    verdict = judge(facets, [check_sentence(facets, evidence, "zh", "", 2036)])
    assert verdict.status == ("supported" if claimed == stated else "contradicted")


@settings(max_examples=40, deadline=None)
@given(YEARS, st.integers(min_value=1, max_value=6), YEARS, st.integers(min_value=1, max_value=6))
def test_any_range_is_compared(a, n, b, m):
    facets = read_claim(f"Belgium's national action plan on trafficking covers {a}-{a + n}.")
    evidence = f"第四个打击人口贩运国家行动计划({b}-{b + m})；"
    verdict = judge(facets, [check_sentence(facets, evidence, "zh")])
    assert verdict.status == ("supported" if (a, n) == (b, m) else "contradicted")


def test_screen_answer_removes_the_sentence_that_conflicts():
    passages = {1: Passage(P24, "zh", "", 2022)}
    text = (
        "Belgium ratified the Istanbul Convention in 2019 [1]. "
        "It also ratified ILO Convention No. 187 in 2018 [1]."
    )
    screened, warnings = screen_answer(text, passages)
    assert "2019" not in screened and "No. 187 in 2018 [1]" in screened
    assert "[sentence removed: it conflicts with [1]]" in screened
    assert len(warnings) == 1 and "'2019'" in warnings[0]
