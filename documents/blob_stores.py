"""Build the configured `BlobStore` from plain values (the wiring passes them from Settings)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from documents.envelope import KeyWrapper
from documents.s3_storage import BlobCorrupted, S3BlobStore, ServerSideEncryption
from documents.storage import BlobNotFound, BlobStore, BlobStoreUnavailable, LocalBlobStore, StagedBlob

__all__ = [
    "BlobCorrupted",
    "BlobNotFound",
    "BlobStore",
    "BlobStoreUnavailable",
    "LocalBlobStore",
    "S3BlobStore",
    "StagedBlob",
    "open_blob_store",
]


def open_blob_store(
    kind: Literal["local", "s3"],
    *,
    local_root: Path | None = None,
    bucket: str | None = None,
    prefix: str = "documents",
    endpoint_url: str | None = None,
    region: str = "us-east-1",
    sse: ServerSideEncryption | None = "AES256",
    kms_key_id: str | None = None,
    key_wrapper: KeyWrapper | None = None,
) -> BlobStore:
    """A store of the given kind. Touches no network: the S3 client is built on first use.

    Local files are encrypted under `key_wrapper` (envelope encryption); S3 objects by the server (`sse`)."""
    if kind == "local":
        if local_root is None:
            raise ValueError("a local blob store needs local_root")
        return LocalBlobStore(Path(local_root), key_wrapper)
    if kind == "s3":
        if not bucket:
            raise ValueError("an S3 blob store needs a bucket (ONBOARD_S3_BUCKET)")
        return S3BlobStore(
            bucket,
            prefix,
            endpoint_url=endpoint_url or None,
            region=region,
            sse=sse,
            kms_key_id=kms_key_id or None,
        )
    raise ValueError(f"unknown blob store kind {kind!r}; expected 'local' or 's3'")
