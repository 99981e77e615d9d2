"""Figure 2: latency of one application, and how much of it is not OCR."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from bench.engine_overhead.processes import ProcessResult, clean_env, python_command, run_measured


@dataclass
class LatencyFigure:
    process: ProcessResult
    prefect_start_s: float
    applications: list[dict]

    def critical_path_s(self, application: dict) -> float:
        """The least time this application's OCR could take: its longest document, or its documents spread
        over every core, whichever is longer."""
        cores = os.cpu_count() or 1
        spread = application["ocr_s"] / max(1, min(cores, application["ocr_documents"] or 1))
        return max(application["ocr_longest_s"], spread)


def measure_latency(manifest: Path, scratch: Path, count: int) -> LatencyFigure:
    scratch.mkdir(parents=True, exist_ok=True)
    out = scratch / "latency.json"
    command = python_command("-m", "bench.engine_overhead.latency_worker", "--manifest", str(manifest),
                             "--home", str(scratch / "home"), "--count", str(count), "--out", str(out))
    process = run_measured(command, clean_env(), scratch=scratch, timeout_s=3600).check()
    report = json.loads(out.read_text(encoding="utf-8"))
    return LatencyFigure(process=process, prefect_start_s=report["prefect_start_s"],
                         applications=report["applications"])
