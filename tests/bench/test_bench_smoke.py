"""The engine-overhead benchmark suite runs at tiny size and produces every figure (no timing is asserted)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIGURES = (
    "### 1. Throughput: engine vs raw OCR",
    "### 2. Latency of one application",
    "### 3. Rerun of a finished application",
    "### 4. Sweep over",
    "### 5. Portal under load",
    "### 6. Memory (peak RSS)",
    "### Profile: where the engine's time goes",
    "## `onboard serve` vs one-shot",
    "### Latency of one application through a running serve",
    "### Serve at rest",
)


@pytest.mark.e2e
def test_tiny_suite_produces_every_figure(tmp_path: Path) -> None:
    output, measurements = tmp_path / "BENCHMARKS.md", tmp_path / "results.json"
    output.write_text("# Benchmarks\n\n## Ledger (someone else's section)\n\nkept as it is\n", encoding="utf-8")

    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run_all.py"), "--size", "tiny", "--output", str(output),
         "--json", str(measurements), "--scratch", str(tmp_path / "scratch")],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )

    assert completed.returncode == 0, completed.stderr[-4000:]
    text = output.read_text(encoding="utf-8")
    assert "## Ledger (someone else's section)\n\nkept as it is" in text
    for figure in FIGURES:
        assert figure in text, f"missing {figure!r}"
    assert "_Not measured" not in text, text
    results = json.loads(measurements.read_text(encoding="utf-8"))
    throughput = results["throughput"]
    assert throughput["raw"] and throughput["engine"]
    engine = throughput["engine"][0]
    assert engine["applications"] == 2 and engine["process"]["cpu_by_role"]["ocr_workers"] > 0
    assert results["rerun"]["ocr_calls"] == 0 and results["rerun"]["ocr_readings_added"] == 0
    assert not any(results["rerun"]["shortcut_ran_flow"])
    assert results["latency"]["applications"]
    assert results["portal"]["latencies_s"]
    assert results["sweep"]["process"]["returncode"] in (0, -9)
    assert results["demo"]["states"]
    serve = results["serve"]
    assert sum(serve["handed_states"].values()) == 2 and sum(serve["one_shot"]["states"].values()) == 2
    assert [row["state"] for row in serve["latency"]] != [None] and serve["latency"][0]["ocr_documents"] > 0
    assert serve["idle_rss_mb"] > 0
