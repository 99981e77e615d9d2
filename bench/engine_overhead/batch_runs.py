"""Figure 1's engine side: `onboard batch DIR --wait --json` as a process, the way ops load a folder.

Every run gets a fresh ONBOARD_HOME (empty database, cold OCR cache). Prefect's own database is either new
(a machine's very first run: the ephemeral API migrates it) or a copy of one migrated once beforehand (every
later run, since the embedded default keeps it under ONBOARD_HOME/prefect).
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.engine_overhead.processes import ProcessResult, clean_env, python_command, run_measured


@dataclass
class BatchRun:
    home: Path
    process: ProcessResult
    applications: int
    prefect_database: str  # "new" or "migrated"
    seconds: dict[str, float]  # the command's own account: stored, orchestrator_ready, onboarded (since it started)
    states: dict[str, int]
    ocr_seconds: float  # OCR as recorded per document (decode + recognition in a worker)

    @property
    def flow_s(self) -> float:
        """The batch's flow run: from an orchestrator ready to every application decided and notified."""
        return self.seconds["onboarded"] - self.seconds["orchestrator_ready"]

    @property
    def startup_s(self) -> float:
        """Everything else: interpreter imports, files checked and stored (overlapping the API's start), exit."""
        return self.process.wall_s - self.flow_s


def migrated_prefect_home(scratch: Path) -> Path:
    """A Prefect home whose database the ephemeral API has migrated once (then stopped)."""
    home = scratch / "prefect-home-migrated"
    if not (home / "prefect.db").exists():
        shutil.rmtree(home, ignore_errors=True)
        code = ("from prefect.client.orchestration import get_client\n"
                "with get_client(sync_client=True) as client:\n    client.hello()\n")
        env = clean_env(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180")
        run_measured(python_command("-c", code), env, scratch=scratch).check()
    return home


def run_batch_cli(samples_dir: Path, work: Path, prefect_template: Path | None, timeout_s: float = 3600) -> BatchRun:
    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    if prefect_template is not None:
        shutil.copytree(prefect_template, home / "prefect")
    command = python_command("-m", "onboarding.cli.main", "batch", str(samples_dir), "--wait", "--json")
    process = run_measured(command, clean_env(home), timeout_s=timeout_s, scratch=work).check()
    result = json.loads(process.stdout)
    return BatchRun(home=home, process=process, applications=len(result["applications"]),
                    prefect_database="migrated" if prefect_template else "new", seconds=result["seconds"],
                    states=dict(Counter(a["state"] for a in result["applications"])),
                    ocr_seconds=recorded_ocr_seconds(home))


def recorded_ocr_seconds(home: Path) -> float:
    with sqlite3.connect(home / "onboard.db") as connection:
        return connection.execute("SELECT COALESCE(SUM(seconds), 0) FROM ocr_readings").fetchone()[0]


def ocr_reading_rows(home: Path) -> int:
    with sqlite3.connect(home / "onboard.db") as connection:
        return connection.execute("SELECT COUNT(*) FROM ocr_readings").fetchone()[0]
