"""The embedded default's orchestrator: Prefect's API server as a child process of this one.

Prefect starts the same server by itself when no PREFECT_API_URL is set, but to do so its client imports
the server's whole application (routes, ORM models, services): seconds of CPU in every `onboard` process
that runs a flow, on the cores OCR needs. Started here, the client imports none of it, and the server
starts while this process is still importing and checking files.

The server stops with this process: at exit (atexit), and also when this process is killed, because the
server watches a pipe only this process holds open.
"""
from __future__ import annotations

import asyncio
import atexit
import fcntl
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

from onboarding.adapters.web_server import run_server

# A server that has not answered its health check by then is reported with its log (seconds).
DEFAULT_STARTUP_TIMEOUT_S = 90.0
PORT_ATTEMPTS = 3  # a free port can be taken by another process between our check and the server's bind
STOP_GRACE_S = 5.0
DOCKET_CHECK_INTERVAL_S = 1.0

_lock = threading.Lock()
_running: "EmbeddedOrchestrator | None" = None


class OrchestratorDidNotStart(RuntimeError):
    """Prefect's API server exited or did not answer in time; the message carries the end of its log."""


class EmbeddedOrchestrator:
    """One Prefect API server on 127.0.0.1 with a free port, for this process and its threads."""

    def __init__(self, log_path: Path, startup_timeout_s: float) -> None:
        self.log_path = log_path
        self.startup_timeout_s = startup_timeout_s
        self.port = 0
        self._process: subprocess.Popen | None = None
        self._owner_pipe: int | None = None
        self._log_start = 0  # where this attempt's part of the log begins
        self._answered = False  # once it has, Prefect may hold its address: the port stays

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        """Starts the server; `wait_ready` tells when it answers."""
        if not self.port:
            self.port = _free_port()
        read_end, self._owner_pipe = os.pipe()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._log_start = log.tell()
            self._process = subprocess.Popen(
                serve_command(self.port, read_end),
                env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                     "PREFECT__SERVER_FINAL": "1"},
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, pass_fds=(read_end,))
        os.close(read_end)

    def wait_ready(self) -> None:
        """Returns once the API answers. A server that has died since (a long-lived portal) is started again
        on the same address; before it first answered, a port another process took is swapped for a free one."""
        if self._answered and self._alive():
            if api_answers(self.api_url):
                return
            self.stop()  # killed a moment ago (its threads still exiting) or hung: replaced, same address
        if not self._alive():
            self._close_pipe()
            self.start()
        attempts, deadline = 1, time.monotonic() + self.startup_timeout_s
        while not api_answers(self.api_url):
            if not self._alive():
                log = self._log_tail()
                if self._answered or attempts >= PORT_ATTEMPTS or not _port_taken(log):
                    raise OrchestratorDidNotStart(f"Prefect's API server exited ({self._process.returncode}): {log}")
                attempts += 1
                self._close_pipe()
                self.port = _free_port()
                os.environ["PREFECT_API_URL"] = self.api_url  # Prefect is imported only after this returns
                self.start()
            elif time.monotonic() > deadline:
                self.stop()
                raise OrchestratorDidNotStart(f"Prefect's API server did not answer within "
                                              f"{self.startup_timeout_s:.0f} s: {self._log_tail()}")
            else:
                time.sleep(0.05)
        self._answered = True

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        process, self._process = self._process, None
        self._close_pipe()
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _close_pipe(self) -> None:
        pipe, self._owner_pipe = self._owner_pipe, None
        if pipe is not None:
            os.close(pipe)

    def _log_tail(self, lines: int = 15) -> str:
        """The end of this attempt's log."""
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self._log_start)
                text = log.read().decode(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.strip().splitlines()[-lines:]) or "(empty log)"


def start_embedded(home: Path) -> EmbeddedOrchestrator | None:
    """Starts the embedded orchestrator unless Prefect is configured otherwise: a PREFECT_API_URL from the
    environment (scale-out, a test harness), or Prefect imported already (its settings are read at import,
    so a URL set now would not reach it; Prefect then starts its own server). Returns it, or None."""
    global _running
    with _lock:
        if _running is not None:
            return _running
        if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
            return None
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
                                       DEFAULT_STARTUP_TIMEOUT_S))
        orchestrator = EmbeddedOrchestrator(home / "logs" / "prefect-server.log", timeout)
        orchestrator.start()
        atexit.register(orchestrator.stop)
        os.environ["PREFECT_API_URL"] = orchestrator.api_url
        _running = orchestrator
        return orchestrator


