"""Figure 3: rerun of a finished application — OCR calls (must be 0) and wall time (target < 1 s).

Three ways: `onboard rerun APP --json` as a process (what ops type; process start and Prefect's ephemeral
API server included), `run_onboarding` in a warm process (from the engine worker's `rerun` job), and the
proposed shortcut (`bench/engine_overhead/shortcut.py`: answer from our database before starting Prefect).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.engine_overhead.engine_runs import CliRun, ocr_reading_rows
from bench.engine_overhead.processes import ProcessResult, clean_env, python_command, run_measured


@dataclass
class CliRerun:
    application_id: str
    state_before: str
    process: ProcessResult
    ocr_calls: int
    ocr_readings_added: int
    shortcut_processes: list[ProcessResult]


def measure_cli_rerun(cli: CliRun, scratch: Path, shortcut_repeats: int = 3) -> CliRerun:
    import json

    home, application_id = cli.home, cli.application_ids[0]
    count_file = scratch / "rerun-ocr-calls.txt"
    before = ocr_reading_rows(home)
    command = python_command("-m", "bench.engine_overhead.counting_cli", str(count_file), "rerun", application_id,
                             "--json")
    process = run_measured(command, clean_env(home), scratch=scratch).check()
    json.loads(process.stdout)  # the CLI's one JSON document
    shortcut = [run_measured(python_command("-m", "bench.engine_overhead.shortcut", application_id),
                             clean_env(home), scratch=scratch).check() for _ in range(shortcut_repeats)]
    return CliRerun(application_id=application_id, state_before=cli.states[0], process=process,
                    ocr_calls=int(count_file.read_text()), ocr_readings_added=ocr_reading_rows(home) - before,
                    shortcut_processes=shortcut)
