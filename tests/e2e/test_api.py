"""Every /v1 endpoint over real HTTP (uvicorn on loopback, httpx), with the error cases."""

from __future__ import annotations

import io
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest

from assistant.service import PledgeService
from assistant.types import Answer, IngestReport, Verdict
from ingest.records import Document, Paragraph
from tests.e2e.conftest import ADMIN, DEATH_PENALTY, READER
from vectorstore.records import SearchHit

pytestmark = pytest.mark.slow

ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}

#: A small pledge in English, as a user would upload it.
NORWAY = """\
Letter dated 2 May 2024 from the Permanent Mission of Norway to the United Nations addressed to the
President of the General Assembly

Voluntary pledges and commitments of Norway, candidate for membership of the Human Rights
Council for the term 2025-2027, pursuant to General Assembly resolution 60/251

1. Norway presents its candidature for membership of the Human Rights Council for 2025-2027.

2. Norway will work for the protection of journalists and media workers, and against impunity
for crimes committed against them.

3. Norway will continue to advocate for the rights of indigenous peoples, including the Sami
people, and for their participation in the work of the Council.
"""


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The response is a JSON error of the documented shape, with this status (and code)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"].strip()
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def numbers(citations: list) -> list[str]:
    return [c.number for c in citations]


@pytest.fixture(scope="module")
def sample_doc(http: httpx.Client) -> Document:
    docs = http.get("/v1/documents").json()["documents"]
    assert len(docs) == 1, docs
    return Document.model_validate({k: v for k, v in docs[0].items() if k not in ("label", "url")})


# -- meta ----------------------------------------------------------------------------------------


def test_openapi_lists_every_endpoint_and_docs_page_serves(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    paths = spec["paths"]
    expected = {
        "/v1/ask": {"post"},
        "/v1/search": {"post"},
        "/v1/verify": {"post"},
        "/v1/documents": {"get", "post"},
        "/v1/documents/{doc_id}/paragraphs/{number}": {"get"},
        "/v1/documents/{doc_id}": {"delete"},
        "/healthz": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, sorted(paths)
        assert methods <= set(paths[path]), (path, paths[path])
    # Request and response models are named schemas, not anonymous dicts.
    schemas = spec["components"]["schemas"]
    for name in ("AskRequest", "Answer", "Citation", "SearchResponse", "Verdict", "ErrorResponse"):
        assert name in schemas, sorted(schemas)
    ask = paths["/v1/ask"]["post"]
    assert ask["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Answer"
    )
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    docs = http.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_healthz(http: httpx.Client) -> None:
    body = http.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["documents"] >= 1
    assert body["llm"] is False


def test_unknown_route_under_v1_is_a_json_404(http: httpx.Client) -> None:
    assert_error(http.get("/v1/nothing-here"), 404, "not_found")
    # "/v1" itself is the API's too: the chat mounted at "/" answered it with {"detail": ...}.
    assert_error(http.get("/v1"), 404, "not_found")
    assert_error(http.post("/v1", json={}), 404, "not_found")


@pytest.mark.parametrize(
    ("path", "asked"),
    [
        ("/v1/nothing-" + "x" * 20_000, "/v1/nothing-"),
        ("/v1/documents/" + "d" * 20_000 + "/paragraphs/8", "'ddd"),
        ("/v1/documents/bel-2023-2025.zh/paragraphs/" + "9" * 20_000, "'999"),
    ],
)
def test_a_404_repeats_at_most_80_characters_of_what_was_asked(
    http: httpx.Client, sample_doc: Document, path: str, asked: str
) -> None:
    """Old rule: the whole path, document id or number came back in the message."""
    message = assert_error(http.get(path), 404, "not_found")["message"]
    assert asked in message and "20," in message  # the value's start and its length
    assert len(message) < 400, message


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/v1/ask", "POST"),  # read "no endpoint /v1/ask" before
        ("PUT", "/v1/documents", "GET, POST"),
        ("GET", "/v1/documents/bel-2023-2025.zh", "DELETE"),
        ("TRACE", "/v1/search", "POST"),  # the chat UI answered {"detail": "Not Found"}
        ("OPTIONS", "/v1/verify", "POST"),
        ("POST", "/healthz", "GET"),
        ("DELETE", "/healthz", "GET"),
        # Methods outside any list reached the chat UI, which answered {"detail": ...}.
        ("QUERY", "/v1/ask", "POST"),
        ("PURGE", "/v1/documents", "GET, POST"),
        ("QUERY", "/healthz", "GET"),
    ],
)
def test_an_endpoint_asked_with_another_method_is_a_json_405(
    http: httpx.Client, method: str, path: str, allowed: str
) -> None:
    response = http.request(method, path)
    err = assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allowed
    assert f"{method} is not allowed on {path}: it takes {allowed}" in err["message"]


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "HEAD"])
def test_any_method_on_an_unknown_v1_path_is_the_apis_404(http: httpx.Client, method: str) -> None:
    response = http.request(method, "/v1/nothing-here")
    assert response.status_code == 404
    if method != "HEAD":  # a HEAD answer has no body
        assert_error(response, 404, "not_found")


