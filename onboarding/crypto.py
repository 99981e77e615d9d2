"""Sealing secrets we must be able to read back (a merchant's upload link, for staff to resend it).

Lookups never use sealed values: an upload token is found by its SHA-256 hash; the sealed copy only lets
staff tools print the link. Keys rotate: the first key seals, every listed key opens.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Sealer:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None


def load_or_create_key_file(path: Path) -> str:
    """The embedded default keeps its key beside its database, readable by its owner only."""
    if path.exists():
        return path.read_text().strip()
    os.makedirs(path.parent, mode=0o700, exist_ok=True)  # the home, when new: its owner's only
    key = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
