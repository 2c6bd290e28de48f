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

log = logging.getLogger(__name__)

#: Where the bundled sample pledge lives (ingested on first start when the store is empty).
SAMPLE_DIR = resources.files("ui") / "data" / "sample"


def build_server_app(service: PledgeService) -> FastAPI:
    """The API app with the chat UI mounted at ``/`` (API routes keep priority)."""
    return mount_ui(create_app(service), service, path="/")


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
