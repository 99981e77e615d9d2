"""Figure 3: rerun of a finished application — OCR calls (must be 0) and wall time (target < 1 s).

`onboard rerun APP --json` as a process, the way ops type it, repeated: a finished application is answered
from our database without starting an orchestrator. Once more with `--from check`, which forces the flow
(Prefect's ephemeral API start included) and must still read nothing again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bench.engine_overhead.batch_runs import ocr_reading_rows
from bench.engine_overhead.processes import ProcessResult, clean_env, python_command, run_measured


@dataclass
class RerunFigure:
    application_id: str
    state: str
    shortcut: list[ProcessResult]
    shortcut_ran_flow: list[bool]
    forced: ProcessResult
    ocr_calls: int  # over every rerun above
    ocr_readings_added: int


def measure_rerun(home: Path, scratch: Path, repeats: int) -> RerunFigure:
    scratch.mkdir(parents=True, exist_ok=True)
    with_count = python_command("-m", "bench.engine_overhead.counting_cli")
    application_id, state = _a_finished_application(home)
    before, calls = ocr_reading_rows(home), 0
    shortcut, ran = [], []
    for n in range(repeats):
        count_file = scratch / f"ocr-calls-{n}.txt"
        process = run_measured([*with_count, str(count_file), "rerun", application_id, "--json"], clean_env(home),
                               scratch=scratch).check()
        shortcut.append(process)
        ran.append(json.loads(process.stdout)["rerun"]["ran"])
        calls += int(count_file.read_text())
    count_file = scratch / "ocr-calls-forced.txt"
    forced = run_measured([*with_count, str(count_file), "rerun", application_id, "--from", "check", "--json"],
                          clean_env(home), scratch=scratch, timeout_s=900).check()
    calls += int(count_file.read_text())
    return RerunFigure(application_id, state, shortcut, ran, forced, calls, ocr_reading_rows(home) - before)


def _a_finished_application(home: Path) -> tuple[str, str]:
    import sqlite3

    with sqlite3.connect(home / "onboard.db") as connection:
        return connection.execute(
            "SELECT id, state FROM applications WHERE state IN ('approved', 'needs_documents', 'manual_review') "
            "ORDER BY state = 'approved' DESC, created_at LIMIT 1").fetchone()
