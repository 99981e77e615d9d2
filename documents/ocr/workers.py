"""OCR in worker processes, one per core.

Recognition is CPU work, and so is our preprocessing around it (Pillow, NumPy, parsing Tesseract's
output). Threads would share one interpreter lock for the Python parts and contend with the
orchestration running in the same process; a process per core keeps every core reading, the same way
a plain `multiprocessing.Pool` over the documents would.

Workers receive the stored bytes, not decoded images: decoding happens where the pixels are needed,
and nothing larger than a file crosses the process boundary.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Callable

from documents.intake import IntakeLimits, decode_document
from documents.ocr.engine import OcrEngine
from documents.types import DocumentType, OcrReading

EngineFactory = Callable[[], OcrEngine]

_worker_engine: OcrEngine | None = None
_worker_limits: IntakeLimits | None = None


def _start_worker(engine_factory: EngineFactory, limits: IntakeLimits) -> None:
    global _worker_engine, _worker_limits
    # One recognition thread per process: the processes are the parallelism (4x faster on 2 cores).
    os.environ["OMP_THREAD_LIMIT"] = "1"
    _worker_engine, _worker_limits = engine_factory(), limits
    threading.Thread(target=_exit_with_owner, name="owner-watch", daemon=True).start()


def _exit_with_owner() -> None:
    """A pool worker blocks on its queue forever if the process that owns the pool is killed (SIGKILL, OOM),
    holding whatever that process's caller is waiting on (its stdout, say). The owner's end of a pipe closes
    the moment it dies, even before it is reaped, so waiting on it is the reliable signal."""
    owner = multiprocessing.parent_process()
    if owner is not None:
        multiprocessing.connection.wait([owner.sentinel])
        os._exit(1)


@dataclass(frozen=True)
class TimedReading:
    reading: OcrReading
    seconds: float  # decoding and recognition in the worker, without the wait for a free worker


def _read_in_worker(data: bytes, document_type: str) -> TimedReading:
    assert _worker_engine is not None and _worker_limits is not None, "worker not initialised"
    started = time.perf_counter()
    image = decode_document(data, _worker_limits)
    reading = _worker_engine.read(image, DocumentType(document_type))
    return TimedReading(reading, time.perf_counter() - started)


class OcrWorkerCrashed(RuntimeError):
    """A worker process died mid-read (killed, out of memory); the read can simply be tried again."""


class OcrWorkers:
    """A pool of OCR processes shared by every flow and task of this process; started on first use.

    `forkserver` children start from a clean interpreter (not a copy of this multi-threaded one), with
    the OCR modules imported once in the server, so a new worker costs milliseconds, not an import.
    """

    def __init__(self, engine_factory: EngineFactory, limits: IntakeLimits, processes: int | None = None) -> None:
        self._engine_factory = engine_factory
        self._limits = limits
        self.processes = max(1, processes or os.cpu_count() or 1)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, data: bytes, document_type: DocumentType) -> Future[TimedReading]:
        """The reading arrives on the future; a worker that died makes it raise `OcrWorkerCrashed`."""
        outer: Future[TimedReading] = Future()
        inner = self._pool().submit(_read_in_worker, data, str(document_type))
        inner.add_done_callback(lambda done: self._settle(outer, done, document_type))
        return outer

    def read(self, data: bytes, document_type: DocumentType) -> TimedReading:
        return self.submit(data, document_type).result()

    def _settle(self, outer: Future, inner: Future, document_type: DocumentType) -> None:
        if inner.cancelled():  # the pool was shut down before this read started
            outer.cancel()
            return
        error = inner.exception()
        if isinstance(error, BrokenProcessPool):
            self._discard_broken()
            error = OcrWorkerCrashed(f"an OCR worker process died while reading {document_type}")
        if error is not None:
            outer.set_exception(error)
        else:
            outer.set_result(inner.result())

    def start(self) -> None:
        """Starts the worker processes now (a long-lived process's first read then pays for nothing)."""
        self._pool().submit(os.getpid).result()

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                # Imported once in the fork server instead of in every worker (a child re-imports the parent's
                # main module, here the CLI, unless the server already has it).
                context.set_forkserver_preload(["__main__", "documents.ocr", "documents.ocr.workers"])
                self._executor = ProcessPoolExecutor(
                    self.processes, mp_context=context, initializer=_start_worker,
                    initargs=(self._engine_factory, self._limits))
            return self._executor

    def _discard_broken(self) -> None:
        """A broken pool refuses all work; the next read starts a fresh one."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
