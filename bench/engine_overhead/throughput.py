"""Figure 1 (engine vs raw OCR throughput), with figure 2 (latency) and 6b (batch memory) from the same runs.

Raw and engine runs alternate (`Size.schedule`: raw, engine, raw, engine, …) so a busy spell on the shared
machine hits both sides; every engine run starts from a fresh ONBOARD_HOME (cold OCR cache, new ephemeral
Prefect). At tiny size one process runs every in-process job, to start Prefect only once.
"""
from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.engine_overhead.engine_runs import CliRun, WorkerRun, run_cli_submissions, run_engine_worker
from bench.engine_overhead.raw_ocr import RawResult, run_raw_ocr
from bench.engine_overhead.samples import SampleApp
from bench.engine_overhead.sizes import Size

@dataclass
class ThroughputRuns:
    applications: int
    ocr_documents: int
    raw: list[RawResult] = field(default_factory=list)
    sequential: list[WorkerRun] = field(default_factory=list)
    threads: list[WorkerRun] = field(default_factory=list)
    cli: list[CliRun] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    readings: Path | None = None
    shared_worker: WorkerRun | None = None  # tiny: one process ran every in-process job
    failures: list[str] = field(default_factory=list)  # runs that failed (the others are still reported)


def _log(message: str) -> None:
    print(f"[throughput] {message}", file=sys.stderr, flush=True)


def measure_throughput(samples: list[SampleApp], manifest: Path, scratch: Path, size: Size) -> ThroughputRuns:
    runs = ThroughputRuns(applications=len(samples), ocr_documents=sum(len(a.ocr_documents()) for a in samples))
    scratch.mkdir(parents=True, exist_ok=True)
    runs.readings = scratch / "raw-readings.json"
    for step, kind in enumerate(size.schedule, start=1):
        _log(f"{step}/{len(size.schedule)}: {kind}")
        runs.order.append(kind)
        work = scratch / f"{step}-{kind}"
        try:
            _run_step(runs, kind, samples, manifest, work, size)
        except Exception as error:  # one failed run must not lose the others (each takes minutes)
            last = str(error).strip().splitlines()[-1] if str(error).strip() else ""
            runs.failures.append(f"step {step} ({kind}): {type(error).__name__}: {last}"[:300])
            _log(f"step {step} ({kind}) failed: {error}")
        if kind != "cli":
            for documents in (work / "homes").glob("*/documents"):
                shutil.rmtree(documents, ignore_errors=True)  # the databases stay for inspection
    return runs


def _run_step(runs: ThroughputRuns, kind: str, samples: list[SampleApp], manifest: Path, work: Path,
              size: Size) -> None:
    if kind == "raw":
        runs.raw.append(run_raw_ocr(samples, readings_out=runs.readings))
    elif kind == "cli":
        runs.cli.append(run_cli_submissions(samples[: size.cli_applications], work / "home"))
    elif size.one_engine_process:
        if kind == "threads":
            return  # tiny: ran inside the shared process below
        jobs = ["sequential", "rerun", "threads", *size.stub_jobs]
        runs.shared_worker = run_engine_worker(manifest, work, jobs, threads=size.thread_workers,
                                               readings=runs.readings, stub_count=size.stub_applications,
                                               profile=True, repeats=size.repeats)
        runs.sequential.append(runs.shared_worker)
        runs.threads.append(runs.shared_worker)
    else:
        jobs = ["sequential", "rerun"] if kind == "sequential" and not runs.sequential else [kind]
        run = run_engine_worker(manifest, work, jobs, threads=size.thread_workers, repeats=size.repeats)
        (runs.sequential if kind == "sequential" else runs.threads).append(run)
