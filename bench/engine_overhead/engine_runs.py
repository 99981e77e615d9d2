"""Parent side of the engine measurements: each run is a subprocess with a fresh ONBOARD_HOME."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from bench.engine_overhead.processes import ProcessResult, clean_env, python_command, run_measured
from bench.engine_overhead.samples import SampleApp


@dataclass
class WorkerRun:
    process: ProcessResult
    report: dict

    def job(self, name: str) -> dict:
        return self.report["jobs"][name]


def run_engine_worker(manifest: Path, scratch: Path, jobs: list[str], *, threads: int = 2,
                      readings: Path | None = None, stub_count: int | None = None, profile: bool = False,
                      heartbeat_off: bool = False, repeats: int = 5, timeout_s: float = 3600) -> WorkerRun:
    scratch.mkdir(parents=True, exist_ok=True)
    out = scratch / "report.json"
    command = python_command("-m", "bench.engine_overhead.engine_worker", "--manifest", str(manifest),
                             "--homes", str(scratch / "homes"), "--out", str(out), "--jobs", ",".join(jobs),
                             "--threads", str(threads), "--rerun-repeats", str(repeats))
    if readings:
        command += ["--readings", str(readings)]
    if stub_count:
        command += ["--stub-count", str(stub_count)]
    if profile:
        command.append("--profile")
    if heartbeat_off:
        command.append("--heartbeat-off")
    process = run_measured(command, clean_env(), timeout_s=timeout_s, scratch=scratch).check()
    return WorkerRun(process, json.loads(out.read_text(encoding="utf-8")))


@dataclass
class CliRun:
    home: Path
    processes: list[ProcessResult] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    application_ids: list[str] = field(default_factory=list)

    @property
    def wall_s(self) -> float:
        return sum(p.wall_s for p in self.processes)


def run_cli_submissions(samples: list[SampleApp], home: Path, timeout_s: float = 900) -> CliRun:
    """(a) How a script uses the CLI: one `onboard submit … --wait --json` process per application."""
    run = CliRun(home)
    for app in samples:
        command = python_command("-m", "onboarding.cli.main", "submit", app.application_file, *app.doc_arguments(),
                                 "--wait", "--json")
        process = run_measured(command, clean_env(home), timeout_s=timeout_s, scratch=home.parent).check()
        view = json.loads(process.stdout)
        run.processes.append(process)
        run.states.append(view["state"])
        run.application_ids.append(view["application_id"])
    return run


def ocr_reading_rows(home: Path) -> int:
    with sqlite3.connect(home / "onboard.db") as connection:
        return connection.execute("SELECT COUNT(*) FROM ocr_readings").fetchone()[0]


def ocr_seconds_by_application(home: Path) -> dict[str, float]:
    with sqlite3.connect(home / "onboard.db") as connection:
        rows = connection.execute("""
            SELECT d.application_id, SUM(r.seconds) FROM documents d
            JOIN ocr_readings r ON r.sha256 = d.sha256 AND r.document_type = d.document_type
            GROUP BY d.application_id""").fetchall()
    return dict(rows)
