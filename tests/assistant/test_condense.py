"""Follow-up condensing by rule (no model)."""

from __future__ import annotations

import pytest

from assistant.condense import condense, condense_rule, is_elliptical

DP = "What did Belgium commit to on the death penalty?"


@pytest.mark.parametrize(
    ("history", "question", "scope"),
    [
        ([DP], "And on racism?", {"country": "BEL"}),
        (["比利时对国际刑事法院的立场是什么？"], "那么关于儿童权利呢？", {"country": "BEL"}),
        (
            ["Quels engagements la Belgique a-t-elle pris sur la peine de mort ?"],
            "Et sur le racisme ?",
            {"country": "BEL"},
        ),
        # Languages no rule was written for: the question keeps its own words and language
        # (a template in another language used to swallow them).
        (["Was hat Belgien zur Todesstrafe versprochen?"], "Und zur Folter?", {"country": "BEL"}),
        (
            ["Belçika ölüm cezası konusunda ne taahhüt etti?"],
            "Peki ya din özgürlüğü?",
            {"country": "BEL"},
        ),
        (["Wat heeft België beloofd over de doodstraf?"], "En over racisme?", {"country": "BEL"}),
        # The latest turn that named a country is the one in focus.
        (
            ["What did Norway pledge on torture?", "extreme poverty and human rights", DP],
            "What about racism?",
            {"country": "BEL"},
        ),
    ],
)
def test_rule_searches_the_question_as_asked_in_the_country_in_focus(history, question, scope):
    out = condense_rule(question, history)
    assert (out.question, out.method, out.scope) == (question, "rule", scope)
    assert out.carried == [f"country: {'Belgium'}"]


def test_topicless_follow_up_takes_the_earlier_topic_with_the_new_country():
    out = condense_rule("And France?", [DP])
    assert (out.question, out.method, out.carried) == (
        "What did France commit to on the death penalty?",
        "rule",
        [f"topic of: {DP}"],
    )


@pytest.mark.parametrize(
    ("history", "question"),
    [
        ([], "And on racism?"),  # nothing to lean on
        ([DP], "What did Belgium commit to on torture?"),  # complete on its own
        ([DP], "Does Norway have a national human rights institution?"),  # names its country
    ],
)
def test_standalone_questions_are_left_alone(history, question):
    out = condense(question, history)
    assert (out.question, out.method, out.carried) == (question, "none", [])


def test_is_elliptical():
    assert is_elliptical("And on racism?", [DP])
    assert is_elliptical("那么关于儿童权利呢？", ["比利时对国际刑事法院的立场是什么？"])
    assert is_elliptical("What about it?", [DP])
    assert not is_elliptical("And on racism?", [])
    assert not is_elliptical("What did Belgium commit to on torture?", [DP])
