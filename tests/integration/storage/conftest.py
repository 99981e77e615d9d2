"""Blob store fixtures: a real local directory, and S3 served over HTTP by moto on 127.0.0.1."""
from __future__ import annotations

import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from documents.s3_storage import S3BlobStore
from documents.storage import BlobStore, LocalBlobStore
from onboarding.crypto import Sealer

_FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    # Keep boto3 away from ~/.aws and the instance metadata service.
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="session")
def fake_aws_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in _FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="session")
def moto_endpoint(fake_aws_env: None) -> Iterator[str]:
    """URL of a moto S3 server running as a real HTTP server for the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_admin(moto_endpoint: str) -> Any:
    """A plain boto3 client for arranging and inspecting buckets behind the store's back."""
    import boto3

    return boto3.session.Session().client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")


@pytest.fixture
def s3_bucket(s3_admin: Any) -> str:
    bucket = f"docs-{uuid.uuid4().hex[:12]}"
    s3_admin.create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture
def closed_port_endpoint() -> str:
    """An endpoint nothing listens on: bound, then released, so connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class StoreUnderTest:
    kind: str
    store: BlobStore
    count_objects: Callable[[], int]


def _local_store(tmp_path: Path) -> StoreUnderTest:
    root = tmp_path / "blobs"

    def count() -> int:
        return sum(1 for path in root.rglob("*") if path.is_file() and not path.name.startswith(".tmp-"))

    # As installations run it: files encrypted under a key set (envelope encryption).
    return StoreUnderTest("local", LocalBlobStore(root, Sealer([Fernet.generate_key().decode()])), count)


def _s3_store(request: pytest.FixtureRequest) -> StoreUnderTest:
    endpoint = request.getfixturevalue("moto_endpoint")
    bucket = request.getfixturevalue("s3_bucket")
    admin = request.getfixturevalue("s3_admin")
    store = S3BlobStore(bucket, "documents", endpoint_url=endpoint, sse="AES256")

    def count() -> int:
        return admin.list_objects_v2(Bucket=bucket, Prefix="documents/").get("KeyCount", 0)

    return StoreUnderTest("s3", store, count)


@pytest.fixture(params=["local", "s3"])
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreUnderTest:
    # The S3 fixtures are requested only for the S3 case so the local case never starts moto.
    if request.param == "local":
        return _local_store(tmp_path)
    return _s3_store(request)
