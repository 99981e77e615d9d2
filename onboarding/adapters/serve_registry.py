"""Which `onboard serve` runs on a home: a lock file it holds while it runs, and a record of its pid and URLs.

The lock is `flock` on a file, so it ends with the serve however that ends (kill -9 included); the record is
only read while the lock is held, so a record a killed serve left behind is never taken for a live one.
"""
from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path


class ServeRegistry:
    def __init__(self, home: Path) -> None:
        self._lock_path = home / "run" / "serve.lock"
        self._record_path = home / "run" / "serve.json"
        self._fd: int | None = None

    def claim(self, record: dict) -> bool:
        """Takes the home for this process and records it; False when another serve holds it."""
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        self.publish(record)
        return True

    def publish(self, record: dict) -> None:
        draft = self._record_path.with_name(f".{self._record_path.name}.{os.getpid()}")
        draft.write_text(json.dumps(record))
        os.replace(draft, self._record_path)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            self._record_path.unlink(missing_ok=True)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def running(self) -> dict | None:
        """The record of the serve that holds this home ({"pid": …, "urls": {…}}), or None when none does."""
        try:
            fd = os.open(self._lock_path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                try:
                    return json.loads(self._record_path.read_text())
                except (OSError, ValueError):  # taken a moment ago, its record not written yet
                    return {"pid": None, "urls": {}}
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)
