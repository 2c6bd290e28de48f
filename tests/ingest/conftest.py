"""Fixtures for the ingest tests: the fictional pledge written once per session in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.pledges import FORMATS, PLEDGES, write


@pytest.fixture(scope="session")
def pledge_files(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """(language, format) -> a generated file, for en/fr/es/ru/ar × txt/pdf/docx/html."""
    directory = tmp_path_factory.mktemp("pledges")
    return {
        (lang, fmt): write(pledge, fmt, directory)
        for lang, pledge in PLEDGES.items()
        for fmt in FORMATS
    }
