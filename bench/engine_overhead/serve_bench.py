"""Figure 7 (issue 16, item 6): `onboard serve` vs one-shot, side by side in one run on the same applications.

In this order: the raw OCR pool; `onboard batch DIR --wait` one-shot (starts its own Prefect API and OCR pool);
then an `onboard serve` is started on a fresh home and, once its endpoints answer and its runner has had time to
import, `latency_count` other applications go through it one at a time (`onboard submit --wait`, which hands
them to the serve's runner); then the same `onboard batch DIR --wait` handed to that serve (started before the
clock, warm); then the serve with nothing to do: CPU over `idle_s` and RSS of its process tree.

Latency: "submit → decision" is `applications.created_at` → the first `decisions.decided_at` (both written by
our code, one clock); its OCR part is the OCR wall the run recorded for the application's documents
(`ocr_readings`: each reading's `created_at` minus its `seconds` is when it started; first start → last end).
The latency applications are other samples than the batch's (other seeds), so no OCR reading is cached.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench.engine_overhead.batch_runs import BatchRun, migrated_prefect_home, run_batch_cli
from bench.engine_overhead.processes import REPO, ProcessResult, clean_env, python_command, run_measured
from bench.engine_overhead.raw_ocr import RawResult, run_raw_ocr
from bench.engine_overhead.samples import SampleApp, build_sample_set

RUNNER_IMPORTS_S = 10  # after the endpoints answer, the runner imports and starts its OCR pool
LATENCY_SEED_OFFSET = 10_000  # latency samples: indices (so seeds) no batch sample uses


@dataclass
class ServeFigure:
    applications: int
    ocr_documents: int
    raw: RawResult
    one_shot: BatchRun
    handed: ProcessResult
    handed_states: dict[str, int]
    serve_ready_s: float  # serve started → its three endpoint lines printed
    endpoints: list[str]
    latency: list[dict] = field(default_factory=list)  # one row per application submitted through the serve
    serve_cpu_during_batch_s: float = float("nan")  # the serve's process tree while the handed batch ran
    idle_s: float = 0.0
    idle_cpu_percent: float = float("nan")  # of one core, the serve's whole process tree
    idle_rss_mb: float = float("nan")
    idle_processes: int = 0
    load_at_end: float = float("nan")


def measure_serve(samples: list[SampleApp], batch_dir: Path, scratch: Path, latency_count: int,
                  idle_s: float, start_method: str | None = None) -> ServeFigure:
    """`start_method`: of this figure's process pools ("forkserver" while other figures run in threads)."""
    scratch.mkdir(parents=True, exist_ok=True)
    latency_samples = build_sample_set(scratch / "latency-samples", latency_count, date.today(),
                                       first=LATENCY_SEED_OFFSET, start_method=start_method) if latency_count else []
    raw = run_raw_ocr(samples, start_method=start_method)
    one_shot = run_batch_cli(batch_dir, scratch / "one-shot", migrated_prefect_home(scratch))

    home = scratch / "serve-home"
    home.mkdir(parents=True, exist_ok=True)
    ports = [str(_free_port()) for _ in range(3)]
    log = open(scratch / "serve.stderr", "wb")
    serve = subprocess.Popen(
        python_command("-m", "onboarding.cli.main", "serve", "--portal-port", ports[0], "--backoffice-port",
                       ports[1], "--prefect-port", ports[2], "--no-sweep"),
        env=clean_env(home), cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True,
        start_new_session=True)
    try:
        started = time.monotonic()
        endpoints = [_line_or_fail(serve, 240) for _ in range(3)]
        ready_s = time.monotonic() - started
        time.sleep(RUNNER_IMPORTS_S)
        latency = [_submit_through(serve_home=home, app=app, scratch=scratch / "latency") for app in latency_samples]
        serve_cpu_before, _ = _cpu_and_rss(_tree(serve.pid))
        handed = run_measured(python_command("-m", "onboarding.cli.main", "batch", str(batch_dir), "--wait", "--json"),
                              clean_env(home), scratch=scratch / "handed", timeout_s=3600).check()
        serve_cpu_during_batch = _cpu_and_rss(_tree(serve.pid))[0] - serve_cpu_before
        time.sleep(5)  # the runner back to polling the queue
        pids = _tree(serve.pid)
        cpu_before, _ = _cpu_and_rss(pids)
        time.sleep(idle_s)
        cpu_after, rss = _cpu_and_rss(pids)
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        log.close()
    states: dict[str, int] = {}
    for application in json.loads(handed.stdout)["applications"]:
        states[application["state"]] = states.get(application["state"], 0) + 1
    return ServeFigure(applications=len(samples), ocr_documents=raw.documents, raw=raw, one_shot=one_shot,
                       handed=handed, handed_states=states, serve_ready_s=ready_s,
                       endpoints=[line.strip() for line in endpoints], latency=latency,
                       serve_cpu_during_batch_s=serve_cpu_during_batch, idle_s=idle_s,
                       idle_cpu_percent=100 * (cpu_after - cpu_before) / idle_s if idle_s else float("nan"),
                       idle_rss_mb=rss, idle_processes=len(pids), load_at_end=os.getloadavg()[0])


def _submit_through(serve_home: Path, app: SampleApp, scratch: Path) -> dict:
    """`onboard submit APP --doc … --wait --json` on the serve's home: the serve's runner onboards it."""
    scratch.mkdir(parents=True, exist_ok=True)
    command = python_command("-m", "onboarding.cli.main", "submit", app.application_file, *app.doc_arguments(),
                             "--wait", "--json")
    process = run_measured(command, clean_env(serve_home), scratch=scratch, timeout_s=600).check()
    application_id = json.loads(process.stdout)["application_id"]
    return {"application_id": application_id, "command_wall_s": process.wall_s, **_timeline(serve_home,
                                                                                               application_id)}


def _timeline(home: Path, application_id: str) -> dict:
    with sqlite3.connect(home / "onboard.db") as connection:
        submit_to_decision, state = connection.execute(
            """SELECT (julianday(MIN(d.decided_at)) - julianday(a.created_at)) * 86400, a.state
               FROM applications a JOIN decisions d ON d.application_id = a.id WHERE a.id = ?""",
            (application_id,)).fetchone()
        documents, ocr_sum, ocr_wall = connection.execute(
            """SELECT COUNT(*), COALESCE(SUM(r.seconds), 0),
                      COALESCE((MAX(julianday(r.created_at)) - MIN(julianday(r.created_at) - r.seconds / 86400.0))
                               * 86400, 0)
               FROM documents d JOIN ocr_readings r ON r.sha256 = d.sha256 AND r.document_type = d.document_type
               WHERE d.application_id = ?""", (application_id,)).fetchone()
    return {"state": state, "submit_to_decision_s": submit_to_decision, "ocr_documents": documents,
            "ocr_s": ocr_sum, "ocr_wall_s": ocr_wall, "not_ocr_s": submit_to_decision - ocr_wall}


def _line_or_fail(process: subprocess.Popen, timeout_s: float) -> str:
    """The next stdout line of `process`, or an error if it exits or says nothing in time."""
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    if not got or not got[0]:
        raise RuntimeError(f"onboard serve printed no endpoint line within {timeout_s:.0f} s "
                           f"(exit code {process.poll()}); see serve.stderr in the scratch directory")
    return got[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tree(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = {pid}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _cpu_and_rss(pids: set[int]) -> tuple[float, float]:
    """CPU seconds (own, and of the children each has reaped: the OCR workers' tesseract runs) and RSS MiB."""
    cpu = rss = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return cpu, rss
