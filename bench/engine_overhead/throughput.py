"""Figure 1, engine vs raw OCR throughput (and the batch half of figure 6, memory).

Raw and engine runs alternate (`Size.schedule`) so a busy spell on the shared machine hits both sides.
Both read exactly the same files with the same engine and settings; raw does nothing else.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.engine_overhead.batch_runs import BatchRun, migrated_prefect_home, run_batch_cli
from bench.engine_overhead.raw_ocr import RawResult, run_raw_ocr
from bench.engine_overhead.samples import SampleApp
from bench.engine_overhead.sizes import Size


@dataclass
class ThroughputRuns:
    applications: int
    ocr_documents: int
    raw: list[RawResult] = field(default_factory=list)
    engine: list[BatchRun] = field(default_factory=list)  # Prefect database already migrated
    engine_new_database: list[BatchRun] = field(default_factory=list)  # a machine's first run
    order: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def measure_throughput(samples: list[SampleApp], samples_dir: Path, scratch: Path, size: Size) -> ThroughputRuns:
    runs = ThroughputRuns(applications=len(samples), ocr_documents=sum(len(a.ocr_documents()) for a in samples))
    template = migrated_prefect_home(scratch)
    for step, kind in enumerate(size.schedule, start=1):
        print(f"[throughput] {step}/{len(size.schedule)}: {kind}", file=sys.stderr, flush=True)
        runs.order.append(kind)
        try:
            if kind == "raw":
                runs.raw.append(run_raw_ocr(samples))
            elif kind == "engine":
                runs.engine.append(run_batch_cli(samples_dir, scratch / f"{step}-engine", template))
            elif kind == "engine-new-db":
                runs.engine_new_database.append(run_batch_cli(samples_dir, scratch / f"{step}-engine-new", None))
            else:
                raise ValueError(f"unknown run kind {kind}")
        except Exception as error:  # one failed run must not lose the others (each takes minutes)
            last = str(error).strip().splitlines()[-1] if str(error).strip() else ""
            runs.failures.append(f"step {step} ({kind}): {type(error).__name__}: {last}"[:300])
    return runs
