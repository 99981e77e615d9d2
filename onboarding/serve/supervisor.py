"""`onboard serve`: one foreground supervisor for the embedded default's long-lived processes.

Children, each a process group of its own (so stopping one stops what it started, e.g. the runner's OCR
workers): Prefect's API server with its UI, the merchant portal, the staff back office, the runner that takes
every queued application (`rerun --queued --follow`), and the sweep, started on a schedule. A child that dies
is started again after a back-off (1 s, doubling to 60 s; back to 1 s once it has run a minute). Children die
with the supervisor even when it is killed (PR_SET_PDEATHSIG), and the home's serve lock ends with it, so a
kill -9 leaves neither processes nor a stale claim behind.
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TextIO

from onboarding import orchestrator
from onboarding.adapters.serve_registry import ServeRegistry

STOP_WITHIN_S = 8.0  # SIGTERM to every child, then SIGKILL: the whole serve ends inside 10 s
BACKOFF_FIRST_S, BACKOFF_MAX_S, STEADY_AFTER_S = 1.0, 60.0, 60.0
TICK_S = 0.2
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ServeOptions:
    home: Path
    host: str = "127.0.0.1"
    portal_port: int = 8000
    backoffice_port: int = 8001
    prefect_port: int = 4200
    sweep_every_s: float | None = 15 * 60  # None: no sweep
    portal_base_url: str | None = None  # what links point at (the portal's own address unless configured)

    def url(self, port: int) -> str:
        return f"http://{public_host(self.host)}:{port}"

    @property
    def urls(self) -> dict[str, str]:
        return {"portal": self.url(self.portal_port), "backoffice": self.url(self.backoffice_port),
                "prefect": self.url(self.prefect_port)}


class ServeRefused(Exception):
    """Another serve holds the home, or a port is taken: one line naming what is in the way."""


@dataclass
class Child:
    name: str
    argv: list[str]
    ready: Callable[[], bool] | None = None  # when it answers; its endpoint line is printed then
    url: str | None = None
    keep_fds: tuple[int, ...] = ()
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff_s: float = BACKOFF_FIRST_S
    restart_at: float | None = None
    announced: bool = False  # since its last start
    printed: bool = False  # its endpoint line, once, the first time it answers
    restarts: int = 0


@dataclass
class Supervisor:
    options: ServeOptions
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def __post_init__(self) -> None:
        self.registry = ServeRegistry(self.options.home)
        self.children: list[Child] = []
        self.stopping = False
        self.next_sweep: float | None = None
        self.sweep: subprocess.Popen | None = None
        self.log_dir = self.options.home / "logs"
        self._owner_pipe: int | None = None

    # -- start -----------------------------------------------------------------------------------------
    def claim(self) -> None:
        """Takes the home, or refuses naming the serve that has it; then checks every port is free."""
        record = {"pid": os.getpid(), "home": str(self.options.home), "urls": self.options.urls,
                  "portal_base_url": self.options.portal_base_url or self.options.urls["portal"],
                  "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        if not self.registry.claim(record):
            other = self.registry.running() or {}
            urls = ", ".join(f"{name} {url}" for name, url in (other.get("urls") or {}).items())
            raise ServeRefused(f"onboard serve already runs on {self.options.home}: pid {other.get('pid')}"
                               + (f", {urls}" if urls else ""))
        for name, port in (("portal", self.options.portal_port), ("backoffice", self.options.backoffice_port),
                           ("prefect", self.options.prefect_port)):
            if not port_free(self.options.host, port):
                self.registry.release()
                raise ServeRefused(f"--{name}-port {port}: {self.options.host}:{port} is in use by another process")

    def build_children(self, environment: dict[str, str]) -> None:
        o, cli = self.options, [sys.executable, "-m", "onboarding.cli.main"]
        read_end, self._owner_pipe = os.pipe()  # Prefect's server also stops when this pipe closes
        self.environment = environment
        api_url = f"http://{local_host(o.host)}:{o.prefect_port}/api"
        self.children = [
            Child("prefect", orchestrator.serve_command(o.prefect_port, read_end, o.host),
                  ready=lambda: orchestrator.api_answers(api_url), url=o.urls["prefect"], keep_fds=(read_end,)),
            Child("portal", [*cli, "portal", "--host", o.host, "--port", str(o.portal_port)],
                  ready=lambda: listening(o.host, o.portal_port), url=o.urls["portal"]),
            Child("backoffice", [*cli, "backoffice", "--host", o.host, "--port", str(o.backoffice_port)],
                  ready=lambda: listening(o.host, o.backoffice_port), url=o.urls["backoffice"]),
            Child("runner", [*cli, "rerun", "--queued", "--follow", "--json"]),
        ]
        if o.sweep_every_s is not None:
            self.next_sweep = time.monotonic()  # at once: whatever fell due while no serve ran

    def run(self) -> int:
        """Until SIGTERM/SIGINT; returns the exit code."""
        signal.signal(signal.SIGTERM, self._stop_requested)
        signal.signal(signal.SIGINT, self._stop_requested)
        try:
            for child in self.children:
                self._start(child)
            while not self.stopping:
                self._tick()
                time.sleep(TICK_S)
        finally:
            self._stop_all()
            self.registry.release()
        return 0

    # -- the loop --------------------------------------------------------------------------------------
    def _tick(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.process is not None and child.process.poll() is not None:
                self._died(child, now)
            elif child.process is None and child.restart_at is not None and now >= child.restart_at:
                self._start(child)
            elif not child.announced and child.process is not None and child.ready and child.ready():
                child.announced = True
                if not child.printed:
                    child.printed = True
                    self.out.write(f"{child.name} {child.url}\n")
                    self.out.flush()
                else:
                    self._log(f"{child.name} answers again at {child.url}")
        self._sweep_if_due(now)

    def _died(self, child: Child, now: float) -> None:
        code = child.process.returncode
        kill_group(child.process.pid, signal.SIGKILL)  # what it started (OCR workers) goes with it
        child.process = None
        if now - child.started_at >= STEADY_AFTER_S:
            child.backoff_s = BACKOFF_FIRST_S
        child.restart_at = now + child.backoff_s
        self._log(f"{child.name} exited ({describe_exit(code)}); restarting in {child.backoff_s:.0f} s "
                  f"(log {self.log_dir / f'serve-{child.name}.log'})")
        child.backoff_s = min(child.backoff_s * 2, BACKOFF_MAX_S)
        child.restarts += 1

    def _start(self, child: Child) -> None:
        child.restart_at, child.announced = None, False
        child.process = self._spawn(child.name, child.argv, child.keep_fds)
        child.started_at = time.monotonic()
        if child.restarts:
            self._log(f"{child.name} started again (pid {child.process.pid})")

    def _spawn(self, name: str, argv: list[str], keep_fds: tuple[int, ...] = ()) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"serve-{name}.log", "ab") as log:
            return subprocess.Popen(argv, env=self.environment, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                    start_new_session=True, pass_fds=keep_fds, preexec_fn=_die_with_parent)

    def _sweep_if_due(self, now: float) -> None:
        if self.sweep is not None and self.sweep.poll() is not None:
            if self.sweep.returncode != 0:
                self._log(f"sweep exited ({describe_exit(self.sweep.returncode)}); "
                          f"log {self.log_dir / 'serve-sweep.log'}; the next one runs on schedule")
            self.sweep = None
        if self.next_sweep is None or now < self.next_sweep or self.sweep is not None:
            return
        self.sweep = self._spawn("sweep", [sys.executable, "-m", "onboarding.cli.main", "sweep", "--json"])
        self.next_sweep = now + self.options.sweep_every_s

    # -- stop ------------------------------------------------------------------------------------------
    def _stop_requested(self, signum, _frame) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        running = [child.process for child in self.children if child.process is not None]
        running += [self.sweep] if self.sweep is not None else []
        for process in running:
            kill_group(process.pid, signal.SIGTERM)
        if self._owner_pipe is not None:
            os.close(self._owner_pipe)
            self._owner_pipe = None
        deadline = time.monotonic() + STOP_WITHIN_S
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for process in running:  # the group too: a child's own children may outlive a graceful exit
            kill_group(process.pid, signal.SIGKILL)
            process.wait()

    def _log(self, message: str) -> None:
        self.err.write(f"{datetime.now().astimezone():%Y-%m-%d %H:%M:%S} serve: {message}\n")
        self.err.flush()


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends SIGTERM when the supervisor dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() == 1:  # the supervisor died between fork and prctl
        os._exit(1)


def kill_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def describe_exit(code: int) -> str:
    return f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"


def public_host(host: str) -> str:
    """How others reach a server listening on `host` (all interfaces: this machine's name)."""
    return socket.getfqdn() if host in ("0.0.0.0", "::", "") else host


def local_host(host: str) -> str:
    """How this machine reaches it."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((local_host(host), port), timeout=0.5):
            return True
    except OSError:
        return False


def parse_interval(text: str) -> float:
    """"15m", "30s", "1h", or a number of minutes → seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    value, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "m")
    try:
        seconds = float(value) * units[unit]
    except ValueError:
        raise ValueError(f"--sweep-every: {text!r} is not a duration such as 15m, 30s or 1h") from None
    if seconds <= 0:
        raise ValueError(f"--sweep-every: {text!r} must be more than zero")
    return seconds
