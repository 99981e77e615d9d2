"""`onboard serve` in a subprocess on its own home and free ports, as staff start it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support.processes import descendants

STARTUP_S = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_ports() -> dict[str, int]:
    return {"portal": free_port(), "backoffice": free_port(), "prefect": free_port()}


def serve_env(home: Path) -> dict[str, str]:
    """The test session's environment without its Prefect server or settings: the command finds its own."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_API_URL", "ONBOARD_"))}
    return env | {"ONBOARD_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "OMP_THREAD_LIMIT": "1",
                  "ONBOARD_OCR_PROCESSES": "1"}


class Serve:
    def __init__(self, home: Path, workdir: Path, ports: dict[str, int] | None = None) -> None:
        self.home, self.workdir = home, workdir
        self.env = serve_env(home)
        self.ports = ports or free_ports()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "onboarding.cli.main", "serve", "--portal-port", str(self.ports["portal"]),
             "--backoffice-port", str(self.ports["backoffice"]), "--prefect-port", str(self.ports["prefect"]),
             "--sweep-every", "1h"],
            env=self.env, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.endpoints: dict[str, str] = {}
        self.log: list[str] = []
        threading.Thread(target=self._read_log, daemon=True).start()
        deadline = time.monotonic() + STARTUP_S
        while len(self.endpoints) < 3:  # one line per endpoint, flushed as each answers
            line = self.process.stdout.readline()
            assert line, f"serve exited before its endpoints: {''.join(self.log)}"
            name, url = line.split()
            self.endpoints[name] = url
            assert time.monotonic() < deadline

    def _read_log(self) -> None:
        for line in self.process.stderr:
            self.log.append(line)

    def onboard(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "onboarding.cli.main", *args], env=self.env, cwd=self.workdir,
                              capture_output=True, text=True, timeout=timeout)

    def runner_pid(self) -> int | None:
        for pid in descendants(self.process.pid):
            try:
                if b"--follow" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return pid
            except OSError:
                pass
        return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
