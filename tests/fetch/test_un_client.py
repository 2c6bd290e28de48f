"""The UN client against the loopback stand-in: redirects, the web-app page, 404, 429 with
Retry-After, 5xx, slow answers, bodies cut short, truncated PDFs, PDFs of another symbol, the
size cap, an unreachable host, pacing, and the Digital Library's MARCXML."""

from __future__ import annotations

import itertools

import pytest

from ingest.un import UNClient, UNError, UnreachableError, parse_languages, parse_marcxml
from tests.fetch.conftest import OTHER_SYMBOL, SYMBOL, fast_settings, unused_port
from tests.fetch.un_server import UNServer, marc_record


def test_published_version_follows_the_redirect(un: UNServer, client: UNClient, pdfs) -> None:
    un.publish(SYMBOL, "fr", pdfs["fr"])
    got = client.download(SYMBOL, "fr")
    assert (got.status, got.reason) == ("ok", None)
    assert got.data == pdfs["fr"]
    assert got.url.endswith("/pdf/A%2F78%2F812/fr.pdf")  # where the 302 led
    (asked,) = un.requests()
    assert asked.query == {"s": [SYMBOL], "l": ["fr"], "t": ["pdf"]}
    assert asked.user_agent == client.settings.user_agent
    assert "PledgeAssistant" in (asked.user_agent or "")


def test_conditional_request_for_a_kept_copy(un: UNServer, client: UNClient, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["en"])
    first = client.download(SYMBOL, "en")
    assert first.etag and first.last_modified
    again = client.download(SYMBOL, "en", etag=first.etag, last_modified=first.last_modified)
    assert (again.status, again.data) == ("not_modified", b"")
    pdf_requests = [r for r in un.log if r.path.startswith("/pdf/")]
    assert [(r.status, r.if_none_match) for r in pdf_requests] == [
        (200, None),
        (304, first.etag),  # the validator survived the redirect
    ]
    changed = client.download(SYMBOL, "en", etag='"stale"')
    assert changed.status == "ok" and changed.data == pdfs["en"]


def test_web_app_page_and_404_are_not_published(un: UNServer, client: UNClient, pdfs) -> None:
    un.publish(SYMBOL, "ru", b"", kind="404")
    webapp = client.download("A/78/404", "en")  # unknown symbol: 200 with an HTML page
    assert webapp.status == "not_published" and webapp.data == b""
    assert "web page, not a PDF" in (webapp.reason or "")
    missing = client.download(SYMBOL, "ru")
    assert missing.status == "not_published" and "(404)" in (missing.reason or "")


def test_429_waits_as_long_as_retry_after_says(un: UNServer, client: UNClient, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["en"], kind="429", fail_times=1, retry_after="1")
    got = client.download(SYMBOL, "en")
    assert got.status == "ok" and got.data == pdfs["en"]
    first, second = un.requests()
    assert second.at - first.at >= 1.0  # backoff is 0.05 s; Retry-After asked for 1 s
    assert client.waits == [(1.0, "HTTP 429")]


def test_retry_after_beyond_the_limit_fails_without_waiting(un: UNServer, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["en"], kind="429", retry_after="3600")
    with UNClient(fast_settings(un.url, max_retry_after_s=5)) as c:
        got = c.download(SYMBOL, "en")
    assert got.status == "failed"
    assert "asks to wait 3600 s (Retry-After)" in (got.reason or "")
    assert len(un.requests()) == 1


def test_5xx_is_retried_with_backoff_then_reported(un: UNServer, client: UNClient, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["en"], kind="503", retry_after=None)
    got = client.download(SYMBOL, "en")
    assert got.status == "failed"
    assert got.reason and "HTTP 503" in got.reason and "gave up after 3 tries" in got.reason
    assert len(un.requests()) == 3
    assert [w for w, _ in client.waits] == [0.05, 0.1]  # doubling backoff


def test_5xx_then_success(un: UNServer, client: UNClient, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["en"], kind="503", fail_times=2, retry_after=None)
    assert client.download(SYMBOL, "en").status == "ok"


