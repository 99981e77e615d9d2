"""Figure 1, baseline: the configured OCR engine's `read` (the engine `onboard` uses, ONBOARD_OCR_ENGINE) on
every OCR-able document, in a plain multiprocessing pool over all cores (OMP_THREAD_LIMIT=1). No database,
no Prefect, no intake gate."""
from __future__ import annotations

import json
import os
import resource
import time
from dataclasses import dataclass
import multiprocessing
from pathlib import Path

from bench.engine_overhead.samples import SampleApp

_engine = None


def _start_worker() -> None:
    global _engine
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from documents.ocr import open_ocr_engine
    from onboarding.settings import Settings

    _engine = open_ocr_engine(Settings().ocr_engine)


def _read(job: tuple[int, str, str]) -> tuple[int, str, float, dict]:
    from PIL import Image

    from documents.types import DocumentType

    index, document_type, path = job
    started = time.perf_counter()
    with Image.open(path) as image:
        image.load()
        reading = _engine.read(image, DocumentType(document_type))
    return index, document_type, time.perf_counter() - started, reading.model_dump(mode="json")


@dataclass
class RawResult:
    applications: int
    documents: int
    wall_s: float
    ocr_seconds: list[float]
    cpu_s: float = float("nan")  # pool workers and their tesseract processes, from getrusage(RUSAGE_CHILDREN)

    @property
    def ocr_seconds_total(self) -> float:
        return sum(self.ocr_seconds)


def run_raw_ocr(samples: list[SampleApp], readings_out: Path | None = None, workers: int | None = None,
                start_method: str | None = None) -> RawResult:
    """Reads every OCR-able document once; optionally keeps the readings (for the stub-OCR engine run).
    `start_method` "forkserver" when other threads run (a fork then can copy a held lock into a worker, which
    hangs); the pool's CPU is then not ours to count (nan)."""
    jobs = [(app.index, t, p) for app in samples for t, p in app.ocr_documents().items()]
    cpu_before = _children_cpu_s()
    started = time.perf_counter()
    context = multiprocessing.get_context(start_method)
    with context.Pool(workers or os.cpu_count() or 1, initializer=_start_worker) as pool:
        results = list(pool.imap_unordered(_read, jobs, chunksize=1))
        pool.close()
        pool.join()  # reaped, so their CPU (and their tesseract children's) is in RUSAGE_CHILDREN
    wall = time.perf_counter() - started
    cpu = _children_cpu_s() - cpu_before if context.get_start_method() == "fork" else float("nan")
    if readings_out is not None:
        readings_out.write_text(json.dumps({f"{i}:{t}": r for i, t, _, r in results}), encoding="utf-8")
    return RawResult(applications=len(samples), documents=len(jobs), wall_s=wall,
                     ocr_seconds=[seconds for _, _, seconds, _ in results], cpu_s=cpu)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
