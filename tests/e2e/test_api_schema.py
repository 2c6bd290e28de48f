"""The read endpoints against their own OpenAPI schema, by schemathesis (property-based).

In-process (ASGI) over the e2e store holding the sample pledge; derandomized with few examples,
so it is deterministic and takes seconds. Every answer must be a documented status, carry the
declared content type, match its declared schema (an error: the JSON error shape), and never
be a 5xx, for requests that fit the schema and requests that do not. Writes (upload, delete,
fetch) are left to the tests that name their inputs.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.conftest import ADMIN, server_settings

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(e2e_service):
    from assistant.service import PledgeService
    from ui.server import build_server_app

    settings = server_settings(e2e_service.settings, admin_token=ADMIN)
    service = PledgeService(settings, store=e2e_service.store, embedder=e2e_service.embedder)
    app = build_server_app(service)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


#: What the test sends requests to: every documented read.
WRITES = {("POST", "/v1/documents"), ("POST", "/v1/fetch"), ("DELETE", "/v1/documents/{doc_id}")}


def test_read_endpoints_keep_their_schema(api_schema) -> None:
    tested = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in WRITES:
            continue
        tested.append(f"{operation.method.upper()} {operation.path}")

        @given(
            case=operation.as_strategy(GenerationMode.POSITIVE)
            | operation.as_strategy(GenerationMode.NEGATIVE)
        )
        @settings(
            max_examples=16,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def answers_by_its_schema(case) -> None:
            case.call_and_validate(checks=CHECKS)

        answers_by_its_schema()
    assert sorted(tested) == [
        "GET /healthz",
        "GET /v1/documents",
        "GET /v1/documents/{doc_id}/paragraphs/{number}",
        "POST /v1/ask",
        "POST /v1/search",
        "POST /v1/verify",
    ]