def test_slow_answer_within_and_beyond_the_timeout(un: UNServer, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["en"], kind="slow", delay=0.5)
    with UNClient(fast_settings(un.url, timeout_s=3.0)) as c:
        assert c.download(SYMBOL, "en").status == "ok"
    with UNClient(fast_settings(un.url, timeout_s=0.2, retries=1)) as c:
        got = c.download(SYMBOL, "en")
    assert got.status == "failed"
    assert "no answer in time" in (got.reason or "") and "gave up after 2 tries" in got.reason


def test_body_trickling_in_is_cut_off_as_a_whole(un: UNServer, pdfs) -> None:
    # Each piece arrives well inside the read timeout (0.15 s of 0.5 s, room for a loaded
    # machine), but the whole body takes about 6 s, past the 5 s a whole answer may take.
    un.publish(SYMBOL, "en", pdfs["en"], kind="trickle", delay=0.15)
    with UNClient(fast_settings(un.url, timeout_s=0.5, retries=0)) as c:
        got = c.download(SYMBOL, "en")
    assert got.status == "failed"
    assert "the whole answer took over 5 s" in (got.reason or "")


def test_body_cut_short_is_a_failure(un: UNServer, client: UNClient, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["en"], kind="cut")
    got = client.download(SYMBOL, "en")
    assert got.status == "failed" and got.data == b""
    assert "connection closed early" in (got.reason or "")


