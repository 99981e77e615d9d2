"""Which applications a live process is running the checks of, on the embedded default.

A process running an application's flow holds a shared `flock` on `<root>/<application id>`; the kernel drops
it when the process ends, however it ends (kill -9 included). So an application left in `checking` whose file
nobody holds was left by a process that died: its run is stalled. Lock files go when their last holder is done.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


class RunClaims:
    def __init__(self, root: Path) -> None:
        self.root = root

    @contextmanager
    def hold(self, application_ids: Sequence[str]) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        held: list[tuple[Path, int]] = []
        try:
            for application_id in dict.fromkeys(application_ids):
                path = self.root / application_id
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                fcntl.flock(fd, fcntl.LOCK_SH)
                held.append((path, fd))
            yield
        finally:
            for path, fd in held:
                try:  # the last holder removes the file; another run of it keeps it
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    path.unlink(missing_ok=True)
                except BlockingIOError:
                    pass
                os.close(fd)

    def held(self, application_id: str) -> bool:
        try:
            fd = os.open(self.root / application_id, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing drops a lock this check took
        return False
