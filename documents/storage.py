"""Content-addressed document storage. The rest of the code sees only `BlobStore`."""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from documents.envelope import KeyWrapper, open_file, reseal_file, seal_file
from documents.private_files import make_private_dirs

# Files waiting for their rows: a crash between writing one and committing its row leaves it here, where a
# sweep can tell it from a stored document (content-addressed blobs never sit under this name).
STAGING = "staging"
# A reseal's half-written rewrite this old was left by a reseal that was killed (a live one takes milliseconds).
ABANDONED_REWRITE_AGE_S = 3600


class BlobNotFound(LookupError):
    pass


class BlobStoreUnavailable(RuntimeError):
    """The store could not be reached; nothing was stored."""


@dataclass(frozen=True)
class StagedBlob:
    """Bytes written under a staging name, not yet a stored document."""

    sha256: str
    name: str  # the staging file or key, as the store that wrote it knows it


class BlobStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store `data`, return its sha256 hex digest. Storing the same bytes twice is a no-op."""

    def stage(self, data: bytes) -> StagedBlob:
        """Write `data` under a staging name; it becomes a stored blob only when published."""

    def publish(self, staged: StagedBlob) -> None:
        """Move a staged blob into place (dropping the staged copy when the blob is already stored)."""

    def discard(self, staged: StagedBlob) -> None:
        """Remove a staged blob that will not be published."""

    def staged_before(self, cutoff_epoch: float) -> list[StagedBlob]:
        """Staged blobs last written before `cutoff_epoch` (seconds since the epoch): crash residue."""

    def get(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...

    def reseal(self) -> int:
        """Re-encrypt stored files under the newest key (`onboard keys rotate`); how many were rewritten."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LocalBlobStore:
    """Files under `root/ab/cd/<sha256>`, written to a temp file then renamed so readers never see half a file.

    With a key wrapper (the installation's key set), files are written encrypted (`documents.envelope`);
    files written before that are still read, and `reseal` encrypts them.
    """

    def __init__(self, root: Path, wrapper: KeyWrapper | None = None) -> None:
        self.root = Path(root)
        self.wrapper = wrapper

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    @property
    def staging_dir(self) -> Path:
        return self.root / f".{STAGING}"

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        if self._path(digest).exists():
            return digest
        self.publish(self.stage(data))
        return digest

    def stage(self, data: bytes) -> StagedBlob:
        digest = sha256_hex(data)
        make_private_dirs(self.staging_dir)
        # The digest in the name lets a sweep find the row a staged file belongs to.
        stored = seal_file(data, digest, self.wrapper) if self.wrapper is not None else data
        tmp = _write_new_file(self.staging_dir, stored, prefix=f"{digest}.", suffix=f".{uuid.uuid4().hex[:8]}")
        return StagedBlob(sha256=digest, name=tmp.name)

    def publish(self, staged: StagedBlob) -> None:
        source = self._staged_path(staged)
        path = self._path(staged.sha256)
        if path.exists():
            source.unlink(missing_ok=True)
            return
        make_private_dirs(path.parent)
        os.replace(source, path)  # same file system: atomic, readers never see half a file

    def discard(self, staged: StagedBlob) -> None:
        self._staged_path(staged).unlink(missing_ok=True)

    def staged_before(self, cutoff_epoch: float) -> list[StagedBlob]:
        if not self.staging_dir.is_dir():
            return []
        stale = []
        for entry in os.scandir(self.staging_dir):
            try:
                written = entry.stat().st_mtime
            except FileNotFoundError:
                continue  # published or discarded while we looked
            if written < cutoff_epoch:
                stale.append(StagedBlob(sha256=entry.name.split(".", 1)[0], name=entry.name))
        return stale

    def _staged_path(self, staged: StagedBlob) -> Path:
        if "/" in staged.name or staged.name.startswith("."):
            raise ValueError(f"not a staging name: {staged.name!r}")
        return self.staging_dir / staged.name

    def get(self, sha256: str) -> bytes:
        try:
            stored = self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None
        return open_file(stored, sha256, self.wrapper)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    def reseal(self) -> int:
        """Every stored file's data key sealed under the newest key, and files kept in clear encrypted.

        Each file is replaced atomically, so readers see the old or the new file, both readable while the
        old keys are still listed. Staged files are left alone: they are published or swept within the hour.
        A rewrite an earlier reseal left half-done when it was killed (".<digest>.…" beside the file) is
        removed once it is an hour old: a live reseal replaces its own within milliseconds.
        """
        if self.wrapper is None:
            return 0
        rewritten = 0
        abandoned_before = time.time() - ABANDONED_REWRITE_AGE_S
        for path in sorted(self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*")):
            digest = path.name
            if len(digest) != 64:
                _remove_if_abandoned(path, abandoned_before)  # never a stored file
                continue
            try:
                stored = path.read_bytes()
            except FileNotFoundError:
                continue  # purged meanwhile
            tmp = _write_new_file(path.parent, reseal_file(stored, digest, self.wrapper), prefix=f".{digest}.")
            if not path.exists():  # purged while we wrote: do not bring it back
                tmp.unlink(missing_ok=True)
                continue
            os.replace(tmp, path)
            rewritten += 1
        return rewritten


def _remove_if_abandoned(path: Path, before_epoch: float) -> None:
    try:
        if path.name.startswith(".") and path.stat().st_mtime < before_epoch:
            path.unlink()
    except FileNotFoundError:
        pass  # replaced or removed meanwhile


def _write_new_file(directory: Path, data: bytes, *, prefix: str, suffix: str = "") -> Path:
    """`data` in a new file of its own (mode 0600), flushed to disk; removed again if writing fails."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)