def test_truncated_pdf_is_a_failure(un: UNServer, client: UNClient, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["en"][: len(pdfs["en"]) // 2])
    got = client.download(SYMBOL, "en")
    assert got.status == "failed" and got.data == b""
    assert "truncated" in (got.reason or "")


def test_pdf_of_another_symbol_is_refused(un: UNServer, client: UNClient, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["other"])
    got = client.download(SYMBOL, "en")
    assert got.status == "failed" and got.data == b""
    assert got.reason == f"the first page shows {OTHER_SYMBOL}, not {SYMBOL}: another document"


def test_not_a_pdf_is_refused(un: UNServer, client: UNClient) -> None:
    un.publish(SYMBOL, "en", b"PK\x03\x04 a zip", content_type="application/pdf")
    got = client.download(SYMBOL, "en")
    assert got.status == "failed" and "not a PDF" in (got.reason or "")


def test_size_cap(un: UNServer, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["en"])
    cap_mb = len(pdfs["en"]) / 2 / 1e6
    with UNClient(fast_settings(un.url, max_mb=cap_mb)) as c:
        got = c.download(SYMBOL, "en")
    assert got.status == "failed" and "PLEDGES_UN_MAX_MB" in (got.reason or "")


def test_unreachable_host_is_one_line_naming_it() -> None:
    port = unused_port()
    with (
        UNClient(fast_settings(f"http://127.0.0.1:{port}")) as c,
        pytest.raises(UnreachableError) as e,
    ):
        c.download(SYMBOL, "en")
    message = str(e.value)
    assert message.startswith(f"cannot reach 127.0.0.1:{port}: ")
    assert "\n" not in message


def test_requests_are_paced(un: UNServer, pdfs) -> None:
    un.publish(SYMBOL, "en", pdfs["en"])
    with UNClient(fast_settings(un.url, min_interval_s=0.3)) as c:
        for _ in range(3):
            c.download(SYMBOL, "en")
    times = [r.at for r in un.requests()]
    assert all(b - a >= 0.29 for a, b in itertools.pairwise(times))


def test_symbol_check_needs_the_whole_symbol(pdfs) -> None:
    from ingest.un import symbol_on_first_page

    assert symbol_on_first_page(pdfs["en"], SYMBOL) is True
    assert symbol_on_first_page(pdfs["en"], "a/78/812") is True  # case and spacing do not matter
    assert symbol_on_first_page(pdfs["en"], "A/78/81") != True  # noqa: E712 - a prefix is not it
    assert symbol_on_first_page(pdfs["en"], "A/78/812/Add.1") != True  # noqa: E712


# -- Digital Library -----------------------------------------------------------------------------

HRC = "Candidature of {c} to the Human Rights Council, 2026-2028 : note verbale"


def test_session_search_pages_filters_and_reads_fields(un: UNServer) -> None:
    un.records = [
        marc_record("A/78/812", HRC.format(c="Belgium"), "20240314",
                    "Belgium. Permanent Mission to the United Nations",
                    ("A_78_812-EN.pdf", "A_78_812-FR.pdf", "A_78_812-ZH.pdf"), "11"),
        marc_record("A/77/90", HRC.format(c="Chile"), recid="12"),  # another session
        marc_record("A/78/813", "Report of the Secretary-General on oceans", recid="13"),
        marc_record("A/78/820", "Note verbale dated 2 April 2024 from the Permanent Mission of"
                    " Ghana to the United Nations addressed to the President of the General"
                    " Assembly", "2024-04-02", None, ("A_78_820-AR.pdf",), "14",
                    agenda="Elections: election of members of the Human Rights Council"),
        marc_record("A/78/821", "Note verbale dated 3 April 2024 from the Permanent Mission of"
                    " Chile", recid="16", agenda="Elections: Economic and Social Council"),
        marc_record("A/78/815", HRC.format(c="Peru"), "202403", recid="15"),
    ]  # fmt: skip
    with UNClient(fast_settings(un.url)) as c:
        found = c.search_session(78, page=2)
    assert [e.symbol for e in found] == ["A/78/812", "A/78/815", "A/78/820"]
    bel, per, gha = found
    assert (bel.country.code, bel.date.isoformat(), bel.languages) == (
        "BEL",
        "2024-03-14",
        ["en", "fr", "zh"],
    )
    assert bel.record_id == "11"
    assert (gha.country.code, gha.date.isoformat(), gha.languages) == ("GHA", "2024-04-02", ["ar"])
    assert gha.subjects == ["Elections: election of members of the Human Rights Council"]
    assert (per.country.code, per.date.isoformat(), per.languages) == ("PER", "2024-03-01", [])
    searches = un.requests("/search")
    assert [r.query["jrec"] for r in searches] == [["1"], ["3"], ["5"]]  # 6 records, 2 a page
    assert all(r.query["of"] == ["xm"] and r.query["rg"] == ["2"] for r in searches)
    assert "A/78/" in searches[0].query["p"][0]


def test_marcxml_parsing_is_tolerant() -> None:
    xml = (
        b"<collection><record><datafield tag='245'><subfield code='a'>No symbol</subfield>"
        b"</datafield></record><record><datafield tag='191'><subfield code='a'>A/78/1"
        b"</subfield></datafield><datafield tag='269'><subfield code='a'>n.d.</subfield>"
        b"</datafield></record></collection>"
    )
    entries, total, n = parse_marcxml(xml)
    assert (n, total) == (2, None)
    (entry,) = entries
    assert (entry.symbol, entry.title, entry.date, entry.country) == ("A/78/1", None, None, None)
    with pytest.raises(UNError, match="did not answer with MARCXML"):
        parse_marcxml(b"<!DOCTYPE html><html><body>Service unavailable</html")


def test_languages_from_file_names_and_names() -> None:
    assert parse_languages(["x/A_78_1-RU.pdf", "Français", "eng", "Klingon"]) == ["en", "fr", "ru"]


def test_client_is_input_layer() -> None:
    """ingest/un.py imports from the project only its own layer (records, errors, countries);
    never the vector store, the answer chain or a front end."""
    import ast
    from pathlib import Path

    import ingest.un

    tree = ast.parse(Path(ingest.un.__file__).read_text(encoding="utf-8"))
    names = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    ours = {
        n for n in names if n and n.split(".")[0] in ("assistant", "ingest", "vectorstore", "ui")
    }
    assert ours and all(n.split(".")[0] == "ingest" for n in ours), ours
