"""Claim checking, the ``ask``/``verify`` commands, aligned language versions and answer figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.evaluation import evaluate_service, load_eval
from assistant.service import PledgeService
from tests.assistant.conftest import no_llm_settings
from ui.cli import app

runner = CliRunner()


def test_supported_claim_quotes_the_evidence_exactly(service, sample_text):
    verdict = service.verify("Belgium pledged to ratify OPCAT")
    assert verdict.status == "supported"
    assert verdict.evidence[0].number == "26"
    assert "任择议定书" in verdict.evidence[0].quote
    for c in verdict.evidence:
        assert c.quote in sample_text[c.number]
    assert "without a language model" in verdict.explanation.lower()
    assert {(c.facet, c.outcome) for c in verdict.checks} >= {
        ("topic", "match"),
        ("modality", "match"),
        ("polarity", "match"),
    }


# The claims of issue 15, as a journalist tried them: each false one was "supported".
FALSE_CLAIMS = [
    ("Belgium was vice-president of the Human Rights Council in 2018", "4", "2016"),
    ("Belgium ratified the Istanbul Convention in 2019", "24", "2016"),
    ("Belgium has already ratified ILO Convention No. 190", "26", "pledged"),
    ("Belgium served on the Security Council in 2015-2016", "3", "2019-2020"),
    ("Belgium's national action plan on trafficking covers 2018-2020", "27(c)", "2021-2025"),
]
TRUE_CLAIMS = [
    ("Belgium was vice-president of the Human Rights Council in 2016", "4"),
    ("Belgium ratified the Istanbul Convention in 2016", "24"),
    ("Belgium pledged to ratify ILO Convention No. 190", "26"),
    ("Belgium served on the Security Council in 2019-2020", "3"),
    ("Belgium has no overdue reports to the treaty bodies", "25"),
    ("Belgium's national action plan on trafficking covers 2021-2025", "27(c)"),
]


@pytest.mark.parametrize(("claim", "number", "stated"), FALSE_CLAIMS)
def test_false_claims_are_contradicted_quoting_both_sides(
    service, sample_text, claim, number, stated
):
    verdict = service.verify(claim)
    assert verdict.status == "contradicted", verdict.explanation
    assert verdict.evidence[0].number == number
    assert verdict.evidence[0].quote in sample_text[number]
    assert stated in verdict.explanation
    assert any(c.outcome == "conflict" for c in verdict.checks)


def test_overdue_reports_claim_is_never_supported(service):
    verdict = service.verify("Belgium has several overdue reports to the treaty bodies")
    assert verdict.status == "contradicted", verdict.explanation
    assert "negative" in verdict.explanation and verdict.evidence[0].number == "25"


@pytest.mark.parametrize(("claim", "number"), TRUE_CLAIMS)
def test_true_claims_are_supported(service, claim, number):
    verdict = service.verify(claim)
    assert verdict.status == "supported", verdict.explanation
    assert verdict.evidence[0].number == number


def test_a_claim_in_a_language_the_rules_cannot_read_is_related(service):
    verdict = service.verify("Il Belgio ha ratificato la Convenzione di Istanbul nel 2016.")
    assert verdict.status == "related"
    assert any("(it)" in n for n in verdict.not_checked)


def test_a_verdict_on_a_paragraph_in_another_language_names_the_paragraphs_topics(service):
    """Old rule: an English claim judged on a Chinese quote said nothing of what the quote is
    about; a claim on another subject ("the responsibility to protect") than the paragraph's
    (children and armed conflict) left the reader no way to see it."""
    verdict = service.verify(
        "Belgium co-chairs a group of friends on the responsibility to protect."
    )
    assert verdict.evidence[0].language == "zh"
    note = f"Paragraph {verdict.evidence[0].number} is written in Chinese; the topics it names:"
    assert note in verdict.explanation
    assert "group of friends" in verdict.explanation.split(note)[1]
    # A claim in the paragraph's own language can be read against the quote as it is.
    same = service.verify("比利时在2019-2020年担任安全理事会成员。")
    assert same.evidence and same.evidence[0].language == "zh"
    assert "the topics it names" not in same.explanation


def test_a_treaty_number_the_pledge_never_names_is_not_found(service):
    verdict = service.verify("Belgium ratified ILO Convention No. 189")
    assert verdict.status == "not_found" and "No. 189" in verdict.explanation


@pytest.mark.parametrize(
    "claim",
    [
        "Belgium pledged to resettle 5,000 refugees a year",
        "Norway pledged to protect indigenous peoples",
        "Belgium pledged to cut greenhouse gas emissions",
    ],
)
def test_claims_without_evidence_fail_closed(service, claim):
    verdict = service.verify(claim)
    assert verdict.status == "not_found"
    assert verdict.evidence == []


@pytest.fixture
def cli_service(service, monkeypatch):
    """Point the commands at the shared sample store (no second Chroma client on its files)."""
    import ui.cli._answer as answer_cli
    import ui.cli._store as store_cli

    monkeypatch.setattr(answer_cli, "make_service", lambda store, **_: service)
    monkeypatch.setattr(store_cli, "make_service", lambda store, **_: service)
    return service


def test_ask_json_contract(cli_service, sample_text):
    result = runner.invoke(
        app, ["ask", "What did Belgium commit to on the death penalty?", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert list(out)[:3] == ["answer", "abstained", "citations"]
    assert out["abstained"] is False
    c = out["citations"][0]
    assert {"marker", "id", "number", "symbol", "country", "language", "quote", "url"} <= set(c)
    assert (c["number"], c["country"], c["language"]) == ("8", "BEL", "zh")
    assert c["quote"] in sample_text["8"]


def test_ask_out_of_scope_json(cli_service):
    result = runner.invoke(
        app, ["ask", "What did Belgium commit to on nuclear disarmament?", "--format", "json"]
    )
    out = json.loads(result.stdout)
    assert out["abstained"] is True and out["citations"] == []
    # The reason names the missing topic; the question itself is not repeated.
    assert "nuclear" in out["answer"] and "disarmament" in out["answer"]
    assert "What did Belgium commit to on nuclear disarmament?" not in out["answer"]


def test_ask_follow_up_and_markdown_bundle(cli_service, sample_text):
    result = runner.invoke(
        app,
        [
            "ask",
            "And on racism?",
            "--history",
            "What did Belgium commit to on the death penalty?",
            "--format",
            "markdown",
        ],
    )
    assert result.exit_code == 0, result.output
    md = result.stdout
    shown = markdown_text(md)
    assert "Searched as: And on racism? [country: Belgium]" in shown
    assert sample_text["16"] in shown  # the quote reads as the exact words
    assert "paragraph 16 (Chinese)" in shown
    assert "- Retrieved: " in md and "UTC" in md
    assert "- Link: no official link" in md


def markdown_text(md: str) -> str:
    """What a CommonMark renderer shows of ``md``: its text, each block on a line.

    Raises AssertionError when anything in it is read as a link, an image, HTML or code.
    """
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    blocks = []
    for token in parser.parse(md):
        assert token.type not in ("html_block",), token
        for child in token.children or []:
            assert child.type not in ("link_open", "image", "html_inline"), child
            # The one code span is the bundle's own paragraph id.
            assert child.type != "code_inline" or ":¶" in child.content, child
        if token.type == "inline":
            blocks.append(
                "".join(c.content for c in token.children or [] if c.type in ("text", "softbreak"))
            )
    return "\n".join(blocks)


HOSTILE = (
    "Belgium will work for the universal abolition of the death penalty; details:"
    " [click here](http://evil.example/x) <img src=x onerror=alert(1)> **now** `code`"
    " www.evil.example"
)


def test_markdown_bundle_shows_pledge_text_as_the_words_never_as_markup(
    tmp_path: Path, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.cli._answer as answer_cli
    from vectorstore.store import PledgeStore

    pledge = tmp_path / "hostile.txt"
    pledge.write_text(
        "Voluntary pledges and commitments of Belgium, candidate for membership of the Human"
        " Rights Council for the term 2023-2025\n\n1. " + HOSTILE + "\n\n"
        "2. Belgium supports the International Criminal Court.\n",
        encoding="utf-8",
    )
    store = PledgeStore.from_settings(
        no_llm_settings().with_store(tmp_path / "store").store, embedder
    )
    service = PledgeService(settings=no_llm_settings(), store=store)
    assert not service.ingest([pledge]).failed
    monkeypatch.setattr(answer_cli, "make_service", lambda store, **_: service)

    question = "What did Belgium commit to on the death penalty? [x](http://q.example) <b>q</b>"
    result = runner.invoke(app, ["ask", question, "--format", "markdown"])
    assert result.exit_code == 0, result.output
    shown = markdown_text(result.stdout)  # no link, image, HTML or code span anywhere
    quotes = json.loads(runner.invoke(app, ["ask", question, "--json"]).stdout)["citations"]
    assert quotes and all(c["quote"] in shown for c in quotes)  # the quotes, word for word
    assert "[click here](http://evil.example/x) <img src=x onerror=alert(1)>" in shown
    assert f"Question: {question}" in shown


def test_ask_rejects_an_unknown_language(cli_service):
    result = runner.invoke(app, ["ask", "death penalty", "--lang", "de"])
    assert result.exit_code == 2
    assert "expected one of ar, en, es, fr, ru, zh" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "death penalty", "--country", "Belgium " * 100],
        ["verify", "Belgium pledged to ratify OPCAT", "--country", "x" * 201],
        ["search", "death penalty", "--term", "2023-2025 " * 30],
    ],
)
def test_an_overlong_filter_value_is_a_usage_error_naming_the_option(cli_service, args):
    """Old rule: any length went on to the country matcher and the store."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "at most 200 characters" in result.output
    assert args[-2] in result.output


