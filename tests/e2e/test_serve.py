"""`pledges serve` as a user starts it: a fresh store, one process, chat and API on one port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import DEATH_PENALTY

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_first_start_ingests_the_sample_and_serves_chat_and_api(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGES_")}
    env.update({"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"})
    pledges = Path(sys.executable).with_name("pledges")
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(pledges), "serve", "--port", str(port), "--store", str(tmp_path / "store")],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,  # no .env from the repository
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        text = log.read_text()
        assert "store is empty: ingesting the bundled sample pledge" in text, text
        assert "ingested the sample" in text, text

        with httpx.Client(base_url=url, timeout=120) as http:
            assert http.get("/healthz").json()["documents"] == 1
            page = http.get("/")
            assert page.status_code == 200
            assert "gradio" in page.text.lower()
            answer = http.post("/v1/ask", json={"question": DEATH_PENALTY}).json()
            assert "8" in [c["number"] for c in answer["citations"]], answer
            # No admin token configured: writes are refused.
            refused = http.delete(f"/v1/documents/{answer['citations'][0]['doc_id']}")
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "writes_disabled"
            assert http.get("/healthz").json()["documents"] == 1
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
