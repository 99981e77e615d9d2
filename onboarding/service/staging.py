"""Crash residue of submissions: document files still under their staging name.

A submission stages its files, commits its rows, then moves the files into place. A process killed before
the commit leaves staged files that no row will ever point at; one killed between the commit and the move
leaves a row whose file is still staged. The sweep tells the two apart by the digest in the staging name.
"""
from __future__ import annotations

import time

from sqlalchemy import exists, select

from onboarding.adapters.orm import documents
from onboarding.service.ports import FileRecords


def sweep_staging(services: FileRecords, now_epoch: float | None = None) -> dict[str, int]:
    """Staged files older than `staging_max_age_minutes`: moved into place if a row needs them, else removed.

    File ages are wall-clock (the store's own timestamps), whatever `--as-of` the rest of the sweep uses.
    """
    cutoff = (time.time() if now_epoch is None else now_epoch) - services.settings.staging_max_age_minutes * 60
    removed = recovered = 0
    for blob in services.blobs.staged_before(cutoff):
        if _referenced(services, blob.sha256) and not services.blobs.exists(blob.sha256):
            services.blobs.publish(blob)
            recovered += 1
        else:
            services.blobs.discard(blob)
            removed += 1
    return {"removed": removed, "recovered": recovered}


def _referenced(services: FileRecords, sha256: str) -> bool:
    d = documents.c
    with services.uow() as uow:
        return bool(uow.session.scalar(select(exists().where(d.sha256 == sha256, d.purged_at.is_(None)))))