#: Every method a request may carry here, and two that no list of the API names.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY", "PURGE")


def test_allow_lists_exactly_the_methods_each_path_serves(http: httpx.Client) -> None:
    """For every documented path: the methods that do not answer 405 are the schema's, and
    every 405 says exactly those in Allow (DELETE was offered on the paragraphs path)."""
    paths = http.get("/openapi.json").json()["paths"]
    # Values that exist nowhere: no request here changes the store.
    values = {"doc_id": "no-such-doc", "number": "8"}
    for template, operations in paths.items():
        path = template.format(**values)
        documented = {m.upper() for m in operations}
        served: set[str] = set()
        allows: set[str] = set()
        for method in METHODS:
            response = http.request(method, path, headers=ADMIN_HEADERS)
            if response.status_code == 405:
                allows.add(response.headers["allow"])
            else:
                served.add(method)
        assert served == documented, (template, served, documented)
        assert allows == {", ".join(sorted(documented))}, (template, allows)


def test_what_a_request_needs_is_read_from_the_endpoint_that_serves_it(
    locked_api: httpx.Client,
) -> None:
    reader = {"Authorization": f"Bearer {READER}"}
    # No endpoint deletes a paragraph: a reader gets the 405, not "writes are disabled".
    response = locked_api.delete("/v1/documents/x/paragraphs/8", headers=reader)
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"
    assert_error(locked_api.delete("/v1/documents/x/paragraphs/8"), 401)  # still for readers
    # The writes stay the admin's, whatever the token of a reader.
    for method, path in (("DELETE", "/v1/documents/x"), ("POST", "/v1/documents")):
        assert_error(locked_api.request(method, path, headers=reader), 403, "writes_disabled")
    assert_error(locked_api.post("/v1/fetch", json={}, headers=reader), 403, "writes_disabled")


def test_openapi_states_the_request_limits_the_server_enforces(e2e_service) -> None:
    """Non-default limits: the schema's maxLength/maxItems are the server's, and a request at
    each bound passes it while one past it is refused with the setting named."""
    from fastapi.testclient import TestClient

    from tests.e2e.conftest import server_settings
    from ui.api import create_app

    settings = server_settings(
        e2e_service.settings, max_question_chars=120, max_history_turns=3, max_upload_mb=0.5
    )
    service = PledgeService(settings, store=e2e_service.store, embedder=e2e_service.embedder)
    client = TestClient(create_app(service, settings=settings))
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    ask = schema["AskRequest"]["properties"]
    assert ask["question"]["maxLength"] == 120
    assert ask["history"]["maxItems"] == 3 and ask["history"]["items"]["maxLength"] == 120
    assert schema["SearchRequest"]["properties"]["query"]["maxLength"] == 120
    assert schema["VerifyRequest"]["properties"]["claim"]["maxLength"] == 120
    upload_body = schema["Body_upload_v1_documents_post"]["properties"]["file"]
    assert upload_body["maxLength"] == 512 * 1024
    assert "PLEDGES_MAX_QUESTION_CHARS" in ask["question"]["description"]
    assert "x-request-limit" not in str(schema)

    question = ("death penalty " * 20)[:120]
    assert client.post("/v1/ask", json={"question": question}).status_code == 200
    # Spaces count as the schema counts them (they were stripped before measuring).
    err = assert_error(client.post("/v1/ask", json={"question": question + " "}), 422)
    assert "PLEDGES_MAX_QUESTION_CHARS" in err["message"]
    for path, field in (("/v1/search", "query"), ("/v1/verify", "claim")):
        assert client.post(path, json={field: question}).status_code == 200
        assert_error(client.post(path, json={field: question + "x"}), 422)
    earlier = ["death penalty?", "", "torture?"]
    assert client.post("/v1/ask", json={"question": "And?", "history": earlier}).status_code == 200
    # Four items, one blank: over maxItems, as the schema says (blank ones were not counted).
    err = assert_error(
        client.post("/v1/ask", json={"question": "And?", "history": [*earlier, ""]}), 422
    )
    assert "PLEDGES_MAX_HISTORY_TURNS" in err["message"]


