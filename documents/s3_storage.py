"""`BlobStore` on S3 or any S3-compatible service (MinIO, Ceph, moto), through boto3.

Same contract as `LocalBlobStore`: content-addressed keys `prefix/ab/cd/<sha256>`, `put` of
the same bytes twice is a no-op, missing objects raise `BlobNotFound`, and anything that keeps
us from talking to the store raises `BlobStoreUnavailable` so a flow can retry the step.
"""
from __future__ import annotations

import threading
import uuid
from typing import Any, Literal

from documents.storage import STAGING, BlobNotFound, BlobStoreUnavailable, StagedBlob, sha256_hex

ServerSideEncryption = Literal["AES256", "aws:kms"]

_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


class BlobCorrupted(RuntimeError):
    """The stored bytes no longer hash to their key: the object was altered or damaged at rest."""


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        prefix: str = "documents",
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        sse: ServerSideEncryption | None = "AES256",
        kms_key_id: str | None = None,
        connect_timeout: float = 2.0,
        read_timeout: float = 10.0,
        max_attempts: int = 3,
    ) -> None:
        if not bucket:
            raise ValueError("an S3 bucket name is required")
        if kms_key_id and sse != "aws:kms":
            raise ValueError("kms_key_id only applies with sse='aws:kms'")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.region = region
        self.sse = sse
        self.kms_key_id = kms_key_id
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_attempts = max_attempts
        self._client: Any = None  # a botocore S3 client, once built
        self._client_lock = threading.Lock()

    def __repr__(self) -> str:
        where = self.endpoint_url or f"aws:{self.region}"
        return f"S3BlobStore(s3://{self.bucket}/{self.prefix} at {where})"

    # ---- BlobStore -----------------------------------------------------------------------

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        key = self.key_for(digest)
        if self._head(key) is not None:
            return digest
        self._put(key, data, digest)
        return digest

    def stage(self, data: bytes) -> StagedBlob:
        digest = sha256_hex(data)
        name = f"{digest}.{uuid.uuid4().hex[:12]}"
        self._put(self._staging_key(name), data, digest)
        return StagedBlob(sha256=digest, name=name)

    def publish(self, staged: StagedBlob) -> None:
        source, key = self._staging_key(staged.name), self.key_for(staged.sha256)
        if self._head(key) is None:
            self._call("copy_object", key, Bucket=self.bucket, Key=key, MetadataDirective="COPY",
                       CopySource={"Bucket": self.bucket, "Key": source}, **self._encryption())
        self._call("delete_object", source, Bucket=self.bucket, Key=source)

    def discard(self, staged: StagedBlob) -> None:
        source = self._staging_key(staged.name)
        self._call("delete_object", source, Bucket=self.bucket, Key=source)

    def staged_before(self, cutoff_epoch: float) -> list[StagedBlob]:
        prefix = self._staging_key("")
        stale, token = [], None
        while True:
            params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
            if token:
                params["ContinuationToken"] = token
            page = self._call("list_objects_v2", prefix, **params)
            for item in page.get("Contents", []):
                if item["LastModified"].timestamp() < cutoff_epoch:
                    name = item["Key"][len(prefix):]
                    stale.append(StagedBlob(sha256=name.split(".", 1)[0], name=name))
            if not page.get("IsTruncated"):
                return stale
            token = page.get("NextContinuationToken")

    def _put(self, key: str, data: bytes, digest: str) -> None:
        self._call(
            "put_object",
            key,
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType="application/octet-stream",
            Metadata={"sha256": digest},
            **self._encryption(),
        )

    def _encryption(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.sse:
            extra["ServerSideEncryption"] = self.sse
        if self.kms_key_id:
            extra["SSEKMSKeyId"] = self.kms_key_id
        return extra

    def _staging_key(self, name: str) -> str:
        if "/" in name:
            raise ValueError(f"not a staging name: {name!r}")
        return f"{self.prefix}/{STAGING}/{name}" if self.prefix else f"{STAGING}/{name}"

    def get(self, sha256: str) -> bytes:
        key = self.key_for(sha256)
        response = self._call("get_object", key, Bucket=self.bucket, Key=key)
        try:
            data = response["Body"].read()
        except Exception as exc:  # urllib3/botocore streaming errors have no common base
            raise BlobStoreUnavailable(f"reading {self._where(key)} was interrupted: {exc}") from exc
        actual = sha256_hex(data)
        if actual != sha256:
            raise BlobCorrupted(f"{self._where(key)} holds {len(data)} bytes hashing to {actual}, not its key")
        return data

    def exists(self, sha256: str) -> bool:
        return self._head(self.key_for(sha256)) is not None

    def reseal(self) -> int:
        """Nothing to do here: objects are encrypted by the server (SSE-S3 or SSE-KMS), under its keys."""
        return 0

    def delete(self, sha256: str) -> None:
        key = self.key_for(sha256)
        self._call("delete_object", key, Bucket=self.bucket, Key=key)  # S3 deletes are idempotent

    # ---- helpers -------------------------------------------------------------------------

    def key_for(self, sha256: str) -> str:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 digest: {sha256!r}")
        relative = f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return self._call("head_object", key, Bucket=self.bucket, Key=key)
        except BlobNotFound:
            return None

    def _call(self, operation: str, key: str, **params: Any) -> Any:
        """Run one S3 operation, translating botocore's errors into the BlobStore vocabulary."""
        # heavy import, paid only on the path that needs it
        from botocore.exceptions import BotoCoreError, ClientError

        client = self._s3()
        try:
            return getattr(client, operation)(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            if code in _NOT_FOUND_CODES:
                raise BlobNotFound(key.rsplit("/", 1)[-1]) from None
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            raise BlobStoreUnavailable(
                f"S3 {operation} on {self._where(key)} failed: {code or status} {error.get('Message', '')}".rstrip()
            ) from exc
        except BotoCoreError as exc:
            # Connection refused, DNS, timeouts (after retries), missing credentials.
            raise BlobStoreUnavailable(f"S3 {operation} on {self._where(key)} failed: {exc}") from exc

    def _where(self, key: str) -> str:
        endpoint = f" via {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{key}{endpoint}"

    def _s3(self) -> Any:
        # Built on first use so importing or configuring a store never touches the network.
        with self._client_lock:
            if self._client is None:
                self._client = self._build_client()
            return self._client

    def _build_client(self) -> Any:
        return new_s3_client(region=self.region, endpoint_url=self.endpoint_url, max_attempts=self._max_attempts,
                             connect_timeout=self._connect_timeout, read_timeout=self._read_timeout)


def new_s3_client(*, region: str | None, endpoint_url: str | None, max_attempts: int = 3,
                  connect_timeout: float = 60, read_timeout: float = 60) -> Any:
    """The one way this code base opens S3 (documents here, transaction files in service.transactions)."""
    import boto3  # here, not at the top: a start-up without S3 does not pay for botocore
    from botocore.config import Config

    config = Config(
        region_name=region,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": max_attempts, "mode": "standard"},
        # Path-style works everywhere S3-compatible; virtual-host style needs wildcard DNS.
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    # A session of our own: boto3's default session is shared module state.
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)
