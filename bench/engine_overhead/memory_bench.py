"""Figure 6a: peak RSS of `onboard demo` (the main job on the embedded default) as a process.

6b, a 40-application batch, is figure 1's `onboard batch` process, measured the same way.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bench.engine_overhead.processes import ProcessResult, clean_env, python_command, run_measured


@dataclass
class DemoRun:
    count: int
    process: ProcessResult
    states: list[str]
    as_planted: int


def measure_demo(scratch: Path, count: int) -> DemoRun:
    home = scratch / "demo-home"
    command = python_command("-m", "onboarding.cli.main", "demo", "--count", str(count), "--json")
    process = run_measured(command, clean_env(home), scratch=scratch, timeout_s=1800).check()
    result = json.loads(process.stdout)["applications"]
    planted = sum(1 for a in result if set(a["expected"]) == set(a["deficiencies"]))
    return DemoRun(count=count, process=process, states=[a["state"] for a in result], as_planted=planted)