# -- reads ---------------------------------------------------------------------------------------


def test_ask_death_penalty_cites_paragraph_8(http: httpx.Client, sample_doc: Document) -> None:
    response = http.post("/v1/ask", json={"question": DEATH_PENALTY})
    assert response.status_code == 200, response.text
    answer = Answer.model_validate(response.json())
    assert not answer.abstained
    assert answer.question == DEATH_PENALTY
    assert "8" in numbers(answer.citations)
    cite = next(c for c in answer.citations if c.number == "8")
    assert cite.doc_id == sample_doc.doc_id
    assert cite.id == f"{sample_doc.doc_id}:¶8"
    assert cite.country == "BEL"
    assert cite.language == "zh"
    assert cite.marker in answer.answer
    # The quote is the paragraph's own words.
    para = http.get(f"/v1/documents/{sample_doc.doc_id}/paragraphs/8").json()["paragraph"]
    assert cite.quote and cite.quote in para["text"]


def test_ask_with_filters_that_match_nothing_abstains(http: httpx.Client) -> None:
    body = {"question": DEATH_PENALTY, "filters": {"country": "NZL"}}
    response = http.post("/v1/ask", json=body)
    assert response.status_code == 200, response.text
    answer = Answer.model_validate(response.json())
    assert answer.abstained
    assert answer.citations == []


def test_ask_follow_up_uses_history(http: httpx.Client) -> None:
    body = {"question": "And on racism?", "history": [DEATH_PENALTY]}
    response = http.post("/v1/ask", json=body)
    assert response.status_code == 200, response.text
    answer = Answer.model_validate(response.json())
    assert answer.question == "And on racism?"
    assert not answer.abstained
    assert {"16", "27"} & set(numbers(answer.citations)), answer.citations