def test_verify_json(cli_service):
    result = runner.invoke(app, ["verify", "Belgium pledged to ratify OPCAT", "--json"])
    out = json.loads(result.stdout)
    assert out["status"] == "supported" and out["evidence"][0]["number"] == "26"
    result = runner.invoke(app, ["verify", "Belgium pledged to resettle refugees"])
    assert result.stdout.startswith("NOT_FOUND: Belgium pledged to resettle refugees")


def test_eval_claims_prints_the_confusion_table(cli_service, tmp_path):
    lines = [
        {"claim": "Belgium ratified the Istanbul Convention in 2016.", "truth": "true"},
        {
            "claim": "Belgium ratified the Istanbul Convention in 2019.",
            "truth": "false",
            "error": "year",
        },
        {"claim": "Belgium pledged to resettle 10,000 refugees a year.", "truth": "uncovered"},
    ]
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    result = runner.invoke(app, ["eval-claims", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["confusion"] == {
        "true": {"supported": 1, "contradicted": 0, "related": 0, "not_found": 0},
        "false": {"supported": 0, "contradicted": 1, "related": 0, "not_found": 0},
        "uncovered": {"supported": 0, "contradicted": 0, "related": 0, "not_found": 1},
    }
    assert out["false_by_error"] == {
        "year": {"supported": 0, "contradicted": 1, "related": 0, "not_found": 0}
    }
    assert (out["false_supported"], out["true_contradicted"]) == (0, 0)
    assert out["value_errors_contradicted"] == 1.0 and out["uncovered_not_found"] == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"claim": "x", "truth": "maybe"}', encoding="utf-8")
    result = runner.invoke(app, ["eval-claims", str(bad)])
    assert result.exit_code != 0 and "bad.jsonl:1" in str(result.exception)
    assert "'truth' must be one of true, false, uncovered" in str(result.exception)


def test_answer_figures_on_a_small_eval_file(service, tmp_path):
    lines = [
        {"question": "What did Belgium commit to on the death penalty?", "gold": ["8"]},
        {"question": "What did Belgium commit to on nuclear disarmament?", "gold": []},
        {
            "history": ["What did Belgium commit to on the death penalty?"],
            "question": "And on racism?",
            "gold": ["16", "27"],
        },
    ]
    path = tmp_path / "mini.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    full = evaluate_service(load_eval(path), service)
    assert full["abstention_accuracy"] == 1.0
    assert full["answered_in_scope"] == 1.0
    assert full["citation_validity"] == 1.0 and full["citations"] >= 2
    assert full["followups"] == 1 and full["followup_recall@1"] == 1.0
    assert {"n", "recall@1", "recall@5", "mrr"} <= set(full)
    follow = [d for d in full["details"] if d["history"]]
    assert follow[0]["rank"] == 1  # searched as the condensed question


@pytest.mark.slow
def test_aligned_paragraph_from_another_language_version(tmp_store, tmp_path: Path) -> Any:
    """Two language versions of one pledge (same symbol): a citation of the English paragraph
    shows the same-numbered French paragraph to a French reader."""
    from ingest.pipeline import parse_file
    from tests.ingest.pledges import EN, FR, write

    for pledge in (EN, FR):
        tmp_store.upsert(parse_file(write(pledge, "pdf", tmp_path)))
    svc = PledgeService(settings=no_llm_settings(), store=tmp_store)
    from vectorstore.records import Filters

    answer = svc.ask(
        "La Ruritanie va-t-elle ratifier le Protocole facultatif contre la torture ?",
        filters=Filters(language="en"),
    )
    assert not answer.abstained
    c = answer.citations[0]
    assert (c.number, c.language, c.symbol) == ("6", "en", "A/78/812")
    assert c.url == "https://undocs.org/en/A/78/812"
    assert c.quote in EN.paras["6"]
    assert "en anglais, la langue du texte enregistré" in answer.answer
    (aligned,) = c.aligned
    assert (aligned.language, aligned.number, aligned.text) == ("fr", "6", FR.paras["6"])


@pytest.mark.parametrize(
    "claim",
    [
        "x",
        "Belgium",
        "Belgium pledged",
        "Belgium has committed to that.",
        "Belgium pledged to ratify",
        "比利时承诺",
        "Belgium in 2016",
    ],
)
def test_a_claim_with_nothing_to_check_is_never_supported(service, claim):
    # "x" was SUPPORTED by ¶5 and "Belgium" by ¶20.3: they state nothing a sentence could support.
    verdict = service.verify(claim)
    assert verdict.status == "not_found", verdict.explanation
    assert "names no topic to check" in verdict.explanation
    assert verdict.evidence == [] and verdict.checks == []


@pytest.mark.parametrize(
    ("claim", "number"),
    [("Belgium supports the ICC.", None), ("Belgium pledged to ratify OPCAT", "26")],
)
def test_short_real_claims_still_verify(service, claim, number):
    verdict = service.verify(claim)
    assert verdict.status == "supported", verdict.explanation
    assert number is None or verdict.evidence[0].number == number


def test_verify_cli_says_a_bare_country_is_not_a_claim(cli_service):
    result = runner.invoke(app, ["verify", "Belgium"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("NOT_FOUND: Belgium")
    assert "names no topic to check" in result.stdout
