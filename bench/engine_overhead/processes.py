"""Running a measured subprocess: wall time, its own peak RSS (wait4), and the peak RSS of its whole tree.

Prefect's API server is a child process of `onboard`, so "memory of `onboard demo`" is reported both
for the command's own process and for the process tree summed (sampled from /proc).
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class ProcessResult:
    command: list[str]
    returncode: int
    wall_s: float
    peak_rss_mb: float  # largest single process in the tree that was waited for (ru_maxrss)
    tree_peak_rss_mb: float  # sampled sum over the process and all its descendants
    cpu_s: float  # user + system of the process and the children it waited for
    cpu_by_role: dict[str, float]  # sampled: main, prefect_server, ocr_workers (with tesseract), other
    stdout: str
    stderr: str

    def check(self) -> "ProcessResult":
        if self.returncode != 0:
            tail = "\n".join(self.stderr.strip().splitlines()[-25:])
            raise RuntimeError(f"{' '.join(self.command[:6])} … exited {self.returncode}:\n{tail}")
        return self


def clean_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """This environment without any ONBOARD_*/PREFECT_* a caller may have set: every run is the embedded default."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONBOARD_", "PREFECT_"))}
    env["OMP_THREAD_LIMIT"] = "1"
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    if home is not None:
        env["ONBOARD_HOME"] = str(home)
    env.update(extra)
    return env


def python_command(*args: str) -> list[str]:
    return [sys.executable, *args]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_table() -> dict[int, tuple[int, float, float]]:
    """pid → (parent pid, CPU seconds of the process, the same plus the children it has reaped)."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        ticks = [int(f) for f in fields[11:15]]
        table[int(entry.name)] = (int(fields[1]), sum(ticks[:2]) / CLOCK_TICKS, sum(ticks) / CLOCK_TICKS)
    return table


def role_of(pid: int, root: int) -> str:
    """Which part of the engine a process is, from its command line."""
    if pid == root:
        return "main"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read()
    except OSError:
        return "other"
    if (b"uvicorn" in command and b"prefect" in command) or b"onboarding.orchestrator" in command:
        return "prefect_server"
    if b"multiprocessing.forkserver" in command or b"tesseract" in command:
        return "ocr_workers"
    return "other"


def tree_rss_kb(root: int) -> int:
    children: dict[int, list[int]] = {}
    for pid, (parent, *_) in _process_table().items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE_KB
        except OSError:
            pass
        stack.extend(children.get(pid, []))
    return total


class TreeSampler:
    """Samples a process tree: peak summed RSS, and CPU seconds per role (main process, Prefect's API server,
    OCR workers with their tesseract children). A role's CPU is the largest total seen while its processes
    lived (a worker's count includes the tesseract runs it reaped), so at most one interval is lost at exit."""

    def __init__(self, pid: int, interval_s: float = 0.25) -> None:
        self.pid, self.interval_s, self.peak_kb = pid, interval_s, 0
        self.cpu_by_role: dict[str, float] = {}
        self._roles: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        table = _process_table()
        children: dict[int, list[int]] = {}
        for pid, (parent, *_) in table.items():
            children.setdefault(parent, []).append(pid)
        totals: dict[str, float] = {}
        stack = [self.pid]
        while stack:
            pid = stack.pop()
            if pid not in table:
                continue
            role = self._roles.setdefault(pid, role_of(pid, self.pid))
            # The main process reaps the API server at exit: its own CPU only, or the server's counts twice.
            totals[role] = totals.get(role, 0.0) + table[pid][1 if role == "main" else 2]
            stack.extend(children.get(pid, []))
        for role, seconds in totals.items():
            self.cpu_by_role[role] = max(self.cpu_by_role.get(role, 0.0), seconds)
        self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "TreeSampler":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(command: list[str], env: dict[str, str], *, timeout_s: float | None = None,
                 scratch: Path | None = None, cwd: Path = REPO) -> ProcessResult:
    """Runs `command` to completion (killing its process group after `timeout_s`) and measures it."""
    scratch = scratch or Path(os.environ.get("TMPDIR", "/tmp"))
    scratch.mkdir(parents=True, exist_ok=True)
    out_path, err_path = scratch / f"out-{os.getpid()}-{time.monotonic_ns()}", scratch / f"err-{time.monotonic_ns()}"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   start_new_session=True)
        timer = threading.Timer(timeout_s, _kill_group, args=(process.pid,)) if timeout_s else None
        if timer:
            timer.start()
        with TreeSampler(process.pid) as sampler:
            _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        if timer:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    _kill_group(process.pid)  # leftovers (an ephemeral server whose parent was killed)
    result = ProcessResult(command=command, returncode=process.returncode, wall_s=wall,
                           peak_rss_mb=usage.ru_maxrss / 1024, tree_peak_rss_mb=sampler.peak_kb / 1024,
                           cpu_s=usage.ru_utime + usage.ru_stime, cpu_by_role=sampler.cpu_by_role,
                           stdout=out_path.read_text(errors="replace"), stderr=err_path.read_text(errors="replace"))
    out_path.unlink(missing_ok=True)
    err_path.unlink(missing_ok=True)
    return result


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