def test_search_ranks_paragraph_8(http: httpx.Client, sample_doc: Document) -> None:
    response = http.post("/v1/search", json={"query": DEATH_PENALTY, "k": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"] == DEATH_PENALTY
    hits = [SearchHit.model_validate(h) for h in body["hits"]]
    assert 1 <= len(hits) <= 5
    assert "8" in [h.paragraph.number for h in hits]
    assert all(h.document.doc_id == sample_doc.doc_id for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_concurrent_requests_all_answer(http: httpx.Client, live_app) -> None:
    """Requests run in the threadpool at the same time; the shared embedder stays consistent."""
    from concurrent.futures import ThreadPoolExecutor

    def ask(i: int) -> list[str]:
        with httpx.Client(base_url=live_app.url, timeout=120) as client:
            if i % 2:
                body = client.post("/v1/search", json={"query": DEATH_PENALTY, "k": 3}).json()
                return [h["paragraph"]["number"] for h in body["hits"]]
            body = client.post("/v1/ask", json={"question": DEATH_PENALTY}).json()
            return [c["number"] for c in body["citations"]]

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(ask, range(6)))
    assert all("8" in numbers for numbers in results), results
    # Same question, same answer: no request saw another's vectors.
    assert len({tuple(r) for r in results[0::2]}) == 1, results
    assert len({tuple(r) for r in results[1::2]}) == 1, results


def test_search_filter_by_language(http: httpx.Client) -> None:
    body = {"query": DEATH_PENALTY, "k": 3, "filters": {"language": "fr"}}
    response = http.post("/v1/search", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["hits"] == []  # the sample is Chinese only


def test_verify_supported_claim_cites_paragraph_8(http: httpx.Client) -> None:
    claim = "Belgium will keep the death penalty on the agenda of the Human Rights Council."
    response = http.post("/v1/verify", json={"claim": claim})
    assert response.status_code == 200, response.text
    verdict = Verdict.model_validate(response.json())
    assert verdict.claim == claim
    assert verdict.status == "supported", verdict
    assert "8" in numbers(verdict.evidence)
    assert all(e.quote for e in verdict.evidence)


def test_verify_contradicted_claim_quotes_both_years(http: httpx.Client) -> None:
    response = http.post(
        "/v1/verify", json={"claim": "Belgium ratified the Istanbul Convention in 2019."}
    )
    assert response.status_code == 200, response.text
    verdict = Verdict.model_validate(response.json())
    assert verdict.status == "contradicted", verdict
    assert numbers(verdict.evidence)[0] == "24"
    assert "'2019'" in verdict.explanation and "2016" in verdict.explanation
    assert ("value", "conflict") in {(c.facet, c.outcome) for c in verdict.checks}


def test_openapi_documents_the_verdict_statuses(http: httpx.Client) -> None:
    schema = http.get("/openapi.json").json()
    status = schema["components"]["schemas"]["Verdict"]["properties"]["status"]
    assert status["enum"] == ["supported", "contradicted", "related", "not_found"]
    for word in ("supported:", "contradicted:", "related:", "not_found:"):
        assert word in status["description"]
    assert "**related**" in schema["paths"]["/v1/verify"]["post"]["description"]


def test_verify_claim_the_pledges_do_not_make(http: httpx.Client) -> None:
    claim = "Belgium pledged to resettle 10,000 refugees a year."
    response = http.post("/v1/verify", json={"claim": claim})
    assert response.status_code == 200, response.text
    verdict = Verdict.model_validate(response.json())
    assert verdict.status == "not_found", verdict
    assert verdict.evidence == []


def test_documents_lists_the_sample_with_label(http: httpx.Client) -> None:
    response = http.get("/v1/documents")
    assert response.status_code == 200
    (doc,) = response.json()["documents"]
    assert doc["country"] == {"code": "BEL", "name": "Belgium"}
    assert doc["language"] == "zh"
    assert doc["term"] == "2023-2025"
    assert doc["label"]  # symbol, else "Belgium pledge 2023-2025"
    assert "url" in doc


def test_paragraph_by_number(http: httpx.Client, sample_doc: Document) -> None:
    response = http.get(f"/v1/documents/{sample_doc.doc_id}/paragraphs/8")
    assert response.status_code == 200, response.text
    body = response.json()
    para = Paragraph.model_validate(body["paragraph"])
    assert para.number == "8"
    assert para.id == f"{sample_doc.doc_id}:¶8"
    assert "死刑" in para.text
    assert body["document"]["doc_id"] == sample_doc.doc_id


def test_sub_item_paragraph_number_in_path(http: httpx.Client, sample_doc: Document) -> None:
    number = urllib.parse.quote("20.5", safe="")
    response = http.get(f"/v1/documents/{sample_doc.doc_id}/paragraphs/{number}")
    assert response.status_code == 200, response.text
    assert response.json()["paragraph"]["number"] == "20.5"


def test_paragraph_404s(http: httpx.Client, sample_doc: Document) -> None:
    err = assert_error(http.get("/v1/documents/no-such-doc/paragraphs/8"), 404, "not_found")
    assert "no-such-doc" in err["message"]
    assert_error(http.get(f"/v1/documents/{sample_doc.doc_id}/paragraphs/999"), 404, "not_found")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/ask", {}, "question"),
        ("/v1/ask", {"question": ""}, "question"),
        ("/v1/ask", {"question": "x", "filters": {"language": "de"}}, "language"),
        ("/v1/ask", {"question": "x", "unknown": 1}, "unknown"),
        ("/v1/search", {"query": "x", "k": 0}, "k"),
        ("/v1/verify", {"claim": 5}, "claim"),
        # Filter values are bounded at the boundary (old rule: any length, matched against
        # every country name and sent to the store as it was).
        ("/v1/ask", {"question": "x", "filters": {"country": "Belgium " * 5000}}, "country"),
        ("/v1/search", {"query": "x", "filters": {"symbol": "A/78/" * 10_000}}, "symbol"),
        ("/v1/verify", {"claim": "x", "filters": {"term": "2023-2025" * 1000}}, "term"),
    ],
)
def test_invalid_requests_are_422_with_the_field_named(
    http: httpx.Client, path: str, body: dict, field: str
) -> None:
    err = assert_error(http.post(path, json=body), 422, "validation_error")
    assert field in err["message"]


def test_malformed_json_is_422(http: httpx.Client) -> None:
    response = http.post(
        "/v1/ask", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\xff\xfe{\x19k", "application/json"),  # not UTF-8: FastAPI's bare 400 before
        (b"--xyz\r\n1117--xyz--\r\n", "multipart/form-data; boundary=xyz"),
    ],
)
def test_a_body_that_cannot_be_decoded_is_a_422_naming_what_to_send(
    http: httpx.Client, content: bytes, content_type: str
) -> None:
    path = "/v1/documents" if content_type.startswith("multipart") else "/v1/ask"
    response = http.post(
        path, content=content, headers={"Content-Type": content_type, **ADMIN_HEADERS}
    )
    err = assert_error(response, 422, "validation_error")
    assert content_type in err["message"] and "application/json" in err["message"]


def test_openapi_declares_the_error_statuses_every_read_can_answer(http: httpx.Client) -> None:
    schema = http.get("/openapi.json").json()
    for path in ("/v1/ask", "/v1/search", "/v1/verify"):
        responses = schema["paths"][path]["post"]["responses"]
        assert {"401", "403", "413", "422", "500", "503"} <= set(responses), path
        assert responses["503"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }


# -- writes --------------------------------------------------------------------------------------


def upload(
    client: httpx.Client,
    data: bytes,
    filename: str,
    headers: dict[str, str] | None = None,
    **form: str,
) -> httpx.Response:
    files = {"file": (filename, io.BytesIO(data), "application/octet-stream")}
    return client.post("/v1/documents", files=files, data=form, headers=headers)


def test_write_without_token_is_401(http: httpx.Client, sample_doc: Document) -> None:
    response = upload(http, NORWAY.encode(), "norway.txt")
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    assert_error(http.delete(f"/v1/documents/{sample_doc.doc_id}"), 401, "unauthorized")
    assert len(http.get("/v1/documents").json()["documents"]) == 1


def test_write_with_wrong_token_is_403(http: httpx.Client, sample_doc: Document) -> None:
    wrong = {"Authorization": "Bearer not-the-token"}
    assert_error(upload(http, NORWAY.encode(), "norway.txt", wrong), 403, "forbidden")
    response = http.delete(f"/v1/documents/{sample_doc.doc_id}", headers=wrong)
    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("filename", ["pledge.exe", "pledge", "pledge.txt.sh", "notes.csv"])
def test_upload_of_a_type_not_allowed_is_415(http: httpx.Client, filename: str) -> None:
    err = assert_error(upload(http, b"1. text", filename, ADMIN_HEADERS), 415)
    assert ".txt" in err["message"]  # says what is allowed


def test_upload_over_the_limit_is_413(http: httpx.Client) -> None:
    big = b"1. " + b"x" * (1024 * 1024 + 10)
    err = assert_error(upload(http, big, "big.txt", ADMIN_HEADERS), 413, "payload_too_large")
    assert "MiB" in err["message"] and "PLEDGES_MAX_UPLOAD_MB" in err["message"]


def test_chunked_upload_over_the_limit_is_413(http: httpx.Client) -> None:
    """Without a Content-Length the endpoint still counts the bytes it receives."""
    boundary = "pledgesboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(20):
            yield b"y" * 65536  # 1.25 MB in all
        yield tail

    response = http.post(
        "/v1/documents",
        content=body(),
        headers={**ADMIN_HEADERS, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_error(response, 413, "payload_too_large")


def test_upload_without_file_is_422(http: httpx.Client) -> None:
    response = http.post("/v1/documents", data={"country": "NOR"}, headers=ADMIN_HEADERS)
    err = assert_error(response, 422, "validation_error")
    assert "file" in err["message"]


def test_upload_with_two_files_or_an_unknown_field_is_422_and_stores_nothing(
    http: httpx.Client,
) -> None:
    # Both used to be dropped without a word: the first of two files was never stored, and a
    # misspelt override ("contry") left the detected country in place.
    before = http.get("/v1/documents").json()["documents"]
    two = http.post(
        "/v1/documents",
        files=[("file", ("a.txt", NORWAY.encode())), ("file", ("b.txt", b"1. Other text."))],
        headers=ADMIN_HEADERS,
    )
    err = assert_error(two, 422, "validation_error")
    assert "2 files" in err["message"] and "one file per request" in err["message"], err
    typo = http.post(
        "/v1/documents",
        files={"file": ("n.txt", NORWAY.encode())},
        data={"contry": "SWE", "lang": "fr"},
        headers=ADMIN_HEADERS,
    )
    err = assert_error(typo, 422, "validation_error")
    assert "'contry'" in err["message"] and "'lang'" in err["message"], err
    assert "country, language, term, symbol" in err["message"], err
    assert http.get("/v1/documents").json()["documents"] == before


def test_upload_then_read_then_delete(http: httpx.Client, tmp_path_factory) -> None:
    # A name that tries to climb out of any directory: it is shown, never used as a path.
    response = upload(
        http,
        NORWAY.encode(),
        "../../etc/norway pledge.txt",
        ADMIN_HEADERS,
        country="NOR",
        language="en",
        term="2025-2027",
    )
    assert response.status_code == 200, response.text
    report = IngestReport.model_validate(response.json())
    (file,) = report.files
    assert file.path == "norway pledge.txt"
    assert file.status == "added"
    assert file.paragraphs >= 3
    doc_id = file.doc_id
    assert doc_id

    docs = {d["doc_id"]: d for d in http.get("/v1/documents").json()["documents"]}
    assert set(docs) >= {doc_id}
    assert len(docs) == 2
    assert docs[doc_id]["country"]["code"] == "NOR"
    assert docs[doc_id]["language"] == "en"
    assert ".." not in docs[doc_id]["source"]

    para = http.get(f"/v1/documents/{doc_id}/paragraphs/2").json()["paragraph"]
    assert "journalists" in para["text"]
    hits = http.post(
        "/v1/search", json={"query": "protection of journalists", "filters": {"country": "NOR"}}
    ).json()["hits"]
    assert hits and hits[0]["paragraph"]["number"] == "2"

    # Same bytes again: nothing changes.
    again = upload(
        http,
        NORWAY.encode(),
        "norway.txt",
        ADMIN_HEADERS,
        country="NOR",
        language="en",
        term="2025-2027",
    )
    assert again.status_code == 200, again.text
    assert again.json()["files"][0]["status"] == "unchanged"

    deleted = http.delete(f"/v1/documents/{doc_id}", headers=ADMIN_HEADERS)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"deleted": doc_id}
    assert [d["doc_id"] for d in http.get("/v1/documents").json()["documents"]] != [doc_id]
    assert len(http.get("/v1/documents").json()["documents"]) == 1
    assert_error(http.get(f"/v1/documents/{doc_id}/paragraphs/2"), 404, "not_found")
    assert_error(http.delete(f"/v1/documents/{doc_id}", headers=ADMIN_HEADERS), 404, "not_found")


def test_upload_of_stored_bytes_under_another_name_and_id_is_a_duplicate(
    http: httpx.Client,
) -> None:
    meta = {"country": "NOR", "language": "en"}
    first = upload(http, NORWAY.encode(), "norway.txt", ADMIN_HEADERS, term="2025-2027", **meta)
    assert first.status_code == 200, first.text
    doc_id = first.json()["files"][0]["doc_id"]
    try:
        # Another name and another term (so another id): still the same bytes.
        copy = upload(http, NORWAY.encode(), "copy.txt", ADMIN_HEADERS, term="2027-2029", **meta)
        assert copy.status_code == 200, copy.text
        (file,) = IngestReport.model_validate(copy.json()).files
        assert file.status == "duplicate" and file.doc_id == doc_id
        assert file.note and doc_id in file.note and "norway.txt" in file.note
        assert len(http.get("/v1/documents").json()["documents"]) == 2  # sample + norway
    finally:
        http.delete(f"/v1/documents/{doc_id}", headers=ADMIN_HEADERS)


def test_uploads_of_one_chat_request_do_not_overwrite_each_other(
    e2e_service: PledgeService,
) -> None:
    """The chat's admin tab uploads several files as one batch (``ui.app`` upload)."""
    from ui.api import ingest_upload

    meta = {"country": "NOR", "language": "en", "term": "2025-2027"}
    edited = NORWAY.replace("journalists", "journalists and bloggers")
    batch = e2e_service.ingest_batch()
    try:
        one = ingest_upload(e2e_service, NORWAY.encode(), "a.txt", meta, batch=batch)
        two = ingest_upload(e2e_service, edited.encode(), "b.txt", meta, batch=batch)
        assert [f.status for f in one.files] == ["added"]
        (failed,) = two.files
        assert failed.status == "failed" and failed.error
        assert "a.txt" in failed.error and "b.txt" in failed.error
        doc_id = one.files[0].doc_id
        assert doc_id and doc_id in failed.error
        assert e2e_service.store.get_document(doc_id).source == "a.txt"
        # A later upload (its own batch) replaces the stored version.
        later = ingest_upload(e2e_service, edited.encode(), "b.txt", meta)
        assert [f.status for f in later.files] == ["replaced"]
    finally:
        e2e_service.store.delete_document("nor-2025-2027.en")


def test_upload_that_cannot_be_parsed_is_422(http: httpx.Client) -> None:
    response = upload(http, b"%PDF-1.4 this is not really a pdf", "broken.pdf", ADMIN_HEADERS)
    err = assert_error(response, 422, "ingest_error")
    assert "broken.pdf" in err["message"]
    assert len(http.get("/v1/documents").json()["documents"]) == 1


# -- a server without an admin token, with a read token ------------------------------------------


def test_writes_disabled_without_admin_token(locked_api: httpx.Client) -> None:
    read = {"Authorization": f"Bearer {READER}"}
    err = assert_error(upload(locked_api, NORWAY.encode(), "n.txt", read), 403, "writes_disabled")
    assert "PLEDGES_ADMIN_TOKEN" in err["message"]
    assert_error(locked_api.delete("/v1/documents/x", headers=read), 403, "writes_disabled")


def test_reads_need_the_api_token_when_set(locked_api: httpx.Client) -> None:
    response = locked_api.get("/v1/documents")
    err = assert_error(response, 401, "unauthorized")
    assert "PLEDGES_API_TOKEN" in err["message"]
    assert_error(locked_api.post("/v1/ask", json={"question": DEATH_PENALTY}), 401)
    assert_error(locked_api.post("/v1/search", json={"query": "x"}), 401)
    assert_error(locked_api.post("/v1/verify", json={"claim": "x"}), 401)
    assert_error(locked_api.get("/v1/documents/x/paragraphs/8"), 401)
    wrong = {"Authorization": "Bearer nope"}
    assert_error(locked_api.get("/v1/documents", headers=wrong), 403, "forbidden")
    ok = locked_api.get("/v1/documents", headers={"Authorization": f"Bearer {READER}"})
    assert ok.status_code == 200
    assert len(ok.json()["documents"]) >= 1
    # Liveness and the API description stay open.
    assert locked_api.get("/healthz").status_code == 200
    assert locked_api.get("/openapi.json").status_code == 200
    # The description says reads need the token: no empty alternative.
    paths = locked_api.get("/openapi.json").json()["paths"]
    assert paths["/v1/ask"]["post"]["security"] == [{"HTTPBearer": []}]


def test_openapi_says_reads_need_no_token_when_none_is_set(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]
    for path, method in [
        ("/v1/ask", "post"),
        ("/v1/search", "post"),
        ("/v1/verify", "post"),
        ("/v1/documents", "get"),
        ("/v1/documents/{doc_id}/paragraphs/{number}", "get"),
    ]:
        # Was [{"HTTPBearer": []}] only: a client generated from it insisted on a token.
        assert paths[path][method]["security"] == [{}, {"HTTPBearer": []}], path
    # Writes need the admin token whatever the read setting.
    assert paths["/v1/documents"]["post"]["security"] == [{"HTTPBearer": []}]
    assert paths["/v1/documents/{doc_id}"]["delete"]["security"] == [{"HTTPBearer": []}]
