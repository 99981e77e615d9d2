"""What the numbers were measured on, and how busy the (shared) machine was while they were."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
from datetime import datetime, timezone
from importlib.metadata import version

from bench.engine_overhead.stats import median


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gb() -> float:
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def tesseract_version() -> str:
    try:
        output = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30)
        return (output.stdout or output.stderr).splitlines()[0].split()[-1]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "not found"


def code_version() -> str:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, timeout=30,
                                  cwd=os.path.dirname(__file__)).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [line for line in git("status", "--porcelain", "--untracked-files=no").splitlines() if line]
    return commit + (f" + {len(changed)} uncommitted file(s) (others edit concurrently)" if changed else "")


def machine_facts(command: str) -> dict[str, str]:
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "code": code_version(),
        "nproc": str(os.cpu_count()),
        "memory": f"{memory_gb():.1f} GB",
        "cpu": cpu_model(),
        "python": sys.version.split()[0],
        "prefect": version("prefect"),
        "sqlalchemy": version("sqlalchemy"),
        "tesseract": tesseract_version(),
        "platform": platform.platform(),
    }


class LoadWatcher:
    """Samples the 1-minute load average every few seconds while a figure runs."""

    def __init__(self, interval_s: float = 5.0) -> None:
        self.interval_s = interval_s
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self.interval_s):
                return

    def __enter__(self) -> "LoadWatcher":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.samples:
            return "n/a"
        return f"{median(self.samples):.1f} (min {min(self.samples):.1f}, max {max(self.samples):.1f})"
