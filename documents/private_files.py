"""Files and directories only their owner may read: databases, documents, keys and messages hold PII."""
from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700


def make_private_dirs(path: Path) -> None:
    """`mkdir -p` whose every new directory is 0700 (`Path.mkdir(parents=True)` gives parents the umask's)."""
    missing = []
    current = Path(path)
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIRECTORY)
        except FileExistsError:
            pass  # made meanwhile by another process


def ensure_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if it is missing; tighten it to 0600 if it is looser and ours."""
    make_private_dirs(Path(path).parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        return
    except FileExistsError:
        pass
    tighten(path)


def tighten(path: Path) -> None:
    """0600 for a file that is readable by others (made by an older version); silent if it is not ours."""
    try:
        mode = os.stat(path).st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    except (FileNotFoundError, PermissionError):
        pass


def write_private_text(path: Path, text: str) -> None:
    """Write (replacing) a text file that is 0600 from its first byte."""
    make_private_dirs(Path(path).parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    tighten(path)
