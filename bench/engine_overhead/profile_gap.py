"""The gap between raw OCR and the engine: the engine run with OCR answered instantly (`ReplayEngine`, the
raw run's own readings, so every decision is the real one), alternating with a heartbeat-off variant, and
a CPU profile of every thread grouped by package."""
from __future__ import annotations

from pathlib import Path

from bench.engine_overhead.engine_runs import WorkerRun, run_engine_worker
from bench.engine_overhead.sizes import Size
from bench.engine_overhead.throughput import ThroughputRuns


def measure_gap(runs: ThroughputRuns, manifest: Path, scratch: Path, size: Size) -> WorkerRun:
    """The stub jobs with a CPU profile; if that run fails, once more without the profiler, and the report
    says so (the profiler changes thread timing, so a failure under it is worth a second look without)."""
    if runs.shared_worker is not None:
        return runs.shared_worker
    try:
        return run_engine_worker(manifest, scratch / "profiled", list(size.stub_jobs), readings=runs.readings,
                                 stub_count=size.stub_applications, profile=True)
    except RuntimeError as error:
        run = run_engine_worker(manifest, scratch / "unprofiled", list(size.stub_jobs), readings=runs.readings,
                                stub_count=size.stub_applications, profile=False)
        last = str(error).strip().splitlines()[-1]
        run.report["note"] = f"The profiled run failed ({last[:200]}); these numbers are from a rerun without the profiler."
        return run
