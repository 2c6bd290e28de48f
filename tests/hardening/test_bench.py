"""``pledges bench --json`` on a small corpus prints every figure the README quotes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLEDGES = str(Path(sys.executable).parent / "pledges")


@pytest.mark.slow
def test_bench_json_has_every_figure(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGES_")}
    cmd = [PLEDGES, "bench", "--json", "--paragraphs", "100", "--big", "300"]
    cmd += ["--clients", "2", "--load-seconds", "2", "--rounds", "1"]
    cmd += ["--store", str(tmp_path / "bench")]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    r = json.loads(run.stdout)

    e = r["embedder"]
    assert e["passages_per_s"] > 0 and e["compute_bound_passages_per_s"] > 0
    # The bundled embedder has a sparse head: ingest is compared with both heads' work.
    assert 0 < e["both_heads_passages_per_s"] < e["passages_per_s"]
    assert r["ingest_share_of_embedder"] == round(
        r["ingest_paragraphs_per_s"] / e["both_heads_passages_per_s"], 2
    )
    assert "cores" in e["compute_bound_method"]
    for name in ("sample", "synthetic"):
        f = r["ingest"][name]
        assert f["paragraphs"] == f["embedded"] > 0 and not f["failed"]
        assert f["parse_s"] + f["embed_s"] + f["store_s"] == pytest.approx(f["seconds"], abs=0.05)
    assert r["ingest"]["synthetic"]["paragraphs"] == 100
    assert r["ingest_paragraphs_per_s"] == r["ingest"]["synthetic"]["paragraphs_per_s"]
    assert set(r["latency"]) == {"100", "300"}
    assert r["latency"]["100"]["vectors_reused"] is False
    big = r["latency"]["300"]
    assert big["vectors_reused"] is True and big["paragraphs"] >= 300
    assert big["embedder_misses"] == 0
    for tier in r["latency"].values():
        for kind in ("search", "ask"):
            for filt in ("unfiltered", "country"):
                p = tier[kind][filt]
                assert 0 < p["p50_ms"] <= p["p95_ms"]
    d = r["dense_country_filter"]
    assert d["chroma_where"]["n"] == d["store_strategy"]["n"] > 0
    # The mirror's exact filtered search and Chroma's where query find the same scores.
    assert d["top10_max_score_gap_vs_chroma"] < 1e-3
    assert d["mirror_mb"] > 0 and 0 < d["rows_kept"] < 1
    assert r["glossary_vectors"]["texts"] > 0
    # A timing is a measurement, not a property: only its presence and sign are checked.
    assert isinstance(r["store_open_s"], float) and r["store_open_s"] >= 0
    # The open is measured in fresh processes, from the snapshot and rebuilt from Chroma, on
    # the whole grown store.
    assert r["store_open_paragraphs"] == big["paragraphs"]
    assert r["store_rebuild_open_s"] > 0
    assert r["store_open_peak_rss_mb"] >= r["store_open_rss_before_mb"] > 0
    assert r["store_rebuild_peak_rss_mb"] > 0
    assert 0 < r["store_snapshot_mb"] < r["store_size_mb"]
    assert r["query_p95_ms"] >= r["query_p50_ms"] > 0
    load = r["load"]
    assert load["errors"] == 0 and load["requests"] > 0
    assert load["embedder_max_concurrent_calls"] == 1
    assert r["store_size_mb"] > 0 and r["peak_rss_mb"] > 100
    assert (tmp_path / "bench" / "corpus").is_dir()  # --store keeps what the run built


def test_bench_refuses_a_directory_in_use(tmp_path: Path) -> None:
    (tmp_path / "chroma.sqlite3").write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGES_")}
    run = subprocess.run(
        [PLEDGES, "bench", "--store", str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert run.returncode != 0
    assert "not empty" in run.stderr
