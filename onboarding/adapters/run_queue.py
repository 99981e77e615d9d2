"""Applications waiting for the embedded default's background runner, and the lock that keeps it to one.

A runner per start would pay each time for its imports, its own Prefect API server and its own OCR pool
(seconds of CPU, several times the OCR of one application), all of them writing to the same Prefect database.
So a start queues its applications (one file per request) and launches a runner only if no runner holds the
lock; a runner drains the queue and looks again after it lets go of the lock, so a request queued while it
ran is never left waiting.

The lock is `flock` on a file: it belongs to the open file, so a starter takes it and hands the open file to
the runner it launches (no second runner can slip in while that one starts), and it ends with the runner,
however that ends.

A serve's runner waits on a doorbell (a FIFO each writer rings after writing) rather than looking at the
directory ten times a second: no CPU while nothing comes, and it wakes the moment something does.
"""
from __future__ import annotations

import errno
import fcntl
import os
import select
import stat
import time
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class QueuedRun:
    entry: str  # the request's file name: one per request, so a second request for an application is kept
    application_id: str
    from_step: str | None = None  # what the request redoes (the file's content; empty: nothing forced)


def _entry_name(application_id: str) -> str:
    """Unique, and sorted by name in the order written (requests and hints alike)."""
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}-{application_id}"


def _application_of(entry_name: str) -> str:
    return entry_name.split("-", 2)[2]


class Doorbell:
    """A named pipe: writers `ring` it (never blocking, nothing happens when nobody listens), one listener `wait`s
    on it. The listener keeps a write end open too, so the pipe never reads as closed between writers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._listening: tuple[int, int] | None = None

    def ring(self) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:  # no listener ever
            return
        except OSError as error:
            if error.errno == errno.ENXIO:  # nobody listening now
                return
            raise
        try:
            os.write(fd, b"!")
        except BlockingIOError:  # rung so often the pipe is full: the listener wakes anyway
            pass
        finally:
            os.close(fd)

    def listen(self) -> None:
        """From now on rings are kept for `wait` (before the first look at what they announce, so none is lost)."""
        if self._listening is None:
            self._listening = self._open()

    def wait(self, timeout: float) -> bool:
        """Until rung (True) or `timeout` s have passed (False); the rings so far are used up."""
        self.listen()
        read_fd = self._listening[0]
        ready, _, _ = select.select([read_fd], [], [], timeout)
        if not ready:
            return False
        try:
            while os.read(read_fd, 4096):
                pass
        except BlockingIOError:
            pass
        return True

    def _open(self) -> tuple[int, int]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkfifo(self.path, 0o600)
        except FileExistsError:
            if not stat.S_ISFIFO(os.stat(self.path).st_mode):
                raise
        read_fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        return read_fd, os.open(self.path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)


class RunQueue:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._entries = root / "queue"
        self._hints = root / "read-ahead"
        self.requests_bell = Doorbell(root / "queue.bell")
        self.hints_bell = Doorbell(root / "read-ahead.bell")
        self._lock_path = root / "runner.lock"
        self._lock_fd: int | None = None
        # Held (shared) by the runner itself while it runs: others can tell a live runner without touching the
        # runner lock, which a start must find free to launch one.
        self._alive_path = root / "runner.alive"
        self._alive_fd: int | None = None

    def add(self, application_ids: list[str], from_step: str | None = None) -> list[QueuedRun]:
        """Queues one request per application; a request is written whole before it is visible under its name."""
        self._entries.mkdir(parents=True, exist_ok=True)
        added = []
        for application_id in application_ids:
            name = _entry_name(application_id)
            if from_step:
                draft = self._entries / f".{name}"
                draft.write_text(from_step)
                os.rename(draft, self._entries / name)
            else:
                (self._entries / name).touch(exist_ok=False)
            added.append(QueuedRun(name, application_id, from_step or None))
        self.requests_bell.ring()
        return added

    def hint_read_ahead(self, application_ids: list[str]) -> None:
        """Tells the runner it may read these applications' documents now: their run request follows."""
        self._hints.mkdir(parents=True, exist_ok=True)
        for application_id in application_ids:
            (self._hints / _entry_name(application_id)).touch(exist_ok=False)
        self.hints_bell.ring()

    def take_hints(self) -> list[str]:
        """The applications hinted since the last call, oldest first; each hint is taken once."""
        if not self._hints.is_dir():
            return []
        taken = []
        for name in sorted(os.listdir(self._hints)):
            try:
                (self._hints / name).unlink()
            except FileNotFoundError:
                continue
            taken.append(_application_of(name))
        return taken

    def pending(self) -> list[QueuedRun]:
        """Oldest first."""
        if not self._entries.is_dir():
            return []
        runs = []
        for name in sorted(os.listdir(self._entries)):
            if name.startswith("."):
                continue
            try:
                from_step = (self._entries / name).read_text().strip() or None
            except FileNotFoundError:  # done by the runner a moment ago
                continue
            runs.append(QueuedRun(name, _application_of(name), from_step))
        return runs

    def waiting(self, runs: list[QueuedRun]) -> list[QueuedRun]:
        """Those of these requests no runner has finished yet."""
        return [run for run in runs if (self._entries / run.entry).exists()]

    def done(self, runs: list[QueuedRun]) -> None:
        for run in runs:
            (self._entries / run.entry).unlink(missing_ok=True)

    def try_lock(self) -> bool:
        """Takes the runner lock if nobody holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    def adopt_lock(self, fd: int) -> None:
        """The lock a starter took and passed to this process as an open file (not passed on any further)."""
        os.set_inheritable(fd, False)
        self._lock_fd = fd
        self.mark_alive()

    def mark_alive(self) -> None:
        """Called by the runner that holds the lock, for as long as it runs."""
        if self._alive_fd is None:
            self._alive_fd = os.open(self._alive_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(self._alive_fd, fcntl.LOCK_SH)

    def runner_alive(self) -> bool:
        try:
            fd = os.open(self._alive_path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    @property
    def lock_fd(self) -> int | None:
        return self._lock_fd

    def release(self) -> None:
        """Lets go of the lock, also for every process that shares the open file."""
        fd, self._lock_fd = self._lock_fd, None
        alive, self._alive_fd = self._alive_fd, None
        if alive is not None:
            os.close(alive)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def hand_over(self) -> None:
        """Closes this process's copy of the lock file; a runner that was given it keeps the lock."""
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)
