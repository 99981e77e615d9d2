"""The real `onboard` command in a fresh process, against a given installation, and what a refusal looks like."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

TRACEBACK_MARKERS = ("Traceback", 'File "')


@dataclass(frozen=True)
class CliRun:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


def base_environment() -> dict[str, str]:
    """The outer environment without any ONBOARD_* setting, and single-threaded numeric libraries."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ONBOARD_")}
    return {**env, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "OMP_THREAD_LIMIT": "1", "OPENBLAS_NUM_THREADS": "1"}


def cli_environment(home: Path, prefect_api_url: str) -> dict[str, str]:
    return {**base_environment(), "ONBOARD_HOME": str(home), "PREFECT_API_URL": prefect_api_url}


def unreachable_prefect_url() -> str:
    """A Prefect API nobody serves: a refusal never needs Prefect, and a wrongly accepted case fails fast."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


def refusal_environment(home: Path) -> dict[str, str]:
    """For commands that must be refused: no Prefect behind them, and no retrying to reach one."""
    return {**cli_environment(home, unreachable_prefect_url()), "PREFECT_CLIENT_MAX_RETRIES": "0"}


def run_onboard_with_env(env: dict[str, str], *args: str, cwd: Path, timeout: float = 180) -> CliRun:
    """`python -m onboarding.cli.main ARGS` in a fresh process."""
    done = subprocess.run([sys.executable, "-m", "onboarding.cli.main", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
    return CliRun(done.returncode, done.stdout, done.stderr)


def refusal_problems(run: CliRun, mentions: tuple[str, ...] = ()) -> list[str]:
    """Why `run` is not a clean refusal: exit 2, nothing on stdout, one line on stderr naming the problem."""
    problems = []
    if run.exit_code != 2:
        problems.append(f"exit code {run.exit_code}, expected 2")
    if run.stdout:
        problems.append(f"stdout not empty: {run.stdout[:120]!r}")
    lines = run.stderr.strip().splitlines()
    if len(lines) != 1:
        problems.append(f"{len(lines)} lines on stderr, expected 1: {_tail(run.stderr)!r}")
    if any(marker in run.stderr for marker in TRACEBACK_MARKERS):
        problems.append(f"traceback on stderr: {_tail(run.stderr)!r}")
    if lines and not lines[0].startswith("error: "):
        problems.append(f"stderr does not start with 'error: ': {lines[0][:160]!r}")
    missing = [word for word in mentions if word.lower() not in run.stderr.lower()]
    if missing and len(lines) == 1:
        problems.append(f"message does not mention {missing}: {lines[0][:200]!r}")
    return problems


def _tail(text: str, keep: int = 300) -> str:
    return text if len(text) <= keep else "…" + text[-keep:]