def running() -> EmbeddedOrchestrator | None:
    return _running


def environment_for_children() -> dict[str, str]:
    """This process's environment for a command that outlives it: without the address of a server that
    stops when this process exits (the child starts its own)."""
    env = dict(os.environ)
    if _running is not None and env.get("PREFECT_API_URL") == _running.api_url:
        del env["PREFECT_API_URL"]
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_taken(log: str) -> bool:
    return "address already in use" in log.lower()


def api_answers(api_url: str) -> bool:
    # Straight to 127.0.0.1: an HTTP(S)_PROXY of the environment is not for a server on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def serve_command(port: int, owner_pipe: int, host: str = "127.0.0.1") -> list[str]:
    """The command line of a server process (its owner keeps the write end of `owner_pipe` open). What it
    serves follows its environment: `onboard serve` runs it as a full server (UI, Prefect's services),
    a command's own orchestrator as an ephemeral API (see EmbeddedOrchestrator.start)."""
    return [sys.executable, "-m", "onboarding.orchestrator", str(port), str(owner_pipe), host]


def _serve(port: int, owner_pipe: int, host: str = "127.0.0.1") -> None:
    """The server process: Prefect's API app under uvicorn, stopped gracefully when its owner goes away."""
    def stop_when_owner_exits() -> None:
        while os.read(owner_pipe, 1):  # nothing is ever written: this returns only at end of file
            pass
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown (lifespan, database)
        time.sleep(STOP_GRACE_S * 2)
        os._exit(1)

    threading.Thread(target=stop_when_owner_exits, name="owner-watch", daemon=True).start()
    _migrate_one_server_at_a_time()
    _background_tasks_checked_every(DOCKET_CHECK_INTERVAL_S)
    # heavy import, paid only on the path that needs it
    from prefect.settings import PREFECT_API_DATABASE_MIGRATE_ON_START, temporary_settings

    # Migrated just now, under the lock: the app's own start-up need not run alembic over every revision again.
    with temporary_settings(updates={PREFECT_API_DATABASE_MIGRATE_ON_START: False}):
        run_server("prefect.server.api.server:create_app", factory=True, host=host, port=port,
                   log_level="error", lifespan="on")


def _background_tasks_checked_every(seconds: float) -> None:
    """Prefect's server looks for due background tasks (docket: log and run vacuums, late and cancelled runs,
    queue readiness) every 250 ms, fixed in its code: 1.5 % of a core on a serve with nothing to do, most of
    its idle cost. None of those tasks is on a flow run's path, so a second's delay costs nothing. Set on the
    worker class Prefect's lifespan instantiates (prefect 3.8, pinned in pyproject.toml)."""

    # heavy import, paid only on the path that needs it
    import prefect.server.api.background_workers as background_workers

    base = background_workers.Worker

    class Worker(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("minimum_check_interval", timedelta(seconds=seconds))
            kwargs.setdefault("scheduling_resolution", timedelta(seconds=seconds))
            super().__init__(*args, **kwargs)

    background_workers.Worker = Worker


def _migrate_one_server_at_a_time() -> None:
    """Brings Prefect's database up to date before serving, holding a lock on its home: servers of commands
    started at the same moment on a new installation would otherwise migrate the same SQLite file together, and
    all but one fail ("Online migration expected to match one row")."""

    # heavy import, paid only on the path that needs it
    from prefect.server.database import provide_database_interface
    from prefect.settings import PREFECT_API_DATABASE_MIGRATE_ON_START, PREFECT_HOME

    if not PREFECT_API_DATABASE_MIGRATE_ON_START.value():
        return
    home = Path(PREFECT_HOME.value()).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "migrations.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or when this process dies
        asyncio.run(provide_database_interface().create_db())


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:4])
