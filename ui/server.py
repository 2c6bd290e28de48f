"""The server ``pledges serve`` runs: the HTTP API with the chat UI mounted at ``/``.

A first start on an empty store ingests the bundled sample pledge (``ui/data/sample``), so the
chat can answer at once.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from fastapi import FastAPI

from assistant.service import PledgeService
from assistant.types import IngestReport
from ui.api import create_app
from ui.app import mount_ui
from vectorstore.errors import StoreError

log = logging.getLogger(__name__)

#: Where the bundled sample pledge lives (ingested on first start when the store is empty).
SAMPLE_DIR = resources.files("ui") / "data" / "sample"


def build_server_app(service: PledgeService, sample: bool = False) -> FastAPI:
    """The API app with the chat UI mounted at ``/`` (API routes keep priority).

    Args:
        service: The service the API and the chat call.
        sample: Ingest the bundled sample pledge when the store is empty (a first start). When
            the store cannot be reached the server starts anyway, answering with the store's
            error, and the sample is ingested (if the store is empty) once it can be reached.
    """
    when_ready = None
    if sample:
        try:
            # Before the chat is built, so that its filters offer the sample's values.
            ensure_sample(service)
        except StoreError as e:
            log.warning("the bundled sample is ingested once the store can be reached: %s", e)
            when_ready = ensure_sample
    return mount_ui(create_app(service, when_ready=when_ready), service, path="/")


def ensure_sample(service: PledgeService) -> IngestReport | None:
    """Ingest the bundled sample pledge when the store is empty, so a first start can answer.

    Returns:
        The ingest report, or None when the store already held documents.
    """
    if service.documents():
        return None
    with resources.as_file(SAMPLE_DIR) as sample:
        log.info("store is empty: ingesting the bundled sample pledge from %s", sample)
        # The folder, not a file list: ingest picks the files it can read (not the provenance
        # note).
        report = service.ingest([Path(sample)])
    log.info(
        "ingested the sample: %d paragraph(s) from %d file(s) in %.1f s",
        report.paragraphs,
        len(report.files),
        report.seconds,
    )
    for failed in report.failed:
        log.warning("sample file %s failed: %s", failed.path, failed.error)
    return report
