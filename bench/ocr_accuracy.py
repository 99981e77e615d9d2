"""OCR accuracy on generated samples: exact-match rate per field and seconds per document.

    .venv/bin/python bench/ocr_accuracy.py --n 20 --levels clean,scan,photo --workers 2

Each worker process renders a document, reads it with TesseractEngine and extracts its
fields; the parent compares them with the ground truth. --show-misses prints every miss.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import defaultdict
from datetime import date
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from documents.types import OCR_DOCUMENT_TYPES, DocumentType  # noqa: E402

AS_OF = date(2026, 1, 15)  # fixed, so runs on different days read the same documents


def read_one(job: tuple[int, str, str]) -> tuple[int, str, str, dict[str, str], dict[str, str | None], float, float]:
    from documents.extract import extract_fields
    from documents.ocr.tesseract import TesseractEngine
    from documents.samples.identity import make_identity
    from documents.samples.render import render
    from documents.samples.truth import ground_truth

    seed, document_type, level = job
    identity = make_identity(seed, as_of=AS_OF)
    image = render(document_type, identity, level=level)
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    reading = TesseractEngine().read(image, DocumentType(document_type))
    fields = extract_fields(reading, document_type)
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    got = {name: extracted.value for name, extracted in fields.items()}
    return seed, document_type, level, ground_truth(document_type, identity), got, elapsed, cpu


def _cpu_seconds() -> float:
    """CPU time of this worker and the tesseract processes it ran: unlike wall time, not inflated by a busy machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10, help="documents per type and level")
    parser.add_argument("--start", type=int, default=0, help="first identity seed")
    parser.add_argument("--levels", default="clean")
    parser.add_argument("--types", default=",".join(sorted(t.value for t in OCR_DOCUMENT_TYPES)))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    jobs = [(seed, t, level) for level in args.levels.split(",") for t in args.types.split(",")
            for seed in range(args.start, args.start + args.n)]
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    started = time.perf_counter()
    with Pool(args.workers) as pool:
        results = pool.map(read_one, jobs, chunksize=1)
    wall = time.perf_counter() - started

    hits: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
    seconds: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for seed, document_type, level, truth, got, elapsed, cpu in results:
        seconds[(level, document_type)].append((elapsed, cpu))
        for name, expected in truth.items():
            ok = got.get(name) == expected
            hits[(level, document_type, name)].append(ok)
            if not ok and args.show_misses:
                print(f"MISS {level} {document_type} seed={seed} {name}: expected {expected!r} got {got.get(name)!r}")

    print(f"{'level':6} {'document':17} {'field':21} {'exact':>7}  n")
    for (level, document_type, name), oks in sorted(hits.items()):
        print(f"{level:6} {document_type:17} {name:21} {sum(oks) / len(oks):7.1%}  {len(oks)}")
    print()
    for (level, document_type), values in sorted(seconds.items()):
        wall_mean = sum(v[0] for v in values) / len(values)
        cpu_mean = sum(v[1] for v in values) / len(values)
        print(f"{level:6} {document_type:17} {wall_mean:.2f} s/doc wall, {cpu_mean:.2f} s/doc CPU (OCR + extraction)")
    print(f"\n{len(jobs)} documents in {wall:.1f} s wall on {args.workers} workers "
          f"({wall / len(jobs):.2f} s/doc overall, rendering included)")


if __name__ == "__main__":
    main()
