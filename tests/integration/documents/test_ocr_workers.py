"""The OCR worker processes: the same readings as in process, a dead worker is survivable, none outlive their owner."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from functools import partial
from pathlib import Path

import pytest
from PIL import Image

from documents.intake import IntakeLimits
from documents.ocr.workers import OcrWorkerCrashed, OcrWorkers
from documents.samples.identity import make_identity
from documents.samples.render import render
from documents.types import DocumentType
from documents.ocr import open_ocr_engine
from tests.support.processes import alive

REPO = Path(__file__).resolve().parents[3]


def jpeg_of(document_type: DocumentType, seed: int) -> bytes:
    buffer = io.BytesIO()
    render(document_type, make_identity(seed), level="scan").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def workers():
    pool = OcrWorkers(partial(open_ocr_engine, "tesseract"), IntakeLimits(), processes=2)
    yield pool
    pool.close()


def test_workers_read_exactly_what_the_engine_reads_in_process(workers):
    data = jpeg_of(DocumentType.ID_CARD_FRONT, 5)
    in_process = open_ocr_engine("tesseract").read(Image.open(io.BytesIO(data)).convert("RGB"),
                                                   DocumentType.ID_CARD_FRONT)
    timed = workers.read(data, DocumentType.ID_CARD_FRONT)
    assert timed.reading == in_process and timed.seconds > 0


def test_a_worker_killed_mid_read_fails_that_read_and_the_next_one_succeeds(workers):
    data = jpeg_of(DocumentType.BUSINESS_LICENSE, 6)
    workers.read(data, DocumentType.BANK_CARD)  # the pool is up
    pending = workers.submit(data, DocumentType.BUSINESS_LICENSE)
    for pid in list(workers._executor._processes):  # a worker dies as under the OOM killer
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(OcrWorkerCrashed):
        pending.result(timeout=120)
    assert workers.read(data, DocumentType.BUSINESS_LICENSE).reading.passes


OWNER = textwrap.dedent("""
    import os, signal, sys
    from functools import partial
    from documents.intake import IntakeLimits
    from documents.ocr.workers import OcrWorkers
    from documents.types import DocumentType
    from documents.ocr import open_ocr_engine

    if __name__ == "__main__":
        workers = OcrWorkers(partial(open_ocr_engine, "tesseract"), IntakeLimits(), processes=2)
        data = open(sys.argv[1], "rb").read()
        workers.read(data, DocumentType.ID_CARD_FRONT)
        workers.submit(data, DocumentType.ID_CARD_FRONT)  # still reading when its owner dies
        from multiprocessing import forkserver
        print(*workers._executor._processes, forkserver._forkserver._forkserver_pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
""")


def test_workers_leave_when_their_owner_is_killed_so_nothing_holds_its_output_open(tmp_path):
    document = tmp_path / "front.jpg"
    document.write_bytes(jpeg_of(DocumentType.ID_CARD_FRONT, 7))
    script = tmp_path / "owner.py"
    script.write_text(OWNER, encoding="utf-8")
    # run() returns only when every process holding the pipes has gone: the workers and their fork server too.
    done = subprocess.run([sys.executable, str(script), str(document)], capture_output=True, text=True,
                          timeout=120, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == -signal.SIGKILL, done.stderr
    helpers = [int(pid) for pid in done.stdout.split()]
    assert len(helpers) >= 2  # the workers started so far, and the fork server
    assert _all_gone(helpers, within_s=10)


def _all_gone(pids: list[int], within_s: float) -> bool:
    """The pipes close as a process exits; its entry in the process table can linger a moment longer."""
    deadline = time.monotonic() + within_s
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
