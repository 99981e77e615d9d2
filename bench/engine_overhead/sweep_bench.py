"""Figure 4: `run_sweep` over 100,000 applications/terminals on SQLite (target < 10 s).

Seeding and sweeping are separate processes; the sweep runs with a time limit, and when it hits the limit the
work it committed is counted and the full time projected from its rate (said so in the report). The ledger
sweep and the outbox delivery are also timed alone on a copy of the same data, so they are known even when
the request sweep (which `run_sweep` runs first) does not finish in time.
"""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from bench.engine_overhead.processes import ProcessResult, clean_env, python_command, run_measured
from bench.engine_overhead.sizes import Size


@dataclass
class SweepFigure:
    applications: int
    seed: dict
    process: ProcessResult
    result: dict | None  # None: killed at the time limit
    timeout_s: float
    progress: dict[str, int]
    elapsed_in_sweep_s: float
    parts: dict  # on a copy of the same data: sweep_ledger and deliver_pending timed alone

    @property
    def finished(self) -> bool:
        return self.result is not None

    @property
    def due_requests(self) -> int:
        counts = self.seed["request_counts"]
        return sum(counts.get(k, 0) for k in ("reminder_24h", "reminder_72h", "expiry"))


def measure_sweep(scratch: Path, size: Size) -> SweepFigure:
    home = scratch / "home"
    seed_out, sweep_out, started_file = scratch / "seed.json", scratch / "sweep.json", scratch / "sweep-started"
    worker = ("-m", "bench.engine_overhead.sweep_worker")
    run_measured(python_command(*worker, "seed", "--home", str(home), "--out", str(seed_out),
                                "--applications", str(size.sweep_applications),
                                "--transactions-per-terminal", str(size.sweep_transactions_per_terminal)),
                 clean_env(home), scratch=scratch).check()
    seed = json.loads(seed_out.read_text(encoding="utf-8"))
    copy = scratch / "home-copy"
    shutil.copytree(home, copy)  # the seed process has exited: the database file is complete
    parts_out = scratch / "parts.json"
    run_measured(python_command(*worker, "parts", "--home", str(copy), "--out", str(parts_out), "--as-of", seed["as_of"]),
                 clean_env(copy), scratch=scratch).check()
    shutil.rmtree(copy, ignore_errors=True)
    command = python_command(*worker, "sweep", "--home", str(home), "--out", str(sweep_out), "--as-of", seed["as_of"],
                             "--started-file", str(started_file))
    process = run_measured(command, clean_env(home), timeout_s=size.sweep_timeout_s, scratch=scratch)
    finished_at = time.time()
    result = json.loads(sweep_out.read_text(encoding="utf-8")) if process.returncode == 0 else None
    if result is None and process.returncode not in (-9, 137):
        process.check()
    from bench.engine_overhead.sweep_worker import progress

    elapsed = finished_at - float(started_file.read_text()) if started_file.exists() else process.wall_s
    return SweepFigure(applications=size.sweep_applications, seed=seed, process=process, result=result,
                       timeout_s=size.sweep_timeout_s, progress=progress(home), elapsed_in_sweep_s=elapsed,
                       parts=json.loads(parts_out.read_text(encoding="utf-8")))
