"""Follow-up condensing by rule (no model)."""

from __future__ import annotations

import pytest

from assistant.condense import condense, condense_rule, is_elliptical

DP = "What did Belgium commit to on the death penalty?"


@pytest.mark.parametrize(
    ("history", "question", "expected", "carried"),
    [
        ([DP], "And on racism?", "What did Belgium pledge on racism?", ["country: Belgium"]),
        (
            ["比利时对国际刑事法院的立场是什么？"],
            "那么关于儿童权利呢？",
            "比利时关于儿童权利作出了什么承诺？",
            ["country: Belgium"],
        ),
        (
            ["Quels engagements la Belgique a-t-elle pris sur la peine de mort ?"],
            "Et sur le racisme ?",
            "Belgique : quels engagements concernant le racisme ?",
            ["country: Belgium"],
        ),
        (
            ["¿Qué dice Bélgica sobre la libertad de expresión?"],
            "¿Y sobre la tortura?",
            "¿Qué prometió Bélgica sobre la tortura?",
            ["country: Belgium"],
        ),
        # No topic of its own: the earlier topic is carried, with the new country.
        (
            [DP],
            "And France?",
            "What did France commit to on the death penalty?",
            [f"topic of: {DP}"],
        ),
        # The latest turn that named a country is the one in focus.
        (
            ["What did Norway pledge on torture?", "extreme poverty and human rights", DP],
            "What about racism?",
            "What did Belgium pledge on racism?",
            ["country: Belgium"],
        ),
    ],
)
def test_rule_carries_focus_and_topic(history, question, expected, carried):
    out = condense_rule(question, history)
    assert (out.question, out.method, out.carried) == (expected, "rule", carried)


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
