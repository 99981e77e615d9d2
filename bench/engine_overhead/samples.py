"""The shared sample set: generated applications written to disk once, read by the raw OCR pool and the engine.

The mix follows `onboard demo`'s plan (every merchant type, most complete, some with planted defects), so
the set averages ~5.5 documents per application, ~3.8 of them OCR-able.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import date
import multiprocessing
from pathlib import Path

SEED_BASE = 70_000  # away from the demo's and the tests' seeds


@dataclass(frozen=True)
class SampleApp:
    index: int
    merchant_type: str
    scenario: str
    application_file: str
    documents: dict[str, str]  # document type -> JPEG path

    def ocr_documents(self) -> dict[str, str]:
        from documents.types import OCR_DOCUMENT_TYPES

        return {t: p for t, p in self.documents.items() if t in {str(o) for o in OCR_DOCUMENT_TYPES}}

    def doc_arguments(self) -> list[str]:
        return [argument for t, p in self.documents.items() for argument in ("--doc", f"{t}={p}")]


def _plan(index: int) -> tuple[str, str]:
    from onboarding.demo import PLAN

    return PLAN[index % len(PLAN)]


def _write_one(job: tuple[int, str, str]) -> dict:
    from documents.samples.applications import sample_application

    index, root, as_of = job
    merchant_type, scenario = _plan(index)
    sample = sample_application(SEED_BASE + index, merchant_type, scenario, as_of=date.fromisoformat(as_of))
    folder = Path(root) / f"app-{index:04d}"
    folder.mkdir(parents=True, exist_ok=True)
    application_file = folder / "application.json"
    application_file.write_text(json.dumps(sample.payload, ensure_ascii=False), encoding="utf-8")
    documents = {}
    for document_type, data in sample.documents.items():
        path = folder / f"{document_type}.jpg"
        path.write_bytes(data)
        documents[str(document_type)] = str(path)
    return asdict(SampleApp(index, merchant_type, scenario, str(application_file), documents))


def build_sample_set(root: Path, count: int, as_of: date, first: int = 0,
                     start_method: str | None = None) -> list[SampleApp]:
    """Renders `count` applications into `root` (in parallel) and writes `root/manifest.json`; `first` is the
    first index (another `first` gives other applications, with other documents)."""
    root.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    jobs = [(n, str(root), as_of.isoformat()) for n in range(first, first + count)]
    with multiprocessing.get_context(start_method).Pool(min(count, os.cpu_count() or 1)) as pool:
        rows = pool.map(_write_one, jobs, chunksize=1)
    manifest_path(root).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return [SampleApp(**row) for row in rows]


def manifest_path(root: Path) -> Path:
    return root / "manifest.json"


def load_sample_set(manifest: Path) -> list[SampleApp]:
    return [SampleApp(**row) for row in json.loads(manifest.read_text(encoding="utf-8"))]
