"""Where the search index's HMAC key comes from: `ONBOARD_INDEX_KEY`, else a key file beside the database."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from onboarding.crypto import load_or_create_key_file

if TYPE_CHECKING:
    from onboarding.settings import Settings


def configured_index_key(settings: "Settings") -> bytes:
    if settings.index_key:
        return settings.index_key.encode()
    path = settings.resolved_home / "index.key"
    # Processes starting together on a fresh home race to create the file: the loser waits for the winner's key.
    for _ in range(100):
        try:
            key = load_or_create_key_file(path)
        except FileExistsError:
            key = ""
        if key:
            return key.encode()
        time.sleep(0.02)
    raise RuntimeError(f"key file {path} exists but stays empty")
